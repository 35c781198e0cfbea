"""Responsibility transfers and the rest of the server (organizations.md O5, X12, T1,
T6, M8): DeleteOrganization while a transfer is in process and what becomes of a
deleted organization's transfers (DECIDED), a transfer's tags, and seeded transfers;
through real boto3 clients against real servers, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from handlers.organizations import seed
from support.databases import fresh_database
from support.transfers import (
    DAY,
    END_OF_START_MONTH,
    MS,
    NOW,
    START,
    UTC,
    accepted,
    at,
    described,
    inbound,
    invite,
    status,
    transfer_of,
    transfer_world,
)
from support.world import (
    Actor,
    Org,
    World,
    dummy_accounts,
    engine,
    fails_with,
    open_store,
    serving,
)

__all__ = ["engine", "transfer_world"]

ACCESS_DENIED = "You don't have permissions to access this resource."
TARGET_NOT_FOUND = (
    "We can't find a root, OU, account, or policy with the TargetId that you specified."
)
RETENTION_DAYS = 30


@pytest.fixture(autouse=True)
def _now(transfer_world: World) -> None:
    at(transfer_world, NOW)


def _tags(actor: Actor, resource: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = actor.client.list_tags_for_resource(
        ResourceId=resource
    )["Tags"]
    return found


def _deleting_is_blocked(org: Org) -> None:
    answer = fails_with(
        "ConstraintViolationException", org.manager.client.delete_organization
    )
    assert answer["Reason"] == "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS"
    assert answer["Error"]["Message"] == (
        "Performing this operation violates a minimum or maximum value limit."
    )


# -- O5, X12: DeleteOrganization ----------------------------------------------------------


def test_o5_x12_a_transfer_in_process_blocks_deletion(transfer_world: World) -> None:
    """O5, X12: while a transfer is REQUESTED, ACCEPTED, or WITHDRAWN up to its end,
    neither side may delete its organization (ConstraintViolation
    ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS, after OrganizationNotEmpty); once it has
    ended, both may."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    handshake = invite(target, source)
    for org in (target, source):
        _deleting_is_blocked(org)
    crowded = world.organization(members=1)
    invite(crowded, world.organization())
    fails_with(
        "OrganizationNotEmptyException", crowded.manager.client.delete_organization
    )
    source.manager.client.accept_handshake(HandshakeId=handshake["Id"])
    transfer_id = transfer_of(handshake)
    for org in (target, source):
        _deleting_is_blocked(org)
    target.manager.client.terminate_responsibility_transfer(Id=transfer_id)
    at(world, END_OF_START_MONTH)
    for org in (target, source):
        _deleting_is_blocked(org)
    at(world, END_OF_START_MONTH + MS)
    source.manager.client.delete_organization()
    target.manager.client.delete_organization()


def test_o5_unanswered_transfers_do_not_block(transfer_world: World) -> None:
    """O5: declined, canceled and expired invitations are not in process."""
    world = transfer_world
    pairs = [(world.organization(), world.organization()) for _ in range(3)]
    handshakes = [invite(target, source) for target, source in pairs]
    pairs[0][1].manager.client.decline_handshake(HandshakeId=handshakes[0]["Id"])
    pairs[1][0].manager.client.cancel_handshake(HandshakeId=handshakes[1]["Id"])
    pairs[0][0].manager.client.delete_organization()
    pairs[1][1].manager.client.delete_organization()
    _deleting_is_blocked(pairs[2][1])
    at(world, START - DAY)
    pairs[2][1].manager.client.delete_organization()
    pairs[2][0].manager.client.delete_organization()


