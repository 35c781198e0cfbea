"""Accounts of an organization (`docs/organizations.md`, A-rules), through real boto3
clients against a real server, on SQLite and PostgreSQL (one server per module and engine;
tests keep apart by using fresh accounts, `World.account()`)."""

from __future__ import annotations

from support.world import World, engine, fails_with, world

__all__ = ["engine", "world"]


def test_a12_describe_account(world: World) -> None:
    """A12: the management account describes any account of its organization, itself
    included, with the same object ListAccounts shows."""
    org = world.organization(members=1)
    member = org.members[0]
    client = org.manager.client
    listed = {a["Id"]: a for a in client.list_accounts()["Accounts"]}
    for account_id in (member.id, org.manager.id):
        described = client.describe_account(AccountId=account_id)["Account"]
        assert described == listed[account_id]
        assert (
            described["Arn"]
            == f"arn:aws:organizations::{org.manager.id}:account/{org.id}/{account_id}"
        )
    assert (
        client.describe_account(AccountId=member.id)["Account"]["JoinedMethod"]
        == "INVITED"
    )


def test_a12_describe_account_outside_the_organization(world: World) -> None:
    """A12, C5: an account of no organization, of another organization, or unknown, is
    AccountNotFound, whatever the reason."""
    org = world.organization()
    other = world.organization()
    outsider = world.account()
    for account_id in (outsider.id, other.manager.id, "999999999999"):
        failure = fails_with(
            "AccountNotFoundException",
            org.manager.client.describe_account,
            AccountId=account_id,
        )
        assert failure["Error"]["Message"].startswith(
            "We can't find an Amazon Web Services account"
        )


def test_a12_describe_account_callers(world: World) -> None:
    """Z1, Z2: a member gets AccessDenied, an account in no organization
    AWSOrganizationsNotInUse; a malformed id is R8's INVALID_PATTERN."""
    org = world.organization(members=1)
    member = org.members[0]
    fails_with(
        "AccessDeniedException",
        member.client.describe_account,
        AccountId=org.manager.id,
    )
    outsider = world.account()
    fails_with(
        "AWSOrganizationsNotInUseException",
        outsider.client.describe_account,
        AccountId=org.manager.id,
    )
    failure = fails_with(
        "InvalidInputException", org.manager.client.describe_account, AccountId="12345"
    )
    assert failure["Reason"] == "INVALID_PATTERN"


def test_h3_inviting_a_current_member(world: World) -> None:
    """H3: inviting an account of the inviting organization (a member, or the
    management account itself) is HandshakeConstraintViolation ALREADY_IN_AN_ORGANIZATION
    at invitation time, and no handshake is created."""
    org = world.organization(members=1)
    member = org.members[0]
    client = org.manager.client
    before = client.list_handshakes_for_organization()["Handshakes"]
    for target in (member.target(), org.manager.target(), member.target("EMAIL")):
        failure = fails_with(
            "HandshakeConstraintViolationException",
            client.invite_account_to_organization,
            Target=target,
        )
        assert failure["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
    assert client.list_handshakes_for_organization()["Handshakes"] == before
