"""Creating accounts (`docs/organizations.md`: A2–A11, H5, H6, M1, M2, Z1–Z3), through
real boto3 clients against real servers, on SQLite and PostgreSQL.

Two servers per engine: the shared `world` (no creation delay, wall clock) and
`delayed`, whose creations complete an hour after they are requested on a business clock
the tests set, with a small account limit and provisionable accounts (M2)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
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
    open_store,
    serving,
    world,
)

__all__ = ["engine", "world"]

#: `delayed`: creation takes an hour (M1), the organization holds 7 accounts (H5).
DELAY = timedelta(hours=1)
DELAYED_LIMIT = 7
#: Provisionable entries of `delayed` (M2): created by CreateAccount with their email.
PROVISIONABLE: list[dict[str, Any]] = [
    {
        "id": f"97777777777{n}",
        "name": f"Provisioned {n}",
        "email": f"provisioned-{n}@example.com",
        "access_key_id": f"AKIATESTPROVISION{n}",
        "secret_access_key": f"test-secret-provision-{n}",
        "provisionable": True,
    }
    for n in range(3)
]

_emails = itertools.count(1)


def fresh_email() -> str:
    """An address no account and no request of this module has used."""
    return f"created-{next(_emails):04d}@example.com"


@pytest.fixture(scope="module")
def delayed(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"delayed-{engine}")
    with serving(
        folder,
        engine,
        "--create-account-delay-ms",
        str(int(DELAY.total_seconds() * 1000)),
        "--account-limit",
        str(DELAYED_LIMIT),
        clock=True,
        accounts=[*dummy_accounts(60), *PROVISIONABLE],
    ) as running:
        yield running


#: Sets the business clock to a day no other test of the module uses.
fresh_instant = fresh_instants(datetime(2031, 1, 1, tzinfo=UTC), timedelta(days=10))


def create(org: Org, email: str | None = None, **params: Any) -> dict[str, Any]:
    status: dict[str, Any] = org.manager.client.create_account(
        Email=email or fresh_email(),
        AccountName=params.pop("AccountName", "Dev"),
        **params,
    )["CreateAccountStatus"]
    return status


def status_of(org: Org, request_id: str) -> dict[str, Any]:
    found: dict[str, Any] = org.manager.client.describe_create_account_status(
        CreateAccountRequestId=request_id
    )["CreateAccountStatus"]
    return found


def statuses(org: Org, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = org.manager.client.list_create_account_status(
            **params, **({"NextToken": token} if token else {})
        )
        found += page["CreateAccountStatuses"]
        token = page.get("NextToken")
        if not token:
            return found


def account_ids(org: Org) -> list[str]:
    pages = org.manager.client.get_paginator("list_accounts").paginate()
    return [a["Id"] for page in pages for a in page["Accounts"]]


# -- A4: synchronous checks --------------------------------------------------------------


def test_a4_role_name(world: World) -> None:
    """A4: a RoleName with the reserved prefix AWSServiceRoleFor is InvalidInput
    INVALID_ROLE_NAME and creates nothing; any other name is stored only."""
    org = world.organization()
    failure = fails_with(
        "InvalidInputException",
        org.manager.client.create_account,
        Email=fresh_email(),
        AccountName="Dev",
        RoleName="AWSServiceRoleForSupport",
    )
    assert failure["Reason"] == "INVALID_ROLE_NAME"
    assert failure["Error"]["Message"].startswith(
        "You provided a role name that isn't valid."
    )
    assert statuses(org) == []
    created = create(org, RoleName="Admin-Role", IamUserAccessToBilling="DENY")
    assert status_of(org, created["Id"])["State"] == "SUCCEEDED"


def test_a4_tags_per_t3(world: World) -> None:
    """A4, T3, T6: a key twice is DUPLICATE_TAG_KEY, an `aws:` key (any case)
    INVALID_SYSTEM_TAGS_PARAMETER, more than 50 tags ConstraintViolation
    MAX_TAG_LIMIT_EXCEEDED; all or nothing, no status record."""
    org = world.organization()
    client = org.manager.client
    twice = [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]
    failure = fails_with(
        "InvalidInputException",
        client.create_account,
        Email=fresh_email(),
        AccountName="Dev",
        Tags=twice,
    )
    assert failure["Reason"] == "DUPLICATE_TAG_KEY"
    failure = fails_with(
        "InvalidInputException",
        client.create_account,
        Email=fresh_email(),
        AccountName="Dev",
        Tags=[{"Key": "ok", "Value": ""}, {"Key": "AWS:owner", "Value": "x"}],
    )
    assert failure["Reason"] == "INVALID_SYSTEM_TAGS_PARAMETER"
    many = [{"Key": f"k{n}", "Value": "v"} for n in range(51)]
    failure = fails_with(
        "ConstraintViolationException",
        client.create_account,
        Email=fresh_email(),
        AccountName="Dev",
        Tags=many,
    )
    assert failure["Reason"] == "MAX_TAG_LIMIT_EXCEEDED"
    assert statuses(org) == []
    assert status_of(org, create(org, Tags=many[:50])["Id"])["State"] == "SUCCEEDED"


def test_a4_account_number_limit(world: World) -> None:
    """A4, H5: the management account, the members, the pending invitations and the
    creations count; at the account limit (10) CreateAccount is ConstraintViolation
    ACCOUNT_NUMBER_LIMIT_EXCEEDED. FAILED creations take no place."""
    org = world.organization(members=1)
    world.invite(org, world.account())  # pending: counts
    taken = [org.manager.email, org.members[0].email]
    failed = create(org, email=taken[1].upper())  # A3: fails, counts nothing
    for _ in range(7):
        create(org)
    assert status_of(org, failed["Id"])["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    failure = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_account,
        Email=fresh_email(),
        AccountName="One too many",
    )
    assert failure["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    assert failure["Error"]["Message"] == (
        "Performing this operation violates a minimum or maximum value limit."
    )
    assert len(account_ids(org)) == 9
    # the invitation takes the same place (R19 and A4 share the count, H5)
    error = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=world.account().target(),
    )
    assert error["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"


def test_a4_creations_in_progress_count_and_are_limited(delayed: World) -> None:
    """A4, H5, M1: requests IN_PROGRESS count toward the account limit, and a sixth
    one while five are IN_PROGRESS is ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED."""
    fresh_instant(delayed)
    org = delayed.organization()
    for _ in range(5):
        create(org)
    failure = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_account,
        Email=fresh_email(),
        AccountName="Sixth",
    )
    assert failure["Reason"] == "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"
    # limit 7: the management account + 5 in progress + 1 invitation
    delayed.invite(org, delayed.account())
    failure = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_account,
        Email=fresh_email(),
        AccountName="Eighth",
    )
    assert failure["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    # once complete they are accounts, still counted, no longer in progress; the
    # refused request wrote them first (M1)
    delayed.clock.advance(DELAY)
    failure = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_account,
        Email=fresh_email(),
        AccountName="Still too many",
    )
    assert failure["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    assert len(account_ids(org)) == 6


def test_h5_invitations_count_creations_in_progress(delayed: World) -> None:
    """H5, R19: InviteAccountToOrganization counts as CreateAccount does: the accounts
    not CLOSED (the management account included), pending invitations and creations
    still IN_PROGRESS; at the limit it is ACCOUNT_NUMBER_LIMIT_EXCEEDED."""
    fresh_instant(delayed)
    org = delayed.organization()
    for _ in range(5):
        create(org)
    # limit 7: the management account + 5 in progress + this invitation
    delayed.invite(org, delayed.account())
    failure = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=delayed.account().target(),
    )
    assert failure["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    # complete, the creations are accounts: still counted
    delayed.clock.advance(DELAY)
    failure = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=delayed.account().target(),
    )
    assert failure["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"


# -- A5–A8: the request and its outcome ----------------------------------------------------


def test_a5_response_is_always_in_progress(world: World) -> None:
    """A5, C1: `car-` + 32, the name, IN_PROGRESS and the request instant, even though
    the creation is complete at once (M1 without a delay)."""
    org = world.organization()
    before = datetime.now(UTC) - timedelta(seconds=1)
    status = create(org, AccountName="Production")
    assert set(status) == {"Id", "AccountName", "State", "RequestedTimestamp"}
    assert re.fullmatch(r"car-[a-z0-9]{32}", status["Id"])
    assert status["AccountName"] == "Production"
    assert status["State"] == "IN_PROGRESS"
    assert before <= status["RequestedTimestamp"] <= datetime.now(UTC)
    assert status_of(org, status["Id"])["State"] == "SUCCEEDED"


@pytest.mark.parametrize(
    "email",
    [
        "two@at@example.com",
        "white space@example.com",
        'quo"te@example.com',
        "semi;colon@example.com",
        "percent%@example.com",
        ".leading@example.com",
        "user@exa_mple.com",
        "user@-example.com",
        "user@example.com-",
        "user@example.com.",
        "user@.example.com",
        "us\u00e9r@example.com",
    ],
)
def test_a6_invalid_email(world: World, email: str) -> None:
    """A6: an address that passes the model's pattern but breaks a documented rule
    completes FAILED INVALID_EMAIL; the answer to CreateAccount is still IN_PROGRESS."""
    org = world.organization()
    status = create(org, email=email)
    assert status["State"] == "IN_PROGRESS"
    found = status_of(org, status["Id"])
    assert found["State"] == "FAILED"
    assert found["FailureReason"] == "INVALID_EMAIL"
    assert "AccountId" not in found and "CompletedTimestamp" in found
    assert account_ids(org) == [org.manager.id]


def test_a6_email_already_exists(world: World) -> None:
    """A6, A3: the email of any account the server knows — a standalone one, another
    organization's member, an account created earlier — compared without case, is
    FAILED EMAIL_ALREADY_EXISTS."""
    org = world.organization()
    other = world.organization(members=1)
    standalone = world.account()
    earlier = fresh_email()
    assert status_of(org, create(org, email=earlier)["Id"])["State"] == "SUCCEEDED"
    for email in (
        standalone.email,
        other.members[0].email.upper(),
        other.manager.email,
        org.manager.email,
        earlier.upper(),
    ):
        found = status_of(org, create(org, email=email)["Id"])
        assert (found["State"], found["FailureReason"]) == (
            "FAILED",
            "EMAIL_ALREADY_EXISTS",
        ), email
    assert len(account_ids(org)) == 2


def test_a6_concurrent_account_modification(delayed: World) -> None:
    """A6, M1: while a request for an address is IN_PROGRESS, another one for it (any
    case, any organization) completes FAILED CONCURRENT_ACCOUNT_MODIFICATION; after
    the first succeeded the address is taken (EMAIL_ALREADY_EXISTS)."""
    start = fresh_instant(delayed)
    org, other = delayed.organization(), delayed.organization()
    email = fresh_email()
    first = create(org, email=email)
    delayed.clock.set(start + timedelta(minutes=1))
    second = create(other, email=email.upper())
    delayed.clock.set(start + DELAY + timedelta(minutes=1))
    assert status_of(org, first["Id"])["State"] == "SUCCEEDED"
    found = status_of(other, second["Id"])
    assert (found["State"], found["FailureReason"]) == (
        "FAILED",
        "CONCURRENT_ACCOUNT_MODIFICATION",
    )
    third = create(other, email=email)
    delayed.clock.advance(DELAY)
    assert status_of(other, third["Id"])["FailureReason"] == "EMAIL_ALREADY_EXISTS"


def test_a7_created_account(world: World) -> None:
    """A7, A8, A2: on SUCCEEDED the account exists from completion: a fresh 12-digit id
    (first digit not 0), the request's email and name, JoinedMethod CREATED,
    JoinedTimestamp = CompletedTimestamp, State and Status ACTIVE, under the root, with
    the request's tags; ListAccounts shows it."""
    org = world.organization()
    email = fresh_email().replace("created", "Mixed.Case")
    tags = [{"Key": "team", "Value": "blue"}, {"Key": "cost", "Value": ""}]
    status = create(org, email=email, AccountName="Blue team", Tags=tags)
    found = status_of(org, status["Id"])
    assert found["State"] == "SUCCEEDED"
    assert "FailureReason" not in found and "GovCloudAccountId" not in found
    account_id = found["AccountId"]
    assert re.fullmatch(r"[1-9][0-9]{11}", account_id)
    assert found["CompletedTimestamp"] == found["RequestedTimestamp"]
    account = org.manager.client.describe_account(AccountId=account_id)["Account"]
    assert account["Email"] == email
    assert account["Name"] == "Blue team"
    assert account["JoinedMethod"] == "CREATED"
    assert account["JoinedTimestamp"] == found["CompletedTimestamp"]
    assert (account["State"], account["Status"]) == ("ACTIVE", "ACTIVE")
    assert account["Arn"] == (
        f"arn:aws:organizations::{org.manager.id}:account/{org.id}/{account_id}"
    )
    assert account_ids(org) == [org.manager.id, account_id]
    assert world.db is not None
    with open_store(world.db) as database, database.transaction(write=False) as tx:
        row = tx.one(
            "SELECT a.parent_id, o.root_id, a.create_request_id FROM accounts a"
            " JOIN organizations o ON o.id = a.organization_id WHERE a.id = ?",
            (account_id,),
        )
        assert row is not None and row["parent_id"] == row["root_id"]
        assert row["create_request_id"] == status["Id"]
        stored = tx.all(
            "SELECT tag_key, tag_value FROM tags WHERE resource_id = ? ORDER BY seq",
            (account_id,),
        )
        assert [(r["tag_key"], r["tag_value"]) for r in stored] == [
            ("team", "blue"),
            ("cost", ""),
        ]
        request = tx.one(
            "SELECT role_name, iam_user_access_to_billing FROM create_account_requests"
            " WHERE id = ?",
            (status["Id"],),
        )
        assert request is not None
        assert (request["role_name"], request["iam_user_access_to_billing"]) == (
            "OrganizationAccountAccessRole",
            "ALLOW",
        )


