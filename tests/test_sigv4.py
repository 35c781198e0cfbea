"""Server-side SigV4 verification (`runtime.sigv4`) and the account registry.

Requests are signed the way real clients sign them: with botocore's `SigV4Auth` /
`SigV4QueryAuth`, and through real boto3 clients whose prepared requests are captured by a
``before-send`` handler (nothing goes on the network). What a server would see on the wire
(lower-cased headers, a Host header, raw path and query) is then fed to `verify`.

Besides: AWS's own test suite (``../shared/peer-tests/aws-sigv4-testsuite``), case by case,
in reverse (canonical request, string to sign, signature, the signed request verifying,
any signed element changed failing); a differential test with botocore's public signer
as the oracle over random requests; and hostile input (odd dates, huge headers, what an
unauthenticated client can make the server remember).
"""

from __future__ import annotations

import json
import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import formatdate, parsedate_to_datetime
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
import pytest
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.utils import percent_encode_sequence
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.accounts import DEVELOPMENT_ACCOUNTS, Account, Accounts, load_accounts
from runtime import sigv4
from runtime.sigv4 import (
    MAX_CREDENTIAL,
    MAX_SIGNED_HEADERS,
    SIGNATURE_MISMATCH,
    SIGNING_KEY_CACHE_SIZE,
    AuthError,
    Caller,
    cached_signing_keys,
    verify,
)
from runtime.sigv4_canonical import (
    canonical_request,
    signature,
    signing_key,
    string_to_sign,
)

BILL_KEY = "AKIDBILL1111EXAMPLE"
BILL_SECRET = "bill-secret-key-example"
SUSAN_KEY = "AKIDSUSAN222EXAMPLE"
ENDPOINT = "http://127.0.0.1:5000/"
TARGET = "AWSOrganizationsV20161128.DeclineHandshake"
BODY = b'{"HandshakeId": "h-examplehandshakeid111"}'


# --------------------------------------------------------------------------- helpers


