"""The TRANSFER_RESPONSIBILITY handshake's own rules (organizations.md X4, X5, H8),
through the base's hooks for handshake actions (`OrganizationsBase`): everything else —
visibility (R9, R21), who declines (R10) and cancels (R15), expiry (R6), states and
their errors (R11), retention (R7), the listings and their ActionType filter (R22) — is
the generic lifecycle of `handshakes`.

- **Document (X4):** Parties as R4 (the recipient, then the inviting organization);
  Resources as `transfer_documents.handshake_resources` lays them out. Its expiry,
  StartTimestamp − 24 h, is set when the invitation creates it (`transfers`).
- **Who accepts (X5):** only a recipient that is the management account of the invited
  organization (the transfer's source); any other recipient — an account that no longer
  manages it, or manages another one — is AccessDenied, before expiry and state are
  looked at (R16's order).
- **What answering does (X5):** the transfer's Status follows its handshake: ACCEPTED,
  DECLINED or CANCELED at the same instant (EXPIRED follows from time alone,
  `transfer_store`). Accepting first checks, in this order: the source already has
  `outbound_transfer_limit` (1) transfers of the type in force →
  RESPONSIBILITY_TRANSFER_MAX_OUTBOUND_QUOTA_VIOLATION; the target already has
  `inbound_transfer_limit` (20) → RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION;
  the longest chain of transfers in force through the new one would hold more than
  `transfer_chain_limit` (2) → RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION. Then the
  invitation's tags go to the transfer (T6), as TagResource would put them at that
  moment (DECIDED: an existing key takes the invitation's value; more than 50 keys on
  the transfer afterwards is MAX_TAG_LIMIT_EXCEEDED and nothing is accepted).
  Acceptances lock both organizations' rows, in id order, so that two acceptances
  sharing an organization are counted one after the other, and then the rows of the
  organizations on the chains through them (C8, `_chain`).
- **H8:** R18's daily quota and R19's account limit count INVITE handshakes only, so
  transfer invitations count toward neither.

A chain: A's responsibility managed by B (A → B) and B's by C (B → C) is a chain of 2
transfers. For a new S → T, its length is the longest chain of transfers in force
leading into S, plus one, plus the longest leading on from T; each side is followed at
most `transfer_chain_limit` steps (enough to know it is too long; a cycle is too long).
"""

from __future__ import annotations

from typing import Final

from generated.organizations.errors import (
    AccessDeniedException,
    ConstraintViolationException,
)
from generated.organizations.models import HandshakeResource, Tag
from generated.organizations.shapes import (
    ActionType,
    ConstraintViolationExceptionReason as Limit,
)
from handlers.organizations import store, tag_store, transfer_documents, transfer_store
from handlers.organizations.base import Caller, OrganizationsBase
from handlers.organizations.errors import ACCESS_DENIED, CONSTRAINT_VIOLATION
from handlers.organizations.store import HandshakeRow
from handlers.organizations.tagging import check_tag_limit
from handlers.organizations.transfer_store import TransferRow
from runtime.database import Row, Transaction

__all__ = ["TransferHandshakes"]

_ACTION: Final = ActionType.TRANSFER_RESPONSIBILITY
#: X5: the transfer's Status once its handshake is answered (DECIDED mapping).
_STATUS_OF_ANSWER: Final = {
    "ACCEPTED": "ACCEPTED",
    "DECLINED": "DECLINED",
    "CANCELED": "CANCELED",
}