def test_o5_decided_a_deleted_organizations_transfers(transfer_world: World) -> None:
    """O5, X11 (DECIDED): when one side deletes its organization, the other keeps seeing
    the ended transfer (and its tags) until X11's retention; the deleted side's former
    management account, standalone, is Z1, and its new organization sees nothing of it.
    When the second side goes too, the transfer and its tags go."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    transfer_id = accepted(target, source, Tags=[{"Key": "k", "Value": "v"}])
    target.manager.client.terminate_responsibility_transfer(Id=transfer_id)
    at(world, END_OF_START_MONTH + MS)
    source.manager.client.delete_organization()
    shown = described(target, transfer_id)
    assert shown["Status"] == "WITHDRAWN"
    assert shown["Source"]["ManagementAccountId"] == source.manager.id
    assert inbound(target) == [transfer_id]
    assert _tags(target.manager, transfer_id) == [{"Key": "k", "Value": "v"}]
    former = source.manager.client
    fails_with(
        "AWSOrganizationsNotInUseException",
        former.describe_responsibility_transfer,
        Id=transfer_id,
    )
    former.create_organization()
    fails_with(
        "ResponsibilityTransferNotFoundException",
        former.describe_responsibility_transfer,
        Id=transfer_id,
    )
    assert (
        former.list_outbound_responsibility_transfers(Type="BILLING")[
            "ResponsibilityTransfers"
        ]
        == []
    )
    target.manager.client.delete_organization()
    assert (
        world.rows("SELECT id FROM responsibility_transfers WHERE id = ?", transfer_id)
        == []
    )
    assert (
        world.rows("SELECT tag_key FROM tags WHERE resource_id = ?", transfer_id) == []
    )


def test_x12_no_other_effect(transfer_world: World) -> None:
    """X12: an accepted, then withdrawn, transfer changes nothing else: both
    organizations keep their accounts, and no other handshake appears."""
    world = transfer_world
    target = world.organization(members=1)
    source = world.organization(members=1)

    def state(org: Org) -> tuple[Any, ...]:
        client = org.manager.client
        return (
            client.describe_organization()["Organization"],
            client.list_accounts()["Accounts"],
            [h["Id"] for h in client.list_handshakes_for_organization()["Handshakes"]],
        )

    before = state(target), state(source)
    transfer_id = accepted(target, source)
    target.manager.client.terminate_responsibility_transfer(Id=transfer_id)
    after_target, after_source = state(target), state(source)
    assert after_source == before[1]
    assert after_target[:2] == before[0][:2]
    assert len(after_target[2]) == len(before[0][2]) + 1  # the transfer's handshake


# -- T1, T6: a transfer's tags -------------------------------------------------------------


def test_t1_transfer_tags(transfer_world: World) -> None:
    """T1 (matrix rows 48–50): the management account of either side tags, untags and
    lists a transfer's tags, one set for both; a member of either side is AccessDenied;
    another organization's management account, or an unknown transfer id, is
    TargetNotFound; T3's limit of 50 holds; a transfer gone (X11) is TargetNotFound."""
    world = transfer_world
    target = world.organization(members=1)
    source = world.organization(members=1)
    handshake = invite(target, source)
    transfer_id = transfer_of(handshake)
    target.manager.client.tag_resource(
        ResourceId=transfer_id, Tags=[{"Key": "team", "Value": "billing"}]
    )
    source.manager.client.tag_resource(
        ResourceId=transfer_id, Tags=[{"Key": "cost", "Value": "42"}]
    )
    both = [{"Key": "team", "Value": "billing"}, {"Key": "cost", "Value": "42"}]
    assert _tags(target.manager, transfer_id) == both
    assert _tags(source.manager, transfer_id) == both
    source.manager.client.untag_resource(ResourceId=transfer_id, TagKeys=["team"])
    assert _tags(target.manager, transfer_id) == both[1:]
    for member in (target.members[0], source.members[0]):
        answer = fails_with(
            "AccessDeniedException",
            member.client.list_tags_for_resource,
            ResourceId=transfer_id,
        )
        assert answer["Error"]["Message"] == ACCESS_DENIED
    third = world.organization()
    for resource in (transfer_id, "rt-abcdefgh12345678"):
        for call, params in (
            (third.manager.client.tag_resource, {"Tags": [{"Key": "k", "Value": ""}]}),
            (third.manager.client.untag_resource, {"TagKeys": ["cost"]}),
            (third.manager.client.list_tags_for_resource, {}),
        ):
            answer = fails_with(
                "TargetNotFoundException", call, ResourceId=resource, **params
            )
            assert answer["Error"]["Message"] == TARGET_NOT_FOUND
    many = [{"Key": f"k{n}", "Value": ""} for n in range(50)]
    answer = fails_with(
        "ConstraintViolationException",
        target.manager.client.tag_resource,
        ResourceId=transfer_id,
        Tags=many,
    )
    assert answer["Reason"] == "MAX_TAG_LIMIT_EXCEEDED"
    source.manager.client.decline_handshake(HandshakeId=handshake["Id"])
    at(world, NOW + RETENTION_DAYS * DAY)
    fails_with(
        "TargetNotFoundException",
        target.manager.client.list_tags_for_resource,
        ResourceId=transfer_id,
    )