# -- M1: completion on the business clock ----------------------------------------------------


def test_m1_creation_completes_on_the_clock(delayed: World) -> None:
    """M1, A8, C3: IN_PROGRESS (no CompletedTimestamp, no account) until requested +
    delay; from that very millisecond SUCCEEDED with that CompletedTimestamp, and the
    account exists, joined then."""
    start = fresh_instant(delayed)
    org = delayed.organization()
    status = create(org, AccountName="Later")
    assert status["RequestedTimestamp"] == start
    found = status_of(org, status["Id"])
    assert found["State"] == "IN_PROGRESS"
    assert "CompletedTimestamp" not in found and "AccountId" not in found
    assert account_ids(org) == [org.manager.id]
    delayed.clock.set(start + DELAY - timedelta(milliseconds=1))
    assert status_of(org, status["Id"])["State"] == "IN_PROGRESS"
    delayed.clock.set(start + DELAY)
    found = status_of(org, status["Id"])
    assert found["State"] == "SUCCEEDED"
    assert found["CompletedTimestamp"] == start + DELAY
    account = org.manager.client.describe_account(AccountId=found["AccountId"])
    assert account["Account"]["JoinedTimestamp"] == start + DELAY
    assert account_ids(org) == [org.manager.id, found["AccountId"]]


