"""Responsibility transfers after the invitation (organizations.md X5, X8–X11, C3):
answering, the quotas, listing and paging, renaming, withdrawing, and what the business
clock does to them; through real boto3 clients, on SQLite and PostgreSQL.

One server per module and engine, on a business clock each test sets (`support.
transfers`: `NOW`, starts on `START`); organizations are fresh per test.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

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
    outbound,
    pages,
    status,
    transfer_of,
    transfer_world,
)
from support.world import Org, World, describe, engine, fails_with

__all__ = ["engine", "transfer_world"]

NOT_FOUND = "We can't find a transfer that you specified."
RETENTION = timedelta(days=30)


@pytest.fixture(autouse=True)
def _now(transfer_world: World) -> None:
    at(transfer_world, NOW)


def _orgs(world: World, count: int) -> list[Org]:
    return [world.organization() for _ in range(count)]


def _limit(answer: dict[str, Any]) -> str:
    return str(answer["Reason"])


# -- X5: answering ---------------------------------------------------------------------------


def test_x5_status_follows_the_handshake(transfer_world: World) -> None:
    """X5: accepted, declined or canceled, the transfer's Status is its handshake's
    (ACCEPTED, DECLINED, CANCELED); R10, R15 as for any handshake: the sender declines
    nothing, the recipient cancels nothing."""
    world = transfer_world
    target = world.organization()
    sources = _orgs(world, 3)
    handshakes = [invite(target, source) for source in sources]
    fails_with(
        "AccessDeniedException",
        target.manager.client.decline_handshake,
        HandshakeId=handshakes[1]["Id"],
    )
    fails_with(
        "AccessDeniedException",
        sources[2].manager.client.cancel_handshake,
        HandshakeId=handshakes[2]["Id"],
    )
    answers = [
        sources[0].manager.client.accept_handshake(HandshakeId=handshakes[0]["Id"]),
        sources[1].manager.client.decline_handshake(HandshakeId=handshakes[1]["Id"]),
        target.manager.client.cancel_handshake(HandshakeId=handshakes[2]["Id"]),
    ]
    for source, handshake, answer, state in zip(
        sources, handshakes, answers, ("ACCEPTED", "DECLINED", "CANCELED")
    ):
        assert answer["Handshake"]["State"] == state
        assert answer["Handshake"]["Resources"] == handshake["Resources"]
        transfer_id = transfer_of(handshake)
        assert status(target, transfer_id) == state
        assert status(source, transfer_id) == state
    fails_with(
        "HandshakeAlreadyInStateException",
        sources[0].manager.client.accept_handshake,
        HandshakeId=handshakes[0]["Id"],
    )


def test_x5_only_the_invited_management_account_accepts(transfer_world: World) -> None:
    """X5: only a recipient that is the management account of the invited
    organization accepts; once it is not (its organization deleted after the
    invitation expired), accepting is AccessDenied, before the state is looked at
    (R16's order), while declining is R11's answer to the expired handshake. A member
    of either side is no recipient (R9)."""
    world = transfer_world
    target = world.organization(members=1)
    source = world.organization()
    handshake = invite(target, source)
    fails_with(
        "HandshakeNotFoundException",
        world.organization(members=1).members[0].client.accept_handshake,
        HandshakeId=handshake["Id"],
    )
    fails_with(
        "AccessDeniedException",
        target.members[0].client.accept_handshake,
        HandshakeId=handshake["Id"],
    )
    at(world, START - DAY)  # expired (X4): the organization may go (O5)
    former = source.manager.client
    former.delete_organization()
    answer = fails_with(
        "AccessDeniedException", former.accept_handshake, HandshakeId=handshake["Id"]
    )
    assert answer["Error"]["Message"] == (
        "You don't have permissions to access this resource."
    )
    former.create_organization()  # the management account of another organization
    fails_with(
        "AccessDeniedException", former.accept_handshake, HandshakeId=handshake["Id"]
    )
    fails_with(
        "InvalidHandshakeTransitionException",
        former.decline_handshake,
        HandshakeId=handshake["Id"],
    )


def test_x5_outbound_quota(transfer_world: World) -> None:
    """X5: a source with a transfer in force (ACCEPTED, or WITHDRAWN up to its end)
    accepts no other → ConstraintViolation
    RESPONSIBILITY_TRANSFER_MAX_OUTBOUND_QUOTA_VIOLATION, nothing accepted; from the
    first one's end on, it may."""
    world = transfer_world
    first, second, source = _orgs(world, 3)
    running = accepted(first, source)
    later = invite(second, source, start=datetime(2031, 6, 1, tzinfo=UTC))
    client = source.manager.client
    answer = fails_with(
        "ConstraintViolationException",
        client.accept_handshake,
        HandshakeId=later["Id"],
    )
    assert _limit(answer) == "RESPONSIBILITY_TRANSFER_MAX_OUTBOUND_QUOTA_VIOLATION"
    assert answer["Error"]["Message"] == (
        "Performing this operation violates a minimum or maximum value limit."
    )
    assert describe(source.manager, later["Id"])["State"] == "OPEN"
    assert status(source, transfer_of(later)) == "REQUESTED"
    first.manager.client.terminate_responsibility_transfer(Id=running)
    at(world, END_OF_START_MONTH)  # withdrawn, still in force until this instant
    answer = fails_with(
        "ConstraintViolationException",
        client.accept_handshake,
        HandshakeId=later["Id"],
    )
    assert _limit(answer) == "RESPONSIBILITY_TRANSFER_MAX_OUTBOUND_QUOTA_VIOLATION"
    at(world, END_OF_START_MONTH + MS)
    client.accept_handshake(HandshakeId=later["Id"])
    assert status(second, transfer_of(later)) == "ACCEPTED"


def test_x5_inbound_quota_racing(transfer_world: World) -> None:
    """X5, C8: a target manages at most 20 transfers in force; the 21st acceptance is
    RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION. Three sources accepting at once
    for the last place: exactly one gets it."""
    world = transfer_world
    target = world.organization()
    for source in _orgs(world, 19):
        accepted(target, source)
    racers = _orgs(world, 3)
    handshakes = [invite(target, source) for source in racers]

    def accept(pair: tuple[Org, dict[str, Any]]) -> str:
        source, handshake = pair
        try:
            source.manager.client.accept_handshake(HandshakeId=handshake["Id"])
        except ClientError as error:
            return str(error.response.get("Reason"))
        return "ACCEPTED"

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = sorted(pool.map(accept, zip(racers, handshakes)))
    assert outcomes == [
        "ACCEPTED",
        "RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION",
        "RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION",
    ]
    statuses = [
        status(target, t["Id"])
        for page in pages(
            target.manager.client.list_inbound_responsibility_transfers, Type="BILLING"
        )
        for t in page
    ]
    assert statuses.count("ACCEPTED") == 20 and statuses.count("REQUESTED") == 2


def test_x5_max_level(transfer_world: World) -> None:
    """X5: chains of transfers in force hold at most 2 (A's responsibility managed by
    B, B's by C); a third link at either end, or a cycle, is
    RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION."""
    world = transfer_world
    a, b, c, d, z = _orgs(world, 5)
    accepted(b, a)  # A → B
    accepted(c, b)  # B → C: a chain of 2
    for target, source in ((d, c), (a, z), (a, c)):  # C → D, Z → A, C → A
        handshake = invite(target, source)
        answer = fails_with(
            "ConstraintViolationException",
            source.manager.client.accept_handshake,
            HandshakeId=handshake["Id"],
        )
        assert _limit(answer) == "RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION"
    # A second source under A alone is a chain of 2 again (Y → A → B would be too
    # long, Y → C is not).
    y = world.organization()
    accepted(d, y)


def test_x5_max_level_racing(transfer_world: World) -> None:
    """X5, C8: B → C in force; A → B and C → D accepted at once would make a chain of
    3: exactly one acceptance wins, the other is MAX_LEVEL_VIOLATION (or, when the two
    met in each other's locks, R13's ConcurrentModificationException). Three rounds."""
    world = transfer_world

    def accept(pair: tuple[Org, dict[str, Any]]) -> str:
        source, handshake = pair
        try:
            source.manager.client.accept_handshake(HandshakeId=handshake["Id"])
        except ClientError as error:
            return str(error.response.get("Reason") or error.response["Error"]["Code"])
        return "ACCEPTED"

    for _ in range(3):
        a, b, c, d = _orgs(world, 4)
        accepted(c, b)
        pairs = [(a, invite(b, a)), (c, invite(d, c))]
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(accept, pairs))
        assert outcomes.count("ACCEPTED") == 1, outcomes
        assert set(outcomes) - {"ACCEPTED"} <= {
            "RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION",
            "ConcurrentModificationException",
        }, outcomes