@dataclass
class Wire:
    """A request as the server receives it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def when(self) -> datetime:
        """The signing time (from X-Amz-Date)."""
        return datetime.strptime(self.headers["x-amz-date"], SIGV4_TIMESTAMP).replace(
            tzinfo=UTC
        )

    def verify(self, **kwargs: Any) -> Caller:
        args: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "accounts": DEVELOPMENT_ACCOUNTS,
        }
        args.update(kwargs)
        return verify(**args)

    def with_authorization(self, transform: Callable[[str], str]) -> Wire:
        headers = dict(self.headers)
        headers["authorization"] = transform(headers["authorization"])
        return Wire(self.method, self.path, self.query, headers, self.body)


def to_wire(
    request: AWSRequest | AWSPreparedRequest, *, extra: dict[str, str] | None = None
) -> Wire:
    """What an ASGI server would hand over for ``request``: lower-cased headers, the Host
    header the HTTP client adds, the raw path and query."""
    parts = urlsplit(request.url)
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        headers[name.lower()] = (
            value.decode("latin-1") if isinstance(value, bytes) else value
        )
    headers.setdefault("host", parts.netloc)
    headers.update(extra or {})
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    return Wire(request.method, parts.path or "/", parts.query, headers, body)


def json_request(
    body: bytes = BODY, *, url: str = ENDPOINT, headers: dict[str, str] | None = None
) -> AWSRequest:
    """A JSON-protocol request as botocore builds it before signing."""
    all_headers = {"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"}
    all_headers.update(headers or {})
    return AWSRequest(method="POST", url=url, data=body, headers=all_headers)


def sign(
    request: AWSRequest,
    *,
    key: str = BILL_KEY,
    secret: str = BILL_SECRET,
    token: str | None = None,
    service: str = "organizations",
    region: str = "us-east-1",
    signer: type[SigV4Auth] = SigV4Auth,
) -> AWSRequest:
    signer(Credentials(key, secret, token), service, region).add_auth(request)
    return request


def signed_wire(body: bytes = BODY, **kwargs: Any) -> Wire:
    return to_wire(sign(json_request(body)), **kwargs)


def rejects(wire: Wire, code: str, **kwargs: Any) -> AuthError:
    with pytest.raises(AuthError) as info:
        wire.verify(**kwargs)
    assert info.value.code == code, info.value.message
    assert info.value.status == 403
    return info.value


# ---- real boto3 clients, captured before sending


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def captured(
    service: str,
    call: Callable[[Any], object],
    *,
    region: str = "us-east-1",
    key: str = BILL_KEY,
    secret: str = BILL_SECRET,
) -> AWSPreparedRequest:
    """The one request a boto3 client sends for `call`. It is answered with a 400 (no
    retry), which the call raises: no made-up 200 goes through the clients' response
    checks (conftest.py)."""
    client = boto3.client(
        service,
        endpoint_url="http://127.0.0.1:1",
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
    )
    seen: list[AWSPreparedRequest] = []

    def before_send(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        seen.append(request)
        return AWSResponse(request.url, 400, {}, _Raw(b'{"__type": "Captured"}'))

    client.meta.events.register("before-send", before_send)
    with pytest.raises(ClientError, match="Captured"):
        call(client)
    assert len(seen) == 1
    return seen[0]


# --------------------------------------------------------------------------- success


def test_botocore_signed_request_verifies() -> None:
    wire = signed_wire(
        extra={"content-length": str(len(BODY)), "accept-encoding": "identity"}
    )
    caller = wire.verify(service="organizations")
    assert caller.account.id == "111111111111"
    assert caller.account.name == "Master Account"
    assert caller.access_key_id == BILL_KEY
    assert caller.region == "us-east-1"
    assert caller.service == "organizations"
    assert caller.principal_arn == "arn:aws:iam::111111111111:root"


def test_account_comes_from_the_access_key() -> None:
    wire = to_wire(
        sign(json_request(), key=SUSAN_KEY, secret="susan-secret-key-example")
    )
    assert wire.verify().account.id == "222222222222"


def test_boto3_client_request_verifies() -> None:
    prepared = captured(
        "organizations",
        lambda c: c.decline_handshake(HandshakeId="h-examplehandshakeid111"),
    )
    wire = to_wire(prepared)
    assert wire.headers["x-amz-target"] == TARGET
    assert "user-agent" in wire.headers  # sent, but not signed by botocore
    caller = wire.verify(service="organizations")
    assert caller.account.email == "bill@example.com"
    assert (caller.region, caller.service) == ("us-east-1", "organizations")


def test_boto3_region_comes_from_credential_scope() -> None:
    prepared = captured(
        "organizations", lambda c: c.list_accounts(), region="eu-west-3"
    )
    assert to_wire(prepared).verify().region == "eu-west-3"


def test_boto3_client_with_wrong_secret_is_rejected() -> None:
    prepared = captured(
        "organizations", lambda c: c.list_roots(), secret="not-bills-secret"
    )
    error = rejects(to_wire(prepared), "InvalidSignatureException")
    assert error.message == SIGNATURE_MISMATCH


def test_boto3_rest_query_and_encoded_path_verify() -> None:
    # A rest-json client: percent-encoded path segments (double-encoded in the canonical
    # request) and a query with several parameters needing encoding.
    listing = captured(
        "lambda",
        lambda c: c.list_functions(MaxItems=5, Marker="a b/c~é+*"),
        region="eu-west-1",
    )
    assert "Marker=a%20b%2Fc~%C3%A9%2B%2A" in listing.url
    assert to_wire(listing).verify(service="lambda").service == "lambda"

    get = captured(
        "lambda",
        lambda c: c.get_function(FunctionName="my:func", Qualifier="v 1"),
        region="eu-west-1",
    )
    wire = to_wire(get)
    assert wire.path.endswith("/my%3Afunc")
    assert wire.verify().region == "eu-west-1"
    # The path as signed, not as decoded, is what counts.
    wire.path = wire.path.replace("%3A", ":")
    rejects(wire, "InvalidSignatureException")


def test_query_parameters_sorted_as_botocore_does() -> None:
    params = {"b": "2", "a": "x y", "A": "upper", "c": "é/~*", "a2": ""}
    # botocore serialisers put the query in the URL, percent-encoded like this.
    url = ENDPOINT + "?" + percent_encode_sequence(params)
    wire = to_wire(sign(AWSRequest(method="GET", url=url, headers={})))
    assert wire.query == "b=2&a=x%20y&A=upper&c=%C3%A9%2F~%2A&a2="
    assert wire.verify().account.id == "111111111111"
    # The canonical query is sorted, so the order on the wire does not matter ...
    wire.query = "&".join(reversed(wire.query.split("&")))
    wire.verify()
    # ... but every name and value does.
    wire.query = wire.query.replace("b=2", "b=3")
    rejects(wire, "InvalidSignatureException")


def test_query_signed_from_params_verifies() -> None:
    # botocore's other canonical form: parameters handed to the signer as `params`.
    params = {"z": "last", "Action": "List", "name": "a b"}
    request = sign(AWSRequest(method="GET", url=ENDPOINT, headers={}, params=params))
    wire = to_wire(request)
    wire.query = percent_encode_sequence(params)
    wire.verify()


def test_query_is_canonicalised_as_aws_does() -> None:
    # The server decodes and encodes again (AWS's rule, and AWS's suite): a client that
    # signed the RFC 3986 form verifies however the octets were written on the wire ...
    url = ENDPOINT + "?a=b%3Ac%2B&s=x%20y"
    wire = to_wire(sign(AWSRequest(method="GET", url=url, headers={})))
    wire.verify()
    for written in ("a=b:c%2B&s=x+y", "a=b%3ac%2b&s=x%20y", "a=%62%3Ac%2B&s=x y"):
        wire.query = written
        wire.verify()
    # ... but a raw '+' is a space, as `parse_qs` reads it, not the plus that was signed.
    wire.query = "a=b%3Ac+&s=x%20y"
    rejects(wire, "InvalidSignatureException")
    # botocore signs its URL's query text as it is: the two agree on what SDKs write
    # (RFC 3986 encoded) and differ on raw reserved characters.
    for raw in ("a=b:c", "a=b+c"):
        request = AWSRequest(method="GET", url=ENDPOINT + "?" + raw, headers={})
        rejects(to_wire(sign(request)), "InvalidSignatureException")


def test_query_added_or_removed_is_rejected() -> None:
    wire = to_wire(
        sign(AWSRequest(method="GET", url=ENDPOINT + "?a=1&b=2", headers={}))
    )
    wire.verify()
    for query in ("a=1", "a=1&b=2&c=3", ""):
        wire.query = query
        rejects(wire, "InvalidSignatureException")


def test_unsigned_extra_header_does_not_break_verification() -> None:
    wire = signed_wire(
        extra={"x-forwarded-for": "10.0.0.1", "x-amzn-trace-id": "Root=1-abc"}
    )
    wire.verify()
    wire.headers["user-agent"] = "changed-by-a-proxy"  # botocore never signs user-agent
    wire.verify()


class _SignsEverything(SigV4Auth):  # type: ignore[misc]
    """A client (like some other SDKs) that signs user-agent and friends too."""

    def headers_to_sign(self, request: AWSRequest) -> Any:
        headers = super().headers_to_sign(request)
        for name, value in request.headers.items():
            if name.lower() not in headers:
                headers[name.lower()] = value
        return headers


def test_headers_botocore_would_not_sign_are_verified_when_signed() -> None:
    request = json_request(
        headers={"User-Agent": "aws-sdk-other/1.0", "Expect": "100-continue"}
    )
    wire = to_wire(sign(request, signer=_SignsEverything))
    assert (
        "SignedHeaders=content-type;expect;host;user-agent;"
        in wire.headers["authorization"]
    )
    wire.verify()
    wire.headers["user-agent"] = "tampered"
    rejects(wire, "InvalidSignatureException")


def test_date_header_instead_of_x_amz_date() -> None:
    request = sign(json_request(headers={"Date": "placeholder"}))
    assert "X-Amz-Date" not in request.headers
    wire = to_wire(request)
    assert "date" in wire.headers
    wire.verify()


def test_presigned_url_verifies_and_expires() -> None:
    request = AWSRequest(
        method="GET", url=ENDPOINT + "?Action=ListRoots&b=x%20y", headers={}
    )
    SigV4QueryAuth(
        Credentials(BILL_KEY, BILL_SECRET), "organizations", "us-east-1", 60
    ).add_auth(request)
    wire = to_wire(request)
    assert "authorization" not in wire.headers and "X-Amz-Signature=" in wire.query
    amz_date = dict(p.split("=", 1) for p in wire.query.split("&"))["X-Amz-Date"]
    signed_at = datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
    caller = wire.verify(now=signed_at + timedelta(seconds=59))
    assert caller.principal_arn == "arn:aws:iam::111111111111:root"
    error = rejects(
        wire, "InvalidSignatureException", now=signed_at + timedelta(seconds=61)
    )
    assert error.message.startswith(
        f"Signature expired: {amz_date} is now earlier than"
    )

    tampered = Wire(
        wire.method,
        wire.path,
        wire.query.replace("ListRoots", "ListAccounts"),
        wire.headers,
        wire.body,
    )
    rejects(tampered, "InvalidSignatureException", now=signed_at)

    incomplete = Wire(
        wire.method,
        wire.path,
        "&".join(p for p in wire.query.split("&") if not p.startswith("X-Amz-Expires")),
        wire.headers,
        wire.body,
    )
    error = rejects(incomplete, "IncompleteSignatureException", now=signed_at)
    assert "'X-Amz-Expires'" in error.message

    both = signed_wire()
    both.query = wire.query
    error = rejects(both, "IncompleteSignatureException")
    assert error.message.startswith("Only one auth mechanism allowed")


# --------------------------------------------------------------------------- errors


def test_missing_authentication() -> None:
    wire = signed_wire()
    del wire.headers["authorization"]
    error = rejects(wire, "MissingAuthenticationTokenException")
    assert error.message == "Missing Authentication Token"


@pytest.mark.parametrize(
    ("authorization", "fragment"),
    [
        ("Bearer some-token", "AWS4-HMAC-SHA256 algorithm"),
        ("AWS4-ECDSA-P256-SHA256 Credential=x", "AWS4-HMAC-SHA256 algorithm"),
        ("AWS4-HMAC-SHA256", "missing equal-sign"),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/20240101/us-east-1/organizations/"
            "aws4_request, SignedHeaders=host;x-amz-date",
            "requires 'Signature' parameter",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/20240101/us-east-1/organizations, "
            "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
            "exactly 5 slash-delimited",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/20240101/us-east-1/organizations/"
            "aws5_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
            "valid terminator: 'aws4_request', not 'aws5_request'",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/2024-1-1/us-east-1/organizations/"
            "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
            "valid date",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/20240101/us-east-1/organizations/"
            "aws4_request, SignedHeaders=host;x-amz-date, Signature=xyz",
            "64 hexadecimal",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/20240101/us-east-1/organizations/"
            "aws4_request, SignedHeaders=host, Signature="
            + "0" * 64
            + ", Signature="
            + "0" * 64,
            "more than one 'Signature'",
        ),
    ],
)
def test_malformed_authorization(authorization: str, fragment: str) -> None:
    wire = signed_wire()
    wire.headers["authorization"] = authorization
    error = rejects(wire, "IncompleteSignatureException")
    assert fragment in error.message
    assert "Bearer" not in error.message and "some-token" not in error.message


def test_unknown_access_key() -> None:
    wire = to_wire(sign(json_request(), key="AKIDNOBODY000EXAMPLE"))
    error = rejects(wire, "UnrecognizedClientException")
    assert error.message == "The security token included in the request is invalid."


def test_session_token_is_not_accepted() -> None:
    wire = to_wire(sign(json_request(), token="session-token"))
    rejects(wire, "UnrecognizedClientException")


def test_tampered_body() -> None:
    wire = signed_wire()
    wire.body = BODY.replace(b"111", b"112")
    error = rejects(wire, "InvalidSignatureException")
    assert error.message == SIGNATURE_MISMATCH


def test_tampered_signed_header() -> None:
    wire = signed_wire()
    wire.headers["x-amz-target"] = "AWSOrganizationsV20161128.LeaveOrganization"
    rejects(wire, "InvalidSignatureException")


def test_signed_header_missing_on_arrival() -> None:
    wire = signed_wire()
    del wire.headers["content-type"]
    rejects(wire, "InvalidSignatureException")


def test_tampered_host_method_and_path() -> None:
    wire = signed_wire()
    rejects(
        wire,
        "InvalidSignatureException",
        headers={**wire.headers, "host": "evil.example.com"},
    )
    rejects(wire, "InvalidSignatureException", method="PUT")
    rejects(wire, "InvalidSignatureException", path="/other")
    rejects(wire, "InvalidSignatureException", path="/#fragment")
    # botocore normalises the path ("//" and "/./" are "/"), as AWS does for all but S3.
    wire.verify(path="//")
    wire.verify(path="/./")


def test_wrong_secret() -> None:
    wire = to_wire(sign(json_request(), secret="wrong-secret"))
    error = rejects(wire, "InvalidSignatureException")
    assert "wrong-secret" not in error.message and BILL_SECRET not in error.message


def test_expired_and_future_dates() -> None:
    wire = signed_wire()
    t = wire.when
    stamp = t.strftime(SIGV4_TIMESTAMP)
    wire.verify(now=t + timedelta(minutes=15))
    wire.verify(now=t - timedelta(minutes=15))

    now = t + timedelta(minutes=15, seconds=1)
    error = rejects(wire, "InvalidSignatureException", now=now)
    assert error.message == (
        f"Signature expired: {stamp} is now earlier than "
        f"{(now - timedelta(minutes=15)).strftime(SIGV4_TIMESTAMP)} "
        f"({now.strftime(SIGV4_TIMESTAMP)} - 15 min.)"
    )
    now = t - timedelta(minutes=15, seconds=1)
    error = rejects(wire, "InvalidSignatureException", now=now)
    assert error.message == (
        f"Signature not yet current: {stamp} is still later than "
        f"{(now + timedelta(minutes=15)).strftime(SIGV4_TIMESTAMP)} "
        f"({now.strftime(SIGV4_TIMESTAMP)} + 15 min.)"
    )
    # A naive `now` is UTC; a custom skew is honoured.
    wire.verify(now=t.replace(tzinfo=None))
    rejects(
        wire,
        "InvalidSignatureException",
        now=t + timedelta(minutes=2),
        max_skew=timedelta(minutes=1),
    )


def test_aws_documented_expiry_message() -> None:
    # The example from AWS's documentation, reproduced exactly.
    wire = signed_wire()
    wire.headers["x-amz-date"] = "20161130T192758Z"
    wire = wire.with_authorization(lambda a: a.replace(a.split("/")[1], "20161130"))
    error = rejects(
        wire,
        "InvalidSignatureException",
        now=datetime(2016, 11, 30, 19, 57, 58, tzinfo=UTC),
    )
    assert error.message == (
        "Signature expired: 20161130T192758Z is now earlier than 20161130T194258Z "
        "(20161130T195758Z - 15 min.)"
    )


@pytest.mark.parametrize(
    "value", [None, "2024-01-01T00:00:00Z", "20241301T000000Z", ""]
)
def test_missing_or_invalid_x_amz_date(value: str | None) -> None:
    wire = signed_wire()
    if value is None:
        del wire.headers["x-amz-date"]
    else:
        wire.headers["x-amz-date"] = value
    error = rejects(wire, "IncompleteSignatureException")
    assert "X-Amz-Date" in error.message


def test_credential_scope_date_must_match_request_date() -> None:
    wire = signed_wire().with_authorization(
        lambda a: a.replace("/" + a.split("/")[1] + "/", "/20000101/")
    )
    error = rejects(wire, "InvalidSignatureException")
    assert error.message.startswith("Date in Credential scope does not match")


class _SkipsHost(SigV4Auth):  # type: ignore[misc]
    def headers_to_sign(self, request: AWSRequest) -> Any:
        headers = super().headers_to_sign(request)
        del headers["host"]
        return headers


def test_host_must_be_signed() -> None:
    wire = to_wire(sign(json_request(), signer=_SkipsHost))
    assert (
        "SignedHeaders=content-type;x-amz-date;x-amz-target,"
        in wire.headers["authorization"]
    )
    error = rejects(wire, "IncompleteSignatureException")
    assert "'host'" in error.message


def test_credential_scoped_to_another_service() -> None:
    wire = to_wire(sign(json_request(), service="iam"))
    assert wire.verify().service == "iam"  # no expectation given: any service
    error = rejects(wire, "InvalidSignatureException", service="organizations")
    assert (
        error.message
        == "Credential should be scoped to correct service: 'organizations'."
    )


def test_payload_hash_header_must_match_body() -> None:
    good = to_wire(
        sign(json_request(headers={"X-Amz-Content-SHA256": sha256(BODY).hexdigest()}))
    )
    good.verify()
    other = sha256(b"something else").hexdigest()
    wire = to_wire(sign(json_request(headers={"X-Amz-Content-SHA256": other})))
    error = rejects(wire, "InvalidSignatureException")
    assert "x-amz-content-sha256" in error.message
    unsigned = to_wire(
        sign(json_request(headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}))
    )
    rejects(unsigned, "InvalidSignatureException")


# --------------------------------------------------------------------------- properties

_header_text = st.text(
    alphabet=st.characters(
        min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(max_size=512),
    value=_header_text,
    target=_header_text,
    data=st.data(),
)
def test_round_trip_and_any_body_byte_change_fails(
    body: bytes, value: str, target: str, data: st.DataObject
) -> None:
    request = json_request(
        body, headers={"X-Amz-Target": target, "X-Custom-Meta": value}
    )
    wire = to_wire(sign(request))
    assert wire.body == body
    caller = wire.verify()
    assert caller.account.id == "111111111111"

    if body:
        index = data.draw(st.integers(0, len(body) - 1), label="index")
        flip = data.draw(st.integers(1, 255), label="xor")
        changed = body[:index] + bytes([body[index] ^ flip]) + body[index + 1 :]
    else:
        changed = bytes([data.draw(st.integers(0, 255), label="byte")])
    wire.body = changed
    with pytest.raises(AuthError) as info:
        wire.verify()
    assert info.value.code == "InvalidSignatureException"


# --------------------------------------------------------------------------- accounts


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "accounts.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _entry(**overrides: str) -> dict[str, str]:
    entry = {
        "id": "444444444444",
        "name": "Dana",
        "email": "dana@example.com",
        "access_key_id": "AKIDDANA4444EXAMPLE",
        "secret_access_key": "dana-top-secret",
    }
    entry.update(overrides)
    return entry


def test_load_accounts(tmp_path: Path) -> None:
    second = _entry(
        id="555555555555", access_key_id="AKIDEVE5555EXAMPLE", email="e@example.com"
    )
    accounts = load_accounts(_write(tmp_path, {"accounts": [_entry(), second]}))
    assert len(accounts) == 2
    assert [a.id for a in accounts] == ["444444444444", "555555555555"]
    dana = accounts.by_access_key("AKIDDANA4444EXAMPLE")
    assert dana is not None and dana.secret_access_key == "dana-top-secret"
    assert accounts.by_id("555555555555") is accounts.by_access_key(
        "AKIDEVE5555EXAMPLE"
    )
    assert accounts.by_id("111111111111") is None
    assert accounts.by_access_key("nope") is None


def test_loaded_accounts_verify_requests(tmp_path: Path) -> None:
    accounts = load_accounts(_write(tmp_path, {"accounts": [_entry()]}))
    wire = to_wire(
        sign(json_request(), key="AKIDDANA4444EXAMPLE", secret="dana-top-secret")
    )
    assert (
        wire.verify(accounts=accounts).principal_arn == "arn:aws:iam::444444444444:root"
    )
    rejects(signed_wire(), "UnrecognizedClientException", accounts=accounts)


@pytest.mark.parametrize(
    ("document", "fragments"),
    [
        ('{"accounts": [', ["not valid JSON", "line 1"]),
        ([], ['{"accounts": [...]}']),
        ({"accounts": []}, ["empty"]),
        ({"accounts": ["x"]}, ["accounts[0]", "expected an object"]),
        (
            {"accounts": [{k: v for k, v in _entry().items() if k != "email"}]},
            ["accounts[0] (id '444444444444')", "missing required field(s) 'email'"],
        ),
        ({"accounts": [_entry(secret="x")]}, ["unknown field(s) 'secret'"]),
        ({"accounts": [_entry(id="12345")]}, ["'id' must be exactly 12 digits"]),
        (
            {"accounts": [_entry(access_key_id="")]},
            ["'access_key_id' must not be empty"],
        ),
        (
            {"accounts": [_entry(secret_access_key=" ")]},
            ["'secret_access_key' must not be empty"],
        ),
        (
            {"accounts": [_entry(access_key_id="AKID/BAD")]},
            ["'access_key_id' may not contain"],
        ),
        (
            {"accounts": [_entry(), _entry(access_key_id="AKIDOTHER00EXAMPLE")]},
            ["accounts[1]", "duplicate account id '444444444444'", "accounts[0]"],
        ),
        (
            {"accounts": [_entry(), _entry(id="555555555555")]},
            ["accounts[1]", "duplicate access_key_id 'AKIDDANA4444EXAMPLE'"],
        ),
    ],
)
def test_bad_accounts_file(
    tmp_path: Path, document: object, fragments: list[str]
) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(ValueError) as info:
        load_accounts(path)
    message = str(info.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message
    assert "dana-top-secret" not in message


def test_missing_accounts_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read the accounts file"):
        load_accounts(tmp_path / "absent.json")


def test_account_repr_hides_secret() -> None:
    account = Account(
        "444444444444", "Dana", "dana@example.com", "AKIDDANA4444EXAMPLE", "s3cr3t"
    )
    assert "s3cr3t" not in repr(account)
    assert "AKIDDANA4444EXAMPLE" in repr(account)
    assert "s3cr3t" not in repr(Accounts([account]))


def test_accounts_registry_rules() -> None:
    a = Account("444444444444", "Dana", "dana@example.com", "AKIDDANA4444EXAMPLE", "x")
    with pytest.raises(ValueError, match="duplicate account id"):
        Accounts([a, Account("444444444444", "Eve", "e@example.com", "AKIDEVE", "y")])
    with pytest.raises(ValueError, match="duplicate access key id"):
        Accounts(
            [
                a,
                Account(
                    "555555555555", "Eve", "e@example.com", "AKIDDANA4444EXAMPLE", "y"
                ),
            ]
        )
    with pytest.raises(ValueError, match="12 digits"):
        Account("1", "Dana", "dana@example.com", "AKID", "x")
    registry = Accounts([a])
    with pytest.raises(AttributeError):
        registry._accounts = ()


def test_development_accounts() -> None:
    table = {
        a.id: (a.name, a.email, a.access_key_id, a.secret_access_key)
        for a in DEVELOPMENT_ACCOUNTS
    }
    assert table["111111111111"] == (
        "Master Account",
        "bill@example.com",
        "AKIDBILL1111EXAMPLE",
        "bill-secret-key-example",
    )
    assert table["222222222222"][:2] == ("Susan", "susan@example.com")
    assert table["333333333333"][:2] == ("Juan", "juan@example.com")
    import runtime.accounts

    doc = runtime.accounts.__doc__ or ""
    for account in DEVELOPMENT_ACCOUNTS:
        assert account.access_key_id in doc and account.secret_access_key in doc


# --------------------------------------------------------------------------- parsing


_PIECE = st.one_of(
    st.sampled_from(
        [
            "AKIDBILL1111EXAMPLE",
            "20240101",
            "us-east-1",
            "organizations",
            "aws4_request",
        ]
        + ["", " x", "x ", "A/B", "a,b", "AKID=1", "2024-1-1", "é", "\t", "US-EAST-1"]
    ),
    st.text(alphabet=st.sampled_from("aA0/;-_= ,\t"), max_size=12),
)
_NAME = st.sampled_from(["host", "x-amz-date", "Host", " host", "", "a b", "é", "x_y"])
_SIGNATURE_TEXT = st.one_of(
    st.sampled_from(["0" * 64, "A" * 64, "g" * 64, "0" * 63, "0" * 65, ""]),
    st.text(alphabet=st.sampled_from("aA0/;-_= ,\t"), max_size=12),
)


_USUAL_HEADER = (
    "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/20240101/us-east-1/organizations/"
    "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + "0a" * 32
)


@st.composite
def near_usual_headers(draw: st.DrawFn) -> str:
    """The usual spelling with a few characters replaced, inserted or deleted."""
    header = _USUAL_HEADER
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(header) - 1))
        char = draw(st.sampled_from(" ,;/=aA0-_\tZé"))
        header = draw(
            st.sampled_from(
                [header[:i] + char + header[i + 1 :], header[:i] + char + header[i:]]
                + [header[:i] + header[i + 1 :]]
            )
        )
    return header


@settings(max_examples=400, deadline=None)
@given(
    header=st.one_of(
        near_usual_headers(),
        st.builds(
            "AWS4-HMAC-SHA256 Credential={}, SignedHeaders={}, Signature={}{}".format,
            st.lists(_PIECE, min_size=3, max_size=6).map("/".join),
            st.lists(_NAME, min_size=1, max_size=4).map(";".join),
            _SIGNATURE_TEXT,
            st.sampled_from(["", " ", "\t", ","]),
        ),
    )
)
def test_usual_authorization_parse_agrees_with_the_detailed_parser(header: str) -> None:
    """The one-step parse of the usual spelling answers what the detailed parser does."""
    from runtime.sigv4 import _parse_authorization, _parse_authorization_in_detail

    def outcome(parse: Callable[[str], object]) -> Any:
        try:
            return parse(header)
        except AuthError as error:
            return (error.code, error.message)

    assert outcome(_parse_authorization) == outcome(_parse_authorization_in_detail)


# --------------------------------------------------------------------------- AWS's suite

SUITE = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/peer-tests/aws-sigv4-testsuite"
)
SUITE_KEY = "AKIDEXAMPLE"
SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_NOW = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
SUITE_ACCOUNTS = Accounts(
    [Account("123456789012", "Example", "e@example.com", SUITE_KEY, SUITE_SECRET)]
)
_AUTHZ = re.compile(
    r"AWS4-HMAC-SHA256 Credential=[^/]+/(?P<date>[0-9]{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[^,]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})"
)
#: Cases with temporary credentials, which `verify` refuses before any signature check.
_TOKEN_CASES = {
    "get-vanilla-with-session-token",
    "post-sts-header-before",
    "post-sts-header-after",
}


def parse_raw(data: bytes) -> Wire:
    """A raw HTTP request (a suite's ``.sreq``) as the server hands it to `verify`: path
    and query as Latin-1 text of the bytes received, header names lower-cased, values
    trimmed, folded continuation lines joined with one space (RFC 9112 obs-fold),
    repeated headers joined with ','."""
    head, _, body = data.decode("latin-1").partition("\n\n")
    request_line, *lines = head.split("\n")
    method, _, rest = request_line.partition(" ")
    # normalize-path/get-space has a space in its path: an HTTP server would refuse the
    # request line before any signature check, but `verify` given it agrees with .creq.
    target = rest.rpartition(" ")[0]
    path, _, query = target.partition("?")
    headers: dict[str, str] = {}
    last = ""
    for line in lines:
        if line[:1] in (" ", "\t"):
            headers[last] += " " + line.strip(" \t")
            continue
        name, _, value = line.partition(":")
        last = name.strip().lower()
        value = value.strip(" \t")
        headers[last] = f"{headers[last]},{value}" if last in headers else value
    return Wire(method, path, query, headers, body.encode("latin-1"))


@dataclass(frozen=True)
class SuiteCase:
    folder: Path

    @property
    def name(self) -> str:
        return self.folder.name

    def text(self, ext: str) -> str:
        return (self.folder / f"{self.name}.{ext}").read_text(encoding="utf-8")

    def wire(self) -> Wire:
        return parse_raw((self.folder / f"{self.name}.sreq").read_bytes())

    def authz(self) -> re.Match[str]:
        match = _AUTHZ.fullmatch(self.text("authz").strip())
        assert match is not None
        return match


def _suite_cases() -> list[SuiteCase]:
    return sorted(
        (SuiteCase(p.parent) for p in SUITE.rglob("*.sreq")), key=lambda c: c.name
    )


SUITE_CASES = _suite_cases()


def suite_verify(wire: Wire, **kwargs: Any) -> Caller:
    return wire.verify(accounts=SUITE_ACCOUNTS, now=SUITE_NOW, **kwargs)


def test_the_whole_suite_is_there() -> None:
    # The suite lives in ../shared; an empty parametrisation would pass silently.
    assert len(SUITE_CASES) == 34, [c.name for c in SUITE_CASES]


def _our_canonical(case: SuiteCase, wire: Wire) -> str:
    signed = case.authz()["signed"].split(";")
    return canonical_request(
        wire.method, wire.path, wire.query, wire.headers, signed,
        sha256(wire.body).hexdigest(),
    )  # fmt: skip


@pytest.mark.parametrize("case", SUITE_CASES, ids=lambda c: c.name)
def test_suite_canonical_request_string_to_sign_and_signature(case: SuiteCase) -> None:
    wire = case.wire()
    authz = case.authz()
    if case.name == "get-vanilla-with-session-token":
        # The suite's own slip: this .sreq carries get-vanilla's signature; its .authz
        # (the signature of its .sts) is the right one, and ours agrees with it below.
        vanilla = SuiteCase(SUITE / "get-vanilla").authz()["signature"]
        assert wire.headers["authorization"].endswith(f"Signature={vanilla}")
    else:
        assert wire.headers["authorization"] == case.text("authz").strip()
    canonical = _our_canonical(case, wire)
    assert canonical == case.text("creq")
    scope = f"{authz['date']}/{authz['region']}/{authz['service']}/aws4_request"
    assert (authz["region"], authz["service"]) == ("us-east-1", "service")
    sts = string_to_sign(wire.headers["x-amz-date"], scope, canonical)
    assert sts == case.text("sts")
    key = signing_key(SUITE_SECRET, authz["date"], "us-east-1", "service")
    assert signature(key, sts) == authz["signature"]


@pytest.mark.parametrize("case", SUITE_CASES, ids=lambda c: c.name)
def test_suite_signed_request_verifies(case: SuiteCase) -> None:
    wire = case.wire()
    if case.name not in _TOKEN_CASES:
        caller = suite_verify(wire)
        assert (caller.access_key_id, caller.region) == (SUITE_KEY, "us-east-1")
        return
    # Temporary credentials are not supported (the registry has long-term keys only):
    # refused as AWS refuses an unknown token, whether the token was signed or not.
    with pytest.raises(AuthError) as info:
        suite_verify(wire)
    assert info.value.code == "UnrecognizedClientException"
    if "x-amz-security-token" not in case.authz()["signed"]:
        # Signed without it (post-sts-header-after): it is an unsigned extra header.
        del wire.headers["x-amz-security-token"]
        suite_verify(wire)


def _changed_char(text: str, index: int) -> str:
    new = "x" if text[index].lower() != "x" else "y"
    return text[:index] + new + text[index + 1 :]


def suite_mutations(case: SuiteCase) -> Iterator[tuple[str, Wire]]:
    """Copies of a case's signed request, each with one signed element changed."""
    wire = case.wire()
    yield "method", replace(wire, method="POST" if wire.method == "GET" else "GET")
    yield "path", replace(wire, path=_changed_char(wire.path, len(wire.path) - 1))
    yield "path-appended", replace(wire, path=wire.path.rstrip("/") + "/more")
    if wire.query:
        yield "query", replace(
            wire, query=_changed_char(wire.query, len(wire.query) - 1)
        )
    yield "query-added", replace(
        wire, query=wire.query + ("&" if wire.query else "") + "a=b"
    )
    for name in case.authz()["signed"].split(";"):
        if name != "x-amz-date":
            headers = dict(wire.headers)
            headers[name] += "x"
            yield f"header {name}", replace(wire, headers=headers)
    yield "body", replace(wire, body=wire.body + b"x")
    headers = dict(wire.headers)
    headers["x-amz-date"] = "20150830T123601Z"
    yield "date", replace(wire, headers=headers)


@pytest.mark.parametrize("case", SUITE_CASES, ids=lambda c: c.name)
def test_suite_any_signed_change_fails(case: SuiteCase) -> None:
    original = case.authz()["signature"]
    for what, wire in suite_mutations(case):
        if case.name in _TOKEN_CASES:
            # Refused before the signature is checked (see above): check that the
            # signature the change calls for differs from the one sent instead.
            sts = string_to_sign(
                wire.headers["x-amz-date"],
                "20150830/us-east-1/service/aws4_request",
                _our_canonical(case, wire),
            )
            key = signing_key(SUITE_SECRET, "20150830", "us-east-1", "service")
            assert signature(key, sts) != original, what
            continue
        with pytest.raises(AuthError) as info:
            suite_verify(wire)
        assert info.value.code == "InvalidSignatureException", (what, info.value)


# --------------------------------------------------------------------------- botocore as oracle

_HOST = "example.amazonaws.com"
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
_ANY_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", max_codepoint=0x10FF), max_size=8
)
_SEGMENT = st.one_of(st.sampled_from(["", ".", "..", "a", "%", "/"]), _ANY_TEXT)
_QUERY_NAME = st.one_of(
    st.sampled_from(["a", "A", "b", "X-Amz-Thing", "é", ""]), _ANY_TEXT
)
_HEADER_VALUE = st.text(
    alphabet=st.sampled_from(
        [" ", "\t", "a", "Z", "0", ",", ";", "=", '"', "/", "é", "\xff", "~"]
    ),
    max_size=12,
)


