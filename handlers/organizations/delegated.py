"""Delegated administrators: RegisterDelegatedAdministrator,
DeregisterDelegatedAdministrator, ListDelegatedAdministrators,
ListDelegatedServicesForAccount (organizations.md D6–D9, Z4, A22).

Who may call (matrix rows 41–44): the management account registers and deregisters;
it, delegated administrators (Z4) and delegates (Z5) list. Checks follow V1 with V2's
"Trusted access, DAs" row: input; State, membership, role (`_authorize`); ALL features
for the writes (D2); the service principal (step 6: known to the registry with the
delegated-administrator mark, `principals`); the account (step 7); the delegate's fine
check (step 8); the account's and the service's state (step 10); the principal's
maximum (step 11). Register and Deregister are one write transaction each that locks
the organization's row first (C8): racing registrations cannot pass the maximum, and a
registration cannot interleave with the account's departure or the service's
disabling, which lock that row too.

- **D6** Register, in order: UNRECOGNIZED_SERVICE_PRINCIPAL; AccountNotFound (not an
  account of the organization, C5); the management account →
  CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR; PENDING_CLOSURE, SUSPENDED or
  CLOSED → CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR; no trusted
  access → SERVICE_ACCESS_NOT_ENABLED; already registered →
  AccountAlreadyRegistered; the principal at its maximum →
  DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE when that is 1, else
  MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED. The registration's
  DelegationEnabledDate is now.
- **D7** Deregister: UNRECOGNIZED_SERVICE_PRINCIPAL; AccountNotFound;
  AccountNotRegistered. Deregistering the last service ends the account's Z4 reads.
  A closed account stays registered until this (A22): D6 only refuses new ones.
- **D8** ListDelegatedAdministrators: the registered accounts, optionally for one
  principal (UNRECOGNIZED_SERVICE_PRINCIPAL otherwise), as A1 shows an account without
  `Paths`, plus DelegationEnabledDate: the earliest of its registrations, or that
  principal's when filtered; in (DelegationEnabledDate, Id) order (L3).
- **D9** ListDelegatedServicesForAccount: AccountNotFound; then, the account being
  registered for nothing, AccountNotRegistered; else `{ServicePrincipal,
  DelegationEnabledDate}` per registration in (date, principal) order (L3).

DECIDED: "unknown principal" means the same in D6, D7 and D8: not in the registry, or
in it without the delegated-administrator mark (a principal that can have no
delegated administrator can have none to deregister or list).
D10 (a registered account cannot leave or be removed) is A16's check in `departure`.
"""

from __future__ import annotations

from typing import Final

from generated.organizations.errors import (
    AccountAlreadyRegisteredException,
    AccountNotFoundException,
    AccountNotRegisteredException,
    ConstraintViolationException,
)
from generated.organizations.models import (
    DelegatedAdministrator,
    DelegatedService,
    DeregisterDelegatedAdministratorRequest,
    ListDelegatedAdministratorsRequest,
    ListDelegatedAdministratorsResponse,
    ListDelegatedServicesForAccountRequest,
    ListDelegatedServicesForAccountResponse,
    RegisterDelegatedAdministratorRequest,
)
from generated.organizations.shapes import (
    AccountJoinedMethod,
    AccountState,
    AccountStatus,
)
from generated.organizations.shapes import (
    ConstraintViolationExceptionReason as Constraint,
)
from handlers.organizations import (
    access_store,
    delegated_store,
    documents,
    lifecycle,
    tree_store,
)
from handlers.organizations.accounts import ACCOUNT_NOT_FOUND
from handlers.organizations.base import OrganizationsBase
from handlers.organizations.departure import CONSTRAINT_VIOLATION
from handlers.organizations.principals import Principal
from handlers.organizations.service_access import (
    DEFAULT_PAGE,
    require_all_features,
    unrecognized_principal,
)
from runtime.clock import from_millis
from runtime.context import RequestContext
from runtime.database import Row, Transaction

__all__ = ["DelegatedAdministratorOperations"]

#: C6: the first sentence of each error shape's documentation in the model.
ALREADY_REGISTERED: Final = (
    "The specified account is already a delegated administrator for this Amazon Web "
    "Services service."
)
NOT_REGISTERED: Final = (
    "The specified account is not a delegated administrator for this Amazon Web "
    "Services service."
)
#: D6: States in which an account cannot be registered.
_CANNOT_REGISTER: Final = frozenset({"PENDING_CLOSURE", "SUSPENDED", "CLOSED"})


def _administrator(org: Row, row: Row, now: int) -> DelegatedAdministrator:
    """D8: the account as A1 shows it (State at `now`, A2), without `Paths`, with its
    DelegationEnabledDate."""
    state = lifecycle.account_state(row, now)
    return DelegatedAdministrator.model_construct(
        id=row["id"],
        arn=documents.account_arn(org, row["id"]),
        email=row["email"],
        name=row["name"],
        status=documents.member(AccountStatus, documents.STATUS_OF_STATE[state]),
        state=documents.member(AccountState, state),
        joined_method=documents.member(AccountJoinedMethod, row["joined_method"]),
        joined_timestamp=from_millis(row["joined_at"]),
        delegation_enabled_date=from_millis(row["delegated_at"]),
    )


