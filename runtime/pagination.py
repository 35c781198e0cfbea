"""Opaque, tamper-evident pagination tokens.

A token carries where the next page starts and what it belongs to (operation, caller's
scope, filters), signed with a server secret (HMAC-SHA256). A forged, edited or foreign
token — another operation's, another caller's, another filter's — is rejected.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


class BadToken(ValueError):
    """The token was not issued by this server for this listing."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, binding: str, payload: bytes) -> bytes:
        return hmac.new(
            self._secret, binding.encode() + b"\0" + payload, hashlib.sha256
        ).digest()

    def issue(self, binding: str, position: Any) -> str:
        """A token for `position` (JSON-serialisable) valid only for `binding`."""
        payload = json.dumps(position, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._mac(binding, payload)[:18])}"

    def read(self, binding: str, token: str) -> Any:
        """The position a token carries; `BadToken` if it is not ours for `binding`."""
        try:
            payload_text, mac_text = token.split(".")
            payload, mac = _unb64(payload_text), _unb64(mac_text)
        except (ValueError, TypeError):
            raise BadToken("malformed token") from None
        if not hmac.compare_digest(mac, self._mac(binding, payload)[:18]):
            raise BadToken("token not issued for this request")
        return json.loads(payload)