def test_m1_a_completed_creation_is_settled_by_the_next_create(delayed: World) -> None:
    """M1: with nobody reading the status, the next CreateAccount writes the account
    of a completed request first (creation_store.settle)."""
    start = fresh_instant(delayed)
    org = delayed.organization()
    create(org, AccountName="First")
    delayed.clock.set(start + DELAY)
    create(org, AccountName="Second")
    listed = org.manager.client.list_accounts()["Accounts"]
    assert [a["Name"] for a in listed][1:] == ["First"]


def test_m2_provisionable_account_signs_once_created(delayed: World) -> None:
    """M2: CreateAccount with a provisionable entry's email (any case) gives the
    account that entry's id; its keys are unknown until the creation completes, then
    work: the account is a member (AccessDenied for CreateAccount)."""
    start = fresh_instant(delayed)
    org = delayed.organization()
    entry = PROVISIONABLE[0]
    client = delayed.client_for_keys(
        entry["access_key_id"],
        entry["secret_access_key"],
        retries={"total_max_attempts": 1},
    )

    def unknown() -> bool:
        try:
            client.describe_organization()
        except ClientError as error:
            code = error.response["Error"]["Code"]
            assert code == "UnrecognizedClientException", code
            return True
        return False

    assert unknown()
    status = create(org, email=str(entry["email"]).upper(), AccountName="Provisioned")
    assert unknown()
    delayed.clock.set(start + DELAY)
    assert client.describe_organization()["Organization"]["Id"] == org.id
    assert status_of(org, status["Id"])["AccountId"] == entry["id"]
    fails_with(
        "AccessDeniedException",
        client.create_account,
        Email=fresh_email(),
        AccountName="Not mine",
    )
    assert entry["id"] in account_ids(org)


