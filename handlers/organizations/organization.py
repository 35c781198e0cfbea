"""The organization itself: CreateOrganization (R2, O1), DescribeOrganization (O3, O4),
DeleteOrganization (O5, H4) and EnableAllFeatures (R20, O8)."""

from __future__ import annotations

from generated.organizations.errors import (
    AlreadyInOrganizationException,
    ConstraintViolationException,
    AWSOrganizationsNotInUseException,
    ConcurrentModificationException,
    HandshakeConstraintViolationException,
    OrganizationNotEmptyException,
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
    ConstraintViolationExceptionReason as Limit,
    HandshakeConstraintViolationExceptionReason as Constraint,
)
from handlers.organizations import (
    cascade,
    creation_store,
    documents,
    organization_store,
    store,
    tree_store,
)
from handlers.organizations.base import OrganizationsBase, new_handshake, unique_id
from handlers.organizations.errors import BUSY, NOT_IN_USE
from handlers.organizations.transfers import check_no_transfer_in_process
from runtime.context import RequestContext
from runtime.model import Empty

__all__ = ["OrganizationOperations"]

#: The first sentence of each error shape's documentation (C6).
NOT_EMPTY = "The organization isn't empty."
CONSTRAINT_VIOLATION = (
    "Performing this operation violates a minimum or maximum value limit."
)


class OrganizationOperations(OrganizationsBase):
    def create_organization(
        self, context: RequestContext, request: CreateOrganizationRequest
    ) -> CreateOrganizationResponse:
        """R2, O1: a standalone caller (O2: whose account is fully active; DECIDED: O2
        concerns CreateOrganization, as the Reason's documentation says) becomes the
        management account of a new organization (FeatureSet ALL unless it asks for CONSOLIDATED_BILLING), under its
        root, with JoinedMethod INVITED (as AWS's documentation and examples say); with
        ALL features the root has SERVICE_CONTROL_POLICY enabled and FullAWSAccess
        attached to the root and the management account (P4)."""
        feature_set = request.feature_set or "ALL"
        with self.transaction() as tx:
            caller = self._caller(tx, context, lock=True)
            if caller.organization_id is not None:
                raise AlreadyInOrganizationException(
                    "The provided account is already a member of an organization."
                )
            if caller.state == "PENDING_ACTIVATION":  # O2, A23 (fixtures only)
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Limit.ACCOUNT_CREATION_NOT_COMPLETE
                )
            organization_id = unique_id(tx, "o-", 10)
            root_id = unique_id(tx, "r-", 4)
            now = self.now_ms()
            store.insert_organization(
                tx, organization_id, root_id, caller.id, feature_set, now
            )
            store.join(tx, caller.id, organization_id, "INVITED", now, None)
            if feature_set == "ALL":
                tree_store.enable_policy_type(
                    tx, organization_id, "SERVICE_CONTROL_POLICY"
                )
                # O1, P4: FullAWSAccess on the root and the management account.
                cascade.newcomer(tx, organization_id, root_id, now)
                cascade.newcomer(tx, organization_id, caller.id, now)
            return CreateOrganizationResponse.model_construct(
                organization=documents.organization(self._sender(tx, organization_id))
            )

    def describe_organization(
        self, context: RequestContext, request: Empty
    ) -> DescribeOrganizationResponse:
        """O4: the caller's organization, the same object for any of its accounts. One
        query; only a caller in no organization costs a second, for Z3 before Z1 (a
        closed account that departed is AccessDenied, as for every operation)."""
        with self.transaction(write=False) as tx:
            org = store.organization_of(tx, context.account_id)
            if org is None:
                self._caller(tx, context)  # Z3
                raise AWSOrganizationsNotInUseException(NOT_IN_USE)
        self._refuse_closed(org)
        return DescribeOrganizationResponse.model_construct(
            organization=documents.organization(org)
        )

    def delete_organization(self, context: RequestContext, request: Empty) -> None:
        """O5, H4: the management account deletes its organization once no other
        account is in it, nor being created (OrganizationNotEmpty otherwise). Every
        pending handshake the organization sent becomes CANCELED (expired ones stay
        EXPIRED, R6); what it owns goes (`organization_store.delete_organization_contents`); the
        management account is standalone again (so it sees the invitations it
        received again, R17) and may create another organization. The organization's
        row stays behind, retired (`organization_store.retire_organization`), so that its
        handshakes keep their sender until R7. Response `{}`.

        Policies, attachments, service access, delegated administrators and the
        delegation policy go with it (`cascade.organization_deleted`).

        A responsibility transfer of either side that is REQUESTED or in force is
        ConstraintViolation ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS, after the emptiness
        check (X12, `transfers.check_no_transfer_in_process`)."""
        with self.transaction() as tx:
            self._caller(
                tx, context, lock=True
            )  # its own row too, as CreateOrganization
            access = self._authorize(tx, context, "DeleteOrganization", lock=True)
            caller, org = access.caller, access.org
            now = self.now_ms()
            store.persist_expiry(tx, org["id"], now)
            # Accounts whose creation completed are written first (M1), and one still
            # being created counts as in the organization (DECIDED, as H5 counts it).
            creation_store.settle(tx, org["id"], now)
            if store.has_other_members(
                tx, org["id"], caller.id
            ) or creation_store.in_progress_count(tx, org["id"], now):
                raise OrganizationNotEmptyException(NOT_EMPTY)
            check_no_transfer_in_process(tx, org["id"], now)
            for row in store.pending_sent(tx, self.db, org["id"], now):
                if not store.set_state(tx, row, "CANCELED", now):
                    raise ConcurrentModificationException(BUSY)
            organization_store.delete_organization_contents(
                tx, org["id"], org["root_id"], caller.id
            )
            cascade.organization_deleted(tx, org["id"])
            organization_store.detach_account(tx, caller.id)
            organization_store.retire_organization(tx, org["id"])

    def enable_all_features(
        self, context: RequestContext, request: EnableAllFeaturesRequest
    ) -> EnableAllFeaturesResponse:
        """R20: the management account of a CONSOLIDATED_BILLING organization asks every
        member that joined by invitation to approve; pending invitations are canceled.
        O8: finalising (R16) switches the feature set to ALL and enables no policy type
        in the root (DECIDED)."""
        with self.transaction() as tx:
            org = self._authorize(tx, context, "EnableAllFeatures", lock=True).org
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
            # O1: the management account joined INVITED too, but approves nothing.
            approvers = [
                member
                for member in store.invited_members(tx, org["id"])
                if member["id"] != org["management_account_id"]
            ]
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
