"""The Organizations service as the runtime serves it: `Handlers` and `SERVICE`.

`Handlers` composes the resource modules' classes. Each of them subclasses
`OrganizationsBase` (so mypy checks every operation against the generated skeleton and
the shared helpers), and the composition lists them before the base:

    class Handlers(OrganizationOperations, AccountOperations, ..., OrganizationsBase)

**Adding an operation** (e.g. CreateOrganizationalUnit):

1. pick the resource module it belongs to (`tree`, `accounts`, `policies`, ...; the
   package docstring lists them), or start one — `handlers/organizations/things.py` with
   `class ThingOperations(OrganizationsBase)` — and add that class to `Handlers` below;
2. give the operation its row of who may call it in `access.MAY_CALL` (organizations.md
   §2), then override the skeleton's method, with the skeleton's signature
   (`def create_organizational_unit(self, context, request) -> ...Response`): the request
   arrives validated; open `self.transaction()`, call `self._authorize(tx, context,
   "CreateOrganizationalUnit", lock=True)` (V1 steps 2–4; `lock` for a change), make
   the request's own checks, look up what it names, `self._check_delegate(...)` (step
   8), then conflicts, limits and the change, raising the generated exceptions;
3. SQL goes in the resource's `*_store` module, new tables in a new migration at the end
   of `schema.MIGRATIONS`, documents in `documents` (built with `model_construct`:
   outputs are not validated again), new limits or delays in
   `settings.OrganizationsSettings`, effects on other areas of a change to the tree in
   `cascade`, seed sections in a `seed_*` module registered in `seed.AREA_SECTIONS`;
4. add the rule's tests (one per rule, named after it: `test_u2_...`), mark every choice
   the spec leaves open DECIDED next to its code and in docs/organizations.md, and run
   `botogen check --accept` once the handlers match the model (`model.fingerprint.json`).
"""

from __future__ import annotations

from handlers.organizations.accounts import AccountOperations
from handlers.organizations.attachments import AttachmentOperations
from handlers.organizations.base import OrganizationsBase
from handlers.organizations.creation import CreationOperations
from handlers.organizations.delegated import DelegatedAdministratorOperations
from handlers.organizations.departure import DepartureOperations
from handlers.organizations.effective import EffectivePolicyOperations
from handlers.organizations.errors import OrganizationsErrors
from handlers.organizations.handshakes import HandshakeOperations
from handlers.organizations.invitations import InvitationOperations
from handlers.organizations.organization import OrganizationOperations
from handlers.organizations.policies import PolicyOperations
from handlers.organizations.resource_policy import ResourcePolicyOperations
from handlers.organizations.schema import MIGRATIONS
from handlers.organizations.service_access import ServiceAccessOperations
from handlers.organizations.settings import OrganizationsSettings
from handlers.organizations.tagging import TagOperations
from handlers.organizations.transfer_handshakes import TransferHandshakes
from handlers.organizations.transfers import TransferOperations
from handlers.organizations.tree import TreeOperations
from runtime.service import ServiceDefinition

__all__ = ["Handlers", "SERVICE"]


class Handlers(
    OrganizationOperations,
    AccountOperations,
    InvitationOperations,
    HandshakeOperations,
    CreationOperations,
    TreeOperations,
    TagOperations,
    DepartureOperations,
    PolicyOperations,
    AttachmentOperations,
    ResourcePolicyOperations,
    ServiceAccessOperations,
    DelegatedAdministratorOperations,
    EffectivePolicyOperations,
    TransferOperations,
    TransferHandshakes,
    OrganizationsBase,
):
    """CreateOrganization, DescribeOrganization, EnableAllFeatures, DescribeAccount,
    ListAccounts, ListTagsForResource (accounts), InviteAccountToOrganization,
    DescribeHandshake, ListHandshakesForAccount/-Organization,
    Accept/Decline/CancelHandshake; the tree (`tree`): ListRoots,
    Create/Update/Delete/DescribeOrganizationalUnit, ListOrganizationalUnitsForParent,
    ListChildren, ListParents, ListAccountsForParent; `departure`: MoveAccount,
    RemoveAccountFromOrganization, LeaveOrganization, CloseAccount; policies (`policies`):
    Create/Update/Delete/DescribePolicy, ListPolicies; where they apply (`attachments`):
    Enable/DisablePolicyType, Attach/DetachPolicy, ListPoliciesForTarget,
    ListTargetsForPolicy; `effective`: DescribeEffectivePolicy,
    ListAccountsWithInvalidEffectivePolicy, ListEffectivePolicyValidationErrors;
    `resource_policy`: Put/Describe/DeleteResourcePolicy; `service_access`:
    Enable/DisableAWSServiceAccess, ListAWSServiceAccessForOrganization; `delegated`:
    Register/DeregisterDelegatedAdministrator, ListDelegatedAdministrators,
    ListDelegatedServicesForAccount; `transfers`:
    InviteOrganizationToTransferResponsibility, DescribeResponsibilityTransfer,
    ListInbound/ListOutboundResponsibilityTransfers, Update/TerminateResponsibilityTransfer
    (their handshake's own rules: `transfer_handshakes`). Every other operation keeps the
    skeleton's not-implemented answer."""


SERVICE = ServiceDefinition(
    name="organizations",
    handlers=Handlers,
    settings=OrganizationsSettings,
    migrations=tuple(MIGRATIONS),
    errors=OrganizationsErrors,
    default_db="botogen.sqlite3",
)
