"""SQL for moving, removing, leaving and closing accounts (organizations.md A15–A21,
H1, H2, Z3): rows in, rows out, no business rules beyond A18's list of effects.

Every function takes an open transaction; instants are epoch milliseconds.
"""

from __future__ import annotations

from handlers.organizations import cascade, organization_store, store, tag_store
from runtime.database import Database, Row, Transaction

__all__ = [
    "any_due_departure",
    "closures_since",
    "depart",
    "due_departures",
    "move",
    "pending_closures",
    "start_closure",
]

#: A20: from CloseAccount to permanent closure (CLOSED).
CLOSURE_MS = 90 * store.DAY_MS


def move(tx: Transaction, account_id: str, parent_id: str, at: int) -> None:
    """The account under its new parent, moved `at` (E8: its effective policies
    changed then)."""
    tx.execute(
        "UPDATE accounts SET parent_id = ?, moved_at = ? WHERE id = ?",
        (parent_id, at, account_id),
    )


def pending_closures(tx: Transaction, organization_id: str, now: int) -> int:
    """Accounts of the organization PENDING_CLOSURE at `now` (A19): closure started,
    not yet SUSPENDED."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM accounts WHERE organization_id = ?"
        " AND closed_at IS NOT NULL AND closed_at <= ? AND suspends_at > ?",
        (organization_id, now, now),
    )
    return int(row["n"]) if row else 0


def closures_since(tx: Transaction, organization_id: str, since: int) -> int:
    """Closures the organization started after `since` (A19's 30-day quota)."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM accounts WHERE organization_id = ?"
        " AND closed_at IS NOT NULL AND closed_at > ?",
        (organization_id, since),
    )
    return int(row["n"]) if row else 0


def start_closure(
    tx: Transaction, account_id: str, now: int, close_delay: int, cleanup_delay: int
) -> None:
    """A20, A21: the whole timeline, as absolute instants, stored at the call (C3)."""
    closes = now + CLOSURE_MS
    tx.execute(
        "UPDATE accounts SET closed_at = ?, suspends_at = ?, closes_at = ?,"
        " departs_at = ? WHERE id = ?",
        (now, now + close_delay, closes, closes + cleanup_delay, account_id),
    )


def due_departures(
    tx: Transaction, now: int, lock: Database | None = None
) -> list[Row]:
    """Accounts still in an organization whose departure after closure (A21) has come
    (`lock`: read FOR UPDATE on that database's engine)."""
    suffix = lock.for_update if lock is not None else ""
    return tx.all(
        "SELECT id, organization_id FROM accounts WHERE organization_id IS NOT NULL"
        f" AND departs_at IS NOT NULL AND departs_at <= ? ORDER BY id{suffix}",
        (now,),
    )


def any_due_departure(tx: Transaction, now: int) -> bool:
    return (
        tx.one(
            "SELECT 1 AS found FROM accounts WHERE organization_id IS NOT NULL"
            " AND departs_at IS NOT NULL AND departs_at <= ? LIMIT 1",
            (now,),
        )
        is not None
    )


def _pending_approvals(
    tx: Transaction, db: Database, organization_id: str, account_id: str, now: int
) -> list[store.HandshakeRow]:
    rows = tx.all(
        "SELECT id FROM handshakes WHERE organization_id = ?"
        " AND action = 'APPROVE_ALL_FEATURES' AND target_type = 'ACCOUNT'"
        " AND target_id = ? AND state IN ('REQUESTED', 'OPEN') AND expires_at > ?"
        " ORDER BY id",
        (organization_id, account_id, now),
    )
    found = []
    for row in rows:
        handshake = store.handshake(tx, db, row["id"])
        if handshake is not None:
            found.append(handshake)
    return found


def depart(
    tx: Transaction, db: Database, organization_id: str, account_id: str, now: int
) -> None:
    """A18: the account becomes standalone (no organization, parent, joining data); its
    tags (T7), policy attachments and registrations (`cascade.account_departed`) are
    deleted; its place under the account limit is freed by that
    (H5 counts the organization's accounts). H2: its pending APPROVE_ALL_FEATURES
    handshake becomes CANCELED, and the parent opens when every remaining child is
    ACCEPTED. Locks: parent handshake before child (as R13)."""
    for approval in _pending_approvals(tx, db, organization_id, account_id, now):
        parent = (
            store.handshake(tx, db, approval.parent_id, lock=True)
            if approval.parent_id
            else None
        )
        child = store.handshake(tx, db, approval.id, lock=True) or approval
        if child.effective(now).state not in store.PENDING:
            continue
        store.set_state(tx, child, "CANCELED", now)
        if parent is not None and parent.effective(now).state == "REQUESTED":
            others = [c for c in store.children(tx, parent.id) if c.id != child.id]
            if all(c.state == "ACCEPTED" for c in others):
                store.set_state(tx, parent, "OPEN", now)
    tag_store.delete_tags(tx, account_id)
    cascade.account_departed(tx, organization_id, account_id)
    organization_store.detach_account(tx, account_id)
