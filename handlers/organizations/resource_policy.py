"""The organization's delegation policy (organizations.md §9, D11–D14): PutResourcePolicy,
DescribeResourcePolicy, DeleteResourcePolicy.

The delegation policy is the one resource-based policy of an organization: its
statements name member accounts that may call operations otherwise reserved to the
management account (Z5). `OrganizationsBase._authorize` reads it on every request of a
member (the coarse check, Z6), `_check_delegate` evaluates it against the request's
resources (the fine check, D12); both read the stored content, so a Put or a Delete
changes who may do what from the next request on (D14: "its grants end at once").

Who may call (matrix rows 45–47): the management account writes; it, delegated
administrators and delegates read (DescribeResourcePolicy). Each call checks in V1's
order, as V2's "Delegation policy" row has it:

- **PutResourcePolicy** (D11): the caller (steps 2–4); ALL features (D2, step 5,
  ConstraintViolation ORGANIZATION_NOT_IN_ALL_FEATURES_MODE, as every write of §9:
  `service_access.require_all_features`); the document
  (`resource_policy_documents.check_document`, step 6), then the tags' request checks (T3:
  DUPLICATE_TAG_KEY, INVALID_SYSTEM_TAGS_PARAMETER); then whether the organization has a
  policy already: a replacement keeps its id and ARN and refuses any tag (steps 9–10:
  InvalidInputException without a Reason, D11's message); a creation takes an `rp-` id
  (C1) and its tags, at most 50 (T3, T6, step 11). Response `{"ResourcePolicy":
  {"ResourcePolicySummary": {Id, Arn}, "Content"}}`, Content exactly as sent.
- **DescribeResourcePolicy** (D13): no policy is ResourcePolicyNotFound (step 7); a
  delegate's fine check is on the policy's own ARN (step 8).
- **DeleteResourcePolicy** (D14): D2; no policy is ResourcePolicyNotFound; the policy and
  its tags go; response `{}`.

Each write is one transaction that locks the organization's row first (C8): two racing
first Puts make one policy, the later one a replacement.

DECIDED (the document's checks and messages: `resource_policy_documents`):

- `Tags: []` on a replacement names no tag, so it is accepted (as T3's empty list
  changes nothing); a replacement keeps the tags the policy has.
- A delegate's DescribeResourcePolicy is checked against the delegation policy's ARN
  (the resource it reads; P20 names none for it).
- DeleteResourcePolicy is a write of §9, so D2 applies to it as to Put (a
  CONSOLIDATED_BILLING organization can have no policy anyway: it cannot be put there,
  and a seed refuses one).
"""

from __future__ import annotations

from typing import Final

from generated.organizations.errors import (
    InvalidInputException,
    ResourcePolicyNotFoundException,
)
from generated.organizations.models import (
    DescribeResourcePolicyResponse,
    PutResourcePolicyRequest,
    PutResourcePolicyResponse,
)
from handlers.organizations import resource_policy_store, tag_store
from handlers.organizations.arns import resource_policy_arn
from handlers.organizations.base import OrganizationsBase, unique_id
from handlers.organizations.resource_policy_documents import (
    check_document,
    resource_policy,
)
from handlers.organizations.service_access import require_all_features
from handlers.organizations.tagging import check_request_tag_count, validate_new_tags
from runtime.context import RequestContext
from runtime.model import Empty

__all__ = ["ResourcePolicyOperations"]

#: The first sentence of ResourcePolicyNotFoundException's documentation (C6).
NOT_FOUND: Final = (
    "We can't find a resource policy request with the parameter that you specified."
)
#: D11, quoted: tags on a replacement.
TAGS_ON_REPLACEMENT: Final = (
    "Tags can be specified only when the resource policy is created."
)


class ResourcePolicyOperations(OrganizationsBase):
    """PutResourcePolicy, DescribeResourcePolicy, DeleteResourcePolicy."""

    def put_resource_policy(
        self, context: RequestContext, request: PutResourcePolicyRequest
    ) -> PutResourcePolicyResponse:
        """D11 in V1's order (module docstring): the first Put creates the policy, a
        later one replaces its Content and keeps its id, ARN and tags."""
        with self.transaction() as tx:
            org = self._authorize(tx, context, "PutResourcePolicy", lock=True).org
            require_all_features(org)  # step 5
            check_document(tx, org, request.content)  # step 6
            validate_new_tags(request.tags or [])
            now = self.now_ms()
            existing = resource_policy_store.policy(tx, org["id"])  # step 7
            if existing is not None:
                if request.tags:  # step 10
                    raise InvalidInputException(TAGS_ON_REPLACEMENT)
                resource_policy_store.replace(tx, org["id"], request.content, now)
                policy_id = str(existing["id"])
            else:
                check_request_tag_count(request.tags or [])  # step 11
                policy_id = unique_id(tx, "rp-", 10)
                resource_policy_store.insert(
                    tx, org["id"], policy_id, request.content, now
                )
                tag_store.add_tags(tx, policy_id, request.tags or [])
            return PutResourcePolicyResponse.model_construct(
                resource_policy=resource_policy(org, policy_id, request.content)
            )

    def describe_resource_policy(
        self, context: RequestContext, request: Empty
    ) -> DescribeResourcePolicyResponse:
        """D13: the organization's delegation policy; none is ResourcePolicyNotFound."""
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "DescribeResourcePolicy")
            org = access.org
            row = resource_policy_store.policy(tx, org["id"])
            if row is None:  # step 7
                raise ResourcePolicyNotFoundException(NOT_FOUND)
            self._check_delegate(  # step 8, on the policy's own ARN (DECIDED)
                access,
                "DescribeResourcePolicy",
                [resource_policy_arn(org, str(row["id"]))],
            )
            return DescribeResourcePolicyResponse.model_construct(
                resource_policy=resource_policy(
                    org, str(row["id"]), str(row["content"])
                )
            )

    def delete_resource_policy(self, context: RequestContext, request: Empty) -> None:
        """D14: the policy and its tags go; the grants end with it (the next request
        finds no policy); response `{}`."""
        with self.transaction() as tx:
            org = self._authorize(tx, context, "DeleteResourcePolicy", lock=True).org
            require_all_features(org)  # step 5
            row = resource_policy_store.policy(tx, org["id"])
            if row is None:  # step 7
                raise ResourcePolicyNotFoundException(NOT_FOUND)
            tag_store.delete_tags(tx, str(row["id"]))
            resource_policy_store.delete(tx, org["id"])
