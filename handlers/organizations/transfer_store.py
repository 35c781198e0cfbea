"""SQL for responsibility transfers (organizations.md §11): rows in, rows out (as
`store`).

One row of migration 7's `responsibility_transfers` is one transfer, seen by both its
organizations (X6): the **source** (the invited organization, whose management account
received the TRANSFER_RESPONSIBILITY handshake) and the **target** (the inviting one,
which manages the responsibility, X1).

**Time** (C3): the stored `status` is what was answered or done — REQUESTED, then
ACCEPTED, DECLINED or CANCELED with its handshake (X5), WITHDRAWN by
TerminateResponsibilityTransfer (X10). What the business clock does to it is worked out
when read, here in `TransferRow` and, for the queries that filter by it, in the SQL
conditions beside it (both say the same):

- a REQUESTED transfer is EXPIRED from its handshake's expiry on (StartTimestamp −
  24 h, X4; the instant included, as R6);
- it is **in force** while ACCEPTED, or WITHDRAWN up to its EndTimestamp (the transfer
  goes on until its end date, X10; the EndTimestamp, 23:59:59.999, is the last
  millisecond it covers), and **in process** while in force or REQUESTED and not
  expired (O5);
- it is **gone** (X11) 30 days after it was DECLINED or CANCELED or EXPIRED, as its
  handshake (R7), or 30 days after a WITHDRAWN transfer's EndTimestamp.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from handlers.organizations import store
from handlers.organizations.store import DAY_MS, RETENTION_MS
from runtime.database import Database, Row, Transaction

__all__ = [
    "ID_PREFIX",
    "TransferRow",
    "by_handshake",
    "delete",
    "expiry",
    "in_force_between",
    "in_force_count",
    "in_force_neighbours",
    "in_process_of",
    "insert",
    "of_organization",
    "page",
    "pending_between",
    "rename",
    "set_status",
    "transfer",
    "visible",
    "withdraw",
]


#: C1, C10: a transfer's id is `rt-` and 16 lowercase letters and digits.
ID_PREFIX = "rt-"


def expiry(start_at: int) -> int:
    """X4: a transfer invitation expires 24 hours before the transfer would start."""
    return start_at - DAY_MS


@dataclass(frozen=True)
class TransferRow:
    """A stored transfer, with its two management accounts' emails (read with it)."""

    id: str
    transfer_type: str
    name: str
    source_organization_id: str
    source_account_id: str
    target_organization_id: str
    target_account_id: str
    handshake_id: str
    start_at: int
    end_at: int | None
    status: str
    created_at: int
    status_changed_at: int
    source_email: str | None
    target_email: str | None

    @classmethod
    def of(cls, row: Row) -> TransferRow:
        return cls(*(row[name] for name in _FIELDS))

    def status_at(self, now: int) -> str:
        """The Status as of `now`: REQUESTED is EXPIRED from its expiry on (X4)."""
        if self.status == "REQUESTED" and expiry(self.start_at) <= now:
            return "EXPIRED"
        return self.status

    def in_force(self, now: int) -> bool:
        """ACCEPTED, or WITHDRAWN and not past its EndTimestamp (X10)."""
        return self.status == "ACCEPTED" or (
            self.status == "WITHDRAWN"
            and self.end_at is not None
            and self.end_at >= now
        )

    def gone(self, now: int) -> bool:
        """X11: 30 days after it ended unanswered (as its handshake, R7) or after a
        withdrawn transfer's EndTimestamp."""
        status = self.status_at(now)
        if status == "ACCEPTED":
            return False
        if status == "EXPIRED":
            ended = expiry(self.start_at)
        elif status == "WITHDRAWN":
            assert self.end_at is not None, self.id
            ended = self.end_at
        else:
            ended = self.status_changed_at
        return ended + RETENTION_MS <= now

    def side_of(self, organization_id: str) -> str | None:
        """ "inbound" for the target organization, "outbound" for the source (X6)."""
        if organization_id == self.target_organization_id:
            return "inbound"
        if organization_id == self.source_organization_id:
            return "outbound"
        return None


