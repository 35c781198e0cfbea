"""Policies themselves (organizations.md §7): CreatePolicy (P7, P8), UpdatePolicy (P11),
DeletePolicy (P12), DescribePolicy (P13) and ListPolicies (P14), with the AWS-managed
FullAWSAccess and RCPFullAWSAccess (P10, `aws_managed`) beside the organization's
customer policies.

Who may call (Z1–Z6, matrix rows 26–30): the management account; delegates (DG) for all
five, delegated administrators (DA) for the two reads. Every operation checks in V1's
order, as V2's "Policy writes" row has it: input (the runtime); membership and role
(`_authorize`); the feature set (P2, CreatePolicy only); request checks (CreatePolicy's
content size, then syntax, then tags); the policy (PolicyNotFound, C5); the delegate's
fine check on the policy's ARN and type (`_check_delegate`, P20; for CreatePolicy the
ARN the new policy will have); the AWS-managed policy (IMMUTABLE_POLICY) and
UpdatePolicy's content; duplicates and use; the organization's number of policies.

Each write is one transaction that locks the organization's row first (C8), so that two
creations of one name, or one creation past the limit, cannot both pass their checks.

DECIDED: the AWS-managed policy's name is taken within its type (P7 "a policy of the same
Type with the same Name"): a customer SCP cannot be named FullAWSAccess, nor renamed so.
UpdatePolicy records a content change (E8) only when the new content differs from the
stored one.
"""

from __future__ import annotations

from typing import Final

from generated.organizations.errors import (
    ConstraintViolationException,
    DuplicatePolicyException,
    MalformedPolicyDocumentException,
    PolicyInUseException,
)
from generated.organizations.models import (
    CreatePolicyRequest,
    CreatePolicyResponse,
    DeletePolicyRequest,
    DescribePolicyRequest,
    DescribePolicyResponse,
    ListPoliciesRequest,
    ListPoliciesResponse,
    PolicySummary,
    UpdatePolicyRequest,
    UpdatePolicyResponse,
)
from generated.organizations.shapes import (
    ConstraintViolationExceptionReason as Constraint,
)
from handlers.organizations import policy_store, tag_store
from handlers.organizations.arns import policy_arn
from handlers.organizations.aws_managed import MANAGED, immutable_policy
from handlers.organizations.base import OrganizationsBase, unique_id
from handlers.organizations.policy_documents import (
    FoundPolicy,
    policy_document,
    require_all_features,
    require_policy,
    stored_summary,
)
from handlers.organizations.policy_types import content_problem, rules
from handlers.organizations.tagging import check_request_tag_count, validate_new_tags
from handlers.organizations.tree import CONSTRAINT_VIOLATION, DEFAULT_PAGE
from runtime.context import RequestContext
from runtime.database import Row, Transaction

__all__ = ["PolicyOperations", "check_content"]

#: The first sentence of each error shape's documentation (C6).
DUPLICATE_POLICY: Final = "A policy with the same name already exists."
POLICY_IN_USE: Final = "The policy is attached to one or more entities."


def check_content(policy_type: str, content: str) -> None:
    """P7, P8: `Content` longer than the type's maximum (characters as sent, before
    anything parses it) is ConstraintViolation POLICY_CONTENT_LIMIT_EXCEEDED; content
    that is not a valid document of the type is MalformedPolicyDocumentException, whose
    message names the first problem."""
    if len(content) > rules(policy_type).max_size:
        raise ConstraintViolationException(
            CONSTRAINT_VIOLATION, reason=Constraint.POLICY_CONTENT_LIMIT_EXCEEDED
        )
    problem = content_problem(policy_type, content)
    if problem is not None:
        raise MalformedPolicyDocumentException(problem)


def _name_taken(
    tx: Transaction,
    org: Row,
    policy_type: str,
    name: str,
    other_than: str | None = None,
) -> bool:
    """P7, P11: a customer policy of the type other than `other_than`, or the type's
    AWS-managed policy (module docstring), is named exactly `name`."""
    managed = MANAGED.get(rules(policy_type).aws_managed or "")
    if managed is not None and managed.name == name:
        return True
    return policy_store.name_taken(tx, org["id"], policy_type, name, other_than)


