"""V1's first steps for every operation the handlers implement (organizations.md §2–§3):
input validation (step 1), then closed callers (Z3, step 2), then membership (Z1, step
3), then the role (Z2, step 4), before anything the request asks about (steps 6–11).

Each operation is called with a request that would fail a later step (ids that name
nothing, a party type or filter the operation refuses, a date in the past): the answer
must be the earlier step's. The operations are those the handlers override today (the
table has a request for every operation of the model, so an operation implemented later
is covered the day it lands). Through real boto3 clients, on both engines.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from generated.organizations import OPERATIONS, OrganizationsSkeleton
from handlers.organizations import Handlers
from handlers.organizations.access import MAY_CALL, Role
from support.examples import call
from support.world import World, engine, fails_with, world

__all__ = ["engine", "world"]

ACCOUNT = "123456789012"
ROOT = "r-abcd"
OU = "ou-abcd-abcdefgh"
POLICY = "p-abcdefghij"
HANDSHAKE = "h-abcdefghijklmnop"
TRANSFER = "rt-abcdefghijkl"
PAST = datetime(2020, 1, 1, tzinfo=timezone.utc)

#: A valid request of every operation, naming things that do not exist, or asking for
#: something a later step refuses.
REQUESTS: dict[str, dict[str, Any]] = {
    "AcceptHandshake": {"HandshakeId": HANDSHAKE},
    "AttachPolicy": {"PolicyId": POLICY, "TargetId": ROOT},
    "CancelHandshake": {"HandshakeId": HANDSHAKE},
    "CloseAccount": {"AccountId": ACCOUNT},
    "CreateAccount": {"Email": "new@example.com", "AccountName": "New"},
    "CreateGovCloudAccount": {"Email": "new@example.com", "AccountName": "New"},
    "CreateOrganization": {},
    "CreateOrganizationalUnit": {"ParentId": ROOT, "Name": "New"},
    "CreatePolicy": {
        "Content": "not json",
        "Description": "d",
        "Name": "n",
        "Type": "TAG_POLICY",
    },
    "DeclineHandshake": {"HandshakeId": HANDSHAKE},
    "DeleteOrganization": {},
    "DeleteOrganizationalUnit": {"OrganizationalUnitId": OU},
    "DeletePolicy": {"PolicyId": POLICY},
    "DeleteResourcePolicy": {},
    "DeregisterDelegatedAdministrator": {
        "AccountId": ACCOUNT,
        "ServicePrincipal": "unknown.example.com",
    },
    "DescribeAccount": {"AccountId": ACCOUNT},
    "DescribeCreateAccountStatus": {"CreateAccountRequestId": "car-" + "a" * 32},
    "DescribeEffectivePolicy": {"PolicyType": "TAG_POLICY", "TargetId": ACCOUNT},
    "DescribeHandshake": {"HandshakeId": HANDSHAKE},
    "DescribeOrganization": {},
    "DescribeOrganizationalUnit": {"OrganizationalUnitId": OU},
    "DescribePolicy": {"PolicyId": POLICY},
    "DescribeResourcePolicy": {},
    "DescribeResponsibilityTransfer": {"Id": TRANSFER},
    "DetachPolicy": {"PolicyId": POLICY, "TargetId": ROOT},
    "DisableAWSServiceAccess": {"ServicePrincipal": "unknown.example.com"},
    "DisablePolicyType": {"RootId": ROOT, "PolicyType": "TAG_POLICY"},
    "EnableAWSServiceAccess": {"ServicePrincipal": "unknown.example.com"},
    "EnableAllFeatures": {},
    "EnablePolicyType": {"RootId": ROOT, "PolicyType": "TAG_POLICY"},
    "InviteAccountToOrganization": {
        "Target": {"Type": "ORGANIZATION", "Id": "o-abcdefghij"}
    },
    "InviteOrganizationToTransferResponsibility": {
        "Type": "BILLING",
        "Target": {"Type": "ORGANIZATION", "Id": "o-abcdefghij"},
        "StartTimestamp": PAST,
        "SourceName": "s",
    },
    "LeaveOrganization": {},
    "ListAWSServiceAccessForOrganization": {},
    "ListAccounts": {},
    "ListAccountsForParent": {"ParentId": ROOT},
    "ListAccountsWithInvalidEffectivePolicy": {"PolicyType": "TAG_POLICY"},
    "ListChildren": {"ParentId": ROOT, "ChildType": "ACCOUNT"},
    "ListCreateAccountStatus": {},
    "ListDelegatedAdministrators": {"ServicePrincipal": "unknown.example.com"},
    "ListDelegatedServicesForAccount": {"AccountId": ACCOUNT},
    "ListEffectivePolicyValidationErrors": {
        "AccountId": ACCOUNT,
        "PolicyType": "TAG_POLICY",
    },
    "ListHandshakesForAccount": {},
    "ListHandshakesForOrganization": {
        "Filter": {"ActionType": "INVITE", "ParentHandshakeId": HANDSHAKE}
    },
    "ListInboundResponsibilityTransfers": {"Type": "BILLING", "Id": TRANSFER},
    "ListOrganizationalUnitsForParent": {"ParentId": ROOT},
    "ListOutboundResponsibilityTransfers": {"Type": "BILLING"},
    "ListParents": {"ChildId": ACCOUNT},
    "ListPolicies": {"Filter": "TAG_POLICY"},
    "ListPoliciesForTarget": {"TargetId": ROOT, "Filter": "TAG_POLICY"},
    "ListRoots": {},
    "ListTagsForResource": {"ResourceId": ROOT},
    "ListTargetsForPolicy": {"PolicyId": POLICY},
    "MoveAccount": {
        "AccountId": ACCOUNT,
        "SourceParentId": ROOT,
        "DestinationParentId": OU,
    },
    "PutResourcePolicy": {"Content": "not json"},
    "RegisterDelegatedAdministrator": {
        "AccountId": ACCOUNT,
        "ServicePrincipal": "unknown.example.com",
    },
    "RemoveAccountFromOrganization": {"AccountId": ACCOUNT},
    "TagResource": {
        "ResourceId": ROOT,
        "Tags": [{"Key": "aws:system", "Value": "v"}],
    },
    "TerminateResponsibilityTransfer": {"Id": TRANSFER},
    "UntagResource": {"ResourceId": ROOT, "TagKeys": ["aws:system"]},
    "UpdateOrganizationalUnit": {"OrganizationalUnitId": OU, "Name": "Renamed"},
    "UpdatePolicy": {"PolicyId": POLICY, "Content": "not json"},
    "UpdateResponsibilityTransfer": {"Id": TRANSFER, "Name": "n"},
}


def _implemented(operation: str) -> bool:
    method = getattr(Handlers, OPERATIONS[operation].method)
    skeleton = getattr(OrganizationsSkeleton, OPERATIONS[operation].method)
    return bool(method is not skeleton)


IMPLEMENTED = sorted(name for name in OPERATIONS if _implemented(name))
#: Z1 applies to every operation but these (handshakes the caller received or may
#: answer are its own business, R10–R22; CreateOrganization is for standalone callers);
#: and CancelHandshake, DECIDED: its error list in the model has no
#: AWSOrganizationsNotInUseException (Z1 rests on those lists), so R9 answers.
NOT_Z1 = {
    "CreateOrganization",
    "AcceptHandshake",
    "DeclineHandshake",
    "DescribeHandshake",
    "ListHandshakesForAccount",
    "CancelHandshake",
}
#: Operations a member may call (no Z2 for it): its own organization, its own leaving,
#: its own effective policies, handshakes it received or its organization sent; and
#: CancelHandshake, whose order R15 sets: visibility (R9) before the caller.
MEMBER_MAY_CALL = NOT_Z1 | {
    "DescribeOrganization",
    "LeaveOrganization",
    "CancelHandshake",
    *(op for op, roles in MAY_CALL.items() if Role.MEMBER in roles),
}


def _client(world: World, actor: Any) -> Any:
    # The client checks nothing itself: what the server answers is under test.
    return world.client(actor, parameter_validation=False)


# Every call below is refused, so one caller of each kind serves every operation.


@pytest.fixture(scope="module")
def standalone(world: World) -> Any:
    """An account in no organization."""
    return _client(world, world.account())


@pytest.fixture(scope="module")
def member(world: World) -> Any:
    """A plain member: no delegated administrator, no delegation policy."""
    return _client(world, world.organization(members=1).members[0])


@pytest.fixture(scope="module")
def closed(world: World) -> Any:
    """A SUSPENDED member."""
    member = world.organization(members=1).members[0]
    world.execute("UPDATE accounts SET state = 'SUSPENDED' WHERE id = ?", member.id)
    return _client(world, member)


def test_every_operation_has_a_request() -> None:
    """The table covers the model: a new operation needs its request here."""
    assert set(REQUESTS) == set(OPERATIONS)


@pytest.mark.parametrize(
    "operation", sorted(set(IMPLEMENTED) - NOT_Z1), ids=lambda op: str(op)
)
def test_z1_v1_standalone_callers(standalone: Any, operation: str) -> None:
    """Z1, V1 step 3: an account in no organization is AWSOrganizationsNotInUse, before
    the role and before anything the request names."""
    fails_with(
        "AWSOrganizationsNotInUseException",
        lambda: call(standalone, operation, REQUESTS[operation]),
    )


@pytest.mark.parametrize(
    "operation",
    sorted(set(IMPLEMENTED) - MEMBER_MAY_CALL),
    ids=lambda op: str(op),
)
def test_z2_v1_members(member: Any, operation: str) -> None:
    """Z2, V1 step 4: a plain member (no delegated administrator, no delegation policy)
    is AccessDenied for what the matrix keeps from it, before the request's own checks
    (step 6) and before any id it names is looked up (step 7)."""
    answer = fails_with(
        "AccessDeniedException", lambda: call(member, operation, REQUESTS[operation])
    )
    assert answer["Error"]["Message"] == (
        "You don't have permissions to access this resource."
    )


@pytest.mark.parametrize("operation", IMPLEMENTED, ids=lambda op: str(op))
def test_z3_v1_closed_callers(closed: Any, operation: str) -> None:
    """Z3, V1 step 2: a SUSPENDED member is AccessDenied for every operation, before
    membership, role and request checks."""
    fails_with(
        "AccessDeniedException", lambda: call(closed, operation, REQUESTS[operation])
    )


def test_v1_input_before_the_caller(world: World) -> None:
    """V1 step 1: the model's constraints are checked before who is calling: a
    standalone account with a malformed id is InvalidInput INVALID_PATTERN, not
    AWSOrganizationsNotInUse."""
    caller = world.account()
    answer = fails_with(
        "InvalidInputException",
        lambda: call(
            _client(world, caller), "DescribeAccount", {"AccountId": "not-an-id"}
        ),
    )
    assert answer["Reason"] == "INVALID_PATTERN"


def test_v1_request_checks_after_the_role(world: World) -> None:
    """V1 steps 4 then 6: the management account, which may call, gets the request's
    own check (here R17's party type), which a member never reaches."""
    org = world.organization()
    answer = fails_with(
        "InvalidInputException",
        lambda: call(
            _client(world, org.manager),
            "InviteAccountToOrganization",
            REQUESTS["InviteAccountToOrganization"],
        ),
    )
    assert answer["Reason"] == "INVALID_PARTY_TYPE_TARGET"


@pytest.mark.parametrize("operation", ["DescribeOrganization", "ListAccounts"])
def test_z3_before_z1_closed_and_departed(world: World, operation: str) -> None:
    """Z3 (step 2) before Z1 (step 3): an account whose closure completed and that
    departed its organization (A21) is in no organization, and still AccessDenied."""
    org = world.organization(members=1)
    member = org.members[0]
    world.execute(
        "UPDATE accounts SET organization_id = NULL, parent_id = NULL,"
        " closed_at = 1, suspends_at = 1, closes_at = 1, departs_at = 1 WHERE id = ?",
        member.id,
    )
    fails_with(
        "AccessDeniedException",
        lambda: call(_client(world, member), operation, REQUESTS[operation]),
    )