def test_t1_delegates_and_delegated_administrators(transfer_world: World) -> None:
    """T1 (rows 48–50): a delegated administrator (ListTagsForResource) or a delegate
    (TagResource) of either side passes the coarse check, and is AccessDenied once the
    transfer is found (step 8); a transfer of another organization stays TargetNotFound
    for it (step 7). (The delegation policy is written directly: PutResourcePolicy is
    another part's.)"""
    world = transfer_world
    target = world.organization(members=1)
    source = world.organization()
    transfer_id = transfer_of(invite(target, source))
    elsewhere = transfer_of(invite(world.organization(), world.organization()))
    # One member, both: a DA for ListTagsForResource, a DG for TagResource.
    administrator = delegate = target.members[0]
    manager = target.manager.client
    manager.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    manager.register_delegated_administrator(
        AccountId=administrator.id, ServicePrincipal="sso.amazonaws.com"
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": delegate.id},
                "Action": ["organizations:TagResource"],
                "Resource": "*",
            }
        ],
    }
    world.execute(
        "INSERT INTO resource_policies (organization_id, id, content, created_at,"
        " updated_at) VALUES (?, 'rp-t1transfers', ?, 0, 0)",
        target.id,
        json.dumps(policy),
    )
    for call, params in (
        (administrator.client.list_tags_for_resource, {}),
        (delegate.client.tag_resource, {"Tags": [{"Key": "k", "Value": "v"}]}),
    ):
        answer = fails_with(
            "AccessDeniedException", call, ResourceId=transfer_id, **params
        )
        assert answer["Error"]["Message"] == ACCESS_DENIED
        fails_with("TargetNotFoundException", call, ResourceId=elsewhere, **params)
    # Their roles still work on what they may tag (the root: rows 48, 50).
    root = target.manager.client.list_roots()["Roots"][0]["Id"]
    delegate.client.tag_resource(ResourceId=root, Tags=[{"Key": "k", "Value": "v"}])
    assert _tags(administrator, root) == [{"Key": "k", "Value": "v"}]
    assert _tags(target.manager, transfer_id) == []


