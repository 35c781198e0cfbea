"""SQL for the Organizations handlers: rows in, rows out, no business rules.

Every function takes an open transaction (`runtime.database.Transaction`). Functions that
read a row the caller is about to change take `lock=True`: `SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite the write transaction itself (BEGIN IMMEDIATE) already excludes
other writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from runtime.database import Database, Row, Transaction

PENDING = ("REQUESTED", "OPEN")
TERMINAL = ("ACCEPTED", "DECLINED", "CANCELED", "EXPIRED")
DAY_MS = 24 * 3600 * 1000
#: A terminal handshake disappears this long after it entered its state (R7).
RETENTION_MS = 30 * DAY_MS
#: Handshake lifetimes by action (R3): expiry = requested + lifetime.
LIFETIME_MS = {
    "INVITE": 15 * DAY_MS,
    "ENABLE_ALL_FEATURES": 90 * DAY_MS,
    "APPROVE_ALL_FEATURES": 90 * DAY_MS,
}


@dataclass(frozen=True)
class HandshakeRow:
    id: str
    organization_id: str
    action: str
    state: str
    target_type: str | None
    target_id: str | None
    notes: str | None
    tags: str | None
    parent_id: str | None
    requested_at: int
    expires_at: int
    state_changed_at: int
    version: int

    @classmethod
    def of(cls, row: Row) -> HandshakeRow:
        """From a row selected as `_HANDSHAKE_COLUMNS` (in that order)."""
        return cls(*(row[name] for name in _FIELDS))

    def effective(self, now: int) -> HandshakeRow:
        """As of `now`: a pending handshake past its expiry is EXPIRED (R6), since then."""
        if self.state in PENDING and self.expires_at <= now:
            return HandshakeRow(
                **{
                    **self.__dict__,
                    "state": "EXPIRED",
                    "state_changed_at": self.expires_at,
                }
            )
        return self

    def purged(self, now: int) -> bool:
        """Gone for good (R7): terminal for 30 days or more. Expects an effective row."""
        return self.state in TERMINAL and self.state_changed_at + RETENTION_MS <= now


_FIELDS = tuple(HandshakeRow.__dataclass_fields__)
_HANDSHAKE_COLUMNS = ", ".join(_FIELDS)


def _not_purged(now: int) -> tuple[str, list[Any]]:
    """SQL condition (and parameters) for handshakes still visible at `now` (R6, R7)."""
    cutoff = now - RETENTION_MS
    terminal = ", ".join(f"'{s}'" for s in TERMINAL)
    pending = ", ".join(f"'{s}'" for s in PENDING)
    return (
        f"NOT ((state IN ({terminal}) AND state_changed_at <= ?)"
        f" OR (state IN ({pending}) AND expires_at <= ?))",
        [cutoff, cutoff],
    )


# -- accounts -----------------------------------------------------------------------------


def upsert_accounts(tx: Transaction, accounts: Sequence[tuple[str, str, str]]) -> None:
    """Known accounts (R1), as (id, name, email), come from the accounts registry: new
    ones are inserted, known ones take the registry's name and email; membership stays
    as stored. A few hundred rows a statement, so a start with thousands of accounts
    costs a few statements."""
    for start in range(0, len(accounts), 300):
        chunk = accounts[start : start + 300]
        marks = ", ".join("(?, ?, ?)" for _ in chunk)
        tx.execute(
            f"INSERT INTO accounts (id, name, email) VALUES {marks}"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email",
            [value for row in chunk for value in row],
        )


def account(
    tx: Transaction, db: Database, account_id: str, lock: bool = False
) -> Row | None:
    suffix = db.for_update if lock else ""
    return tx.one(f"SELECT * FROM accounts WHERE id = ?{suffix}", (account_id,))


def caller(
    tx: Transaction, db: Database, account_id: str, lock: bool = False
) -> Row | None:
    """An account with its organization's management account id, in one query."""
    if lock and db.for_update:
        tx.one(f"SELECT id FROM accounts WHERE id = ?{db.for_update}", (account_id,))
    return tx.one(
        "SELECT a.id, a.email, a.organization_id, o.management_account_id,"
        " a.state, a.closed_at, a.suspends_at, a.closes_at"
        " FROM accounts a LEFT JOIN organizations o ON o.id = a.organization_id"
        " WHERE a.id = ?",
        (account_id,),
    )


