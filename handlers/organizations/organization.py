"""The organization itself: CreateOrganization, DescribeOrganization (R2) and
EnableAllFeatures (R20)."""

from __future__ import annotations

from generated.organizations.errors import (
    AlreadyInOrganizationException,
    AWSOrganizationsNotInUseException,
    HandshakeConstraintViolationException,
)
from generated.organizations.models import (
    CreateOrganizationRequest,
    CreateOrganizationResponse,
    DescribeOrganizationResponse,
    EnableAllFeaturesRequest,
    EnableAllFeaturesResponse,
)
from generated.organizations.shapes import (
    ActionType,
    HandshakeConstraintViolationExceptionReason as Constraint,
)
from handlers.organizations import documents, store
from handlers.organizations.base import OrganizationsBase, new_handshake, unique_id
from handlers.organizations.errors import NOT_IN_USE
from runtime.context import RequestContext
from runtime.model import Empty

__all__ = ["OrganizationOperations"]


class OrganizationOperations(OrganizationsBase):
    def create_organization(
        self, context: RequestContext, request: CreateOrganizationRequest
    ) -> CreateOrganizationResponse:
        """R2: a standalone caller becomes the management account of a new organization
        (FeatureSet ALL unless it asks for CONSOLIDATED_BILLING)."""
        feature_set = request.feature_set or "ALL"
        with self.transaction() as tx:
            caller = self._caller(tx, context, lock=True)
            if caller.organization_id is not None:
                raise AlreadyInOrganizationException(
                    "The provided account is already a member of an organization."
                )
            organization_id = unique_id(tx, "o-", 10)
            root_id = unique_id(tx, "r-", 4)
            now = self.now_ms()
            store.insert_organization(
                tx, organization_id, root_id, caller.id, feature_set, now
            )
            store.join(tx, caller.id, organization_id, "CREATED", now, None)
            return CreateOrganizationResponse.model_construct(
                organization=documents.organization(self._sender(tx, organization_id))
            )

    def describe_organization(
        self, context: RequestContext, request: Empty
    ) -> DescribeOrganizationResponse:
        """The caller's organization, for any of its accounts."""
        with self.transaction(write=False) as tx:
            org = store.organization_of(tx, context.account_id)
        if org is None:
            raise AWSOrganizationsNotInUseException(NOT_IN_USE)
        return DescribeOrganizationResponse.model_construct(
            organization=documents.organization(org)
        )

    def enable_all_features(
        self, context: RequestContext, request: EnableAllFeaturesRequest
    ) -> EnableAllFeaturesResponse:
        """R20: the management account of a CONSOLIDATED_BILLING organization asks every
        member that joined by invitation to approve; pending invitations are canceled.
        """
        with self.transaction() as tx:
            caller = self._caller(tx, context)
            org = self._managed_organization(tx, caller)
            org = self._organization(tx, org["id"], lock=True)
            now = self.now_ms()
            store.persist_expiry(tx, org["id"], now)
            if org["feature_set"] == "ALL":
                raise HandshakeConstraintViolationException(
                    "The organization already has all features enabled.",
                    reason=Constraint.ORGANIZATION_ALREADY_HAS_ALL_FEATURES,
                )
            if store.pending_count(tx, org["id"], ActionType.ENABLE_ALL_FEATURES, now):
                raise HandshakeConstraintViolationException(
                    "The organization is already migrating to all features.",
                    reason=Constraint.ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION,
                )
            for invite in store.pending_of(tx, org["id"], ActionType.INVITE, now):
                store.set_state(tx, invite, "CANCELED", now)
            approvers = store.invited_members(tx, org["id"])
            # R5: the request is REQUESTED and each member's approval OPEN. DECIDED: with no
            # member to approve, it is ready to finalise (OPEN) at once.
            parent = new_handshake(
                org["id"],
                ActionType.ENABLE_ALL_FEATURES,
                "REQUESTED" if approvers else "OPEN",
                now,
            )
            store.insert_handshake(tx, parent)
            for member in approvers:
                store.insert_handshake(
                    tx,
                    new_handshake(
                        org["id"],
                        ActionType.APPROVE_ALL_FEATURES,
                        "OPEN",
                        now,
                        ("ACCOUNT", member["id"]),
                        parent_id=parent.id,
                    ),
                )
            return EnableAllFeaturesResponse.model_construct(
                handshake=self._document(tx, parent)
            )
