"""Trusted access (`docs/organizations.md`, "Trusted access and delegated
administrators": D1–D5, D2 for every write of §9, O5's cleanup, L1–L5 for the listing),
through real boto3 clients against a real server, on SQLite and PostgreSQL.

One server per engine, with the default registry of service principals (D1) and a
business clock that each test sets to an instant no other test uses (`fresh_instant`),
so that DateEnabled is known to the millisecond. The delegated-administrator
operations are `test_delegated.py`'s; the replaced registry is tested there, on a
server started with `--config`.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.server import BOTOGEN, ROOT
from support.world import (
    MS,
    UTC,
    Org,
    World,
    engine,
    fails_with,
    fresh_instants,
    serving,
)

__all__ = ["engine"]

ENV = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}

ACCESS_DENIED = "You don't have permissions to access this resource."
NOT_IN_USE = "Your account is not a member of an organization."
UNRECOGNIZED = "You specified a service principal that isn't recognized."
CONSTRAINT = "Performing this operation violates a minimum or maximum value limit."
#: D1's default registry.
DEFAULT_PRINCIPALS = [
    f"{name}.amazonaws.com"
    for name in (
        "access-analyzer",
        "account",
        "backup",
        "cloudtrail",
        "config",
        "config-multiaccountsetup",
        "detective",
        "fms",
        "guardduty",
        "inspector2",
        "ipam",
        "macie",
        "ram",
        "securityhub",
        "ssm",
        "sso",
        "tagpolicies.tag",
        "member.org.stacksets.cloudformation",
    )
]


@pytest.fixture(scope="module")
def world(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"service-access-{engine}")
    with serving(folder, engine, clock=True) as running:
        yield running


#: Sets the business clock to a stretch of time no other test of the module uses.
fresh_instant = fresh_instants(datetime(2031, 1, 1, tzinfo=UTC), timedelta(days=10))


def enabled(org: Org) -> list[tuple[str, datetime]]:
    """ListAWSServiceAccessForOrganization, every page, as (principal, DateEnabled)."""
    pages = org.manager.client.get_paginator(
        "list_aws_service_access_for_organization"
    ).paginate()
    return [
        (item["ServicePrincipal"], item["DateEnabled"])
        for page in pages
        for item in page["EnabledServicePrincipals"]
    ]


def principals(org: Org) -> list[str]:
    return [principal for principal, _ in enabled(org)]


def unrecognized(call: Any, **params: Any) -> None:
    failure = fails_with("InvalidInputException", call, **params)
    assert failure["Reason"] == "UNRECOGNIZED_SERVICE_PRINCIPAL"
    assert failure["Error"]["Message"] == UNRECOGNIZED


def violation(reason: str, call: Any, **params: Any) -> None:
    failure = fails_with("ConstraintViolationException", call, **params)
    assert failure["Reason"] == reason
    assert failure["Error"]["Message"] == CONSTRAINT


def answer(response: dict[str, Any]) -> dict[str, Any]:
    """A response without botocore's ResponseMetadata (`{}` for the writes here)."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


# -- D1: the registry ---------------------------------------------------------------------


def test_d1_default_registry(world: World) -> None:
    """D1: every principal of the default list may be given trusted access; any other
    name, another case or a near miss included, is UNRECOGNIZED_SERVICE_PRINCIPAL, for
    Enable and Disable alike (V1 step 6)."""
    fresh_instant(world)
    org = world.organization()
    client = org.manager.client
    for principal in DEFAULT_PRINCIPALS:
        assert (
            answer(client.enable_aws_service_access(ServicePrincipal=principal)) == {}
        )
    assert sorted(principals(org)) == sorted(DEFAULT_PRINCIPALS)
    for name in (
        "s3.amazonaws.com",
        "SSO.amazonaws.com",
        "sso",
        "sso.amazonaws.com ",
        "stacksets.cloudformation.amazonaws.com",
        "é" * 20,
    ):
        unrecognized(client.enable_aws_service_access, ServicePrincipal=name)
        unrecognized(client.disable_aws_service_access, ServicePrincipal=name)
    assert len(principals(org)) == len(DEFAULT_PRINCIPALS)


