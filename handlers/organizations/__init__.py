"""AWS Organizations: the handshake lifecycle (../shared/spec/handshakes.md, R1-R22)."""

from handlers.organizations.service import Handlers

__all__ = ["Handlers"]