def _path_segment(segment: str, how: str) -> str:
    """A segment as a client may write it on the wire."""
    if how == "raw-utf8":  # AWS's get-utf8: non-ASCII characters sent unencoded
        return "".join(c if ord(c) > 0x7F else quote(c, safe="") for c in segment)
    if how == "encode-all":  # even unreserved characters: "%2E" is not a dot segment
        return "".join(f"%{b:02X}" for b in segment.encode())
    if how == "sub-delims":  # RFC 3986 allows these unencoded in a path
        return quote(segment, safe="!$&'()*+,;=:@")
    encoded = quote(segment, safe="")
    if how == "lower-hex":
        return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)
    return encoded


@st.composite
def client_requests(draw: st.DrawFn) -> AWSRequest:
    """A request as a client builds it, signed by botocore's public `SigV4Auth`."""
    how = draw(
        st.sampled_from(
            ["rfc3986", "raw-utf8", "sub-delims", "lower-hex", "encode-all"]
        )
    )
    segments = draw(st.lists(_SEGMENT, max_size=5))
    path = "/" + "/".join(_path_segment(s, how) for s in segments)
    if draw(st.booleans()):
        path += "/"
    pairs = draw(st.lists(st.tuples(_QUERY_NAME, _ANY_TEXT), max_size=5))
    pieces = []
    for name, value in pairs:
        name, value = quote(name, safe=""), quote(value, safe="")
        pieces.append(f"{name}={value}" if value or draw(st.booleans()) else name)
    url = f"https://{_HOST}{path}" + ("?" + "&".join(pieces) if pieces else "")
    body = draw(st.binary(max_size=64))
    request = AWSRequest(method=draw(st.sampled_from(_METHODS)), url=url, data=body)
    names = draw(
        st.lists(st.from_regex(r"x-t-[a-z0-9]{1,4}", fullmatch=True), max_size=4)
    )
    for name in names:
        for _ in range(draw(st.integers(1, 3))):  # repeated headers are appended
            spelt = "".join(c.upper() if draw(st.booleans()) else c for c in name)
            request.headers[spelt] = draw(_HEADER_VALUE)
    if draw(st.booleans()):
        request.headers["X-Amz-Content-SHA256"] = sha256(body).hexdigest()
    if draw(st.booleans()):
        request.headers["Date"] = (
            "placeholder"  # botocore then signs Date, not X-Amz-Date
        )
    region = draw(st.sampled_from(["us-east-1", "eu-west-3"]))
    SigV4Auth(Credentials(BILL_KEY, BILL_SECRET), "svc", region).add_auth(request)
    return request


