"""The organization's own lifecycle (`docs/organizations.md`, O1, O3–O5, O8, H4) through
real boto3 clients against a real server, on SQLite and PostgreSQL (one server per module
and engine; tests keep apart by using fresh accounts, `World.account()`).

What the API cannot show yet (the root's enabled policy types before ListRoots, OUs and
create-account statuses written by other slices) is read or written in the database.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from generated.organizations.models import CreateOrganizationRequest
from support.databases import fresh_database
from support.world import (
    Org,
    World,
    clock_world,
    describe,
    dummy_accounts,
    engine,
    fails_with,
    in_process,
    received,
    sent,
    world,
)

__all__ = ["clock_world", "engine", "world"]

SCP_ENABLED = [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]


def _enabled_types(world: World, org_id: str) -> list[tuple[str, int]]:
    rows = world.rows(
        "SELECT policy_type, seq FROM enabled_policy_types WHERE organization_id = ?"
        " ORDER BY seq",
        org_id,
    )
    return [(row["policy_type"], row["seq"]) for row in rows]


def _root(world: World, org: Org) -> str:
    return str(
        world.rows("SELECT root_id FROM organizations WHERE id = ?", org.id)[0][
            "root_id"
        ]
    )


# -- O1 CreateOrganization ------------------------------------------------------------------


def test_o1_create_organization(world: World) -> None:
    """O1, O3: with ALL features the root has SERVICE_CONTROL_POLICY enabled (seq 1) and
    AvailablePolicyTypes says so; the founder is under the root with JoinedMethod
    INVITED; CONSOLIDATED_BILLING enables nothing."""
    for feature_set, available, enabled in (
        ("ALL", SCP_ENABLED, [("SERVICE_CONTROL_POLICY", 1)]),
        ("CONSOLIDATED_BILLING", [], []),
    ):
        founder = world.account()
        created = founder.client.create_organization(FeatureSet=feature_set)
        organization = created["Organization"]
        assert organization["FeatureSet"] == feature_set
        assert organization["AvailablePolicyTypes"] == available
        assert organization["MasterAccountId"] == founder.id
        assert _enabled_types(world, organization["Id"]) == enabled
        (account,) = founder.client.list_accounts()["Accounts"]
        assert account["Id"] == founder.id
        assert account["JoinedMethod"] == "INVITED"
        row = world.rows(
            "SELECT a.parent_id, o.root_id FROM accounts a"
            " JOIN organizations o ON o.id = a.organization_id WHERE a.id = ?",
            founder.id,
        )[0]
        assert row["parent_id"] == row["root_id"]
    default = world.account()
    organization = default.client.create_organization()["Organization"]
    assert organization["FeatureSet"] == "ALL"
    assert organization["AvailablePolicyTypes"] == SCP_ENABLED


def test_o1_already_in_organization(world: World) -> None:
    """O1: the management account and a member both get AlreadyInOrganization."""
    org = world.organization(members=1)
    for actor in (org.manager, org.members[0]):
        fails_with("AlreadyInOrganizationException", actor.client.create_organization)


# -- O3, O4 DescribeOrganization ------------------------------------------------------------


def test_o3_o4_describe_organization(world: World) -> None:
    """O3, O4: every account of the organization gets the same object, whose
    AvailablePolicyTypes follows the feature set."""
    for feature_set, available in (("ALL", SCP_ENABLED), ("CONSOLIDATED_BILLING", [])):
        org = world.organization(feature_set=feature_set, members=1)
        seen = [
            actor.client.describe_organization()["Organization"]
            for actor in (org.manager, org.members[0])
        ]
        assert seen[0] == seen[1]
        assert seen[0]["AvailablePolicyTypes"] == available
        assert seen[0]["Id"] == org.id and seen[0]["Arn"] == org.arn


# -- R20 with O1: the management account approves nothing ------------------------------------


def test_o1_r20_management_account_is_not_asked_to_approve(world: World) -> None:
    """O1, R20: the founder joined INVITED, yet EnableAllFeatures asks only the members
    that joined by invitation; with none, the request is OPEN at once (R5 DECIDED)."""
    alone = world.organization(feature_set="CONSOLIDATED_BILLING")
    parent = alone.manager.client.enable_all_features()["Handshake"]
    assert parent["State"] == "OPEN"
    assert sent(alone, Filter={"ParentHandshakeId": parent["Id"]}) == {}
    assert received(alone.manager) == {}

    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    parent = org.manager.client.enable_all_features()["Handshake"]
    assert parent["State"] == "REQUESTED"
    children = list(sent(org, Filter={"ParentHandshakeId": parent["Id"]}).values())
    assert len(children) == 1
    assert {"Id": org.members[0].id, "Type": "ACCOUNT"} in children[0]["Parties"]


# -- O8 after EnableAllFeatures ---------------------------------------------------------------


def test_o8_enable_all_features_enables_no_policy_type(world: World) -> None:
    """O8 (DECIDED): once the migration finalises, FeatureSet is ALL and
    AvailablePolicyTypes follows O3, but the root has no policy type enabled."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    member = org.members[0]
    parent = org.manager.client.enable_all_features()["Handshake"]
    (child,) = sent(org, Filter={"ParentHandshakeId": parent["Id"]})
    member.client.accept_handshake(HandshakeId=child)
    org.manager.client.accept_handshake(HandshakeId=parent["Id"])
    for actor in (org.manager, member):
        organization = actor.client.describe_organization()["Organization"]
        assert organization["FeatureSet"] == "ALL"
        assert organization["AvailablePolicyTypes"] == SCP_ENABLED
    assert _enabled_types(world, org.id) == []


