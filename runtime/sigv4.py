"""Server-side verification of AWS Signature Version 4 (``AWS4-HMAC-SHA256``).

The server calls `verify` for every request before anything else; the account a request
acts for is the one whose access key verifiably signed it, never one named by a header.

The signature is recomputed from the request as received, with the standard library
(the canonical forms are in `runtime.sigv4_canonical`): the *canonical request* (the method; the canonical URI: the raw path's dot segments
resolved and empty ones dropped, then each octet but RFC 3986 unreserved ones and ``/``
percent-encoded, so ``%3A`` on the wire is ``%253A``, the "double encoding" of every
service but S3; the canonical query: names and values decoded to octets, encoded again,
sorted; a ``name:value`` line per signed header, sorted, the value trimmed and its inner
whitespace runs collapsed; the signed names; the payload hash: a signed
``X-Amz-Content-SHA256`` as sent, else the body's SHA-256), then the *string to sign*
(algorithm, request time, credential scope ``date/region/service/aws4_request``, the
canonical request's SHA-256), then the *signing key*, HMAC-SHA256 chained from
``"AWS4" + secret`` over the scope's parts. The HMAC of the string to sign under it is
compared in constant time with the client's.

This is what botocore's client signer (boto3, the AWS CLI) computes, and AWS's own test
suite agrees. Deliberate differences from a client-side signer:

* the canonical headers are exactly those listed in ``SignedHeaders`` (botocore leaves
  ``user-agent``, ``expect``, ... out; other SDKs may sign them); headers the client
  did not sign (a proxy's, say) are ignored, as AWS does;
* the query is decoded and encoded again, as AWS servers do, where botocore signs its
  URL's query text as it is: the two agree on any query an SDK writes (RFC 3986
  encoded). A raw ``+`` is a space, as query parsers read it;
* path and query are the octets received (decoded by the server as Latin-1; text with
  characters above U+00FF is taken as UTF-8). A repeated header whose values end in
  characters Python, not HTTP, counts as whitespace (``\\xa0``) may canonicalise
  differently from botocore, which trims each value on its own.

The ``Authorization`` header and presigned URLs (``X-Amz-Algorithm``, ``-Credential``,
``-Date``, ``-Expires``, ``-SignedHeaders``, ``-Signature`` query parameters) are both
accepted, never at once. Refused rather than accepted unverified: temporary credentials
(``X-Amz-Security-Token``; the registry has long-term keys only), unsigned or streaming
payloads, SigV4a, S3's un-normalised paths.

Hostile input: an unauthenticated client controls every byte, so nothing it sends is
remembered. The one cache holds signing keys (as keyed HMACs) by (secret, date, region,
service), at most `SIGNING_KEY_CACHE_SIZE`, an entry added only once a request signed
with it verified. Parsing is capped (credential length, signed headers, dates) and
linear; any malformed or out-of-range value, dates included, is an `AuthError` with
AWS's code and message, which never quotes a secret.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from hashlib import sha256
from typing import Final, Protocol
from urllib.parse import unquote

from runtime.accounts import Account
from runtime.sigv4_canonical import (
    ALGORITHM,
    TERMINATOR as _TERMINATOR,
    MissingSignedHeader,
    canonical_request,
    signing_key,
    string_to_sign,
)

#: The longest validity AWS allows a presigned URL (7 days).
_MAX_EXPIRES: Final = 604800
#: Caps on what is parsed (AWS's access key ids have at most 128 characters).
MAX_CREDENTIAL: Final = 512
MAX_SIGNED_HEADERS: Final = 64
_MAX_DATE_HEADER: Final = 64
SIGNING_KEY_CACHE_SIZE: Final = 256

SIGNATURE_MISMATCH: Final = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
INVALID_TOKEN: Final = "The security token included in the request is invalid."

_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_SCOPE_DATE = re.compile(r"[0-9]{8}")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_DIGITS = re.compile(r"[0-9]+")
#: The Authorization header as botocore and the SDKs write it, in one step. What it
#: matches, `_parse_authorization_in_detail` would accept with the same result.
_USUAL = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^\s/,=]{1,128})/([0-9]{8})/([a-z0-9-]{1,64})/"
    r"([a-z0-9-]{1,64})/aws4_request, SignedHeaders=([a-z0-9-]+(?:;[a-z0-9-]+)*+), "
    r"Signature=([0-9a-f]{64})"
)
_PRESIGN_PARAMS: Final = (
    "X-Amz-Algorithm X-Amz-Credential X-Amz-Signature X-Amz-Date X-Amz-SignedHeaders "
    "X-Amz-Expires"
).split()


class AuthError(Exception):
    """A request that failed authentication, as AWS reports it.

    ``code`` is the AWS error code for the JSON ``__type``; ``status`` the HTTP status.
    """

    code: str
    message: str
    status: int

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class Caller:
    """Who verifiably signed a request."""

    account: Account
    access_key_id: str
    #: Region from the credential scope.
    region: str
    #: Signing name (service) from the credential scope.
    service: str
    #: ``arn:aws:iam::<account id>:root``: long-term keys belong to the root principal.
    principal_arn: str


class KeyRegistry(Protocol):
    """What `verify` needs of an account registry (`runtime.accounts.Accounts`)."""

    def by_access_key(self, access_key_id: str) -> Account | None: ...


def _incomplete(message: str) -> AuthError:
    return AuthError("IncompleteSignatureException", message)


def _unrecognized() -> AuthError:
    return AuthError("UnrecognizedClientException", INVALID_TOKEN)


def _invalid(message: str = SIGNATURE_MISMATCH) -> AuthError:
    return AuthError("InvalidSignatureException", message)


def _shown(value: str, limit: int = 64) -> str:
    """``value`` quoted for an error message, cut short."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