class PolicyOperations(OrganizationsBase):
    """CreatePolicy, UpdatePolicy, DeletePolicy, DescribePolicy, ListPolicies."""

    def _policy_limit(self, policy_type: str) -> int:
        """§13: customer SCPs per organization, or customer policies of another type."""
        if policy_type == "SERVICE_CONTROL_POLICY":
            return self.settings.scp_limit
        return self.settings.policy_limit

    def create_policy(
        self, context: RequestContext, request: CreatePolicyRequest
    ) -> CreatePolicyResponse:
        """P7: checks in order: the feature set (P2); the content's size, then its
        syntax (P8); the tags (T3, T6: all request checks, as for OUs); the delegate's
        check on the new policy's ARN; a policy of the type with the same name; the
        type's number of customer policies. The new policy is `p-` + 10 (C1), answered
        with its Content exactly as sent and AwsManaged false; the type need not be
        enabled in the root."""
        policy_type = str(request.type_)
        with self.transaction() as tx:
            access = self._authorize(tx, context, "CreatePolicy", lock=True)
            org = access.org
            require_all_features(org)  # step 5
            check_content(policy_type, request.content)
            validate_new_tags(request.tags or [])
            check_request_tag_count(request.tags or [])
            policy_id = unique_id(tx, "p-", 10)
            self._check_delegate(  # step 8
                access,
                "CreatePolicy",
                [policy_arn(org, policy_type, policy_id)],
                policy_type,
            )
            if _name_taken(tx, org, policy_type, request.name):  # step 10
                raise DuplicatePolicyException(DUPLICATE_POLICY)
            if policy_store.policy_count(  # step 11
                tx, org["id"], policy_type
            ) >= self._policy_limit(policy_type):
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Constraint.POLICY_NUMBER_LIMIT_EXCEEDED
                )
            policy_store.insert_policy(
                tx,
                policy_id,
                org["id"],
                policy_type,
                request.name,
                request.description,
                request.content,
                self.now_ms(),
            )
            tag_store.add_tags(tx, policy_id, request.tags or [])
            created = FoundPolicy(
                policy_id,
                policy_type,
                request.name,
                request.description,
                request.content,
            )
            return CreatePolicyResponse.model_construct(
                policy=policy_document(org, created)
            )

    def update_policy(
        self, context: RequestContext, request: UpdatePolicyRequest
    ) -> UpdatePolicyResponse:
        """P11: checks in order: the policy (PolicyNotFound); the delegate's check on
        its ARN and type; AWS-managed (IMMUTABLE_POLICY); Content, as P7 checks it,
        against the stored type; a Name another policy of the type has
        (DuplicatePolicy). Absent members stay as they are, so a call with none returns
        the policy unchanged; the type never changes. Attached policies may change."""
        with self.transaction() as tx:
            access = self._authorize(tx, context, "UpdatePolicy", lock=True)
            org = access.org
            found = require_policy(tx, org, request.policy_id)  # step 7
            self._check_delegate(
                access,
                "UpdatePolicy",
                [policy_arn(org, found.policy_type, found.id)],
                found.policy_type,
            )
            if found.aws_managed:  # step 9
                raise immutable_policy()
            if request.content is not None:
                check_content(found.policy_type, request.content)
            name = found.name if request.name is None else request.name
            if name != found.name and _name_taken(  # step 10
                tx, org, found.policy_type, name, found.id
            ):
                raise DuplicatePolicyException(DUPLICATE_POLICY)
            updated = FoundPolicy(
                found.id,
                found.policy_type,
                name,
                (
                    found.description
                    if request.description is None
                    else request.description
                ),
                found.content if request.content is None else request.content,
            )
            if updated != found:
                policy_store.update_policy(
                    tx,
                    found.id,
                    updated.name,
                    updated.description,
                    updated.content,
                    self.now_ms() if updated.content != found.content else None,
                )
            return UpdatePolicyResponse.model_construct(
                policy=policy_document(org, updated)
            )

    def delete_policy(
        self, context: RequestContext, request: DeletePolicyRequest
    ) -> None:
        """P12: checks in order: the policy (PolicyNotFound); the delegate's check;
        AWS-managed (IMMUTABLE_POLICY); attached anywhere (PolicyInUse). The policy goes
        with its tags (T7); response `{}`."""
        with self.transaction() as tx:
            access = self._authorize(tx, context, "DeletePolicy", lock=True)
            org = access.org
            found = require_policy(tx, org, request.policy_id)
            self._check_delegate(
                access,
                "DeletePolicy",
                [policy_arn(org, found.policy_type, found.id)],
                found.policy_type,
            )
            if found.aws_managed:
                raise immutable_policy()
            if policy_store.in_use(tx, org["id"], found.id):
                raise PolicyInUseException(POLICY_IN_USE)
            policy_store.delete_policy(tx, found.id)

    def describe_policy(
        self, context: RequestContext, request: DescribePolicyRequest
    ) -> DescribePolicyResponse:
        """P13: a customer policy of the caller's organization or, with ALL features,
        an AWS-managed one, with its content; anything else is PolicyNotFound (C5)."""
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "DescribePolicy")
            org = access.org
            found = require_policy(tx, org, request.policy_id)
            self._check_delegate(
                access,
                "DescribePolicy",
                [policy_arn(org, found.policy_type, found.id)],
                found.policy_type,
            )
            return DescribePolicyResponse.model_construct(
                policy=policy_document(org, found)
            )

    def list_policies(
        self, context: RequestContext, request: ListPoliciesRequest
    ) -> ListPoliciesResponse:
        """P14: summaries (no content) of the organization's customer policies of the
        type `Filter`, by creation time then id (L3), then the type's AWS-managed one
        (with ALL features): last, on the page after the last customer policy. A
        CONSOLIDATED_BILLING organization has none (P2). The delegate's check is on the
        organization's ARN (P20)."""
        policy_type = str(request.filter)
        limit = request.max_results or DEFAULT_PAGE
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListPolicies")
            org = access.org
            binding = self._binding("ListPolicies", access, policy_type)
            after = self._page_after(binding, request.next_token)
            self._check_delegate(access, "ListPolicies", None, policy_type)
            rows = policy_store.policies_of_type(
                tx, org["id"], policy_type, after, limit + 1
            )
            found: list[PolicySummary] = [
                stored_summary(org, policy_type, row["id"], row) for row in rows
            ]
            keys = [(row["created_at"], row["id"]) for row in rows]
            managed = rules(policy_type).aws_managed
            if (
                managed is not None
                and len(rows) <= limit
                and org["feature_set"] == "ALL"
            ):
                found.append(stored_summary(org, policy_type, managed, None))
                keys.append((0, managed))  # last: never a token's position
            return ListPoliciesResponse.model_construct(
                policies=found[:limit],
                next_token=self._next_token(binding, keys, limit),
            )
