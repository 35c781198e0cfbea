"""Moving, removing, leaving and closing accounts (`docs/organizations.md`, "Accounts
leaving": A15–A21, H1, H2, H5, H10, Z3, M3), through real boto3 clients against real
servers, on SQLite and PostgreSQL.

Two servers per engine: the shared `world` (defaults: closure delay 0, so CloseAccount
makes an account SUSPENDED at once) and `closing`, on a business clock the tests set, whose
closures take an hour to suspend and whose closed accounts depart a day after their
permanent closure, with an account limit of 6 (H5).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.world import (
    UTC,
    Org,
    World,
    dummy_accounts,
    engine,
    fails_with,
    fresh_instants,
    serving,
    world,
)

__all__ = ["engine", "world"]

ACCOUNT_NOT_FOUND = (
    "We can't find an Amazon Web Services account with the AccountId that you "
    "specified, or the account whose credentials you used to make this request isn't "
    "a member of an organization."
)
ACCESS_DENIED = "You don't have permissions to access this resource."
CLOSE_DELAY = timedelta(hours=1)
CLEANUP_DELAY = timedelta(days=1)
CLOSING_LIMIT = 6


@pytest.fixture(scope="module")
def closing(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"closing-{engine}")
    with serving(
        folder,
        engine,
        "--close-delay-ms",
        str(int(CLOSE_DELAY.total_seconds() * 1000)),
        "--cleanup-delay-ms",
        str(int(CLEANUP_DELAY.total_seconds() * 1000)),
        "--account-limit",
        str(CLOSING_LIMIT),
        clock=True,
        accounts=dummy_accounts(80),
    ) as running:
        yield running


#: Sets the business clock to a stretch of time no other test of the module uses.
fresh_instant = fresh_instants(datetime(2032, 1, 1, tzinfo=UTC), timedelta(days=200))


def ou(org: Org, name: str = "Dev", parent: str | None = None) -> str:
    client = org.manager.client
    parent = parent or client.list_roots()["Roots"][0]["Id"]
    created: str = client.create_organizational_unit(ParentId=parent, Name=name)[
        "OrganizationalUnit"
    ]["Id"]
    return created


def root(org: Org) -> str:
    found: str = org.manager.client.list_roots()["Roots"][0]["Id"]
    return found


def state(org: Org, account_id: str) -> str:
    """The account's State as DescribeAccount shows it; ListAccounts and
    ListAccountsForParent (A1, A2) must show the same."""
    client = org.manager.client
    described = client.describe_account(AccountId=account_id)["Account"]
    found: str = described["State"]
    parent = client.list_parents(ChildId=account_id)["Parents"][0]["Id"]
    for pages in (
        client.get_paginator("list_accounts").paginate(),
        client.get_paginator("list_accounts_for_parent").paginate(ParentId=parent),
    ):
        shown = [a for page in pages for a in page["Accounts"] if a["Id"] == account_id]
        assert [(a["State"], a["Status"]) for a in shown] == [
            (found, described["Status"])
        ]
    return found


def listed(org: Org) -> list[str]:
    pages = org.manager.client.get_paginator("list_accounts").paginate()
    return [a["Id"] for page in pages for a in page["Accounts"]]


_emails = itertools.count(1)


def created_account(world: World, org: Org) -> str:
    """An account the organization creates (JoinedMethod CREATED, now)."""
    status = org.manager.client.create_account(
        Email=f"departure-{next(_emails):04d}@example.com", AccountName="Made"
    )["CreateAccountStatus"]
    done = org.manager.client.describe_create_account_status(
        CreateAccountRequestId=status["Id"]
    )["CreateAccountStatus"]
    assert done["State"] == "SUCCEEDED", done
    account_id: str = done["AccountId"]
    return account_id


# -- A15: MoveAccount ------------------------------------------------------------------------


def test_a15_move_account(world: World) -> None:
    """A15: the account moves; Paths and the parent's listings follow; its tags stay;
    the management account moves too; the answer is {}."""
    org = world.organization(members=1)
    member = org.members[0]
    client = org.manager.client
    r, dev = root(org), ou(org)
    client.tag_resource(ResourceId=member.id, Tags=[{"Key": "k", "Value": "v"}])
    answer = client.move_account(
        AccountId=member.id, SourceParentId=r, DestinationParentId=dev
    )
    assert set(answer) == {"ResponseMetadata"}
    described = client.describe_account(AccountId=member.id)["Account"]
    assert described["Paths"] == [f"{org.id}/{r}/{dev}/{member.id}/"]
    under = client.list_accounts_for_parent(ParentId=dev)["Accounts"]
    assert [a["Id"] for a in under] == [member.id]
    assert client.list_parents(ChildId=member.id)["Parents"] == [
        {"Id": dev, "Type": "ORGANIZATIONAL_UNIT"}
    ]
    assert client.list_tags_for_resource(ResourceId=member.id)["Tags"] == [
        {"Key": "k", "Value": "v"}
    ]
    client.move_account(
        AccountId=org.manager.id, SourceParentId=r, DestinationParentId=dev
    )
    client.move_account(AccountId=member.id, SourceParentId=dev, DestinationParentId=r)
    assert sorted(
        a["Id"] for a in client.list_accounts_for_parent(ParentId=dev)["Accounts"]
    ) == [org.manager.id]


def test_a15_move_account_check_order(world: World) -> None:
    """A15's order: account, source, destination, the source is the account's parent,
    destination is not the current parent. Another organization's ids are not found
    (C5)."""
    org = world.organization(members=1)
    other = world.organization(members=1)
    member = org.members[0]
    client = org.manager.client
    r, dev, foreign_ou = root(org), ou(org), ou(other)
    move = client.move_account

    def code(**params: Any) -> dict[str, Any]:
        return {
            "AccountId": member.id,
            "SourceParentId": r,
            "DestinationParentId": dev,
            **params,
        }

    failure = fails_with(
        "AccountNotFoundException",
        move,
        **code(AccountId=other.members[0].id, SourceParentId=foreign_ou),
    )
    assert failure["Error"]["Message"] == ACCOUNT_NOT_FOUND
    fails_with(
        "SourceParentNotFoundException",
        move,
        **code(SourceParentId=foreign_ou, DestinationParentId=foreign_ou),
    )
    fails_with(
        "DestinationParentNotFoundException",
        move,
        **code(DestinationParentId=foreign_ou),
    )
    failure = fails_with(
        "SourceParentNotFoundException",
        move,
        **code(SourceParentId=dev, DestinationParentId=r),
    )
    assert failure["Error"]["Message"] == (
        "We can't find a source root or OU with the ParentId that you specified."
    )
    failure = fails_with(
        "DuplicateAccountException", move, **code(DestinationParentId=r)
    )
    assert failure["Error"]["Message"] == (
        "That account is already present in the specified destination."
    )
    # A closed (SUSPENDED) account can be moved (A15, A20).
    client.close_account(AccountId=member.id)
    move(**code())
    assert state(org, member.id) == "SUSPENDED"


def test_a15_z_move_account_callers(world: World) -> None:
    """Z1, Z2 for MoveAccount: a member AccessDenied, a standalone account NotInUse."""
    org = world.organization(members=1)
    r, dev = root(org), ou(org)
    params = {
        "AccountId": org.members[0].id,
        "SourceParentId": r,
        "DestinationParentId": dev,
    }
    fails_with("AccessDeniedException", org.members[0].client.move_account, **params)
    fails_with(
        "AWSOrganizationsNotInUseException",
        world.account().client.move_account,
        **params,
    )


def test_a15_c8_move_into_an_ou_races_its_deletion(world: World) -> None:
    """C8, A15, U5: a move into an OU and that OU's deletion are serialised by the
    organization's row: either the OU is gone and the account is not in it, or the
    account is in it and the deletion was refused as not empty."""
    org = world.organization(members=1)
    member = org.members[0]
    client = org.manager.client
    r = root(org)
    for attempt in range(4):
        target = ou(org, name=f"Race{attempt}")

        def move() -> str:
            try:
                client.move_account(
                    AccountId=member.id, SourceParentId=r, DestinationParentId=target
                )
                return "moved"
            except ClientError as error:
                return str(error.response["Error"]["Code"])

        def delete() -> str:
            try:
                client.delete_organizational_unit(OrganizationalUnitId=target)
                return "deleted"
            except ClientError as error:
                return str(error.response["Error"]["Code"])

        with ThreadPoolExecutor(2) as pool:
            moving, deleting = pool.submit(move), pool.submit(delete)
            moved, deleted = moving.result(), deleting.result()
        parent = client.list_parents(ChildId=member.id)["Parents"][0]["Id"]
        if moved == "moved":
            assert deleted == "OrganizationalUnitNotEmptyException"
            assert parent == target
            client.move_account(
                AccountId=member.id, SourceParentId=target, DestinationParentId=r
            )
        else:
            assert (moved, deleted) == ("DestinationParentNotFoundException", "deleted")
            assert parent == r


# -- A16–A18: RemoveAccountFromOrganization, LeaveOrganization, departure effects ---------


def test_a16_a18_remove_account(world: World) -> None:
    """A16, A18: the removed account is standalone at once: gone from the listings and
    DescribeAccount, its place in the tree and its tags deleted, its credentials still
    work (it may found an organization)."""
    org = world.organization(members=2)
    member, stays = org.members
    client = org.manager.client
    dev = ou(org)
    client.move_account(
        AccountId=member.id, SourceParentId=root(org), DestinationParentId=dev
    )
    client.tag_resource(ResourceId=member.id, Tags=[{"Key": "team", "Value": "x"}])
    answer = client.remove_account_from_organization(AccountId=member.id)
    assert set(answer) == {"ResponseMetadata"}
    assert member.id not in listed(org) and stays.id in listed(org)
    failure = fails_with(
        "AccountNotFoundException", client.describe_account, AccountId=member.id
    )
    assert failure["Error"]["Message"] == ACCOUNT_NOT_FOUND
    assert client.list_accounts_for_parent(ParentId=dev)["Accounts"] == []
    fails_with("AWSOrganizationsNotInUseException", member.client.describe_organization)
    member.client.list_handshakes_for_account()  # credentials keep working
    # Joining again (no tags on the invitation) shows that its tags were deleted.
    world.join(org, member)
    assert client.list_tags_for_resource(ResourceId=member.id)["Tags"] == []
    assert client.list_parents(ChildId=member.id)["Parents"][0]["Type"] == "ROOT"


def test_a16_remove_account_check_order(world: World) -> None:
    """A16's order: not in the organization → AccountNotFound; the management account
    → MasterCannotLeaveOrganization; PENDING_CLOSURE, SUSPENDED or CLOSED →
    ConstraintViolation ACCOUNT_CANNOT_LEAVE_ORGANIZATION; callers Z1, Z2."""
    org = world.organization(members=2)
    other = world.organization(members=1)
    client = org.manager.client
    remove = client.remove_account_from_organization
    fails_with("AccountNotFoundException", remove, AccountId=other.members[0].id)
    fails_with("AccountNotFoundException", remove, AccountId=world.account().id)
    failure = fails_with(
        "MasterCannotLeaveOrganizationException", remove, AccountId=org.manager.id
    )
    assert failure["Error"]["Message"].startswith(
        "You can't remove a management account from an organization."
    )
    client.close_account(AccountId=org.members[0].id)
    failure = fails_with(
        "ConstraintViolationException", remove, AccountId=org.members[0].id
    )
    assert failure["Reason"] == "ACCOUNT_CANNOT_LEAVE_ORGANIZATION"
    fails_with(
        "AccessDeniedException",
        org.members[1].client.remove_account_from_organization,
        AccountId=org.members[1].id,
    )
    fails_with(
        "AWSOrganizationsNotInUseException",
        world.account().client.remove_account_from_organization,
        AccountId=org.members[1].id,
    )


def test_a16_a17_wait_period_after_creation(closing: World) -> None:
    """A16, A17: an account joined by CreateAccount can neither be removed nor leave
    for 4 days after its JoinedTimestamp (WAIT_PERIOD_ACTIVE); afterwards it can."""
    fresh_instant(closing)
    org = closing.organization()
    made = created_account(closing, org)
    failure = fails_with(
        "ConstraintViolationException",
        org.manager.client.remove_account_from_organization,
        AccountId=made,
    )
    assert failure["Reason"] == "WAIT_PERIOD_ACTIVE"
    closing.clock.advance(timedelta(days=4) - timedelta(milliseconds=1))
    fails_with(
        "ConstraintViolationException",
        org.manager.client.remove_account_from_organization,
        AccountId=made,
    )
    closing.clock.advance(timedelta(milliseconds=1))
    org.manager.client.remove_account_from_organization(AccountId=made)
    assert made not in listed(org)


@pytest.fixture(scope="module")
def unready_world(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A seeded organization: 900000000001 manages it; 900000000002 has no verified phone
    (`standalone_ready: false`), 900000000003 is an ordinary member."""
    folder = tmp_path_factory.mktemp(f"unready-{engine}")
    accounts = dummy_accounts(3)
    seed = {
        "organizations": [
            {
                "id": "o-unready123",
                "management_account_id": accounts[0]["id"],
                "members": [
                    {"account_id": accounts[1]["id"], "standalone_ready": False},
                    {"account_id": accounts[2]["id"]},
                ],
            }
        ]
    }
    (folder / "seed.json").write_text(json.dumps(seed))
    flags = ["--seed", str(folder / "seed.json")]
    with serving(folder, engine, *flags, accounts=accounts) as running:
        yield running