# -- A9, A10: reading the status records ---------------------------------------------------


def test_a9_describe_create_account_status_not_found(world: World) -> None:
    """A9, C5: an unknown id and another organization's request are alike
    CreateAccountStatusNotFound; a malformed id is R8's INVALID_PATTERN."""
    org, other = world.organization(), world.organization()
    theirs = create(other)["Id"]
    for request_id in (theirs, "car-" + "0" * 32):
        failure = fails_with(
            "CreateAccountStatusNotFoundException",
            org.manager.client.describe_create_account_status,
            CreateAccountRequestId=request_id,
        )
        assert failure["Error"]["Message"] == (
            "We can't find an create account request with the CreateAccountRequestId "
            "that you specified."
        )
    failure = fails_with(
        "InvalidInputException",
        org.manager.client.describe_create_account_status,
        CreateAccountRequestId="car-UPPER",
    )
    assert failure["Reason"] == "INVALID_PATTERN"


def test_a10_list_create_account_status(delayed: World) -> None:
    """A10, L3, L4: the organization's requests in RequestedTimestamp then Id order,
    filtered by their State now, paged without skipping or repeating; a token is bound
    to its filter (L2); an unknown State is INVALID_ENUM."""
    start = fresh_instant(delayed)
    org = delayed.organization()
    done = create(org, AccountName="Done")
    delayed.clock.set(start + timedelta(seconds=1))
    failed = create(org, email="bad@x@example.com", AccountName="Bad")
    delayed.clock.set(start + DELAY + timedelta(seconds=1))
    running = sorted(
        (create(org, AccountName=f"Running {n}") for n in range(2)),
        key=lambda status: str(status["Id"]),
    )
    create(delayed.organization())  # another organization's: never listed
    every = statuses(org)
    assert [s["Id"] for s in every] == [done["Id"], failed["Id"]] + [
        r["Id"] for r in running
    ]
    assert [s["State"] for s in every] == [
        "SUCCEEDED",
        "FAILED",
        "IN_PROGRESS",
        "IN_PROGRESS",
    ]
    assert statuses(org, MaxResults=1) == every
    assert statuses(org, States=[]) == every
    assert [s["Id"] for s in statuses(org, States=["IN_PROGRESS"], MaxResults=1)] == [
        r["Id"] for r in running
    ]
    assert [s["Id"] for s in statuses(org, States=["SUCCEEDED", "FAILED"])] == [
        done["Id"],
        failed["Id"],
    ]
    page = org.manager.client.list_create_account_status(
        States=["IN_PROGRESS"], MaxResults=1
    )
    failure = fails_with(
        "InvalidInputException",
        org.manager.client.list_create_account_status,
        States=["FAILED"],
        NextToken=page["NextToken"],
    )
    assert failure["Reason"] == "INVALID_NEXT_TOKEN"
    failure = fails_with(
        "InvalidInputException",
        org.manager.client.list_create_account_status,
        States=["DONE"],
    )
    assert failure["Reason"] == "INVALID_ENUM"


