"""Tags (organizations.md §10): TagResource (T3), UntagResource (T4) and
ListTagsForResource (T5), on the resources T1 names (customer policies included; the
AWS-managed ones refuse TagResource and UntagResource with IMMUTABLE_POLICY, P10, and
list no tags, DECIDED); and the checks every operation that
takes tags at creation shares (T6): `validate_new_tags`, `check_tag_limit`, then
`tag_store.add_tags`.

For a create operation (CreateAccount, CreateOrganizationalUnit, CreatePolicy, ...):

    validate_new_tags(request.tags or [])            # V1 step 6: request-only checks
    ...                                              # step 7: the parent, ...
    check_tag_limit(tx, new_id, request.tags or [])  # step 11: 50 per resource
    ...                                              # create the entity, then
    tag_store.add_tags(tx, new_id, request.tags or [])

Who may call (Z1–Z6, `_authorize`): the management account; delegated administrators
(ListTagsForResource) and delegates (all three). Z3 (closed callers) is the shared
caller check's. A delegate's fine check (V1 step 8, D12) is on the tagged resource's ARN
(`arns.resource_arn`) [DECIDED: P20 lists the policy operations' resources; a tag
operation acts on the resource it names, as IAM's TagResource does]. A responsibility
transfer's tags are for the management account of either side only (§2 rows 48–50, X7):
a transfer the caller's organization is no side of is TargetNotFound (step 7), and a
delegated administrator or delegate of either side is then AccessDenied (step 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from generated.organizations.errors import (
    AccessDeniedException,
    ConstraintViolationException,
    InvalidInputException,
    TargetNotFoundException,
)
from generated.organizations.models import (
    ListTagsForResourceRequest,
    ListTagsForResourceResponse,
    Tag,
    TagResourceRequest,
    UntagResourceRequest,
)
from generated.organizations.shapes import (
    ConstraintViolationExceptionReason as Violation,
)
from generated.organizations.shapes import InvalidInputExceptionReason as InputReason
from handlers.organizations import documents, policy_store, tag_store, transfer_store
from handlers.organizations.access import Role
from handlers.organizations.arns import resource_arn
from handlers.organizations.aws_managed import MANAGED, immutable_policy
from handlers.organizations.base import Access, OrganizationsBase
from handlers.organizations.errors import ACCESS_DENIED
from runtime.context import RequestContext
from runtime.database import Row, Transaction

__all__ = [
    "TAG_LIMIT",
    "DUPLICATE_TAG_KEY",
    "SYSTEM_TAG",
    "TARGET_NOT_FOUND",
    "TOO_MANY_TAGS",
    "TagOperations",
    "check_request_tag_count",
    "check_tag_limit",
    "validate_new_tags",
]

#: Tags per resource (T3, §13 limits: 50).
TAG_LIMIT: Final = 50
#: The first sentence of TargetNotFoundException's documentation (C6).
TARGET_NOT_FOUND: Final = (
    "We can't find a root, OU, account, or policy with the TargetId that you specified."
)
#: C6: the one place that words T3's failures, for every operation that takes tags
#: (TagResource, UntagResource, CreateOrganizationalUnit, CreateAccount, CreatePolicy,
#: InviteAccountToOrganization). InvalidInputException carries its Reason's sentence
#: (the first sentence of the Reason's text in the error's documentation, R8);
#: ConstraintViolationException the first sentence of its shape's documentation.
DUPLICATE_TAG_KEY: Final = (
    "Tag keys must be unique among the tags attached to the same entity."
)
SYSTEM_TAG: Final = "You specified a tag key that is a system tag."
TOO_MANY_TAGS: Final = (
    "Performing this operation violates a minimum or maximum value limit."
)


def _system_key(key: str) -> bool:
    """T3, T4: a key starting with `aws:`, in any case, is AWS's."""
    return key[:4].lower() == "aws:"