def test_a18_standalone_ready_fixture(unready_world: World) -> None:
    """A18: an account a seed marks `standalone_ready: false` can neither leave nor be
    removed (ConstraintViolation ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION, after
    A16's other checks); an ordinary member can."""
    manager, unready, ordinary = (unready_world.account() for _ in range(3))
    failure = fails_with(
        "ConstraintViolationException",
        manager.client.remove_account_from_organization,
        AccountId=unready.id,
    )
    assert failure["Reason"] == "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"
    failure = fails_with(
        "ConstraintViolationException", unready.client.leave_organization
    )
    assert failure["Reason"] == "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION"
    fails_with(  # A16's order: the management account's own check comes first
        "MasterCannotLeaveOrganizationException",
        manager.client.remove_account_from_organization,
        AccountId=manager.id,
    )
    ordinary.client.leave_organization()
    listed = manager.client.list_accounts()["Accounts"]
    assert sorted(a["Id"] for a in listed) == sorted([manager.id, unready.id])


def test_a17_leave_organization(closing: World) -> None:
    """A17: standalone → NotInUse; the management account → MasterCannotLeave; a
    member leaves ({}), unless PENDING_CLOSURE (still allowed to call, Z3) →
    ACCOUNT_CANNOT_LEAVE_ORGANIZATION."""
    fresh_instant(closing)
    org = closing.organization(members=2)
    leaver, closer = org.members
    fails_with(
        "AWSOrganizationsNotInUseException", closing.account().client.leave_organization
    )
    fails_with(
        "MasterCannotLeaveOrganizationException", org.manager.client.leave_organization
    )
    org.manager.client.close_account(AccountId=closer.id)
    assert state(org, closer.id) == "PENDING_CLOSURE"
    failure = fails_with(
        "ConstraintViolationException", closer.client.leave_organization
    )
    assert failure["Reason"] == "ACCOUNT_CANNOT_LEAVE_ORGANIZATION"
    assert set(leaver.client.leave_organization()) == {"ResponseMetadata"}
    assert leaver.id not in listed(org)
    fails_with("AWSOrganizationsNotInUseException", leaver.client.describe_organization)


