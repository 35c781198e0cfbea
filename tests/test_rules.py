"""The handshake rules R1–R22 (`/work/shared/spec/handshakes.md`), one test (or more) per rule.

Everything goes through the real server (`botogen serve`, the CLI) and real boto3 clients,
one client per account, on both storage engines (SQLite and PostgreSQL). Tests share one
server per module and engine and keep apart by using fresh accounts (`World.account()`);
the tests that need their own flags use their own server: `clock_world` (``--clock-file``,
for R3/R6/R7/R17/R18), `limited_world` (``--account-limit 3``, R12/R19) and
`throttled_world` (``--rate-limit 5``, R14).
"""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support.world import (
    MS,
    RATE_LIMIT,
    SMALL_ACCOUNT_LIMIT,
    UTC,
    Actor,
    Org,
    World,
    all_pages,
    clock_world,
    describe,
    engine,
    fails_with,
    limited_world,
    received,
    sent,
    serving,
    throttled_world,
    world,
)

__all__ = ["clock_world", "engine", "limited_world", "throttled_world", "world"]

HANDSHAKE_ID = re.compile(r"h-[0-9a-z]{32}")
ORGANIZATION_ID = re.compile(r"o-[0-9a-z]{10}")
#: Every member of the model's Handshake shape: a handshake carries all of them.
HANDSHAKE_KEYS = {
    "Id",
    "Arn",
    "Parties",
    "State",
    "RequestedTimestamp",
    "ExpirationTimestamp",
    "Action",
    "Resources",
}
DAY = timedelta(days=1)
INVITE_LIFETIME = timedelta(days=15)
ALL_FEATURES_LIFETIME = timedelta(days=90)
RETENTION = timedelta(days=30)

ACCESS_DENIED = "You don't have permissions to access this resource."
#: InvalidInputException's Message for a Reason: AWS's sentence, nothing more (C6, R8).
INVALID_PATTERN = "You provided a value that does not match the required pattern."
INPUT_REQUIRED = "You must include a value for all required parameters."
MAX_LENGTH_EXCEEDED = "You provided a string parameter that is longer than allowed."
CONCURRENT = (
    "AWS Organizations can't complete your request because it conflicts with another "
    "attempt to modify the same entity. Try again later."
)
TOO_MANY_REQUESTS = (
    "You have sent too many requests in too short a period of time. Try again later."
)


