"""What a change to the organization's tree does to the data of the other areas
(policies, trusted access, delegated administrators, the delegation policy): one place
that every operation changing the tree calls, so that no area forgets another.

| event | called by | effect |
|---|---|---|
| `newcomer` | CreateOrganization (root, management account), CreateOrganizationalUnit, an account created (CreateAccount's completion) or joining by invitation (R16, H7) | P5: the AWS-managed default policy of every enabled type that has one is attached directly |
| `target_removed` | DeleteOrganizationalUnit (U5) | P19: its attachments go |
| `account_departed` | RemoveAccountFromOrganization, LeaveOrganization, the departure after closure (A18, A21) | P19: its attachments go; its delegated-administrator registrations go (DECIDED: after A21's departure no operation could deregister it, D7) |
| `organization_deleted` | DeleteOrganization (O5) | its policies, attachments, service access, registrations and delegation policy go, with their tags; its responsibility transfers stay for the other side, except those whose other side is deleted too, which go with their tags (DECIDED, below) |

Tags of a deleted OU or departing account are removed by the tree's own SQL
(`tree_store.delete_ou`, `departure_store.depart`).

DECIDED (O5, X11): an organization is deleted only when none of its transfers is
REQUESTED or in force, so what is left of them has ended or was never accepted. The
other side keeps seeing them (as handshakes stay visible to their recipients, H4) until
X11's retention hides them; the deleted side's former management account, standalone
now, cannot ask (Z1). A transfer whose other side was deleted before is seen by nobody
any more: it goes, with its tags.
"""

from __future__ import annotations

from handlers.organizations import (
    policy_store,
    store,
    tag_store,
    transfer_store,
    tree_store,
)
from handlers.organizations.aws_managed import DEFAULT_POLICY
from runtime.database import Transaction

__all__ = ["account_departed", "newcomer", "organization_deleted", "target_removed"]


def newcomer(tx: Transaction, organization_id: str, target_id: str, now: int) -> None:
    """P5 (and O1's attachments to the root and the management account): the default
    AWS-managed policy of each enabled type that has one, attached to the new target."""
    for policy_type in tree_store.enabled_policy_types(tx, organization_id):
        policy_id = DEFAULT_POLICY.get(policy_type)
        if policy_id is not None:
            policy_store.attach(
                tx, organization_id, target_id, policy_id, policy_type, now
            )


def target_removed(tx: Transaction, target_id: str) -> None:
    """U5, P19: a deleted OU's attachments."""
    policy_store.delete_target_attachments(tx, target_id)


def account_departed(tx: Transaction, organization_id: str, account_id: str) -> None:
    """A18, P19: a departing account's attachments and registrations (module docstring)."""
    policy_store.delete_target_attachments(tx, account_id)
    tx.execute(
        "DELETE FROM delegated_administrators"
        " WHERE organization_id = ? AND account_id = ?",
        (organization_id, account_id),
    )


def organization_deleted(tx: Transaction, organization_id: str) -> None:
    """O5: everything §7–§9 stored for the organization, and its transfers nobody
    sees any more (§11, module docstring)."""
    policy_store.delete_organization_policies(tx, organization_id)
    tx.execute(
        "DELETE FROM tags WHERE resource_id IN"
        " (SELECT id FROM resource_policies WHERE organization_id = ?)",
        (organization_id,),
    )
    for table in ("enabled_services", "delegated_administrators", "resource_policies"):
        tx.execute(f"DELETE FROM {table} WHERE organization_id = ?", (organization_id,))
    for transfer in transfer_store.of_organization(tx, organization_id):
        other = (
            transfer.target_organization_id
            if transfer.source_organization_id == organization_id
            else transfer.source_organization_id
        )
        if store.sender(tx, other) is None:  # deleted before (module docstring)
            tag_store.delete_tags(tx, transfer.id)
            transfer_store.delete(tx, transfer.id)
