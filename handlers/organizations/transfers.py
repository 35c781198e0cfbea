"""Responsibility transfers (organizations.md §11):
InviteOrganizationToTransferResponsibility (X2–X4), DescribeResponsibilityTransfer (X7),
ListInbound/ListOutboundResponsibilityTransfers (X8), UpdateResponsibilityTransfer (X9),
TerminateResponsibilityTransfer (X10); and the check DeleteOrganization makes (O5,
`check_no_transfer_in_process`).

**Parties (X1).** The inviting organization is the transfer's **target** (it will manage
the responsibility); the invited one, whose management account receives the
TRANSFER_RESPONSIBILITY handshake, is its **source**. Answering that handshake is the
generic lifecycle plus `transfer_handshakes` (X5).

**Who may call (§2 rows 58–63).** The management account only, at V1's step 4
(`_authorize`, `access.MAY_CALL`); for Describe, Update and Terminate "of either side":
a transfer the caller's organization is no side of, or one that is gone (X11), is
ResponsibilityTransferNotFound at step 7, exactly as an unknown id (X7, C5). A member of
either side is refused at step 4, as any member is, so it learns nothing of the id.

**Checks of the invitation (X2)**, in V1's order: an ACCOUNT target's id as an
AccountId (step 1, as R8); the caller's; the target's type and email (as
InviteAccountToOrganization's, `invitations`); the start date (`transfer_dates`); the
tags (T3, T6); the target account: the caller itself or an account of its organization
→ HandshakeConstraintViolation SOURCE_AND_TARGET_CANNOT_MATCH, unknown or not the
management account of an organization → TARGET_ACCOUNT_VALIDATION_FAILURE; a REQUESTED
transfer from this organization to that one → DuplicateHandshakeException (DECIDED:
whether the target is named by id or by email, since both name the same organization);
a transfer in force between the two → RESPONSIBILITY_TRANSFER_ALREADY_EXISTS (DECIDED:
either way round); the tags' count (50). Then the handshake (OPEN, expiring 24 hours
before the start, X4) and the transfer (REQUESTED, X3) are made together.

**Time (C3)** is the business clock read after the organization's lock, and what it does
to a transfer (expiry, its end, X11's retention) is worked out when it is read
(`transfer_store`).

**Paging (X8, L1–L5).** Both listings paginate although botocore has no paginator for
them: creation time, then id; 20 a page unless MaxResults says; tokens bound to the
operation, the caller, its organization, the Type and (Inbound) the Id.
"""

from __future__ import annotations

from typing import Final

from generated.organizations.errors import (
    ConstraintViolationException,
    DuplicateHandshakeException,
    HandshakeConstraintViolationException,
    InvalidResponsibilityTransferTransitionException,
    ResponsibilityTransferAlreadyInStatusException,
    ResponsibilityTransferNotFoundException,
)
from generated.organizations.models import (
    DescribeResponsibilityTransferRequest,
    DescribeResponsibilityTransferResponse,
    InviteOrganizationToTransferResponsibilityRequest,
    InviteOrganizationToTransferResponsibilityResponse,
    ListInboundResponsibilityTransfersRequest,
    ListInboundResponsibilityTransfersResponse,
    ListOutboundResponsibilityTransfersRequest,
    ListOutboundResponsibilityTransfersResponse,
    ResponsibilityTransfer,
    TerminateResponsibilityTransferRequest,
    TerminateResponsibilityTransferResponse,
    UpdateResponsibilityTransferRequest,
    UpdateResponsibilityTransferResponse,
)
from generated.organizations.shapes import (
    ActionType,
    ConstraintViolationExceptionReason as Limit,
    HandshakeConstraintViolationExceptionReason as Constraint,
    HandshakePartyType,
)
from handlers.organizations import (
    store,
    tag_store,
    transfer_dates,
    transfer_documents,
    transfer_store,
)
from handlers.organizations.base import (
    Access,
    OrganizationsBase,
    new_handshake,
    unique_id,
)
from handlers.organizations.errors import CONSTRAINT_VIOLATION
from handlers.organizations.invitations import check_account_target, checked_target
from handlers.organizations.tagging import check_request_tag_count, validate_new_tags
from handlers.organizations.transfer_store import TransferRow
from runtime.context import RequestContext
from runtime.database import Row, Transaction