def account_by_email(tx: Transaction, email: str) -> Row | None:
    return tx.one(
        "SELECT * FROM accounts WHERE lower(email) = ? ORDER BY id LIMIT 1",
        (email.lower(),),
    )


def join(
    tx: Transaction,
    account_id: str,
    organization_id: str,
    method: str,
    at: int,
    tags: str | None,
) -> None:
    """The account joins the organization, under its root."""
    tx.execute(
        "UPDATE accounts SET organization_id = ?, joined_method = ?, joined_at = ?,"
        " tags = ?, parent_id = (SELECT root_id FROM organizations WHERE id = ?)"
        " WHERE id = ?",
        (organization_id, method, at, tags, organization_id, account_id),
    )


def page(
    tx: Transaction,
    sql: str,
    params: Sequence[Any],
    order: str,
    after: Sequence[Any] | None,
    limit: int,
    tie: str = "id",
) -> list[Row]:
    """At most `limit` rows of `sql` (a SELECT ... WHERE ...) in (`order`, `tie`)
    order, after a position (L3, L4): `after` is the last row's (`order`, `tie`) seen,
    None for the first page. `tie` is a column unique among the rows (the id)."""
    params = list(params)
    if after is not None:
        # The same as `order > ? OR (order = ? AND tie > ?)`, written so that an index
        # on `order` bounds the scan.
        sql += f" AND {order} >= ? AND ({order} > ? OR {tie} > ?)"
        params += [after[0], after[0], after[1]]
    return tx.all(sql + f" ORDER BY {order}, {tie} LIMIT {int(limit)}", params)


def members(
    tx: Transaction, organization_id: str, after: Sequence[Any] | None, limit: int
) -> list[Row]:
    """Accounts of an organization in (joined_at, id) order, after a position."""
    return page(
        tx,
        "SELECT * FROM accounts WHERE organization_id = ?",
        [organization_id],
        "joined_at",
        after,
        limit,
    )


