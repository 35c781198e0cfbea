"""SQL for an organization's end and its accounts leaving it (organizations.md O5, H4,
A18): rows in, rows out, no business rules (as `store`)."""

from __future__ import annotations

from runtime.database import Row, Transaction

__all__ = [
    "delete_organization_contents",
    "detach_account",
    "former_sender",
    "retire_organization",
]


def delete_organization_contents(
    tx: Transaction, organization_id: str, root_id: str | None, management: str
) -> None:
    """What the organization owns (O5): its OUs, the tags of its root, its OUs and its
    management account (T7), its create-account statuses and the root's enabled
    policy types. Handshakes stay (R7, H4)."""
    tx.execute(
        "DELETE FROM tags WHERE resource_id IN"
        " (SELECT id FROM organizational_units WHERE organization_id = ?)",
        (organization_id,),
    )
    tx.execute(
        "DELETE FROM tags WHERE resource_id IN (?, ?)", (root_id or "", management)
    )
    tx.execute(
        "DELETE FROM organizational_units WHERE organization_id = ?", (organization_id,)
    )
    tx.execute(
        "DELETE FROM create_account_requests WHERE organization_id = ?",
        (organization_id,),
    )
    tx.execute(
        "DELETE FROM enabled_policy_types WHERE organization_id = ?", (organization_id,)
    )


def detach_account(tx: Transaction, account_id: str) -> None:
    """The account is standalone: no organization, parent, joining or tags."""
    tx.execute(
        "UPDATE accounts SET organization_id = NULL, joined_method = NULL,"
        " joined_at = NULL, parent_id = NULL, tags = NULL WHERE id = ?",
        (account_id,),
    )


#: Separates a deleted organization's management account id from its own id in
#: `organizations.management_account_id` (`retire_organization`).
_RETIRED = "/"


def retire_organization(tx: Transaction, organization_id: str) -> None:
    """A deleted organization's row stays, so that the handshakes it sent keep their
    sender until R7 purges them (H4) and its ids, root's included, are never reused
    (C1). DECIDED (migration 3 keeps `management_account_id` UNIQUE and adds no
    "deleted" column): its management account id becomes `<account id>/<organization
    id>`, which frees the account to create another organization, matches no account
    (so `sender` and every join by account find nothing) and still names the account
    (`former_sender`)."""
    tx.execute(
        "UPDATE organizations SET management_account_id ="
        " management_account_id || ? || id WHERE id = ?",
        (_RETIRED, organization_id),
    )


def former_sender(tx: Transaction, organization_id: str) -> Row | None:
    """A deleted organization as `sender` reads a live one: its management account's
    id, name and email (H4: recipients still see what it sent)."""
    org = tx.one(
        "SELECT id, management_account_id, feature_set FROM organizations WHERE id = ?",
        (organization_id,),
    )
    if org is None or _RETIRED not in org["management_account_id"]:
        return None
    management = org["management_account_id"].split(_RETIRED, 1)[0]
    person = tx.one("SELECT name, email FROM accounts WHERE id = ?", (management,))
    return {
        "id": org["id"],
        "management_account_id": management,
        "feature_set": org["feature_set"],
        "management_name": person["name"] if person else "",
        "management_email": person["email"] if person else "",
    }
