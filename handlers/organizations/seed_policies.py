"""The `--seed` sections of policies (organizations.md M8): customer policies with fixed
ids, content and timestamps, and attachments in their order. The root's enabled policy
types are the organization entry's `enabled_policy_types` (`seed`).

```json
{
  "policies": [
    {"id": "p-examplepolicyid111", "organization_id": "o-exampleorgid",
     "type": "SERVICE_CONTROL_POLICY", "name": "AllowAllS3Actions",
     "description": "Enables admins to delegate S3 permissions",
     "content": "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": ...}",
     "created": "2016-12-15T20:00:00Z"}
  ],
  "policy_attachments": [
    {"organization_id": "o-exampleorgid", "policy_id": "p-FullAWSAccess",
     "target_id": "r-examplerootid111"},
    {"organization_id": "o-exampleorgid", "policy_id": "p-examplepolicyid111",
     "target_id": "333333333333", "attached": "2016-12-16T00:00:00Z"}
  ]
}
```

`policies`: `id` (`p-` and 10 to 32 lowercase letters or digits, the form a customer
policy's ARN takes, C1, C2), `organization_id` (an organization with ALL features, P2),
`type`, `name` (unique within the organization and type, the AWS-managed policy's name
included, P7), `content` (valid for its type and within its size, P8, as CreatePolicy
would accept it); optional `description` (empty), `created` (the organization's creation;
ListPolicies' order, P14) and `content_changed` (`created`; E8).

`policy_attachments`, attached in the order listed, after the organization's earlier
ones (P15, P16): `organization_id`, `policy_id` (one of its policies, or an AWS-managed
one), `target_id` (its root, one of its OUs or accounts), and optional `attached` (the
organization's creation; E8). The policy's type must be enabled in the root. A seed is a
fixture: the counts of P17 and P18 are not checked (botocore's examples themselves show
accounts without an SCP).

**Defaults.** DECIDED: an organization for which the seed lists no attachment at all gets
what enabling its types through the API would have given (P4): FullAWSAccess (with SCPs
enabled) and RCPFullAWSAccess (with RCPs) attached to its root, every OU and every
account, in that order, at the organization's creation — as CreateOrganization (O1) and
the newcomers' defaults (P5) leave an organization built through the API. Listing any
attachment for an organization means the list is all it has. The rule applies to every
organization the database holds with such a type enabled and no attachment, which only a
seed can leave behind (through the API a root always keeps one SCP, P18), so loading
again changes nothing.

Loading is idempotent: policies already stored (by id) and attachments already made are
left as they are. A bad entry stops loading with one line naming it
(`policies[2]: ...`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from generated.organizations.shapes import PolicyType
from handlers.organizations import policy_store, store, tree_store
from handlers.organizations.aws_managed import DEFAULT_POLICY, MANAGED
from handlers.organizations.policy_types import content_problem, rules
from handlers.organizations.seeding import checked, millis, one_of, required
from runtime.database import Row, Transaction

__all__ = ["load_attachments", "load_policies"]

#: A customer policy's id as its ARN has it (the model's PolicyArn pattern).
_CUSTOMER_ID: Final = re.compile(r"p-[0-9a-z]{10,32}")

Entries = Sequence[tuple[str, dict[str, Any]]]


def _organization(tx: Transaction, entry: dict[str, Any], where: str) -> Row:
    organization_id = checked(
        "organization", required(entry, "organization_id", where), where
    )
    org = tx.one(
        "SELECT id, root_id, feature_set, created_at FROM organizations WHERE id = ?",
        (organization_id,),
    )
    if org is None:
        raise ValueError(f"seed: {where}: organization {organization_id!r} is unknown")
    return org


def _text(entry: dict[str, Any], member: str, where: str, low: int, high: int) -> str:
    value = entry.get(member, "") if low == 0 else required(entry, member, where)
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise ValueError(f"seed: {where}: {value!r} is not a policy {member}")
    return value


def load_policies(tx: Transaction, entries: Entries) -> None:
    """The `policies` section (module docstring)."""
    for where, entry in entries:
        _policy(tx, entry, where)


def _policy(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    policy_id = checked("policy", required(entry, "id", where), where)
    if not _CUSTOMER_ID.fullmatch(policy_id):
        raise ValueError(
            f"seed: {where}: {policy_id!r} is not a customer policy id"
            " ('p-' and 10 to 32 lowercase letters or digits)"
        )
    org = _organization(tx, entry, where)
    policy_type = one_of(
        "policy type", PolicyType, required(entry, "type", where), where
    )
    name = _text(entry, "name", where, 1, 128)
    description = _text(entry, "description", where, 0, 512)
    content = required(entry, "content", where)
    if not isinstance(content, str) or not content:
        raise ValueError(f"seed: {where}: the content is not a policy document")
    created = millis(entry.get("created"), int(org["created_at"]))
    changed = millis(entry.get("content_changed"), created)
    existing = tx.one("SELECT organization_id FROM policies WHERE id = ?", (policy_id,))
    if existing is not None:
        if existing["organization_id"] != org["id"]:
            raise ValueError(
                f"seed: {where}: {policy_id!r} belongs to another organization"
            )
        return
    if org["feature_set"] != "ALL":
        raise ValueError(
            f"seed: {where}: organization {org['id']!r} does not have all features"
        )
    if store.id_taken(tx, policy_id):
        raise ValueError(f"seed: {where}: {policy_id!r} is already another entity's id")
    if len(content) > rules(policy_type).max_size:
        raise ValueError(f"seed: {where}: the content is longer than a {policy_type}")
    problem = content_problem(policy_type, content)
    if problem is not None:
        raise ValueError(f"seed: {where}: {problem}")
    managed = MANAGED.get(rules(policy_type).aws_managed or "")
    if (managed is not None and managed.name == name) or policy_store.name_taken(
        tx, org["id"], policy_type, name
    ):
        raise ValueError(
            f"seed: {where}: a {policy_type} named {name!r} exists already"
        )
    policy_store.insert_policy(
        tx, policy_id, org["id"], policy_type, name, description, content, created
    )
    if changed != created:
        tx.execute(
            "UPDATE policies SET content_changed_at = ? WHERE id = ?",
            (changed, policy_id),
        )


def load_attachments(tx: Transaction, entries: Entries) -> None:
    """The `policy_attachments` section, then the defaults of the organizations that
    have none (module docstring)."""
    for where, entry in entries:
        _attachment(tx, entry, where)
    _defaults(tx)


def _attachment(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    org = _organization(tx, entry, where)
    policy_id = checked("policy", required(entry, "policy_id", where), where)
    target_id = checked("policy target", required(entry, "target_id", where), where)
    managed = MANAGED.get(policy_id)
    if managed is not None and org["feature_set"] == "ALL":
        policy_type = managed.policy_type
    else:
        row = policy_store.policy(tx, org["id"], policy_id)
        if row is None:
            raise ValueError(
                f"seed: {where}: {policy_id!r} is not a policy of {org['id']!r}"
            )
        policy_type = row["policy_type"]
    if not (
        target_id == org["root_id"]
        or tree_store.ou(tx, org["id"], target_id) is not None
        or tree_store.account_in(tx, org["id"], target_id) is not None
    ):
        raise ValueError(
            f"seed: {where}: {target_id!r} is not the root, an OU or an account of"
            f" {org['id']!r}"
        )
    if policy_type not in tree_store.enabled_policy_types(tx, org["id"]):
        raise ValueError(
            f"seed: {where}: {policy_type} is not enabled in {org['id']!r}'s root"
        )
    if policy_store.attached(tx, target_id, policy_id):
        return
    policy_store.attach(
        tx,
        org["id"],
        target_id,
        policy_id,
        policy_type,
        millis(entry.get("attached"), int(org["created_at"])),
    )


def _defaults(tx: Transaction) -> None:
    """P4's attachments for every organization with a type of `DEFAULT_POLICY`
    enabled and no attachment at all."""
    marks = ", ".join("?" for _ in DEFAULT_POLICY)
    bare = tx.all(
        "SELECT o.id, o.root_id, o.created_at, e.policy_type"
        " FROM organizations o JOIN enabled_policy_types e ON e.organization_id = o.id"
        f" WHERE e.policy_type IN ({marks}) AND NOT EXISTS"
        " (SELECT 1 FROM policy_attachments a WHERE a.organization_id = o.id)"
        " ORDER BY o.id, e.seq",
        tuple(DEFAULT_POLICY),
    )
    for org in bare:
        policy_store.attach_everywhere(
            tx,
            org["id"],
            org["root_id"],
            DEFAULT_POLICY[org["policy_type"]],
            org["policy_type"],
            int(org["created_at"]),
        )
