"""Server-side verification of AWS Signature Version 4 (``AWS4-HMAC-SHA256``).

The server calls `verify` for every request before anything else; the account a request
acts for is the one whose access key verifiably signed it, never one named by a header.

How it verifies: the request as received is rebuilt as a request object (the attributes
of a `botocore.awsrequest.AWSRequest` that the signer reads) holding exactly the headers the client listed in ``SignedHeaders``, its
``context['timestamp']`` set from ``X-Amz-Date``; botocore's own
`botocore.auth.SigV4Auth` code then computes the canonical request and the string to sign,
and the signature is derived (botocore's ``_sign`` HMAC helper) with the secret of the
account that owns the access key. Reusing the client's signer means the server
canonicalises exactly as boto3 and the AWS CLI do: path normalisation and double
percent-encoding, query sorting, header value trimming, the payload hash taken from
``X-Amz-Content-SHA256`` when signed and otherwise from the body.

Two deliberate differences from a client-side `SigV4Auth`:

* the canonical headers are exactly the ones the client signed. botocore's client leaves
  some headers out when it signs (``user-agent``, ``expect``, ``x-amzn-trace-id``, …);
  other SDKs may sign them, so the server must not drop what ``SignedHeaders`` lists.
  Headers the client did *not* sign (added by a proxy, say) are ignored, as AWS does;
* the query string is decoded and re-encoded the way botocore encodes parameters
  (RFC 3986 unreserved characters kept, everything else ``%XX`` in upper case), then
  sorted, so a client that percent-encodes a little differently on the wire still
  verifies. For what botocore sends this is identical to its own raw-query canonical form.

Both the ``Authorization`` header and presigned URLs (``X-Amz-Algorithm``,
``X-Amz-Credential``, ``X-Amz-Date``, ``X-Amz-Expires``, ``X-Amz-SignedHeaders``,
``X-Amz-Signature`` query parameters) are accepted, never both at once.

Not supported, and answered with an error rather than accepted unverified: temporary
credentials (``X-Amz-Security-Token``; the registry has only long-term keys), unsigned or
streaming payloads (``X-Amz-Content-SHA256`` other than the body's SHA-256), and SigV4a.

Every request's signature is recomputed; no verified signature or answer is remembered.
What a client repeats all day is: the parse of its credential scope and signed-header
list, the parsed ``X-Amz-Date`` of the current second, botocore's canonical form of the
path, the verifier per (secret, service, region) and the HMAC keyed with the day's
signing key (bounded LRU caches; a failed parse raises and is not remembered).

Errors are `AuthError` with the code and message AWS answers with; messages never contain
a secret, and nothing here logs.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from hashlib import sha256
from typing import Any, Final
from urllib.parse import unquote

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth

from runtime.accounts import Account, Accounts

__all__ = ["ALGORITHM", "AuthError", "Caller", "verify"]

#: The only signing algorithm accepted.
ALGORITHM: Final = "AWS4-HMAC-SHA256"
_TERMINATOR: Final = "aws4_request"
#: The longest validity AWS allows a presigned URL (7 days).
_MAX_EXPIRES: Final = 604800

SIGNATURE_MISMATCH: Final = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
INVALID_TOKEN: Final = "The security token included in the request is invalid."

_AMZ_DATE = re.compile(
    r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z"
)
_SCOPE_DATE = re.compile(r"[0-9]{8}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
_PRESIGN_PARAMS: Final = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)


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


def _missing() -> AuthError:
    return AuthError(
        "MissingAuthenticationTokenException", "Missing Authentication Token"
    )


def _incomplete(message: str) -> AuthError:
    return AuthError("IncompleteSignatureException", message)


def _unrecognized() -> AuthError:
    return AuthError("UnrecognizedClientException", INVALID_TOKEN)


def _invalid(message: str = SIGNATURE_MISMATCH) -> AuthError:
    return AuthError("InvalidSignatureException", message)


def _shown(value: str, limit: int = 64) -> str:
    """``value`` quoted for an error message, cut short."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


# --------------------------------------------------------------------------- signing