def received(request: AWSRequest) -> Wire:
    """What an HTTP server hands over: the request target's bytes (as Latin-1 text), the
    Host header, names lower-cased, each value trimmed of SP/HTAB by the HTTP parser,
    a repeated header's values joined with ','."""
    parts = urlsplit(request.url)
    headers: dict[str, str] = {"host": parts.netloc}
    for name, value in request.headers.items():
        name, value = name.lower(), value.strip(" \t")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    path = parts.path.encode("utf-8").decode("latin-1")
    return Wire(request.method, path, parts.query, headers, request.body or b"")


def _botocore_uri(path: str) -> str:
    """botocore's canonical URI for a wire path (its public `canonical_request`)."""
    url = f"https://{_HOST}" + path.encode("latin-1").decode("utf-8")
    canonical: str = SigV4Auth(
        Credentials("k", "s"), "svc", "us-east-1"
    ).canonical_request(AWSRequest(method="GET", url=url))
    return canonical.split("\n")[1]


def _other(char: str) -> str:
    """A character that differs from `char`, and not only by case."""
    return "q" if char.lower() != "q" else "7"


def oracle_mutations(
    wire: Wire, data: st.DataObject
) -> Iterator[tuple[str, Wire, bool]]:
    """(what, copy of `wire` with one signed part changed, whether it must still verify)."""
    yield "method", replace(
        wire, method=_METHODS[(_METHODS.index(wire.method) + 1) % 6]
    ), False

    ascii_at = [i for i, c in enumerate(wire.path) if 0 < i and c < "\x80"]
    if ascii_at:
        i = data.draw(st.sampled_from(ascii_at), label="path index")
        new = data.draw(
            st.sampled_from("aZ9-._~/%").filter(lambda c: c != wire.path[i])
        )
        path = wire.path[:i] + new + wire.path[i + 1 :]
        # Some changes keep the canonical URI ("/a/../b" -> "/c/../b"): botocore says.
        same = _botocore_uri(path) == _botocore_uri(wire.path)
        yield "path", replace(wire, path=path), same
    yield "path appended", replace(wire, path=wire.path + "x"), False

    alnum_at = [i for i, c in enumerate(wire.query) if c.isascii() and c.isalnum()]
    if alnum_at:
        i = data.draw(st.sampled_from(alnum_at), label="query index")
        query = wire.query[:i] + _other(wire.query[i]) + wire.query[i + 1 :]
        yield "query", replace(wire, query=query), False
    yield "query added", replace(wire, query=wire.query + "&zz=1"), False

    signed = wire.headers["authorization"].split("SignedHeaders=")[1].split(",")[0]
    for name in signed.split(";"):
        headers = dict(wire.headers)
        value = headers[name]
        chars = [i for i, c in enumerate(value) if not c.isspace()]
        if name in ("date", "x-amz-date"):
            moment = (
                parsedate_to_datetime(value) if name == "date" else
                datetime.strptime(value, SIGV4_TIMESTAMP).replace(tzinfo=UTC)
            ) + timedelta(seconds=1)  # fmt: skip
            headers[name] = (
                formatdate(moment.timestamp()) if name == "date"
                else moment.strftime(SIGV4_TIMESTAMP)
            )  # fmt: skip
        elif chars:
            i = data.draw(st.sampled_from(chars), label=f"{name} index")
            headers[name] = value[:i] + _other(value[i]) + value[i + 1 :]
        else:
            headers[name] = value + "q"
        yield f"header {name}", replace(wire, headers=headers), False
        without = dict(wire.headers)
        del without[name]
        if name not in ("date", "x-amz-date"):  # (missing, that is IncompleteSignature)
            yield f"header {name} removed", replace(wire, headers=without), False

    if wire.body:
        i = data.draw(st.integers(0, len(wire.body) - 1), label="body index")
        body = wire.body[:i] + bytes([wire.body[i] ^ 1]) + wire.body[i + 1 :]
    else:
        body = b"x"
    yield "body", replace(wire, body=body), False


