"""Responsibility transfers, the invitation and what it shows (organizations.md X1–X4,
X6, X7, H8; `docs/organizations.md`, "Responsibility transfers"), through real boto3
clients against a real server on SQLite and PostgreSQL.

One server per module and engine, on a business clock each test sets to `NOW`
(`support.transfers`); organizations are fresh per test.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from support.transfers import (
    DAY,
    MS,
    NOW,
    START,
    UTC,
    at,
    described,
    inbound,
    invite,
    outbound,
    status,
    transfer_of,
    transfer_world,
)
from support.raw import call
from support.world import World, describe, engine, fails_with, received, sent

__all__ = ["engine", "transfer_world"]

ACCESS_DENIED = "You don't have permissions to access this resource."
NOT_FOUND = "We can't find a transfer that you specified."
TRANSFER_ARN = (
    r"^arn:aws:organizations::\d{12}:transfer/o-[a-z0-9]{10,32}/billing"
    r"/(inbound|outbound)/rt-[0-9a-z]{8,32}$"
)


@pytest.fixture(autouse=True)
def _now(transfer_world: World) -> None:
    at(transfer_world, NOW)


def _send(world: World, **params: Any) -> Any:
    """An invitation with `params` over a valid one, from a fresh organization to
    another; the boto3 call's result or error (checked by the caller)."""
    target, source = world.organization(), world.organization()
    request: dict[str, Any] = {
        "Type": "BILLING",
        "Target": source.manager.target(),
        "StartTimestamp": START,
        "SourceName": "Billing",
    }
    request.update(params)
    return target, source, request


def _reason(world: World, code: str, **params: Any) -> str:
    target, _, request = _send(world, **params)
    client = world.client(target.manager, parameter_validation=False)
    answer = fails_with(
        code, client.invite_organization_to_transfer_responsibility, **request
    )
    # A refused invitation stores nothing.
    assert sent(target) == {}
    assert inbound(target) == []
    return str(answer.get("Reason"))


# -- X1, X3: the transfer an invitation makes ------------------------------------------------