class _Verifier(SigV4Auth):  # type: ignore[misc]  # botocore is untyped
    """botocore's SigV4 signer, turned around to recompute a received signature.

    The request it is given carries exactly the signed headers, so `headers_to_sign`
    takes them all (no client-side exclusion list, no Host derived from the URL);
    `_normalize_url_path` remembers botocore's answer per path; `signature` copies the
    HMAC keyed with the day's signing key instead of re-deriving it from the secret. One verifier per (secret,
    service, region) is kept (`_verifier`): the signer holds no per-request state.
    """

    def __init__(self, secret_key: str, service: str, region: str) -> None:
        super().__init__(None, service, region)
        self._secret_key = secret_key

    def headers_to_sign(self, request: _Received) -> Any:
        return request.signed

    def _normalize_url_path(self, path: str) -> str:
        return _normalized_path(path)

    def signature(self, string_to_sign: str, request: _Received) -> str:
        keyed = _keyed_hmac(
            self._secret_key,
            request.context["timestamp"][0:8],
            self._region_name,
            self._service_name,
        ).copy()
        keyed.update(string_to_sign.encode("utf-8"))
        return keyed.hexdigest()


class _SignedHeaders(dict[str, list[str]]):
    """The signed headers as `canonical_headers` and `signed_headers` read them: lower-case
    name to its list of values, which `get_all` (the `HTTPHeaders` method they call)
    returns as it is."""

    get_all = dict.__getitem__


#: The one header `canonical_request` looks up by name, spelt as botocore spells it.
_CONTENT_SHA256 = "X-Amz-Content-SHA256"


@dataclass(slots=True)
class _Received:
    """The received request with just what `SigV4Auth.canonical_request` reads.

    botocore's `AWSRequest` would do as well, but building one (and its email-based
    header map) costs more than the whole rest of the verification. `headers` is read
    only for ``X-Amz-Content-SHA256``, so it holds that one header when it was signed;
    `signed` holds them all.
    """

    method: str
    url: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    signed: _SignedHeaders
    body: bytes
    context: dict[str, Any]


#: Only its stateless `_sign` (HMAC-SHA256) and `_normalize_url_path` helpers are used.
_HMAC = SigV4Auth(None, "", "")


@lru_cache(maxsize=1024)
def _normalized_path(path: str) -> str:
    """botocore's canonical URI of `path` (dot segments removed, percent-encoded again),
    remembered: the same few paths arrive over and over."""
    normalized: str = _HMAC._normalize_url_path(path)
    return normalized


@lru_cache(maxsize=1024)
def _verifier(secret_key: str, service: str, region: str) -> _Verifier:
    return _Verifier(secret_key, service, region)


def _sha256(data: bytes = b"") -> Any:
    return sha256(data)


@lru_cache(maxsize=4096)
def _keyed_hmac(secret_key: str, date: str, region: str, service: str) -> hmac.HMAC:
    """HMAC-SHA256 keyed with the SigV4 signing key, before any message: each request
    signs a copy.

    The key is derived exactly as `SigV4Auth.signature` does (botocore's `_sign`, four
    chained HMACs), once per (secret, day, region, service). The final step is the same
    function as botocore's ``_sign(key, string_to_sign, hex=True)``, but keying OpenSSL's
    HMAC costs more than the rest of the signature, so the standard library's own keyed
    state (its inner and outer SHA-256, chosen by passing a plain function as digestmod)
    is kept and copied instead.
    """
    k_date = _HMAC._sign(f"AWS4{secret_key}".encode(), date)
    k_region = _HMAC._sign(k_date, region)
    k_service = _HMAC._sign(k_region, service)
    k_signing = _HMAC._sign(k_service, _TERMINATOR)
    return hmac.HMAC(k_signing, digestmod=_sha256)


def _expected_signature(
    method: str,
    path: str,
    pairs: list[tuple[str, str]],
    signed: _SignedHeaders,
    body: bytes,
    timestamp: str,
    region: str,
    service: str,
    secret_key: str,
) -> str:
    # The URL's host part plays no role: the signed `host` header is in `signed`.
    # Decoded query parameters go in `params` (botocore re-encodes and sorts them); a
    # query that does not decode as UTF-8 is left raw in the URL, which botocore sorts
    # as it is.
    url = "http://host" + path
    params = _decoded(pairs) if pairs else pairs
    if params is None:
        url += "?" + "&".join(f"{name}={value}" for name, value in pairs)
    content_sha256 = signed.get("x-amz-content-sha256")
    request = _Received(
        method,
        url,
        params or [],
        {} if content_sha256 is None else {_CONTENT_SHA256: content_sha256[0]},
        signed,
        body,
        {"timestamp": timestamp},
    )
    verifier = _verifier(secret_key, service, region)
    canonical_request = verifier.canonical_request(request)
    string_to_sign = verifier.string_to_sign(request, canonical_request)
    signature: str = verifier.signature(string_to_sign, request)
    return signature


