"""Delegated administrators (`docs/organizations.md`, "Trusted access and delegated
administrators": D1 as configured, D6–D10, Z4, Z5, A16, A21, A22, M8), through real
boto3 clients against a real server, on SQLite and PostgreSQL.

One server per engine, started as a user would replace the registry: `--config FILE`
whose `service_principals` is the path of a registry file (`REGISTRY`), so that a
principal takes two delegated administrators, one takes none, one has no trusted
access, and the default list is gone. Its business clock is set by each test to a
stretch of time no other test uses (`fresh_instant`), and its closures take an hour to
suspend (PENDING_CLOSURE, then SUSPENDED), so every State D6 and A16 name is reached
through the API.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.world import (
    MS,
    UTC,
    Actor,
    Org,
    World,
    dummy_accounts,
    engine,
    fails_with,
    fresh_instants,
    in_process,
    serving,
)

__all__ = ["engine"]

ACCESS_DENIED = "You don't have permissions to access this resource."
UNRECOGNIZED = "You specified a service principal that isn't recognized."
CONSTRAINT = "Performing this operation violates a minimum or maximum value limit."
ACCOUNT_NOT_FOUND = (
    "We can't find an Amazon Web Services account with the AccountId that you "
    "specified, or the account whose credentials you used to make this request isn't "
    "a member of an organization."
)
ALREADY_REGISTERED = (
    "The specified account is already a delegated administrator for this Amazon Web "
    "Services service."
)
NOT_REGISTERED = (
    "The specified account is not a delegated administrator for this Amazon Web "
    "Services service."
)
SSO = "sso.amazonaws.com"  # at most one delegated administrator
CONFIG = "config.amazonaws.com"  # at most two
EXAMPLE = "example.amazonaws.com"  # not in D1's default list
CLOUDTRAIL = "cloudtrail.amazonaws.com"  # trusted access, no delegated administrator
RAM = "ram.amazonaws.com"  # delegated administrators, no trusted access
REGISTRY = {
    SSO: {},
    CONFIG: {"max_delegated_administrators": 2},
    EXAMPLE: {"trusted_access": True, "delegated_administrator": True},
    CLOUDTRAIL: {"delegated_administrator": False},
    RAM: {"trusted_access": False},
}
CLOSE_DELAY = timedelta(hours=1)


@pytest.fixture(scope="module")
def world(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"delegated-{engine}")
    (folder / "principals.json").write_text(json.dumps(REGISTRY))
    config = folder / "config.json"
    config.write_text(
        json.dumps({"service_principals": str(folder / "principals.json")})
    )
    with serving(
        folder,
        engine,
        "--config",
        str(config),
        "--close-delay-ms",
        str(int(CLOSE_DELAY.total_seconds() * 1000)),
        clock=True,
    ) as running:
        yield running


#: Sets the business clock to a stretch of time no other test of the module uses
#: (longer than A21's 90 days).
fresh_instant = fresh_instants(datetime(2033, 1, 1, tzinfo=UTC), timedelta(days=200))


def trusted(org: Org, *principals: str) -> None:
    for principal in principals:
        org.manager.client.enable_aws_service_access(ServicePrincipal=principal)


def register(org: Org, account_id: str, principal: str) -> None:
    org.manager.client.register_delegated_administrator(
        AccountId=account_id, ServicePrincipal=principal
    )


def administrators(org: Org, **params: Any) -> list[dict[str, Any]]:
    """ListDelegatedAdministrators, every page."""
    pages = org.manager.client.get_paginator("list_delegated_administrators")
    return [
        item
        for page in pages.paginate(**params)
        for item in page["DelegatedAdministrators"]
    ]


def services(org: Org, account_id: str) -> list[tuple[str, datetime]]:
    """ListDelegatedServicesForAccount, every page, as (principal, date)."""
    pages = org.manager.client.get_paginator("list_delegated_services_for_account")
    return [
        (item["ServicePrincipal"], item["DelegationEnabledDate"])
        for page in pages.paginate(AccountId=account_id)
        for item in page["DelegatedServices"]
    ]


def violation(reason: str, call: Any, **params: Any) -> None:
    failure = fails_with("ConstraintViolationException", call, **params)
    assert failure["Reason"] == reason
    assert failure["Error"]["Message"] == CONSTRAINT


def unrecognized(call: Any, **params: Any) -> None:
    failure = fails_with("InvalidInputException", call, **params)
    assert failure["Reason"] == "UNRECOGNIZED_SERVICE_PRINCIPAL"
    assert failure["Error"]["Message"] == UNRECOGNIZED


def not_found(call: Any, **params: Any) -> None:
    failure = fails_with("AccountNotFoundException", call, **params)
    assert failure["Error"]["Message"] == ACCOUNT_NOT_FOUND


def answer(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def created_account(org: Org) -> str:
    """An account the organization creates now (JoinedMethod CREATED)."""
    client = org.manager.client
    status = client.create_account(
        Email=f"made-{org.id}@example.com", AccountName="Made"
    )["CreateAccountStatus"]
    done = client.describe_create_account_status(CreateAccountRequestId=status["Id"])
    account_id: str = done["CreateAccountStatus"]["AccountId"]
    return account_id


# -- D1: the registry, replaced by --config ------------------------------------------------


def test_d1_m6_config_replaces_the_registry(world: World) -> None:
    """D1, M6, M7: the configured registry replaces the default list: a principal of
    its own works, a default one is gone; the trusted-access mark governs D3 (RAM), the
    delegated-administrator mark D6–D8 (CLOUDTRAIL)."""
    fresh_instant(world)
    org = world.organization(members=1)
    client = org.manager.client
    member = org.members[0].id
    trusted(org, EXAMPLE, CLOUDTRAIL)
    register(org, member, EXAMPLE)
    assert [item["Id"] for item in administrators(org, ServicePrincipal=EXAMPLE)] == [
        member
    ]
    for principal in ("guardduty.amazonaws.com", RAM):
        unrecognized(client.enable_aws_service_access, ServicePrincipal=principal)
    for principal in ("guardduty.amazonaws.com", CLOUDTRAIL):
        for call in (
            client.register_delegated_administrator,
            client.deregister_delegated_administrator,
        ):
            unrecognized(call, AccountId=member, ServicePrincipal=principal)
        unrecognized(client.list_delegated_administrators, ServicePrincipal=principal)
    # RAM takes delegated administrators but can never have trusted access.
    violation(
        "SERVICE_ACCESS_NOT_ENABLED",
        client.register_delegated_administrator,
        AccountId=member,
        ServicePrincipal=RAM,
    )


# -- D6: RegisterDelegatedAdministrator ------------------------------------------------------


def test_d6_register_and_list(world: World) -> None:
    """D6, D8, D9: a registered member is listed as A1 shows an account, without
    Paths, with DelegationEnabledDate the business clock at registration; its
    services likewise. The answer is `{}`."""
    at = fresh_instant(world)
    org = world.organization(members=1)
    member = org.members[0]
    trusted(org, SSO)
    world.clock.set(at + timedelta(minutes=3))
    response = org.manager.client.register_delegated_administrator(
        AccountId=member.id, ServicePrincipal=SSO
    )
    assert answer(response) == {}
    account = org.manager.client.describe_account(AccountId=member.id)["Account"]
    del account["Paths"]
    assert administrators(org) == [
        {**account, "DelegationEnabledDate": at + timedelta(minutes=3)}
    ]
    assert services(org, member.id) == [(SSO, at + timedelta(minutes=3))]


def test_d6_register_check_order(world: World) -> None:
    """D6 in its order: principal (UNRECOGNIZED_SERVICE_PRINCIPAL); account
    (AccountNotFound: another organization's, a standalone one, an unknown id); the
    management account; a closing or closed account; no trusted access; already
    registered; the principal's one delegated administrator taken. Each check wins
    over every later one."""
    at = fresh_instant(world)
    org = world.organization(members=3)
    other = world.organization(members=1)
    first, second, closing = org.members
    call = org.manager.client.register_delegated_administrator
    unrecognized(call, AccountId=other.members[0].id, ServicePrincipal="nope")
    for stranger in (other.members[0].id, world.account().id, "123456789012"):
        not_found(call, AccountId=stranger, ServicePrincipal=SSO)
    # SSO has no trusted access yet: the account's checks come first.
    violation(
        "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
        call,
        AccountId=org.manager.id,
        ServicePrincipal=SSO,
    )
    org.manager.client.close_account(AccountId=closing.id)
    assert_state(org, closing.id, "PENDING_CLOSURE")
    for _ in range(2):
        violation(
            "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
            call,
            AccountId=closing.id,
            ServicePrincipal=SSO,
        )
        world.clock.set(at + CLOSE_DELAY)
        assert_state(org, closing.id, "SUSPENDED")
    violation(
        "SERVICE_ACCESS_NOT_ENABLED", call, AccountId=first.id, ServicePrincipal=SSO
    )
    trusted(org, SSO)
    call(AccountId=first.id, ServicePrincipal=SSO)
    failure = fails_with(
        "AccountAlreadyRegisteredException",
        call,
        AccountId=first.id,
        ServicePrincipal=SSO,
    )
    assert failure["Error"]["Message"] == ALREADY_REGISTERED
    violation(
        "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
        call,
        AccountId=second.id,
        ServicePrincipal=SSO,
    )
    assert [item["Id"] for item in administrators(org)] == [first.id]


def assert_state(org: Org, account_id: str, state: str) -> None:
    described = org.manager.client.describe_account(AccountId=account_id)["Account"]
    assert described["State"] == state


def test_d6_max_delegated_administrators(world: World) -> None:
    """D6, D1: a principal configured for two takes two; the third is
    MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED (the maximum is not 1), and
    may register once one of the two is deregistered."""
    fresh_instant(world)
    org = world.organization(members=3)
    a, b, c = (member.id for member in org.members)
    trusted(org, CONFIG)
    register(org, a, CONFIG)
    register(org, b, CONFIG)
    violation(
        "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
        org.manager.client.register_delegated_administrator,
        AccountId=c,
        ServicePrincipal=CONFIG,
    )
    org.manager.client.deregister_delegated_administrator(
        AccountId=a, ServicePrincipal=CONFIG
    )
    register(org, c, CONFIG)
    assert sorted(item["Id"] for item in administrators(org)) == sorted([b, c])


def test_d6_c8_racing_registrations_respect_the_maximum(world: World) -> None:
    """C8: six members registered at once for a principal that takes one: exactly one
    succeeds, the others are DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE."""
    fresh_instant(world)
    org = world.organization(members=6)
    trusted(org, SSO)

    def attempt(member: Actor) -> str:
        client = world.client(org.manager)
        try:
            client.register_delegated_administrator(
                AccountId=member.id, ServicePrincipal=SSO
            )
        except client.exceptions.ConstraintViolationException as error:
            return str(error.response["Reason"])
        return "registered"

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(attempt, org.members))
    assert sorted(outcomes) == [
        "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE"
    ] * 5 + ["registered"]
    winner = org.members[outcomes.index("registered")].id
    assert [item["Id"] for item in administrators(org)] == [winner]


# -- D7: DeregisterDelegatedAdministrator ------------------------------------------------------


def test_d7_deregister_check_order(world: World) -> None:
    """D7 in its order: principal; account; registered for that principal (another
    principal's registration does not count). Success is `{}`, and a second time
    AccountNotRegistered."""
    fresh_instant(world)
    org = world.organization(members=1)
    other = world.organization(members=1)
    member = org.members[0].id
    call = org.manager.client.deregister_delegated_administrator
    trusted(org, SSO, CONFIG)
    register(org, member, SSO)
    unrecognized(call, AccountId=other.members[0].id, ServicePrincipal="nope")
    not_found(call, AccountId=other.members[0].id, ServicePrincipal=SSO)
    for account, principal in ((member, CONFIG), (org.manager.id, SSO)):
        failure = fails_with(
            "AccountNotRegisteredException",
            call,
            AccountId=account,
            ServicePrincipal=principal,
        )
        assert failure["Error"]["Message"] == NOT_REGISTERED
    assert answer(call(AccountId=member, ServicePrincipal=SSO)) == {}
    fails_with(
        "AccountNotRegisteredException", call, AccountId=member, ServicePrincipal=SSO
    )
    assert administrators(org) == []


# -- Z4, Z5: what a delegated administrator may call ------------------------------------------


def _reads(org: Org, ids: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """Every read the matrix marks DA that the server implements, with parameters."""
    return [
        ("list_roots", {}),
        ("list_accounts", {}),
        ("describe_account", {"AccountId": org.manager.id}),
        ("list_accounts_for_parent", {"ParentId": ids["root"]}),
        ("describe_organizational_unit", {"OrganizationalUnitId": ids["ou"]}),
        ("list_organizational_units_for_parent", {"ParentId": ids["root"]}),
        ("list_children", {"ParentId": ids["root"], "ChildType": "ACCOUNT"}),
        ("list_parents", {"ChildId": ids["member"]}),
        ("describe_create_account_status", {"CreateAccountRequestId": ids["car"]}),
        ("list_create_account_status", {}),
        ("list_tags_for_resource", {"ResourceId": ids["root"]}),
        ("list_handshakes_for_organization", {}),
        ("list_aws_service_access_for_organization", {}),
        ("list_delegated_administrators", {}),
        ("list_delegated_services_for_account", {"AccountId": ids["member"]}),
    ]


def test_z4_delegated_administrators_read(world: World) -> None:
    """Z4: a member registered for any service may call every DA-marked read and gets
    what the management account gets; another organization's ids stay unknown to it
    (C5); deregistered from one of two services it still reads, from its last it is
    AccessDenied again."""
    fresh_instant(world)
    org = world.organization(members=2)
    da, _ = org.members
    client = org.manager.client
    root = client.list_roots()["Roots"][0]["Id"]
    ou = client.create_organizational_unit(ParentId=root, Name="Z4")
    client.tag_resource(ResourceId=root, Tags=[{"Key": "k", "Value": "v"}])
    car = client.create_account(Email=f"z4-{org.id}@example.com", AccountName="Z4")
    ids = {
        "root": root,
        "ou": ou["OrganizationalUnit"]["Id"],
        "member": da.id,
        "car": car["CreateAccountStatus"]["Id"],
    }
    trusted(org, SSO, CONFIG)
    for name, params in _reads(org, ids):
        fails_with("AccessDeniedException", getattr(da.client, name), **params)
    register(org, da.id, SSO)
    register(org, da.id, CONFIG)
    for name, params in _reads(org, ids):
        mine = answer(getattr(da.client, name)(**params))
        assert mine == answer(getattr(client, name)(**params)), name
    other = world.organization(members=1)
    not_found(da.client.describe_account, AccountId=other.manager.id)
    not_found(
        da.client.list_delegated_services_for_account, AccountId=other.members[0].id
    )
    client.deregister_delegated_administrator(AccountId=da.id, ServicePrincipal=SSO)
    assert da.client.list_accounts()["Accounts"]
    client.deregister_delegated_administrator(AccountId=da.id, ServicePrincipal=CONFIG)
    for name, params in _reads(org, ids):
        failure = fails_with(
            "AccessDeniedException", getattr(da.client, name), **params
        )
        assert failure["Error"]["Message"] == ACCESS_DENIED


def test_z5_delegated_administrators_never_write(world: World) -> None:
    """Z5: being a delegated administrator allows no write: every write the server
    implements is AccessDenied for it, its own deregistration included, and nothing
    changes."""
    fresh_instant(world)
    org = world.organization(members=2)
    da, member = org.members
    client = org.manager.client
    root = client.list_roots()["Roots"][0]["Id"]
    ou = client.create_organizational_unit(ParentId=root, Name="Z5")[
        "OrganizationalUnit"
    ]["Id"]
    trusted(org, SSO)
    register(org, da.id, SSO)
    writes: list[tuple[str, dict[str, Any]]] = [
        ("create_organizational_unit", {"ParentId": root, "Name": "Mine"}),
        ("update_organizational_unit", {"OrganizationalUnitId": ou, "Name": "Mine"}),
        ("delete_organizational_unit", {"OrganizationalUnitId": ou}),
        ("tag_resource", {"ResourceId": root, "Tags": [{"Key": "k", "Value": "v"}]}),
        ("untag_resource", {"ResourceId": root, "TagKeys": ["k"]}),
        ("create_account", {"Email": f"z5-{org.id}@example.com", "AccountName": "x"}),
        (
            "move_account",
            {
                "AccountId": member.id,
                "SourceParentId": root,
                "DestinationParentId": ou,
            },
        ),
        ("remove_account_from_organization", {"AccountId": member.id}),
        ("close_account", {"AccountId": member.id}),
        ("invite_account_to_organization", {"Target": world.account().target()}),
        ("enable_aws_service_access", {"ServicePrincipal": CONFIG}),
        ("disable_aws_service_access", {"ServicePrincipal": SSO}),
        (
            "register_delegated_administrator",
            {"AccountId": member.id, "ServicePrincipal": CONFIG},
        ),
        (
            "deregister_delegated_administrator",
            {"AccountId": da.id, "ServicePrincipal": SSO},
        ),
        ("enable_all_features", {}),
        ("delete_organization", {}),
    ]
    before = [answer(getattr(client, name)(**params)) for name, params in _state(org)]
    for name, params in writes:
        failure = fails_with(
            "AccessDeniedException", getattr(da.client, name), **params
        )
        assert failure["Error"]["Message"] == ACCESS_DENIED, name
    after = [answer(getattr(client, name)(**params)) for name, params in _state(org)]
    assert after == before


def _state(org: Org) -> list[tuple[str, dict[str, Any]]]:
    root = org.manager.client.list_roots()["Roots"][0]["Id"]
    return [
        ("list_accounts", {}),
        ("list_organizational_units_for_parent", {"ParentId": root}),
        ("list_tags_for_resource", {"ResourceId": root}),
        ("list_handshakes_for_organization", {}),
        ("list_aws_service_access_for_organization", {}),
        ("list_delegated_administrators", {}),
        ("list_create_account_status", {}),
    ]


# -- D8, D9: the listings -------------------------------------------------------------------


def test_d8_list_delegated_administrators(world: World) -> None:
    """D8, L3: accounts in (DelegationEnabledDate, Id) order, the date being the
    earliest registration, or the filtered principal's; L1–L5 paging; L2: a token is
    bound to the filter; an unknown filter is UNRECOGNIZED_SERVICE_PRINCIPAL."""
    at = fresh_instant(world)
    org = world.organization(members=3)
    a, b, c = (member.id for member in org.members)
    trusted(org, SSO, CONFIG, EXAMPLE)
    register(org, b, SSO)
    world.clock.set(at + MS)
    register(org, c, CONFIG)
    register(org, a, CONFIG)
    world.clock.set(at + 2 * MS)
    register(org, a, EXAMPLE)
    tied = sorted([a, c])
    dates = {b: at, a: at + MS, c: at + MS}
    listed = administrators(org)
    assert [(item["Id"], item["DelegationEnabledDate"]) for item in listed] == [
        (account, dates[account]) for account in [b, *tied]
    ]
    assert all("Paths" not in item for item in listed)
    filtered = administrators(org, ServicePrincipal=EXAMPLE)
    assert [(item["Id"], item["DelegationEnabledDate"]) for item in filtered] == [
        (a, at + 2 * MS)
    ]
    assert [item["Id"] for item in administrators(org, ServicePrincipal=CONFIG)] == tied
    assert administrators(org, ServicePrincipal=RAM) == []
    call = org.manager.client.list_delegated_administrators
    seen = []
    page = call(MaxResults=1)
    for _ in range(5):
        seen += [item["Id"] for item in page["DelegatedAdministrators"]]
        if "NextToken" not in page:
            break
        assert len(page["DelegatedAdministrators"]) == 1
        page = call(MaxResults=1, NextToken=page["NextToken"])
    assert seen == [b, *tied]
    token = call(MaxResults=1, ServicePrincipal=CONFIG)["NextToken"]
    failure = fails_with("InvalidInputException", call, NextToken=token)
    assert failure["Reason"] == "INVALID_NEXT_TOKEN"
    unrecognized(call, ServicePrincipal="nope.amazonaws.com")


def test_d9_list_delegated_services_for_account(world: World) -> None:
    """D9: AccountNotFound outside the organization; AccountNotRegistered for an
    account registered for nothing (the management account included); else the
    registrations in (date, principal) order (L3), paged (L1–L5), the token bound to
    the account (L2)."""
    at = fresh_instant(world)
    org = world.organization(members=2)
    other = world.organization(members=1)
    a, b = (member.id for member in org.members)
    call = org.manager.client.list_delegated_services_for_account
    not_found(call, AccountId=other.members[0].id)
    for account in (a, org.manager.id):
        failure = fails_with("AccountNotRegisteredException", call, AccountId=account)
        assert failure["Error"]["Message"] == NOT_REGISTERED
    trusted(org, SSO, CONFIG, EXAMPLE)
    register(org, a, SSO)
    register(org, a, EXAMPLE)
    world.clock.set(at + MS)
    register(org, a, CONFIG)
    register(org, b, CONFIG)
    assert services(org, a) == [(EXAMPLE, at), (SSO, at), (CONFIG, at + MS)]
    first = call(AccountId=a, MaxResults=2)
    assert [item["ServicePrincipal"] for item in first["DelegatedServices"]] == [
        EXAMPLE,
        SSO,
    ]
    rest = call(AccountId=a, MaxResults=2, NextToken=first["NextToken"])
    assert [item["ServicePrincipal"] for item in rest["DelegatedServices"]] == [CONFIG]
    assert "NextToken" not in rest
    failure = fails_with(
        "InvalidInputException", call, AccountId=b, NextToken=first["NextToken"]
    )
    assert failure["Reason"] == "INVALID_NEXT_TOKEN"


# -- D10, A16, A21, A22: registrations and departures ----------------------------------------


def test_d10_a16_a_delegated_administrator_cannot_leave(world: World) -> None:
    """D10, A16, A17: a registered account can neither be removed nor leave
    (CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG); deregistered, it can. In A16's
    order the check comes after the closing States and before the waiting period."""
    fresh_instant(world)
    org = world.organization(members=3)
    leaver, removed, closing = org.members
    client = org.manager.client
    made = created_account(org)
    trusted(org, CONFIG, SSO, EXAMPLE)
    register(org, leaver.id, CONFIG)
    register(org, removed.id, CONFIG)
    register(org, closing.id, SSO)
    register(org, made, EXAMPLE)
    reason = "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
    violation(reason, leaver.client.leave_organization)
    violation(reason, client.remove_account_from_organization, AccountId=removed.id)
    # Before the waiting period of an account created just now (WAIT_PERIOD_ACTIVE).
    violation(reason, client.remove_account_from_organization, AccountId=made)
    client.close_account(AccountId=closing.id)
    violation(
        "ACCOUNT_CANNOT_LEAVE_ORGANIZATION",
        client.remove_account_from_organization,
        AccountId=closing.id,
    )
    client.deregister_delegated_administrator(AccountId=made, ServicePrincipal=EXAMPLE)
    violation(
        "WAIT_PERIOD_ACTIVE", client.remove_account_from_organization, AccountId=made
    )
    for account in (leaver.id, removed.id):
        client.deregister_delegated_administrator(
            AccountId=account, ServicePrincipal=CONFIG
        )
    leaver.client.leave_organization()
    client.remove_account_from_organization(AccountId=removed.id)
    remaining = {item["Id"] for item in client.list_accounts()["Accounts"]}
    assert leaver.id not in remaining and removed.id not in remaining


def test_a22_registrations_survive_closure(world: World) -> None:
    """A22: a closed account stays registered (listed with its State, its services
    listed) and can be deregistered; D6 refuses only registering it anew. Z3: closed,
    it cannot use its reads."""
    at = fresh_instant(world)
    org = world.organization(members=1)
    member = org.members[0]
    client = org.manager.client
    trusted(org, SSO, CONFIG)
    register(org, member.id, SSO)
    register(org, member.id, CONFIG)
    client.close_account(AccountId=member.id)
    world.clock.set(at + CLOSE_DELAY)
    listed = administrators(org)
    assert [(i["Id"], i["State"], i["Status"]) for i in listed] == [
        (member.id, "SUSPENDED", "SUSPENDED")
    ]
    assert [principal for principal, _ in services(org, member.id)] == sorted(
        [SSO, CONFIG]
    )
    fails_with("AccessDeniedException", member.client.list_accounts)
    client.deregister_delegated_administrator(AccountId=member.id, ServicePrincipal=SSO)
    violation(
        "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
        client.register_delegated_administrator,
        AccountId=member.id,
        ServicePrincipal=SSO,
    )
    assert services(org, member.id) == [(CONFIG, at)]


def test_a21_departure_removes_the_registrations(world: World) -> None:
    """A21, A18 (`cascade.account_departed`): when a closed account departs, 90 days
    after its closure, its registrations go with it, which frees the principal's place;
    ListDelegatedServicesForAccount no longer finds it."""
    at = fresh_instant(world)
    org = world.organization(members=2)
    closed, successor = org.members
    client = org.manager.client
    trusted(org, SSO)
    register(org, closed.id, SSO)
    client.close_account(AccountId=closed.id)
    world.clock.set(at + timedelta(days=90))
    assert administrators(org) == []
    assert (
        world.rows(
            "SELECT * FROM delegated_administrators WHERE account_id = ?", closed.id
        )
        == []
    )
    not_found(client.list_delegated_services_for_account, AccountId=closed.id)
    register(org, successor.id, SSO)
    assert [item["Id"] for item in administrators(org)] == [successor.id]


# -- M8: the seed -----------------------------------------------------------------------------


def _seed() -> dict[str, Any]:
    accounts = dummy_accounts(3)
    manager, member, other = (account["id"] for account in accounts)
    return {
        "organizations": [
            {
                "id": "o-seeddelegated",
                "management_account_id": manager,
                "created": "2020-01-01T00:00:00Z",
                "members": [
                    {"account_id": member, "joined": "2020-01-02T00:00:00Z"},
                    {"account_id": other, "joined": "2020-01-02T00:00:00Z"},
                ],
            }
        ],
        "enabled_services": [
            {
                "organization_id": "o-seeddelegated",
                "service_principal": SSO,
                "enabled": "2020-02-01T00:00:00Z",
            },
            {
                "organization_id": "o-seeddelegated",
                "service_principal": "retired.amazonaws.com",
                "enabled": "2020-01-15T00:00:00Z",
            },
        ],
        "delegated_administrators": [
            {
                "account_id": member,
                "service_principal": SSO,
                "registered": "2020-03-01T00:00:00.123Z",
            }
        ],
    }


def test_m8_seeded_service_access_and_registrations(tmp_path: Path) -> None:
    """M8: `enabled_services` and `delegated_administrators` load with their instants
    (a principal the registry does not know included: the seed is stored state); the
    seeded delegated administrator reads (Z4); loading again changes nothing."""
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(_seed()))
    accounts = dummy_accounts(3)
    with serving(tmp_path, "sqlite", "--seed", str(seed), accounts=accounts) as world:
        manager, member, _ = (world.account() for _ in range(3))
        listed = manager.client.list_aws_service_access_for_organization()
        assert [
            (item["ServicePrincipal"], item["DateEnabled"])
            for item in listed["EnabledServicePrincipals"]
        ] == [
            ("retired.amazonaws.com", datetime(2020, 1, 15, tzinfo=UTC)),
            (SSO, datetime(2020, 2, 1, tzinfo=UTC)),
        ]
        admins = member.client.list_delegated_administrators()
        assert [
            (item["Id"], item["DelegationEnabledDate"])
            for item in admins["DelegatedAdministrators"]
        ] == [(member.id, datetime(2020, 3, 1, 0, 0, 0, 123000, tzinfo=UTC))]
    again = _seed()
    again["enabled_services"][0]["enabled"] = "2021-01-01T00:00:00Z"
    again["delegated_administrators"][0]["registered"] = "2021-01-01T00:00:00Z"
    db = str(tmp_path / "again.sqlite3")
    for document in (_seed(), again):
        with in_process(db, accounts, document) as loaded:
            with loaded.database.transaction(write=False) as tx:
                stored = [
                    [dict(row) for row in tx.all(f"SELECT * FROM {table}")]
                    for table in ("enabled_services", "delegated_administrators")
                ]
        assert [len(rows) for rows in stored] == [2, 1]
        assert {row["enabled_at"] for row in stored[0]} == {
            1579046400000,
            1580515200000,
        }
        assert stored[1][0]["registered_at"] == 1583020800123


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {
                "enabled_services": [
                    {"organization_id": "o-unknownorg1", "service_principal": SSO}
                ]
            },
            "enabled_services[0]: organization 'o-unknownorg1' is unknown",
        ),
        (
            {
                "enabled_services": [
                    {
                        "organization_id": "o-seeddelegated",
                        "service_principal": "a" * 129,
                    }
                ]
            },
            "enabled_services[0]: 'aaaa",
        ),
        (
            {
                "delegated_administrators": [
                    {"account_id": "900000000001", "service_principal": SSO}
                ]
            },
            "delegated_administrators[0]: account '900000000001' is its organization's"
            " management account",
        ),
        (
            {
                "delegated_administrators": [
                    {"account_id": "900000000002", "service_principal": CONFIG}
                ]
            },
            "delegated_administrators[0]: 'config.amazonaws.com' has no trusted access",
        ),
        (
            {
                "delegated_administrators": [
                    {"account_id": "900000000004", "service_principal": SSO}
                ]
            },
            "delegated_administrators[0]: account '900000000004' is in no organization",
        ),
        (
            {"delegated_administrators": [{"service_principal": SSO}]},
            "delegated_administrators[0]: lacks 'account_id'",
        ),
    ],
)
def test_m8_a_bad_seed_entry_is_named(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    """M8: a bad entry of either section stops loading with one line naming it."""
    seed = {**_seed(), **change}
    with pytest.raises(ValueError) as raised:
        with in_process(str(tmp_path / "db.sqlite3"), dummy_accounts(4), seed):
            pass
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