def test_x1_x3_invitation_makes_a_requested_transfer(transfer_world: World) -> None:
    """X1, X3: the inviter is the transfer's Target, the invited organization its Source;
    the transfer is REQUESTED, BILLING, named SourceName, with the start and the
    handshake; the response is {"Handshake": ...}."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    handshake = invite(target, source, name="Pay for them")
    transfer_id = transfer_of(handshake)
    assert transfer_id.startswith("rt-") and len(transfer_id) == 19  # C1: rt- + 16
    shown = described(target, transfer_id)
    assert shown["Id"] == transfer_id
    assert shown["Name"] == "Pay for them"
    assert shown["Type"] == "BILLING"
    assert shown["Status"] == "REQUESTED"
    assert shown["Source"] == {
        "ManagementAccountId": source.manager.id,
        "ManagementAccountEmail": source.manager.email,
    }
    assert shown["Target"] == {
        "ManagementAccountId": target.manager.id,
        "ManagementAccountEmail": target.manager.email,
    }
    assert shown["StartTimestamp"] == START
    assert "EndTimestamp" not in shown  # C7: null members are left out
    assert shown["ActiveHandshakeId"] == handshake["Id"]
    assert inbound(target) == [transfer_id]
    assert outbound(source) == [transfer_id]
    assert outbound(target) == [] and inbound(source) == []


# -- X2: the invitation's checks -------------------------------------------------------------


def test_x2_callers(transfer_world: World) -> None:
    """X2 (matrix row 58): the management account only: a member is AccessDenied, an
    account in no organization AWSOrganizationsNotInUse."""
    world = transfer_world
    org = world.organization(members=1)
    source = world.organization()
    request = {
        "Type": "BILLING",
        "Target": source.manager.target(),
        "StartTimestamp": START,
        "SourceName": "Billing",
    }
    member = org.members[0].client
    answer = fails_with(
        "AccessDeniedException",
        member.invite_organization_to_transfer_responsibility,
        **request,
    )
    assert answer["Error"]["Message"] == ACCESS_DENIED
    fails_with(
        "AWSOrganizationsNotInUseException",
        world.account().client.invite_organization_to_transfer_responsibility,
        **request,
    )


def test_x2_party_type(transfer_world: World) -> None:
    """X2: an ORGANIZATION target is INVALID_PARTY_TYPE_TARGET; as for
    InviteAccountToOrganization, an ACCOUNT id that is not one fails its pattern and a
    malformed email is INVALID_EMAIL_ADDRESS_TARGET."""
    world = transfer_world
    for target, reason in (
        ({"Type": "ORGANIZATION", "Id": "o-abcdefghij"}, "INVALID_PARTY_TYPE_TARGET"),
        ({"Type": "ACCOUNT", "Id": "12345"}, "INVALID_PATTERN"),
        ({"Type": "EMAIL", "Id": "nobody-at-example"}, "INVALID_EMAIL_ADDRESS_TARGET"),
    ):
        assert _reason(world, "InvalidInputException", Target=target) == reason


def test_x2_start_date(transfer_world: World) -> None:
    """X2: StartTimestamp not on a first of a month (UTC) → START_DATE_NOT_BEGINNING_
    OF_MONTH; on it but not at 00:00:00.000 → START_DATE_NOT_BEGINNING_OF_DAY; not more
    than 24 hours ahead → START_DATE_TOO_EARLY (DECIDED: exactly 24 hours too); more than
    12 months ahead → START_DATE_TOO_LATE; the message is the Reason's first sentence.
    """
    world = transfer_world
    cases = [
        (datetime(2031, 4, 2, tzinfo=UTC), "START_DATE_NOT_BEGINNING_OF_MONTH"),
        (START - MS, "START_DATE_NOT_BEGINNING_OF_MONTH"),
        # 00:00 in UTC+02:00 is the 31st of March, 22:00, in UTC.
        (
            datetime.fromisoformat("2031-04-01T00:00:00+02:00"),
            "START_DATE_NOT_BEGINNING_OF_MONTH",
        ),
        (START + MS, "START_DATE_NOT_BEGINNING_OF_DAY"),
        (START + timedelta(hours=1), "START_DATE_NOT_BEGINNING_OF_DAY"),
        (datetime(2031, 3, 1, tzinfo=UTC), "START_DATE_TOO_EARLY"),
        (datetime(1900, 1, 1, tzinfo=UTC), "START_DATE_TOO_EARLY"),
        (datetime(2032, 4, 1, tzinfo=UTC), "START_DATE_TOO_LATE"),
        (datetime(9999, 12, 1, tzinfo=UTC), "START_DATE_TOO_LATE"),
    ]
    for start, reason in cases:
        target, _, request = _send(world, StartTimestamp=start)
        answer = fails_with(
            "InvalidInputException",
            target.manager.client.invite_organization_to_transfer_responsibility,
            **request,
        )
        assert (answer["Reason"], answer["Error"]["Message"]) == (
            reason,
            "You provided an invalid start date.",
        ), start
    # The edges that pass: 12 months ahead exactly (the 1st of March 2032 is before
    # the 10th), and a start exactly 24 hours and a millisecond ahead.
    target, source, request = _send(
        world, StartTimestamp=datetime(2032, 3, 1, tzinfo=UTC)
    )
    target.manager.client.invite_organization_to_transfer_responsibility(**request)
    at(world, START - DAY - MS)
    target, source, request = _send(world)
    handshake = target.manager.client.invite_organization_to_transfer_responsibility(
        **request
    )["Handshake"]
    assert handshake["State"] == "OPEN"
    at(world, START - DAY)
    target, _, request = _send(world)
    answer = fails_with(
        "InvalidInputException",
        target.manager.client.invite_organization_to_transfer_responsibility,
        **request,
    )
    assert answer["Reason"] == "START_DATE_TOO_EARLY"


def test_x2_start_date_out_of_range(transfer_world: World) -> None:
    """Hostile dates (botocore refuses to send them, a raw client may): epoch seconds
    past the year 9999, before the year 1, or 1e300 are not timestamps
    (SerializationException, the wire layer's answer to any bad value); the year 9999
    itself is START_DATE_TOO_LATE, never misread (as pydantic alone would read a
    number above 2e10: milliseconds). The server serves on."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    manager = target.manager

    def raw(start: object) -> tuple[int, dict[str, Any]]:
        body = json.dumps(
            {
                "Type": "BILLING",
                "Target": source.manager.target(),
                "StartTimestamp": start,
                "SourceName": "Billing",
            }
        ).encode()
        reply = call(
            world.url,
            "InviteOrganizationToTransferResponsibility",
            body,
            key=manager.access_key_id,
            secret=manager.secret_access_key,
        )
        return reply.status, reply.json()

    for seconds in (253402300800, -62135596801, 1e300, 10**30):
        code, answer = raw(seconds)
        assert (code, answer["__type"]) == (400, "SerializationException"), seconds
    code, answer = raw(253399622400)  # 9999-12-01T00:00:00Z
    assert (code, answer["__type"], answer["Reason"]) == (
        400,
        "InvalidInputException",
        "START_DATE_TOO_LATE",
    )
    code, answer = raw(START.timestamp())
    assert code == 200, answer
    assert answer["Handshake"]["ExpirationTimestamp"] == (START - DAY).timestamp()


def test_x2_t6_tags_checked_at_the_invitation(transfer_world: World) -> None:
    """X2, T6: the invitation's tags per T3: a key twice → DUPLICATE_TAG_KEY, an `aws:`
    key → INVALID_SYSTEM_TAGS_PARAMETER, more than 50 → ConstraintViolation
    MAX_TAG_LIMIT_EXCEEDED; nothing is stored."""
    world = transfer_world
    twice = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    system = [{"Key": "AWS:cost", "Value": "1"}]
    many = [{"Key": f"k{n}", "Value": ""} for n in range(51)]
    assert _reason(world, "InvalidInputException", Tags=twice) == "DUPLICATE_TAG_KEY"
    assert (
        _reason(world, "InvalidInputException", Tags=system)
        == "INVALID_SYSTEM_TAGS_PARAMETER"
    )
    assert (
        _reason(world, "ConstraintViolationException", Tags=many)
        == "MAX_TAG_LIMIT_EXCEEDED"
    )


def test_x2_target_account(transfer_world: World) -> None:
    """X2: the caller itself or an account of its organization →
    HandshakeConstraintViolation SOURCE_AND_TARGET_CANNOT_MATCH; an unknown account or
    email, a standalone account, a member of another organization →
    TARGET_ACCOUNT_VALIDATION_FAILURE. Another organization's management account by
    email is the target (the handshake's party keeps the email)."""
    world = transfer_world
    org = world.organization(members=1)
    other = world.organization(members=1)
    client = org.manager.client
    for party, reason in (
        (org.manager.target(), "SOURCE_AND_TARGET_CANNOT_MATCH"),
        (org.manager.target("EMAIL"), "SOURCE_AND_TARGET_CANNOT_MATCH"),
        (org.members[0].target(), "SOURCE_AND_TARGET_CANNOT_MATCH"),
        (
            {"Type": "ACCOUNT", "Id": "123456789012"},
            "TARGET_ACCOUNT_VALIDATION_FAILURE",
        ),
        (
            {"Type": "EMAIL", "Id": "nobody@example.com"},
            "TARGET_ACCOUNT_VALIDATION_FAILURE",
        ),
        (world.account().target(), "TARGET_ACCOUNT_VALIDATION_FAILURE"),
        (other.members[0].target(), "TARGET_ACCOUNT_VALIDATION_FAILURE"),
    ):
        answer = fails_with(
            "HandshakeConstraintViolationException",
            client.invite_organization_to_transfer_responsibility,
            Type="BILLING",
            Target=party,
            StartTimestamp=START,
            SourceName="Billing",
        )
        assert answer["Reason"] == reason, party
    by_email = invite(org, other, by="EMAIL")
    assert by_email["Parties"][0] == {"Id": other.manager.email, "Type": "EMAIL"}
    assert outbound(other) == [transfer_of(by_email)]


def test_x2_duplicate_invitation(transfer_world: World) -> None:
    """X2: a REQUESTED transfer from this organization to that one →
    DuplicateHandshakeException (DECIDED: by id or by email alike); once declined (or
    expired), a new invitation is allowed."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    first = invite(target, source)
    for by in ("ACCOUNT", "EMAIL"):
        answer = fails_with(
            "DuplicateHandshakeException",
            target.manager.client.invite_organization_to_transfer_responsibility,
            Type="BILLING",
            Target=source.manager.target(by),
            StartTimestamp=datetime(2031, 5, 1, tzinfo=UTC),
            SourceName="Again",
        )
        assert answer["Error"]["Message"] == (
            "A handshake with the same action and target already exists."
        )
    source.manager.client.decline_handshake(HandshakeId=first["Id"])
    invite(target, source)
    # The other way round is another invitation.
    invite(source, target)


def test_x2_transfer_already_exists(transfer_world: World) -> None:
    """X2: a transfer in force between the two organizations, either way round (DECIDED)
    → HandshakeConstraintViolation RESPONSIBILITY_TRANSFER_ALREADY_EXISTS."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    handshake = invite(target, source)
    source.manager.client.accept_handshake(HandshakeId=handshake["Id"])
    for inviter, invited in ((target, source), (source, target)):
        answer = fails_with(
            "HandshakeConstraintViolationException",
            inviter.manager.client.invite_organization_to_transfer_responsibility,
            Type="BILLING",
            Target=invited.manager.target(),
            StartTimestamp=START,
            SourceName="Again",
        )
        assert answer["Reason"] == "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS"


def test_x2_check_order(transfer_world: World) -> None:
    """X2 in V1's order: party type, then the start date, then the tags, then the
    target account."""
    world = transfer_world
    bad_party = {"Type": "ORGANIZATION", "Id": "o-abcdefghij"}
    late = datetime(2040, 1, 1, tzinfo=UTC)
    twice = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    nobody = {"Type": "ACCOUNT", "Id": "123456789012"}
    assert (
        _reason(world, "InvalidInputException", Target=bad_party, StartTimestamp=late)
        == "INVALID_PARTY_TYPE_TARGET"
    )
    assert (
        _reason(world, "InvalidInputException", StartTimestamp=late, Tags=twice)
        == "START_DATE_TOO_LATE"
    )
    assert (
        _reason(world, "InvalidInputException", Tags=twice, Target=nobody)
        == "DUPLICATE_TAG_KEY"
    )


def test_x2_hostile_names_and_notes(transfer_world: World) -> None:
    """R8 on the invitation's strings: a SourceName of 129 characters is
    MAX_LENGTH_EXCEEDED, one outside printable ASCII INVALID_PATTERN, Notes over 1,024
    characters MAX_LENGTH_EXCEEDED; the longest allowed are stored as sent."""
    world = transfer_world
    for params, reason in (
        ({"SourceName": "n" * 129}, "MAX_LENGTH_EXCEEDED"),
        ({"SourceName": "caf\u00e9"}, "INVALID_PATTERN"),
        ({"SourceName": "tab\there"}, "INVALID_PATTERN"),
        ({"Notes": "x" * 1025}, "MAX_LENGTH_EXCEEDED"),
    ):
        assert _reason(world, "InvalidInputException", **params) == reason
    target, source = world.organization(), world.organization()
    handshake = invite(target, source, name="~" * 128, Notes="\u00e9" * 1024)
    assert described(source, transfer_of(handshake))["Name"] == "~" * 128
    assert handshake["Resources"][-1] == {"Type": "NOTES", "Value": "\u00e9" * 1024}


# -- X4: the handshake -------------------------------------------------------------------


def test_x4_handshake_document(transfer_world: World) -> None:
    """X4: OPEN, the ARN's `transfer_responsibility` segment, requested now, expiring
    24 hours before the start; Parties as R4 (recipient, then the inviting
    organization); Resources in X4's order, NOTES last and only when given."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    handshake = invite(target, source, Notes="See you")
    transfer_id = transfer_of(handshake)
    assert handshake["State"] == "OPEN"
    assert handshake["Action"] == "TRANSFER_RESPONSIBILITY"
    assert handshake["Arn"] == (
        f"arn:aws:organizations::{target.manager.id}:handshake/{target.id}"
        f"/transfer_responsibility/{handshake['Id']}"
    )
    assert handshake["RequestedTimestamp"] == NOW
    assert handshake["ExpirationTimestamp"] == START - DAY
    assert handshake["Parties"] == [
        {"Id": source.manager.id, "Type": "ACCOUNT"},
        {"Id": target.id, "Type": "ORGANIZATION"},
    ]
    assert handshake["Resources"] == [
        {"Type": "RESPONSIBILITY_TRANSFER", "Value": transfer_id},
        {"Type": "TRANSFER_TYPE", "Value": "BILLING"},
        {"Type": "TRANSFER_START_TIMESTAMP", "Value": "2031-04-01T00:00:00.000Z"},
        {"Type": "MANAGEMENT_ACCOUNT", "Value": target.manager.id},
        {"Type": "MANAGEMENT_EMAIL", "Value": target.manager.email},
        {"Type": "MANAGEMENT_NAME", "Value": target.manager.name},
        {"Type": "NOTES", "Value": "See you"},
    ]
    # Every view of it says the same (R21: the recipient, the sender's accounts).
    assert describe(source.manager, handshake["Id"]) == handshake
    assert received(source.manager)[handshake["Id"]] == handshake
    plain = invite(world.organization(), world.organization())
    assert [r["Type"] for r in plain["Resources"]][-1] == "MANAGEMENT_NAME"


def test_x4_expiry(transfer_world: World) -> None:
    """X4, C3: from StartTimestamp − 24 h the handshake is EXPIRED (R6) and so is the
    transfer; accepting it is R11's InvalidHandshakeTransition."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    handshake = invite(target, source)
    transfer_id = transfer_of(handshake)
    at(world, START - DAY - MS)
    assert status(target, transfer_id) == "REQUESTED"
    at(world, START - DAY)
    assert describe(source.manager, handshake["Id"])["State"] == "EXPIRED"
    assert status(target, transfer_id) == "EXPIRED"
    assert status(source, transfer_id) == "EXPIRED"
    fails_with(
        "InvalidHandshakeTransitionException",
        source.manager.client.accept_handshake,
        HandshakeId=handshake["Id"],
    )
    assert status(source, transfer_id) == "EXPIRED"


# -- X6, X7: one record, two views; who sees it --------------------------------------------


def test_x6_one_record_two_views(transfer_world: World) -> None:
    """X6: both sides see the same transfer; its Arn names the viewer's management
    account and organization, `inbound` for the target and `outbound` for the source."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    transfer_id = transfer_of(invite(target, source))
    mine, theirs = described(target, transfer_id), described(source, transfer_id)
    assert mine["Arn"] == (
        f"arn:aws:organizations::{target.manager.id}:transfer/{target.id}"
        f"/billing/inbound/{transfer_id}"
    )
    assert theirs["Arn"] == (
        f"arn:aws:organizations::{source.manager.id}:transfer/{source.id}"
        f"/billing/outbound/{transfer_id}"
    )
    assert {k: v for k, v in mine.items() if k != "Arn"} == {
        k: v for k, v in theirs.items() if k != "Arn"
    }
    listed_in = target.manager.client.list_inbound_responsibility_transfers(
        Type="BILLING"
    )["ResponsibilityTransfers"]
    listed_out = source.manager.client.list_outbound_responsibility_transfers(
        Type="BILLING"
    )["ResponsibilityTransfers"]
    assert listed_in == [mine] and listed_out == [theirs]


def test_x7_describe_visibility(transfer_world: World) -> None:
    """X7: the management account of either side; a member of either side →
    AccessDenied; another organization's management account, or an unknown id →
    ResponsibilityTransferNotFound (the same answer); an account in no organization →
    AWSOrganizationsNotInUse."""
    world = transfer_world
    target = world.organization(members=1)
    source = world.organization(members=1)
    transfer_id = transfer_of(invite(target, source))
    for member in (target.members[0], source.members[0]):
        answer = fails_with(
            "AccessDeniedException",
            member.client.describe_responsibility_transfer,
            Id=transfer_id,
        )
        assert answer["Error"]["Message"] == ACCESS_DENIED
    third = world.organization()
    for transfer in (transfer_id, "rt-abcdefgh12345678"):
        answer = fails_with(
            "ResponsibilityTransferNotFoundException",
            third.manager.client.describe_responsibility_transfer,
            Id=transfer,
        )
        assert answer["Error"]["Message"] == NOT_FOUND
    fails_with(
        "AWSOrganizationsNotInUseException",
        world.account().client.describe_responsibility_transfer,
        Id=transfer_id,
    )
    answer = fails_with(
        "InvalidInputException",
        world.client(
            third.manager, parameter_validation=False
        ).describe_responsibility_transfer,
        Id="rt-UPPER123",
    )
    assert answer["Reason"] == "INVALID_PATTERN"


# -- H8: transfer handshakes among the others ----------------------------------------------


def test_h8_transfer_handshakes_in_the_listings(transfer_world: World) -> None:
    """H8: the inviter's ListHandshakesForOrganization and the recipient's
    ListHandshakesForAccount show the handshake, filterable by ActionType
    TRANSFER_RESPONSIBILITY; R21: any account of the sender describes it, an account of
    the recipient's organization other than the recipient does not."""
    world = transfer_world
    target = world.organization(members=1)
    source = world.organization(members=1)
    handshake = invite(target, source)
    only = {"ActionType": "TRANSFER_RESPONSIBILITY"}
    assert list(sent(target, Filter=only)) == [handshake["Id"]]
    assert list(received(source.manager, Filter=only)) == [handshake["Id"]]
    assert sent(target, Filter={"ActionType": "INVITE"}) == {
        h: v for h, v in sent(target).items() if v["Action"] == "INVITE"
    }
    assert handshake["Id"] not in sent(target, Filter={"ActionType": "INVITE"})
    assert describe(target.members[0], handshake["Id"])["Id"] == handshake["Id"]
    fails_with(
        "HandshakeNotFoundException",
        source.members[0].client.describe_handshake,
        HandshakeId=handshake["Id"],
    )


def test_h8_not_counted_by_r18_or_r19(transfer_world: World) -> None:
    """H8: transfer invitations count neither toward R18's daily quota nor toward R19's
    account limit (this server: one invitation a day, two accounts an organization)."""
    world = transfer_world
    target = world.organization()
    invite(target, world.organization())
    invite(target, world.organization())
    client = target.manager.client
    # R18 and R19 still let one invitation through: the two above did not count.
    client.invite_account_to_organization(Target=world.account().target())
    answer = fails_with(
        "HandshakeConstraintViolationException",
        client.invite_account_to_organization,
        Target=world.account().target(),
    )
    assert answer["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    # And transfer invitations go on, whatever R18 and R19 say.
    invite(target, world.organization())
    assert len(inbound(target)) == 3
