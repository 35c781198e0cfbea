"""What a handler learns about the request besides its validated body."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    """The verified caller and the request's identity."""

    account_id: str
    principal_arn: str
    region: str
    request_id: str