@settings(max_examples=120, deadline=None)
@given(request=client_requests(), data=st.data())
def test_botocore_signed_requests_verify_and_any_signed_change_fails(
    request: AWSRequest, data: st.DataObject
) -> None:
    wire = received(request)
    caller = wire.verify()
    assert (caller.account.id, caller.service) == ("111111111111", "svc")
    for what, changed, still_valid in oracle_mutations(wire, data):
        if still_valid:
            changed.verify()
            continue
        with pytest.raises(AuthError) as info:
            changed.verify()
        assert info.value.code == "InvalidSignatureException", (
            what,
            info.value.message,
        )


# --------------------------------------------------------------------------- hostile input


_INCOMPLETE = "IncompleteSignatureException"
_INVALID = "InvalidSignatureException"


@pytest.mark.parametrize(
    ("date", "code"),
    [
        ("Fri, 31 Dec 9999 23:59:59 -0100", _INCOMPLETE),  # past datetime.max in UTC
        ("Fri, 31 Dec 9999 23:59:59 GMT", _INVALID),  # far future: scope date differs
        ("Sat, 01 Jan 0000 00:00:00 GMT", _INVALID),  # read as 2000 (RFC 5322 obs-year)
        ("Mon, 01 Jan 0001 00:00:00 +0100", _INVALID),  # read as 2001
        ("Fri, 31 Dec 99999999999999999999 23:59:59 GMT", _INCOMPLETE),
        ("Fri, 31 Dec 2024 99:99:99 GMT", _INCOMPLETE),
        ("Fri, 31 Feb 2024 00:00:00 GMT", _INCOMPLETE),
        ("Fri, 31 Dec 2024 23:59:59 +9999999999", _INCOMPLETE),
        ("garbage", _INCOMPLETE),
        ("", _INCOMPLETE),
        ("\x00\xff", _INCOMPLETE),
        ("9" * 10_000, _INCOMPLETE),
    ],
)
def test_odd_date_header_is_a_403(date: str, code: str) -> None:
    wire = to_wire(sign(json_request(headers={"Date": "placeholder"})))
    wire.headers["date"] = date
    error = rejects(wire, code)
    assert len(error.message) < 250
    if code == _INCOMPLETE:
        assert "Date header" in error.message