# -- X8: listing -------------------------------------------------------------------------


def test_x8_listings(transfer_world: World) -> None:
    """X8: Inbound lists the transfers the caller's organization manages or is invited
    to manage, Outbound those of its own responsibility, in every Status, by creation
    time then id (L3); Inbound's Id narrows to one, and an Id not among them is
    ResponsibilityTransferNotFound."""
    world = transfer_world
    target = world.organization()
    sources = _orgs(world, 6)
    made: list[str] = []
    handshakes = []
    for step, source in enumerate(sources):
        at(world, NOW + step * MS)  # one millisecond apart: creation order, not ids
        handshakes.append(invite(target, source))
        made.append(transfer_of(handshakes[-1]))
    at(world, NOW + 10 * MS)
    sources[1].manager.client.accept_handshake(HandshakeId=handshakes[1]["Id"])
    sources[2].manager.client.decline_handshake(HandshakeId=handshakes[2]["Id"])
    target.manager.client.cancel_handshake(HandshakeId=handshakes[3]["Id"])
    sources[4].manager.client.accept_handshake(HandshakeId=handshakes[4]["Id"])
    target.manager.client.terminate_responsibility_transfer(Id=made[4])
    own = accepted(sources[5], target)  # the target's own responsibility, outbound
    at(world, START - DAY)  # the last one, still REQUESTED, has expired
    assert inbound(target) == made
    assert [status(target, t) for t in made] == [
        "EXPIRED",
        "ACCEPTED",
        "DECLINED",
        "CANCELED",
        "WITHDRAWN",
        "EXPIRED",
    ]
    assert outbound(target) == [own]
    assert [outbound(source) for source in sources] == [[t] for t in made]
    assert inbound(sources[5]) == [own]
    assert inbound(target, Id=made[3]) == [made[3]]
    elsewhere = accepted(
        world.organization(),
        world.organization(),
        start=datetime(2031, 5, 1, tzinfo=UTC),
    )
    for missing in (own, elsewhere, "rt-abcdefgh12345678"):
        answer = fails_with(
            "ResponsibilityTransferNotFoundException",
            target.manager.client.list_inbound_responsibility_transfers,
            Type="BILLING",
            Id=missing,
        )
        assert answer["Error"]["Message"] == NOT_FOUND


