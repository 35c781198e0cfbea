"""Hostile input at the application level: deep nesting, non-finite numbers, bodies up to
the limit, rate limits with fractions, forged page tokens, and credentials made to grow
the server's memory. Never a 500, never a traceback, nothing remembered per stranger.

The JSON cases run in-process (Organizations' error policy, fixed handlers); tokens and
memory use one real Organizations server (the CLI) for the module.
"""

from __future__ import annotations

import http.client
import json
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest

import generated.organizations
from generated.organizations import OPERATIONS, SERVICE
from runtime.accounts import Account, Accounts
from runtime.app import App
from runtime.assemble import ServeOptions, assemble
from support import asgi
from support.fixed_handlers import fixed_definition
from support.server import ACCOUNTS, Server, running_with_accounts

ACCOUNT = Account("111111111111", "Bill", "bill@example.com", "AKIAHOSTILE", "secret")
PREFIX = SERVICE.target_prefix
MAX_BODY = 8 * 1024 * 1024
#: orjson's nesting limit, the outermost object included (jsonproto's docstring).
MAX_DEPTH = 1024


@pytest.fixture(scope="module")
def app() -> Iterator[App]:
    built = assemble(
        generated.organizations,
        fixed_definition(),
        ServeOptions(accounts=Accounts([ACCOUNT])),
    )
    yield built
    built.close()


def post(app: App, operation: str, body: bytes) -> tuple[int, dict[str, Any]]:
    target = f"{PREFIX}.{operation}"
    status, headers, raw = asgi.call(
        app, "POST", "/", asgi.signed(ACCOUNT, target, body), body
    )
    assert headers["content-type"] == "application/x-amz-json-1.1"
    text = raw.decode()
    assert "Traceback" not in text
    document: dict[str, Any] = json.loads(text)
    return status, document


# -- nesting ----------------------------------------------------------------------------------


def nested(kind: str, depth: int) -> str:
    """`depth` levels of `[` (or of `{"a":`) around a string."""
    if kind == "list":
        return "[" * depth + '"x"' + "]" * depth
    return '{"a":' * depth + '"x"' + "}" * depth


DEPTHS = [10, 500, 1000, MAX_DEPTH - 1, MAX_DEPTH, 5000]


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("kind", ["list", "object"])
@pytest.mark.parametrize(
    "operation, member, fits",
    [
        # An unknown member: ignored, whatever it holds.
        ("DescribeOrganization", "Unknown", {"list": 200, "object": 200}),
        # A string member: any list or object is the wrong JSON type.
        ("DeclineHandshake", "HandshakeId", {"list": 400, "object": 400}),
        # A structure member: a list is the wrong type, unknown members inside are
        # ignored (the required HandshakeId is there).
        ("ListHandshakesForAccount", "Filter", {"list": 400, "object": 200}),
    ],
)
def test_any_nesting_depth_is_answered_never_500(
    app: App, operation: str, member: str, fits: dict[str, int], kind: str, depth: int
) -> None:
    """Within the limit the document is read as the model says; past it (the outermost
    object counts) it is a SerializationException, never a 500 or a recursion error."""
    body = f'{{"{member}": {nested(kind, depth)}}}'.encode()
    status, document = post(app, operation, body)
    if depth + 1 > MAX_DEPTH:
        assert (status, document["__type"]) == (400, "SerializationException")
        assert "depth" in document["Message"]
        return
    assert status == fits[kind], document
    if status == 400:
        assert document["__type"] == "SerializationException"
        assert member in document["Message"]


# -- numbers JSON does not have ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
@pytest.mark.parametrize(
    "operation, template",
    [
        ("ListHandshakesForAccount", '{{"MaxResults": {}}}'),  # a known number
        ("DeclineHandshake", '{{"HandshakeId": {}}}'),  # a known string
        ("DescribeOrganization", '{{"Unknown": {}}}'),  # an unknown member
        ("ListHandshakesForAccount", '{{"Filter": {{"Deep": [1, {{"x": {}}}]}}}}'),
        ("DescribeOrganization", '{{"Unknown": [{{"a": [{{"b": {}}}]}}]}}'),
        ("DescribeOrganization", "[{}]"),
    ],
)
def test_non_finite_numbers_anywhere_are_serialization_errors(
    app: App, operation: str, template: str, value: str
) -> None:
    status, document = post(app, operation, template.format(value).encode())
    assert (status, document["__type"]) == (400, "SerializationException"), document


