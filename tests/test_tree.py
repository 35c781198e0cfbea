"""The organization's tree (`docs/organizations.md`, "The organization's tree": O6, O7,
A1, A14, U1–U10, T6 at creation, L1–L5 for its listings), through real boto3 clients
against a real server, on SQLite and PostgreSQL (one server per module and engine;
tests keep apart by using fresh accounts, `World.account()`).

Until MoveAccount lands, a test puts an account under an OU by writing its `parent_id`
in the server's database (`place`), the one thing the API cannot do yet.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.loaders import Loader

from support.world import (
    Org,
    World,
    engine,
    fails_with,
    open_store,
    serving,
    world,
)

__all__ = ["engine", "world"]

PARENT_NOT_FOUND = "We can't find a root or OU with the ParentId that you specified."
OU_NOT_FOUND = "We can't find an OU with the OrganizationalUnitId that you specified."


# -- helpers ----------------------------------------------------------------------------------


def root_of(org: Org) -> dict[str, Any]:
    roots: list[dict[str, Any]] = org.manager.client.list_roots()["Roots"]
    assert len(roots) == 1
    return roots[0]


def create_ou(org: Org, parent_id: str, name: str, **params: Any) -> dict[str, Any]:
    """A new OU. L3 orders OUs by creation time (milliseconds), then id: two made in one
    millisecond sort by id. The next creation waits for the next millisecond, so that
    the tests' order of creation is the order L3 gives."""
    ou: dict[str, Any] = org.manager.client.create_organizational_unit(
        ParentId=parent_id, Name=name, **params
    )["OrganizationalUnit"]
    time.sleep(0.002)
    return ou


def place(world: World, account_id: str, parent_id: str) -> None:
    """Puts an account under a root or OU of its organization (MoveAccount's effect)."""
    world.execute(
        "UPDATE accounts SET parent_id = ? WHERE id = ?", parent_id, account_id
    )


def every_page(
    call: Callable[..., Any], member: str, **params: Any
) -> tuple[list[Any], int]:
    """Every item of a paged listing and the number of pages it took."""
    found: list[Any] = []
    token: str | None = params.pop("NextToken", None)
    for pages in range(1, 1000):
        page = call(**params, **({"NextToken": token} if token else {}))
        found.extend(page[member])
        token = page.get("NextToken")
        if token:
            assert page[member], "L5: a page with a NextToken is never empty"
        else:
            return found, pages
    raise AssertionError("paging did not end")


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["Id"] for item in items]


# -- O6, O7: the root ---------------------------------------------------------------------------


def test_o6_list_roots(world: World) -> None:
    """O6, C1, C2: one root, `r-` and 4 characters, named Root, its ARN; PolicyTypes are
    the enabled_policy_types in the order they were enabled, as ENABLED."""
    org = world.organization()
    root = root_of(org)
    assert set(root) == {"Id", "Arn", "Name", "PolicyTypes"}
    assert re.fullmatch(r"r-[0-9a-z]{4}", root["Id"])
    assert root["Name"] == "Root"
    assert root["Arn"] == (
        f"arn:aws:organizations::{org.manager.id}:root/{org.id}/{root['Id']}"
    )
    before = [t["Type"] for t in root["PolicyTypes"]]
    assert all(t["Status"] == "ENABLED" for t in root["PolicyTypes"])
    assert world.db is not None
    with open_store(world.db) as database, database.transaction() as tx:
        for policy_type, seq in (("TAG_POLICY", 1001), ("BACKUP_POLICY", 1000)):
            tx.execute(
                "INSERT INTO enabled_policy_types (organization_id, policy_type, seq)"
                " VALUES (?, ?, ?)",
                (org.id, policy_type, seq),
            )
    again = root_of(org)
    assert again["PolicyTypes"] == [
        *({"Type": t, "Status": "ENABLED"} for t in before),
        {"Type": "BACKUP_POLICY", "Status": "ENABLED"},
        {"Type": "TAG_POLICY", "Status": "ENABLED"},
    ]
    assert {k: v for k, v in again.items() if k != "PolicyTypes"} == {
        k: v for k, v in root.items() if k != "PolicyTypes"
    }


def test_o6_list_roots_pages(world: World) -> None:
    """L1, L2, L5: MaxResults 1 still holds the root and no token; a token is never
    issued, so any token sent is INVALID_NEXT_TOKEN."""
    org = world.organization()
    page = org.manager.client.list_roots(MaxResults=1)
    assert len(page["Roots"]) == 1 and "NextToken" not in page
    failure = fails_with(
        "InvalidInputException", org.manager.client.list_roots, NextToken="abc"
    )
    assert failure["Reason"] == "INVALID_NEXT_TOKEN"