def test_a18_h1_departed_account_accepts_another_invitation(world: World) -> None:
    """H1: a departed account is standalone at once and may accept another
    organization's pending invitation (no ALREADY_IN_AN_ORGANIZATION)."""
    org = world.organization(members=1)
    member = org.members[0]
    other = world.organization()
    pending = world.invite(other, member)
    failure = fails_with(
        "HandshakeConstraintViolationException",
        member.client.accept_handshake,
        HandshakeId=pending["Id"],
    )
    assert failure["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
    member.client.leave_organization()
    accepted = member.client.accept_handshake(HandshakeId=pending["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"
    assert member.client.describe_organization()["Organization"]["Id"] == other.id


def test_a18_h5_departure_frees_the_place(closing: World) -> None:
    """A18, H5: a departed account no longer counts toward the account limit."""
    fresh_instant(closing)
    org = closing.organization(members=5)  # 6 of 6
    invite = org.manager.client.invite_account_to_organization
    failure = fails_with(
        "HandshakeConstraintViolationException",
        invite,
        Target={"Type": "ACCOUNT", "Id": closing.account().id},
    )
    assert failure["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    org.manager.client.remove_account_from_organization(AccountId=org.members[0].id)
    assert invite(Target={"Type": "ACCOUNT", "Id": closing.account().id})["Handshake"]


def test_h2_departure_cancels_its_approval(world: World) -> None:
    """H2: during an all-features migration, a departing member's pending
    APPROVE_ALL_FEATURES handshake becomes CANCELED; the parent opens once every
    remaining approval is ACCEPTED."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=2)
    approver, leaver = org.members
    parent = org.manager.client.enable_all_features()["Handshake"]
    children = {
        h["Parties"][0]["Id"]: h
        for h in org.manager.client.list_handshakes_for_organization(
            Filter={"ParentHandshakeId": parent["Id"]}
        )["Handshakes"]
    }
    approver.client.accept_handshake(HandshakeId=children[approver.id]["Id"])
    assert (
        org.manager.client.describe_handshake(HandshakeId=parent["Id"])["Handshake"][
            "State"
        ]
        == "REQUESTED"
    )
    org.manager.client.remove_account_from_organization(AccountId=leaver.id)
    gone = leaver.client.describe_handshake(HandshakeId=children[leaver.id]["Id"])
    assert gone["Handshake"]["State"] == "CANCELED"
    after = org.manager.client.describe_handshake(HandshakeId=parent["Id"])["Handshake"]
    assert after["State"] == "OPEN"


# -- A19–A21: CloseAccount -----------------------------------------------------------------


def test_a19_close_account_check_order(world: World) -> None:
    """A19's order: CONSOLIDATED_BILLING → ORGANIZATION_NOT_IN_ALL_FEATURES_MODE (even
    for an unknown account); not in the organization → AccountNotFound; the management
    account → CANNOT_CLOSE_MANAGEMENT_ACCOUNT; SUSPENDED → AccountAlreadyClosed; callers
    Z1, Z2."""
    billing = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    failure = fails_with(
        "ConstraintViolationException",
        billing.manager.client.close_account,
        AccountId=world.account().id,
    )
    assert failure["Reason"] == "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"
    org = world.organization(members=1)
    close = org.manager.client.close_account
    fails_with("AccountNotFoundException", close, AccountId=billing.members[0].id)
    failure = fails_with(
        "ConstraintViolationException", close, AccountId=org.manager.id
    )
    assert failure["Reason"] == "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"
    fails_with(
        "AccessDeniedException",
        org.members[0].client.close_account,
        AccountId=org.members[0].id,
    )
    fails_with(
        "AWSOrganizationsNotInUseException",
        world.account().client.close_account,
        AccountId=org.members[0].id,
    )
    assert set(close(AccountId=org.members[0].id)) == {"ResponseMetadata"}
    assert state(org, org.members[0].id) == "SUSPENDED"  # close delay 0 (M3)
    failure = fails_with(
        "AccountAlreadyClosedException", close, AccountId=org.members[0].id
    )
    assert failure["Error"]["Message"] == (
        "You attempted to close an account that is already closed."
    )


def test_a19_pending_closure_conflict_and_limit(closing: World) -> None:
    """A19: closing a PENDING_CLOSURE account → ConflictException; with three accounts
    PENDING_CLOSURE (`pending_closures_limit`) a fourth closure →
    CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED; once they are SUSPENDED it works."""
    fresh_instant(closing)
    org = closing.organization(members=4)
    close = org.manager.client.close_account
    a, b, c, d = org.members
    for member in (a, b, c):
        close(AccountId=member.id)
    fails_with("ConflictException", close, AccountId=a.id)
    failure = fails_with("ConstraintViolationException", close, AccountId=d.id)
    assert failure["Reason"] == "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED"
    assert state(org, d.id) == "ACTIVE"
    closing.clock.advance(CLOSE_DELAY)
    assert [state(org, m.id) for m in (a, b, c)] == ["SUSPENDED"] * 3
    close(AccountId=d.id)
    assert state(org, d.id) == "PENDING_CLOSURE"


@pytest.fixture(scope="module")
def quota_world(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A server whose 30-day closure quota is min(4, max(2, 50% of the members)) (M7)."""
    folder = tmp_path_factory.mktemp(f"quota-{engine}")
    flags = ["--close-quota-floor", "2", "--close-quota-percent", "50"]
    flags += ["--close-quota-cap", "4", "--account-limit", "20"]
    flags += ["--pending-closures-limit", "10"]
    with serving(folder, engine, *flags, clock=True, accounts=dummy_accounts(40)) as w:
        yield w


@pytest.mark.parametrize(
    ("members", "quota"),
    [(3, 2), (6, 3), (10, 4)],
    ids=["floor", "percent", "cap"],
)
def test_a19_close_account_quota(quota_world: World, members: int, quota: int) -> None:
    """A19: closures started in the last 30 days ≥ min(cap, max(floor, percent of the
    member accounts)) → CLOSE_ACCOUNT_QUOTA_EXCEEDED: the floor holds for a small
    organization, the percent raises it, the cap bounds it; 30 days after the first
    closures the window has passed."""
    t0 = quota_world.clock.set(
        datetime(2031, 3, 1, tzinfo=UTC) + timedelta(days=members)
    )
    org = quota_world.organization(members=members)
    close = org.manager.client.close_account
    for member in org.members[:quota]:
        close(AccountId=member.id)
    failure = fails_with(
        "ConstraintViolationException", close, AccountId=org.members[quota].id
    )
    assert failure["Reason"] == "CLOSE_ACCOUNT_QUOTA_EXCEEDED"
    quota_world.clock.set(t0 + timedelta(days=30))
    close(AccountId=org.members[quota].id)
    assert state(org, org.members[quota].id) == "SUSPENDED"


def test_a20_a21_h5_closure_timeline(closing: World) -> None:
    """A20, A21, H5, M3: PENDING_CLOSURE at t0, SUSPENDED at t0 + close delay, CLOSED
    at t0 + 90 days (no longer counted: a place is free), departed after the cleanup
    delay: DescribeAccount then AccountNotFound, not listed; its email stays taken."""
    t0 = fresh_instant(closing)
    org = closing.organization(members=5)  # 6 of 6
    member = org.members[0]
    client = org.manager.client
    client.close_account(AccountId=member.id)
    assert state(org, member.id) == "PENDING_CLOSURE"
    # PENDING_CLOSURE still works (Z3).
    assert member.client.describe_organization()["Organization"]["Id"] == org.id
    closing.clock.set(t0 + CLOSE_DELAY - timedelta(milliseconds=1))
    assert state(org, member.id) == "PENDING_CLOSURE"
    closing.clock.set(t0 + CLOSE_DELAY)
    described = client.describe_account(AccountId=member.id)["Account"]
    assert (described["State"], described["Status"]) == ("SUSPENDED", "SUSPENDED")
    assert member.id in listed(org)
    failure = fails_with(
        "ConstraintViolationException",
        client.create_account,
        Email="never@example.com",
        AccountName="X",
    )
    assert failure["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    closing.clock.set(t0 + timedelta(days=90))
    described = client.describe_account(AccountId=member.id)["Account"]
    assert (described["State"], described["Status"]) == ("CLOSED", "SUSPENDED")
    assert member.id in listed(org)
    made = created_account(closing, org)  # H5: a CLOSED account frees its place
    closing.clock.set(t0 + timedelta(days=90) + CLEANUP_DELAY)
    fails_with("AccountNotFoundException", client.describe_account, AccountId=member.id)
    assert member.id not in listed(org) and made in listed(org)
    # A3: its email stays taken (asked by another organization: this one is full).
    fresh = closing.organization().manager.client
    status = fresh.create_account(Email=member.email, AccountName="Again")[
        "CreateAccountStatus"
    ]
    done = fresh.describe_create_account_status(CreateAccountRequestId=status["Id"])
    assert done["CreateAccountStatus"]["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    # Z3: a CLOSED account, now standalone, still gets AccessDenied.
    failure = fails_with(
        "AccessDeniedException", member.client.list_handshakes_for_account
    )
    assert failure["Error"]["Message"] == ACCESS_DENIED


# -- Z3, H10: closed callers -------------------------------------------------------------------


def test_z3_h10_closed_callers(closing: World) -> None:
    """Z3: a SUSPENDED account gets AccessDenied for every operation (ListAccounts,
    LeaveOrganization, DeclineHandshake, ...; DescribeOrganization below); H10: a handshake pending
    for it stays pending and expires by R6."""
    t0 = fresh_instant(closing)
    org = closing.organization(members=1)
    member = org.members[0]
    other = closing.organization()
    invitation = closing.invite(other, member)
    org.manager.client.close_account(AccountId=member.id)
    closing.clock.set(t0 + CLOSE_DELAY)
    calls: list[tuple[Any, dict[str, Any]]] = [
        (member.client.list_accounts, {}),
        (member.client.leave_organization, {}),
        (member.client.list_handshakes_for_account, {}),
        (member.client.decline_handshake, {"HandshakeId": invitation["Id"]}),
        (member.client.accept_handshake, {"HandshakeId": invitation["Id"]}),
        (member.client.create_organization, {}),
    ]
    for call, params in calls:
        failure = fails_with("AccessDeniedException", call, **params)
        assert failure["Error"]["Message"] == ACCESS_DENIED
    seen = other.manager.client.describe_handshake(HandshakeId=invitation["Id"])
    assert seen["Handshake"]["State"] == "OPEN"
    closing.clock.set(t0 + timedelta(days=15))
    seen = other.manager.client.describe_handshake(HandshakeId=invitation["Id"])
    assert seen["Handshake"]["State"] == "EXPIRED"


def test_z3_closed_caller_describe_organization(world: World) -> None:
    """Z3: a SUSPENDED member gets AccessDenied for DescribeOrganization too."""
    org = world.organization(members=1)
    org.manager.client.close_account(AccountId=org.members[0].id)
    fails_with("AccessDeniedException", org.members[0].client.describe_organization)
