"""SQL for the delegation policy (organizations.md D11–D14): rows in, rows out, no
business rules (as `store`).

The table is migration 5's `resource_policies (organization_id, id, content,
created_at, updated_at)`: at most one row per organization (its primary key), `id`
unique on the server. Its tags are rows of `tags` like every resource's (`tag_store`).
"""

from __future__ import annotations

from collections.abc import Collection

from runtime.database import Row, Transaction

__all__ = ["delete", "insert", "member_ids", "policy", "replace"]


def policy(tx: Transaction, organization_id: str) -> Row | None:
    """The organization's delegation policy (`id`, `content`, `created_at`,
    `updated_at`), or None."""
    return tx.one(
        "SELECT id, content, created_at, updated_at FROM resource_policies"
        " WHERE organization_id = ?",
        (organization_id,),
    )


def insert(
    tx: Transaction,
    organization_id: str,
    policy_id: str,
    content: str,
    created: int,
    updated: int | None = None,
) -> None:
    """The organization's first delegation policy, created at `created` and last
    replaced at `updated` (`created` when None)."""
    tx.execute(
        "INSERT INTO resource_policies"
        " (organization_id, id, content, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            organization_id,
            policy_id,
            content,
            created,
            created if updated is None else updated,
        ),
    )


def replace(tx: Transaction, organization_id: str, content: str, now: int) -> None:
    """The organization's delegation policy takes `content` (id kept), `now`."""
    tx.execute(
        "UPDATE resource_policies SET content = ?, updated_at = ?"
        " WHERE organization_id = ?",
        (content, now, organization_id),
    )


def delete(tx: Transaction, organization_id: str) -> None:
    """The organization's delegation policy goes (its tags are `tag_store`'s)."""
    tx.execute(
        "DELETE FROM resource_policies WHERE organization_id = ?", (organization_id,)
    )


def member_ids(
    tx: Transaction, organization_id: str, other_than: str
) -> Collection[str]:
    """The ids of the organization's accounts but `other_than`."""
    rows = tx.all(
        "SELECT id FROM accounts WHERE organization_id = ? AND id <> ?",
        (organization_id, other_than),
    )
    return frozenset(str(row["id"]) for row in rows)