# -- bodies up to the limit ---------------------------------------------------------------------


def padded(size: int, handshake_id: str = "h-examplehandshakeid111") -> bytes:
    """A DeclineHandshake body of exactly `size` bytes (an unknown member pads it)."""
    head = f'{{"HandshakeId": "{handshake_id}", "Padding": "'.encode()
    return head + b"x" * (size - len(head) - 2) + b'"}'


def test_a_body_at_the_limit_is_parsed_once(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = padded(MAX_BODY)
    assert len(body) == MAX_BODY
    parses: list[int] = []
    validations: list[str] = []
    real_loads = orjson.loads

    def loads(data: Any) -> Any:
        parses.append(len(data))
        return real_loads(data)

    model = OPERATIONS["DeclineHandshake"].input
    real_validate = model.model_validate
    real_validate_json = model.model_validate_json

    def validate(cls: type, *args: Any, **kwargs: Any) -> Any:
        validations.append("python")
        return real_validate(*args, **kwargs)

    def validate_json(cls: type, *args: Any, **kwargs: Any) -> Any:
        validations.append("json")
        return real_validate_json(*args, **kwargs)

    monkeypatch.setattr(orjson, "loads", loads)
    monkeypatch.setattr(model, "model_validate", classmethod(validate))
    monkeypatch.setattr(model, "model_validate_json", classmethod(validate_json))
    status, document = post(app, "DeclineHandshake", body)
    assert status == 200, document
    assert document["Handshake"]["State"] == "DECLINED"
    assert [size for size in parses if size >= MAX_BODY // 2] == [MAX_BODY]
    assert validations == ["python"]


@pytest.mark.parametrize("chunk", [None, 65536])
def test_the_limit_is_exact(app: App, chunk: int | None) -> None:
    """MAX_BODY bytes are served, one more is 413 (whole, or as uvicorn hands it)."""
    target = f"{PREFIX}.DeclineHandshake"
    for size, expected in ((MAX_BODY, 200), (MAX_BODY + 1, 413)):
        body = padded(size)
        status, _, raw = asgi.call(
            app, "POST", "/", asgi.signed(ACCOUNT, target, body), body, chunk=chunk
        )
        assert status == expected, raw[:200]
    assert json.loads(raw)["__type"] == "RequestEntityTooLargeException"


def test_a_large_body_with_a_bad_end_is_a_serialization_error(app: App) -> None:
    body = padded(MAX_BODY - 16)[:-1] + b', "n": NaN}'
    status, document = post(app, "DeclineHandshake", body)
    assert (status, document["__type"]) == (400, "SerializationException")


# -- fractional rate limits ---------------------------------------------------------------------


def test_a_fractional_rate_limit(tmp_path: Path) -> None:
    """--rate-limit 0.5: one request, then the throttling error until 2 s have passed;
    another account has its own bucket."""
    with running_with_accounts(
        tmp_path,
        "--handlers",
        "support.fixed_handlers:FixedHandlers",
        "--rate-limit",
        "0.5",
    ) as server:
        bill, susan = server.client(0), server.client(1)
        first = time.monotonic()
        bill.describe_organization()
        with pytest.raises(bill.exceptions.TooManyRequestsException) as throttled:
            bill.describe_organization()
        assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        susan.describe_organization()  # her own bucket
        time.sleep(max(0.0, first + 1.0 - time.monotonic()))
        with pytest.raises(bill.exceptions.TooManyRequestsException):
            bill.describe_organization()  # half a token after one second
        time.sleep(max(0.0, first + 2.1 - time.monotonic()))
        bill.describe_organization()  # a whole token after two
        with pytest.raises(bill.exceptions.TooManyRequestsException):
            bill.describe_organization()


# -- one real server: page tokens and memory ----------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hostile")
    with running_with_accounts(folder, "--log-level", "warning") as running:
        yield running


@pytest.fixture(scope="module")
def token(server: Server) -> str:
    """A NextToken of Bill's ListHandshakesForOrganization (two invitations, one a page)."""
    bill = server.client(0)
    bill.create_organization(FeatureSet="ALL")
    for account in ("222222222222", "333333333333"):
        bill.invite_account_to_organization(Target={"Id": account, "Type": "ACCOUNT"})
    page = bill.list_handshakes_for_organization(MaxResults=1)
    next_token: str = page["NextToken"]
    second = bill.list_handshakes_for_organization(MaxResults=1, NextToken=next_token)
    assert second["Handshakes"] and second["Handshakes"] != page["Handshakes"]
    return next_token


def _standard_alphabet(token: str) -> str:
    """The token in standard base64's alphabet (`+`, `/` for `-`, `_`); a token that
    happens to hold neither gets a `/` in front instead of its first character."""
    if "-" in token or "_" in token:
        return token.replace("-", "+").replace("_", "/")
    return "/" + token[1:]


def _flip_last(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda t: t + "=", id="padding"),
        pytest.param(lambda t: t + "==", id="double-padding"),
        pytest.param(lambda t: " " + t, id="leading-space"),
        pytest.param(lambda t: t + " ", id="trailing-space"),
        pytest.param(lambda t: t + "\n", id="trailing-newline"),
        pytest.param(lambda t: t[:10] + " " + t[10:], id="inner-space"),
        pytest.param(_flip_last, id="flipped-last"),
        pytest.param(lambda t: t[:-1], id="truncated"),
        pytest.param(_standard_alphabet, id="standard-b64"),
        pytest.param(lambda t: (t * (5000 // len(t) + 1))[:5000], id="5000-chars"),
        pytest.param(lambda t: "A" * 5000, id="5000-As"),
        pytest.param(lambda t: "", id="empty"),
    ],
)
def test_page_tokens_are_read_strictly(
    server: Server, token: str, forge: Callable[[str], str]
) -> None:
    forged = forge(token)
    assert forged != token or forged == ""
    bill = server.client(0)
    with pytest.raises(bill.exceptions.InvalidInputException) as raised:
        bill.list_handshakes_for_organization(MaxResults=1, NextToken=forged)
    assert raised.value.response["Reason"] == "INVALID_NEXT_TOKEN"


def test_a_token_is_bound_to_its_listing_and_caller(server: Server, token: str) -> None:
    bill, susan = server.client(0), server.client(1)
    # The genuine token still works (the forgeries did not spoil it) ...
    assert bill.list_handshakes_for_organization(MaxResults=1, NextToken=token)
    # ... but not for another operation, nor another caller.
    with pytest.raises(bill.exceptions.InvalidInputException) as other_listing:
        bill.list_handshakes_for_account(MaxResults=1, NextToken=token)
    assert other_listing.value.response["Reason"] == "INVALID_NEXT_TOKEN"
    with pytest.raises(susan.exceptions.InvalidInputException) as other_caller:
        susan.list_handshakes_for_account(MaxResults=1, NextToken=token)
    assert other_caller.value.response["Reason"] == "INVALID_NEXT_TOKEN"


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _strangers(url: str, count: int, size: int = 10_000) -> list[int]:
    """`count` requests on one connection, each with a distinct `size`-byte credential
    part (the access key, the region or the date, in turn) and a distinct X-Amz-Date."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    bill = ACCOUNTS[0]["access_key_id"]
    statuses = []
    try:
        for n in range(count):
            filler = secrets.token_hex(size // 2)
            key, date, region = bill, "20261201", "us-east-1"
            if n % 3 == 0:
                key = "AKIA" + filler
            elif n % 3 == 1:
                region = filler
            else:
                date = filler
            stamp = f"2026{n % 12 + 1:02d}{n % 28 + 1:02d}T{n % 24:02d}{n % 60:02d}00Z"
            headers = {
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"{PREFIX}.DescribeOrganization",
                "X-Amz-Date": stamp,
                "Authorization": (
                    f"AWS4-HMAC-SHA256 Credential={key}/{date}/{region}/organizations/"
                    f"aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                    f"x-amz-target, Signature={secrets.token_hex(32)}"
                ),
            }
            connection.request("POST", "/", body=b"{}", headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            if response.getheader("connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(
                    parts.hostname, parts.port, timeout=10
                )
    finally:
        connection.close()
    return statuses


def test_strangers_credentials_do_not_grow_the_server(server: Server) -> None:
    """2,000 unauthenticated requests, each with its own 10 kB credential part: every
    one refused (403), and the server's resident memory stays within a few MB."""
    pid = server.process.pid
    assert set(_strangers(server.url, 300)) == {403}  # warm-up: allocator, caches
    before = _rss_kib(pid)
    statuses = _strangers(server.url, 2000)
    after = _rss_kib(pid)
    assert set(statuses) == {403}
    growth_mib = (after - before) / 1024
    print(f"RSS before {before} kB, after {after} kB: {growth_mib:+.2f} MiB")
    assert growth_mib < 4, f"RSS grew {growth_mib:.1f} MiB"