def test_x8_paging(transfer_world: World) -> None:
    """X8, L1–L5: both listings paginate: 20 a page by default, MaxResults 1–20, pages
    never empty, the last without NextToken; tokens bound to the operation, the caller
    and the filters (INVALID_NEXT_TOKEN otherwise); an item made after a page was read
    comes later, once. Many transfers: 25."""
    world = transfer_world
    target = world.organization()
    made = []
    for step, source in enumerate(_orgs(world, 25)):
        at(world, NOW + step * MS)
        made.append(transfer_of(invite(target, source)))
    client = target.manager.client
    listing = client.list_inbound_responsibility_transfers
    assert [len(p) for p in pages(listing, Type="BILLING")] == [20, 5]
    assert [len(p) for p in pages(listing, Type="BILLING", MaxResults=7)] == [
        7,
        7,
        7,
        4,
    ]
    assert inbound(target) == made
    first = listing(Type="BILLING")
    assert [t["Id"] for t in first["ResponsibilityTransfers"]] == made[:20]
    late_source = world.organization()
    at(world, NOW + 100 * MS)
    late = transfer_of(invite(target, late_source))
    rest = listing(Type="BILLING", NextToken=first["NextToken"])
    assert [t["Id"] for t in rest["ResponsibilityTransfers"]] == made[20:] + [late]
    assert "NextToken" not in rest
    token = first["NextToken"]
    for call, params in (
        (client.list_outbound_responsibility_transfers, {}),
        (listing, {"Id": made[0]}),
        (late_source.manager.client.list_inbound_responsibility_transfers, {}),
    ):
        answer = fails_with(
            "InvalidInputException", call, Type="BILLING", NextToken=token, **params
        )
        assert answer["Reason"] == "INVALID_NEXT_TOKEN"
    unchecked = world.client(target.manager, parameter_validation=False)
    for size, reason in ((0, "MIN_VALUE_EXCEEDED"), (21, "MAX_VALUE_EXCEEDED")):
        for operation in (
            unchecked.list_inbound_responsibility_transfers,
            unchecked.list_outbound_responsibility_transfers,
        ):
            answer = fails_with(
                "InvalidInputException", operation, Type="BILLING", MaxResults=size
            )
            assert answer["Reason"] == reason
    answer = fails_with(
        "InvalidInputException",
        unchecked.list_outbound_responsibility_transfers,
        Type="PAYMENTS",
    )
    assert answer["Reason"] == "INVALID_ENUM"
    out_pages = pages(
        late_source.manager.client.list_outbound_responsibility_transfers,
        Type="BILLING",
        MaxResults=1,
    )
    assert [[t["Id"] for t in p] for p in out_pages] == [[late]]


