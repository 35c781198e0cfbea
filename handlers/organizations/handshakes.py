"""Reading and answering handshakes: DescribeHandshake, ListHandshakesForAccount,
ListHandshakesForOrganization (R21, R22), AcceptHandshake, DeclineHandshake and
CancelHandshake (R10–R16).

Accept, Decline and Cancel run in one write transaction that locks the rows it changes
(`store`), so on one handshake they are serialised across threads and processes and
exactly one transition wins (R13). An action with rules of its own adds them through the
base's hooks, `_check_answerer` and `_answered` (TRANSFER_RESPONSIBILITY:
`transfer_handshakes`, X5).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from generated.organizations.errors import (
    AccessDeniedException,
    ConcurrentModificationException,
    HandshakeAlreadyInStateException,
    HandshakeConstraintViolationException,
    InvalidHandshakeTransitionException,
    InvalidInputException,
)
from generated.organizations.models import (
    AcceptHandshakeRequest,
    AcceptHandshakeResponse,
    CancelHandshakeRequest,
    CancelHandshakeResponse,
    DeclineHandshakeRequest,
    DeclineHandshakeResponse,
    DescribeHandshakeRequest,
    DescribeHandshakeResponse,
    Handshake,
    HandshakeFilter,
    ListHandshakesForAccountRequest,
    ListHandshakesForAccountResponse,
    ListHandshakesForOrganizationRequest,
    ListHandshakesForOrganizationResponse,
)
from generated.organizations.shapes import (
    ActionType,
    HandshakeConstraintViolationExceptionReason as Constraint,
    InvalidInputExceptionReason as InputReason,
)
from handlers.organizations import cascade, store, tag_store
from handlers.organizations.base import Caller, OrganizationsBase
from handlers.organizations.errors import ACCESS_DENIED, BUSY
from handlers.organizations.store import PENDING, HandshakeRow
from runtime.context import RequestContext
from runtime.database import Transaction

__all__ = ["HandshakeOperations"]

#: What each answer does to a handshake, in the words of R11's messages.
_VERB: Final = {"ACCEPTED": "accept", "DECLINED": "decline", "CANCELED": "cancel"}


def _filter(found: HandshakeFilter | None) -> tuple[str | None, str | None]:
    """R22: filter by ActionType or by ParentHandshakeId, not both."""
    if found is None:
        return None, None
    if found.action_type is not None and found.parent_handshake_id is not None:
        raise InvalidInputException(
            "You can specify only one filter parameter for the operation.",
            reason=InputReason.MAX_LIMIT_EXCEEDED_FILTER,
        )
    action = found.action_type.value if found.action_type else None
    return action, found.parent_handshake_id


def _keys(rows: list[HandshakeRow]) -> list[tuple[int, str]]:
    return [(row.requested_at, row.id) for row in rows]


class HandshakeOperations(OrganizationsBase):
    # -- reading (R21, R22) ----------------------------------------------------------------

    def describe_handshake(
        self, context: RequestContext, request: DescribeHandshakeRequest
    ) -> DescribeHandshakeResponse:
        """R21: for the recipient and any account of the sending organization."""
        now = self.now_ms()
        with self.transaction(write=False) as tx:
            caller = self._caller(tx, context)
            stored = store.handshake(tx, self.db, request.handshake_id)
            row = self._visible(stored, caller, now)
            document = self._document(tx, row)
        self._persist_expiry([stored] if stored else [], now)
        return DescribeHandshakeResponse.model_construct(handshake=document)

    def list_handshakes_for_account(
        self, context: RequestContext, request: ListHandshakesForAccountRequest
    ) -> ListHandshakesForAccountResponse:
        """R22: the handshakes the caller received, by account id or by email."""
        limit = request.max_results or 20
        now = self.now_ms()
        with self.transaction(write=False) as tx:
            caller = self._caller(tx, context)  # Z3 (V1 step 2)
            action, parent = _filter(request.filter)  # step 6
            binding = f"ListHandshakesForAccount:{caller.id}:{action}:{parent}"
            after = self._page_after(binding, request.next_token)
            # R17: a management account with members receives no invitations.
            managing = caller.manages is not None and caller.has_members
            rows = store.listing(
                tx,
                now=now,
                recipients=[("ACCOUNT", caller.id), ("EMAIL", caller.email.lower())],
                exclude_action=ActionType.INVITE if managing else None,
                action=action,
                parent_id=parent,
                after=after,
                limit=limit + 1,
            )
            response = ListHandshakesForAccountResponse.model_construct(
                handshakes=self._documents(tx, rows[:limit], now),
                next_token=self._next_token(binding, _keys(rows), limit),
            )
        self._persist_expiry(rows[:limit], now)
        return response

    def list_handshakes_for_organization(
        self, context: RequestContext, request: ListHandshakesForOrganizationRequest
    ) -> ListHandshakesForOrganizationResponse:
        """R22 (as amended): the handshakes the caller's organization sent, for its
        management account, delegated administrators and delegates (another member:
        AccessDenied; outside any organization: NotInUse)."""
        limit = request.max_results or 20
        now = self.now_ms()
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListHandshakesForOrganization")
            org = access.org
            action, parent = _filter(request.filter)  # V1 step 6
            binding = self._binding(
                "ListHandshakesForOrganization", access, action, parent
            )
            after = self._page_after(binding, request.next_token)
            self._check_delegate(access, "ListHandshakesForOrganization")
            rows = store.listing(
                tx,
                now=now,
                organization_id=org["id"],
                action=action,
                parent_id=parent,
                after=after,
                limit=limit + 1,
            )
            response = ListHandshakesForOrganizationResponse.model_construct(
                handshakes=self._documents(tx, rows[:limit], now),
                next_token=self._next_token(binding, _keys(rows), limit),
            )
        self._persist_expiry(rows[:limit], now)
        return response

    # -- answering (R10, R11, R13, R15, R16) -----------------------------------------------

    def accept_handshake(
        self, context: RequestContext, request: AcceptHandshakeRequest
    ) -> AcceptHandshakeResponse:
        return AcceptHandshakeResponse.model_construct(
            handshake=self._respond(context, request.handshake_id, "ACCEPTED")
        )

    def decline_handshake(
        self, context: RequestContext, request: DeclineHandshakeRequest
    ) -> DeclineHandshakeResponse:
        return DeclineHandshakeResponse.model_construct(
            handshake=self._respond(context, request.handshake_id, "DECLINED")
        )

    def cancel_handshake(
        self, context: RequestContext, request: CancelHandshakeRequest
    ) -> CancelHandshakeResponse:
        return CancelHandshakeResponse.model_construct(
            handshake=self._respond(context, request.handshake_id, "CANCELED")
        )

    def _respond(
        self, context: RequestContext, handshake_id: str, target: str
    ) -> Handshake:
        """Accept, decline or cancel one handshake, in one locked transaction.

        Checks run in the spec's order: visibility (R9) → caller (R10, R15, R16) → expiry
        (R6, persisted) → state (R11). DECIDED: CancelHandshake, which Z1's list of
        exceptions leaves out, answers a caller in no organization as R9 does
        (HandshakeNotFound): the model lists no AWSOrganizationsNotInUseException for it,
        and Z1 rests on the model's error lists.
        """
        problem: Exception | None = None
        with self.transaction() as tx:
            caller = self._caller(tx, context, lock=target == "ACCEPTED")
            now = self.now_ms()
            # Locks are always taken parent first, then child (PostgreSQL would otherwise
            # deadlock an approval against a cancel of its parent).
            unlocked = store.handshake(tx, self.db, handshake_id)
            if unlocked is not None and unlocked.parent_id is not None:
                store.handshake(tx, self.db, unlocked.parent_id, lock=True)
            stored = store.locked(tx, self.db, unlocked)
            row = self._visible(stored, caller, now)
            assert stored is not None
            self._check_caller(tx, row, caller, target)
            self._check_answerer(tx, row, caller, target)  # the action's own (X5)
            if row.state == "EXPIRED" and stored.state in PENDING:
                # R6: persisted, even though the answer below is an error.
                store.set_state(tx, stored, "EXPIRED", row.state_changed_at)
            problem = _state_problem(row, target)
            if problem is None:
                self._answered(tx, row, caller, target, now)
                if target == "ACCEPTED":
                    self._on_accept(tx, row, caller, now)
                elif (
                    target == "CANCELED"
                    and row.action == ActionType.ENABLE_ALL_FEATURES
                ):
                    for child in store.children(tx, row.id):  # DECIDED: requests go too
                        if child.effective(now).state in PENDING:
                            store.set_state(tx, child, "CANCELED", now)
                if not store.set_state(tx, row, target, now):
                    raise ConcurrentModificationException(BUSY)
                changed = replace(
                    row, state=target, state_changed_at=now, version=row.version + 1
                )
                document = self._document(tx, changed)
        if problem is not None:
            raise problem  # after the commit: the persisted expiry stays
        return document

    def _check_caller(
        self, tx: Transaction, row: HandshakeRow, caller: Caller, target: str
    ) -> None:
        if target == "CANCELED":
            # R15: only the sender's management account cancels.
            org = self._organization(tx, row.organization_id)
            if org["management_account_id"] != caller.id:
                raise AccessDeniedException(ACCESS_DENIED)
            return
        if row.action == ActionType.ENABLE_ALL_FEATURES:
            # Its only party is the organization. Nobody declines it (DECIDED, R10); the
            # management account accepts it once every member has approved (R16).
            org = self._organization(tx, row.organization_id)
            if target == "DECLINED" or org["management_account_id"] != caller.id:
                raise AccessDeniedException(ACCESS_DENIED)
            return
        if not self._is_recipient(row, caller):  # R10, R16: only the recipient answers
            raise AccessDeniedException(ACCESS_DENIED)

    def _on_accept(
        self, tx: Transaction, row: HandshakeRow, caller: Caller, now: int
    ) -> None:
        """R16: what accepting does besides the state."""
        if row.action == ActionType.INVITE:
            if caller.organization_id is not None:
                raise HandshakeConstraintViolationException(
                    "The account is already a member of an organization.",
                    reason=Constraint.ALREADY_IN_AN_ORGANIZATION,
                )
            store.join(tx, caller.id, row.organization_id, "INVITED", now, None)
            # R17, H7, T6: the invitation's tags are the account's now.
            tag_store.delete_tags(tx, caller.id)
            tag_store.add_tags(tx, caller.id, tag_store.parse_stored(row.tags))
            cascade.newcomer(tx, row.organization_id, caller.id, now)  # P5, H7
        elif (
            row.action == ActionType.APPROVE_ALL_FEATURES and row.parent_id is not None
        ):
            parent = store.handshake(tx, self.db, row.parent_id, lock=True)
            if parent is not None and parent.effective(now).state == "REQUESTED":
                others = [c for c in store.children(tx, parent.id) if c.id != row.id]
                if all(c.state == "ACCEPTED" for c in others):
                    store.set_state(tx, parent, "OPEN", now)  # R16: the last approval
        elif row.action == ActionType.ENABLE_ALL_FEATURES:
            store.set_feature_set(tx, row.organization_id, "ALL")


def _state_problem(row: HandshakeRow, target: str) -> Exception | None:
    """R11 (and its twins in R15, R16): pending moves on; the same state again is
    HandshakeAlreadyInState; any other terminal state is an invalid transition."""
    if row.state == target:
        return HandshakeAlreadyInStateException(
            f"The handshake {row.id} is already in the {row.state} state."
        )
    if row.state not in PENDING:
        return InvalidHandshakeTransitionException(
            f"You can't {_VERB[target]} the handshake {row.id} because it is in the "
            f"{row.state} state."
        )
    if row.action == ActionType.ENABLE_ALL_FEATURES and target == "ACCEPTED":
        if row.state != "OPEN":  # DECIDED: finalising waits for every approval
            return InvalidHandshakeTransitionException(
                f"You can't accept the handshake {row.id} because it is in the "
                f"{row.state} state: every member must approve all features first."
            )
    return None