__all__ = ["TransferOperations", "check_no_transfer_in_process"]

#: The first sentence of each error's documentation, or of its Reason's text (C6).
TRANSFER_NOT_FOUND: Final = "We can't find a transfer that you specified."
ALREADY_IN_STATUS: Final = (
    "The responsibility transfer is already in the status that you specified."
)
INVALID_TRANSITION: Final = (
    "The responsibility transfer can't transition to the requested state because "
    "it's not in a valid state for this operation."
)
DUPLICATE_HANDSHAKE: Final = (
    "A handshake with the same action and target already exists."
)
_CONSTRAINTS: Final = {
    Constraint.SOURCE_AND_TARGET_CANNOT_MATCH: (
        "An account can't accept a transfer invitation if it is both the sender and "
        "recipient of the invitation."
    ),
    Constraint.TARGET_ACCOUNT_VALIDATION_FAILURE: (
        "Billing transfer is not available for your account."
    ),
    Constraint.RESPONSIBILITY_TRANSFER_ALREADY_EXISTS: (
        "You cannot perform this operation with the current transfer."
    ),
}
#: X9: the Status a transfer may be renamed in.
_RENAMEABLE: Final = ("REQUESTED", "ACCEPTED")
_DEFAULT_PAGE: Final = 20


def _constraint(reason: Constraint) -> HandshakeConstraintViolationException:
    return HandshakeConstraintViolationException(_CONSTRAINTS[reason], reason=reason)


def check_no_transfer_in_process(
    tx: Transaction, organization_id: str, now: int
) -> None:
    """O5: while a transfer of either side is REQUESTED (and not expired) or in force
    (ACCEPTED, or WITHDRAWN up to its end), DeleteOrganization is ConstraintViolation
    ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS."""
    if transfer_store.in_process_of(tx, organization_id, now):
        raise ConstraintViolationException(
            CONSTRAINT_VIOLATION, reason=Limit.ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS
        )


