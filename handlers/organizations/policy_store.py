"""SQL for policies and their attachments (organizations.md §7, §8): rows in, rows out,
no business rules (as `store`).

The tables are migration 5's (`schema`): `policies` (customer policies; the AWS-managed
ones are not stored, `aws_managed`), `policy_attachments` (one row per policy and
target, `seq` the organization's order of attaching), `policy_target_changes` (when a
target's attachments of a type last changed, E8) and `effective_policy_errors` (E11).
"""

from __future__ import annotations

from runtime.database import Transaction

__all__ = ["attach", "delete_organization_policies", "delete_target_attachments"]


def attach(
    tx: Transaction,
    organization_id: str,
    target_id: str,
    policy_id: str,
    policy_type: str,
    at: int,
) -> None:
    """The policy attached to the target, after every attachment the organization made
    before (`seq`, P15, E4); the target's attachments of that type changed `at` (E8)."""
    row = tx.one(
        "SELECT COALESCE(MAX(seq), 0) AS last FROM policy_attachments"
        " WHERE organization_id = ?",
        (organization_id,),
    )
    last = int(row["last"]) if row else 0
    tx.execute(
        "INSERT INTO policy_attachments"
        " (organization_id, target_id, policy_id, policy_type, seq, attached_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (organization_id, target_id, policy_id, policy_type, last + 1, at),
    )
    target_changed(tx, target_id, policy_type, at)


def target_changed(tx: Transaction, target_id: str, policy_type: str, at: int) -> None:
    """The target's attachments of `policy_type` changed `at` (E8)."""
    changed = tx.execute(
        "UPDATE policy_target_changes SET changed_at = ?"
        " WHERE target_id = ? AND policy_type = ?",
        (at, target_id, policy_type),
    )
    if changed == 0:
        tx.execute(
            "INSERT INTO policy_target_changes (target_id, policy_type, changed_at)"
            " VALUES (?, ?, ?)",
            (target_id, policy_type, at),
        )


def delete_target_attachments(tx: Transaction, target_id: str) -> None:
    """Every attachment of a target that is deleted or departs (P19, U5, A18), and its
    E8 record; injected validation errors of a departing account go too (E11)."""
    tx.execute("DELETE FROM policy_attachments WHERE target_id = ?", (target_id,))
    tx.execute("DELETE FROM policy_target_changes WHERE target_id = ?", (target_id,))
    tx.execute("DELETE FROM effective_policy_errors WHERE account_id = ?", (target_id,))


def delete_organization_policies(tx: Transaction, organization_id: str) -> None:
    """Everything §7 and §8 stored for the organization (O5): its policies and their
    tags, every attachment and its E8 records, injected validation errors."""
    tx.execute(
        "DELETE FROM tags WHERE resource_id IN"
        " (SELECT id FROM policies WHERE organization_id = ?)",
        (organization_id,),
    )
    tx.execute(
        "DELETE FROM policy_target_changes WHERE target_id IN"
        " (SELECT target_id FROM policy_attachments WHERE organization_id = ?)",
        (organization_id,),
    )
    tx.execute(
        "DELETE FROM policy_attachments WHERE organization_id = ?", (organization_id,)
    )
    tx.execute("DELETE FROM policies WHERE organization_id = ?", (organization_id,))
    tx.execute(
        "DELETE FROM effective_policy_errors WHERE organization_id = ?",
        (organization_id,),
    )