def test_z1_z2_the_tree_is_for_the_management_account(world: World) -> None:
    """Z1, Z2 (matrix rows 4, 12, 17–23): a member gets AccessDenied, an account in no
    organization AWSOrganizationsNotInUse, for every tree operation — before any
    existence check (V1)."""
    org = world.organization(members=1)
    root_id = root_of(org)["Id"]
    ou = create_ou(org, root_id, "Callers")
    calls: list[tuple[str, dict[str, Any]]] = [
        ("list_roots", {}),
        ("create_organizational_unit", {"ParentId": root_id, "Name": "X"}),
        (
            "update_organizational_unit",
            {"OrganizationalUnitId": ou["Id"], "Name": "Y"},
        ),
        ("delete_organizational_unit", {"OrganizationalUnitId": ou["Id"]}),
        ("describe_organizational_unit", {"OrganizationalUnitId": ou["Id"]}),
        ("list_organizational_units_for_parent", {"ParentId": root_id}),
        ("list_children", {"ParentId": root_id, "ChildType": "ACCOUNT"}),
        ("list_parents", {"ChildId": org.manager.id}),
        ("list_accounts_for_parent", {"ParentId": root_id}),
    ]
    outsider = world.account()
    for name, params in calls:
        denied = fails_with(
            "AccessDeniedException", getattr(org.members[0].client, name), **params
        )
        assert (
            denied["Error"]["Message"]
            == "You don't have permissions to access this resource."
        )
        not_in_use = fails_with(
            "AWSOrganizationsNotInUseException",
            getattr(outsider.client, name),
            **params,
        )
        assert (
            not_in_use["Error"]["Message"]
            == "Your account is not a member of an organization."
        )
    # Nothing changed.
    assert (
        org.manager.client.describe_organizational_unit(OrganizationalUnitId=ou["Id"])[
            "OrganizationalUnit"
        ]
        == ou
    )


# -- U1–U3: creating OUs --------------------------------------------------------------------------


def test_u1_u2_create_ou(world: World) -> None:
    """U1, U2, C1, C2: an OU under the root and one under it: `ou-<root suffix>-<8>`,
    its ARN, its name, its Path; DescribeOrganizationalUnit shows the same object."""
    org = world.organization()
    root_id = root_of(org)["Id"]
    top = create_ou(org, root_id, "Accounting OU")
    assert set(top) == {"Id", "Arn", "Name", "Path"}
    assert re.fullmatch(rf"ou-{root_id[2:]}-[0-9a-z]{{8}}", top["Id"])
    assert (
        top["Arn"] == f"arn:aws:organizations::{org.manager.id}:ou/{org.id}/{top['Id']}"
    )
    assert top["Name"] == "Accounting OU"
    assert top["Path"] == f"{org.id}/{root_id}/{top['Id']}/"
    child = create_ou(org, top["Id"], "Payroll")
    assert child["Path"] == f"{org.id}/{root_id}/{top['Id']}/{child['Id']}/"
    for ou in (top, child):
        assert (
            org.manager.client.describe_organizational_unit(
                OrganizationalUnitId=ou["Id"]
            )["OrganizationalUnit"]
            == ou
        )


def test_u2_create_ou_duplicate_name(world: World) -> None:
    """U2, C6: a sibling with exactly the same name is DuplicateOrganizationalUnit
    ("An OU with the same name already exists."); another case or another parent is
    fine."""
    org = world.organization()
    root_id = root_of(org)["Id"]
    first = create_ou(org, root_id, "Dev")
    failure = fails_with(
        "DuplicateOrganizationalUnitException",
        org.manager.client.create_organizational_unit,
        ParentId=root_id,
        Name="Dev",
    )
    assert failure["Error"]["Message"] == "An OU with the same name already exists."
    create_ou(org, root_id, "dev")
    create_ou(org, first["Id"], "Dev")
    other = world.organization()
    create_ou(other, root_of(other)["Id"], "Dev")
    listed = org.manager.client.list_organizational_units_for_parent(ParentId=root_id)[
        "OrganizationalUnits"
    ]
    assert [ou["Name"] for ou in listed] == ["Dev", "dev"]