# -- A11 ------------------------------------------------------------------------------------


def test_a11_create_gov_cloud_account(world: World) -> None:
    """A11: after the caller checks and T3's tag checks, ConstraintViolation
    MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED; nothing is created."""
    org = world.organization(members=1)
    client = org.manager.client
    failure = fails_with(
        "ConstraintViolationException",
        client.create_gov_cloud_account,
        Email=fresh_email(),
        AccountName="Gov",
    )
    assert failure["Reason"] == "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED"
    failure = fails_with(
        "InvalidInputException",
        client.create_gov_cloud_account,
        Email=fresh_email(),
        AccountName="Gov",
        Tags=[{"Key": "aws:x", "Value": ""}],
    )
    assert failure["Reason"] == "INVALID_SYSTEM_TAGS_PARAMETER"
    fails_with(
        "AccessDeniedException",
        org.members[0].client.create_gov_cloud_account,
        Email=fresh_email(),
        AccountName="Gov",
        Tags=[{"Key": "aws:x", "Value": ""}],
    )
    fails_with(
        "AWSOrganizationsNotInUseException",
        world.account().client.create_gov_cloud_account,
        Email=fresh_email(),
        AccountName="Gov",
    )
    assert statuses(org) == []
    assert len(account_ids(org)) == 2


