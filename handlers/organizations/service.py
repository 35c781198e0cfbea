"""The Organizations service as the runtime serves it: `Handlers` and `SERVICE`.

`Handlers` composes the resource modules' classes. Each of them subclasses
`OrganizationsBase` (so mypy checks every operation against the generated skeleton and
the shared helpers), and the composition lists them before the base:

    class Handlers(OrganizationOperations, AccountOperations, ..., OrganizationsBase)

**Adding an operation** (e.g. CreateOrganizationalUnit):

1. pick the resource module it belongs to (`organization`, `accounts`, `invitations`,
   `handshakes`), or start one — `handlers/organizations/ous.py` with
   `class OUOperations(OrganizationsBase)` — and add that class to `Handlers` below;
2. override the skeleton's method there, with the skeleton's signature
   (`def create_organizational_unit(self, context, request) -> ...Response`): the request
   arrives validated; open `self.transaction()`, find the caller (`self._caller`), apply
   the spec's rules in its order of checks, raise the generated exceptions;
3. SQL goes in `store`, new tables in a new migration at the end of `schema.MIGRATIONS`,
   documents in `documents` (built with `model_construct`: outputs are not validated
   again), new limits or delays in `settings.OrganizationsSettings`;
4. add the rule's tests (`tests/test_rules.py` names each rule), mark every choice the
   spec leaves open DECIDED next to its code, and run `botogen check --accept` once the
   handlers match the model (`model.fingerprint.json`).
"""

from __future__ import annotations

from handlers.organizations.accounts import AccountOperations
from handlers.organizations.attachments import AttachmentOperations
from handlers.organizations.base import OrganizationsBase
from handlers.organizations.creation import CreationOperations
from handlers.organizations.departure import DepartureOperations
from handlers.organizations.effective import EffectivePolicyOperations
from handlers.organizations.errors import OrganizationsErrors
from handlers.organizations.handshakes import HandshakeOperations
from handlers.organizations.invitations import InvitationOperations
from handlers.organizations.organization import OrganizationOperations
from handlers.organizations.policies import PolicyOperations
from handlers.organizations.schema import MIGRATIONS
from handlers.organizations.settings import OrganizationsSettings
from handlers.organizations.tagging import TagOperations
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
    EffectivePolicyOperations,
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
    ListAccountsWithInvalidEffectivePolicy, ListEffectivePolicyValidationErrors. Every
    other operation keeps the skeleton's not-implemented answer."""


SERVICE = ServiceDefinition(
    name="organizations",
    handlers=Handlers,
    settings=OrganizationsSettings,
    migrations=tuple(MIGRATIONS),
    errors=OrganizationsErrors,
    default_db="botogen.sqlite3",
)
