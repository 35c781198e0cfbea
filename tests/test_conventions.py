"""Conventions and the smaller rules of part 1 (organizations.md §1, §4–§6, §10, §12–§14),
each in a test named after it: C1–C5, C7, C9, C10, V2, O2, O7, A3, A8, A13, A23, U10, T2,
T7, H9, L1, L3–L6, M3, M5, M8. Through real boto3 clients against a real server, on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.world import (
    UTC,
    Org,
    World,
    clock_world,
    dummy_accounts,
    engine,
    fails_with,
    serving,
    world,
)

__all__ = ["clock_world", "engine", "world"]


def _root(org: Org) -> str:
    root: str = org.manager.client.list_roots()["Roots"][0]["Id"]
    return root


def _ou(org: Org, parent: str, name: str) -> dict[str, Any]:
    ou: dict[str, Any] = org.manager.client.create_organizational_unit(
        ParentId=parent, Name=name
    )["OrganizationalUnit"]
    time.sleep(0.002)  # L3 orders by creation time (ms): one OU per millisecond
    return ou


def _unchecked(world: World, actor: Any) -> Any:
    """A client that leaves every check to the server."""
    return world.client(actor, parameter_validation=False)


# -- §1 conventions -----------------------------------------------------------------------------


def test_c1_generated_ids(world: World) -> None:
    """C1: organization `o-`+10, root `r-`+4, OU `ou-<root suffix>-`+8, create-account
    request `car-`+32, created account 12 digits not starting with 0; lowercase letters
    and digits; two organizations never share an id."""
    org, other = world.organization(), world.organization()
    root = _root(org)
    ou = _ou(org, root, "Ids")
    status = org.manager.client.create_account(
        Email="c1-ids@example.com", AccountName="Ids"
    )["CreateAccountStatus"]
    assert re.fullmatch(r"o-[0-9a-z]{10}", org.id)
    assert re.fullmatch(r"r-[0-9a-z]{4}", root)
    assert re.fullmatch(rf"ou-{root[2:]}-[0-9a-z]{{8}}", ou["Id"])
    assert re.fullmatch(r"car-[0-9a-z]{32}", status["Id"])
    described = org.manager.client.describe_create_account_status(
        CreateAccountRequestId=status["Id"]
    )["CreateAccountStatus"]
    assert re.fullmatch(r"[1-9]\d{11}", described["AccountId"])
    assert org.id != other.id and root != _root(other)


def test_c2_arns(world: World) -> None:
    """C2: the ARNs of the organization, its accounts (the management account too), its
    root and OUs, built from the management account id and the organization id."""
    org = world.organization(members=1)
    m, o = org.manager.id, org.id
    client = org.manager.client
    root = _root(org)
    ou = _ou(org, root, "Arns")
    described = client.describe_organization()["Organization"]
    assert described["Arn"] == f"arn:aws:organizations::{m}:organization/{o}"
    assert (
        described["MasterAccountArn"] == f"arn:aws:organizations::{m}:account/{o}/{m}"
    )
    member = org.members[0].id
    assert client.describe_account(AccountId=member)["Account"]["Arn"] == (
        f"arn:aws:organizations::{m}:account/{o}/{member}"
    )
    assert client.list_roots()["Roots"][0]["Arn"] == (
        f"arn:aws:organizations::{m}:root/{o}/{root}"
    )
    assert ou["Arn"] == f"arn:aws:organizations::{m}:ou/{o}/{ou['Id']}"


def test_c3_timestamps_are_the_business_clock(clock_world: World) -> None:
    """C3: "now" is the business clock, sent with millisecond precision: an organization
    created at 07:08:09.123 shows its management account joined then, and an account
    created a second later joined at that instant."""
    t0 = clock_world.clock.set(datetime(2031, 5, 6, 7, 8, 9, 123000, tzinfo=UTC))
    org = clock_world.organization()
    client = org.manager.client
    [manager] = client.list_accounts()["Accounts"]
    assert manager["JoinedTimestamp"] == t0
    clock_world.clock.set(t0 + timedelta(seconds=1))
    status = client.create_account(Email="c3-clock@example.com", AccountName="Clock")[
        "CreateAccountStatus"
    ]
    assert status["RequestedTimestamp"] == t0 + timedelta(seconds=1)
    accounts = client.list_accounts()["Accounts"]
    assert accounts[1]["JoinedTimestamp"] == t0 + timedelta(seconds=1)
    clock_world.clock.wall()


def test_c4_the_caller_is_the_account_of_its_keys(world: World) -> None:
    """C4: the caller is the account its verified keys belong to: each management account
    sees its own organization; keys nobody knows are refused before anything else."""
    first, second = world.organization(), world.organization()
    for org in (first, second):
        assert org.manager.client.describe_organization()["Organization"]["Id"] == (
            org.id
        )
    stranger = world.client_for_keys("AKIAUNKNOWNKEY000000", "not-a-secret")
    fails_with("UnrecognizedClientException", stranger.describe_organization)


def test_c5_another_organizations_ids_are_not_found(world: World) -> None:
    """C5: another organization's entities behave as if they did not exist: the
    operation's NotFound error, never AccessDenied."""
    org, other = world.organization(), world.organization(members=1)
    other_ou = _ou(other, _root(other), "Theirs")
    status = other.manager.client.create_account(
        Email="c5-theirs@example.com", AccountName="Theirs"
    )["CreateAccountStatus"]
    client = org.manager.client
    fails_with(
        "AccountNotFoundException",
        client.describe_account,
        AccountId=other.members[0].id,
    )
    fails_with(
        "OrganizationalUnitNotFoundException",
        client.describe_organizational_unit,
        OrganizationalUnitId=other_ou["Id"],
    )
    fails_with(
        "ParentNotFoundException",
        client.list_children,
        ParentId=_root(other),
        ChildType="ACCOUNT",
    )
    fails_with(
        "ChildNotFoundException", client.list_parents, ChildId=other.members[0].id
    )
    fails_with(
        "CreateAccountStatusNotFoundException",
        client.describe_create_account_status,
        CreateAccountRequestId=status["Id"],
    )
    fails_with(
        "TargetNotFoundException",
        client.list_tags_for_resource,
        ResourceId=other_ou["Id"],
    )