# -- X9: renaming --------------------------------------------------------------------------


def test_x9_update(transfer_world: World) -> None:
    """X9: the management account of either side renames the transfer, one Name for
    both views (DECIDED), REQUESTED or ACCEPTED; the answer is the transfer as the caller
    sees it. DECLINED, CANCELED, EXPIRED and WITHDRAWN ones →
    ConstraintViolation TRANSFER_RESPONSIBILITY_UPDATE_NOT_ALLOWED; another
    organization's → ResponsibilityTransferNotFound."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    handshake = invite(target, source)
    transfer_id = transfer_of(handshake)
    answer = source.manager.client.update_responsibility_transfer(
        Id=transfer_id, Name="Renamed by the source"
    )["ResponsibilityTransfer"]
    assert answer == {**described(source, transfer_id), "Name": "Renamed by the source"}
    assert described(target, transfer_id)["Name"] == "Renamed by the source"
    source.manager.client.accept_handshake(HandshakeId=handshake["Id"])
    target.manager.client.update_responsibility_transfer(Id=transfer_id, Name="n" * 128)
    assert described(source, transfer_id)["Name"] == "n" * 128
    fails_with(
        "ResponsibilityTransferNotFoundException",
        world.organization().manager.client.update_responsibility_transfer,
        Id=transfer_id,
        Name="Mine now",
    )
    answer = fails_with(
        "InvalidInputException",
        world.client(
            target.manager, parameter_validation=False
        ).update_responsibility_transfer,
        Id=transfer_id,
        Name="",
    )
    assert answer["Reason"] == "MIN_LENGTH_EXCEEDED"
    # The Status that may not be renamed: DECLINED, CANCELED, EXPIRED, WITHDRAWN.
    pairs = [(world.organization(), world.organization()) for _ in range(3)]
    declined, canceled, expired = (invite(t, s) for t, s in pairs)
    pairs[0][1].manager.client.decline_handshake(HandshakeId=declined["Id"])
    pairs[1][0].manager.client.cancel_handshake(HandshakeId=canceled["Id"])
    target.manager.client.terminate_responsibility_transfer(Id=transfer_id)
    at(world, START - DAY)  # the third has expired, the others are still shown
    for owner, transfer in (
        (pairs[0][0], transfer_of(declined)),
        (pairs[1][1], transfer_of(canceled)),
        (pairs[2][0], transfer_of(expired)),
        (source, transfer_id),
    ):
        answer = fails_with(
            "ConstraintViolationException",
            owner.manager.client.update_responsibility_transfer,
            Id=transfer,
            Name="Too late",
        )
        assert _limit(answer) == "TRANSFER_RESPONSIBILITY_UPDATE_NOT_ALLOWED"


# -- X10: withdrawing ----------------------------------------------------------------------


def test_x10_terminate(transfer_world: World) -> None:
    """X10: the management account of either side withdraws an ACCEPTED transfer:
    WITHDRAWN, in force until EndTimestamp, by default the last millisecond of the
    current month or of the start's month when that is later; again →
    ResponsibilityTransferAlreadyInStatus; REQUESTED, DECLINED, CANCELED, EXPIRED →
    InvalidResponsibilityTransferTransition; another organization's →
    ResponsibilityTransferNotFound."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    transfer_id = accepted(target, source)
    answer = source.manager.client.terminate_responsibility_transfer(Id=transfer_id)[
        "ResponsibilityTransfer"
    ]
    assert answer == described(source, transfer_id)
    assert answer["Status"] == "WITHDRAWN"
    assert answer["EndTimestamp"] == END_OF_START_MONTH  # the start's month is later
    assert described(target, transfer_id)["EndTimestamp"] == END_OF_START_MONTH
    for side in (target, source):
        answer = fails_with(
            "ResponsibilityTransferAlreadyInStatusException",
            side.manager.client.terminate_responsibility_transfer,
            Id=transfer_id,
        )
        assert answer["Error"]["Message"] == (
            "The responsibility transfer is already in the status that you specified."
        )
    fails_with(
        "ResponsibilityTransferNotFoundException",
        world.organization().manager.client.terminate_responsibility_transfer,
        Id=transfer_id,
    )
    # The current month, when it is later than the start's.
    other_target, other_source = world.organization(), world.organization()
    running = accepted(other_target, other_source)
    at(world, datetime(2031, 6, 15, 8, tzinfo=UTC))
    answer = other_target.manager.client.terminate_responsibility_transfer(Id=running)
    assert answer["ResponsibilityTransfer"]["EndTimestamp"] == datetime(
        2031, 6, 30, 23, 59, 59, 999000, tzinfo=UTC
    )
    # Not accepted: no transition.
    at(world, NOW)
    pairs = [(world.organization(), world.organization()) for _ in range(4)]
    handshakes = [invite(t, s) for t, s in pairs]
    pairs[1][1].manager.client.decline_handshake(HandshakeId=handshakes[1]["Id"])
    pairs[2][0].manager.client.cancel_handshake(HandshakeId=handshakes[2]["Id"])
    at(world, START - DAY)  # all REQUESTED ones have expired now
    fresh_target, fresh_source = world.organization(), world.organization()
    requested = invite(
        fresh_target, fresh_source, start=datetime(2031, 5, 1, tzinfo=UTC)
    )
    for owner, handshake in (
        (fresh_source, requested),
        (pairs[1][0], handshakes[1]),
        (pairs[2][1], handshakes[2]),
        (pairs[3][0], handshakes[3]),
    ):
        answer = fails_with(
            "InvalidResponsibilityTransferTransitionException",
            owner.manager.client.terminate_responsibility_transfer,
            Id=transfer_of(handshake),
        )
        assert answer["Error"]["Message"] == (
            "The responsibility transfer can't transition to the requested state "
            "because it's not in a valid state for this operation."
        )