def test_u2_create_ou_parent_not_found(world: World) -> None:
    """U2, C5, C9: an unknown root or OU, another organization's root or OU, and an id
    that only passes the unanchored pattern are ParentNotFound alike."""
    org = world.organization()
    other = world.organization()
    other_root = root_of(other)["Id"]
    other_ou = create_ou(other, other_root, "Theirs")
    root_id = root_of(org)["Id"]
    for parent_id in (
        "r-zzzz",
        f"ou-{root_id[2:]}-zzzzzzzz",
        other_root,
        other_ou["Id"],
        f"{root_id}-trailing",
    ):
        failure = fails_with(
            "ParentNotFoundException",
            org.manager.client.create_organizational_unit,
            ParentId=parent_id,
            Name="Lost",
        )
        assert failure["Error"]["Message"] == PARENT_NOT_FOUND
    malformed = fails_with(
        "InvalidInputException",
        org.manager.client.create_organizational_unit,
        ParentId="root",
        Name="Lost",
    )
    assert malformed["Reason"] == "INVALID_PATTERN"
    assert (
        org.manager.client.list_organizational_units_for_parent(ParentId=root_id)[
            "OrganizationalUnits"
        ]
        == []
    )


def test_u3_depth_limit(world: World) -> None:
    """U3: five levels of OUs under the root; a sixth is ConstraintViolation
    OU_DEPTH_LIMIT_EXCEEDED, after the duplicate-name check (V1: state conflicts come
    before limits); the Path of the deepest names every ancestor."""
    org = world.organization()
    root_id = root_of(org)["Id"]
    parent = root_id
    chain: list[str] = []
    for level in range(1, 6):
        ou = create_ou(org, parent, f"Level {level}")
        chain.append(ou["Id"])
        parent = ou["Id"]
    assert ou["Path"] == f"{org.id}/{root_id}/" + "".join(f"{i}/" for i in chain)
    failure = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_organizational_unit,
        ParentId=parent,
        Name="Level 6",
    )
    assert failure["Reason"] == "OU_DEPTH_LIMIT_EXCEEDED"
    create_ou(org, chain[3], "Sibling of level 5")  # depth 5 again: fine
    stored_rows = world.rows(
        "SELECT id, depth FROM organizational_units WHERE organization_id = ?",
        org.id,
    )
    assert {row["id"]: row["depth"] for row in stored_rows if row["id"] in chain} == {
        ou_id: depth for depth, ou_id in enumerate(chain, start=1)
    }


def test_t6_create_ou_tags(world: World) -> None:
    """T6, T3 at creation, in order: a key twice is InvalidInput DUPLICATE_TAG_KEY, an
    `aws:` key (any case) INVALID_SYSTEM_TAGS_PARAMETER, more than 50 ConstraintViolation
    MAX_TAG_LIMIT_EXCEEDED; nothing is created. Tags of a new OU are stored in the
    order given; the tag checks come before the parent's existence (V1 step 6)."""
    org = world.organization()
    root_id = root_of(org)["Id"]
    client = org.manager.client
    cases = [
        ([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}], "DUPLICATE_TAG_KEY"),
        ([{"Key": "AWS:thing", "Value": "1"}], "INVALID_SYSTEM_TAGS_PARAMETER"),
        (
            [{"Key": "aws:x", "Value": ""}, {"Key": "aws:x", "Value": ""}],
            "DUPLICATE_TAG_KEY",
        ),
    ]
    for tags, reason in cases:
        for parent in (root_id, "r-zzzz"):
            failure = fails_with(
                "InvalidInputException",
                client.create_organizational_unit,
                ParentId=parent,
                Name="Tagged",
                Tags=tags,
            )
            assert failure["Reason"] == reason
    many = [{"Key": f"k{n}", "Value": "v"} for n in range(51)]
    failure = fails_with(
        "ConstraintViolationException",
        client.create_organizational_unit,
        ParentId=root_id,
        Name="Tagged",
        Tags=many,
    )
    assert failure["Reason"] == "MAX_TAG_LIMIT_EXCEEDED"
    assert (
        client.list_organizational_units_for_parent(ParentId=root_id)[
            "OrganizationalUnits"
        ]
        == []
    )
    tags = [
        {"Key": "zeta", "Value": "1"},
        {"Key": "alpha", "Value": ""},
        {"Key": "Alpha", "Value": "3"},
    ]
    ou = create_ou(org, root_id, "Tagged", Tags=tags)
    rows = world.rows(
        "SELECT tag_key, tag_value FROM tags WHERE resource_id = ? ORDER BY seq",
        ou["Id"],
    )
    assert [{"Key": r["tag_key"], "Value": r["tag_value"]} for r in rows] == tags
    fifty = create_ou(org, root_id, "Fifty", Tags=many[:50])
    assert (
        len(world.rows("SELECT 1 FROM tags WHERE resource_id = ?", fifty["Id"])) == 50
    )


