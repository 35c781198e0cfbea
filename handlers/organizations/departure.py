"""Moving, removing, leaving and closing accounts: MoveAccount,
RemoveAccountFromOrganization, LeaveOrganization, CloseAccount (organizations.md
A15–A21, D10, H1, H2, H5, H10, M3).

Who may call: the management account for MoveAccount, RemoveAccountFromOrganization and
CloseAccount, a member for LeaveOrganization (Z1, Z2); a caller whose State is SUSPENDED
or CLOSED is refused everything (Z3, `OrganizationsBase._caller`). Each operation is one
write transaction that locks the organization's row first (C8), as OU writes do, so a
move into an OU cannot race that OU's deletion, and two closures cannot both pass A19's
limits.

**The closure timeline** (A20, A21, M3) is stored at the CloseAccount call as absolute
instants on the business clock — `closed_at` t0, `suspends_at` t0 + close delay,
`closes_at` t0 + 90 days, `departs_at` closes_at + cleanup delay — and the State is
derived from them whenever it is read (`lifecycle.account_state`, C3).

**The departure after closure** (A21) is a change of membership, not a State, so it is
written, by `_settle_departures`: DECIDED, before every transaction of every operation
(`transaction` below, which every handler class of `Handlers` inherits from here), one
read finds whether some account's `departs_at` has come while it is still in an
organization, and only then a write transaction of its own applies A18 to each such
account (idempotent: a departed account has no organization any more). Every reader —
DescribeAccount, ListAccounts, the tree, the counts — therefore sees the accounts table
as it is at "now", without a background worker and without each reader filtering.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from generated.organizations.errors import (
    AccountAlreadyClosedException,
    AccountNotFoundException,
    AWSOrganizationsNotInUseException,
    ConflictException,
    ConstraintViolationException,
    DestinationParentNotFoundException,
    DuplicateAccountException,
    MasterCannotLeaveOrganizationException,
    SourceParentNotFoundException,
)
from generated.organizations.models import (
    CloseAccountRequest,
    MoveAccountRequest,
    RemoveAccountFromOrganizationRequest,
)
from generated.organizations.shapes import (
    ConstraintViolationExceptionReason as Limit,
)
from handlers.organizations import (
    access_store,
    departure_store,
    lifecycle,
    store,
    tree_store,
)
from handlers.organizations.accounts import ACCOUNT_NOT_FOUND
from handlers.organizations.base import OrganizationsBase
from handlers.organizations.errors import NOT_IN_USE
from runtime.context import RequestContext
from runtime.database import Row, Transaction
from runtime.model import Empty

__all__ = ["DepartureOperations"]

#: C6: the first sentence of each error shape's documentation in the model.
SOURCE_NOT_FOUND: Final = (
    "We can't find a source root or OU with the ParentId that you specified."
)
DESTINATION_NOT_FOUND: Final = (
    "We can't find the destination container (a root or OU) with the ParentId that "
    "you specified."
)
DUPLICATE_ACCOUNT: Final = (
    "That account is already present in the specified destination."
)
MASTER_CANNOT_LEAVE: Final = (
    "You can't remove a management account from an organization."
)
ALREADY_CLOSED: Final = "You attempted to close an account that is already closed."
CONFLICT: Final = (
    "The request failed because it conflicts with the current state of the specified "
    "resource."
)
CONSTRAINT_VIOLATION: Final = (
    "Performing this operation violates a minimum or maximum value limit."
)
#: A16: States in which an account cannot leave or be removed (DECIDED: closed
#: accounts leave only through A21).
_CANNOT_LEAVE: Final = frozenset({"PENDING_CLOSURE", "SUSPENDED", "CLOSED"})
_DAY_MS: Final = store.DAY_MS
#: A19: the 30-day closure quota's window.
_QUOTA_WINDOW_MS: Final = 30 * _DAY_MS


class DepartureOperations(OrganizationsBase):
    # -- A21: departures whose time has come are written before anything reads ---------

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Transaction]:
        """The runtime's transaction, after `_settle_departures` (module docstring)."""
        self._settle_departures()
        with super().transaction(write) as tx:
            yield tx

    def _settle_departures(self) -> None:
        now = self.now_ms()
        with super().transaction(write=False) as tx:
            if not departure_store.any_due_departure(tx, now):
                return
        with super().transaction() as tx:
            for row in departure_store.due_departures(tx, now, lock=self.db):
                departure_store.depart(
                    tx, self.db, row["organization_id"], row["id"], now
                )

    # -- shared checks -------------------------------------------------------------------

    def _container(self, tx: Transaction, org: Row, parent_id: str) -> bool:
        """Whether `parent_id` is the organization's root or one of its OUs (C5, C9)."""
        return parent_id == org["root_id"] or (
            tree_store.ou(tx, org["id"], parent_id) is not None
        )

    def _member(self, tx: Transaction, org: Row, account_id: str) -> Row:
        row = tree_store.account_in(tx, org["id"], account_id)
        if row is None:
            raise AccountNotFoundException(ACCOUNT_NOT_FOUND)
        return row

    def _check_can_leave(self, tx: Transaction, org: Row, row: Row, now: int) -> None:
        """A16's checks after the account's existence, in order: the management
        account; a closing or closed State; a registered delegated administrator
        (D10: it must be deregistered first, D7); the waiting period after joining by
        CreateAccount; A18's fixture flag (an account a seed marks
        `standalone_ready: false`)."""
        if row["id"] == org["management_account_id"]:
            raise MasterCannotLeaveOrganizationException(MASTER_CANNOT_LEAVE)
        if lifecycle.account_state(row, now) in _CANNOT_LEAVE:
            raise ConstraintViolationException(
                CONSTRAINT_VIOLATION, reason=Limit.ACCOUNT_CANNOT_LEAVE_ORGANIZATION
            )
        if access_store.is_delegated_administrator(tx, org["id"], row["id"]):
            raise ConstraintViolationException(
                CONSTRAINT_VIOLATION,
                reason=Limit.CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG,
            )
        wait = self.settings.wait_period_days * _DAY_MS
        if row["joined_method"] == "CREATED" and now < int(row["joined_at"]) + wait:
            raise ConstraintViolationException(
                CONSTRAINT_VIOLATION, reason=Limit.WAIT_PERIOD_ACTIVE
            )
        if not row["standalone_ready"]:  # A18's fixture flag; DECIDED: checked last
            raise ConstraintViolationException(
                CONSTRAINT_VIOLATION,
                reason=Limit.ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION,
            )

    def _closure_quota(self, tx: Transaction, org: Row) -> int:
        """A19: closures allowed per rolling 30 days, min(cap, max(floor, percent of
        the member accounts)), 1,000, 250 and 20% by default (M7). Members are counted
        only as far as they can raise the quota, so the count costs no more for a huge
        organization than for one at the cap."""
        settings = self.settings
        enough = settings.close_quota_cap * 100 // settings.close_quota_percent + 2
        members = store.member_count(tx, org["id"], up_to=enough) - 1
        share = members * settings.close_quota_percent // 100
        return int(
            min(settings.close_quota_cap, max(settings.close_quota_floor, share))
        )

    # -- A15: MoveAccount ----------------------------------------------------------------

    def move_account(
        self, context: RequestContext, request: MoveAccountRequest
    ) -> None:
        """A15, in its order: account, source, destination, the account's parent is
        the source, destination differs. The management account and closed accounts
        move too (DECIDED by the spec); tags stay; `{}`."""
        with self.transaction() as tx:
            org = self._authorize(tx, context, "MoveAccount", lock=True).org
            row = self._member(tx, org, request.account_id)
            if not self._container(tx, org, request.source_parent_id):
                raise SourceParentNotFoundException(SOURCE_NOT_FOUND)
            if not self._container(tx, org, request.destination_parent_id):
                raise DestinationParentNotFoundException(DESTINATION_NOT_FOUND)
            current = row["parent_id"] or org["root_id"]
            if current != request.source_parent_id:
                raise SourceParentNotFoundException(SOURCE_NOT_FOUND)  # DECIDED (A15)
            if request.destination_parent_id == current:
                raise DuplicateAccountException(DUPLICATE_ACCOUNT)
            departure_store.move(
                tx, row["id"], request.destination_parent_id, self.now_ms()
            )
        return None

    # -- A16: RemoveAccountFromOrganization ---------------------------------------------

    def remove_account_from_organization(
        self, context: RequestContext, request: RemoveAccountFromOrganizationRequest
    ) -> None:
        with self.transaction() as tx:
            org = self._authorize(
                tx, context, "RemoveAccountFromOrganization", lock=True
            ).org
            now = self.now_ms()  # after the lock: later than any change it waited for
            row = self._member(tx, org, request.account_id)
            self._check_can_leave(tx, org, row, now)
            departure_store.depart(tx, self.db, org["id"], row["id"], now)
        return None

    # -- A17: LeaveOrganization ----------------------------------------------------------

    def leave_organization(self, context: RequestContext, request: Empty) -> None:
        """The caller leaves: standalone → Z1; the management account →
        MasterCannotLeaveOrganization (Z2); then A16's state checks on the caller."""
        with self.transaction() as tx:
            caller = self._caller(tx, context)
            if caller.organization_id is None:
                raise AWSOrganizationsNotInUseException(NOT_IN_USE)
            if caller.manages is not None:
                raise MasterCannotLeaveOrganizationException(MASTER_CANNOT_LEAVE)
            org = self._organization(tx, caller.organization_id, lock=True)
            now = self.now_ms()  # after the lock (as RemoveAccountFromOrganization)
            row = self._member(tx, org, caller.id)
            self._check_can_leave(tx, org, row, now)
            departure_store.depart(tx, self.db, org["id"], row["id"], now)
        return None

    # -- A19–A21: CloseAccount -----------------------------------------------------------

    def close_account(
        self, context: RequestContext, request: CloseAccountRequest
    ) -> None:
        """A19 in its order, then A20's timeline stored as absolute instants. "Now" is
        read once the organization is locked: a close that waited for another must see
        that one's account as closing already (C8)."""
        with self.transaction() as tx:
            org = self._authorize(tx, context, "CloseAccount", lock=True).org
            now = self.now_ms()
            if org["feature_set"] != "ALL":
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=Limit.ORGANIZATION_NOT_IN_ALL_FEATURES_MODE,
                )
            row = self._member(tx, org, request.account_id)
            if row["id"] == org["management_account_id"]:
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Limit.CANNOT_CLOSE_MANAGEMENT_ACCOUNT
                )
            state = lifecycle.account_state(row, now)
            if state in lifecycle.CLOSED_STATES:
                raise AccountAlreadyClosedException(ALREADY_CLOSED)
            if state == "PENDING_CLOSURE":
                raise ConflictException(CONFLICT)  # DECIDED (A19)
            if (
                departure_store.pending_closures(tx, org["id"], now)
                >= self.settings.pending_closures_limit
            ):
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=Limit.CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED,
                )
            quota = self._closure_quota(tx, org)
            if (
                departure_store.closures_since(tx, org["id"], now - _QUOTA_WINDOW_MS)
                >= quota
            ):
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Limit.CLOSE_ACCOUNT_QUOTA_EXCEEDED
                )
            departure_store.start_closure(
                tx,
                row["id"],
                now,
                self.settings.close_delay_ms,
                self.settings.cleanup_delay_ms,
            )
        return None