def member_count(tx: Transaction, organization_id: str, up_to: int) -> int:
    """The organization's accounts (the management account included), counted up to
    `up_to`: a caller that needs to know only whether there are that many reads no more
    rows than that, whatever the organization's size."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM accounts WHERE organization_id = ?"
        f" LIMIT {int(up_to)}) counted",
        (organization_id,),
    )
    return int(row["n"]) if row else 0


def has_other_members(tx: Transaction, organization_id: str, account_id: str) -> bool:
    """Whether the organization has an account besides `account_id` (one index probe,
    whatever the organization's size)."""
    row = tx.one(
        "SELECT 1 AS found FROM accounts WHERE organization_id = ? AND id <> ? LIMIT 1",
        (organization_id, account_id),
    )
    return row is not None


def invited_members(tx: Transaction, organization_id: str) -> list[Row]:
    return tx.all(
        "SELECT * FROM accounts WHERE organization_id = ? AND joined_method = 'INVITED'"
        " ORDER BY joined_at, id",
        (organization_id,),
    )


# -- organizations ------------------------------------------------------------------------


def organization(
    tx: Transaction, db: Database, organization_id: str, lock: bool = False
) -> Row | None:
    suffix = db.for_update if lock else ""
    return tx.one(
        f"SELECT * FROM organizations WHERE id = ?{suffix}", (organization_id,)
    )


def organization_of(tx: Transaction, account_id: str) -> Row | None:
    """The organization an account belongs to, as `sender` reads it, with the
    account's own State columns (Z3), in one query (None outside any organization, or
    for an unknown account)."""
    return tx.one(
        "SELECT o.id, o.management_account_id, o.feature_set,"
        " m.name AS management_name, m.email AS management_email,"
        " a.state, a.closed_at, a.suspends_at, a.closes_at"
        " FROM accounts a JOIN organizations o ON o.id = a.organization_id"
        " JOIN accounts m ON m.id = o.management_account_id"
        " WHERE a.id = ?",
        (account_id,),
    )


def sender(tx: Transaction, organization_id: str) -> Row | None:
    """An organization with its management account's name and email, in one query."""
    return tx.one(
        "SELECT o.id, o.management_account_id, o.feature_set,"
        " m.name AS management_name, m.email AS management_email"
        " FROM organizations o JOIN accounts m ON m.id = o.management_account_id"
        " WHERE o.id = ?",
        (organization_id,),
    )


def insert_organization(
    tx: Transaction,
    organization_id: str,
    root_id: str,
    management: str,
    feature_set: str,
    at: int,
) -> None:
    """An organization and its root (O1; one root per organization, O6)."""
    tx.execute(
        "INSERT INTO organizations"
        " (id, root_id, management_account_id, feature_set, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (organization_id, root_id, management, feature_set, at),
    )


def id_taken(tx: Transaction, entity_id: str) -> bool:
    """Whether any organization, root, OU, policy, delegation policy or responsibility
    transfer already has `entity_id` (C1: ids are unique on the server)."""
    return (
        tx.one(
            "SELECT 1 AS taken FROM organizations WHERE id = ? OR root_id = ?"
            " UNION ALL SELECT 1 FROM organizational_units WHERE id = ?"
            " UNION ALL SELECT 1 FROM policies WHERE id = ?"
            " UNION ALL SELECT 1 FROM resource_policies WHERE id = ?"
            " UNION ALL SELECT 1 FROM responsibility_transfers WHERE id = ?",
            (entity_id,) * 6,
        )
        is not None
    )


def set_feature_set(tx: Transaction, organization_id: str, feature_set: str) -> None:
    tx.execute(
        "UPDATE organizations SET feature_set = ? WHERE id = ?",
        (feature_set, organization_id),
    )


# -- handshakes ---------------------------------------------------------------------------


def handshake(
    tx: Transaction, db: Database, handshake_id: str, lock: bool = False
) -> HandshakeRow | None:
    suffix = db.for_update if lock else ""
    row = tx.one(
        f"SELECT {_HANDSHAKE_COLUMNS} FROM handshakes WHERE id = ?{suffix}",
        (handshake_id,),
    )
    return HandshakeRow.of(row) if row else None


def locked(
    tx: Transaction, db: Database, row: HandshakeRow | None
) -> HandshakeRow | None:
    """`row`, read earlier in this write transaction, as it stands under its row lock:
    read again `FOR UPDATE` on PostgreSQL; on SQLite the write transaction (BEGIN
    IMMEDIATE) already shut other writers out, so the earlier read stands."""
    if row is None or not db.for_update:
        return row
    return handshake(tx, db, row.id, lock=True)


def insert_handshake(tx: Transaction, row: HandshakeRow) -> None:
    values = [getattr(row, name) for name in HandshakeRow.__dataclass_fields__]
    marks = ", ".join("?" for _ in values)
    tx.execute(
        f"INSERT INTO handshakes ({_HANDSHAKE_COLUMNS}) VALUES ({marks})", values
    )


def set_state(tx: Transaction, row: HandshakeRow, state: str, at: int) -> bool:
    """Compare-and-set on the row's version: False if someone changed it meanwhile."""
    changed = tx.execute(
        "UPDATE handshakes SET state = ?, state_changed_at = ?, version = version + 1"
        " WHERE id = ? AND version = ?",
        (state, at, row.id, row.version),
    )
    return changed == 1


def persist_expiry(tx: Transaction, organization_id: str, now: int) -> None:
    """Store EXPIRED for the organization's pending handshakes past their expiry (R6)."""
    tx.execute(
        "UPDATE handshakes SET state = 'EXPIRED', state_changed_at = expires_at,"
        " version = version + 1"
        " WHERE organization_id = ? AND state IN ('REQUESTED', 'OPEN') AND expires_at <= ?",
        (organization_id, now),
    )


def pending_count(
    tx: Transaction,
    organization_id: str,
    action: str,
    now: int,
    target: tuple[str, str] | None = None,
) -> int:
    sql = (
        "SELECT COUNT(*) AS n FROM handshakes WHERE organization_id = ? AND action = ?"
        " AND state IN ('REQUESTED', 'OPEN') AND expires_at > ?"
    )
    params: list[Any] = [organization_id, action, now]
    if target is not None:
        sql += " AND target_type = ? AND target_id = ?"
        params += list(target)
    row = tx.one(sql, params)
    return int(row["n"]) if row else 0


def invitations_since(tx: Transaction, organization_id: str, since: int) -> int:
    """INVITE handshakes requested after `since`, whatever became of them (R18)."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM handshakes WHERE organization_id = ? AND action = 'INVITE'"
        " AND requested_at > ?",
        (organization_id, since),
    )
    return int(row["n"]) if row else 0


def pending_of(
    tx: Transaction, organization_id: str, action: str, now: int
) -> list[HandshakeRow]:
    rows = tx.all(
        f"SELECT {_HANDSHAKE_COLUMNS} FROM handshakes WHERE organization_id = ? AND action = ?"
        " AND state IN ('REQUESTED', 'OPEN') AND expires_at > ? ORDER BY requested_at, id",
        (organization_id, action, now),
    )
    return [HandshakeRow.of(row) for row in rows]


def children(tx: Transaction, parent_id: str) -> list[HandshakeRow]:
    rows = tx.all(
        f"SELECT {_HANDSHAKE_COLUMNS} FROM handshakes WHERE parent_id = ? ORDER BY id",
        (parent_id,),
    )
    return [HandshakeRow.of(row) for row in rows]


def listing(
    tx: Transaction,
    *,
    now: int,
    organization_id: str | None = None,
    recipients: Sequence[tuple[str, str]] = (),
    exclude_action: str | None = None,
    action: str | None = None,
    parent_id: str | None = None,
    after: Sequence[Any] | None = None,
    limit: int,
) -> list[HandshakeRow]:
    """Visible handshakes sent by an organization or received by some parties, in
    (requested_at, id) order, after a position: a stable order for paging."""
    visible, params = _not_purged(now)
    conditions = [visible]
    if organization_id is not None:
        conditions.append("organization_id = ?")
        params.append(organization_id)
    if recipients:
        conditions.append(
            "("
            + " OR ".join("(target_type = ? AND target_id = ?)" for _ in recipients)
            + ")"
        )
        params += [part for pair in recipients for part in pair]
    if exclude_action is not None:
        conditions.append("action <> ?")
        params.append(exclude_action)
    if action is not None:
        conditions.append("action = ?")
        params.append(action)
    if parent_id is not None:
        conditions.append("parent_id = ?")
        params.append(parent_id)
    if after is not None:
        conditions.append("(requested_at > ? OR (requested_at = ? AND id > ?))")
        params += [after[0], after[0], after[1]]
    rows = tx.all(
        f"SELECT {_HANDSHAKE_COLUMNS} FROM handshakes WHERE {' AND '.join(conditions)}"
        f" ORDER BY requested_at, id LIMIT {int(limit)}",
        params,
    )
    return [HandshakeRow.of(row) for row in rows]


def pending_sent(
    tx: Transaction, db: Database, organization_id: str, now: int
) -> list[HandshakeRow]:
    """Every pending, unexpired handshake the organization sent, of any action (H4),
    locked for the change."""
    rows = tx.all(
        f"SELECT {_HANDSHAKE_COLUMNS} FROM handshakes WHERE organization_id = ?"
        " AND state IN ('REQUESTED', 'OPEN') AND expires_at > ?"
        f" ORDER BY requested_at, id{db.for_update}",
        (organization_id, now),
    )
    return [HandshakeRow.of(row) for row in rows]