def at(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> datetime:
    """An instant in UTC (for the business clock)."""
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def organization_resource(org: Org) -> dict[str, Any]:
    """The ORGANIZATION resource of an invitation (R4)."""
    return {
        "Type": "ORGANIZATION",
        "Value": org.id,
        "Resources": [
            {"Type": "MASTER_EMAIL", "Value": org.manager.email},
            {"Type": "MASTER_NAME", "Value": org.manager.name},
        ],
    }


def approval_for(member: Actor) -> dict[str, Any]:
    """The one APPROVE_ALL_FEATURES handshake ``member`` has received."""
    children = list(
        received(member, Filter={"ActionType": "APPROVE_ALL_FEATURES"}).values()
    )
    assert len(children) == 1, children
    return children[0]


def names_handshake_and_state(
    response: dict[str, Any], handshake_id: str, state: str
) -> None:
    message = response["Error"]["Message"]
    assert handshake_id in message, message
    assert state in message, message


# -- R1 Accounts ----------------------------------------------------------------------------


def test_r1_accounts_are_those_the_server_knows(world: World) -> None:
    """R1: the server knows a set of accounts (id, email, name, credentials); an account is
    standalone, the management account of one organization, or a member of one."""
    loner = world.account()
    fails_with("AWSOrganizationsNotInUseException", loner.client.describe_organization)

    org = world.organization(members=1)
    member = org.members[0]
    for actor in (org.manager, member):
        organization = actor.client.describe_organization()["Organization"]
        assert organization["Id"] == org.id
        assert organization["MasterAccountId"] == org.manager.id
        assert organization["MasterAccountEmail"] == org.manager.email

    accounts = {a["Id"]: a for a in org.manager.client.list_accounts()["Accounts"]}
    assert set(accounts) == {org.manager.id, member.id}
    for actor in (org.manager, member):
        assert accounts[actor.id]["Name"] == actor.name
        assert accounts[actor.id]["Email"] == actor.email

    # Credentials identify the caller: an unknown key or a wrong secret gets nowhere.
    unknown = world.client_for_keys(
        "AKIATESTNOBODY", "nobody-secret", retries={"total_max_attempts": 1}
    )
    fails_with("UnrecognizedClientException", unknown.list_handshakes_for_account)
    impostor = world.client_for_keys(
        loner.access_key_id, "not-the-secret", retries={"total_max_attempts": 1}
    )
    fails_with("InvalidSignatureException", impostor.list_handshakes_for_account)


# -- R2 Organization ------------------------------------------------------------------------


def test_r2_create_organization(world: World) -> None:
    """R2: CreateOrganization by a standalone account makes it the management account of a
    new organization `o-` + 10 lowercase letters/digits, FeatureSet ALL by default or
    CONSOLIDATED_BILLING; an account already in one gets AlreadyInOrganizationException.
    """
    first, second, third = world.accounts(3)

    created = first.client.create_organization()["Organization"]
    assert ORGANIZATION_ID.fullmatch(created["Id"]), created["Id"]
    assert created["FeatureSet"] == "ALL"
    assert created["MasterAccountId"] == first.id
    assert created["MasterAccountEmail"] == first.email
    assert (
        created["Arn"]
        == f"arn:aws:organizations::{first.id}:organization/{created['Id']}"
    )
    assert first.client.describe_organization()["Organization"]["Id"] == created["Id"]

    billing = second.client.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    assert billing["Organization"]["FeatureSet"] == "CONSOLIDATED_BILLING"
    assert ORGANIZATION_ID.fullmatch(billing["Organization"]["Id"])
    assert billing["Organization"]["Id"] != created["Id"]
    described = second.client.describe_organization()["Organization"]
    assert described["FeatureSet"] == "CONSOLIDATED_BILLING"

    explicit = third.client.create_organization(FeatureSet="ALL")["Organization"]
    assert explicit["FeatureSet"] == "ALL"

    # Already a management account, or already a member: no second organization.
    fails_with("AlreadyInOrganizationException", first.client.create_organization)
    org = world.organization(members=1)
    fails_with(
        "AlreadyInOrganizationException",
        org.members[0].client.create_organization,
        FeatureSet="ALL",
    )
    assert first.client.describe_organization()["Organization"]["Id"] == created["Id"]


# -- R3 Handshake record --------------------------------------------------------------------


def test_r3_handshake_ids_arns_lifetimes_and_timestamps(clock_world: World) -> None:
    """R3: id `h-` + 32 lowercase letters/digits; ARN
    arn:aws:organizations::<management>:handshake/<org>/<action lowercased>/<id>;
    expiration = creation + 15 days (INVITE) or 90 days (ENABLE_ALL_FEATURES,
    APPROVE_ALL_FEATURES); millisecond precision; responding changes only State."""
    world = clock_world
    start = world.clock.set(at(2031, 5, 6, 7, 8, 9, 123000))
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    member = org.members[0]
    susan = world.account()

    invite = world.invite(org, susan)
    assert HANDSHAKE_ID.fullmatch(invite["Id"]), invite["Id"]
    assert invite["Arn"] == (
        f"arn:aws:organizations::{org.manager.id}:handshake/{org.id}/invite/{invite['Id']}"
    )
    assert invite["Action"] == "INVITE"
    assert invite["RequestedTimestamp"] == start
    assert invite["ExpirationTimestamp"] == start + INVITE_LIFETIME

    # Responding later changes the State and nothing else, timestamps included.
    world.clock.set(start + 2 * DAY + 7 * MS)
    declined = susan.client.decline_handshake(HandshakeId=invite["Id"])["Handshake"]
    assert declined == {**invite, "State": "DECLINED"}
    assert describe(susan, invite["Id"]) == declined

    migration = world.clock.set(start + 3 * DAY + 456 * MS)
    parent = org.manager.client.enable_all_features()["Handshake"]
    assert HANDSHAKE_ID.fullmatch(parent["Id"]), parent["Id"]
    assert parent["Arn"] == (
        f"arn:aws:organizations::{org.manager.id}:handshake/{org.id}"
        f"/enable_all_features/{parent['Id']}"
    )
    assert parent["Action"] == "ENABLE_ALL_FEATURES"
    assert parent["RequestedTimestamp"] == migration
    assert parent["ExpirationTimestamp"] == migration + ALL_FEATURES_LIFETIME

    child = approval_for(member)
    assert HANDSHAKE_ID.fullmatch(child["Id"]), child["Id"]
    assert child["Id"] != parent["Id"]
    assert child["Arn"] == (
        f"arn:aws:organizations::{org.manager.id}:handshake/{org.id}"
        f"/approve_all_features/{child['Id']}"
    )
    assert child["RequestedTimestamp"] == migration
    assert child["ExpirationTimestamp"] == migration + ALL_FEATURES_LIFETIME

    world.clock.set(migration + DAY)
    accepted = member.client.accept_handshake(HandshakeId=child["Id"])["Handshake"]
    assert accepted == {**child, "State": "ACCEPTED"}

    # A clock finer than a millisecond: the record keeps milliseconds.
    fine = world.clock.set(start + 5 * DAY + timedelta(microseconds=987654))
    other = world.invite(world.organization(), world.account())
    assert other["RequestedTimestamp"].microsecond % 1000 == 0
    assert abs(other["RequestedTimestamp"] - fine) < MS
    assert other["ExpirationTimestamp"] - other["RequestedTimestamp"] == INVITE_LIFETIME


def test_r3_wall_clock_timestamps_have_millisecond_precision(world: World) -> None:
    """R3: RequestedTimestamp is the creation instant (here the wall clock), with
    millisecond precision; ExpirationTimestamp is exactly 15 days later for an INVITE.
    """
    org = world.organization()
    targets = world.accounts(3)
    for target in targets:
        now = datetime.now(UTC)
        before = now.replace(microsecond=now.microsecond // 1000 * 1000)
        invite = world.invite(org, target)
        after = datetime.now(UTC)
        requested = invite["RequestedTimestamp"]
        assert before <= requested <= after, (before, requested, after)
        assert requested.microsecond % 1000 == 0, requested
        assert invite["ExpirationTimestamp"] - requested == INVITE_LIFETIME
        assert HANDSHAKE_ID.fullmatch(invite["Id"])
    ids = [h["Id"] for h in sent(org).values()]
    assert len(ids) == len(set(ids)) == len(targets)


# -- R4 Invite document ---------------------------------------------------------------------


def test_r4_invite_document_field_for_field(world: World) -> None:
    """R4: Parties = [recipient {Id: account id or email, Type: ACCOUNT|EMAIL}, sender
    {Id: org, Type: ORGANIZATION}]; Resources = [ORGANIZATION with MASTER_EMAIL and
    MASTER_NAME, the target ACCOUNT|EMAIL, NOTES only when notes were given]."""
    org = world.organization()
    susan, juan, diego = world.accounts(3)
    notes = "This is an invitation to Susan's account to join the organization."

    with_notes = world.invite(org, susan, notes=notes)
    assert set(with_notes) == HANDSHAKE_KEYS
    assert with_notes["Action"] == "INVITE"
    assert with_notes["Parties"] == [
        {"Id": susan.id, "Type": "ACCOUNT"},
        {"Id": org.id, "Type": "ORGANIZATION"},
    ]
    assert with_notes["Resources"] == [
        organization_resource(org),
        {"Type": "ACCOUNT", "Value": susan.id},
        {"Type": "NOTES", "Value": notes},
    ]

    without_notes = world.invite(org, juan)
    assert set(without_notes) == HANDSHAKE_KEYS
    assert without_notes["Parties"] == [
        {"Id": juan.id, "Type": "ACCOUNT"},
        {"Id": org.id, "Type": "ORGANIZATION"},
    ]
    assert without_notes["Resources"] == [
        organization_resource(org),
        {"Type": "ACCOUNT", "Value": juan.id},
    ]

    by_email = world.invite(org, diego, by="EMAIL", notes="hi")
    assert by_email["Parties"] == [
        {"Id": diego.email, "Type": "EMAIL"},
        {"Id": org.id, "Type": "ORGANIZATION"},
    ]
    assert by_email["Resources"] == [
        organization_resource(org),
        {"Type": "EMAIL", "Value": diego.email},
        {"Type": "NOTES", "Value": "hi"},
    ]

    # The same document wherever the handshake is read.
    assert describe(susan, with_notes["Id"]) == with_notes
    assert describe(org.manager, with_notes["Id"]) == with_notes
    assert received(susan)[with_notes["Id"]] == with_notes
    assert received(diego)[by_email["Id"]] == by_email
    listed = sent(org)
    for handshake in (with_notes, without_notes, by_email):
        assert listed[handshake["Id"]] == handshake


# -- R5 Pending states ----------------------------------------------------------------------


def test_r5_states_at_creation_per_action(world: World) -> None:
    """R5: an INVITE is created OPEN; ENABLE_ALL_FEATURES is created REQUESTED; each
    APPROVE_ALL_FEATURES child is created OPEN. Pending = REQUESTED or OPEN."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=2)
    susan = world.account()

    invite = world.invite(org, susan)
    assert invite["State"] == "OPEN"
    assert describe(susan, invite["Id"])["State"] == "OPEN"
    # OPEN is pending: it can still be answered.
    assert (
        susan.client.decline_handshake(HandshakeId=invite["Id"])["Handshake"]["State"]
        == "DECLINED"
    )

    parent = org.manager.client.enable_all_features()["Handshake"]
    assert parent["State"] == "REQUESTED"
    assert describe(org.manager, parent["Id"])["State"] == "REQUESTED"
    for member in org.members:
        child = approval_for(member)
        assert child["Action"] == "APPROVE_ALL_FEATURES"
        assert child["State"] == "OPEN"

    # REQUESTED is pending too: the management account can still cancel it (R15).
    canceled = org.manager.client.cancel_handshake(HandshakeId=parent["Id"])[
        "Handshake"
    ]
    assert canceled["State"] == "CANCELED"


def test_r5_enable_all_features_with_no_approver_starts_open(world: World) -> None:
    """R5, DECIDED: with no member that joined by invitation nobody has to approve, so the
    ENABLE_ALL_FEATURES handshake starts OPEN and the management account finalises it.
    """
    org = world.organization(feature_set="CONSOLIDATED_BILLING")
    parent = org.manager.client.enable_all_features()["Handshake"]
    assert parent["State"] == "OPEN"
    assert not received(org.manager, Filter={"ActionType": "APPROVE_ALL_FEATURES"})
    accepted = org.manager.client.accept_handshake(HandshakeId=parent["Id"])
    assert accepted["Handshake"]["State"] == "ACCEPTED"
    described = org.manager.client.describe_organization()["Organization"]
    assert described["FeatureSet"] == "ALL"


# -- R6 Expiry ------------------------------------------------------------------------------


def test_r6_pending_handshake_expires_when_its_time_has_passed(
    clock_world: World,
) -> None:
    """R6: a pending handshake whose ExpirationTimestamp has passed is EXPIRED, evaluated
    whenever it is read or changed, and persisted."""
    world = clock_world
    start = world.clock.set(at(2032, 1, 10, 12, 0, 0))
    org = world.organization()
    susan, juan = world.accounts(2)
    read_first = world.invite(org, susan)
    changed_first = world.invite(org, juan)
    expires = read_first["ExpirationTimestamp"]
    assert expires == start + INVITE_LIFETIME

    world.clock.set(expires - MS)
    assert describe(susan, read_first["Id"])["State"] == "OPEN"
    assert received(susan)[read_first["Id"]]["State"] == "OPEN"

    world.clock.set(expires + MS)
    # Read: every view says EXPIRED, and nothing else changed.
    assert describe(susan, read_first["Id"]) == {**read_first, "State": "EXPIRED"}
    assert describe(org.manager, read_first["Id"])["State"] == "EXPIRED"
    assert received(susan)[read_first["Id"]]["State"] == "EXPIRED"
    assert sent(org)[read_first["Id"]]["State"] == "EXPIRED"
    # Changed: an expired handshake cannot be answered (R11, R15, R16).
    for response in (
        fails_with(
            "InvalidHandshakeTransitionException",
            susan.client.decline_handshake,
            HandshakeId=read_first["Id"],
        ),
        fails_with(
            "InvalidHandshakeTransitionException",
            susan.client.accept_handshake,
            HandshakeId=read_first["Id"],
        ),
        fails_with(
            "InvalidHandshakeTransitionException",
            org.manager.client.cancel_handshake,
            HandshakeId=read_first["Id"],
        ),
    ):
        names_handshake_and_state(response, read_first["Id"], "EXPIRED")

    # Checks run caller → expiry: the sender declining it is still AccessDenied.
    fails_with(
        "AccessDeniedException",
        org.manager.client.decline_handshake,
        HandshakeId=read_first["Id"],
    )
    # The first touch after expiry is a change: still EXPIRED, not DECLINED.
    response = fails_with(
        "InvalidHandshakeTransitionException",
        juan.client.decline_handshake,
        HandshakeId=changed_first["Id"],
    )
    names_handshake_and_state(response, changed_first["Id"], "EXPIRED")
    assert describe(juan, changed_first["Id"])["State"] == "EXPIRED"
    fails_with("AWSOrganizationsNotInUseException", susan.client.describe_organization)

    # Persisted: turning the clock back does not reopen them.
    world.clock.set(start + DAY)
    assert describe(susan, read_first["Id"])["State"] == "EXPIRED"
    assert describe(juan, changed_first["Id"])["State"] == "EXPIRED"


# -- R7 Retention ---------------------------------------------------------------------------


def _gone(org: Org, recipient: Actor, handshake_id: str) -> None:
    """Absent from every list; HandshakeNotFound for Describe/Accept/Decline/Cancel."""
    assert handshake_id not in received(recipient)
    assert handshake_id not in sent(org)
    for actor in (recipient, org.manager):
        fails_with(
            "HandshakeNotFoundException",
            actor.client.describe_handshake,
            HandshakeId=handshake_id,
        )
    for call in (recipient.client.accept_handshake, recipient.client.decline_handshake):
        fails_with("HandshakeNotFoundException", call, HandshakeId=handshake_id)
    fails_with(
        "HandshakeNotFoundException",
        org.manager.client.cancel_handshake,
        HandshakeId=handshake_id,
    )


def _still_there(org: Org, recipient: Actor, handshake_id: str, state: str) -> None:
    assert received(recipient)[handshake_id]["State"] == state
    assert sent(org)[handshake_id]["State"] == state
    assert describe(recipient, handshake_id)["State"] == state


def test_r7_terminal_handshakes_disappear_30_days_after_entering_their_state(
    clock_world: World,
) -> None:
    """R7: a terminal handshake disappears 30 days after it entered that state: absent from
    every list, HandshakeNotFoundException for Describe/Accept/Decline/Cancel. (An expired
    handshake entered EXPIRED at its ExpirationTimestamp.)"""
    world = clock_world
    start = world.clock.set(at(2033, 3, 1, 0, 0, 0))
    org = world.organization()
    decliner, cancelee, sleeper, accepter = world.accounts(4)
    declined = world.invite(org, decliner)["Id"]
    canceled = world.invite(org, cancelee)["Id"]
    expired = world.invite(org, sleeper)["Id"]
    accepted = world.invite(org, accepter)["Id"]

    world.clock.set(start + DAY)
    decliner.client.decline_handshake(HandshakeId=declined)
    world.clock.set(start + 2 * DAY)
    org.manager.client.cancel_handshake(HandshakeId=canceled)
    world.clock.set(start + 3 * DAY)
    accepter.client.accept_handshake(HandshakeId=accepted)

    world.clock.set(start + DAY + RETENTION - MS)
    _still_there(org, decliner, declined, "DECLINED")
    world.clock.set(start + DAY + RETENTION + MS)
    _gone(org, decliner, declined)
    _still_there(org, cancelee, canceled, "CANCELED")

    world.clock.set(start + 2 * DAY + RETENTION + MS)
    _gone(org, cancelee, canceled)
    _still_there(org, accepter, accepted, "ACCEPTED")

    world.clock.set(start + 3 * DAY + RETENTION + MS)
    assert accepted not in received(accepter)
    assert accepted not in sent(org)
    fails_with(
        "HandshakeNotFoundException",
        accepter.client.describe_handshake,
        HandshakeId=accepted,
    )
    # The membership it created stays.
    assert accepter.client.describe_organization()["Organization"]["Id"] == org.id

    expires = start + INVITE_LIFETIME
    world.clock.set(expires + RETENTION - MS)
    _still_there(org, sleeper, expired, "EXPIRED")
    world.clock.set(expires + RETENTION + MS)
    _gone(org, sleeper, expired)


# -- R8 Input -------------------------------------------------------------------------------


def test_r8_decline_input_validation(world: World) -> None:
    """R8: HandshakeId missing → InvalidInput INPUT_REQUIRED; longer than 34 →
    MAX_LENGTH_EXCEEDED; not matching ^h-[0-9a-z]{8,32}$ → INVALID_PATTERN. The Message is
    AWS's sentence for the Reason and nothing more (organizations.md C6): "You provided a
    value that does not match the required pattern."; the member and the constraint go to
    the server's log line for the request."""
    caller = world.account()
    client = world.client(caller, parameter_validation=False)

    missing = fails_with("InvalidInputException", client.decline_handshake)
    assert missing["Reason"] == "INPUT_REQUIRED"
    assert missing["Error"]["Message"] == INPUT_REQUIRED

    too_long = fails_with(
        "InvalidInputException", client.decline_handshake, HandshakeId="h-" + "a" * 33
    )
    assert too_long["Reason"] == "MAX_LENGTH_EXCEEDED"
    assert too_long["Error"]["Message"] == MAX_LENGTH_EXCEEDED
    # Length is checked before the pattern, also when both fail.
    both = fails_with(
        "InvalidInputException", client.decline_handshake, HandshakeId="X" * 40
    )
    assert both["Reason"] == "MAX_LENGTH_EXCEEDED"

    for bad in (
        "h-ABCDEFGH",  # upper case
        "h-abc1234",  # 7 characters after h-
        "x-abcdefgh",  # wrong prefix
        "h-abcd_efgh",  # not a letter or digit
        "h-abcdefgh\n",  # `$` is the end of input, not "before a final newline"
        "",
        " h-abcdefgh",
        "h-\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668",  # Arabic-Indic digits
    ):
        response = fails_with(
            "InvalidInputException", client.decline_handshake, HandshakeId=bad
        )
        assert response["Reason"] == "INVALID_PATTERN", (bad, response)
        assert response["Error"]["Message"] == INVALID_PATTERN, response

    # Which member failed, and why, is in the server's log, not in the answer.
    log = world.server.log_text()
    assert "HandshakeId: Member must satisfy regular expression pattern" in log
    assert "HandshakeId: Member must not be null" in log

    # Valid input (34 characters, the maximum) passes validation and reaches visibility.
    fails_with(
        "HandshakeNotFoundException",
        client.decline_handshake,
        HandshakeId="h-" + "a" * 32,
    )
    fails_with(
        "HandshakeNotFoundException", client.decline_handshake, HandshakeId="h-abcd1234"
    )

    # The same generic mapping answers for the other handshake operations.
    for operation in (
        client.accept_handshake,
        client.cancel_handshake,
        client.describe_handshake,
    ):
        response = fails_with(
            "InvalidInputException", operation, HandshakeId="h-NOPE0000"
        )
        assert response["Reason"] == "INVALID_PATTERN"
        assert response["Error"]["Message"] == INVALID_PATTERN
        assert (
            fails_with("InvalidInputException", operation)["Reason"] == "INPUT_REQUIRED"
        )


# -- R9 Visibility --------------------------------------------------------------------------


def test_r9_unknown_or_someone_elses_handshake_is_not_found(world: World) -> None:
    """R9 (decided): an unknown, purged or someone else's handshake →
    HandshakeNotFoundException; an account that is not a party learns nothing, not even
    that the id exists."""
    org = world.organization()
    susan, stranger = world.accounts(2)
    elsewhere = world.organization(members=1)
    handshake = world.invite(org, susan)["Id"]
    unknown = "h-" + "0" * 32

    baseline = fails_with(
        "HandshakeNotFoundException",
        stranger.client.decline_handshake,
        HandshakeId=unknown,
    )
    baseline_message = baseline["Error"]["Message"].replace(unknown, "<id>")
    for outsider in (stranger, elsewhere.manager, elsewhere.members[0]):
        for call in (
            outsider.client.decline_handshake,
            outsider.client.accept_handshake,
            outsider.client.cancel_handshake,
            outsider.client.describe_handshake,
        ):
            response = fails_with(
                "HandshakeNotFoundException", call, HandshakeId=handshake
            )
            # The same answer as for an id that does not exist.
            message = response["Error"]["Message"].replace(handshake, "<id>")
            assert message == baseline_message
            assert set(response) == set(baseline)
        assert handshake not in received(outsider)

    # Nothing happened to it.
    assert describe(susan, handshake)["State"] == "OPEN"


# -- R10 Only the recipient declines ---------------------------------------------------------


def test_r10_only_the_recipient_declines(world: World) -> None:
    """R10: the recipient is the ACCOUNT party with the caller's id or the EMAIL party with
    the caller's email; the sender's management account → AccessDeniedException "You don't
    have permissions to access this resource."; an ENABLE_ALL_FEATURES parent cannot be
    declined by anyone → AccessDeniedException."""
    org = world.organization()
    susan, diego = world.accounts(2)
    by_account = world.invite(org, susan)
    by_email = world.invite(org, diego, by="EMAIL")

    for handshake in (by_account, by_email):
        denied = fails_with(
            "AccessDeniedException",
            org.manager.client.decline_handshake,
            HandshakeId=handshake["Id"],
        )
        assert denied["Error"]["Message"] == ACCESS_DENIED
        assert describe(org.manager, handshake["Id"])["State"] == "OPEN"

    declined = susan.client.decline_handshake(HandshakeId=by_account["Id"])
    assert declined["Handshake"] == {**by_account, "State": "DECLINED"}
    # Checks run visibility → caller → state: once declined, the sender still gets
    # AccessDenied (not HandshakeAlreadyInState), an outsider HandshakeNotFound.
    denied = fails_with(
        "AccessDeniedException",
        org.manager.client.decline_handshake,
        HandshakeId=by_account["Id"],
    )
    assert denied["Error"]["Message"] == ACCESS_DENIED
    fails_with(
        "HandshakeNotFoundException",
        world.account().client.decline_handshake,
        HandshakeId=by_account["Id"],
    )
    # The EMAIL party is the account whose email it names.
    assert received(diego)[by_email["Id"]] == by_email
    assert diego.client.decline_handshake(HandshakeId=by_email["Id"])["Handshake"] == {
        **by_email,
        "State": "DECLINED",
    }

    migrating = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    parent = migrating.manager.client.enable_all_features()["Handshake"]
    denied = fails_with(
        "AccessDeniedException",
        migrating.manager.client.decline_handshake,
        HandshakeId=parent["Id"],
    )
    assert denied["Error"]["Message"] == ACCESS_DENIED
    assert describe(migrating.manager, parent["Id"])["State"] == "REQUESTED"


# -- R11 Transition -------------------------------------------------------------------------


def test_r11_decline_transitions(world: World) -> None:
    """R11: pending → DECLINED, response {"Handshake": <after the change>}; DECLINED →
    HandshakeAlreadyInStateException; ACCEPTED, CANCELED (or EXPIRED, see R6) →
    InvalidHandshakeTransitionException; messages name the handshake and its state."""
    org = world.organization()
    susan, juan, diego = world.accounts(3)
    open_one = world.invite(org, susan)
    to_accept = world.invite(org, juan)
    to_cancel = world.invite(org, diego)

    response = susan.client.decline_handshake(HandshakeId=open_one["Id"])
    assert set(response) == {"Handshake", "ResponseMetadata"}
    assert response["Handshake"] == {**open_one, "State": "DECLINED"}
    assert describe(susan, open_one["Id"]) == response["Handshake"]

    again = fails_with(
        "HandshakeAlreadyInStateException",
        susan.client.decline_handshake,
        HandshakeId=open_one["Id"],
    )
    names_handshake_and_state(again, open_one["Id"], "DECLINED")

    juan.client.accept_handshake(HandshakeId=to_accept["Id"])
    after_accept = fails_with(
        "InvalidHandshakeTransitionException",
        juan.client.decline_handshake,
        HandshakeId=to_accept["Id"],
    )
    names_handshake_and_state(after_accept, to_accept["Id"], "ACCEPTED")
    assert describe(juan, to_accept["Id"])["State"] == "ACCEPTED"

    org.manager.client.cancel_handshake(HandshakeId=to_cancel["Id"])
    after_cancel = fails_with(
        "InvalidHandshakeTransitionException",
        diego.client.decline_handshake,
        HandshakeId=to_cancel["Id"],
    )
    names_handshake_and_state(after_cancel, to_cancel["Id"], "CANCELED")
    assert describe(diego, to_cancel["Id"])["State"] == "CANCELED"


# -- R12 Side effects of a decline -----------------------------------------------------------


def test_r12_decline_creates_no_membership_and_is_never_reopened(world: World) -> None:
    """R12: a declined INVITE creates no membership; the sender sees it DECLINED in
    ListHandshakesForOrganization, the recipient in ListHandshakesForAccount; it is never
    reopened, and the sender may invite again."""
    org = world.organization()
    susan = world.account()
    first = world.invite(org, susan)
    susan.client.decline_handshake(HandshakeId=first["Id"])

    fails_with("AWSOrganizationsNotInUseException", susan.client.describe_organization)
    accounts = org.manager.client.list_accounts()["Accounts"]
    assert [a["Id"] for a in accounts] == [org.manager.id]
    assert sent(org)[first["Id"]]["State"] == "DECLINED"
    assert received(susan)[first["Id"]]["State"] == "DECLINED"

    fails_with(
        "InvalidHandshakeTransitionException",
        susan.client.accept_handshake,
        HandshakeId=first["Id"],
    )
    fails_with(
        "InvalidHandshakeTransitionException",
        org.manager.client.cancel_handshake,
        HandshakeId=first["Id"],
    )

    second = world.invite(org, susan)
    assert second["Id"] != first["Id"]
    assert second["State"] == "OPEN"
    assert describe(susan, first["Id"])["State"] == "DECLINED"
    assert {first["Id"], second["Id"]} <= set(received(susan))
    fails_with("AWSOrganizationsNotInUseException", susan.client.describe_organization)


def test_r12_decline_frees_the_account_limit_slot(limited_world: World) -> None:
    """R12 + R19: a declined INVITE frees its place in the organization's account limit."""
    world = limited_world
    org = world.organization()
    invited: list[tuple[Actor, dict[str, Any]]] = []
    for _ in range(SMALL_ACCOUNT_LIMIT + 1):
        target = world.account()
        try:
            invited.append((target, world.invite(org, target)))
        except ClientError as error:
            assert error.response["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
            break
    else:
        raise AssertionError("the account limit never stopped an invitation")
    full = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=world.account().target(),
    )
    assert full["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"

    decliner, handshake = invited[0]
    decliner.client.decline_handshake(HandshakeId=handshake["Id"])
    assert world.invite(org, world.account())["State"] == "OPEN"
    again = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=world.account().target(),
    )
    assert again["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"


def test_r12_declined_invitations_still_count_against_the_daily_quota(
    world: World,
) -> None:
    """R12 + R18: a declined INVITE still counts against the daily invitation quota."""
    org = world.organization()
    susan = world.account()
    for _ in range(20):
        handshake = world.invite(org, susan)
        susan.client.decline_handshake(HandshakeId=handshake["Id"])
    over = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=susan.target(),
    )
    assert over["Reason"] == "HANDSHAKE_RATE_LIMIT_EXCEEDED"
    declined = [h for h in sent(org).values() if h["State"] == "DECLINED"]
    assert len(declined) == 20
    # The quota is per organization: another one may still invite her.
    assert world.invite(world.organization(), susan)["State"] == "OPEN"


def test_r12_declined_approval_leaves_the_parent_requested(world: World) -> None:
    """R12: a declined APPROVE_ALL_FEATURES child leaves its parent REQUESTED (finalising
    needs every child accepted)."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=2)
    first, second = org.members
    parent = org.manager.client.enable_all_features()["Handshake"]

    child = approval_for(first)
    declined = first.client.decline_handshake(HandshakeId=child["Id"])["Handshake"]
    assert declined == {**child, "State": "DECLINED"}
    assert describe(org.manager, parent["Id"])["State"] == "REQUESTED"

    second.client.accept_handshake(HandshakeId=approval_for(second)["Id"])
    assert describe(org.manager, parent["Id"])["State"] == "REQUESTED"
    assert describe(first, child["Id"])["State"] == "DECLINED"
    organization = org.manager.client.describe_organization()["Organization"]
    assert organization["FeatureSet"] == "CONSOLIDATED_BILLING"


# -- R13 Atomic -----------------------------------------------------------------------------


def test_r13_a_second_answer_gets_the_answer_for_the_state_it_finds(
    world: World,
) -> None:
    """R13 (sequential): once one transition won, every later Accept/Decline/Cancel gets
    the R11/R15/R16 answer for the state it finds."""
    org = world.organization()
    susan, juan, diego = world.accounts(3)

    declined = world.invite(org, susan)["Id"]
    susan.client.decline_handshake(HandshakeId=declined)
    fails_with(
        "InvalidHandshakeTransitionException",
        susan.client.accept_handshake,
        HandshakeId=declined,
    )
    fails_with(
        "InvalidHandshakeTransitionException",
        org.manager.client.cancel_handshake,
        HandshakeId=declined,
    )
    fails_with(
        "HandshakeAlreadyInStateException",
        susan.client.decline_handshake,
        HandshakeId=declined,
    )

    canceled = world.invite(org, juan)["Id"]
    org.manager.client.cancel_handshake(HandshakeId=canceled)
    twice = fails_with(
        "HandshakeAlreadyInStateException",
        org.manager.client.cancel_handshake,
        HandshakeId=canceled,
    )
    names_handshake_and_state(twice, canceled, "CANCELED")
    fails_with(
        "InvalidHandshakeTransitionException",
        juan.client.accept_handshake,
        HandshakeId=canceled,
    )
    fails_with(
        "InvalidHandshakeTransitionException",
        juan.client.decline_handshake,
        HandshakeId=canceled,
    )

    accepted = world.invite(org, diego)["Id"]
    diego.client.accept_handshake(HandshakeId=accepted)
    fails_with(
        "InvalidHandshakeTransitionException",
        diego.client.decline_handshake,
        HandshakeId=accepted,
    )
    fails_with(
        "InvalidHandshakeTransitionException",
        org.manager.client.cancel_handshake,
        HandshakeId=accepted,
    )

    assert {h["Id"]: h["State"] for h in sent(org).values()} == {
        declined: "DECLINED",
        canceled: "CANCELED",
        accepted: "ACCEPTED",
    }


def _expected_loser(operation: str, final_state: str) -> str:
    """The error a call gets that finds the handshake already in ``final_state``."""
    mine = {"decline": "DECLINED", "cancel": "CANCELED", "accept": "ACCEPTED"}[
        operation
    ]
    if final_state == mine:
        return "HandshakeAlreadyInStateException"
    return "InvalidHandshakeTransitionException"


def test_r13_racing_answers_exactly_one_transition_wins(world: World) -> None:
    """R13: Accept, Decline and Cancel on one handshake are serialised: exactly one
    transition wins, every other call gets the answer for the state it finds (or, only
    where a transaction truly cannot complete, ConcurrentModificationException)."""
    org = world.organization()
    for _ in range(4):
        target = world.account()
        handshake = world.invite(org, target)["Id"]
        calls = {
            "accept-1": ("accept", world.client(target).accept_handshake),
            "decline-1": ("decline", world.client(target).decline_handshake),
            "decline-2": ("decline", world.client(target).decline_handshake),
            "cancel-1": ("cancel", world.client(org.manager).cancel_handshake),
            "cancel-2": ("cancel", world.client(org.manager).cancel_handshake),
        }
        barrier = threading.Barrier(len(calls))
        outcomes: dict[str, Any] = {}

        def answer(name: str, call: Any) -> None:
            barrier.wait()
            try:
                outcomes[name] = call(HandshakeId=handshake)["Handshake"]["State"]
            except ClientError as error:
                outcomes[name] = error.response["Error"]

        threads = [
            threading.Thread(target=answer, args=(name, call))
            for name, (_, call) in calls.items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        winners = {
            name: state for name, state in outcomes.items() if isinstance(state, str)
        }
        assert len(winners) == 1, outcomes
        final = describe(target, handshake)["State"]
        assert list(winners.values()) == [final], (outcomes, final)
        for name, (operation, _) in calls.items():
            if name in winners:
                continue
            error = outcomes[name]
            if error["Code"] == "ConcurrentModificationException":
                assert error["Message"] == CONCURRENT
                continue
            assert error["Code"] == _expected_loser(operation, final), (name, outcomes)
        joined = final == "ACCEPTED"
        members = {a["Id"] for a in org.manager.client.list_accounts()["Accounts"]}
        assert (target.id in members) == joined


# -- R14 Throttling -------------------------------------------------------------------------


def test_r14_too_many_requests_per_account(throttled_world: World) -> None:
    """R14: a per-account request rate limit (--rate-limit); past it
    TooManyRequestsException "You have sent too many requests in too short a period of
    time. Try again later.", which botocore retries; other accounts are unaffected."""
    world = throttled_world
    busy, calm, polite = world.accounts(3)

    # Within the limit nothing is refused.
    for _ in range(RATE_LIMIT - 2):
        polite.client.list_handshakes_for_account()

    throttled: list[dict[str, Any]] = []
    for _ in range(6 * RATE_LIMIT):
        try:
            busy.client.list_handshakes_for_account()
        except ClientError as error:
            throttled.append(error.response)
    assert throttled, "a burst of requests was never throttled"
    for response in throttled:
        assert response["Error"]["Code"] == "TooManyRequestsException"
        assert response["Error"]["Message"] == TOO_MANY_REQUESTS
    # Another account is not affected by the busy one.
    assert calm.client.list_handshakes_for_account()["Handshakes"] == []

    # botocore (standard retry mode, its default) retries the throttled call until it passes.
    retrying = world.client(busy, retries={"mode": "standard", "max_attempts": 10})
    retried = False
    for _ in range(3):
        for _ in range(3 * RATE_LIMIT):
            try:
                busy.client.list_handshakes_for_account()
            except ClientError:
                break
        response = retrying.list_handshakes_for_account()
        assert response["Handshakes"] == []
        if response["ResponseMetadata"]["RetryAttempts"] > 0:
            retried = True
            break
    assert retried, "botocore never had to retry a throttled call"


# -- R15 CancelHandshake --------------------------------------------------------------------


def test_r15_cancel_handshake(world: World) -> None:
    """R15: only the sender's management account cancels; pending → CANCELED; CANCELED →
    HandshakeAlreadyInState; other terminal → InvalidHandshakeTransition; the recipient →
    AccessDenied; others → R9 (HandshakeNotFound)."""
    org = world.organization()
    susan, juan, diego, stranger = world.accounts(4)
    to_cancel = world.invite(org, susan)

    denied = fails_with(
        "AccessDeniedException",
        susan.client.cancel_handshake,
        HandshakeId=to_cancel["Id"],
    )
    assert denied["Error"]["Message"] == ACCESS_DENIED
    fails_with(
        "HandshakeNotFoundException",
        stranger.client.cancel_handshake,
        HandshakeId=to_cancel["Id"],
    )
    assert describe(susan, to_cancel["Id"])["State"] == "OPEN"

    canceled = org.manager.client.cancel_handshake(HandshakeId=to_cancel["Id"])
    assert set(canceled) == {"Handshake", "ResponseMetadata"}
    assert canceled["Handshake"] == {**to_cancel, "State": "CANCELED"}
    assert received(susan)[to_cancel["Id"]]["State"] == "CANCELED"
    assert sent(org)[to_cancel["Id"]]["State"] == "CANCELED"

    again = fails_with(
        "HandshakeAlreadyInStateException",
        org.manager.client.cancel_handshake,
        HandshakeId=to_cancel["Id"],
    )
    names_handshake_and_state(again, to_cancel["Id"], "CANCELED")

    accepted = world.invite(org, juan)["Id"]
    juan.client.accept_handshake(HandshakeId=accepted)
    response = fails_with(
        "InvalidHandshakeTransitionException",
        org.manager.client.cancel_handshake,
        HandshakeId=accepted,
    )
    names_handshake_and_state(response, accepted, "ACCEPTED")

    declined = world.invite(org, diego)["Id"]
    diego.client.decline_handshake(HandshakeId=declined)
    response = fails_with(
        "InvalidHandshakeTransitionException",
        org.manager.client.cancel_handshake,
        HandshakeId=declined,
    )
    names_handshake_and_state(response, declined, "DECLINED")


# -- R16 AcceptHandshake --------------------------------------------------------------------


def test_r15_canceling_the_parent_cancels_its_pending_approvals(world: World) -> None:
    """R15, DECIDED: canceling an ENABLE_ALL_FEATURES handshake cancels its still-pending
    APPROVE_ALL_FEATURES children in the same transaction; an accepted one stays."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=2)
    parent = org.manager.client.enable_all_features()["Handshake"]
    first, second = (approval_for(member) for member in org.members)
    org.members[0].client.accept_handshake(HandshakeId=first["Id"])
    org.manager.client.cancel_handshake(HandshakeId=parent["Id"])
    assert describe(org.members[0], first["Id"])["State"] == "ACCEPTED"
    assert describe(org.members[1], second["Id"])["State"] == "CANCELED"
    fails_with(  # R11: accepting what is canceled is no transition
        "InvalidHandshakeTransitionException",
        org.members[1].client.accept_handshake,
        HandshakeId=second["Id"],
    )


def test_r16_accepting_an_invitation_makes_a_member(world: World) -> None:
    """R16: only the recipient accepts; pending → ACCEPTED; the account becomes a member
    (ListAccounts, DescribeOrganization from it); an account already in an organization →
    HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION."""
    org = world.organization()
    other = world.organization()
    susan = world.account()
    invitation = world.invite(org, susan, notes="welcome")
    competing = world.invite(other, susan)

    fails_with(
        "AccessDeniedException",
        org.manager.client.accept_handshake,
        HandshakeId=invitation["Id"],
    )
    accepted = susan.client.accept_handshake(HandshakeId=invitation["Id"])
    assert set(accepted) == {"Handshake", "ResponseMetadata"}
    assert accepted["Handshake"] == {**invitation, "State": "ACCEPTED"}

    organization = susan.client.describe_organization()["Organization"]
    assert organization["Id"] == org.id
    assert organization["MasterAccountId"] == org.manager.id
    accounts = {a["Id"]: a for a in org.manager.client.list_accounts()["Accounts"]}
    assert set(accounts) == {org.manager.id, susan.id}
    assert accounts[susan.id]["JoinedMethod"] == "INVITED"
    assert accounts[susan.id]["Email"] == susan.email

    # Already in an organization: the second invitation cannot be accepted.
    refused = fails_with(
        "HandshakeConstraintViolationException",
        susan.client.accept_handshake,
        HandshakeId=competing["Id"],
    )
    assert refused["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
    assert susan.client.describe_organization()["Organization"]["Id"] == org.id
    assert [a["Id"] for a in other.manager.client.list_accounts()["Accounts"]] == [
        other.manager.id
    ]

    # An invitation by email is accepted by the account with that email.
    diego = world.account()
    by_email = world.invite(org, diego, by="EMAIL")
    accepted = diego.client.accept_handshake(HandshakeId=by_email["Id"])
    assert accepted["Handshake"] == {**by_email, "State": "ACCEPTED"}
    assert diego.client.describe_organization()["Organization"]["Id"] == org.id

    # A management account (of an organization without members) is in an organization too.
    lonely = world.organization()
    invitation = world.invite(org, lonely.manager)
    refused = fails_with(
        "HandshakeConstraintViolationException",
        lonely.manager.client.accept_handshake,
        HandshakeId=invitation["Id"],
    )
    assert refused["Reason"] == "ALREADY_IN_AN_ORGANIZATION"


def test_r16_accepting_every_approval_completes_the_migration(world: World) -> None:
    """R16: accepting the last APPROVE_ALL_FEATURES child makes the parent OPEN; the
    management account accepting the OPEN parent → ACCEPTED and the feature set becomes
    ALL."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=2)
    first, second = org.members
    parent = org.manager.client.enable_all_features()["Handshake"]

    first.client.accept_handshake(HandshakeId=approval_for(first)["Id"])
    assert describe(org.manager, parent["Id"])["State"] == "REQUESTED"
    second.client.accept_handshake(HandshakeId=approval_for(second)["Id"])
    assert describe(org.manager, parent["Id"])["State"] == "OPEN"
    assert org.manager.client.describe_organization()["Organization"]["FeatureSet"] == (
        "CONSOLIDATED_BILLING"
    )

    finished = org.manager.client.accept_handshake(HandshakeId=parent["Id"])[
        "Handshake"
    ]
    assert finished["State"] == "ACCEPTED"
    assert finished["Id"] == parent["Id"]
    for actor in (org.manager, first, second):
        assert (
            actor.client.describe_organization()["Organization"]["FeatureSet"] == "ALL"
        )


# -- R17 InviteAccountToOrganization ----------------------------------------------------------


def test_r16_finalising_waits_for_every_approval(world: World) -> None:
    """R16, DECIDED: the management account cannot accept an ENABLE_ALL_FEATURES handshake
    that is still REQUESTED; once the last approval is accepted it can."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=2)
    parent = org.manager.client.enable_all_features()["Handshake"]
    org.members[0].client.accept_handshake(
        HandshakeId=approval_for(org.members[0])["Id"]
    )
    error = fails_with(
        "InvalidHandshakeTransitionException",
        org.manager.client.accept_handshake,
        HandshakeId=parent["Id"],
    )
    assert error["Error"]["Message"] == (
        f"You can't accept the handshake {parent['Id']} because it is in the "
        "REQUESTED state: every member must approve all features first."
    )
    assert describe(org.manager, parent["Id"])["State"] == "REQUESTED"
    org.members[1].client.accept_handshake(
        HandshakeId=approval_for(org.members[1])["Id"]
    )
    assert describe(org.manager, parent["Id"])["State"] == "OPEN"
    accepted = org.manager.client.accept_handshake(HandshakeId=parent["Id"])
    assert accepted["Handshake"]["State"] == "ACCEPTED"


def test_r17_who_may_invite_and_whom(world: World) -> None:
    """R17: only the management account invites; target ACCOUNT or EMAIL, ORGANIZATION →
    InvalidInput INVALID_PARTY_TYPE_TARGET; a pending handshake with the same action and
    target → DuplicateHandshakeException; after a decline or cancel a new invite is
    allowed."""
    org = world.organization(members=1)
    susan, juan, loner = world.accounts(3)

    fails_with(
        "AccessDeniedException",
        org.members[0].client.invite_account_to_organization,
        Target=susan.target(),
    )
    fails_with(
        "AWSOrganizationsNotInUseException",
        loner.client.invite_account_to_organization,
        Target=susan.target(),
    )
    wrong = fails_with(
        "InvalidInputException",
        org.manager.client.invite_account_to_organization,
        Target={"Type": "ORGANIZATION", "Id": org.id},
    )
    assert wrong["Reason"] == "INVALID_PARTY_TYPE_TARGET"

    first = world.invite(org, susan)
    fails_with(
        "DuplicateHandshakeException",
        org.manager.client.invite_account_to_organization,
        Target=susan.target(),
    )
    by_email = world.invite(org, juan, by="EMAIL")
    fails_with(
        "DuplicateHandshakeException",
        org.manager.client.invite_account_to_organization,
        Target=juan.target("EMAIL"),
        Notes="different notes do not make it a different invitation",
    )

    susan.client.decline_handshake(HandshakeId=first["Id"])
    after_decline = world.invite(org, susan)
    assert after_decline["State"] == "OPEN" and after_decline["Id"] != first["Id"]

    org.manager.client.cancel_handshake(HandshakeId=by_email["Id"])
    after_cancel = world.invite(org, juan, by="EMAIL")
    assert after_cancel["State"] == "OPEN" and after_cancel["Id"] != by_email["Id"]

    # No handshake was created by the refused calls.
    assert len(sent(org)) == 1 + 4  # the member's own invitation, and these four


def test_r17_an_account_target_is_twelve_ascii_digits(world: World) -> None:
    """R17: an ACCOUNT target is an account id, 12 digits as the model's AccountId
    pattern means them (`\\d` is ASCII only): anything else, twelve Arabic-Indic or
    full-width digits included, is InvalidInput INVALID_PATTERN (R8's answer), and no
    handshake is created."""
    org = world.organization()
    for bad in (
        "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661",
        "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10\uff11\uff12",
        "12345678901",
        "1234567890123",
        "12345678901a",
        "123456789012\n",
    ):
        response = fails_with(
            "InvalidInputException",
            org.manager.client.invite_account_to_organization,
            Target={"Type": "ACCOUNT", "Id": bad},
        )
        assert response["Reason"] == "INVALID_PATTERN", (bad, response)
        assert response["Error"]["Message"] == INVALID_PATTERN
    assert sent(org) == {}


@pytest.mark.parametrize(
    "address", ["susan.example.com", "@example.com", "susan@localhost", "susan@"]
)
def test_r17_step_3_an_email_target_needs_a_local_part_and_a_dotted_domain(
    world: World, address: str
) -> None:
    """R17 step 3 (DECIDED): INVALID_EMAIL_ADDRESS_TARGET with its sentence; nothing is
    sent. Accepted addresses are kept in lower case."""
    org = world.organization()
    error = fails_with(
        "InvalidInputException",
        org.manager.client.invite_account_to_organization,
        Target={"Id": address, "Type": "EMAIL"},
    )
    assert error["Reason"] == "INVALID_EMAIL_ADDRESS_TARGET"
    assert error["Error"]["Message"] == (
        "You specified an invalid email address for the invited account owner."
    )
    assert not sent(org)
    handshake = org.manager.client.invite_account_to_organization(
        Target={"Id": "Someone.New@Example.COM", "Type": "EMAIL"}
    )["Handshake"]
    emails = [r["Value"] for r in handshake["Resources"] if r["Type"] == "EMAIL"]
    assert emails == ["someone.new@example.com"]


def test_r17_step_5_no_invitation_while_all_features_are_being_enabled(
    world: World,
) -> None:
    """R17 step 5 (DECIDED): while an ENABLE_ALL_FEATURES handshake is pending,
    INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES; once it is canceled, inviting works."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    parent = org.manager.client.enable_all_features()["Handshake"]
    susan = world.account()
    error = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=susan.target(),
    )
    assert error["Reason"] == "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES"
    org.manager.client.cancel_handshake(HandshakeId=parent["Id"])
    assert world.invite(org, susan)["State"] == "OPEN"


def test_r17_a_new_invitation_after_expiry(clock_world: World) -> None:
    """R17: after expiry (R6) a new invitation to the same target is allowed."""
    world = clock_world
    start = world.clock.set(at(2034, 7, 1, 8, 0, 0))
    org = world.organization()
    susan = world.account()
    first = world.invite(org, susan)
    world.clock.set(start + DAY)
    fails_with(
        "DuplicateHandshakeException",
        org.manager.client.invite_account_to_organization,
        Target=susan.target(),
    )
    world.clock.set(start + INVITE_LIFETIME + MS)
    second = world.invite(org, susan)
    assert second["State"] == "OPEN"
    assert second["RequestedTimestamp"] == start + INVITE_LIFETIME + MS
    assert describe(susan, first["Id"])["State"] == "EXPIRED"


def test_r17_management_account_with_members_cannot_see_or_answer_invitations(
    world: World,
) -> None:
    """R17: a management account of an organization that has members cannot see or answer
    invitations (ListHandshakesForAccount omits them, Accept/Decline → R9)."""
    inviter = world.organization()
    busy = world.organization(members=1)
    idle = world.organization()
    hidden = world.invite(inviter, busy.manager)["Id"]
    visible = world.invite(inviter, idle.manager)["Id"]

    assert hidden not in received(busy.manager)
    for call in (
        busy.manager.client.accept_handshake,
        busy.manager.client.decline_handshake,
        busy.manager.client.describe_handshake,
    ):
        fails_with("HandshakeNotFoundException", call, HandshakeId=hidden)
    assert sent(inviter)[hidden]["State"] == "OPEN"

    # Without members, a management account sees and may answer an invitation.
    assert visible in received(idle.manager)
    declined = idle.manager.client.decline_handshake(HandshakeId=visible)["Handshake"]
    assert declined["State"] == "DECLINED"


def test_r17_tags_attach_on_acceptance_only(world: World) -> None:
    """R17: tags in the invitation attach to the account on acceptance only."""
    org = world.organization()
    susan, juan = world.accounts(2)
    tags = [{"Key": "team", "Value": "blue"}, {"Key": "cost-centre", "Value": ""}]

    def tags_of(account: Actor) -> list[dict[str, str]] | None:
        """The account's tags, or None while it is not in the organization."""
        try:
            listed = org.manager.client.list_tags_for_resource(ResourceId=account.id)
        except ClientError as error:
            assert error.response["Error"]["Code"] in (
                "TargetNotFoundException",
                "AccountNotFoundException",
            ), error.response["Error"]
            return None
        return sorted(listed["Tags"], key=lambda t: t["Key"])

    accepted = world.invite(org, susan, tags=tags)
    declined = world.invite(org, juan, tags=tags)
    assert "Tags" not in accepted
    assert tags_of(susan) in (None, [])

    susan.client.accept_handshake(HandshakeId=accepted["Id"])
    juan.client.decline_handshake(HandshakeId=declined["Id"])
    assert tags_of(susan) == sorted(tags, key=lambda t: t["Key"])
    assert tags_of(juan) in (None, [])


# -- R18 Daily quota ------------------------------------------------------------------------


def test_r18_twenty_invitations_per_rolling_24_hours(clock_world: World) -> None:
    """R18: at most 20 invitations per organization per rolling 24 hours, declined and
    canceled ones included → HandshakeConstraintViolationException
    HANDSHAKE_RATE_LIMIT_EXCEEDED."""
    world = clock_world
    start = world.clock.set(at(2035, 2, 3, 4, 5, 6))
    org = world.organization()
    susan = world.account()

    for _ in range(10):  # ten at the start, canceled
        org.manager.client.cancel_handshake(HandshakeId=world.invite(org, susan)["Id"])
    world.clock.set(start + timedelta(hours=12))
    for _ in range(10):  # ten twelve hours later, declined
        susan.client.decline_handshake(HandshakeId=world.invite(org, susan)["Id"])

    over = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=susan.target(),
    )
    assert over["Reason"] == "HANDSHAKE_RATE_LIMIT_EXCEEDED"
    world.clock.set(start + DAY - MS)
    over = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=susan.target(),
    )
    assert over["Reason"] == "HANDSHAKE_RATE_LIMIT_EXCEEDED"

    # Rolling: once the first ten are more than 24 hours old, ten more are allowed.
    world.clock.set(start + DAY + MS)
    another = world.account()
    for _ in range(5):
        susan.client.decline_handshake(HandshakeId=world.invite(org, susan)["Id"])
    for _ in range(5):
        org.manager.client.cancel_handshake(
            HandshakeId=world.invite(org, another)["Id"]
        )
    over = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=another.target(),
    )
    assert over["Reason"] == "HANDSHAKE_RATE_LIMIT_EXCEEDED"
    assert len(sent(org)) == 30


