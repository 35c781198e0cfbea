"""What a handler learns about the request besides its validated body."""

from __future__ import annotations

from typing import NamedTuple


class RequestContext(NamedTuple):
    """The verified caller and the request's identity (immutable)."""

    account_id: str
    principal_arn: str
    region: str
    request_id: str