# -- U4, U5: renaming and deleting ------------------------------------------------------------------


def test_u4_update_ou(world: World) -> None:
    """U4: a new name keeps id, ARN and children; no Name or the same name changes
    nothing; a sibling's name is DuplicateOrganizationalUnit; an unknown or another
    organization's OU is OrganizationalUnitNotFound."""
    org = world.organization()
    client = org.manager.client
    root_id = root_of(org)["Id"]
    ou = create_ou(org, root_id, "Accounting")
    sibling = create_ou(org, root_id, "Sales")
    child = create_ou(org, ou["Id"], "Payroll")
    renamed = client.update_organizational_unit(
        OrganizationalUnitId=ou["Id"], Name="Accounting Group"
    )["OrganizationalUnit"]
    assert renamed == {**ou, "Name": "Accounting Group"}
    assert (
        client.describe_organizational_unit(OrganizationalUnitId=ou["Id"])[
            "OrganizationalUnit"
        ]
        == renamed
    )
    for params in ({}, {"Name": "Accounting Group"}):
        same = client.update_organizational_unit(
            OrganizationalUnitId=ou["Id"], **params
        )["OrganizationalUnit"]
        assert same == renamed
    failure = fails_with(
        "DuplicateOrganizationalUnitException",
        client.update_organizational_unit,
        OrganizationalUnitId=ou["Id"],
        Name="Sales",
    )
    assert failure["Error"]["Message"] == "An OU with the same name already exists."
    # A name used under another parent is fine.
    client.update_organizational_unit(
        OrganizationalUnitId=sibling["Id"], Name="Payroll"
    )
    assert client.list_children(ParentId=ou["Id"], ChildType="ORGANIZATIONAL_UNIT")[
        "Children"
    ] == [{"Id": child["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    other = world.organization()
    theirs = create_ou(other, root_of(other)["Id"], "Theirs")
    for ou_id in (theirs["Id"], f"ou-{root_id[2:]}-zzzzzzzz"):
        failure = fails_with(
            "OrganizationalUnitNotFoundException",
            client.update_organizational_unit,
            OrganizationalUnitId=ou_id,
            Name="Mine",
        )
        assert failure["Error"]["Message"] == OU_NOT_FOUND
    assert (
        other.manager.client.describe_organizational_unit(
            OrganizationalUnitId=theirs["Id"]
        )["OrganizationalUnit"]["Name"]
        == "Theirs"
    )


def test_u5_delete_ou(world: World) -> None:
    """U5: an OU with a child OU or an account is OrganizationalUnitNotEmpty; an empty
    one goes with its tags (T7) and is then not found; its id is never reused (C1)."""
    org = world.organization(members=1)
    client = org.manager.client
    root_id = root_of(org)["Id"]
    ou = create_ou(org, root_id, "Doomed", Tags=[{"Key": "k", "Value": "v"}])
    child = create_ou(org, ou["Id"], "Child")
    failure = fails_with(
        "OrganizationalUnitNotEmptyException",
        client.delete_organizational_unit,
        OrganizationalUnitId=ou["Id"],
    )
    assert failure["Error"]["Message"].startswith("The specified OU is not empty.")
    client.delete_organizational_unit(OrganizationalUnitId=child["Id"])
    place(world, org.members[0].id, ou["Id"])
    fails_with(
        "OrganizationalUnitNotEmptyException",
        client.delete_organizational_unit,
        OrganizationalUnitId=ou["Id"],
    )
    place(world, org.members[0].id, root_id)
    deleted = client.delete_organizational_unit(OrganizationalUnitId=ou["Id"])
    assert set(deleted) == {"ResponseMetadata"}  # C7: no output shape, {}
    for call in (
        client.describe_organizational_unit,
        client.delete_organizational_unit,
    ):
        failure = fails_with(
            "OrganizationalUnitNotFoundException", call, OrganizationalUnitId=ou["Id"]
        )
        assert failure["Error"]["Message"] == OU_NOT_FOUND
    assert world.rows("SELECT 1 FROM tags WHERE resource_id = ?", ou["Id"]) == []
    again = create_ou(org, root_id, "Doomed")
    assert again["Id"] != ou["Id"]
    assert client.list_organizational_units_for_parent(ParentId=root_id)[
        "OrganizationalUnits"
    ] == [again]


# -- U6–U9, A14: reading the tree -------------------------------------------------------------------


def test_u6_describe_ou(world: World) -> None:
    """U6, C5: an unknown OU, or another organization's, is OrganizationalUnitNotFound."""
    org = world.organization()
    other = world.organization()
    theirs = create_ou(other, root_of(other)["Id"], "Theirs")
    root_id = root_of(org)["Id"]
    for ou_id in (theirs["Id"], f"ou-{root_id[2:]}-zzzzzzzz"):
        failure = fails_with(
            "OrganizationalUnitNotFoundException",
            org.manager.client.describe_organizational_unit,
            OrganizationalUnitId=ou_id,
        )
        assert failure["Error"]["Message"] == OU_NOT_FOUND


def test_u7_list_ous_for_parent(world: World) -> None:
    """U7, L1, L3, L4, L5: the OUs directly under the parent (not deeper), in creation
    order, paged without skipping or repeating even when OUs come and go meanwhile;
    an unknown parent is ParentNotFound."""
    org = world.organization()
    client = org.manager.client
    root_id = root_of(org)["Id"]
    made = [create_ou(org, root_id, f"OU {n}") for n in range(5)]
    create_ou(org, made[0]["Id"], "Deeper")
    listed, pages = every_page(
        client.list_organizational_units_for_parent,
        "OrganizationalUnits",
        ParentId=root_id,
        MaxResults=2,
    )
    assert listed == made and pages == 3
    assert (
        client.list_organizational_units_for_parent(ParentId=root_id)[
            "OrganizationalUnits"
        ]
        == made
    )  # L1: 20 when absent
    first = client.list_organizational_units_for_parent(ParentId=root_id, MaxResults=2)
    client.delete_organizational_unit(OrganizationalUnitId=made[2]["Id"])
    late = create_ou(org, root_id, "Late")
    rest, _ = every_page(
        client.list_organizational_units_for_parent,
        "OrganizationalUnits",
        ParentId=root_id,
        MaxResults=2,
        NextToken=first["NextToken"],
    )
    assert first["OrganizationalUnits"] + rest == [
        made[0],
        made[1],
        made[3],
        made[4],
        late,
    ]
    failure = fails_with(
        "ParentNotFoundException",
        client.list_organizational_units_for_parent,
        ParentId="r-zzzz",
    )
    assert failure["Error"]["Message"] == PARENT_NOT_FOUND


def test_u8_list_children(world: World) -> None:
    """U8, L3: the direct children of one type as {Id, Type}: OUs in creation order,
    accounts in JoinedTimestamp order; paging; an unknown parent is ParentNotFound."""
    org = world.organization(members=3)
    client = org.manager.client
    root_id = root_of(org)["Id"]
    ous = [create_ou(org, root_id, f"OU {n}") for n in range(3)]
    nested = create_ou(org, ous[0]["Id"], "Nested")
    place(world, org.members[1].id, ous[0]["Id"])
    place(world, org.members[2].id, ous[0]["Id"])

    def children(parent_id: str, child_type: str) -> list[dict[str, Any]]:
        found, _ = every_page(
            client.list_children,
            "Children",
            ParentId=parent_id,
            ChildType=child_type,
            MaxResults=1,
        )
        return found

    assert children(root_id, "ORGANIZATIONAL_UNIT") == [
        {"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"} for ou in ous
    ]
    assert children(root_id, "ACCOUNT") == [
        {"Id": account_id, "Type": "ACCOUNT"}
        for account_id in (org.manager.id, org.members[0].id)
    ]
    assert children(ous[0]["Id"], "ACCOUNT") == [
        {"Id": member.id, "Type": "ACCOUNT"} for member in org.members[1:]
    ]
    assert children(ous[0]["Id"], "ORGANIZATIONAL_UNIT") == [
        {"Id": nested["Id"], "Type": "ORGANIZATIONAL_UNIT"}
    ]
    assert children(nested["Id"], "ACCOUNT") == []
    page = client.list_children(ParentId=root_id, ChildType="ACCOUNT")
    assert "NextToken" not in page and len(page["Children"]) == 2
    fails_with(
        "ParentNotFoundException",
        client.list_children,
        ParentId=f"ou-{root_id[2:]}-zzzzzzzz",
        ChildType="ACCOUNT",
    )
    failure = fails_with(
        "InvalidInputException",
        client.list_children,
        ParentId=root_id,
        ChildType="POLICY",
    )
    assert failure["Reason"] == "INVALID_ENUM"


def test_u9_list_parents(world: World) -> None:
    """U9: exactly one parent, ROOT or ORGANIZATIONAL_UNIT, for an account (the
    management account included) or an OU of the organization; anything else is
    ChildNotFound; a root id is no child (R8's INVALID_PATTERN)."""
    org = world.organization(members=1)
    client = org.manager.client
    root_id = root_of(org)["Id"]
    top = create_ou(org, root_id, "Top")
    inner = create_ou(org, top["Id"], "Inner")
    place(world, org.members[0].id, inner["Id"])
    expected = {
        org.manager.id: {"Id": root_id, "Type": "ROOT"},
        top["Id"]: {"Id": root_id, "Type": "ROOT"},
        inner["Id"]: {"Id": top["Id"], "Type": "ORGANIZATIONAL_UNIT"},
        org.members[0].id: {"Id": inner["Id"], "Type": "ORGANIZATIONAL_UNIT"},
    }
    for child_id, parent in expected.items():
        page = client.list_parents(ChildId=child_id)
        assert page["Parents"] == [parent] and "NextToken" not in page
    other = world.organization()
    outsider = world.account()
    for child_id in (
        other.manager.id,
        outsider.id,
        "999999999999",
        f"ou-{root_id[2:]}-zzzzzzzz",
        create_ou(other, root_of(other)["Id"], "Theirs")["Id"],
    ):
        failure = fails_with(
            "ChildNotFoundException", client.list_parents, ChildId=child_id
        )
        assert failure["Error"]["Message"] == (
            "We can't find an organizational unit (OU) or Amazon Web Services account"
            " with the ChildId that you specified."
        )
    malformed = fails_with(
        "InvalidInputException", client.list_parents, ChildId=root_id
    )
    assert malformed["Reason"] == "INVALID_PATTERN"
    token = fails_with(
        "InvalidInputException",
        client.list_parents,
        ChildId=org.manager.id,
        NextToken="abc",
    )
    assert token["Reason"] == "INVALID_NEXT_TOKEN"


def test_a14_list_accounts_for_parent(world: World) -> None:
    """A14, A1, L3: only the accounts directly under the root or OU, in JoinedTimestamp
    order, each as DescribeAccount shows it (with its Paths); paging; an unknown
    parent is ParentNotFound."""
    org = world.organization(members=3)
    client = org.manager.client
    root_id = root_of(org)["Id"]
    ou = create_ou(org, root_id, "Workloads")
    for member in org.members[:2]:
        place(world, member.id, ou["Id"])
    under_ou, pages = every_page(
        client.list_accounts_for_parent, "Accounts", ParentId=ou["Id"], MaxResults=1
    )
    assert ids(under_ou) == [m.id for m in org.members[:2]] and pages == 2
    under_root, _ = every_page(
        client.list_accounts_for_parent, "Accounts", ParentId=root_id
    )
    assert ids(under_root) == [org.manager.id, org.members[2].id]
    for account in under_ou + under_root:
        assert account == client.describe_account(AccountId=account["Id"])["Account"]
    assert under_ou[0]["Paths"] == [
        f"{org.id}/{root_id}/{ou['Id']}/{org.members[0].id}/"
    ]
    assert (
        client.list_accounts_for_parent(
            ParentId=create_ou(org, root_id, "Empty")["Id"]
        )["Accounts"]
        == []
    )
    other = world.organization()
    for parent_id in (root_of(other)["Id"], "r-zzzz"):
        failure = fails_with(
            "ParentNotFoundException",
            client.list_accounts_for_parent,
            ParentId=parent_id,
        )
        assert failure["Error"]["Message"] == PARENT_NOT_FOUND


def test_a1_account_paths(world: World) -> None:
    """A1, A12, A13: DescribeAccount and ListAccounts show one path,
    `O/<root>/<ous…>/<account id>/`, following the account's place in the tree."""
    org = world.organization(members=1)
    client = org.manager.client
    root_id = root_of(org)["Id"]
    member = org.members[0]
    listed = {a["Id"]: a for a in client.list_accounts()["Accounts"]}
    for account_id in (org.manager.id, member.id):
        assert listed[account_id]["Paths"] == [f"{org.id}/{root_id}/{account_id}/"]
        assert (
            client.describe_account(AccountId=account_id)["Account"]
            == listed[account_id]
        )
    a = create_ou(org, root_id, "A")
    b = create_ou(org, a["Id"], "B")
    place(world, member.id, b["Id"])
    path = f"{org.id}/{root_id}/{a['Id']}/{b['Id']}/{member.id}/"
    assert client.describe_account(AccountId=member.id)["Account"]["Paths"] == [path]
    listed = {a["Id"]: a for a in client.list_accounts()["Accounts"]}
    assert listed[member.id]["Paths"] == [path]
    assert listed[org.manager.id]["Paths"] == [f"{org.id}/{root_id}/{org.manager.id}/"]


# -- L1, L2: page sizes and tokens ----------------------------------------------------------------


def test_l2_tree_tokens_are_bound_to_their_listing(world: World) -> None:
    """L1, L2: MaxResults 1–20; a token is valid only for the listing, parent and child
    type it came from, and only in the caller's organization."""
    org = world.organization(members=2)
    client = org.manager.client
    root_id = root_of(org)["Id"]
    ous = [create_ou(org, root_id, f"OU {n}") for n in range(2)]
    for member in org.members:
        place(world, member.id, ous[1]["Id"])
    create_ou(org, ous[1]["Id"], "A")
    create_ou(org, ous[1]["Id"], "B")
    for value, reason in ((0, "MIN_VALUE_EXCEEDED"), (21, "MAX_VALUE_EXCEEDED")):
        unchecked = world.client(org.manager, parameter_validation=False)
        failure = fails_with(
            "InvalidInputException",
            unchecked.list_children,
            ParentId=root_id,
            ChildType="ACCOUNT",
            MaxResults=value,
        )
        assert failure["Reason"] == reason
    token = client.list_children(
        ParentId=ous[1]["Id"], ChildType="ACCOUNT", MaxResults=1
    )["NextToken"]
    other = world.organization()
    misuses: list[tuple[Any, dict[str, Any]]] = [
        (client.list_children, {"ParentId": root_id, "ChildType": "ACCOUNT"}),
        (
            client.list_children,
            {"ParentId": ous[1]["Id"], "ChildType": "ORGANIZATIONAL_UNIT"},
        ),
        (client.list_accounts_for_parent, {"ParentId": ous[1]["Id"]}),
        (client.list_organizational_units_for_parent, {"ParentId": ous[1]["Id"]}),
        (client.list_accounts, {}),
        (
            other.manager.client.list_children,
            {"ParentId": root_of(other)["Id"], "ChildType": "ACCOUNT"},
        ),
    ]
    for call, params in misuses:
        failure = fails_with("InvalidInputException", call, NextToken=token, **params)
        assert failure["Reason"] == "INVALID_NEXT_TOKEN"
    rest = client.list_children(
        ParentId=ous[1]["Id"], ChildType="ACCOUNT", NextToken=token, MaxResults=20
    )
    assert ids(rest["Children"]) == [org.members[1].id] and "NextToken" not in rest


# -- M7: the limits are settings ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_world(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A server with `--ou-limit 3 --ou-depth-limit 2`."""
    folder = tmp_path_factory.mktemp(f"small-tree-{engine}")
    with serving(folder, engine, "--ou-limit", "3", "--ou-depth-limit", "2") as running:
        yield running


def test_u2_ou_number_limit(small_world: World) -> None:
    """U2, U3, M7: the organization's OU count and the depth are settings; past them,
    ConstraintViolation OU_NUMBER_LIMIT_EXCEEDED / OU_DEPTH_LIMIT_EXCEEDED (the depth
    first: both are limits, in U2's order). A deleted OU frees its place; the limit is
    per organization."""
    org = small_world.organization()
    client = org.manager.client
    root_id = root_of(org)["Id"]
    top = create_ou(org, root_id, "One")
    second = create_ou(org, top["Id"], "Two")
    failure = fails_with(
        "ConstraintViolationException",
        client.create_organizational_unit,
        ParentId=second["Id"],
        Name="Too deep",
    )
    assert failure["Reason"] == "OU_DEPTH_LIMIT_EXCEEDED"
    create_ou(org, root_id, "Three")
    for parent in (root_id, second["Id"]):
        failure = fails_with(
            "ConstraintViolationException",
            client.create_organizational_unit,
            ParentId=parent,
            Name="Four",
        )
        assert failure["Reason"] == (
            "OU_NUMBER_LIMIT_EXCEEDED"
            if parent == root_id
            else "OU_DEPTH_LIMIT_EXCEEDED"
        )
    duplicate = fails_with(
        "DuplicateOrganizationalUnitException",
        client.create_organizational_unit,
        ParentId=root_id,
        Name="One",
    )
    assert duplicate["Error"]["Code"] == "DuplicateOrganizationalUnitException"
    client.delete_organizational_unit(OrganizationalUnitId=second["Id"])
    create_ou(org, root_id, "Four")
    other = small_world.organization()
    create_ou(other, root_of(other)["Id"], "One")


# -- M9: botocore's examples ----------------------------------------------------------------------


def _shape(value: Any) -> Any:
    """A value's structure: key sets of objects, one element of lists, type of scalars."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _covers(ours: Any, example: Any, where: str) -> None:
    """Every member the example shows is in ours, with the same structure; ours may add
    members the example omits (M9: Path, Paths, State, …)."""
    if isinstance(example, dict):
        assert isinstance(ours, dict), where
        for key, item in example.items():
            assert key in ours, f"{where}.{key} missing"
            _covers(ours[key], item, f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(ours, list) and ours, where
        for item in example:
            _covers(ours[0], item, f"{where}[]")
    elif isinstance(example, float):  # a timestamp: boto3 parses ours
        assert isinstance(ours, datetime), where
    else:
        assert type(ours) is type(example), where


def test_m9_examples_shapes(world: World) -> None:
    """M9 (structure only): each examples-1.json output of the tree operations, rebuilt
    here through the API with our own ids, has every member the example shows, with the
    same structure, and the same fixed values (Name "Root", the example's names, Types,
    policy type). Exact ids and ARNs need a seed with the examples' ids (M8)."""
    examples = Loader().load_service_model("organizations", "examples-1")["examples"]
    org = world.organization(members=2)
    client = org.manager.client
    root_id = root_of(org)["Id"]
    dev = create_ou(org, root_id, "Development")
    create_ou(org, root_id, "Production")
    accounting = create_ou(org, dev["Id"], "AccountingOU")
    for member in org.members:
        place(world, member.id, dev["Id"])
    if not root_of(org)["PolicyTypes"]:
        # O1 (CreateOrganization enables SCPs with ALL features) is another slice's:
        # until it lands, the row it writes is put here.
        assert world.db is not None
        with open_store(world.db) as database, database.transaction() as tx:
            tx.execute(
                "INSERT INTO enabled_policy_types (organization_id, policy_type, seq)"
                " VALUES (?, 'SERVICE_CONTROL_POLICY', 1)",
                (org.id,),
            )
    ours = {
        "ListRoots": client.list_roots(),
        "CreateOrganizationalUnit": {"OrganizationalUnit": accounting},
        "UpdateOrganizationalUnit": client.update_organizational_unit(
            OrganizationalUnitId=accounting["Id"], Name="AccountingOU"
        ),
        "DescribeOrganizationalUnit": client.describe_organizational_unit(
            OrganizationalUnitId=accounting["Id"]
        ),
        "ListOrganizationalUnitsForParent": client.list_organizational_units_for_parent(
            ParentId=root_id
        ),
        "ListChildren": client.list_children(
            ParentId=root_id, ChildType="ORGANIZATIONAL_UNIT"
        ),
        "ListParents": client.list_parents(ChildId=org.members[1].id),
        "ListAccountsForParent": client.list_accounts_for_parent(ParentId=dev["Id"]),
        "DeleteOrganizationalUnit": client.delete_organizational_unit(
            OrganizationalUnitId=create_ou(org, root_id, "Gone")["Id"]
        ),
    }
    for operation, response in ours.items():
        (example,) = examples[operation]
        output = example.get("output") or {}
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        if not output:
            assert body == {}, operation
            continue
        _covers(body, output, operation)
        assert set(body) == set(output), operation
    assert ours["ListRoots"]["Roots"][0]["Name"] == "Root"
    assert [
        ou["Name"]
        for ou in ours["ListOrganizationalUnitsForParent"]["OrganizationalUnits"]
    ] == ["Development", "Production"]
    assert ours["ListParents"]["Parents"] == [
        {"Id": dev["Id"], "Type": "ORGANIZATIONAL_UNIT"}
    ]
    assert [a["JoinedMethod"] for a in ours["ListAccountsForParent"]["Accounts"]] == [
        "INVITED",
        "INVITED",
    ]


def test_c8_racing_creations_make_one_ou(world: World) -> None:
    """C8, U2: OU writes of one organization are serialised: of eight racing creations
    of one name under one parent exactly one succeeds, the others are duplicates."""
    org = world.organization()
    root_id = root_of(org)["Id"]
    clients = [world.client(org.manager) for _ in range(8)]

    def create(client: Any) -> str:
        try:
            client.create_organizational_unit(ParentId=root_id, Name="Same")
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "created"

    with ThreadPoolExecutor(len(clients)) as pool:
        outcomes = sorted(pool.map(create, clients))
    assert outcomes == ["DuplicateOrganizationalUnitException"] * 7 + ["created"]
    listed = org.manager.client.list_organizational_units_for_parent(ParentId=root_id)[
        "OrganizationalUnits"
    ]
    assert [ou["Name"] for ou in listed] == ["Same"]
