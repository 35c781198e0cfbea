"""Where policies apply (organizations.md §7): EnablePolicyType (P3, P4) and
DisablePolicyType (P6) in the root, AttachPolicy (P17), DetachPolicy (P18),
ListPoliciesForTarget (P15) and ListTargetsForPolicy (P16).

Who may call (Z1–Z6, matrix rows 24, 25, 31–34): the management account; delegates (DG)
for all six, delegated administrators (DA) for the two listings. Checks in V1's order:
input (the runtime); membership and role (`_authorize`); the feature set (P2,
EnablePolicyType only); the policy, then the target or root (NotFound, C5, C9, C10); the
delegate's fine check (`_check_delegate`) on P20's resources — the policy's and the
target's ARNs for Attach/DetachPolicy, the root's for Enable/DisablePolicyType, the
target's for ListPoliciesForTarget, the policy's for ListTargetsForPolicy — and the type
involved; then state conflicts and limits.

Each write is one transaction that locks the organization's row first (C8): two
attachments racing for a target's last place, or two detachments of its last two SCPs,
are decided one after the other, so a target never holds more than the type's maximum
(P17) nor fewer than its minimum (P18).

The type's limits are P1's (`policy_types`); the maximum per target can be changed per
type by the `attachment_limits` setting (M7). AWS-managed policies count toward it.
Policy types switch at once (M4): no PENDING_ENABLE or PENDING_DISABLE, and
PolicyChangesInProgressException is never produced.
"""

from __future__ import annotations

from typing import Final

from generated.organizations.errors import (
    ConstraintViolationException,
    DuplicatePolicyAttachmentException,
    InvalidInputException,
    PolicyNotAttachedException,
    PolicyTypeAlreadyEnabledException,
    PolicyTypeNotEnabledException,
    RootNotFoundException,
)
from generated.organizations.models import (
    AttachPolicyRequest,
    DetachPolicyRequest,
    DisablePolicyTypeRequest,
    DisablePolicyTypeResponse,
    EnablePolicyTypeRequest,
    EnablePolicyTypeResponse,
    ListPoliciesForTargetRequest,
    ListPoliciesForTargetResponse,
    ListTargetsForPolicyRequest,
    ListTargetsForPolicyResponse,
)
from generated.organizations.shapes import (
    ConstraintViolationExceptionReason as Constraint,
)
from generated.organizations.shapes import InvalidInputExceptionReason as InputReason
from handlers.organizations import policy_store, tree_store
from handlers.organizations.arns import policy_arn, root_arn
from handlers.organizations.aws_managed import DEFAULT_POLICY
from handlers.organizations.base import Access, OrganizationsBase
from handlers.organizations.policy_documents import (
    FoundPolicy,
    Target,
    require_all_features,
    require_policy,
    require_target,
    stored_summary,
    target_summary,
)
from handlers.organizations.policy_types import attachment_limit, rules
from handlers.organizations.tree import (
    CONSTRAINT_VIOLATION,
    DEFAULT_PAGE,
    root_document,
)
from runtime.context import RequestContext
from runtime.database import Row, Transaction

__all__ = ["AttachmentOperations"]

#: The first sentence of each error shape's documentation or Reason (C6); the quoted
#: ones (C6) exactly.
ROOT_NOT_FOUND: Final = "We can't find a root with the RootId that you specified."
ALREADY_ENABLED: Final = (
    "The specified policy type is already enabled in the specified root."
)
NOT_ENABLED: Final = "The specified policy type isn't currently enabled in this root."
DUPLICATE_ATTACHMENT: Final = (
    "A policy with the specified name and type already exists."
)
NOT_ATTACHED: Final = (
    "The policy isn't attached to the specified target in the specified root."
)
TOO_MANY_ATTACHED: Final = (
    "You have attached the maximum number of policies to the specified target."
)
NON_DETACHABLE: Final = "You can't detach this Amazon Web Services Managed Policy."


def _check_root(org: Row, root_id: str) -> None:
    """P3, P6: anything but the organization's root is RootNotFound (C5)."""
    if root_id != org["root_id"]:
        raise RootNotFoundException(ROOT_NOT_FOUND)