class DelegatedAdministratorOperations(OrganizationsBase):
    # -- shared checks -----------------------------------------------------------------------

    def _delegable(self, principal: str) -> Principal:
        """D6–D8 (V1 step 6): the principal's marks, when it takes delegated
        administrators; UNRECOGNIZED_SERVICE_PRINCIPAL otherwise (module docstring)."""
        marks = self.settings.service_principals.delegable(principal)
        if marks is None:
            raise unrecognized_principal()
        return marks

    @staticmethod
    def _account(tx: Transaction, org: Row, account_id: str) -> Row:
        """V1 step 7: an account of the organization, the management account included
        (C5: another organization's is not found)."""
        row = tree_store.account_in(tx, org["id"], account_id)
        if row is None:
            raise AccountNotFoundException(ACCOUNT_NOT_FOUND)
        return row

    # -- D6, D7: the writes ------------------------------------------------------------------

    def register_delegated_administrator(
        self, context: RequestContext, request: RegisterDelegatedAdministratorRequest
    ) -> None:
        """D6 (module docstring); `{}`."""
        with self.transaction() as tx:
            org = self._authorize(
                tx, context, "RegisterDelegatedAdministrator", lock=True
            ).org
            require_all_features(org)
            principal = request.service_principal
            marks = self._delegable(principal)
            row = self._account(tx, org, request.account_id)
            now = self.now_ms()  # after the lock (C8)
            if row["id"] == org["management_account_id"]:
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=Constraint.CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR,
                )
            if lifecycle.account_state(row, now) in _CANNOT_REGISTER:
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=Constraint.CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR,
                )
            if not delegated_store.is_enabled(tx, org["id"], principal):
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION, reason=Constraint.SERVICE_ACCESS_NOT_ENABLED
                )
            if delegated_store.registered(tx, org["id"], row["id"], principal):
                raise AccountAlreadyRegisteredException(ALREADY_REGISTERED)
            maximum = marks.max_delegated_administrators
            if delegated_store.registration_count(tx, org["id"], principal) >= maximum:
                # DECIDED (D6): the model's two reasons split by the maximum.
                raise ConstraintViolationException(
                    CONSTRAINT_VIOLATION,
                    reason=(
                        Constraint.DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE
                        if maximum == 1
                        else Constraint.MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED
                    ),
                )
            delegated_store.register(tx, org["id"], row["id"], principal, now)
        return None

    def deregister_delegated_administrator(
        self,
        context: RequestContext,
        request: DeregisterDelegatedAdministratorRequest,
    ) -> None:
        """D7 (module docstring); `{}`."""
        with self.transaction() as tx:
            org = self._authorize(
                tx, context, "DeregisterDelegatedAdministrator", lock=True
            ).org
            require_all_features(org)
            principal = request.service_principal
            self._delegable(principal)
            row = self._account(tx, org, request.account_id)
            if not delegated_store.registered(tx, org["id"], row["id"], principal):
                raise AccountNotRegisteredException(NOT_REGISTERED)
            delegated_store.delete_registration(tx, org["id"], row["id"], principal)
        return None

    # -- D8, D9: the reads -------------------------------------------------------------------

    def list_delegated_administrators(
        self, context: RequestContext, request: ListDelegatedAdministratorsRequest
    ) -> ListDelegatedAdministratorsResponse:
        """D8 (module docstring)."""
        limit = request.max_results or DEFAULT_PAGE
        operation = "ListDelegatedAdministrators"
        principal = request.service_principal
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, operation)
            org = access.org
            if principal is not None:
                self._delegable(principal)
            binding = self._binding(operation, access, principal)
            after = self._page_after(binding, request.next_token)
            self._check_delegate(access, operation)
            rows = delegated_store.registered_accounts(
                tx, org["id"], principal, after, limit + 1
            )
            now = self.now_ms()
            return ListDelegatedAdministratorsResponse.model_construct(
                delegated_administrators=[
                    _administrator(org, row, now) for row in rows[:limit]
                ],
                next_token=self._next_token(
                    binding, [(row["delegated_at"], row["id"]) for row in rows], limit
                ),
            )

    def list_delegated_services_for_account(
        self,
        context: RequestContext,
        request: ListDelegatedServicesForAccountRequest,
    ) -> ListDelegatedServicesForAccountResponse:
        """D9 (module docstring)."""
        limit = request.max_results or DEFAULT_PAGE
        operation = "ListDelegatedServicesForAccount"
        with self.transaction(write=False) as tx:
            access = self._authorize(tx, context, operation)
            org = access.org
            binding = self._binding(operation, access, request.account_id)
            after = self._page_after(binding, request.next_token)
            row = self._account(tx, org, request.account_id)
            self._check_delegate(access, operation)
            if not access_store.is_delegated_administrator(tx, org["id"], row["id"]):
                raise AccountNotRegisteredException(NOT_REGISTERED)
            rows = delegated_store.registrations_of(
                tx, org["id"], row["id"], after, limit + 1
            )
            return ListDelegatedServicesForAccountResponse.model_construct(
                delegated_services=[
                    DelegatedService.model_construct(
                        service_principal=entry["id"],
                        delegation_enabled_date=from_millis(entry["registered_at"]),
                    )
                    for entry in rows[:limit]
                ],
                next_token=self._next_token(
                    binding,
                    [(entry["registered_at"], entry["id"]) for entry in rows],
                    limit,
                ),
            )
