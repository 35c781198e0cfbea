"""The delegation policy against a stored organization (organizations.md D11): whether a
document is acceptable for it, what the refusal says, and the ResourcePolicy object.
PutResourcePolicy (`resource_policy`) and the seed (`seed_delegation`) share them.

`document_problem` here is `delegation_policy.document_problem` with the organization's
ids and its members: the accounts of the organization but its management account.

DECIDED: the management account is not a member that a principal may name
(INVALID_PRINCIPAL). C4's "member" is any account of the organization but its management
account; a delegation gives members rights of the management account, and naming that
account would grant nothing.

DECIDED (C6): the model documents a sentence for INVALID_PRINCIPAL only ("You specified
an invalid principal element in the policy."); the sentences of
INVALID_RESOURCE_POLICY_JSON and the three UNSUPPORTED_…_IN_RESOURCE_POLICY Reasons are
ours (`SENTENCES`), worded as the documented ones are.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Final

from generated.organizations.errors import InvalidInputException
from generated.organizations.models import ResourcePolicy, ResourcePolicySummary
from generated.organizations.shapes import InvalidInputExceptionReason as Reason
from handlers.organizations import delegation_policy, resource_policy_store
from handlers.organizations.arns import resource_policy_arn
from runtime.database import Row, Transaction

__all__ = ["SENTENCES", "check_document", "document_problem", "resource_policy"]

#: C6: InvalidInputException's sentence for each Reason of D11's checks.
SENTENCES: Final = {
    Reason.INVALID_RESOURCE_POLICY_JSON: (
        "You provided a resource policy that is not a valid JSON policy document."
    ),
    Reason.INVALID_PRINCIPAL: (
        "You specified an invalid principal element in the policy."
    ),
    Reason.UNSUPPORTED_ACTION_IN_RESOURCE_POLICY: (
        "You specified an action that a resource policy does not support."
    ),
    Reason.UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY: (
        "You specified a resource that a resource policy does not support."
    ),
    Reason.UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY: (
        "You specified a policy type that a resource policy does not support."
    ),
}


def document_problem(tx: Transaction, org: Row, content: str) -> Reason | None:
    """D11's first problem with `content` as the delegation policy of `org` (a row with
    `id` and `management_account_id`), None when it is acceptable. The members are read
    once, when the first principal is judged."""

    @functools.cache
    def members() -> Collection[str]:
        return resource_policy_store.member_ids(
            tx, org["id"], org["management_account_id"]
        )

    return delegation_policy.document_problem(
        content,
        organization_id=org["id"],
        management_account_id=org["management_account_id"],
        is_member=lambda account_id: account_id in members(),
    )


def check_document(tx: Transaction, org: Row, content: str) -> None:
    """`document_problem`, raised: InvalidInputException with its Reason and sentence."""
    problem = document_problem(tx, org, content)
    if problem is not None:
        raise InvalidInputException(SENTENCES[problem], reason=problem)


def resource_policy(org: Row, policy_id: str, content: str) -> ResourcePolicy:
    """D11's ResourcePolicy: its summary (Id, Arn, C2) and its Content as stored."""
    return ResourcePolicy.model_construct(
        resource_policy_summary=ResourcePolicySummary.model_construct(
            id=policy_id, arn=resource_policy_arn(org, policy_id)
        ),
        content=content,
    )