def test_c7_null_members_omitted_lists_present(world: World) -> None:
    """C7: members without a value are left out (a FAILED request has no AccountId), list
    members are always there (an empty OU's children), and an operation without an
    output shape answers `{}`."""
    org = world.organization()
    client = org.manager.client
    failed = client.create_account(Email="c7 bad@example.com", AccountName="Bad")[
        "CreateAccountStatus"
    ]
    record = client.describe_create_account_status(CreateAccountRequestId=failed["Id"])[
        "CreateAccountStatus"
    ]
    assert record["State"] == "FAILED" and "AccountId" not in record
    ou = _ou(org, _root(org), "Empty")
    children = client.list_children(ParentId=ou["Id"], ChildType="ACCOUNT")
    assert children["Children"] == [] and "NextToken" not in children
    answer = client.delete_organizational_unit(OrganizationalUnitId=ou["Id"])
    assert set(answer) == {"ResponseMetadata"}


def test_c9_c10_ids_that_pass_a_pattern_but_name_nothing(world: World) -> None:
    """C9: the model's alternative patterns are unanchored, so a value can pass and still
    name nothing: the operation's NotFound error, never a pattern failure. C10: an id of
    a kind the operation does not act on is that error too."""
    org = world.organization(members=1)
    client = _unchecked(world, org.manager)
    fails_with(
        "ChildNotFoundException",
        client.list_parents,
        ChildId=org.members[0].id + "-and-more",
    )
    fails_with(
        "TargetNotFoundException",
        client.list_tags_for_resource,
        ResourceId="x-ou-abcd-abcdefgh",
    )
    fails_with(  # a transfer id names no transfer of this organization
        "TargetNotFoundException",
        client.list_tags_for_resource,
        ResourceId="rt-abcdefgh12",
    )