def test_x10_end_date(transfer_world: World) -> None:
    """X10: an EndTimestamp not at 23:59:59.999 (UTC) on a month's last day →
    END_DATE_NOT_END_OF_MONTH; before now or before the start → END_DATE_TOO_EARLY;
    more than 12 months ahead → END_DATE_TOO_LATE; these come before the transfer is
    looked up (V1 step 6); a good one is stored as given."""
    world = transfer_world
    target, source = world.organization(), world.organization()
    transfer_id = accepted(target, source, start=datetime(2031, 5, 1, tzinfo=UTC))
    client = target.manager.client
    end_of_may = datetime(2031, 5, 31, 23, 59, 59, 999000, tzinfo=UTC)
    cases = [
        (end_of_may - MS, "END_DATE_NOT_END_OF_MONTH"),
        (end_of_may + MS, "END_DATE_NOT_END_OF_MONTH"),
        (
            datetime(2031, 5, 30, 23, 59, 59, 999000, tzinfo=UTC),
            "END_DATE_NOT_END_OF_MONTH",
        ),
        # 23:59:59.999 an hour west of UTC is the 1st of June in UTC.
        (
            datetime.fromisoformat("2031-05-31T23:59:59.999-01:00"),
            "END_DATE_NOT_END_OF_MONTH",
        ),
        (datetime(2031, 2, 28, 23, 59, 59, 999000, tzinfo=UTC), "END_DATE_TOO_EARLY"),
        (datetime(1900, 1, 31, 23, 59, 59, 999000, tzinfo=UTC), "END_DATE_TOO_EARLY"),
        # After now, before the start.
        (END_OF_START_MONTH, "END_DATE_TOO_EARLY"),
        (datetime(2032, 3, 31, 23, 59, 59, 999000, tzinfo=UTC), "END_DATE_TOO_LATE"),
        (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC), "END_DATE_TOO_LATE"),
    ]
    for end, reason in cases:
        answer = fails_with(
            "InvalidInputException",
            client.terminate_responsibility_transfer,
            Id=transfer_id,
            EndTimestamp=end,
        )
        assert (answer["Reason"], answer["Error"]["Message"]) == (
            reason,
            "You provided an invalid end date.",
        ), end
    answer = fails_with(
        "InvalidInputException",
        client.terminate_responsibility_transfer,
        Id="rt-abcdefgh12345678",
        EndTimestamp=end_of_may - MS,
    )
    assert answer["Reason"] == "END_DATE_NOT_END_OF_MONTH"
    assert status(target, transfer_id) == "ACCEPTED"
    last = datetime(2032, 2, 29, 23, 59, 59, 999000, tzinfo=UTC)  # 12 months on: fine
    answer = client.terminate_responsibility_transfer(Id=transfer_id, EndTimestamp=last)
    assert answer["ResponsibilityTransfer"]["EndTimestamp"] == last