# --------------------------------------------------------------------------- parsing


@dataclass(slots=True)
class _Signed:
    """What the client claims: the parts of its Authorization header or presigned URL."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    #: The request time as signed (``X-Amz-Date``) and parsed.
    timestamp: str
    moment: datetime
    #: Validity in seconds, presigned URLs only.
    expires: int | None


@lru_cache(maxsize=1024)
def _parse_credential(credential: str) -> tuple[str, str, str, str]:
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
    if not region or region != region.strip():
        raise _incomplete(
            f"Credential should be scoped to a valid region, not {_shown(region)}."
        )
    if not service or service != service.strip():
        raise _incomplete(
            f"Credential should be scoped to a valid service, not {_shown(service)}."
        )
    if terminator != _TERMINATOR:
        raise _incomplete(
            f"Credential should be scoped with a valid terminator: '{_TERMINATOR}', "
            f"not {_shown(terminator)}."
        )
    return key, date, region, service


@lru_cache(maxsize=1024)
def _parse_signed_headers(value: str, where: str) -> tuple[str, ...]:
    names = tuple(name.strip().lower() for name in value.split(";"))
    if not value or not all(names):
        raise _incomplete(f"{where} must be a ';'-separated list of header names")
    if "host" not in names:
        raise _incomplete(f"{where} must include the 'host' header")
    return names


def _parse_signature(value: str) -> str:
    if not _SIGNATURE.fullmatch(value):
        raise _incomplete("Signature must be 64 hexadecimal characters")
    return value.lower()


#: How botocore and the AWS SDKs write the Authorization header, taken apart without a
#: regex; anything else goes through the component-by-component parser and its messages.
_USUAL_START = "AWS4-HMAC-SHA256 Credential="
_USUAL_SIGNED_HEADERS = ", SignedHeaders="
_USUAL_SIGNATURE = ", Signature="


def _parse_authorization(header: str) -> tuple[str, str, str]:
    """``Credential``, ``SignedHeaders`` and ``Signature`` of an Authorization header."""
    if header.startswith(_USUAL_START):
        credential, found, rest = header[len(_USUAL_START) :].partition(
            _USUAL_SIGNED_HEADERS
        )
        signed_headers, found_too, signature = rest.partition(_USUAL_SIGNATURE)
        if found and found_too and "," not in credential + signed_headers + signature:
            return credential.strip(), signed_headers.strip(), signature.strip()
    return _parse_authorization_components(header)


def _parse_authorization_components(header: str) -> tuple[str, str, str]:
    """`_parse_authorization` for any spelling, one component at a time, with the
    message that names what is wrong."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete(
            f"Authorization header must use the {ALGORITHM} algorithm (Signature Version 4)"
        )
    components: dict[str, str] = {}
    for part in rest.split(","):
        name, eq, value = part.strip().partition("=")
        if not eq:
            raise _incomplete(
                "Authorization header component is not a valid key=value pair "
                "(missing equal-sign)"
            )
        if name not in ("Credential", "SignedHeaders", "Signature"):
            raise _incomplete(
                f"Authorization header has an unknown component {_shown(name, 32)}"
            )
        if name in components:
            raise _incomplete(
                f"Authorization header has more than one '{name}' component"
            )
        components[name] = value.strip()
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if name not in components
    ]
    if missing:
        raise _incomplete(" ".join(missing))
    return (
        components["Credential"],
        components["SignedHeaders"],
        components["Signature"],
    )