def test_nul_characters_are_refused_alike_on_both_engines(world: World) -> None:
    """DECIDED (`runtime.validation.NUL_CONSTRAINT`): a string holding U+0000 (which
    PostgreSQL's text cannot store) is InvalidInput INVALID_PATTERN on every engine, with
    the model's checks (before the caller's role); a backslash followed by `u0000` is
    text like any other."""
    org = world.organization(members=1)
    root = _root(org)
    for actor in (org.manager, org.members[0]):
        answer = fails_with(
            "InvalidInputException",
            actor.client.create_organizational_unit,
            ParentId=root,
            Name="a\x00b",
        )
        assert answer["Reason"] == "INVALID_PATTERN"
    literal = "a\\u0000b"
    ou = _ou(org, root, literal)
    assert ou["Name"] == literal
    listed = org.manager.client.list_organizational_units_for_parent(ParentId=root)
    assert [o["Name"] for o in listed["OrganizationalUnits"]] == [literal]


def test_v2_family_order(world: World) -> None:
    """V2: within a family the checks come in the table's order: CreateAccount's role
    name before its tags; an OU write's tags before its parent, its parent before the
    duplicate name."""
    org = world.organization()
    client = org.manager.client
    answer = fails_with(
        "InvalidInputException",
        client.create_account,
        Email="v2-order@example.com",
        AccountName="Order",
        RoleName="AWSServiceRoleForOrder",
        Tags=[{"Key": "aws:system", "Value": "v"}],
    )
    assert answer["Reason"] == "INVALID_ROLE_NAME"
    bad_tags = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    answer = fails_with(
        "InvalidInputException",
        client.create_organizational_unit,
        ParentId="ou-abcd-abcdefgh",
        Name="Order",
        Tags=bad_tags,
    )
    assert answer["Reason"] == "DUPLICATE_TAG_KEY"
    root = _root(org)
    _ou(org, root, "Order")
    fails_with(
        "ParentNotFoundException",
        client.create_organizational_unit,
        ParentId="ou-abcd-abcdefgh",
        Name="Order",
    )
    fails_with(
        "DuplicateOrganizationalUnitException",
        client.create_organizational_unit,
        ParentId=root,
        Name="Order",
    )


# -- §4–§6 --------------------------------------------------------------------------------------


def test_o7_the_root_stays_and_is_taggable(world: World) -> None:
    """O7: the root cannot be renamed, moved or deleted (no operation takes its id for
    that: the OU operations refuse it by pattern) and it is taggable."""
    org = world.organization()
    root = _root(org)
    client = _unchecked(world, org.manager)
    for call, params in (
        (client.update_organizational_unit, {"Name": "Renamed"}),
        (client.delete_organizational_unit, {}),
    ):
        answer = fails_with(
            "InvalidInputException", call, OrganizationalUnitId=root, **params
        )
        assert answer["Reason"] == "INVALID_PATTERN"
    client.tag_resource(ResourceId=root, Tags=[{"Key": "where", "Value": "top"}])
    assert client.list_tags_for_resource(ResourceId=root)["Tags"] == [
        {"Key": "where", "Value": "top"}
    ]
    assert client.list_roots()["Roots"][0]["Name"] == "Root"


def test_a3_emails_are_unique_case_insensitively(world: World) -> None:
    """A3: every account the server knows has its own email, compared without case:
    creating one with a known address in other letters fails EMAIL_ALREADY_EXISTS, even
    when the address belongs to another organization's member."""
    org, other = world.organization(), world.organization(members=1)
    taken = other.members[0].email.upper()
    client = org.manager.client
    status = client.create_account(Email=taken, AccountName="Twin")[
        "CreateAccountStatus"
    ]
    record = client.describe_create_account_status(CreateAccountRequestId=status["Id"])[
        "CreateAccountStatus"
    ]
    assert (record["State"], record["FailureReason"]) == (
        "FAILED",
        "EMAIL_ALREADY_EXISTS",
    )


def test_a8_status_record(world: World) -> None:
    """A8: a SUCCEEDED record has CompletedTimestamp and AccountId, no FailureReason; a
    FAILED one CompletedTimestamp and FailureReason, no AccountId; neither has
    GovCloudAccountId."""
    org = world.organization()
    client = org.manager.client
    records = []
    for email in ("a8-ok@example.com", "a8 bad@example.com"):
        status = client.create_account(Email=email, AccountName="A8")[
            "CreateAccountStatus"
        ]
        records.append(
            client.describe_create_account_status(CreateAccountRequestId=status["Id"])[
                "CreateAccountStatus"
            ]
        )
    ok, failed = records
    base = {"Id", "AccountName", "State", "RequestedTimestamp", "CompletedTimestamp"}
    assert set(ok) == base | {"AccountId"} and ok["State"] == "SUCCEEDED"
    assert set(failed) == base | {"FailureReason"} and failed["State"] == "FAILED"
    assert failed["FailureReason"] == "INVALID_EMAIL"