class TransferHandshakes(OrganizationsBase):
    """The base's handshake hooks for TRANSFER_RESPONSIBILITY (module docstring)."""

    def _handshake_resources(
        self, tx: Transaction, row: HandshakeRow, sender: Row
    ) -> list[HandshakeResource] | None:
        if row.action != _ACTION:
            return super()._handshake_resources(tx, row, sender)
        transfer = _proposed(tx, row)
        return transfer_documents.handshake_resources(transfer, sender, row.notes)

    def _check_answerer(
        self, tx: Transaction, row: HandshakeRow, caller: Caller, answer: str
    ) -> None:
        if row.action != _ACTION:
            super()._check_answerer(tx, row, caller, answer)
            return
        if answer == "ACCEPTED":
            if caller.manages != _proposed(tx, row).source_organization_id:
                raise AccessDeniedException(ACCESS_DENIED)

    def _answered(
        self,
        tx: Transaction,
        row: HandshakeRow,
        caller: Caller,
        answer: str,
        now: int,
    ) -> None:
        if row.action != _ACTION:
            super()._answered(tx, row, caller, answer, now)
            return
        transfer = _proposed(tx, row)
        if answer == "ACCEPTED":
            self._accept(tx, transfer, row, now)
        transfer_store.set_status(tx, transfer.id, _STATUS_OF_ANSWER[answer], now)

    def _accept(
        self, tx: Transaction, transfer: TransferRow, row: HandshakeRow, now: int
    ) -> None:
        """X5's limits, then T6's tags (module docstring)."""
        source, target = (
            transfer.source_organization_id,
            transfer.target_organization_id,
        )
        for organization_id in sorted({source, target}):
            store.organization(tx, self.db, organization_id, lock=True)
        limits = self.settings
        for side, organization_id, limit, reason in (
            (
                "outbound",
                source,
                limits.outbound_transfer_limit,
                Limit.RESPONSIBILITY_TRANSFER_MAX_OUTBOUND_QUOTA_VIOLATION,
            ),
            (
                "inbound",
                target,
                limits.inbound_transfer_limit,
                Limit.RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION,
            ),
        ):
            count = transfer_store.in_force_count(
                tx, side, organization_id, transfer.transfer_type, now
            )
            if count >= limit:
                raise ConstraintViolationException(CONSTRAINT_VIOLATION, reason=reason)
        if self._chain(tx, source, target, now) > limits.transfer_chain_limit:
            raise ConstraintViolationException(
                CONSTRAINT_VIOLATION,
                reason=Limit.RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION,
            )
        tags = [
            Tag.model_construct(key=key, value=value)
            for key, value in tag_store.parse_stored(row.tags)
        ]
        check_tag_limit(tx, transfer.id, tags)
        tag_store.put_tags(tx, transfer.id, tags)

    def _chain(self, tx: Transaction, source: str, target: str, now: int) -> int:
        """How many transfers the longest chain through a new `source` → `target`
        would hold (module docstring). C8: every organization on the chains found is
        locked too (`source` and `target` are already), and the chains found again,
        until no new organization turns up; so two acceptances that could lengthen
        one chain together are counted one after the other. (On SQLite the write
        transaction already excludes every other writer.)"""
        locked = {source, target}
        while True:
            up, up_seen = self._reach(tx, source, upstream=True, now=now)
            down, down_seen = self._reach(tx, target, upstream=False, now=now)
            fresh = (up_seen | down_seen) - locked
            if not fresh or not self.db.for_update:
                return up + 1 + down
            for organization_id in sorted(fresh):
                store.organization(tx, self.db, organization_id, lock=True)
            locked |= fresh

    def _reach(
        self, tx: Transaction, organization_id: str, *, upstream: bool, now: int
    ) -> tuple[int, set[str]]:
        """The longest chain of transfers in force leading into the organization
        (`upstream`) or on from it, followed at most `transfer_chain_limit` steps, and
        the organizations met on the way."""
        frontier = {organization_id}
        seen: set[str] = set()
        steps = 0
        while steps < self.settings.transfer_chain_limit:
            frontier = transfer_store.in_force_neighbours(tx, frontier, upstream, now)
            if not frontier:
                break
            seen |= frontier
            steps += 1
        return steps, seen


def _proposed(tx: Transaction, row: HandshakeRow) -> TransferRow:
    """The transfer a TRANSFER_RESPONSIBILITY handshake proposes (made with it, X3)."""
    transfer = transfer_store.by_handshake(tx, row.id)
    assert transfer is not None, row.id
    return transfer
