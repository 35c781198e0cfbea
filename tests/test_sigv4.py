"""Server-side SigV4 verification (`runtime.sigv4`) and the account registry.

Requests are signed the way real clients sign them: with botocore's `SigV4Auth` /
`SigV4QueryAuth`, and through real boto3 clients whose prepared requests are captured by a
``before-send`` handler (nothing goes on the network). What a server would see on the wire
(lower-cased headers, a Host header, raw path and query) is then fed to `verify`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.accounts import DEVELOPMENT_ACCOUNTS, Account, Accounts, load_accounts
from runtime.sigv4 import SIGNATURE_MISMATCH, AuthError, Caller, verify

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
    response: bytes = b"{}",
) -> AWSPreparedRequest:
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
        return AWSResponse(request.url, 200, {}, _Raw(response))

    client.meta.events.register("before-send", before_send)
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
        response=b'{"Configuration": {}}',
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
    with pytest.raises(ValueError, match="cannot read accounts file"):
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


_HEADER_TEXT = st.text(
    alphabet=st.sampled_from("aA0/;-_= ,\t"), min_size=0, max_size=12
)


@settings(max_examples=300, deadline=None)
@given(
    credential=_HEADER_TEXT,
    signed_headers=_HEADER_TEXT,
    signature=_HEADER_TEXT,
    tail=st.sampled_from(["", " ", "\t", ","]),
)
def test_usual_authorization_parse_agrees_with_the_general_parser(
    credential: str, signed_headers: str, signature: str, tail: str
) -> None:
    """The one-step parse of the usual spelling answers what the component parser does."""
    from runtime.sigv4 import _parse_authorization, _parse_authorization_components

    header = (
        f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed_headers}, "
        f"Signature={signature}{tail}"
    )

    def outcome(parse: Callable[[str], tuple[str, str, str]]) -> Any:
        try:
            return parse(header)
        except AuthError as error:
            return (error.code, error.message)

    assert outcome(_parse_authorization) == outcome(_parse_authorization_components)
