"""Handlers with fixed answers, to exercise the wire runtime (and to benchmark it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import cast

from generated.organizations import OrganizationsSkeleton
from generated.organizations.errors import HandshakeNotFoundException
from generated.organizations.models import (
    DescribeAccountRequest,
    DescribeAccountResponse,
    DeclineHandshakeRequest,
    DeclineHandshakeResponse,
    DescribeHandshakeRequest,
    DescribeHandshakeResponse,
    Handshake,
    HandshakeParty,
    ListHandshakesForAccountRequest,
    ListHandshakesForAccountResponse,
    Organization,
    DescribeOrganizationResponse,
)
from generated.organizations.shapes import (
    ActionType,
    HandshakePartyType,
    HandshakeState,
)
from runtime.context import RequestContext
from runtime.model import Empty
from runtime.service import ServiceDefinition

REQUESTED = datetime(2016, 11, 30, 19, 27, 58, tzinfo=timezone.utc)
#: Ids the handlers treat specially.
MISSING = "h-000000000000"
EXPLODES = "h-explodes0000"
#: ListHandshakesForAccount pages: 7 handshakes, 3 per page at most.
PAGED = [f"h-page{n:08d}" for n in range(7)]


def handshake(handshake_id: str, account: str, state: HandshakeState) -> Handshake:
    return Handshake(
        id=handshake_id,
        arn=f"arn:aws:organizations::111111111111:handshake/o-exampleorgid/invite/{handshake_id}",
        parties=[
            HandshakeParty(id=account, type_=HandshakePartyType.ACCOUNT),
            HandshakeParty(id="o-exampleorgid", type_=HandshakePartyType.ORGANIZATION),
        ],
        state=state,
        requested_timestamp=REQUESTED,
        expiration_timestamp=REQUESTED.replace(day=15, month=12),
        action=ActionType.INVITE,
    )


def organization_of(account: str) -> DescribeOrganizationResponse:
    return DescribeOrganizationResponse(
        organization=Organization(
            id="o-exampleorgid",
            arn="arn:aws:organizations::111111111111:organization/o-exampleorgid",
            master_account_id=account,
            master_account_email="bill@example.com",
        )
    )


class FixedHandlers(OrganizationsSkeleton):
    def __init__(self) -> None:
        #: DescribeOrganization's answer per caller, built once: the benchmarks' cheap
        #: operation is "a handler returning a fixed response".
        self.organizations: dict[str, DescribeOrganizationResponse] = {}

    def describe_organization(
        self, context: RequestContext, request: Empty
    ) -> DescribeOrganizationResponse:
        answer = self.organizations.get(context.account_id)
        if answer is None:
            answer = self.organizations[context.account_id] = organization_of(
                context.account_id
            )
        return answer

    def describe_account(
        self, context: RequestContext, request: DescribeAccountRequest
    ) -> DescribeAccountResponse:
        """A bug: an answer that is not the response model (it cannot be serialized)."""
        return cast(DescribeAccountResponse, object())

    def decline_handshake(
        self, context: RequestContext, request: DeclineHandshakeRequest
    ) -> DeclineHandshakeResponse:
        if request.handshake_id == MISSING:
            raise HandshakeNotFoundException(
                "We can't find a handshake with the HandshakeId that you specified."
            )
        return DeclineHandshakeResponse(
            handshake=handshake(
                request.handshake_id, context.account_id, HandshakeState.DECLINED
            )
        )

    def describe_handshake(
        self, context: RequestContext, request: DescribeHandshakeRequest
    ) -> DescribeHandshakeResponse:
        if request.handshake_id == EXPLODES:
            raise RuntimeError("a bug in a handler")
        return DescribeHandshakeResponse(
            handshake=handshake(
                request.handshake_id, context.account_id, HandshakeState.OPEN
            )
        )

    def list_handshakes_for_account(
        self, context: RequestContext, request: ListHandshakesForAccountRequest
    ) -> ListHandshakesForAccountResponse:
        start = int(request.next_token or 0)
        size = min(request.max_results or 3, 3)
        page = PAGED[start : start + size]
        more = start + size < len(PAGED)
        return ListHandshakesForAccountResponse(
            handshakes=[
                handshake(i, context.account_id, HandshakeState.OPEN) for i in page
            ],
            next_token=str(start + size) if more else None,
        )


def fixed_definition() -> ServiceDefinition:
    """Organizations as it is served (its error policy: InvalidInputException with a
    Reason, ServiceException for a fault, ...), answered by `FixedHandlers`, no storage.

    What `botogen serve --handlers support.fixed_handlers:FixedHandlers` serves, for
    in-process apps (`runtime.assemble.assemble`).
    """
    from handlers.organizations import SERVICE

    return replace(SERVICE, handlers=FixedHandlers, migrations=(), default_db=None)