def test_a13_list_accounts_order(world: World) -> None:
    """A13: every account of the organization in the order it joined (then id), the
    management account first; a PENDING_CLOSURE or SUSPENDED account is listed too."""
    org = world.organization(members=3)
    client = org.manager.client
    client.close_account(AccountId=org.members[1].id)
    listed = client.list_accounts()["Accounts"]
    assert [a["Id"] for a in listed] == [org.manager.id] + [m.id for m in org.members]
    assert listed[2]["State"] == "SUSPENDED"
    stamps = [a["JoinedTimestamp"] for a in listed]
    assert stamps == sorted(stamps)


def test_u10_ous_never_move(world: World) -> None:
    """U10: no operation moves an OU: MoveAccount refuses an OU id as an account id."""
    org = world.organization()
    root = _root(org)
    ou, target = _ou(org, root, "Stays"), _ou(org, root, "Target")
    answer = fails_with(
        "InvalidInputException",
        _unchecked(world, org.manager).move_account,
        AccountId=ou["Id"],
        SourceParentId=root,
        DestinationParentId=target["Id"],
    )
    assert answer["Reason"] == "MAX_LENGTH_EXCEEDED"  # longer than an account id
    assert org.manager.client.list_parents(ChildId=ou["Id"])["Parents"] == [
        {"Id": root, "Type": "ROOT"}
    ]


# -- §10 tags -----------------------------------------------------------------------------------


def test_t2_tag_shape(world: World) -> None:
    """T2: Key 1–128 and Value 0–256 characters, checked as R8 checks the model; an empty
    value is a value."""
    org = world.organization()
    root = _root(org)
    client = _unchecked(world, org.manager)
    client.tag_resource(ResourceId=root, Tags=[{"Key": "empty", "Value": ""}])
    assert client.list_tags_for_resource(ResourceId=root)["Tags"] == [
        {"Key": "empty", "Value": ""}
    ]
    for tag, reason in (
        ({"Key": "k" * 129, "Value": "v"}, "MAX_LENGTH_EXCEEDED"),
        ({"Key": "", "Value": "v"}, "MIN_LENGTH_EXCEEDED"),
        ({"Key": "k", "Value": "v" * 257}, "MAX_LENGTH_EXCEEDED"),
    ):
        answer = fails_with(
            "InvalidInputException", client.tag_resource, ResourceId=root, Tags=[tag]
        )
        assert answer["Reason"] == reason


def test_t7_tags_go_with_a_departure(world: World) -> None:
    """T7: tags die with their resource: an account that leaves loses its tags, and
    joining again starts with none."""
    org = world.organization(members=1)
    member = org.members[0]
    client = org.manager.client
    client.tag_resource(ResourceId=member.id, Tags=[{"Key": "team", "Value": "a"}])
    member.client.leave_organization()
    world.join(org, member)
    assert client.list_tags_for_resource(ResourceId=member.id)["Tags"] == []


# -- §12 handshakes -----------------------------------------------------------------------------


