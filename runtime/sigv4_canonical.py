"""SigV4's canonical forms, computed from a request as a server receives it.

The pieces `runtime.sigv4.verify` puts together, public for the tests that hold them
against AWS's own test suite and botocore's signer:

- `canonical_uri`: the raw path's dot segments resolved and empty ones dropped, then each
  octet but RFC 3986 unreserved ones and ``/`` percent-encoded (``%3A`` on the wire is
  ``%253A``: the "double encoding" of every service but S3);
- `canonical_query`: names and values decoded to octets, encoded again, sorted;
- `canonical_request`: method, URI, query, a ``name:value`` line per signed header
  (sorted, trimmed, inner whitespace collapsed), the signed names, the payload hash;
- `string_to_sign`, `signing_key` (HMAC-SHA256 chained from ``"AWS4" + secret`` over the
  scope), `signature`.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from hashlib import sha256
from typing import Final
from urllib.parse import quote_from_bytes, unquote_to_bytes

#: The only signing algorithm accepted.
ALGORITHM: Final = "AWS4-HMAC-SHA256"
#: The credential scope's last part.
TERMINATOR: Final = "aws4_request"

_PLAIN_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")
_UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9._~/-]")
#: Text already encoded as the canonical query is: unreserved characters, and upper-case
#: escapes of the other octets only. Possessive (and one character a step): linear.
_CANONICAL = re.compile(
    r"(?:[A-Za-z0-9._~-]|%(?:[0189A-F][0-9A-F]|2[0-9A-CF]|3[A-F]|40|5[B-E]|60|7[B-DF]))*+"
)


class MissingSignedHeader(Exception):
    """A header the client signed did not arrive: no signature can match."""


def _octets(text: str) -> bytes:
    """The bytes received, from the Latin-1 text the server decoded them to."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _escaped(match: re.Match[str]) -> str:
    return f"%{ord(match.group()):02X}"


def canonical_uri(path: str) -> str:
    """The canonical URI of a raw (still percent-encoded) path, as for every service
    but S3: dot segments resolved, empty ones dropped, then percent-encoded again."""
    if not path:
        return "/"
    if path.startswith("/") and "//" not in path and "/." not in path:
        # No empty, "." or ".." segment: nothing to resolve, only octets to encode.
        if _PLAIN_PATH.fullmatch(path):
            return path
        if path.isascii():  # one character an octet: escape the few that need it
            return _UNSAFE_IN_PATH.sub(_escaped, path)
        return quote_from_bytes(_octets(path), safe="/")
    raw = _octets(path)
    kept: list[bytes] = []
    for segment in raw.split(b"/"):
        if segment == b"..":
            if kept:
                kept.pop()
        elif segment and segment != b".":
            kept.append(segment)
    resolved = b"/".join(kept)
    if raw.startswith(b"/"):
        resolved = b"/" + resolved
    if kept and raw.endswith(b"/"):
        resolved += b"/"
    return quote_from_bytes(resolved, safe="/")


def _requoted(text: str) -> str:
    if _CANONICAL.fullmatch(text):
        return text  # decoding and encoding again would give it back
    # A raw "+" is a space, as query parsers (HTML forms, `parse_qs`) read it: what was
    # signed is what the application gets.
    octets = _octets(text).replace(b"+", b" ")
    return quote_from_bytes(unquote_to_bytes(octets), safe="")


def canonical_query(query: str, *, unsigned: str | None = None) -> str:
    """The canonical query of a raw query string (without ``?``): names and values
    decoded and encoded again, the pairs sorted. The parameter named `unsigned` (a
    presigned URL's ``X-Amz-Signature``) is left out. An empty piece (``a=1&``) is an
    empty name and value, as botocore signs it."""
    if not query:
        return ""
    pairs = []
    for piece in query.split("&"):
        name, _, value = piece.partition("=")
        if name != unsigned:
            pairs.append((_requoted(name), _requoted(value)))
    pairs.sort()
    return "&".join([f"{name}={value}" for name, value in pairs])


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    payload_hash: str,
    *,
    unsigned_param: str | None = None,
) -> str:
    """The canonical request. `headers` maps lower-case names to values (a repeated
    header's values joined with ``,``); `signed_headers` are lower-case, sorted and
    unique, and each must be in `headers` (else InvalidSignatureException)."""
    query = canonical_query(query, unsigned=unsigned_param)
    lines = [method.upper(), canonical_uri(path), query]
    for name in signed_headers:
        value = headers.get(name)
        if value is None:
            raise MissingSignedHeader(name)
        lines.append(f"{name}:{' '.join(value.split())}")
    lines += ("", ";".join(signed_headers), payload_hash)
    return "\n".join(lines)


def string_to_sign(timestamp: str, scope: str, canonical: str) -> str:
    """The string to sign for a canonical request signed at `timestamp`
    (``YYYYMMDDTHHMMSSZ``) within `scope` (``date/region/service/aws4_request``)."""
    digest = sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{digest}"


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    """The SigV4 signing key: HMAC-SHA256 chained from ``"AWS4" + secret_key``."""
    key = f"AWS4{secret_key}".encode("utf-8", "surrogatepass")
    for part in (date, region, service, TERMINATOR):
        key = hmac.digest(key, part.encode("utf-8", "surrogatepass"), "sha256")
    return key


def signature(key: bytes, string: str) -> str:
    """The hex signature of a string to sign under a signing key."""
    return hmac.new(key, string.encode("utf-8", "surrogatepass"), sha256).hexdigest()
