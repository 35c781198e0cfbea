"""Opaque, tamper-evident pagination tokens.

A token carries where the next page starts, bound to what it belongs to (operation,
caller's scope, filters) and authenticated with a server secret (HMAC-SHA256): a forged,
edited or foreign token — another operation's, another caller's, another filter's — is
rejected. The position is also masked (XOR with an HMAC-derived key stream, keyed by the
tag), so a token reveals nothing readable; the tag, not the mask, is what protects it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Any

#: A token as `issue` writes it: unpadded URL-safe base64, nothing else.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24,4096}")


class BadToken(ValueError):
    """The token was not issued by this server for this listing."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict: only the URL-safe alphabet, no padding, no stray characters."""
    if not _TOKEN.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not a token")
    standard = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(standard + "=" * (-len(text) % 4), validate=True)


class TokenSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, binding: str, payload: bytes) -> bytes:
        return hmac.new(
            self._secret, binding.encode() + b"\0" + payload, hashlib.sha256
        ).digest()

    def _mask(self, tag: bytes, data: bytes) -> bytes:
        stream = b""
        counter = 0
        while len(stream) < len(data):
            block = tag + counter.to_bytes(4, "big")
            stream += hmac.new(self._secret, b"mask\0" + block, hashlib.sha256).digest()
            counter += 1
        return bytes(a ^ b for a, b in zip(data, stream))

    def issue(self, binding: str, position: Any) -> str:
        """A token for `position` (JSON-serialisable) valid only for `binding`."""
        payload = json.dumps(position, separators=(",", ":")).encode()
        tag = self._mac(binding, payload)[:18]
        return _b64(tag + self._mask(tag, payload))

    def read(self, binding: str, token: str) -> Any:
        """The position a token carries; `BadToken` if it is not ours for `binding`."""
        try:
            raw = _unb64(token)
        except (ValueError, binascii.Error):
            raise BadToken("malformed token") from None
        if _b64(raw) != token:  # one spelling per token: no non-canonical trailing bits
            raise BadToken("malformed token")
        tag, masked = raw[:18], raw[18:]
        payload = self._mask(tag, masked)
        if len(tag) < 18 or not hmac.compare_digest(
            tag, self._mac(binding, payload)[:18]
        ):
            raise BadToken("token not issued for this request")
        try:
            return json.loads(payload)
        except ValueError:  # cannot happen for a token we signed
            raise BadToken("malformed token") from None