def test_h9_no_service_linked_role_handshakes(world: World) -> None:
    """H9: ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE handshakes are never created: after
    invitations and an all-features migration, filtering by that action finds none."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    world.invite(org, world.account())
    org.manager.client.enable_all_features()
    client = org.manager.client
    for action, found in (
        ("INVITE", True),
        ("ENABLE_ALL_FEATURES", True),
        ("ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE", False),
    ):
        listed = client.list_handshakes_for_organization(Filter={"ActionType": action})
        assert bool(listed["Handshakes"]) is found, action


# -- §13 limits and pagination -------------------------------------------------------------------


def test_l1_page_size(world: World) -> None:
    """L1: MaxResults 1–20 (0 and 21 are InvalidInput MIN/MAX_VALUE_EXCEEDED); absent
    means 20; it may differ from page to page."""
    org = world.organization()
    root = _root(org)
    for n in range(21):
        org.manager.client.create_organizational_unit(ParentId=root, Name=f"OU {n:02d}")
    client = _unchecked(world, org.manager)
    for size, reason in ((0, "MIN_VALUE_EXCEEDED"), (21, "MAX_VALUE_EXCEEDED")):
        answer = fails_with(
            "InvalidInputException",
            client.list_organizational_units_for_parent,
            ParentId=root,
            MaxResults=size,
        )
        assert answer["Reason"] == reason
    first = client.list_organizational_units_for_parent(ParentId=root)
    assert len(first["OrganizationalUnits"]) == 20 and first["NextToken"]
    second = client.list_organizational_units_for_parent(
        ParentId=root, NextToken=first["NextToken"], MaxResults=1
    )
    assert len(second["OrganizationalUnits"]) == 1 and "NextToken" not in second


def test_l3_l4_l5_paging_is_a_cursor(world: World) -> None:
    """L3: OUs in creation order; L4: the token is a cursor: an OU created meanwhile
    appears (it sorts after the cursor), one deleted before its page vanishes, every
    other appears exactly once; L5: no empty page, the last page has no token."""
    org = world.organization()
    root = _root(org)
    made = [_ou(org, root, f"Cursor {n}")["Id"] for n in range(5)]
    client = org.manager.client
    page = client.list_organizational_units_for_parent(ParentId=root, MaxResults=2)
    seen = [ou["Id"] for ou in page["OrganizationalUnits"]]
    assert seen == made[:2]
    later = _ou(org, root, "Cursor later")["Id"]
    client.delete_organizational_unit(OrganizationalUnitId=made[3])
    while page.get("NextToken"):
        page = client.list_organizational_units_for_parent(
            ParentId=root, MaxResults=2, NextToken=page["NextToken"]
        )
        assert page["OrganizationalUnits"], "L5: a page is never empty"
        seen += [ou["Id"] for ou in page["OrganizationalUnits"]]
    assert seen == [made[0], made[1], made[2], made[4], later]


def test_l6_tags_are_one_page(world: World) -> None:
    """L6: ListTagsForResource is not paginated: 50 tags come in one answer, without a
    NextToken."""
    org = world.organization()
    root = _root(org)
    tags = [{"Key": f"k{n:02d}", "Value": str(n)} for n in range(50)]
    org.manager.client.tag_resource(ResourceId=root, Tags=tags)
    listed = org.manager.client.list_tags_for_resource(ResourceId=root)
    assert listed["Tags"] == tags and "NextToken" not in listed


# -- §14 emulation ------------------------------------------------------------------------------


def test_m3_closure_follows_the_business_clock(clock_world: World) -> None:
    """M3: PENDING_CLOSURE to SUSPENDED after `close_delay` (0 here: at once), CLOSED 90
    days after the call, and then the departure (cleanup delay 0)."""
    t0 = clock_world.clock.set(datetime(2031, 7, 1, tzinfo=UTC))
    org = clock_world.organization(members=1)
    member = org.members[0].id
    client = org.manager.client
    client.close_account(AccountId=member)
    assert client.describe_account(AccountId=member)["Account"]["State"] == "SUSPENDED"
    clock_world.clock.set(t0 + timedelta(days=90) - timedelta(milliseconds=1))
    assert client.describe_account(AccountId=member)["Account"]["State"] == "SUSPENDED"
    clock_world.clock.set(t0 + timedelta(days=90))
    fails_with("AccountNotFoundException", client.describe_account, AccountId=member)
    clock_world.clock.wall()


def test_m5_no_payment_or_contact_checks(world: World) -> None:
    """M5: the payment, contact, invoice and marketplace reasons are never produced: an
    invited member leaves at once, and an account removed from one organization joins
    another."""
    org, other = world.organization(members=2), world.organization()
    assert set(org.members[0].client.leave_organization()) == {"ResponseMetadata"}
    moved = org.members[1]
    org.manager.client.remove_account_from_organization(AccountId=moved.id)
    world.join(other, moved)
    assert moved.client.describe_organization()["Organization"]["Id"] == other.id


# -- O2, A23, M8: a seeded world ------------------------------------------------------------------

SEEDED_ORG = "o-conventions"
SEEDED_ROOT = "r-conv"
SEEDED_OU = "ou-conv-seededou"


@pytest.fixture(scope="module")
def seeded(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Any]]:
    """900000000001 manages o-conventions (an OU, a PENDING_ACTIVATION member in it,
    tags, a create-account status); 900000000003 is PENDING_ACTIVATION outside any
    organization."""
    folder: Path = tmp_path_factory.mktemp(f"conventions-{engine}")
    accounts = dummy_accounts(4)
    manager, member, unready = (a["id"] for a in accounts[:3])
    seed = {
        "account_states": [{"account_id": unready, "state": "PENDING_ACTIVATION"}],
        "organizations": [
            {
                "id": SEEDED_ORG,
                "root_id": SEEDED_ROOT,
                "management_account_id": manager,
                "created": "2020-01-01T00:00:00Z",
                "members": [
                    {
                        "account_id": member,
                        "joined": "2020-01-02T00:00:00.250Z",
                        "parent_id": SEEDED_OU,
                        "state": "PENDING_ACTIVATION",
                    }
                ],
            }
        ],
        "organizational_units": [
            {
                "id": SEEDED_OU,
                "organization_id": SEEDED_ORG,
                "parent_id": SEEDED_ROOT,
                "name": "Seeded",
                "created": "2020-01-01T12:00:00Z",
            }
        ],
        "create_account_statuses": [
            {
                "id": "car-conventions00000000000000000",
                "organization_id": SEEDED_ORG,
                "account_name": "Never",
                "state": "FAILED",
                "failure_reason": "EMAIL_ALREADY_EXISTS",
                "requested": "2020-01-03T00:00:00Z",
            }
        ],
        "tags": [
            {"resource_id": SEEDED_OU, "key": "b", "value": "2"},
            {"resource_id": SEEDED_OU, "key": "a", "value": "1"},
        ],
    }
    (folder / "seed.json").write_text(json.dumps(seed))
    flags = ["--seed", str(folder / "seed.json")]
    with serving(folder, engine, *flags, accounts=accounts) as running:
        yield [running.account() for _ in range(3)]


def test_o2_unfinished_account_cannot_create_an_organization(seeded: list[Any]) -> None:
    """O2: a caller in State PENDING_ACTIVATION (fixtures only) cannot create an
    organization: ConstraintViolation ACCOUNT_CREATION_NOT_COMPLETE."""
    unready = seeded[2]
    answer = fails_with(
        "ConstraintViolationException", unready.client.create_organization
    )
    assert answer["Reason"] == "ACCOUNT_CREATION_NOT_COMPLETE"


def test_a23_m8_the_seeded_world(seeded: list[Any]) -> None:
    """M8: the seed's organization, OU, placement, State, tags (in their order) and
    create-account status are served with their fixed ids and times; A23: the
    PENDING_ACTIVATION member behaves as ACTIVE (its Status is ACTIVE, it calls the
    API)."""
    manager, member = seeded[:2]
    client = manager.client
    assert client.describe_organization()["Organization"]["Id"] == SEEDED_ORG
    account = client.describe_account(AccountId=member.id)["Account"]
    assert (account["State"], account["Status"]) == ("PENDING_ACTIVATION", "ACTIVE")
    assert account["Paths"] == [f"{SEEDED_ORG}/{SEEDED_ROOT}/{SEEDED_OU}/{member.id}/"]
    assert account["JoinedTimestamp"] == datetime(2020, 1, 2, 0, 0, 0, 250000, UTC)
    assert client.list_tags_for_resource(ResourceId=SEEDED_OU)["Tags"] == [
        {"Key": "b", "Value": "2"},
        {"Key": "a", "Value": "1"},
    ]
    [status] = client.list_create_account_status()["CreateAccountStatuses"]
    assert (status["State"], status["FailureReason"]) == (
        "FAILED",
        "EMAIL_ALREADY_EXISTS",
    )
    assert member.client.describe_organization()["Organization"]["Id"] == SEEDED_ORG