_FIELDS = tuple(TransferRow.__dataclass_fields__)
#: Read with a transfer (`_SELECT`), not stored in its row.
_JOINED = ("source_email", "target_email")
_STORED = tuple(name for name in _FIELDS if name not in _JOINED)
#: Transfers with their management accounts' emails, as one table for `WHERE`s (a
#: subquery, so that `store.page`'s unqualified `id` and `created_at` are the
#: transfer's).
_SELECT = (
    "SELECT * FROM (SELECT t.*, s.email AS source_email, g.email AS target_email"
    " FROM responsibility_transfers t"
    " LEFT JOIN accounts s ON s.id = t.source_account_id"
    " LEFT JOIN accounts g ON g.id = t.target_account_id) AS v"
)


#: The column that names the organization of a side (X6): the target's transfers are
#: inbound to it, the source's outbound.
_SIDE_COLUMN = {
    "inbound": "target_organization_id",
    "outbound": "source_organization_id",
}


def _in_force(now: int) -> tuple[str, list[Any]]:
    """SQL for `TransferRow.in_force`."""
    return "(status = 'ACCEPTED' OR (status = 'WITHDRAWN' AND end_at >= ?))", [now]


def _pending(now: int) -> tuple[str, list[Any]]:
    """SQL for REQUESTED and not expired (X4: expiry = start − 24 h > now)."""
    return "(status = 'REQUESTED' AND start_at > ?)", [now + DAY_MS]


def _visible(now: int) -> tuple[str, list[Any]]:
    """SQL for `not TransferRow.gone`."""
    cutoff = now - RETENTION_MS
    return (
        "(status = 'ACCEPTED' OR (status = 'REQUESTED' AND start_at > ?)"
        " OR (status IN ('DECLINED', 'CANCELED') AND status_changed_at > ?)"
        " OR (status = 'WITHDRAWN' AND end_at > ?))",
        [cutoff + DAY_MS, cutoff, cutoff],
    )


# -- reading ------------------------------------------------------------------------------


def transfer(
    tx: Transaction, db: Database, transfer_id: str, lock: bool = False
) -> TransferRow | None:
    if lock and db.for_update:
        tx.one(
            f"SELECT id FROM responsibility_transfers WHERE id = ?{db.for_update}",
            (transfer_id,),
        )
    row = tx.one(f"{_SELECT} WHERE id = ?", (transfer_id,))
    return TransferRow.of(row) if row else None


def visible(
    tx: Transaction,
    db: Database,
    organization_id: str,
    transfer_id: str,
    now: int,
    lock: bool = False,
) -> TransferRow | None:
    """The transfer, if the organization is either side of it and it is not gone
    (X7, X11); None otherwise."""
    row = transfer(tx, db, transfer_id, lock=lock)
    if row is None or row.side_of(organization_id) is None or row.gone(now):
        return None
    return row


def by_handshake(tx: Transaction, handshake_id: str) -> TransferRow | None:
    """The transfer a TRANSFER_RESPONSIBILITY handshake proposes (X3)."""
    row = tx.one(f"{_SELECT} WHERE handshake_id = ?", (handshake_id,))
    return TransferRow.of(row) if row else None


def page(
    tx: Transaction,
    *,
    side: str,
    organization_id: str,
    transfer_type: str,
    now: int,
    transfer_id: str | None,
    after: Sequence[Any] | None,
    limit: int,
) -> list[TransferRow]:
    """X8: the organization's visible transfers of one type, inbound (it is the target)
    or outbound (the source), optionally the one `transfer_id`, in (created_at, id)
    order after a position (L3, L4)."""
    visible, params = _visible(now)
    sql = (
        f"{_SELECT} WHERE {_SIDE_COLUMN[side]} = ? AND transfer_type = ? AND {visible}"
    )
    params = [organization_id, transfer_type, *params]
    if transfer_id is not None:
        sql += " AND id = ?"
        params.append(transfer_id)
    rows = store.page(tx, sql, params, "created_at", after, limit)
    return [TransferRow.of(row) for row in rows]


def pending_between(tx: Transaction, target: str, source: str, now: int) -> bool:
    """A REQUESTED, unexpired transfer from `target`'s invitation to `source` (X2)."""
    pending, params = _pending(now)
    return (
        tx.one(
            "SELECT 1 AS found FROM responsibility_transfers"
            f" WHERE target_organization_id = ? AND source_organization_id = ?"
            f" AND {pending}",
            [target, source, *params],
        )
        is not None
    )


