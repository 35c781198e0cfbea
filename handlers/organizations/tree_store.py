"""SQL for the organization's tree (organizations.md §4 O6, §5 A1/A14, §6 U1–U10): the
root's enabled policy types, organizational units and the accounts under a parent (a new
OU's tags are written by `tag_store.add_tags`). Rows in, rows out, no business rules
(as `store`).

The tables are migration 3's (`schema`): `organizations.root_id`,
`organizational_units (id, organization_id, parent_id, name, depth, created_at)`,
`accounts.parent_id`, `tags (resource_id, tag_key, tag_value, seq)` and
`enabled_policy_types (organization_id, policy_type, seq)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.organizations import store
from runtime.database import Row, Transaction

__all__ = [
    "account_in",
    "accounts_under",
    "ancestry",
    "delete_ou",
    "enable_policy_type",
    "enabled_policy_types",
    "has_children",
    "insert_ou",
    "ou",
    "ou_count",
    "ous_under",
    "rename_ou",
    "sibling_named",
]


def enabled_policy_types(tx: Transaction, organization_id: str) -> list[str]:
    """The policy types enabled in the organization's root, in the order they were
    enabled (O6)."""
    rows = tx.all(
        "SELECT policy_type FROM enabled_policy_types WHERE organization_id = ?"
        " ORDER BY seq, policy_type",
        (organization_id,),
    )
    return [row["policy_type"] for row in rows]


def enable_policy_type(tx: Transaction, organization_id: str, policy_type: str) -> None:
    """The policy type enabled in the organization's root, after those enabled before
    (O1, O6: `seq` is the order of enabling)."""
    row = tx.one(
        "SELECT COALESCE(MAX(seq), 0) AS last FROM enabled_policy_types"
        " WHERE organization_id = ?",
        (organization_id,),
    )
    last = int(row["last"]) if row else 0
    tx.execute(
        "INSERT INTO enabled_policy_types (organization_id, policy_type, seq)"
        " VALUES (?, ?, ?)",
        (organization_id, policy_type, last + 1),
    )


# -- organizational units -------------------------------------------------------------------


def ou(tx: Transaction, organization_id: str, ou_id: str) -> Row | None:
    """An OU of the organization (None: unknown, or another organization's, C5)."""
    return tx.one(
        "SELECT * FROM organizational_units WHERE id = ? AND organization_id = ?",
        (ou_id, organization_id),
    )


def ancestry(tx: Transaction, ou_id: str) -> list[str]:
    """The ids of the OU and its ancestor OUs, from the one under the root down to the
    OU itself (at most five, U3), in one query."""
    rows = tx.all(
        "WITH RECURSIVE chain (id, parent_id, depth) AS ("
        " SELECT id, parent_id, depth FROM organizational_units WHERE id = ?"
        " UNION ALL"
        " SELECT o.id, o.parent_id, o.depth FROM organizational_units o"
        " JOIN chain c ON o.id = c.parent_id"
        ") SELECT id FROM chain ORDER BY depth",
        (ou_id,),
    )
    return [row["id"] for row in rows]


def ous_under(
    tx: Transaction, parent_id: str, after: Sequence[Any] | None, limit: int
) -> list[Row]:
    """The OUs directly under a root or OU in (created_at, id) order, after a
    position (L3, L4)."""
    return store.page(
        tx,
        "SELECT * FROM organizational_units WHERE parent_id = ?",
        [parent_id],
        "created_at",
        after,
        limit,
    )


def sibling_named(
    tx: Transaction, parent_id: str, name: str, other_than: str | None = None
) -> bool:
    """Whether an OU directly under `parent_id` (other than `other_than`) is named
    exactly `name` (case-sensitive, U2)."""
    sql = "SELECT 1 AS found FROM organizational_units WHERE parent_id = ? AND name = ?"
    params: list[Any] = [parent_id, name]
    if other_than is not None:
        sql += " AND id <> ?"
        params.append(other_than)
    return tx.one(sql + " LIMIT 1", params) is not None


def ou_count(tx: Transaction, organization_id: str) -> int:
    row = tx.one(
        "SELECT COUNT(*) AS n FROM organizational_units WHERE organization_id = ?",
        (organization_id,),
    )
    return int(row["n"]) if row else 0


def insert_ou(
    tx: Transaction,
    ou_id: str,
    organization_id: str,
    parent_id: str,
    name: str,
    depth: int,
    at: int,
) -> None:
    tx.execute(
        "INSERT INTO organizational_units"
        " (id, organization_id, parent_id, name, depth, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (ou_id, organization_id, parent_id, name, depth, at),
    )


def rename_ou(tx: Transaction, ou_id: str, name: str) -> None:
    tx.execute("UPDATE organizational_units SET name = ? WHERE id = ?", (name, ou_id))


def has_children(tx: Transaction, ou_id: str) -> bool:
    """Whether any OU or account is directly under the OU (U5)."""
    return (
        tx.one(
            "SELECT 1 AS found FROM organizational_units WHERE parent_id = ?"
            " UNION ALL SELECT 1 FROM accounts WHERE parent_id = ?",
            (ou_id, ou_id),
        )
        is not None
    )


def delete_ou(tx: Transaction, ou_id: str) -> None:
    """The OU and its tags (U5, T7)."""
    tx.execute("DELETE FROM tags WHERE resource_id = ?", (ou_id,))
    tx.execute("DELETE FROM organizational_units WHERE id = ?", (ou_id,))


# -- accounts in the tree --------------------------------------------------------------------


def account_in(tx: Transaction, organization_id: str, account_id: str) -> Row | None:
    """An account of the organization (None otherwise, C5)."""
    return tx.one(
        "SELECT * FROM accounts WHERE id = ? AND organization_id = ?",
        (account_id, organization_id),
    )


def accounts_under(
    tx: Transaction,
    organization_id: str,
    parent_id: str,
    after: Sequence[Any] | None,
    limit: int,
) -> list[Row]:
    """The accounts directly under a root or OU in (joined_at, id) order, after a
    position (L3, L4)."""
    return store.page(
        tx,
        "SELECT * FROM accounts WHERE parent_id = ? AND organization_id = ?",
        [parent_id, organization_id],
        "joined_at",
        after,
        limit,
    )