def test_t6_invitation_tags_attached_on_acceptance(transfer_world: World) -> None:
    """T6, X5: the invitation's tags go to the transfer when it is accepted, not
    before, and never for a declined one. DECIDED: they are put as TagResource would
    then: a key set on the REQUESTED transfer meanwhile takes the invitation's value, and
    more than 50 keys afterwards is ConstraintViolation MAX_TAG_LIMIT_EXCEEDED with
    nothing accepted."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    tags = [{"Key": "cost", "Value": "1"}, {"Key": "team", "Value": "pay"}]
    handshake = invite(target, source, Tags=tags)
    transfer_id = transfer_of(handshake)
    assert _tags(target.manager, transfer_id) == []
    target.manager.client.tag_resource(
        ResourceId=transfer_id, Tags=[{"Key": "team", "Value": "mine"}]
    )
    source.manager.client.accept_handshake(HandshakeId=handshake["Id"])
    expected = [{"Key": "team", "Value": "pay"}, {"Key": "cost", "Value": "1"}]
    assert _tags(source.manager, transfer_id) == expected
    assert _tags(target.manager, transfer_id) == expected
    declining_target, declining_source = world.organization(), world.organization()
    declined = invite(declining_target, declining_source, Tags=tags)
    declining_source.manager.client.decline_handshake(HandshakeId=declined["Id"])
    assert _tags(declining_target.manager, transfer_of(declined)) == []
    full_target, full_source = world.organization(), world.organization()
    crowded = invite(full_target, full_source, Tags=tags)
    full_target.manager.client.tag_resource(
        ResourceId=transfer_of(crowded),
        Tags=[{"Key": f"k{n}", "Value": ""} for n in range(49)],
    )
    answer = fails_with(
        "ConstraintViolationException",
        full_source.manager.client.accept_handshake,
        HandshakeId=crowded["Id"],
    )
    assert answer["Reason"] == "MAX_TAG_LIMIT_EXCEEDED"
    assert status(full_target, transfer_of(crowded)) == "REQUESTED"
    assert len(_tags(full_target.manager, transfer_of(crowded))) == 49


# -- M8: seeded transfers ------------------------------------------------------------------

ACCOUNTS = dummy_accounts(6)
A, B, C = (entry["id"] for entry in ACCOUNTS[:3])
SEED: dict[str, Any] = {
    "organizations": [
        {"id": "o-seedorgaaa", "management_account_id": A},
        {"id": "o-seedorgbbb", "management_account_id": B},
        {"id": "o-seedorgccc", "management_account_id": C},
    ],
    "responsibility_transfers": [
        {
            "id": "rt-seededaccepted1",
            "handshake_id": "h-seededacceptedhandshake1",
            "target_organization_id": "o-seedorgaaa",
            "source_organization_id": "o-seedorgbbb",
            "name": "B's bills, paid by A",
            "start": "2031-02-01T00:00:00Z",
            "requested": "2031-01-10T09:00:00Z",
            "status": "ACCEPTED",
            "status_changed": "2031-01-11T09:00:00Z",
        },
        {
            "id": "rt-seededrequested",
            "handshake_id": "h-seededrequestedhandshake",
            "target_organization_id": "o-seedorgccc",
            "source_organization_id": "o-seedorgaaa",
            "name": "Asked of A",
            "start": "2031-04-01T00:00:00Z",
            "requested": "2031-03-09T00:00:00Z",
            "recipient": {"type": "EMAIL", "id": ACCOUNTS[0]["email"].upper()},
            "notes": "Please",
            "tags": [{"Key": "asked", "Value": "yes"}],
        },
        {
            "id": "rt-seededwithdrawn",
            "handshake_id": "h-seededwithdrawnhandshake",
            "target_organization_id": "o-seedorgccc",
            "source_organization_id": "o-seedorgbbb",
            "name": "Ended",
            "start": "2030-01-01T00:00:00Z",
            "requested": "2029-12-01T00:00:00Z",
            "status": "WITHDRAWN",
            "end": "2031-03-31T23:59:59.999Z",
        },
    ],
    "tags": [{"resource_id": "rt-seededaccepted1", "key": "seeded", "value": "1"}],
}


@pytest.fixture(scope="module")
def seeded(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server with `SEED` loaded, on a business clock."""
    folder = tmp_path_factory.mktemp(f"seeded-transfers-{engine}")
    path = folder / "seed.json"
    path.write_text(json.dumps(SEED))
    with serving(
        folder, engine, "--seed", str(path), clock=True, accounts=ACCOUNTS
    ) as running:
        yield running


def _actor(world: World, index: int) -> Actor:
    entry = ACCOUNTS[index]
    actor = Actor(**entry)
    actor.client = world.client(actor)
    return actor