# -- X11, C3: what time does ------------------------------------------------------------------


def test_x11_retention(transfer_world: World) -> None:
    """X11, C3: DECLINED, CANCELED and EXPIRED transfers disappear with their handshake,
    30 days after (R7); WITHDRAWN ones 30 days after EndTimestamp; ACCEPTED ones stay.
    Gone: absent from the listings, ResponsibilityTransferNotFound for Describe."""
    world = transfer_world
    target = world.organization()
    sources = _orgs(world, 4)
    handshakes = []
    for step, source in enumerate(sources):
        at(world, NOW + step * MS)
        handshakes.append(invite(target, source))
    made = [transfer_of(h) for h in handshakes]
    at(world, NOW + DAY)
    sources[0].manager.client.decline_handshake(HandshakeId=handshakes[0]["Id"])
    target.manager.client.cancel_handshake(HandshakeId=handshakes[1]["Id"])
    sources[3].manager.client.accept_handshake(HandshakeId=handshakes[3]["Id"])
    withdrawn_target, withdrawn_source = world.organization(), world.organization()
    withdrawn = accepted(withdrawn_target, withdrawn_source)
    withdrawn_target.manager.client.terminate_responsibility_transfer(Id=withdrawn)

    def shown(moment: datetime) -> list[str]:
        at(world, moment)
        return inbound(target)

    answered_gone = NOW + DAY + RETENTION
    expired_gone = START - DAY + RETENTION
    assert shown(answered_gone - MS) == made
    assert shown(answered_gone) == made[2:]
    assert handshakes[0]["Id"] not in [
        h["Id"]
        for h in target.manager.client.list_handshakes_for_organization()["Handshakes"]
    ]
    assert shown(expired_gone - MS) == made[2:]
    assert shown(expired_gone) == made[3:]
    fails_with(
        "ResponsibilityTransferNotFoundException",
        sources[2].manager.client.describe_responsibility_transfer,
        Id=made[2],
    )
    withdrawn_gone = END_OF_START_MONTH + RETENTION
    at(world, withdrawn_gone - MS)
    assert inbound(withdrawn_target) == [withdrawn]
    at(world, withdrawn_gone)
    assert inbound(withdrawn_target) == [] and outbound(withdrawn_source) == []
    fails_with(
        "ResponsibilityTransferNotFoundException",
        withdrawn_source.manager.client.describe_responsibility_transfer,
        Id=withdrawn,
    )
    assert shown(datetime(2036, 1, 1, tzinfo=UTC)) == made[3:]
    assert status(target, made[3]) == "ACCEPTED"
