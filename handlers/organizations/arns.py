"""ARNs of an organization's entities (organizations.md C2), and the ARN of a resource
named by its id alone (C10), for the delegate's fine check (V1 step 8, D12, P20).

`M` is the management account's id and `O` the organization's, both from `org` (a row
with `id`, `management_account_id` and `root_id`, as `store.organization` reads it):

| entity | ARN |
|---|---|
| the organization | `arn:aws:organizations::M:organization/O` (`documents`) |
| an account | `arn:aws:organizations::M:account/O/<account id>` (`documents`) |
| the root | `arn:aws:organizations::M:root/O/<root id>` |
| an OU | `arn:aws:organizations::M:ou/O/<ou id>` |
| a customer policy | `arn:aws:organizations::M:policy/O/<type lowercased>/<policy id>` |
| an AWS-managed policy | `arn:aws:organizations::aws:policy/<type lowercased>/<policy id>` |
| the delegation policy | `arn:aws:organizations::M:resourcepolicy/O/<rp id>` |

`resource_arn` picks the row by the id's kind (C10): the root by its id, `ou-` an OU,
twelve digits an account, `rp-` the delegation policy, `p-` a policy (whose type the
caller read). Transfers are not here: their ARN depends on the side that reads it (X6),
and only the management accounts of either side may touch them (X7), so no delegate's
check ever needs one.
"""

from __future__ import annotations

from handlers.organizations.aws_managed import MANAGED
from handlers.organizations.documents import account_arn, organization_arn
from runtime.database import Row

__all__ = [
    "account_arn",
    "organization_arn",
    "ou_arn",
    "policy_arn",
    "resource_arn",
    "resource_policy_arn",
    "root_arn",
]


def _prefix(org: Row) -> str:
    return f"arn:aws:organizations::{org['management_account_id']}"


def root_arn(org: Row) -> str:
    """The organization's root."""
    return f"{_prefix(org)}:root/{org['id']}/{org['root_id']}"


def ou_arn(org: Row, ou_id: str) -> str:
    """One of the organization's OUs."""
    return f"{_prefix(org)}:ou/{org['id']}/{ou_id}"


def policy_arn(org: Row, policy_type: str, policy_id: str) -> str:
    """A customer policy of the organization, or an AWS-managed one (which names no
    account and no organization, P10)."""
    managed = MANAGED.get(policy_id)
    if managed is not None:
        return managed.arn
    return f"{_prefix(org)}:policy/{org['id']}/{policy_type.lower()}/{policy_id}"


def resource_policy_arn(org: Row, policy_id: str) -> str:
    """The organization's delegation policy (D11)."""
    return f"{_prefix(org)}:resourcepolicy/{org['id']}/{policy_id}"


def resource_arn(org: Row, resource_id: str, policy_type: str | None = None) -> str:
    """The ARN of the organization's root, OU, account, policy (`policy_type` is its
    type; an AWS-managed policy's is known) or delegation policy `resource_id`, by the
    kind its id names (C10). The caller has checked that the entity exists; any other
    kind of id is a programming error (ValueError)."""
    if resource_id == org["root_id"]:
        return root_arn(org)
    if resource_id.startswith("ou-"):
        return ou_arn(org, resource_id)
    if resource_id.isascii() and resource_id.isdigit() and len(resource_id) == 12:
        return account_arn(org, resource_id)
    if resource_id.startswith("rp-"):
        return resource_policy_arn(org, resource_id)
    if resource_id in MANAGED:
        return MANAGED[resource_id].arn
    if resource_id.startswith("p-") and policy_type is not None:
        return policy_arn(org, policy_type, resource_id)
    raise ValueError(f"no ARN for {resource_id!r}")