def in_force_between(tx: Transaction, one: str, other: str, now: int) -> bool:
    """A transfer in force between the two organizations, either way round (X2)."""
    in_force, params = _in_force(now)
    return (
        tx.one(
            "SELECT 1 AS found FROM responsibility_transfers"
            " WHERE ((source_organization_id = ? AND target_organization_id = ?)"
            " OR (source_organization_id = ? AND target_organization_id = ?))"
            f" AND {in_force}",
            [one, other, other, one, *params],
        )
        is not None
    )


def in_force_count(
    tx: Transaction, side: str, organization_id: str, transfer_type: str, now: int
) -> int:
    """Transfers of one type in force whose target (`side` "inbound") or source
    ("outbound") is the organization (X5's quotas)."""
    in_force, params = _in_force(now)
    row = tx.one(
        "SELECT COUNT(*) AS n FROM responsibility_transfers"
        f" WHERE {_SIDE_COLUMN[side]} = ?"
        f" AND transfer_type = ? AND {in_force}",
        [organization_id, transfer_type, *params],
    )
    return int(row["n"]) if row else 0


def in_force_neighbours(
    tx: Transaction, organizations: Iterable[str], upstream: bool, now: int
) -> set[str]:
    """One step along the transfers in force (X5's chains): the sources of those whose
    target is one of `organizations` (`upstream`), or the targets of those whose
    source is."""
    ids = sorted(set(organizations))
    if not ids:
        return set()
    near, far = (
        ("target_organization_id", "source_organization_id")
        if upstream
        else ("source_organization_id", "target_organization_id")
    )
    in_force, params = _in_force(now)
    marks = ", ".join("?" for _ in ids)
    rows = tx.all(
        f"SELECT DISTINCT {far} AS other FROM responsibility_transfers"
        f" WHERE {near} IN ({marks}) AND {in_force}",
        [*ids, *params],
    )
    return {row["other"] for row in rows}


def in_process_of(tx: Transaction, organization_id: str, now: int) -> bool:
    """O5: a transfer of either side that is REQUESTED (not expired) or in force."""
    pending, pending_params = _pending(now)
    in_force, in_force_params = _in_force(now)
    return (
        tx.one(
            "SELECT 1 AS found FROM responsibility_transfers"
            " WHERE (source_organization_id = ? OR target_organization_id = ?)"
            f" AND ({pending} OR {in_force})",
            [organization_id, organization_id, *pending_params, *in_force_params],
        )
        is not None
    )


def of_organization(tx: Transaction, organization_id: str) -> list[TransferRow]:
    """Every stored transfer of either side, whatever its status."""
    rows = tx.all(
        f"{_SELECT} WHERE source_organization_id = ? OR target_organization_id = ?"
        " ORDER BY created_at, id",
        (organization_id, organization_id),
    )
    return [TransferRow.of(row) for row in rows]


# -- writing ------------------------------------------------------------------------------


def insert(tx: Transaction, row: TransferRow) -> None:
    """The transfer (its stored columns; the emails are read, not stored)."""
    values = [getattr(row, name) for name in _STORED]
    marks = ", ".join("?" for _ in values)
    tx.execute(
        f"INSERT INTO responsibility_transfers ({', '.join(_STORED)}) VALUES ({marks})",
        values,
    )


def set_status(tx: Transaction, transfer_id: str, status: str, at: int) -> None:
    tx.execute(
        "UPDATE responsibility_transfers SET status = ?, status_changed_at = ?"
        " WHERE id = ?",
        (status, at, transfer_id),
    )


def withdraw(tx: Transaction, transfer_id: str, end_at: int, at: int) -> None:
    """WITHDRAWN at `at`, in force until `end_at` (X10)."""
    tx.execute(
        "UPDATE responsibility_transfers SET status = 'WITHDRAWN', end_at = ?,"
        " status_changed_at = ? WHERE id = ?",
        (end_at, at, transfer_id),
    )


def rename(tx: Transaction, transfer_id: str, name: str) -> None:
    tx.execute(
        "UPDATE responsibility_transfers SET name = ? WHERE id = ?", (name, transfer_id)
    )


def delete(tx: Transaction, transfer_id: str) -> None:
    tx.execute("DELETE FROM responsibility_transfers WHERE id = ?", (transfer_id,))