class AttachmentOperations(OrganizationsBase):
    """EnablePolicyType, DisablePolicyType, AttachPolicy, DetachPolicy,
    ListPoliciesForTarget, ListTargetsForPolicy."""

    # -- the root's policy types (P3–P6) --------------------------------------------------

    def enable_policy_type(
        self, context: RequestContext, request: EnablePolicyTypeRequest
    ) -> EnablePolicyTypeResponse:
        """P3, P4: checks in order: the feature set (P2); the root; the delegate's
        check on the root's ARN; the type already enabled (PolicyTypeAlreadyEnabled);
        a type whose service has no trusted access (ConstraintViolation
        SERVICE_ACCESS_NOT_ENABLED: the Security Hub types). The type is ENABLED at
        once, after those enabled before; SCPs attach FullAWSAccess and RCPs
        RCPFullAWSAccess to the root, every OU and every account (P4). The answer is
        the root as ListRoots shows it."""
        policy_type = str(request.policy_type)
        with self.transaction() as tx:
            access = self._authorize(tx, context, "EnablePolicyType", lock=True)
            org = access.org
            require_all_features(org)
            _check_root(org, request.root_id)
            self._check_delegate(
                access, "EnablePolicyType", [root_arn(org)], policy_type
            )
            if policy_type in tree_store.enabled_policy_types(tx, org["id"]):
                raise PolicyTypeAlreadyEnabledException(ALREADY_ENABLED)
            service = rules(policy_type).service
            if service is not None and not policy_store.service_access_enabled(
                tx, org["id"], service
            ):
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Constraint.SERVICE_ACCESS_NOT_ENABLED
                )
            tree_store.enable_policy_type(tx, org["id"], policy_type)
            default = DEFAULT_POLICY.get(policy_type)
            if default is not None:
                policy_store.attach_everywhere(
                    tx, org["id"], org["root_id"], default, policy_type, self.now_ms()
                )
            return EnablePolicyTypeResponse.model_construct(root=root_document(tx, org))

    def disable_policy_type(
        self, context: RequestContext, request: DisablePolicyTypeRequest
    ) -> DisablePolicyTypeResponse:
        """P6: checks in order: the root; the delegate's check on its ARN; the type
        not enabled (PolicyTypeNotEnabled). Every attachment of the type goes (the
        policies stay), so enabling SCPs again starts from FullAWSAccess alone; the
        answer is the root without the type."""
        policy_type = str(request.policy_type)
        with self.transaction() as tx:
            access = self._authorize(tx, context, "DisablePolicyType", lock=True)
            org = access.org
            _check_root(org, request.root_id)
            self._check_delegate(
                access, "DisablePolicyType", [root_arn(org)], policy_type
            )
            if policy_type not in tree_store.enabled_policy_types(tx, org["id"]):
                raise PolicyTypeNotEnabledException(NOT_ENABLED)
            policy_store.disable_type(tx, org["id"], policy_type)
            policy_store.delete_type_attachments(
                tx, org["id"], policy_type, self.now_ms()
            )
            return DisablePolicyTypeResponse.model_construct(
                root=root_document(tx, org)
            )

    # -- attaching and detaching (P17, P18) -----------------------------------------------

    def _policy_and_target(
        self,
        tx: Transaction,
        context: RequestContext,
        operation: str,
        policy_id: str,
        target_id: str,
    ) -> tuple[Access, FoundPolicy, Target]:
        """AttachPolicy's and DetachPolicy's first checks (V1 steps 2–8): the caller,
        with the organization locked; the policy; the target; the delegate's check on
        both ARNs and the policy's type."""
        access = self._authorize(tx, context, operation, lock=True)
        org = access.org
        found = require_policy(tx, org, policy_id)
        target = require_target(tx, org, target_id)
        self._check_delegate(
            access,
            operation,
            [policy_arn(org, found.policy_type, found.id), target.arn],
            found.policy_type,
        )
        return access, found, target

    def attach_policy(
        self, context: RequestContext, request: AttachPolicyRequest
    ) -> None:
        """P17: checks in order: the policy; the target; the delegate's check on both
        ARNs; the type not enabled in the root (PolicyTypeNotEnabled); already attached
        there (DuplicatePolicyAttachment); the target at the type's maximum
        (ConstraintViolation MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED). The management
        account is a target like any account. The attachment comes after every other
        of the organization (P15, E4); response `{}`."""
        with self.transaction() as tx:
            access, found, target = self._policy_and_target(
                tx, context, "AttachPolicy", request.policy_id, request.target_id
            )
            org = access.org
            if found.policy_type not in tree_store.enabled_policy_types(tx, org["id"]):
                raise PolicyTypeNotEnabledException(NOT_ENABLED)
            if policy_store.attached(tx, target.id, found.id):
                raise DuplicatePolicyAttachmentException(DUPLICATE_ATTACHMENT)
            limit = attachment_limit(found.policy_type, self.settings.attachment_limits)
            if policy_store.attached_count(tx, target.id, found.policy_type) >= limit:
                raise ConstraintViolationException(
                    TOO_MANY_ATTACHED,
                    reason=Constraint.MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED,
                )
            policy_store.attach(
                tx, org["id"], target.id, found.id, found.policy_type, self.now_ms()
            )

    def detach_policy(
        self, context: RequestContext, request: DetachPolicyRequest
    ) -> None:
        """P18: checks in order: the policy; the target; the delegate's check on both
        ARNs; not attached there (PolicyNotAttached); RCPFullAWSAccess (InvalidInput
        NON_DETACHABLE_POLICY); the target's last SCP, or last RCP, (ConstraintViolation
        MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED). FullAWSAccess detaches once another
        SCP is attached; response `{}`."""
        with self.transaction() as tx:
            _, found, target = self._policy_and_target(
                tx, context, "DetachPolicy", request.policy_id, request.target_id
            )
            if not policy_store.attached(tx, target.id, found.id):
                raise PolicyNotAttachedException(NOT_ATTACHED)
            if found.managed is not None and not found.managed.detachable:
                raise InvalidInputException(
                    NON_DETACHABLE, reason=InputReason.NON_DETACHABLE_POLICY
                )
            left = policy_store.attached_count(tx, target.id, found.policy_type) - 1
            if left < rules(found.policy_type).min_per_target:
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=Constraint.MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED,
                )
            policy_store.detach(
                tx, target.id, found.id, found.policy_type, self.now_ms()
            )

    # -- the listings (P15, P16) ------------------------------------------------------------

    def list_policies_for_target(
        self, context: RequestContext, request: ListPoliciesForTargetRequest
    ) -> ListPoliciesForTargetResponse:
        """P15: the policies of type `Filter` attached directly to the target (not
        inherited), in attachment order (L3); a type not enabled in the root has none.
        An unknown target is TargetNotFound."""
        policy_type = str(request.filter)
        limit = request.max_results or DEFAULT_PAGE
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListPoliciesForTarget")
            org = access.org
            binding = self._binding(
                "ListPoliciesForTarget", access, request.target_id, policy_type
            )
            after = self._page_after(binding, request.next_token)
            target = require_target(tx, org, request.target_id)
            self._check_delegate(
                access, "ListPoliciesForTarget", [target.arn], policy_type
            )
            rows = (
                policy_store.policies_of_target(
                    tx, org["id"], target.id, policy_type, after, limit + 1
                )
                if policy_type in tree_store.enabled_policy_types(tx, org["id"])
                else []
            )
            return ListPoliciesForTargetResponse.model_construct(
                policies=[
                    stored_summary(org, policy_type, row["policy_id"], policy)
                    for row, policy in rows[:limit]
                ],
                next_token=self._next_token(
                    binding, [(row["seq"], row["policy_id"]) for row, _ in rows], limit
                ),
            )

    def list_targets_for_policy(
        self, context: RequestContext, request: ListTargetsForPolicyRequest
    ) -> ListTargetsForPolicyResponse:
        """P16: the roots, OUs and accounts the policy is attached to, in attachment
        order (L3), as `{TargetId, Arn, Name, Type}`; an unknown policy is
        PolicyNotFound. Two queries per page, whatever the number of targets."""
        limit = request.max_results or DEFAULT_PAGE
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, "ListTargetsForPolicy")
            org = access.org
            binding = self._binding("ListTargetsForPolicy", access, request.policy_id)
            after = self._page_after(binding, request.next_token)
            found = require_policy(tx, org, request.policy_id)
            self._check_delegate(
                access,
                "ListTargetsForPolicy",
                [policy_arn(org, found.policy_type, found.id)],
                found.policy_type,
            )
            rows = policy_store.targets_of_policy(
                tx, org["id"], found.id, after, limit + 1
            )
            return ListTargetsForPolicyResponse.model_construct(
                targets=[
                    target_summary(org, row["target_id"], named)
                    for row, named in rows[:limit]
                ],
                next_token=self._next_token(
                    binding, [(row["seq"], row["target_id"]) for row, _ in rows], limit
                ),
            )
