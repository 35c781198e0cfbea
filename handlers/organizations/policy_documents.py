"""Policies and policy targets as the operations find and answer them (organizations.md
P9, P10, P13, P16, C2, C5, C10).

- `find_policy`: a customer policy of the organization, or, in an organization with ALL
  features, an AWS-managed one (P13); anything else is None, which every operation
  answers with PolicyNotFoundException (C5: another organization's policy does not
  exist for the caller).
- `find_target`: the organization's root, one of its OUs or one of its accounts, matched
  whole (C9: `PolicyTargetId` is an unanchored pattern), by the id's kind (C10); None
  otherwise (TargetNotFoundException).
- `summary`, `policy_document`, `target_summary`: the response objects (P9, P16), built
  without validation (`documents`).

`require_policy`, `require_target` and `require_all_features` raise the operations'
answers (C6: the first sentence of each error shape's documentation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from generated.organizations.errors import (
    PolicyNotFoundException,
    PolicyTypeNotAvailableForOrganizationException,
    TargetNotFoundException,
)
from generated.organizations.models import Policy, PolicySummary, PolicyTargetSummary
from generated.organizations.shapes import PolicyType, TargetType
from handlers.organizations import documents, policy_store, tree_store
from handlers.organizations.arns import policy_arn, resource_arn
from handlers.organizations.aws_managed import MANAGED, ManagedPolicy
from handlers.organizations.tagging import TARGET_NOT_FOUND
from runtime.database import Row, Transaction

__all__ = [
    "FoundPolicy",
    "Target",
    "find_policy",
    "find_target",
    "require_all_features",
    "require_policy",
    "require_target",
    "policy_document",
    "stored_summary",
    "summary",
    "target_summary",
]

_ACCOUNT_ID: Final = re.compile(r"[0-9]{12}")

#: The first sentence of each error shape's documentation (C6).
POLICY_NOT_FOUND: Final = "We can't find a policy with the PolicyId that you specified."
NOT_AVAILABLE: Final = (
    "You can't use the specified policy type with the feature set currently enabled "
    "for this organization."
)


def require_all_features(org: Row) -> None:
    """P2 (V1 step 5): in a CONSOLIDATED_BILLING organization CreatePolicy and
    EnablePolicyType are PolicyTypeNotAvailableForOrganization."""
    if org["feature_set"] != "ALL":
        raise PolicyTypeNotAvailableForOrganizationException(NOT_AVAILABLE)


@dataclass(frozen=True)
class FoundPolicy:
    """A policy the caller's organization has: a customer one (`managed` None) or an
    AWS-managed one."""

    id: str
    policy_type: str
    name: str
    description: str
    content: str
    managed: ManagedPolicy | None = None

    @property
    def aws_managed(self) -> bool:
        return self.managed is not None


def find_policy(tx: Transaction, org: Row, policy_id: str) -> FoundPolicy | None:
    """P13: the organization's customer policy `policy_id`, or the AWS-managed one in
    an organization with ALL features (P10); None otherwise."""
    managed = MANAGED.get(policy_id)
    if managed is not None:
        if org["feature_set"] != "ALL":
            return None
        return FoundPolicy(
            managed.id,
            managed.policy_type,
            managed.name,
            managed.description,
            managed.content,
            managed,
        )
    row = policy_store.policy(tx, org["id"], policy_id)
    if row is None:
        return None
    return FoundPolicy(
        row["id"], row["policy_type"], row["name"], row["description"], row["content"]
    )


def require_policy(tx: Transaction, org: Row, policy_id: str) -> FoundPolicy:
    """`find_policy`, or PolicyNotFoundException (V1 step 7)."""
    found = find_policy(tx, org, policy_id)
    if found is None:
        raise PolicyNotFoundException(POLICY_NOT_FOUND)
    return found


def summary(
    org: Row, policy_id: str, policy_type: str, name: str, description: str
) -> PolicySummary:
    """P9's PolicySummary: Id, Arn, Name, Description, Type, AwsManaged."""
    return PolicySummary.model_construct(
        id=policy_id,
        arn=policy_arn(org, policy_type, policy_id),
        name=name,
        description=description,
        type_=documents.member(PolicyType, policy_type),
        aws_managed=policy_id in MANAGED,
    )


def stored_summary(
    org: Row, policy_type: str, policy_id: str, row: Row | None
) -> PolicySummary:
    """The summary of a listed policy: a customer policy's `name` and `description`
    (`row`, its stored columns), or the AWS-managed one's."""
    managed = MANAGED.get(policy_id)
    if managed is not None:
        return summary(org, policy_id, policy_type, managed.name, managed.description)
    assert row is not None, policy_id  # an attached customer policy exists
    return summary(org, policy_id, policy_type, row["name"], row["description"])


def policy_document(org: Row, found: FoundPolicy) -> Policy:
    """P9: the summary and the content, exactly as stored (P7)."""
    return Policy.model_construct(
        policy_summary=summary(
            org, found.id, found.policy_type, found.name, found.description
        ),
        content=found.content,
    )


@dataclass(frozen=True)
class Target:
    """A root, OU or account of the organization that policies attach to."""

    id: str
    type_: TargetType
    arn: str


def _kind(org: Row, target_id: str) -> TargetType | None:
    if target_id == org["root_id"]:
        return TargetType.ROOT
    if target_id.startswith("ou-"):
        return TargetType.ORGANIZATIONAL_UNIT
    if _ACCOUNT_ID.fullmatch(target_id):
        return TargetType.ACCOUNT
    return None


def find_target(tx: Transaction, org: Row, target_id: str) -> Target | None:
    """The root, an OU or an account of the organization (the management account
    included), matched whole; None otherwise (C5, C9, C10)."""
    kind = _kind(org, target_id)
    if kind is None:
        return None
    if kind == TargetType.ORGANIZATIONAL_UNIT:
        if tree_store.ou(tx, org["id"], target_id) is None:
            return None
    elif kind == TargetType.ACCOUNT:
        if tree_store.account_in(tx, org["id"], target_id) is None:
            return None
    return Target(target_id, kind, resource_arn(org, target_id))


def require_target(tx: Transaction, org: Row, target_id: str) -> Target:
    """`find_target`, or TargetNotFoundException (V1 step 7)."""
    target = find_target(tx, org, target_id)
    if target is None:
        raise TargetNotFoundException(TARGET_NOT_FOUND)
    return target


def target_summary(org: Row, target_id: str, named: Row | None) -> PolicyTargetSummary:
    """P16: a listed target (`policy_store.targets_of_policy`): TargetId, Arn, Name
    ("Root", or the OU's or account's `name` in `named`) and Type."""
    kind = _kind(org, target_id)
    assert kind is not None, target_id  # the store holds targets of the organization
    name = "Root" if named is None else named["name"]
    return PolicyTargetSummary.model_construct(
        target_id=target_id,
        arn=resource_arn(org, target_id),
        name=name,
        type_=kind,
    )