@pytest.mark.parametrize(
    ("amz_date", "code"),
    [
        ("99991231T235959Z", "InvalidSignatureException"),  # not yet current
        ("00010101T000000Z", "InvalidSignatureException"),  # expired
        ("00000101T000000Z", "IncompleteSignatureException"),
        ("20240230T000000Z", "IncompleteSignatureException"),
        ("2024O101T000000Z", "IncompleteSignatureException"),
        ("٢٠٢٤٠١٠١T000000Z", "IncompleteSignatureException"),  # Arabic-Indic digits
        ("20240101T000000+01:00", "IncompleteSignatureException"),
        ("2" * 100_000, "IncompleteSignatureException"),
    ],
)
def test_odd_x_amz_date_is_a_403(amz_date: str, code: str) -> None:
    wire = signed_wire()
    wire.headers["x-amz-date"] = amz_date
    wire = wire.with_authorization(lambda a: a.replace(a.split("/")[1], amz_date[:8]))
    rejects(wire, code)


@pytest.mark.parametrize(
    "now",
    [datetime.max, datetime.min, datetime.max.replace(tzinfo=UTC) - timedelta(days=1)],
)
def test_clock_at_the_ends_of_time_is_a_403(now: datetime) -> None:
    error = rejects(signed_wire(), "InvalidSignatureException", now=now)
    assert error.message.startswith(("Signature expired", "Signature not yet current"))


