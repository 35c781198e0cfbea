"""Trusted access for AWS services: EnableAWSServiceAccess, DisableAWSServiceAccess,
ListAWSServiceAccessForOrganization (organizations.md D1–D5, M6).

Who may call (matrix rows 38–40): the management account enables and disables; it,
delegated administrators (Z4) and delegates (Z5) list. Each operation checks in V1's
order with V2's "Trusted access, DAs" row: input (the runtime); the caller's State,
membership and role (`_authorize`); ALL features for the writes (D2, V1 step 5); the
service principal against the registry (`principals`, the `service_principals`
setting; step 6); then the stored state. Enable and Disable are one write
transaction each that locks the organization's row first (C8), so two racing enables
store one principal once, and a disable cannot interleave with a registration for the
same principal (`delegated`).

- **D3** EnableAWSServiceAccess records the principal with `DateEnabled` now; enabling
  it again succeeds and keeps the first date. A principal the registry does not know,
  or knows without the trusted-access mark, is InvalidInput
  UNRECOGNIZED_SERVICE_PRINCIPAL (DECIDED: the mark is to D3 what the delegated-
  administrator mark is to D6).
- **D4** DisableAWSServiceAccess of a principal that is not enabled succeeds and
  changes nothing; while a policy type needing the principal (P1:
  `principals.POLICY_TYPES_OF_SERVICE`) is enabled in the root it is ConstraintViolation
  POLICY_TYPE_ENABLED_FOR_THIS_SERVICE; otherwise the principal goes, and with it its
  delegated administrators' registrations (which may end their Z4 reads).
- **D5** ListAWSServiceAccessForOrganization: `{ServicePrincipal, DateEnabled}` in
  (DateEnabled, principal) order (L3), paged by key (L1–L5). A principal stored before
  the registry was replaced is still listed (it is stored), though no operation may
  name it any more.
"""

from __future__ import annotations

from typing import Final

from generated.organizations.errors import (
    ConstraintViolationException,
    InvalidInputException,
)
from generated.organizations.models import (
    DisableAWSServiceAccessRequest,
    EnableAWSServiceAccessRequest,
    EnabledServicePrincipal,
    ListAWSServiceAccessForOrganizationRequest,
    ListAWSServiceAccessForOrganizationResponse,
)
from generated.organizations.shapes import (
    ConstraintViolationExceptionReason as Constraint,
)
from generated.organizations.shapes import InvalidInputExceptionReason as InputReason
from handlers.organizations import delegated_store, tree_store
from handlers.organizations.base import OrganizationsBase
from handlers.organizations.departure import CONSTRAINT_VIOLATION
from handlers.organizations.principals import POLICY_TYPES_OF_SERVICE
from runtime.clock import from_millis
from runtime.context import RequestContext
from runtime.database import Row

__all__ = [
    "ServiceAccessOperations",
    "UNRECOGNIZED_PRINCIPAL",
    "require_all_features",
    "unrecognized_principal",
]

#: The sentence of InvalidInputException's Reason UNRECOGNIZED_SERVICE_PRINCIPAL (C6).
UNRECOGNIZED_PRINCIPAL: Final = (
    "You specified a service principal that isn't recognized."
)
#: L1: a page holds at most this many items when MaxResults is absent.
DEFAULT_PAGE: Final = 20


def unrecognized_principal() -> InvalidInputException:
    """D1: a principal the registry does not offer for the operation."""
    return InvalidInputException(
        UNRECOGNIZED_PRINCIPAL, reason=InputReason.UNRECOGNIZED_SERVICE_PRINCIPAL
    )


def require_all_features(org: Row) -> None:
    """D2 (V1 step 5): the writes of trusted access and delegated administrators need
    ALL features; CONSOLIDATED_BILLING is ConstraintViolation
    ORGANIZATION_NOT_IN_ALL_FEATURES_MODE."""
    if org["feature_set"] != "ALL":
        raise ConstraintViolationException(
            CONSTRAINT_VIOLATION,
            reason=Constraint.ORGANIZATION_NOT_IN_ALL_FEATURES_MODE,
        )


class ServiceAccessOperations(OrganizationsBase):
    def _trusted_principal(self, principal: str) -> str:
        """D1, D3, D4 (V1 step 6): `principal` when the registry lets it have trusted
        access."""
        if not self.settings.service_principals.trusted(principal):
            raise unrecognized_principal()
        return principal

    def enable_aws_service_access(
        self, context: RequestContext, request: EnableAWSServiceAccessRequest
    ) -> None:
        """D3 (module docstring); `{}`."""
        with self.transaction() as tx:
            org = self._authorize(tx, context, "EnableAWSServiceAccess", lock=True).org
            require_all_features(org)
            principal = self._trusted_principal(request.service_principal)
            now = self.now_ms()  # after the lock (C8)
            if not delegated_store.is_enabled(tx, org["id"], principal):
                # DECIDED (D3): enabling again keeps the first DateEnabled.
                delegated_store.enable_service(tx, org["id"], principal, now)
        return None

    def disable_aws_service_access(
        self, context: RequestContext, request: DisableAWSServiceAccessRequest
    ) -> None:
        """D4 (module docstring); `{}`."""
        with self.transaction() as tx:
            org = self._authorize(tx, context, "DisableAWSServiceAccess", lock=True).org
            require_all_features(org)
            principal = self._trusted_principal(request.service_principal)
            if not delegated_store.is_enabled(tx, org["id"], principal):
                return None  # DECIDED (D4): not enabled is a no-op
            needing = POLICY_TYPES_OF_SERVICE.get(principal, ())
            enabled = tree_store.enabled_policy_types(tx, org["id"])
            if any(policy_type in enabled for policy_type in needing):
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=Constraint.POLICY_TYPE_ENABLED_FOR_THIS_SERVICE,
                )
            # DECIDED (D4): the principal's registrations go with it.
            delegated_store.disable_service(tx, org["id"], principal)
        return None

    def list_aws_service_access_for_organization(
        self,
        context: RequestContext,
        request: ListAWSServiceAccessForOrganizationRequest,
    ) -> ListAWSServiceAccessForOrganizationResponse:
        """D5 (module docstring)."""
        limit = request.max_results or DEFAULT_PAGE
        operation = "ListAWSServiceAccessForOrganization"
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, operation)
            binding = self._binding(operation, access)
            after = self._page_after(binding, request.next_token)
            self._check_delegate(access, operation)
            rows = delegated_store.enabled_services(
                tx, access.org["id"], after, limit + 1
            )
            return ListAWSServiceAccessForOrganizationResponse.model_construct(
                enabled_service_principals=[
                    EnabledServicePrincipal.model_construct(
                        service_principal=row["id"],
                        date_enabled=from_millis(row["enabled_at"]),
                    )
                    for row in rows[:limit]
                ],
                next_token=self._next_token(
                    binding, [(row["enabled_at"], row["id"]) for row in rows], limit
                ),
            )