@lru_cache(maxsize=256)
def _parse_timestamp(timestamp: str, name: str) -> datetime:
    match = _AMZ_DATE.fullmatch(timestamp)
    if match is None:
        raise _incomplete(
            f"{name} must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z', "
            f"not {_shown(timestamp, 32)}"
        )
    try:
        year, month, day, hour, minute, second = map(int, match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise _incomplete(
            f"{name} is not a valid date: {_shown(timestamp, 32)}"
        ) from None


def _header_timestamp(headers: Mapping[str, str]) -> str:
    """The request time from ``X-Amz-Date``, else from ``Date`` (as botocore signs it)."""
    amz_date = headers.get("x-amz-date")
    if amz_date is not None:
        return amz_date.strip()
    date = headers.get("date")
    if date is not None:
        try:
            parsed = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            raise _incomplete(
                f"Date header is not an RFC 1123 date: {_shown(date, 40)}"
            ) from None
        if parsed.tzinfo is None:  # "-0000", as botocore writes it: UTC
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC).strftime(SIGV4_TIMESTAMP)
    raise _incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    )


def _raw_pairs(query: str) -> list[tuple[str, str]]:
    pairs = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((name, value))
    return pairs


def _decoded(pairs: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """Percent-decoded query pairs, or None if one is not valid UTF-8."""
    try:
        return [
            (unquote(k, errors="strict"), unquote(v, errors="strict")) for k, v in pairs
        ]
    except UnicodeDecodeError:
        return None


def _from_presigned_query(pairs: list[tuple[str, str]]) -> _Signed:
    found: dict[str, str] = {}
    for name, value in pairs:
        if name.startswith("X-Amz-"):
            if name in found:
                raise _incomplete(
                    f"Query-string parameter '{name}' appears more than once"
                )
            found[name] = unquote(value)
    if not all(name in found for name in _PRESIGN_PARAMS):
        raise _incomplete(
            "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
            "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', and 'X-Amz-Expires'. "
            "Re-examine the query-string parameters."
        )
    if "X-Amz-Security-Token" in found:
        raise _unrecognized()
    if found["X-Amz-Algorithm"] != ALGORITHM:
        raise _incomplete(f"X-Amz-Algorithm only supports '{ALGORITHM}'")
    expires_text = found["X-Amz-Expires"]
    if not expires_text.isdigit() or not expires_text.isascii():
        raise _incomplete("X-Amz-Expires should be a number")
    expires = int(expires_text)
    if expires > _MAX_EXPIRES:
        raise _incomplete(
            f"X-Amz-Expires must be less than a week (in seconds) that is {_MAX_EXPIRES}"
        )
    key, date, region, service = _parse_credential(found["X-Amz-Credential"])
    return _Signed(
        access_key_id=key,
        scope_date=date,
        region=region,
        service=service,
        signed_headers=_parse_signed_headers(
            found["X-Amz-SignedHeaders"], "X-Amz-SignedHeaders"
        ),
        signature=_parse_signature(found["X-Amz-Signature"]),
        timestamp=found["X-Amz-Date"],
        moment=_parse_timestamp(found["X-Amz-Date"], "X-Amz-Date"),
        expires=expires,
    )


def _from_authorization(header: str, headers: Mapping[str, str]) -> _Signed:
    credential, signed_headers, signature = _parse_authorization(header)
    key, date, region, service = _parse_credential(credential)
    timestamp = _header_timestamp(headers)
    return _Signed(
        key,
        date,
        region,
        service,
        _parse_signed_headers(signed_headers, "SignedHeaders"),
        _parse_signature(signature),
        timestamp,
        _parse_timestamp(timestamp, "X-Amz-Date"),
        None,
    )


# --------------------------------------------------------------------------- time


def _fmt(moment: datetime) -> str:
    return moment.strftime(SIGV4_TIMESTAMP)


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60} min." if seconds % 60 == 0 else f"{seconds} sec."


def _check_time(signed: _Signed, now: datetime, max_skew: timedelta) -> None:
    moment = signed.moment
    if signed.timestamp[:8] != signed.scope_date:
        raise _invalid(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{signed.scope_date}' != '{signed.timestamp[:8]}', "
            f"from '{signed.timestamp}'."
        )
    if moment > now + max_skew:
        raise _invalid(
            f"Signature not yet current: {signed.timestamp} is still later than "
            f"{_fmt(now + max_skew)} ({_fmt(now)} + {_span(max_skew)})"
        )
    lifetime = max_skew if signed.expires is None else timedelta(seconds=signed.expires)
    if moment < now - lifetime:
        raise _invalid(
            f"Signature expired: {signed.timestamp} is now earlier than "
            f"{_fmt(now - lifetime)} ({_fmt(now)} - {_span(lifetime)})"
        )