def presigned(expires: str) -> Wire:
    request = AWSRequest(method="GET", url=ENDPOINT + "?Action=ListRoots", headers={})
    SigV4QueryAuth(
        Credentials(BILL_KEY, BILL_SECRET), "organizations", "us-east-1", 60
    ).add_auth(request)
    wire = to_wire(request)
    wire.query = wire.query.replace("X-Amz-Expires=60", f"X-Amz-Expires={expires}")
    return wire


@pytest.mark.parametrize(
    ("expires", "fragment"),
    [
        ("٦٠", "should be a number"),  # Arabic-Indic digits: str.isdigit() says yes
        ("%D9%A6%D9%A0", "should be a number"),
        ("６０", "should be a number"),  # fullwidth
        ("-60", "should be a number"),
        ("", "should be a number"),
        ("604801", "less than a week"),
        ("9" * 5000, "less than a week"),  # int() of it would raise ValueError
    ],
)
def test_presigned_expiry_digits_are_ascii(expires: str, fragment: str) -> None:
    error = rejects(presigned(expires), "IncompleteSignatureException")
    assert fragment in error.message


def test_presigned_expiry_with_leading_zeros_is_still_signed() -> None:
    # The value is signed as sent: zeros in front change the signature, not the parse.
    rejects(presigned("0000000060"), "InvalidSignatureException")
    presigned("60").verify()


