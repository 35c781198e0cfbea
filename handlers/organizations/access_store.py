"""SQL for who may call what (organizations.md Z4–Z6): whether a member is a delegated
administrator, and the organization's delegation policy. Rows in, rows out, no business
rules (as `store`). The tables are migration 5's (`schema`)."""

from __future__ import annotations

from runtime.database import Transaction

__all__ = ["delegation_policy_content", "is_delegated_administrator"]


def is_delegated_administrator(
    tx: Transaction, organization_id: str, account_id: str
) -> bool:
    """Whether the account is registered as delegated administrator for at least one
    service of the organization (Z4, D6)."""
    row = tx.one(
        "SELECT 1 AS found FROM delegated_administrators"
        " WHERE organization_id = ? AND account_id = ? LIMIT 1",
        (organization_id, account_id),
    )
    return row is not None


def delegation_policy_content(tx: Transaction, organization_id: str) -> str | None:
    """The content of the organization's delegation policy (None: it has none)."""
    row = tx.one(
        "SELECT content FROM resource_policies WHERE organization_id = ?",
        (organization_id,),
    )
    return None if row is None else str(row["content"])