# --------------------------------------------------------------------------- verify


def verify(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    accounts: Accounts,
    now: datetime | None = None,
    max_skew: timedelta = timedelta(minutes=15),
    service: str | None = None,
) -> Caller:
    """Check a request's SigV4 signature; return who signed it or raise `AuthError`.

    :param method: the HTTP method.
    :param path: the request path exactly as received, still percent-encoded (ASGI
        ``scope["raw_path"]``), without the query string.
    :param query: the raw query string, without ``?`` (ASGI ``scope["query_string"]``).
    :param headers: request headers, names lower-cased, repeated headers already joined
        with ``","``. Must include ``host``.
    :param body: the complete request body.
    :param accounts: the registry the access key is looked up in.
    :param now: the current time (default: the clock); a naive datetime is taken as UTC.
    :param max_skew: how far the request time may lie from ``now``, either way.
    :param service: when given, the signing name the credential scope must name.

    Errors (all status 403), in the order they are checked:

    * ``MissingAuthenticationTokenException``: no Authorization header and no presigned
      query parameters;
    * ``IncompleteSignatureException``: a malformed Authorization header or presigned
      query, a bad credential scope, a missing or malformed ``X-Amz-Date``, ``host`` not
      signed, both kinds of authentication at once;
    * ``UnrecognizedClientException``: an unknown access key, or a session token;
    * ``InvalidSignatureException``: a credential scoped to another service, a scope date
      other than the request's, a request time outside ``now ± max_skew`` (or a presigned
      URL past its ``X-Amz-Expires``), a signed header missing from the request, a
      signature that does not match, or a signed ``X-Amz-Content-SHA256`` that is not the
      body's SHA-256.
    """
    authorization = headers.get("authorization")
    pairs = _raw_pairs(query) if query else []
    presigned = "X-Amz-" in query and any(
        name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")
        for name, _ in pairs
    )
    if authorization is None:
        if not presigned:
            raise _missing()
        signed = _from_presigned_query(pairs)
        pairs = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    elif presigned:
        raise _incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be specified"
        )
    else:
        signed = _from_authorization(authorization, headers)

    if "x-amz-security-token" in headers:
        raise _unrecognized()
    account = accounts.by_access_key(signed.access_key_id)
    if account is None:
        raise _unrecognized()
    if service is not None and signed.service != service:
        raise _invalid(f"Credential should be scoped to correct service: '{service}'.")

    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    _check_time(signed, now, max_skew)

    signed_values = _SignedHeaders()
    for name in signed.signed_headers:
        value = headers.get(name)
        if value is None:
            # The client signed a header that did not arrive: it cannot match.
            raise _invalid()
        signed_values[name] = [value]
    if not path.startswith("/") or "?" in path or "#" in path:
        # Not a path any signer produces; its tail would escape the canonical URI.
        raise _invalid()

    expected = _expected_signature(
        method,
        path,
        pairs,
        signed_values,
        body,
        signed.timestamp,
        signed.region,
        signed.service,
        account.secret_access_key,
    )
    if not hmac.compare_digest(expected, signed.signature):
        raise _invalid()

    signed_sha256 = signed_values.get("x-amz-content-sha256")
    if signed_sha256 is not None:
        # The signature covered the header, not the body: the two must agree.
        content_sha256 = signed_sha256[0]
        if not _SHA256_HEX.fullmatch(content_sha256.strip()):
            raise _invalid(
                "This service accepts only signed payloads: X-Amz-Content-SHA256 must be "
                "the SHA-256 of the body"
            )
        if content_sha256.strip().lower() != sha256(body).hexdigest():
            raise _invalid(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            )

    return _caller(account, signed.access_key_id, signed.region, signed.service)


@lru_cache(maxsize=1024)
def _caller(account: Account, access_key_id: str, region: str, service: str) -> Caller:
    """The (immutable) caller for one key and scope: the same few recur all day."""
    return Caller(
        account=account,
        access_key_id=access_key_id,
        region=region,
        service=service,
        principal_arn=f"arn:aws:iam::{account.id}:root",
    )