def test_parsing_is_capped() -> None:
    wire = signed_wire()
    long_region = "r" * MAX_CREDENTIAL
    error = rejects(
        wire.with_authorization(lambda a: a.replace("us-east-1", long_region)),
        "IncompleteSignatureException",
    )
    assert f"longer than {MAX_CREDENTIAL} characters" in error.message
    many = ";".join(f"x-h{i}" for i in range(MAX_SIGNED_HEADERS)) + ";host"
    error = rejects(
        wire.with_authorization(
            lambda a: re.sub(r"SignedHeaders=[^,]+", f"SignedHeaders={many}", a)
        ),
        "IncompleteSignatureException",
    )
    assert f"at most {MAX_SIGNED_HEADERS} headers" in error.message


@pytest.mark.parametrize(
    "authorization",
    [
        "AWS4-HMAC-SHA256 Credential=" + "A" * 2_000_000,
        "AWS4-HMAC-SHA256 " + "Credential=a, " * 200_000,
        "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/20240101/us-east-1/organizations/"
        "aws4_request, SignedHeaders="
        + "a;" * 1_000_000
        + "host, Signature="
        + "0" * 64,
        "AWS4-HMAC-SHA256 Credential=AKIDBILL1111EXAMPLE/20240101/us-east-1/organizations/"
        "aws4_request, SignedHeaders=host, Signature=" + "0" * 2_000_000,
        " " * 2_000_000,
    ],
    ids=["credential", "components", "signed-headers", "signature", "spaces"],
)
def test_huge_authorization_is_refused_cheaply(authorization: str) -> None:
    wire = signed_wire()
    wire.headers["authorization"] = authorization
    started = time.perf_counter()
    rejects(wire, "IncompleteSignatureException")
    # Linear, and a few passes at most: ~2 MB costs milliseconds, never seconds.
    assert time.perf_counter() - started < 0.25


@settings(max_examples=300, deadline=None)
@given(
    authorization=st.text(max_size=200),
    date=st.one_of(st.none(), st.text(max_size=80)),
    amz_date=st.one_of(
        st.none(),
        st.text(max_size=20),
        st.from_regex(r"[0-9]{8}T[0-9]{6}Z", fullmatch=True),
    ),
)
def test_any_header_text_is_an_auth_error(
    authorization: str, date: str | None, amz_date: str | None
) -> None:
    headers = {"host": "h", "authorization": authorization}
    if date is not None:
        headers["date"] = date
    if amz_date is not None:
        headers["x-amz-date"] = amz_date
    for auth in (
        authorization,
        f"AWS4-HMAC-SHA256 {authorization}",
        signed_wire().headers["authorization"],
    ):
        headers["authorization"] = auth
        with pytest.raises(AuthError) as info:
            verify(
                method="POST", path="/", query="", headers=headers, body=b"",
                accounts=DEVELOPMENT_ACCOUNTS,
            )  # fmt: skip
        assert info.value.status == 403


def test_unauthenticated_requests_leave_no_trace() -> None:
    """Nothing keyed by what an unauthenticated client sends is kept: 5,000 requests
    with distinct 10 kB credential scopes (refused by the cap) and 5,000 with distinct
    valid scopes and a known access key but a wrong signature add nothing."""
    wire = signed_wire()
    before = cached_signing_keys()
    codes: dict[str, int] = {}
    tracemalloc.start()
    try:
        baseline = tracemalloc.take_snapshot()
        for i in range(5000):
            for scope in (f"{i:05d}" + "r" * 10_000, f"r{i}"):
                try:
                    wire.with_authorization(
                        lambda a: a.replace("us-east-1", scope)
                    ).verify()
                except AuthError as error:
                    codes[error.code] = codes.get(error.code, 0) + 1
        growth = tracemalloc.take_snapshot().compare_to(baseline, "filename")
    finally:
        tracemalloc.stop()
    assert codes == {_INCOMPLETE: 5000, _INVALID: 5000}
    assert cached_signing_keys() == before
    ours = sum(s.size_diff for s in growth if s.traceback[0].filename == sigv4.__file__)
    assert ours < 4_000, ours  # while 50 MB of scopes went through
    assert sum(s.size_diff for s in growth) < 200_000


def test_signing_key_cache_is_filled_by_verified_requests_only_and_bounded() -> None:
    # A verified request adds its scope (once); the cache never outgrows its bound.
    for i in range(SIGNING_KEY_CACHE_SIZE + 20):
        to_wire(sign(json_request(), region=f"test-{i}")).verify()
        assert cached_signing_keys() <= SIGNING_KEY_CACHE_SIZE
    assert cached_signing_keys() == SIGNING_KEY_CACHE_SIZE
    # Cached or not, the key is the same and a wrong secret still fails.
    wire = to_wire(sign(json_request(), region="test-0"))
    wire.verify()
    wire.verify()
    rejects(
        to_wire(sign(json_request(), region="test-0", secret="x")),
        "InvalidSignatureException",
    )
