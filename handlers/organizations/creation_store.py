"""SQL for creating accounts (CreateAccount and its status records, organizations.md
A4–A10, M1, M2): rows in, rows out, no business rules beyond what `settle` writes.

Tables (migration 3): `create_account_requests` (one row per CreateAccount, its outcome
decided when it was made, `completes_at` its completion instant on the business clock),
`accounts` (a created account's row, `create_request_id` naming its request) and `tags`.

**When a created account appears (DECIDED).** The account row of a SUCCEEDED request is
written once its completion has come, by `settle`, never before: every reader of the
`accounts` table (ListAccounts, DescribeAccount, the account counts, the caller lookup,
`signs`) therefore sees exactly the accounts that exist, with no filter on future
instants to remember. With the default delay of 0 (M1) CreateAccount settles in its own
transaction, so the account exists from its response on. With a delay, `settle` runs at
the start of CreateAccount, after a status read that found a completed, unsettled
request, and when a provisionable account's keys are first used (`base.signs`); any
other reader that must see creations the moment they complete calls
`settle(tx, organization_id, now)` in a write transaction first (or
`unsettled` in its read and `settle` in a write transaction after it, as R6 persists
expiry). `settle` is idempotent (`ON CONFLICT DO NOTHING`), so concurrent or repeated
calls write each account once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from typing import Any

from handlers.organizations import cascade, store
from runtime.database import Database, Row, Transaction

__all__ = [
    "account_id_taken",
    "counted_accounts",
    "email_in_progress",
    "email_in_use",
    "in_progress_count",
    "insert_request",
    "lock_email",
    "organization_settling",
    "request",
    "request_id_taken",
    "requests",
    "settle",
    "unsettled",
]

_COLUMNS = (
    "id",
    "organization_id",
    "account_name",
    "email",
    "requested_at",
    "completes_at",
    "outcome",
    "failure_reason",
    "account_id",
    "role_name",
    "iam_user_access_to_billing",
    "tags",
)


def insert_request(tx: Transaction, values: dict[str, Any]) -> None:
    """A create-account request (`values` by column name, every column of `_COLUMNS`)."""
    marks = ", ".join("?" for _ in _COLUMNS)
    tx.execute(
        f"INSERT INTO create_account_requests ({', '.join(_COLUMNS)}) VALUES ({marks})",
        [values[name] for name in _COLUMNS],
    )


def request(tx: Transaction, request_id: str) -> Row | None:
    return tx.one("SELECT * FROM create_account_requests WHERE id = ?", (request_id,))


def request_id_taken(tx: Transaction, request_id: str) -> bool:
    return request(tx, request_id) is not None


def _state_condition(states: Collection[str], now: int) -> tuple[str, list[Any]]:
    """SQL for requests whose State at `now` is one of `states` (lifecycle.request_state:
    IN_PROGRESS before `completes_at`, the outcome from then on)."""
    parts: list[str] = []
    params: list[Any] = []
    if "IN_PROGRESS" in states:
        parts.append("completes_at > ?")
        params.append(now)
    outcomes = sorted(s for s in states if s != "IN_PROGRESS")
    if outcomes:
        marks = ", ".join("?" for _ in outcomes)
        parts.append(f"(completes_at <= ? AND outcome IN ({marks}))")
        params += [now, *outcomes]
    return "(" + " OR ".join(parts) + ")", params


def requests(
    tx: Transaction,
    organization_id: str,
    now: int,
    states: Collection[str],
    after: Sequence[Any] | None,
    limit: int,
) -> list[Row]:
    """The organization's requests in (requested_at, id) order after a position (L3),
    those whose State at `now` is in `states` (empty: all)."""
    sql = "SELECT * FROM create_account_requests WHERE organization_id = ?"
    params: list[Any] = [organization_id]
    if states:
        condition, more = _state_condition(states, now)
        sql += " AND " + condition
        params += more
    return store.page(tx, sql, params, "requested_at", after, limit)


def in_progress_count(tx: Transaction, organization_id: str, now: int) -> int:
    """The organization's requests still IN_PROGRESS at `now` (A4, H5)."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM create_account_requests"
        " WHERE organization_id = ? AND completes_at > ?",
        (organization_id, now),
    )
    return int(row["n"]) if row else 0


