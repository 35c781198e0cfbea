"""SigV4 cost per request: `runtime.sigv4.verify` beside botocore's own signer.

For each kind of request, the time of one `verify` (the server's whole check: parse,
canonical request, string to sign, HMAC, constant-time compare) is measured in the same
run as botocore's public `SigV4Auth(credentials, service, region).add_auth(AWSRequest)`,
the reference cost of computing the same signature with botocore (signing is the same
work as verifying: a canonical request, a string to sign, an HMAC chain).

* ``json POST``: what boto3 sends a JSON-protocol service (4 signed headers:
  content-type, host, x-amz-date, x-amz-target; a 43-byte body), plus the unsigned
  headers boto3 adds (user-agent, content-length, ...);
* ``rest GET``: an encoded path (double-encoded in the canonical URI) and 3 query
  parameters, as a rest-json client sends them;
* ``json POST, new scope``: the first request of a (secret, day, region, service): the
  signing key is derived (4 HMACs) before the signature, then remembered (the cache
  keeps SIGNING_KEY_CACHE_SIZE keys).

The two sides run in turns, BENCH_ROUNDS rounds (default 7) of about BENCH_SECONDS each
(default 0.3), and the medians are printed. Asserts only that every request verifies.
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from runtime import sigv4  # noqa: E402
from runtime.accounts import DEVELOPMENT_ACCOUNTS  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "0.3"))
KEY, SECRET = "AKIDBILL1111EXAMPLE", "bill-secret-key-example"
ENDPOINT = "http://127.0.0.1:4566"


def json_post() -> AWSRequest:
    return AWSRequest(
        method="POST",
        url=ENDPOINT + "/",
        data=b'{"HandshakeId": "h-examplehandshakeid111"}',
        headers={
            "X-Amz-Target": "AWSOrganizationsV20161128.DeclineHandshake",
            "Content-Type": "application/x-amz-json-1.1",
            "User-Agent": "Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 os/linux lang/python#3.11",
            "Content-Length": "43",
            "amz-sdk-invocation-id": "6f1e5e0a-2b1c-4d6e-9a55-0a1b2c3d4e5f",
            "amz-sdk-request": "attempt=1; max=3",
        },
    )


def rest_get() -> AWSRequest:
    return AWSRequest(
        method="GET",
        url=ENDPOINT + "/2015-03-31/functions/my%3Afunc/versions?Marker=a%20b%2Fc"
        "&MaxItems=5&Qualifier=v%201",
        headers={"User-Agent": "Boto3/1.40.0", "Accept-Encoding": "identity"},
    )


def signer(service: str = "organizations") -> SigV4Auth:
    return SigV4Auth(Credentials(KEY, SECRET), service, "us-east-1")


@dataclass
class Received:
    """A signed request as the server receives it, and the time it arrives."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    now: datetime

    def verify(self) -> sigv4.Caller:
        return sigv4.verify(
            method=self.method, path=self.path, query=self.query, headers=self.headers,
            body=self.body, accounts=DEVELOPMENT_ACCOUNTS, now=self.now,
        )  # fmt: skip


def received(request: AWSRequest) -> Received:
    parts = urlsplit(request.url)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = parts.netloc
    signed_at = datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    return Received(
        request.method, parts.path, parts.query, headers, request.body or b"",
        signed_at.replace(tzinfo=UTC),
    )  # fmt: skip


def per_call(function: Callable[[], object]) -> float:
    """Microseconds per call, over about SECONDS."""
    count, started = 0, time.perf_counter()
    batch = 200
    while True:
        for _ in range(batch):
            function()
        count += batch
        elapsed = time.perf_counter() - started
        if elapsed >= SECONDS:
            return elapsed / count * 1e6


def new_scope_verifier(build: Callable[[], AWSRequest]) -> Callable[[], object]:
    """`verify` of requests that each need a signing key derived: eight times as many
    scopes (a region each) as the cache holds, taken in turn, so none is found there."""
    requests = []
    for i in range(8 * sigv4.SIGNING_KEY_CACHE_SIZE):
        request = build()
        auth = SigV4Auth(Credentials(KEY, SECRET), "organizations", f"bench-{i}")
        auth.add_auth(request)
        requests.append(received(request))
    turns = itertools.cycle(requests)
    return lambda: next(turns).verify()


def main() -> None:
    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = []
    for name, build, service in (
        ("json POST", json_post, "organizations"),
        ("rest GET", rest_get, "lambda"),
    ):
        request = build()
        signer(service).add_auth(request)
        arriving = received(request)
        arriving.verify()  # it verifies, and its signing key is now cached
        # botocore signs a request of the same kind again and again (add_auth replaces
        # the X-Amz-Date and Authorization headers it added the time before).
        cases.append(
            (name, arriving.verify, partial(signer(service).add_auth, build()))
        )
    cases.append(
        (
            "json POST, new scope",
            new_scope_verifier(json_post),
            partial(signer().add_auth, json_post()),
        )
    )

    print(f"SigV4 per request, median of {ROUNDS} alternating rounds (µs)")
    print(f"{'request':<22} {'verify':>8} {'botocore add_auth':>18} {'ratio':>7}")
    for name, ours, reference in cases:
        mine, theirs = [], []
        for _ in range(ROUNDS):
            mine.append(per_call(ours))
            theirs.append(per_call(reference))
        a, b = statistics.median(mine), statistics.median(theirs)
        print(f"{name:<22} {a:>8.2f} {b:>18.2f} {b / a:>6.1f}x")


if __name__ == "__main__":
    main()