# -- O5 DeleteOrganization ------------------------------------------------------------------


def test_o5_delete_organization_callers(world: World) -> None:
    """O5, Z1, Z2: a member gets AccessDenied, an account in no organization
    AWSOrganizationsNotInUse."""
    org = world.organization(members=1)
    fails_with("AccessDeniedException", org.members[0].client.delete_organization)
    fails_with(
        "AWSOrganizationsNotInUseException", world.account().client.delete_organization
    )
    assert org.manager.client.describe_organization()["Organization"]["Id"] == org.id


def test_o5_delete_organization_not_empty(world: World) -> None:
    """O5: while any other account is in the organization, OrganizationNotEmpty, and
    nothing changes."""
    org = world.organization(members=1)
    pending = world.invite(org, world.account())
    failure = fails_with(
        "OrganizationNotEmptyException", org.manager.client.delete_organization
    )
    assert failure["Error"]["Message"] == "The organization isn't empty."
    assert describe(org.manager, pending["Id"])["State"] == "OPEN"
    assert org.members[0].client.describe_organization()["Organization"]["Id"] == org.id


def test_o5_delete_organization(world: World) -> None:
    """O5, H4, T7: deleting an organization without members answers `{}`; its pending
    invitation is CANCELED (the recipient still sees it, and can no longer accept it);
    its OUs, the tags of its root, OUs and management account, its create-account
    statuses and enabled policy types are gone; the management account is standalone
    and may found a new organization, whose ids are new."""
    org = world.organization()
    manager = org.manager
    guest, decliner = world.accounts(2)
    pending = world.invite(org, guest, tags=[{"Key": "k", "Value": "v"}])
    declined = world.invite(org, decliner)
    decliner.client.decline_handshake(HandshakeId=declined["Id"])
    root = _root(world, org)
    ou = f"ou-{root[2:]}-o5delete"
    world.execute(
        "INSERT INTO organizational_units"
        " (id, organization_id, parent_id, name, depth, created_at)"
        " VALUES (?, ?, ?, 'Doomed', 1, 0)",
        ou,
        org.id,
        root,
    )
    world.execute(
        "INSERT INTO create_account_requests (id, organization_id, account_name,"
        " email, requested_at, completes_at, outcome)"
        " VALUES (?, ?, 'Gone', 'gone@example.com', 0, 0, 'FAILED')",
        f"car-{org.id[2:]}o5",
        org.id,
    )
    for resource in (manager.id, root, ou):
        manager.client.tag_resource(
            ResourceId=resource, Tags=[{"Key": "a", "Value": "b"}]
        )

    result = manager.client.delete_organization()
    assert set(result) == {"ResponseMetadata"}

    fails_with(
        "AWSOrganizationsNotInUseException", manager.client.describe_organization
    )
    fails_with("AWSOrganizationsNotInUseException", manager.client.list_accounts)
    # H4: the recipient still sees the invitation, CANCELED; the declined one is as it was.
    seen = describe(guest, pending["Id"])
    assert seen["State"] == "CANCELED"
    assert seen == {**pending, "State": "CANCELED"}
    assert received(guest)[pending["Id"]]["State"] == "CANCELED"
    assert describe(decliner, declined["Id"])["State"] == "DECLINED"
    fails_with(
        "InvalidHandshakeTransitionException",
        guest.client.accept_handshake,
        HandshakeId=pending["Id"],
    )
    # Everything it owned is gone.
    assert (
        world.rows(
            "SELECT id FROM organizational_units WHERE organization_id = ?",
            org.id,
        )
        == []
    )
    assert (
        world.rows(
            "SELECT id FROM create_account_requests WHERE organization_id = ?",
            org.id,
        )
        == []
    )
    assert _enabled_types(world, org.id) == []
    for resource in (manager.id, root, ou):
        assert (
            world.rows("SELECT tag_key FROM tags WHERE resource_id = ?", resource) == []
        )
    assert world.rows(
        "SELECT organization_id, parent_id FROM accounts WHERE id = ?",
        manager.id,
    ) == [{"organization_id": None, "parent_id": None}]

    # Standalone: it may found a new organization (new ids), with no tags.
    again = manager.client.create_organization()["Organization"]
    assert again["Id"] != org.id
    assert again["MasterAccountId"] == manager.id
    assert manager.client.list_tags_for_resource(ResourceId=manager.id)["Tags"] == []
    assert (
        world.rows("SELECT root_id FROM organizations WHERE id = ?", again["Id"])[0][
            "root_id"
        ]
        != root
    )
    # The deleted organization's invitation still names its sender as before.
    assert describe(guest, pending["Id"])["Arn"] == pending["Arn"]