# -- Z1–Z3: who may call ------------------------------------------------------------------


def test_z_creation_callers(world: World) -> None:
    """Z1, Z2: a member gets AccessDenied and an account in no organization
    AWSOrganizationsNotInUse, for every operation here, before any other check."""
    org = world.organization(members=1)
    request_id = create(org)["Id"]
    calls: list[tuple[str, dict[str, Any]]] = [
        (
            "create_account",
            {
                "Email": fresh_email(),
                "AccountName": "X",
                "RoleName": "AWSServiceRoleForX",
            },
        ),
        ("describe_create_account_status", {"CreateAccountRequestId": request_id}),
        ("list_create_account_status", {}),
    ]
    outsider = world.account()
    for name, params in calls:
        fails_with(
            "AccessDeniedException", getattr(org.members[0].client, name), **params
        )
        fails_with(
            "AWSOrganizationsNotInUseException",
            getattr(outsider.client, name),
            **params,
        )
    assert [s["Id"] for s in statuses(org)] == [request_id]


def _set_account(world: World, account_id: str, **columns: Any) -> None:
    assert world.db is not None
    with open_store(world.db) as database, database.transaction() as tx:
        for column, value in columns.items():
            tx.execute(
                f"UPDATE accounts SET {column} = ? WHERE id = ?", (value, account_id)
            )


def test_z3_closed_caller(world: World) -> None:
    """Z3: a management account whose State is SUSPENDED (a fixture) gets
    AccessDenied for CreateAccount and the status reads; PENDING_ACTIVATION works
    (A23)."""
    org = world.organization()
    _set_account(world, org.manager.id, state="SUSPENDED")
    fails_with(
        "AccessDeniedException",
        org.manager.client.create_account,
        Email=fresh_email(),
        AccountName="X",
    )
    fails_with("AccessDeniedException", org.manager.client.list_create_account_status)
    _set_account(world, org.manager.id, state="PENDING_ACTIVATION")
    assert status_of(org, create(org)["Id"])["State"] == "SUCCEEDED"


# -- A2: State and Status in DescribeAccount and ListAccounts -----------------------------


def test_a2_state_and_status(delayed: World) -> None:
    """A2, A23, C3: State follows the stored State and the closure times on the
    business clock; Status follows State (PENDING_ACTIVATION → ACTIVE, CLOSED →
    SUSPENDED), in DescribeAccount and ListAccounts alike."""
    start = fresh_instant(delayed)
    org = delayed.organization(members=1)
    member = org.members[0]
    client = org.manager.client

    def shown() -> tuple[str, str]:
        described = client.describe_account(AccountId=member.id)["Account"]
        listed = {a["Id"]: a for a in client.list_accounts()["Accounts"]}[member.id]
        assert listed == described
        return described["State"], described["Status"]

    assert shown() == ("ACTIVE", "ACTIVE")
    _set_account(delayed, member.id, state="PENDING_ACTIVATION")
    assert shown() == ("PENDING_ACTIVATION", "ACTIVE")
    _set_account(delayed, member.id, state="ACTIVE")
    ms = 1000
    t0 = int(start.timestamp() * 1000)
    _set_account(
        delayed,
        member.id,
        closed_at=t0 + 10 * ms,
        suspends_at=t0 + 20 * ms,
        closes_at=t0 + 30 * ms,
    )
    assert shown() == ("ACTIVE", "ACTIVE")
    for offset, expected in (
        (10, ("PENDING_CLOSURE", "PENDING_CLOSURE")),
        (20, ("SUSPENDED", "SUSPENDED")),
        (30, ("CLOSED", "SUSPENDED")),
    ):
        delayed.clock.set(start + timedelta(seconds=offset))
        assert shown() == expected