def validate_new_tags(tags: Sequence[Tag]) -> None:
    """T3's request-only checks, in order, over the whole list: a key given twice
    (case-sensitive) is InvalidInput DUPLICATE_TAG_KEY, then a key starting with `aws:`
    (any case) INVALID_SYSTEM_TAGS_PARAMETER. Lengths
    and patterns were checked by the runtime (T2, R8)."""
    keys = [tag.key for tag in tags]
    if len(set(keys)) != len(keys):
        raise InvalidInputException(
            DUPLICATE_TAG_KEY, reason=InputReason.DUPLICATE_TAG_KEY
        )
    if any(_system_key(key) for key in keys):
        raise InvalidInputException(
            SYSTEM_TAG, reason=InputReason.INVALID_SYSTEM_TAGS_PARAMETER
        )


def check_tag_limit(tx: Transaction, resource_id: str, tags: Sequence[Tag]) -> None:
    """T3: more than 50 tags on the resource once `tags` are set (keys it has keep
    their place, new ones add) is ConstraintViolation MAX_TAG_LIMIT_EXCEEDED. For a
    resource being created pass its new id (it has none yet)."""
    keys = {key for key, _ in tag_store.tags_of(tx, resource_id)}
    keys.update(tag.key for tag in tags)
    if len(keys) > TAG_LIMIT:
        raise ConstraintViolationException(
            TOO_MANY_TAGS, reason=Violation.MAX_TAG_LIMIT_EXCEEDED
        )


def check_request_tag_count(tags: Sequence[Tag]) -> None:
    """T3's limit for a resource being created, which has no stored tags: more than 50
    in the request is ConstraintViolation MAX_TAG_LIMIT_EXCEEDED."""
    if len(tags) > TAG_LIMIT:
        raise ConstraintViolationException(
            TOO_MANY_TAGS, reason=Violation.MAX_TAG_LIMIT_EXCEEDED
        )


def _policy_type(tx: Transaction, org: Row, resource_id: str) -> str | None:
    """The type of the policy `resource_id` names (AWS-managed or the organization's);
    None for any other resource."""
    managed = MANAGED.get(resource_id)
    if managed is not None:
        return managed.policy_type
    if not resource_id.startswith("p-"):
        return None
    row = policy_store.policy(tx, org["id"], resource_id)
    return None if row is None else str(row["policy_type"])