def test_m8_seeded_transfers(seeded: World) -> None:
    """M8: seeded transfers read as made by the API: both views, their handshakes (X4),
    Status as stored or as time makes it, tags from the `tags` section; the invitation's
    tags attach when it is accepted."""
    at(seeded, NOW)
    a, b, c = (_actor(seeded, n) for n in range(3))
    shown = a.client.describe_responsibility_transfer(Id="rt-seededaccepted1")[
        "ResponsibilityTransfer"
    ]
    assert shown == {
        "Arn": "arn:aws:organizations::"
        f"{A}:transfer/o-seedorgaaa/billing/inbound/rt-seededaccepted1",
        "Name": "B's bills, paid by A",
        "Id": "rt-seededaccepted1",
        "Type": "BILLING",
        "Status": "ACCEPTED",
        "Source": {"ManagementAccountId": B, "ManagementAccountEmail": b.email},
        "Target": {"ManagementAccountId": A, "ManagementAccountEmail": a.email},
        "StartTimestamp": datetime(2031, 2, 1, tzinfo=UTC),
        "ActiveHandshakeId": "h-seededacceptedhandshake1",
    }
    assert _tags(b, "rt-seededaccepted1") == [{"Key": "seeded", "Value": "1"}]
    handshake = a.client.describe_handshake(HandshakeId="h-seededrequestedhandshake")[
        "Handshake"
    ]
    assert handshake["State"] == "OPEN"
    assert handshake["Parties"][0] == {"Id": a.email, "Type": "EMAIL"}
    assert handshake["ExpirationTimestamp"] == START - DAY
    assert handshake["Resources"][0] == {
        "Type": "RESPONSIBILITY_TRANSFER",
        "Value": "rt-seededrequested",
    }
    assert handshake["Resources"][-1] == {"Type": "NOTES", "Value": "Please"}
    assert [
        t["Id"]
        for t in c.client.list_inbound_responsibility_transfers(Type="BILLING")[
            "ResponsibilityTransfers"
        ]
    ] == ["rt-seededwithdrawn", "rt-seededrequested"]
    assert status_of(c, "rt-seededwithdrawn") == "WITHDRAWN"
    assert status_of(c, "rt-seededrequested") == "REQUESTED"
    a.client.accept_handshake(HandshakeId="h-seededrequestedhandshake")
    assert _tags(c, "rt-seededrequested") == [{"Key": "asked", "Value": "yes"}]


def status_of(actor: Actor, transfer_id: str) -> str:
    return str(
        actor.client.describe_responsibility_transfer(Id=transfer_id)[
            "ResponsibilityTransfer"
        ]["Status"]
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"source_organization_id": "o-seedorgaaa"}, "needs two organizations"),
        ({"target_organization_id": "o-unknownorg"}, "is unknown"),
        ({"status": "EXPIRED"}, "is not a transfer status"),
        ({"status": "WITHDRAWN"}, "'end' goes with a WITHDRAWN transfer only"),
        ({"id": "rt-BAD"}, "is not a valid responsibility transfer id"),
        ({"handshake_id": "h-seededwithdrawnhandshake"}, "exists already"),
        ({"tags": [{"Key": "", "Value": "v"}]}, "is not a tag"),
    ],
)
def test_m8_bad_transfer_entries(
    engine: str, tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    """M8: a bad transfer entry stops loading with one line naming it (the loader on
    a fresh database of each engine)."""
    entry = {**SEED["responsibility_transfers"][0], "id": "rt-seededbadentry", **change}
    document = {
        **SEED,
        "responsibility_transfers": [*SEED["responsibility_transfers"], entry],
    }
    with fresh_database(engine, tmp_path) as db, open_store(db) as database:
        with database.transaction() as tx:
            for account in ACCOUNTS:
                tx.execute(
                    "INSERT INTO accounts (id, name, email) VALUES (?, ?, ?)",
                    (account["id"], account["name"], account["email"]),
                )
            with pytest.raises(ValueError) as failed:
                seed.load(tx, document)
    message = str(failed.value)
    assert message.startswith("seed: responsibility_transfers[3]: "), message
    assert problem in message, message