def test_r18_the_quota_is_a_setting(tmp_path: Path) -> None:
    """R18 (organizations.md M7): the daily quota is the `daily_invitations` setting,
    from --config FILE or --daily-invitations (the command line wins)."""
    config = tmp_path / "settings.json"
    config.write_text(json.dumps({"daily_invitations": 5, "account_limit": 50}))
    flags = ("--config", str(config), "--daily-invitations", "2")
    with serving(tmp_path, "sqlite", *flags) as world:
        org = world.organization()
        for target in world.accounts(2):
            world.invite(org, target)
        over = fails_with(
            "HandshakeConstraintViolationException",
            org.manager.client.invite_account_to_organization,
            Target=world.account().target(),
        )
        assert over["Reason"] == "HANDSHAKE_RATE_LIMIT_EXCEEDED"
        assert "2 invitations" in over["Error"]["Message"]


# -- R19 Account limit ----------------------------------------------------------------------


def _capacity(world: World) -> tuple[Org, list[tuple[Actor, str]]]:
    """A fresh organization filled with pending invitations up to its account limit."""
    org = world.organization()
    invited: list[tuple[Actor, str]] = []
    for _ in range(20):
        target = world.account()
        try:
            invited.append((target, world.invite(org, target)["Id"]))
        except ClientError as error:
            assert (
                error.response["Error"]["Code"]
                == "HandshakeConstraintViolationException"
            )
            assert error.response["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
            return org, invited
    raise AssertionError("20 pending invitations and no account limit reached")


def test_r19_account_limit(limited_world: World, world: World) -> None:
    """R19: the organization's accounts (the management account included, H5) plus
    pending invitations may not exceed the organization's account limit
    (--account-limit, default 10) → ACCOUNT_NUMBER_LIMIT_EXCEEDED. Accepted
    invitations keep their place (now as members); declined and canceled ones free it.
    """
    org, invited = _capacity(limited_world)
    # The management account takes a place (organizations.md H5, doubt 7 settled).
    assert len(invited) == SMALL_ACCOUNT_LIMIT - 1, invited

    def refused() -> None:
        response = fails_with(
            "HandshakeConstraintViolationException",
            org.manager.client.invite_account_to_organization,
            Target=limited_world.account().target(),
        )
        assert response["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"

    (member, joined), (canceled_one, canceled), *_ = invited
    member.client.accept_handshake(HandshakeId=joined)
    refused()  # a member holds the place its invitation held

    org.manager.client.cancel_handshake(HandshakeId=canceled)
    limited_world.invite(org, limited_world.account())
    refused()

    # The default limit is 10: the same organization shape holds seven more.
    _, default_invited = _capacity(world)
    assert len(default_invited) - len(invited) == 10 - SMALL_ACCOUNT_LIMIT


def test_r19_expired_invitations_free_their_place(clock_world: World) -> None:
    """R19 + R6: an invitation past its expiry is no longer pending, so it no longer takes
    a place in the account limit (even if nobody has read it since it expired)."""
    world = clock_world
    start = world.clock.set(at(2036, 4, 5, 6, 7, 8))
    org, invited = _capacity(world)
    world.clock.set(start + INVITE_LIFETIME + MS)
    fresh = world.invite(org, world.account())
    assert fresh["State"] == "OPEN"
    assert describe(invited[0][0], invited[0][1])["State"] == "EXPIRED"


# -- R20 EnableAllFeatures ------------------------------------------------------------------


def test_r20_enable_all_features(world: World) -> None:
    """R20: the management account of a CONSOLIDATED_BILLING organization creates the
    REQUESTED parent and an OPEN APPROVE_ALL_FEATURES child (Resources carry
    PARENT_HANDSHAKE) for every member that joined by invitation; pending INVITEs are
    canceled; already ALL → ORGANIZATION_ALREADY_HAS_ALL_FEATURES; already pending →
    ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=2)
    pending_target = world.account()
    pending = world.invite(org, pending_target)["Id"]

    fails_with("AccessDeniedException", org.members[0].client.enable_all_features)
    response = org.manager.client.enable_all_features()
    assert set(response) == {"Handshake", "ResponseMetadata"}
    parent = response["Handshake"]
    assert set(parent) == HANDSHAKE_KEYS
    assert parent["Action"] == "ENABLE_ALL_FEATURES"
    assert parent["State"] == "REQUESTED"
    assert parent["Parties"] == [org.party]
    assert parent["Resources"] == [{"Type": "ORGANIZATION", "Value": org.id}]

    children = {}
    for member in org.members:
        child = approval_for(member)
        children[child["Id"]] = child
        assert child["State"] == "OPEN"
        assert child["Action"] == "APPROVE_ALL_FEATURES"
        assert {"Id": member.id, "Type": "ACCOUNT"} in child["Parties"]
        assert {"Type": "PARENT_HANDSHAKE", "Value": parent["Id"]} in child["Resources"]
    assert len(children) == 2
    assert set(sent(org, Filter={"ParentHandshakeId": parent["Id"]})) == set(children)
    assert received(pending_target).get(pending, {}).get("State") == "CANCELED"
    assert not received(pending_target, Filter={"ActionType": "APPROVE_ALL_FEATURES"})

    again = fails_with(
        "HandshakeConstraintViolationException", org.manager.client.enable_all_features
    )
    assert again["Reason"] == "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION"

    already = world.organization(feature_set="ALL")
    done = fails_with(
        "HandshakeConstraintViolationException",
        already.manager.client.enable_all_features,
    )
    assert done["Reason"] == "ORGANIZATION_ALREADY_HAS_ALL_FEATURES"


def test_r20_expired_invitations_are_not_canceled(clock_world: World) -> None:
    """R20 + R6: EnableAllFeatures cancels the pending INVITEs; one already past its
    expiry is EXPIRED, not CANCELED (expiry is evaluated whenever a handshake changes).
    """
    world = clock_world
    start = world.clock.set(at(2037, 8, 9, 10, 11, 12))
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    old_target, new_target = world.accounts(2)
    old = world.invite(org, old_target)["Id"]
    world.clock.set(start + 10 * DAY)
    new = world.invite(org, new_target)["Id"]
    world.clock.set(start + INVITE_LIFETIME + MS)
    org.manager.client.enable_all_features()
    assert describe(old_target, old)["State"] == "EXPIRED"
    assert describe(new_target, new)["State"] == "CANCELED"


def test_r20_only_members_that_joined_by_invitation_approve(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """R20: an APPROVE_ALL_FEATURES child goes to every member that joined by invitation,
    and only to those (a seeded member with JoinedMethod CREATED gets none)."""
    people = [
        {
            "id": f"80000000000{n}",
            "name": name,
            "email": f"{name.lower()}@seeded.example.com",
            "access_key_id": f"AKIATESTSEEDED{n}",
            "secret_access_key": f"test-secret-seeded-{n}",
        }
        for n, name in enumerate(["Manager", "Invited", "Created"], start=1)
    ]
    manager, invited, created = people
    seed = {
        "accounts": people,
        "organizations": [
            {
                "id": "o-seeded0001",
                "management_account_id": manager["id"],
                "feature_set": "CONSOLIDATED_BILLING",
                "created": "2030-01-01T00:00:00Z",
                "members": [
                    {
                        "account_id": invited["id"],
                        "joined_method": "INVITED",
                        "joined": "2030-01-02T00:00:00Z",
                    },
                    {
                        "account_id": created["id"],
                        "joined_method": "CREATED",
                        "joined": "2030-01-03T00:00:00Z",
                    },
                ],
            }
        ],
        "handshakes": [],
    }
    folder = tmp_path_factory.mktemp(f"seeded-{engine}")
    (folder / "seed.json").write_text(json.dumps(seed))
    with serving(folder, engine, "--seed", str(folder / "seed.json")) as seeded:
        clients = {p["id"]: seeded.client(Actor(**p)) for p in people}
        listed = clients[manager["id"]].list_accounts()["Accounts"]
        joined = {a["Id"]: a["JoinedMethod"] for a in listed}
        assert set(joined) == {manager["id"], invited["id"], created["id"]}
        assert joined[invited["id"]] == "INVITED"
        assert joined[created["id"]] == "CREATED"
        parent = clients[manager["id"]].enable_all_features()["Handshake"]
        children = clients[manager["id"]].list_handshakes_for_organization(
            Filter={"ParentHandshakeId": parent["Id"]}
        )["Handshakes"]
        assert len(children) == 1, children
        assert {"Id": invited["id"], "Type": "ACCOUNT"} in children[0]["Parties"]
        assert clients[created["id"]].list_handshakes_for_account()["Handshakes"] == []
        # With its only approval accepted, the parent is OPEN (R16).
        clients[invited["id"]].accept_handshake(HandshakeId=children[0]["Id"])
        state = clients[manager["id"]].describe_handshake(HandshakeId=parent["Id"])
        assert state["Handshake"]["State"] == "OPEN"


# -- R21 DescribeHandshake ------------------------------------------------------------------


def test_r21_describe_handshake_visibility(world: World) -> None:
    """R21: the recipient, or any account of the sender's organization, may describe a
    handshake; anyone else → R9."""
    org = world.organization(members=2)
    other = world.organization(members=1)
    susan, stranger = world.accounts(2)
    handshake = world.invite(org, susan, notes="see R21")

    for insider in (susan, org.manager, *org.members):
        assert describe(insider, handshake["Id"]) == handshake
    for outsider in (stranger, other.manager, other.members[0]):
        fails_with(
            "HandshakeNotFoundException",
            outsider.client.describe_handshake,
            HandshakeId=handshake["Id"],
        )


# -- R22 ListHandshakesForAccount / ListHandshakesForOrganization ----------------------------


def test_r22_lists_hold_received_and_sent_handshakes(world: World) -> None:
    """R22: ListHandshakesForAccount lists the handshakes an account received;
    ListHandshakesForOrganization those its organization sent, management account only
    (a member → AccessDenied, an account in no organization →
    AWSOrganizationsNotInUseException)."""
    first = world.organization(members=1)
    second = world.organization()
    susan, loner = world.accounts(2)
    from_first = world.invite(first, susan)["Id"]
    from_second = world.invite(second, susan)["Id"]

    assert set(received(susan)) == {from_first, from_second}
    assert set(received(loner)) == set()
    assert received(first.manager) == {}  # it sent, it did not receive
    assert set(received(first.members[0])) == {
        h["Id"]
        for h in sent(first).values()
        if h["Parties"][0]["Id"] == first.members[0].id
    }
    first_sent = sent(first)
    assert from_first in first_sent and from_second not in first_sent
    assert len(first_sent) == 2  # the member's invitation and susan's
    assert set(sent(second)) == {from_second}

    denied = fails_with(
        "AccessDeniedException",
        first.members[0].client.list_handshakes_for_organization,
    )
    assert denied["Error"]["Message"] == ACCESS_DENIED
    fails_with(
        "AWSOrganizationsNotInUseException",
        loner.client.list_handshakes_for_organization,
    )
    fails_with(
        "AWSOrganizationsNotInUseException",
        susan.client.list_handshakes_for_organization,
    )


def test_r22_filters(world: World) -> None:
    """R22: filter by ActionType or ParentHandshakeId, not both (InvalidInput
    MAX_LIMIT_EXCEEDED_FILTER)."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=2)
    pending = world.invite(org, world.account())["Id"]
    invites = set(sent(org))
    parent = org.manager.client.enable_all_features()["Handshake"]["Id"]
    children = {approval_for(member)["Id"] for member in org.members}

    assert set(sent(org, Filter={"ActionType": "INVITE"})) == invites
    assert pending in invites and len(invites) == 3
    assert set(sent(org, Filter={"ActionType": "ENABLE_ALL_FEATURES"})) == {parent}
    assert set(sent(org, Filter={"ActionType": "APPROVE_ALL_FEATURES"})) == children
    assert set(sent(org, Filter={"ParentHandshakeId": parent})) == children
    assert set(sent(org, Filter={"ParentHandshakeId": "h-" + "0" * 32})) == set()

    member = org.members[0]
    own_child = approval_for(member)["Id"]
    assert set(received(member, Filter={"ParentHandshakeId": parent})) == {own_child}
    invited = received(member, Filter={"ActionType": "INVITE"})
    assert [h["State"] for h in invited.values()] == ["ACCEPTED"]
    assert set(received(member)) == {own_child, *invited}

    both = {"ActionType": "APPROVE_ALL_FEATURES", "ParentHandshakeId": parent}
    for call in (
        org.manager.client.list_handshakes_for_organization,
        member.client.list_handshakes_for_account,
    ):
        response = fails_with("InvalidInputException", call, Filter=both)
        assert response["Reason"] == "MAX_LIMIT_EXCEEDED_FILTER"


def test_r22_paging_never_skips_or_repeats(world: World) -> None:
    """R22: MaxResults 1–20; NextToken pages in a stable order, so that paging never skips
    or repeats an item (even when handshakes change or arrive meanwhile)."""
    org = world.organization()
    susan = world.account()
    for _ in range(6):
        org.manager.client.cancel_handshake(HandshakeId=world.invite(org, susan)["Id"])
    last = world.invite(org, susan)["Id"]
    everything = set(sent(org))
    assert len(everything) == 7 and everything == set(received(susan))

    unchecked = world.client(org.manager, parameter_validation=False)
    small = fails_with(
        "InvalidInputException",
        unchecked.list_handshakes_for_organization,
        MaxResults=0,
    )
    assert small["Reason"] == "MIN_VALUE_EXCEEDED"
    large = fails_with(
        "InvalidInputException",
        unchecked.list_handshakes_for_organization,
        MaxResults=21,
    )
    assert large["Reason"] == "MAX_VALUE_EXCEEDED"
    assert (
        len(
            org.manager.client.list_handshakes_for_organization(MaxResults=20)[
                "Handshakes"
            ]
        )
        == 7
    )

    for size in (1, 2, 3, 7, 20):
        for call in (
            org.manager.client.list_handshakes_for_organization,
            susan.client.list_handshakes_for_account,
        ):
            pages = []
            token = None
            while True:
                page = call(MaxResults=size, **({"NextToken": token} if token else {}))
                assert len(page["Handshakes"]) <= size
                pages.append([h["Id"] for h in page["Handshakes"]])
                token = page.get("NextToken")
                if not token:
                    break
                assert len(pages) <= 8, pages
            order = [i for page in pages for i in page]
            assert len(order) == len(set(order)) == 7, pages
            assert set(order) == everything
            # The order is stable: the same pages again.
            assert order == [h["Id"] for h in all_pages(call, MaxResults=size)]

    # Paging while the list changes: the seven are still each seen exactly once.
    for size in (1, 2, 3):
        seen: list[str] = []
        page = org.manager.client.list_handshakes_for_organization(MaxResults=size)
        seen += [h["Id"] for h in page["Handshakes"]]
        world.invite(org, world.account())  # a new handshake arrives
        if size == 2:
            org.manager.client.cancel_handshake(HandshakeId=last)  # one changes state
        while page.get("NextToken"):
            page = org.manager.client.list_handshakes_for_organization(
                MaxResults=size, NextToken=page["NextToken"]
            )
            seen += [h["Id"] for h in page["Handshakes"]]
        assert len(seen) == len(set(seen)), seen
        assert everything <= set(seen), everything - set(seen)


def test_r22_next_token_is_tamper_evident(world: World) -> None:
    """R22: NextToken is opaque and tamper-evident: a forged or foreign token →
    InvalidInput INVALID_NEXT_TOKEN."""
    org = world.organization()
    other = world.organization()
    susan, juan = world.accounts(2)
    for _ in range(3):
        org.manager.client.cancel_handshake(HandshakeId=world.invite(org, susan)["Id"])
        other.manager.client.cancel_handshake(
            HandshakeId=world.invite(other, juan)["Id"]
        )

    account_token = susan.client.list_handshakes_for_account(MaxResults=1)["NextToken"]
    org_token = org.manager.client.list_handshakes_for_organization(MaxResults=1)[
        "NextToken"
    ]
    middle = len(account_token) // 2
    flipped = (
        account_token[:middle]
        + ("A" if account_token[middle] != "A" else "B")
        + account_token[middle + 1 :]
    )

    def invalid(call: Any, token: str) -> None:
        response = fails_with(
            "InvalidInputException", call, MaxResults=1, NextToken=token
        )
        assert response["Reason"] == "INVALID_NEXT_TOKEN", response

    for forged in ("garbage", "0", flipped, account_token + "x", "x" * 200):
        invalid(susan.client.list_handshakes_for_account, forged)
    invalid(juan.client.list_handshakes_for_account, account_token)  # someone else's
    invalid(
        other.manager.client.list_handshakes_for_organization, org_token
    )  # another org
    invalid(
        org.manager.client.list_handshakes_for_account, org_token
    )  # another operation

    # The genuine tokens still work for their owners.
    assert susan.client.list_handshakes_for_account(
        MaxResults=1, NextToken=account_token
    )["Handshakes"]
    assert org.manager.client.list_handshakes_for_organization(
        MaxResults=1, NextToken=org_token
    )["Handshakes"]