class TagOperations(OrganizationsBase):
    """TagResource, UntagResource, ListTagsForResource."""

    def start(self, tx: Transaction) -> None:
        """The base's start-up (R1), then tags an accepted invitation stored in the
        legacy `accounts.tags` column move into the tags table (`tag_store`)."""
        super().start(tx)
        tag_store.adopt_legacy(tx)

    # -- which ids are taggable (T1) ---------------------------------------------------

    def _check_taggable(self, tx: Transaction, org: Row, resource_id: str) -> bool:
        """T1, C5, C9, C10: the organization's root, one of its OUs, one of its
        accounts (the management account included), one of its customer policies or
        its delegation policy (D11), or a responsibility transfer of either side that
        is not gone (X7, X11); an AWS-managed policy, in an organization with ALL
        features (P10), answers True: it exists but takes no tags. Anything else —
        another organization's, unknown — is TargetNotFound. The id is matched whole:
        the model's pattern is an unanchored alternative (C9)."""
        if resource_id in MANAGED and org["feature_set"] == "ALL":
            return True
        if resource_id.startswith(transfer_store.ID_PREFIX):
            now = self.now_ms()
            if transfer_store.visible(tx, self.db, org["id"], resource_id, now) is None:
                raise TargetNotFoundException(TARGET_NOT_FOUND)
            return False
        if not tag_store.taggable_in(tx, org["id"], org["root_id"], resource_id):
            raise TargetNotFoundException(TARGET_NOT_FOUND)
        return False

    def _check_tag_delegate(
        self, tx: Transaction, access: Access, operation: str, resource_id: str
    ) -> None:
        """V1 step 8 (Z6, D12) for a tag operation: a delegate's request is judged on
        the tagged resource's ARN (module docstring) and, for a policy, on its type as
        `organizations:PolicyType` (DECIDED: tagging a policy involves its type, as
        AWS's delegation examples grant TagResource for one type's policies). Only a
        delegate's is worked out: the others pass `_check_delegate` whatever it is.
        A transfer's tags are for its sides' management accounts alone (§2 rows
        48–50): a delegated administrator or delegate is AccessDenied."""
        if resource_id.startswith(transfer_store.ID_PREFIX):
            if access.role is not Role.MANAGEMENT:
                raise AccessDeniedException(ACCESS_DENIED)
            return
        if access.role is not Role.DELEGATE:
            return
        policy_type = _policy_type(tx, access.org, resource_id)
        self._check_delegate(
            access,
            operation,
            [resource_arn(access.org, resource_id, policy_type)],
            policy_type,
        )

    # -- the operations -------------------------------------------------------------

    def tag_resource(
        self, context: RequestContext, request: TagResourceRequest
    ) -> None:
        """T3: set every tag or none; an existing key takes the new value and keeps its
        place; an empty list changes nothing (DECIDED); response `{}`."""
        with self.transaction() as tx:
            # The organization row's lock orders concurrent tag writes (C8, R13): the
            # count of step 11 and the new keys' `seq` are decided by one writer.
            access = self._authorize(tx, context, "TagResource", lock=True)  # 2-4
            org = access.org
            validate_new_tags(request.tags)  # step 6
            managed = self._check_taggable(tx, org, request.resource_id)  # step 7
            self._check_tag_delegate(tx, access, "TagResource", request.resource_id)
            if managed:  # step 9 (P10)
                raise immutable_policy()
            tag_store.adopt_legacy(tx, request.resource_id)
            check_tag_limit(tx, request.resource_id, request.tags)  # step 11
            tag_store.put_tags(tx, request.resource_id, request.tags)

    def untag_resource(
        self, context: RequestContext, request: UntagResourceRequest
    ) -> None:
        """T4: an `aws:` key is INVALID_SYSTEM_TAGS_PARAMETER; keys the resource does
        not have are ignored (DECIDED); response `{}`."""
        with self.transaction() as tx:
            access = self._authorize(tx, context, "UntagResource", lock=True)
            org = access.org
            if any(_system_key(key) for key in request.tag_keys):
                raise InvalidInputException(
                    SYSTEM_TAG, reason=InputReason.INVALID_SYSTEM_TAGS_PARAMETER
                )
            managed = self._check_taggable(tx, org, request.resource_id)
            self._check_tag_delegate(tx, access, "UntagResource", request.resource_id)
            if managed:  # DECIDED: removing tags changes the policy too (P10)
                raise immutable_policy()
            tag_store.adopt_legacy(tx, request.resource_id)
            tag_store.remove_tags(tx, request.resource_id, request.tag_keys)

    def list_tags_for_resource(
        self, context: RequestContext, request: ListTagsForResourceRequest
    ) -> ListTagsForResourceResponse:
        """T5, L6: every tag, in the order its key was first set, in one answer without
        NextToken; since none is ever issued, a NextToken sent is INVALID_NEXT_TOKEN
        (after the caller's checks, before the resource's)."""
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListTagsForResource")
            org = access.org
            if request.next_token is not None:
                raise self.errors.invalid_token()
            managed = self._check_taggable(tx, org, request.resource_id)
            self._check_tag_delegate(
                tx, access, "ListTagsForResource", request.resource_id
            )
            # DECIDED: an AWS-managed policy exists (P13) and has no tags: a read.
            tags = [] if managed else tag_store.tags_of(tx, request.resource_id)
            return ListTagsForResourceResponse.model_construct(
                tags=documents.tags([{"Key": k, "Value": v} for k, v in tags])
            )