def counted_accounts(
    tx: Transaction, organization_id: str, now: int, up_to: int
) -> int:
    """H5's first term: the organization's accounts not CLOSED at `now` (the management
    account included), by the same rule as `lifecycle.account_state`: a stored State
    other than CLOSED and no permanent closure (`closes_at`) reached. Counted up to
    `up_to` (the limit it is compared with), so the count reads no more rows for a huge
    organization than the limit."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM accounts WHERE organization_id = ?"
        " AND state <> 'CLOSED' AND (closes_at IS NULL OR closes_at > ?)"
        f" LIMIT {int(up_to)}) counted",
        (organization_id, now),
    )
    return int(row["n"]) if row else 0


def email_in_progress(tx: Transaction, email: str, now: int) -> bool:
    """Whether a request for `email` (any case, any organization) is IN_PROGRESS."""
    return (
        tx.one(
            "SELECT 1 AS found FROM create_account_requests"
            " WHERE lower(email) = ? AND completes_at > ? LIMIT 1",
            (email.lower(), now),
        )
        is not None
    )


def email_in_use(tx: Transaction, email: str, now: int) -> bool:
    """Whether an account the server knows has `email`, compared without case (A3):
    a row of the accounts table (known accounts, created ones, closed ones, in any
    organization or none), or an account created by a completed request that no
    `settle` has written yet."""
    lowered = email.lower()
    return (
        tx.one(
            "SELECT 1 AS found FROM accounts WHERE lower(email) = ?"
            " UNION ALL SELECT 1 FROM create_account_requests"
            " WHERE lower(email) = ? AND outcome = 'SUCCEEDED' AND completes_at <= ?",
            (lowered, lowered, now),
        )
        is not None
    )


def account_id_taken(tx: Transaction, account_id: str) -> bool:
    """Whether an account row or a request (even in progress) has `account_id`."""
    return (
        tx.one(
            "SELECT 1 AS found FROM accounts WHERE id = ?"
            " UNION ALL SELECT 1 FROM create_account_requests WHERE account_id = ?",
            (account_id, account_id),
        )
        is not None
    )


def lock_email(tx: Transaction, db: Database, email: str) -> None:
    """Serialise the creations of one email address across organizations (A3, A6).

    On PostgreSQL a transaction-scoped advisory lock keyed by the address (lower case),
    so two organizations cannot both create it; on SQLite the write transaction (BEGIN
    IMMEDIATE) already excludes every other writer."""
    if db.dialect != "postgresql":
        return
    digest = hashlib.sha256(b"botogen/create-account/" + email.lower().encode())
    key = int.from_bytes(digest.digest()[:8], "big", signed=True)
    tx.one("SELECT pg_advisory_xact_lock(?) AS locked", (key,))


# -- settling: the account of a completed SUCCEEDED request -----------------------------

_UNSETTLED = (
    " FROM create_account_requests r"
    " WHERE r.outcome = 'SUCCEEDED' AND r.completes_at <= ?"
    " AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = r.account_id)"
)


def unsettled(tx: Transaction, organization_id: str, now: int) -> bool:
    """Whether the organization has a SUCCEEDED request, complete at `now`, whose
    account row is not written yet."""
    return (
        tx.one(
            "SELECT 1 AS found" + _UNSETTLED + " AND r.organization_id = ? LIMIT 1",
            (now, organization_id),
        )
        is not None
    )


def organization_settling(tx: Transaction, account_id: str, now: int) -> str | None:
    """The organization whose completed SUCCEEDED request created `account_id` and is
    not settled yet (a provisionable account about to sign, M2), or None."""
    row = tx.one(
        "SELECT r.organization_id" + _UNSETTLED + " AND r.account_id = ?",
        (now, account_id),
    )
    return None if row is None else str(row["organization_id"])


def settle(tx: Transaction, organization_id: str | None, now: int) -> int:
    """Write the account of every SUCCEEDED request of the organization (of every
    organization when None) whose completion has come by `now` and whose account row
    does not exist yet (A7): the request's email and name, JoinedMethod CREATED,
    JoinedTimestamp the completion instant, State ACTIVE, under the organization's root,
    the request's tags and the default policies (P5, `cascade.newcomer`). Idempotent;
    returns how many accounts it wrote."""
    sql = (
        "SELECT r.id, r.organization_id, r.account_name, r.email, r.completes_at,"
        " r.account_id, r.tags" + _UNSETTLED
    )
    params: list[Any] = [now]
    if organization_id is not None:
        sql += " AND r.organization_id = ?"
        params.append(organization_id)
    written = 0
    for row in tx.all(sql + " ORDER BY r.completes_at, r.id", params):
        inserted = tx.execute(
            "INSERT INTO accounts (id, name, email, organization_id, joined_method,"
            " joined_at, parent_id, state, create_request_id)"
            " SELECT ?, ?, ?, o.id, 'CREATED', ?, o.root_id, 'ACTIVE', ?"
            " FROM organizations o WHERE o.id = ?"
            " ON CONFLICT (id) DO NOTHING",
            (
                row["account_id"],
                row["account_name"],
                row["email"],
                row["completes_at"],
                row["id"],
                row["organization_id"],
            ),
        )
        if inserted:
            cascade.newcomer(
                tx, row["organization_id"], row["account_id"], row["completes_at"]
            )
        written += inserted
        for seq, tag in enumerate(json.loads(row["tags"] or "[]"), start=1):
            tx.execute(
                "INSERT INTO tags (resource_id, tag_key, tag_value, seq)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (resource_id, tag_key) DO NOTHING",
                (row["account_id"], tag["Key"], tag["Value"], seq),
            )
    return written