class TransferOperations(OrganizationsBase):
    """The six responsibility-transfer operations (module docstring)."""

    # -- inviting (X2–X4) ---------------------------------------------------------------

    def invite_organization_to_transfer_responsibility(
        self,
        context: RequestContext,
        request: InviteOrganizationToTransferResponsibilityRequest,
    ) -> InviteOrganizationToTransferResponsibilityResponse:
        """X2–X4: the management account invites another organization's management
        account; the checks in the module docstring's order."""
        tags = request.tags or []
        check_account_target(request.target)  # step 1, as R8
        with self.transaction() as tx:
            # Locked: the organization's invitations are serialised (duplicates, C8).
            access = self._authorize(
                tx, context, "InviteOrganizationToTransferResponsibility", lock=True
            )
            org = access.org
            now = self.now_ms()
            target = (
                request.target.type_,
                checked_target(request.target.type_, request.target.id),
            )
            start = transfer_dates.check_start(request.start_timestamp, now)
            validate_new_tags(tags)
            source = self._invited(tx, access, target)
            if transfer_store.pending_between(tx, org["id"], source["id"], now):
                raise DuplicateHandshakeException(DUPLICATE_HANDSHAKE)
            if transfer_store.in_force_between(tx, org["id"], source["id"], now):
                raise _constraint(Constraint.RESPONSIBILITY_TRANSFER_ALREADY_EXISTS)
            check_request_tag_count(tags)
            handshake = new_handshake(
                org["id"],
                ActionType.TRANSFER_RESPONSIBILITY,
                "OPEN",  # X4: as an invitation to join (R5)
                now,
                target,
                notes=request.notes,
                tags=tag_store.dump_stored(tags),
                expires_at=transfer_store.expiry(start),
            )
            store.insert_handshake(tx, handshake)
            transfer_store.insert(
                tx,
                TransferRow(
                    id=unique_id(tx, transfer_store.ID_PREFIX, 16),
                    transfer_type=request.type_.value,
                    name=request.source_name,
                    source_organization_id=source["id"],
                    source_account_id=source["management_account_id"],
                    target_organization_id=org["id"],
                    target_account_id=org["management_account_id"],
                    handshake_id=handshake.id,
                    start_at=start,
                    end_at=None,
                    status="REQUESTED",
                    created_at=now,
                    status_changed_at=now,
                    source_email=None,
                    target_email=None,
                ),
            )
            return InviteOrganizationToTransferResponsibilityResponse.model_construct(
                handshake=self._document(tx, handshake)
            )

    def _invited(self, tx: Transaction, access: Access, target: tuple[str, str]) -> Row:
        """X2: the organization the target account manages (as `store.sender` reads
        it); the caller or its organization's accounts are
        SOURCE_AND_TARGET_CANNOT_MATCH, anything else that manages no organization
        TARGET_ACCOUNT_VALIDATION_FAILURE."""
        target_type, target_id = target
        invited = (
            store.account(tx, self.db, target_id)
            if target_type == HandshakePartyType.ACCOUNT
            else store.account_by_email(tx, target_id)
        )
        if invited is None:
            raise _constraint(Constraint.TARGET_ACCOUNT_VALIDATION_FAILURE)
        if invited["organization_id"] == access.org["id"]:
            raise _constraint(Constraint.SOURCE_AND_TARGET_CANNOT_MATCH)
        source = (
            store.sender(tx, invited["organization_id"])
            if invited["organization_id"] is not None
            else None
        )
        if source is None or source["management_account_id"] != invited["id"]:
            raise _constraint(Constraint.TARGET_ACCOUNT_VALIDATION_FAILURE)
        return source

    # -- reading (X6–X8) ----------------------------------------------------------------

    def describe_responsibility_transfer(
        self, context: RequestContext, request: DescribeResponsibilityTransferRequest
    ) -> DescribeResponsibilityTransferResponse:
        """X7: for the management account of either side."""
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "DescribeResponsibilityTransfer")
            now = self.now_ms()
            row = self._transfer(tx, access, request.id, now)
            return DescribeResponsibilityTransferResponse.model_construct(
                responsibility_transfer=transfer_documents.transfer(
                    row, access.org, now
                )
            )

    def list_inbound_responsibility_transfers(
        self,
        context: RequestContext,
        request: ListInboundResponsibilityTransfersRequest,
    ) -> ListInboundResponsibilityTransfersResponse:
        """X8: the transfers the caller's organization manages (or is invited to), in
        every Status; `Id` narrows to that one, which must be among them."""
        found, token = self._listing(
            context,
            "ListInboundResponsibilityTransfers",
            "inbound",
            request.type_.value,
            request.id,
            request.next_token,
            request.max_results,
        )
        return ListInboundResponsibilityTransfersResponse.model_construct(
            responsibility_transfers=found, next_token=token
        )

    def list_outbound_responsibility_transfers(
        self,
        context: RequestContext,
        request: ListOutboundResponsibilityTransfersRequest,
    ) -> ListOutboundResponsibilityTransfersResponse:
        """X8: the transfers of the caller's organization's own responsibility, in
        every Status, invitations it received included."""
        found, token = self._listing(
            context,
            "ListOutboundResponsibilityTransfers",
            "outbound",
            request.type_.value,
            None,
            request.next_token,
            request.max_results,
        )
        return ListOutboundResponsibilityTransfersResponse.model_construct(
            responsibility_transfers=found, next_token=token
        )

    def _listing(
        self,
        context: RequestContext,
        operation: str,
        side: str,
        transfer_type: str,
        transfer_id: str | None,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[list[ResponsibilityTransfer], str | None]:
        """One page of a side's transfers (X8, L1–L5), and the token of the next."""
        limit = max_results or _DEFAULT_PAGE
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, operation)
            now = self.now_ms()
            binding = self._binding(operation, access, transfer_type, transfer_id)
            after = self._page_after(binding, next_token)
            rows = transfer_store.page(
                tx,
                side=side,
                organization_id=access.org["id"],
                transfer_type=transfer_type,
                now=now,
                transfer_id=transfer_id,
                after=after,
                limit=limit + 1,
            )
            if transfer_id is not None and not rows:
                raise ResponsibilityTransferNotFoundException(TRANSFER_NOT_FOUND)
            return (
                [
                    transfer_documents.transfer(row, access.org, now)
                    for row in rows[:limit]
                ],
                self._next_token(
                    binding, [(row.created_at, row.id) for row in rows], limit
                ),
            )

    def _transfer(
        self,
        tx: Transaction,
        access: Access,
        transfer_id: str,
        now: int,
        *,
        lock: bool = False,
    ) -> TransferRow:
        """V1 step 7 for "the MA of either side" (X7): the transfer, if the caller's
        organization is either side of it and it is not gone (X11); else
        ResponsibilityTransferNotFound, as for an unknown id."""
        row = transfer_store.visible(
            tx, self.db, access.org["id"], transfer_id, now, lock=lock
        )
        if row is None:
            raise ResponsibilityTransferNotFoundException(TRANSFER_NOT_FOUND)
        return row

    # -- changing (X9, X10) -------------------------------------------------------------

    def update_responsibility_transfer(
        self, context: RequestContext, request: UpdateResponsibilityTransferRequest
    ) -> UpdateResponsibilityTransferResponse:
        """X9: the management account of either side renames the transfer, for both
        (DECIDED: one Name, as one record, X6), while it is REQUESTED or ACCEPTED;
        otherwise ConstraintViolation TRANSFER_RESPONSIBILITY_UPDATE_NOT_ALLOWED."""
        with self.transaction() as tx:
            access = self._authorize(
                tx, context, "UpdateResponsibilityTransfer", lock=True
            )
            now = self.now_ms()
            row = self._transfer(tx, access, request.id, now, lock=True)
            if row.status_at(now) not in _RENAMEABLE:
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=Limit.TRANSFER_RESPONSIBILITY_UPDATE_NOT_ALLOWED,
                )
            transfer_store.rename(tx, row.id, request.name)
            return UpdateResponsibilityTransferResponse.model_construct(
                responsibility_transfer=self._reread(tx, access, row.id, now)
            )

    def terminate_responsibility_transfer(
        self, context: RequestContext, request: TerminateResponsibilityTransferRequest
    ) -> TerminateResponsibilityTransferResponse:
        """X10: the management account of either side withdraws an ACCEPTED transfer,
        which stays in force until its EndTimestamp (given, or `transfer_dates.
        default_end`). Checks in V1's order: the end date's own rules (step 6); the
        transfer (7); an end before its start (9); its Status (10): WITHDRAWN is
        ResponsibilityTransferAlreadyInStatus, REQUESTED, DECLINED, CANCELED and EXPIRED
        InvalidResponsibilityTransferTransition."""
        with self.transaction() as tx:
            access = self._authorize(
                tx, context, "TerminateResponsibilityTransfer", lock=True
            )
            now = self.now_ms()
            end = (
                None
                if request.end_timestamp is None
                else transfer_dates.check_end(request.end_timestamp, now)
            )
            row = self._transfer(tx, access, request.id, now, lock=True)
            if end is not None:
                transfer_dates.check_end_after_start(end, row.start_at)
            status = row.status_at(now)
            if status == "WITHDRAWN":
                raise ResponsibilityTransferAlreadyInStatusException(ALREADY_IN_STATUS)
            if status != "ACCEPTED":
                raise InvalidResponsibilityTransferTransitionException(
                    INVALID_TRANSITION
                )
            if end is None:
                end = transfer_dates.default_end(now, row.start_at)
            transfer_store.withdraw(tx, row.id, end, now)
            return TerminateResponsibilityTransferResponse.model_construct(
                responsibility_transfer=self._reread(tx, access, row.id, now)
            )

    def _reread(
        self, tx: Transaction, access: Access, transfer_id: str, now: int
    ) -> ResponsibilityTransfer:
        """The transfer after this transaction's change, as the caller sees it."""
        row = transfer_store.transfer(tx, self.db, transfer_id)
        assert row is not None, transfer_id
        return transfer_documents.transfer(row, access.org, now)