def test_h4_delete_organization_cancels_every_pending_handshake(
    clock_world: World,
) -> None:
    """H4: every pending handshake the organization sent is CANCELED, invitations and
    an ENABLE_ALL_FEATURES request alike; one past its expiry stays EXPIRED (R6)."""
    world = clock_world
    world.clock.wall()
    try:
        org = world.organization()
        late, fresh = world.accounts(2)
        expired = world.invite(org, late)
        world.clock.set(world.clock.now() + timedelta(days=16))
        invitation = world.invite(org, fresh)
        org.manager.client.delete_organization()
        assert describe(late, expired["Id"])["State"] == "EXPIRED"
        assert describe(fresh, invitation["Id"])["State"] == "CANCELED"

        migrating = world.organization(feature_set="CONSOLIDATED_BILLING")
        parent = migrating.manager.client.enable_all_features()["Handshake"]
        migrating.manager.client.delete_organization()
        states = world.rows("SELECT state FROM handshakes WHERE id = ?", parent["Id"])
        assert states == [{"state": "CANCELED"}]
    finally:
        world.clock.wall()


def test_h4_former_management_account_sees_its_invitations_again(world: World) -> None:
    """H4, R17: a management account with members cannot see an invitation it
    received; once its organization is emptied and deleted it is standalone, sees the
    invitation again and may accept it (joining INVITED, with the invitation's tags)."""
    inviter = world.organization()
    busy = world.organization(members=1)
    hidden = world.invite(inviter, busy.manager, tags=[{"Key": "from", "Value": "h4"}])
    assert hidden["Id"] not in received(busy.manager)
    # The member departs (A18's effects; LeaveOrganization belongs to another slice).
    world.execute(
        "UPDATE accounts SET organization_id = NULL, joined_method = NULL,"
        " joined_at = NULL, parent_id = NULL WHERE id = ?",
        busy.members[0].id,
    )
    busy.manager.client.delete_organization()
    assert received(busy.manager)[hidden["Id"]]["State"] == "OPEN"
    busy.manager.client.accept_handshake(HandshakeId=hidden["Id"])
    accounts = {a["Id"]: a for a in inviter.manager.client.list_accounts()["Accounts"]}
    assert accounts[busy.manager.id]["JoinedMethod"] == "INVITED"
    assert inviter.manager.client.list_tags_for_resource(ResourceId=busy.manager.id)[
        "Tags"
    ] == [{"Key": "from", "Value": "h4"}]


def test_o5_created_accounts_keep_the_organization_not_empty(world: World) -> None:
    """O5: an account CreateAccount made is in the organization like an invited one."""
    org = world.organization()
    org.manager.client.create_account(
        Email=f"created-{org.id}@example.com", AccountName="Created"
    )
    fails_with("OrganizationNotEmptyException", org.manager.client.delete_organization)


def test_o5_an_account_being_created_keeps_the_organization_not_empty(
    engine: str, tmp_path: Path
) -> None:
    """O5 (DECIDED, as H5 counts it): while a CreateAccount is IN_PROGRESS (M1's delay)
    the organization is not empty."""
    from generated.organizations.errors import OrganizationNotEmptyException
    from generated.organizations.models import CreateAccountRequest
    from runtime.model import Empty

    accounts = dummy_accounts(1)
    manager = accounts[0]["id"]
    with fresh_database(engine, tmp_path) as db:
        with in_process(db, accounts, create_account_delay_ms=3_600_000) as served:
            handler, me = served.handler, served.context(manager)
            handler.create_organization(me, CreateOrganizationRequest())
            handler.create_account(
                me,
                CreateAccountRequest(email="slow@example.com", account_name="Slow"),
            )
            with pytest.raises(OrganizationNotEmptyException):
                handler.delete_organization(me, Empty())