def test_d1_hostile_principals_get_aws_answers(world: World) -> None:
    """R8 before D1: an empty or 129-character principal fails the model's length
    (MIN/MAX_LENGTH_EXCEEDED); a forged page token is INVALID_NEXT_TOKEN (L2); the
    model's MaxResults range holds (L1). Never a 500."""
    fresh_instant(world)
    org = world.organization()
    client = world.client(org.manager, parameter_validation=False)
    for value, reason in (
        ("", "MIN_LENGTH_EXCEEDED"),
        ("a" * 129, "MAX_LENGTH_EXCEEDED"),
    ):
        failure = fails_with(
            "InvalidInputException",
            client.enable_aws_service_access,
            ServicePrincipal=value,
        )
        assert failure["Reason"] == reason
    listing = client.list_aws_service_access_for_organization
    for params, reason in (
        ({"NextToken": "x" * 5000}, "INVALID_NEXT_TOKEN"),
        ({"MaxResults": 21}, "MAX_VALUE_EXCEEDED"),
        ({"MaxResults": 0}, "MIN_VALUE_EXCEEDED"),
    ):
        assert fails_with("InvalidInputException", listing, **params)["Reason"] == (
            reason
        )


@pytest.mark.parametrize(
    "args, names",
    [
        (
            ["--service-principals", '{"x.amazonaws.com": {"trusted_access": 1}}'],
            ["service_principals.x.amazonaws.com.trusted_access"],
        ),
        (
            ["--service-principals", "absent-principals.json"],
            ["service_principals", "absent-principals.json", "cannot read"],
        ),
        (
            ["--service-principals", '{"a b": {}}'],
            ["service_principals", "should match pattern"],
        ),
        (
            ["--config", "config.json"],
            ["service_principals.sso.amazonaws.com.max_delegated_administrators"],
        ),
    ],
)
def test_d1_a_bad_registry_stops_the_server(
    tmp_path: Path, args: list[str], names: list[str]
) -> None:
    """M7: a registry the server cannot use stops it at start, with one line naming the
    setting and what is wrong; nothing is opened."""
    (tmp_path / "config.json").write_text(
        json.dumps(
            {
                "service_principals": {
                    "sso.amazonaws.com": {"max_delegated_administrators": 0}
                }
            }
        )
    )
    db = tmp_path / "db.sqlite3"
    run = subprocess.run(
        [str(BOTOGEN), "serve", "--port", "0", "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=ENV,
        timeout=120,
    )
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("botogen: "), run.stderr
    for name in names:
        assert name in lines[0]
    assert not db.exists()


# -- D2: ALL features -----------------------------------------------------------------------


def test_d2_writes_need_all_features(world: World) -> None:
    """D2 (V1 step 5): in a CONSOLIDATED_BILLING organization every write of §9 is
    ORGANIZATION_NOT_IN_ALL_FEATURES_MODE, before the principal is checked (step 6) and
    the account looked for (step 7); the reads answer."""
    fresh_instant(world)
    org = world.organization("CONSOLIDATED_BILLING", members=1)
    client = org.manager.client
    member = org.members[0].id
    for principal in ("sso.amazonaws.com", "unknown.example.com"):
        for call, params in (
            (client.enable_aws_service_access, {}),
            (client.disable_aws_service_access, {}),
            (client.register_delegated_administrator, {"AccountId": member}),
            (client.deregister_delegated_administrator, {"AccountId": member}),
            (client.register_delegated_administrator, {"AccountId": "123456789012"}),
        ):
            violation(
                "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
                call,
                ServicePrincipal=principal,
                **params,
            )
    assert enabled(org) == []
    listed = client.list_delegated_administrators()
    assert listed["DelegatedAdministrators"] == []


# -- D3: EnableAWSServiceAccess ---------------------------------------------------------------


def test_d3_enable_keeps_the_first_date(world: World) -> None:
    """D3: DateEnabled is the business clock at the first enabling; enabling again
    succeeds and keeps it."""
    first = fresh_instant(world)
    org = world.organization()
    client = org.manager.client
    client.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    world.clock.set(first + timedelta(hours=5))
    assert (
        answer(client.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com"))
        == {}
    )
    assert enabled(org) == [("sso.amazonaws.com", first)]


def test_d3_c8_racing_enables_store_one_principal(world: World) -> None:
    """C8: eight concurrent enablings of one principal all succeed and store it once."""
    at = fresh_instant(world)
    org = world.organization()
    clients = [world.client(org.manager) for _ in range(8)]

    def enable(client: Any) -> dict[str, Any]:
        return answer(
            client.enable_aws_service_access(ServicePrincipal="ram.amazonaws.com")
        )

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(enable, clients)) == [{}] * 8
    assert enabled(org) == [("ram.amazonaws.com", at)]
    rows = world.rows(
        "SELECT service_principal FROM enabled_services WHERE organization_id = ?",
        org.id,
    )
    assert rows == [{"service_principal": "ram.amazonaws.com"}]


def test_d3_d5_z_callers(world: World) -> None:
    """Z1, Z2 (matrix rows 38–40) before D1: a member gets AccessDenied for the writes
    and, being neither delegated administrator nor delegate, for the listing; an account
    in no organization AWSOrganizationsNotInUse; both even with an unknown principal
    (V1 steps 3, 4 before 6)."""
    fresh_instant(world)
    org = world.organization(members=1)
    member = org.members[0].client
    loner = world.account().client
    for principal in ("sso.amazonaws.com", "nope"):
        for call in ("enable_aws_service_access", "disable_aws_service_access"):
            failure = fails_with(
                "AccessDeniedException",
                getattr(member, call),
                ServicePrincipal=principal,
            )
            assert failure["Error"]["Message"] == ACCESS_DENIED
            failure = fails_with(
                "AWSOrganizationsNotInUseException",
                getattr(loner, call),
                ServicePrincipal=principal,
            )
            assert failure["Error"]["Message"] == NOT_IN_USE
    fails_with("AccessDeniedException", member.list_aws_service_access_for_organization)
    fails_with(
        "AWSOrganizationsNotInUseException",
        loner.list_aws_service_access_for_organization,
    )


# -- D4: DisableAWSServiceAccess ------------------------------------------------------------


def test_d4_disable_not_enabled_is_a_no_op(world: World) -> None:
    """D4: disabling a principal that is not enabled succeeds and changes nothing."""
    at = fresh_instant(world)
    org = world.organization()
    client = org.manager.client
    client.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    assert (
        answer(client.disable_aws_service_access(ServicePrincipal="ram.amazonaws.com"))
        == {}
    )
    assert enabled(org) == [("sso.amazonaws.com", at)]
    client.disable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    assert enabled(org) == []
    assert (
        answer(client.disable_aws_service_access(ServicePrincipal="sso.amazonaws.com"))
        == {}
    )


def test_d4_disable_removes_the_registrations(world: World) -> None:
    """D4: disabling a principal removes its delegated administrators' registrations,
    and with the last one a member's Z4 reads; other principals' stay."""
    fresh_instant(world)
    org = world.organization(members=2)
    client = org.manager.client
    first, second = org.members
    for principal in ("sso.amazonaws.com", "ram.amazonaws.com"):
        client.enable_aws_service_access(ServicePrincipal=principal)
    client.register_delegated_administrator(
        AccountId=first.id, ServicePrincipal="sso.amazonaws.com"
    )
    client.register_delegated_administrator(
        AccountId=second.id, ServicePrincipal="ram.amazonaws.com"
    )
    assert first.client.list_accounts()["Accounts"]  # Z4: a delegated administrator
    client.disable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    assert principals(org) == ["ram.amazonaws.com"]
    listed = client.list_delegated_administrators()["DelegatedAdministrators"]
    assert [item["Id"] for item in listed] == [second.id]
    fails_with(
        "AccountNotRegisteredException",
        client.list_delegated_services_for_account,
        AccountId=first.id,
    )
    fails_with("AccessDeniedException", first.client.list_accounts)
    assert second.client.list_accounts()["Accounts"]


def test_d4_policy_type_enabled_for_this_service(world: World) -> None:
    """D4, P1: while SECURITYHUB_POLICY or SECURITYHUB_CSPM_POLICY is enabled in the
    root, securityhub.amazonaws.com cannot be disabled
    (POLICY_TYPE_ENABLED_FOR_THIS_SERVICE) and stays, registrations included; other
    principals are not held back. (EnablePolicyType is another part's: the type is
    enabled in the database.)"""
    fresh_instant(world)
    org = world.organization(members=1)
    client = org.manager.client
    hub = "securityhub.amazonaws.com"
    for principal in (hub, "sso.amazonaws.com"):
        client.enable_aws_service_access(ServicePrincipal=principal)
    client.register_delegated_administrator(
        AccountId=org.members[0].id, ServicePrincipal=hub
    )
    for policy_type in ("SECURITYHUB_POLICY", "SECURITYHUB_CSPM_POLICY"):
        world.execute(
            "INSERT INTO enabled_policy_types (organization_id, policy_type, seq)"
            " VALUES (?, ?, 100)",
            org.id,
            policy_type,
        )
        violation(
            "POLICY_TYPE_ENABLED_FOR_THIS_SERVICE",
            client.disable_aws_service_access,
            ServicePrincipal=hub,
        )
        client.disable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
        assert principals(org) == [hub]
        assert (
            len(client.list_delegated_administrators()["DelegatedAdministrators"]) == 1
        )
        world.execute(
            "DELETE FROM enabled_policy_types WHERE organization_id = ? AND policy_type = ?",
            org.id,
            policy_type,
        )
        client.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    client.disable_aws_service_access(ServicePrincipal=hub)
    assert principals(org) == ["sso.amazonaws.com"]


# -- D5: ListAWSServiceAccessForOrganization ---------------------------------------------------


def test_d5_list_order_and_pages(world: World) -> None:
    """D5, L3: (DateEnabled, principal) order; L1, L4, L5: MaxResults 1 pages through
    every principal once, never an empty page with a token; L2: a token is bound to the
    operation and the caller's organization."""
    at = fresh_instant(world)
    org = world.organization()
    client = org.manager.client
    for principal in (
        "sso.amazonaws.com",
        "ram.amazonaws.com",
        "account.amazonaws.com",
    ):
        client.enable_aws_service_access(ServicePrincipal=principal)
    later = world.clock.set(at + MS)
    client.enable_aws_service_access(ServicePrincipal="access-analyzer.amazonaws.com")
    assert enabled(org) == [
        ("account.amazonaws.com", at),
        ("ram.amazonaws.com", at),
        ("sso.amazonaws.com", at),
        ("access-analyzer.amazonaws.com", later),
    ]
    seen: list[str] = []
    token: str | None = None
    for _ in range(10):
        page = client.list_aws_service_access_for_organization(
            MaxResults=1, **({"NextToken": token} if token else {})
        )
        items = page["EnabledServicePrincipals"]
        seen += [item["ServicePrincipal"] for item in items]
        token = page.get("NextToken")
        if not token:
            break
        assert len(items) == 1
    assert seen == principals(org)
    first = client.list_aws_service_access_for_organization(MaxResults=1)["NextToken"]
    other = world.organization().manager.client
    for call in (
        other.list_aws_service_access_for_organization,
        client.list_delegated_administrators,
    ):
        failure = fails_with("InvalidInputException", call, NextToken=first)
        assert failure["Reason"] == "INVALID_NEXT_TOKEN"


# -- O5: DeleteOrganization ---------------------------------------------------------------


def test_o5_delete_organization_removes_service_access(world: World) -> None:
    """O5: DeleteOrganization deletes the organization's trusted access (and any
    registration, `cascade.organization_deleted`); the former management account's next
    organization starts with none."""
    fresh_instant(world)
    org = world.organization()
    client = org.manager.client
    for principal in ("sso.amazonaws.com", "ram.amazonaws.com"):
        client.enable_aws_service_access(ServicePrincipal=principal)
    client.delete_organization()
    for table in ("enabled_services", "delegated_administrators"):
        assert (
            world.rows(f"SELECT * FROM {table} WHERE organization_id = ?", org.id) == []
        )
    client.create_organization(FeatureSet="ALL")
    assert (
        client.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
        == []
    )