#: (secret, date, region, service) -> HMAC keyed with that signing key, before any
#: message (a request signs a copy). Filled by verified requests only; oldest out first.
_signing_hmacs: dict[tuple[str, str, str, str], hmac.HMAC] = {}


def cached_signing_keys() -> int:
    """How many signing keys are remembered (at most `SIGNING_KEY_CACHE_SIZE`)."""
    return len(_signing_hmacs)


def _remember(scope: tuple[str, str, str, str], keyed: hmac.HMAC) -> None:
    if len(_signing_hmacs) >= SIGNING_KEY_CACHE_SIZE:
        try:
            del _signing_hmacs[next(iter(_signing_hmacs))]
        except (KeyError, RuntimeError, StopIteration):  # another thread was first
            pass
    _signing_hmacs[scope] = keyed


# --------------------------------------------------------------------------- parsing


@dataclass(slots=True)
class _Claim:
    """What the client claims: the parts of its Authorization header or presigned URL."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]  # lower case, sorted, unique
    signature: str  # lower case
    timestamp: str  # the request time as signed (YYYYMMDDTHHMMSSZ)
    moment: datetime  # ... and parsed
    expires: int | None  # validity in seconds, presigned URLs only


_Parsed = tuple[str, str, str, str, tuple[str, ...], str]


def _parse_credential(credential: str) -> tuple[str, str, str, str]:
    if len(credential) > MAX_CREDENTIAL:
        raise _incomplete(f"Credential longer than {MAX_CREDENTIAL} characters")
    parts = credential.split("/")
    if len(parts) != 5:
        raise _incomplete(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got {len(parts)}"
        )
    key, date, region, service, terminator = parts
    if not key:
        raise _incomplete("Credential must start with an access key id")
    if not _SCOPE_DATE.fullmatch(date):
        raise _incomplete(
            f"Credential should be scoped to a valid date (YYYYMMDD), not {_shown(date)}."
        )
    for what, value in (("region", region), ("service", service)):
        if not value or value != value.strip():
            raise _incomplete(
                f"Credential should be scoped to a valid {what}, not {_shown(value)}."
            )
    if terminator != _TERMINATOR:
        raise _incomplete(
            f"Credential should be scoped with a valid terminator: '{_TERMINATOR}', "
            f"not {_shown(terminator)}."
        )
    return key, date, region, service


def _parse_signed_headers(
    value: str, where: str, normal: bool = False
) -> tuple[str, ...]:
    """The names listed, lower case, sorted, unique (`normal`: they are lower case and
    without whitespace already)."""
    listed = value.split(";", MAX_SIGNED_HEADERS)
    if len(listed) > MAX_SIGNED_HEADERS:
        raise _incomplete(f"{where} must list at most {MAX_SIGNED_HEADERS} headers")
    names = set(listed) if normal else {name.strip().lower() for name in listed}
    if "" in names:
        raise _incomplete(f"{where} must be a ';'-separated list of header names")
    if "host" not in names:
        raise _incomplete(f"{where} must include the 'host' header")
    return tuple(sorted(names))


def _parse_signature(value: str) -> str:
    if not _HEX64.fullmatch(value):
        raise _incomplete("Signature must be 64 hexadecimal characters")
    return value.lower()


def _parse_authorization(header: str) -> _Parsed:
    """Access key, scope date, region, service, signed headers and signature of an
    Authorization header."""
    usual = _USUAL.fullmatch(header)
    if usual is None:
        return _parse_authorization_in_detail(header)
    key, date, region, service, signed, signature = usual.groups()
    signed_headers = _parse_signed_headers(signed, "SignedHeaders", normal=True)
    return key, date, region, service, signed_headers, signature


def _parse_authorization_in_detail(header: str) -> _Parsed:
    """`_parse_authorization` for any spelling, one component at a time, with the
    message that names what is wrong. A fourth component is an error: no more are read.
    """
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete(
            f"Authorization header must use the {ALGORITHM} algorithm (Signature Version 4)"
        )
    components: dict[str, str] = {}
    for part in rest.split(",", 3):
        name, eq, value = part.strip().partition("=")
        if not eq:
            problem = "component is not a valid key=value pair (missing equal-sign)"
        elif name not in ("Credential", "SignedHeaders", "Signature"):
            problem = f"has an unknown component {_shown(name, 32)}"
        elif name in components:
            problem = f"has more than one '{name}' component"
        else:
            components[name] = value.strip()
            continue
        raise _incomplete(f"Authorization header {problem}")
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if name not in components
    ]
    if missing:
        raise _incomplete(" ".join(missing))
    return (
        *_parse_credential(components["Credential"]),
        _parse_signed_headers(components["SignedHeaders"], "SignedHeaders"),
        _parse_signature(components["Signature"]),
    )


def _parse_timestamp(timestamp: str, name: str) -> datetime:
    if len(timestamp) != 16 or not _AMZ_DATE.fullmatch(timestamp):
        raise _incomplete(
            f"{name} must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z', "
            f"not {_shown(timestamp, 32)}"
        )
    try:  # the format is checked: this reads it (in UTC) or rejects a day or month
        return datetime.fromisoformat(timestamp)
    except (ValueError, OverflowError):
        raise _incomplete(f"{name} is not a valid date: {_shown(timestamp)}") from None


def _fmt(m: datetime) -> str:
    return f"{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}Z"


def _header_timestamp(headers: Mapping[str, str]) -> str:
    """The request time from ``X-Amz-Date``, else from ``Date`` (as botocore signs it)."""
    amz_date = headers.get("x-amz-date")
    if amz_date is not None:
        return amz_date.strip()
    date = headers.get("date")
    if date is None:
        raise _incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a "
            "'Date' header."
        )
    try:
        if len(date) > _MAX_DATE_HEADER:
            raise ValueError(date)
        parsed = parsedate_to_datetime(date)
        if parsed.tzinfo is None:  # "-0000", as botocore writes it: UTC
            parsed = parsed.replace(tzinfo=UTC)
        return _fmt(parsed.astimezone(UTC))
    except (TypeError, ValueError, OverflowError, IndexError):
        # Unreadable, or beyond what a datetime holds (year 9999 west of Greenwich).
        raise _incomplete(
            f"Date header is not a valid RFC 1123 date: {_shown(date, 40)}"
        ) from None


def _from_presigned_query(query: str) -> _Claim:
    found: dict[str, str] = {}
    for piece in query.split("&"):
        name, _, value = piece.partition("=")
        if name.startswith("X-Amz-"):
            if name in found:
                raise _incomplete(
                    f"Query-string parameter {_shown(name, 32)} appears more than once"
                )
            found[name] = unquote(value)
    if not all(name in found for name in _PRESIGN_PARAMS):
        raise _incomplete(
            "AWS query-string parameters must include 'X-Amz-Algorithm', "
            "'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', "
            "and 'X-Amz-Expires'. Re-examine the query-string parameters."
        )
    if "X-Amz-Security-Token" in found:
        raise _unrecognized()
    if found["X-Amz-Algorithm"] != ALGORITHM:
        raise _incomplete(f"X-Amz-Algorithm only supports '{ALGORITHM}'")
    if not _DIGITS.fullmatch(found["X-Amz-Expires"]):  # ASCII only, not all of Nd
        raise _incomplete("X-Amz-Expires should be a number")
    expires = found["X-Amz-Expires"].lstrip("0") or "0"
    if len(expires) > len(str(_MAX_EXPIRES)) or int(expires) > _MAX_EXPIRES:
        raise _incomplete(
            f"X-Amz-Expires must be less than a week (in seconds) that is {_MAX_EXPIRES}"
        )
    timestamp = found["X-Amz-Date"]
    return _Claim(
        *_parse_credential(found["X-Amz-Credential"]),
        _parse_signed_headers(found["X-Amz-SignedHeaders"], "X-Amz-SignedHeaders"),
        _parse_signature(found["X-Amz-Signature"]),
        timestamp,
        _parse_timestamp(timestamp, "X-Amz-Date"),
        int(expires),
    )


# --------------------------------------------------------------------------- time


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60} min." if seconds % 60 == 0 else f"{seconds} sec."


def _shifted(now: datetime, delta: timedelta) -> str:
    try:
        return _fmt(now + delta)
    except OverflowError:
        return "(out of range)"


def _check_time(claim: _Claim, now: datetime, max_skew: timedelta) -> None:
    if claim.timestamp[:8] != claim.scope_date:
        raise _invalid(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
            f"date from HTTP: '{claim.scope_date}' != '{claim.timestamp[:8]}', "
            f"from '{claim.timestamp}'."
        )
    ahead = claim.moment - now  # two valid aware datetimes: cannot overflow
    if ahead > max_skew:
        raise _invalid(
            f"Signature not yet current: {claim.timestamp} is still later than "
            f"{_shifted(now, max_skew)} ({_fmt(now)} + {_span(max_skew)})"
        )
    lifetime = max_skew if claim.expires is None else timedelta(seconds=claim.expires)
    if -ahead > lifetime:
        raise _invalid(
            f"Signature expired: {claim.timestamp} is now earlier than "
            f"{_shifted(now, -lifetime)} ({_fmt(now)} - {_span(lifetime)})"
        )


# --------------------------------------------------------------------------- verify


def verify(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    accounts: KeyRegistry,
    now: datetime | None = None,
    max_skew: timedelta = timedelta(minutes=15),
    service: str | None = None,
) -> Caller:
    """Check a request's SigV4 signature; return who signed it or raise `AuthError`.

    :param method: the HTTP method.
    :param path: the request path exactly as received, still percent-encoded (ASGI
        ``scope["raw_path"]`` decoded as Latin-1), without the query string.
    :param query: the raw query string, without ``?`` (ASGI ``scope["query_string"]``).
    :param headers: request headers, names lower-cased, repeated headers already joined
        with ``","``. Must include ``host``.
    :param body: the complete request body.
    :param accounts: the registry the access key is looked up in (``by_access_key``).
    :param now: the current time (default: the clock); a naive datetime is taken as UTC.
    :param max_skew: how far the request time may lie from ``now``, either way.
    :param service: when given, the signing name the credential scope must name.

    Errors (all status 403), in the order they are checked:

    * ``MissingAuthenticationTokenException``: no Authorization header and no presigned
      query parameters;
    * ``IncompleteSignatureException``: a malformed Authorization header or presigned
      query, a bad or over-long credential scope, too many signed headers, a missing,
      malformed or out-of-range ``X-Amz-Date`` or ``Date``, ``host`` not signed, both
      kinds of authentication at once;
    * ``UnrecognizedClientException``: an unknown access key, or a session token;
    * ``InvalidSignatureException``: a credential scoped to another service, a scope date
      other than the request's, a request time outside ``now ± max_skew`` (or a presigned
      URL past its ``X-Amz-Expires``), a signed header missing from the request, a
      signature that does not match, or a signed ``X-Amz-Content-SHA256`` that is not the
      body's SHA-256.
    """
    authorization = headers.get("authorization")
    presigned = "X-Amz-" in query and any(
        piece.partition("=")[0] in _PRESIGN_PARAMS[:3] for piece in query.split("&")
    )
    if authorization is None:
        if not presigned:
            raise AuthError(
                "MissingAuthenticationTokenException", "Missing Authentication Token"
            )
        claim = _from_presigned_query(query)
    elif presigned:
        raise _incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be "
            "specified"
        )
    else:
        parsed = _parse_authorization(authorization)
        timestamp = _header_timestamp(headers)
        moment = _parse_timestamp(timestamp, "X-Amz-Date")
        claim = _Claim(*parsed, timestamp, moment, None)

    if "x-amz-security-token" in headers:
        raise _unrecognized()
    account = accounts.by_access_key(claim.access_key_id)
    if account is None:
        raise _unrecognized()
    if service is not None and claim.service != service:
        raise _invalid(f"Credential should be scoped to correct service: '{service}'.")
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    _check_time(claim, now, max_skew)
    if not path.startswith("/") or "?" in path or "#" in path:
        # Not a path any signer produces; its tail would escape the canonical URI.
        raise _invalid()

    content_sha256 = None
    if "x-amz-content-sha256" in claim.signed_headers:
        content_sha256 = headers.get("x-amz-content-sha256")
    payload_hash = content_sha256
    if payload_hash is None:
        payload_hash = sha256(body).hexdigest()
    unsigned = "X-Amz-Signature" if claim.expires is not None else None
    names = claim.signed_headers
    try:
        canonical = canonical_request(
            method, path, query, headers, names, payload_hash, unsigned_param=unsigned
        )
    except MissingSignedHeader:
        raise _invalid() from None  # the client signed a header that did not arrive
    scope = (account.secret_access_key, claim.scope_date, claim.region, claim.service)
    keyed = _signing_hmacs.get(scope)
    cached = keyed is not None
    if keyed is None:
        keyed = hmac.new(signing_key(*scope), digestmod=sha256)
    signer = keyed.copy()
    credential_scope = "/".join((*scope[1:], _TERMINATOR))
    signer.update(string_to_sign(claim.timestamp, credential_scope, canonical).encode())
    if not hmac.compare_digest(signer.hexdigest(), claim.signature):
        raise _invalid()

    if content_sha256 is not None:
        # The signature covered the header, not the body: the two must agree.
        content_sha256 = content_sha256.strip()
        if not _HEX64.fullmatch(content_sha256):
            raise _invalid(
                "This service accepts only signed payloads: X-Amz-Content-SHA256 must "
                "be the SHA-256 of the body"
            )
        if content_sha256.lower() != sha256(body).hexdigest():
            raise _invalid(
                "The provided 'x-amz-content-sha256' header does not match what was "
                "computed."
            )
    if not cached:
        _remember(scope, keyed)  # only now: an unauthenticated request adds nothing
    arn = f"arn:aws:iam::{account.id}:root"
    return Caller(account, claim.access_key_id, claim.region, claim.service, arn)