def test_h5_closed_accounts_free_their_place(delayed: World) -> None:
    """H5, A21: an account counts until it is CLOSED."""
    fresh_instant(delayed)
    org = delayed.organization(members=1)
    for _ in range(4):
        create(org)
    delayed.clock.advance(DELAY)
    create(org)  # 7: the management account, a member, four created, one running
    failure = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_account,
        Email=fresh_email(),
        AccountName="X",
    )
    assert failure["Reason"] == "ACCOUNT_NUMBER_LIMIT_EXCEEDED"
    _set_account(delayed, org.members[0].id, state="CLOSED")
    assert create(org)["State"] == "IN_PROGRESS"


# -- H6, and CONSOLIDATED_BILLING -----------------------------------------------------------


def test_h6_creation_during_migration(world: World) -> None:
    """H6, A4: a CONSOLIDATED_BILLING organization creates accounts, also while an
    ENABLE_ALL_FEATURES handshake is pending; created accounts get no
    APPROVE_ALL_FEATURES handshake."""
    org = world.organization(feature_set="CONSOLIDATED_BILLING", members=1)
    before = status_of(org, create(org)["Id"])["AccountId"]
    parent = org.manager.client.enable_all_features()["Handshake"]
    during = status_of(org, create(org)["Id"])
    assert during["State"] == "SUCCEEDED"
    children = org.manager.client.list_handshakes_for_organization(
        Filter={"ParentHandshakeId": parent["Id"]}
    )["Handshakes"]
    targets = {p["Id"] for h in children for p in h["Parties"]}
    assert org.members[0].id in targets
    assert before not in targets and during["AccountId"] not in targets


# -- M7: settings ---------------------------------------------------------------------------


def test_m7_creation_settings() -> None:
    """M7: the delay of M1 (default 0) and the creations in progress (default 5) are
    settings, so `botogen serve` options."""
    from handlers.organizations.settings import OrganizationsSettings

    settings = OrganizationsSettings()
    assert settings.create_account_delay_ms == 0
    assert settings.creations_in_progress_limit == 5


def test_lifecycle_derives_states() -> None:
    """C3: the request's and the account's State as functions of stored times."""
    from handlers.organizations import lifecycle

    request = {"completes_at": 100, "outcome": "FAILED"}
    assert lifecycle.request_state(request, 99) == "IN_PROGRESS"
    assert lifecycle.request_state(request, 100) == "FAILED"
    account = {"state": "ACTIVE", "closed_at": 10, "suspends_at": 20, "closes_at": 30}
    assert [lifecycle.account_state(account, t) for t in (9, 10, 20, 30)] == [
        "ACTIVE",
        "PENDING_CLOSURE",
        "SUSPENDED",
        "CLOSED",
    ]
    assert lifecycle.account_state({"state": "PENDING_ACTIVATION"}, 0) == (
        "PENDING_ACTIVATION"
    )


def test_h5_counts_stop_at_the_limit(world: World) -> None:
    """H5, A19 (scale): the counts that limits compare read no further than the limit:
    an organization of five accounts counted up to 3 is 3, up to 10 is 5 (both engines'
    SQL, `creation_store.counted_accounts` and `store.member_count`)."""
    from handlers.organizations import creation_store, store

    org = world.organization(members=4)
    assert world.db is not None
    with open_store(world.db) as database, database.transaction(write=False) as tx:
        now = 2**62  # any instant: none of these accounts has a closure time
        assert creation_store.counted_accounts(tx, org.id, now, up_to=3) == 3
        assert creation_store.counted_accounts(tx, org.id, now, up_to=10) == 5
        assert store.member_count(tx, org.id, up_to=3) == 3
        assert store.member_count(tx, org.id, up_to=10) == 5
