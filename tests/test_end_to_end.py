"""A landing zone set up and torn down as a user's automation would, through real boto3
clients against a real `botogen serve`, on SQLite and PostgreSQL: every part of the API
in one story.

1. Bill creates an organization (ALL features) and an OU tree (Security, Workloads with
   Prod and Dev under it).
2. He creates three accounts with CreateAccount; their entries in the accounts file are
   provisionable (M2), so once created they can sign requests. He moves them into the tree.
3. He enables tag policies, creates a service control policy and a tag policy, attaches
   them (the SCP to Workloads, the tag policy to the root) and reads the effective tag
   policy of an account in Prod.
4. He enables trusted access for GuardDuty and registers the Security account as its
   delegated administrator, which then reads the organization (ListAccounts, ListRoots,
   the tree, the policies) but may not change it.
5. He invites an outside account, which declines.
6. Teardown: the delegated administrator is deregistered, trusted access disabled, the
   accounts removed once their waiting period has passed (the business clock moves four
   days on), and DeleteOrganization leaves Bill standalone, his policies and OUs gone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.world import UTC, Actor, World, engine, fails_with, serving

__all__ = ["engine"]

GUARDDUTY = "guardduty.amazonaws.com"
SCP = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Action": "ec2:TerminateInstances", "Resource": "*"}
        ],
    }
)
TAG_POLICY = json.dumps(
    {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}}}}
)


def _entry(number: int, name: str, *, provisionable: bool = False) -> dict[str, Any]:
    """A dummy accounts-file entry (never real credentials)."""
    entry: dict[str, Any] = {
        "id": f"55500000000{number}",
        "name": name,
        "email": f"{name.lower()}@landing.example.com",
        "access_key_id": f"AKIATESTLANDING{number:04d}",
        "secret_access_key": f"test-secret-landing-{number}",
    }
    if provisionable:
        entry["provisionable"] = True
    return entry


BILL = _entry(1, "Bill")
OUTSIDER = _entry(2, "Outsider")
CREATED = [
    _entry(3, "Security", provisionable=True),
    _entry(4, "Prod", provisionable=True),
    _entry(5, "Dev", provisionable=True),
]


@pytest.fixture(scope="module")
def landing(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp(f"landing-{engine}")
    with serving(
        folder, engine, clock=True, accounts=[BILL, OUTSIDER, *CREATED]
    ) as running:
        yield running


def _actor(world: World, entry: dict[str, Any]) -> Actor:
    fields = {k: v for k, v in entry.items() if k != "provisionable"}
    actor = Actor(**fields)
    actor.client = world.client(actor)
    return actor


def test_a_landing_zone_from_creation_to_deletion(landing: World) -> None:
    start = landing.clock.set(datetime(2032, 1, 10, 9, 0, tzinfo=UTC))
    bill, outsider = _actor(landing, BILL), _actor(landing, OUTSIDER)
    org = bill.client

    # 1. The organization and its tree.
    created = org.create_organization(FeatureSet="ALL")["Organization"]
    root = org.list_roots()["Roots"][0]["Id"]
    ous: dict[str, str] = {}
    for name, parent in (
        ("Security", root),
        ("Workloads", root),
        ("Prod", "Workloads"),
        ("Dev", "Workloads"),
    ):
        ous[name] = org.create_organizational_unit(
            ParentId=ous.get(parent, parent), Name=name
        )["OrganizationalUnit"]["Id"]

    # 2. Accounts, created and placed.
    members: dict[str, Actor] = {}
    for entry in CREATED:
        org.create_account(Email=entry["email"], AccountName=entry["name"])
        members[entry["name"]] = _actor(landing, entry)
        org.move_account(
            AccountId=entry["id"],
            SourceParentId=root,
            DestinationParentId=ous[entry["name"]],
        )
    listed = org.list_accounts()["Accounts"]
    assert [a["Id"] for a in listed] == [BILL["id"]] + [e["id"] for e in CREATED]
    prod = members["Prod"]
    assert prod.client.describe_organization()["Organization"]["Id"] == created["Id"]

    # 3. Policies.
    org.enable_policy_type(RootId=root, PolicyType="TAG_POLICY")
    scp = org.create_policy(
        Content=SCP,
        Description="No terminating",
        Name="KeepInstances",
        Type="SERVICE_CONTROL_POLICY",
    )["Policy"]["PolicySummary"]["Id"]
    tags = org.create_policy(
        Content=TAG_POLICY,
        Description="Cost centres",
        Name="CostCenter",
        Type="TAG_POLICY",
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp, TargetId=ous["Workloads"])
    org.attach_policy(PolicyId=tags, TargetId=root)
    attached = org.list_policies_for_target(
        TargetId=ous["Workloads"], Filter="SERVICE_CONTROL_POLICY"
    )["Policies"]
    assert [p["Id"] for p in attached] == ["p-FullAWSAccess", scp]
    effective = org.describe_effective_policy(
        PolicyType="TAG_POLICY", TargetId=prod.id
    )["EffectivePolicy"]
    assert json.loads(effective["PolicyContent"]) == {
        "tags": {"costcenter": {"tag_key": "CostCenter"}}
    }
    mine = prod.client.describe_effective_policy(PolicyType="TAG_POLICY")
    assert mine["EffectivePolicy"]["PolicyContent"] == effective["PolicyContent"]

    # 4. Trusted access and a delegated administrator that reads.
    security = members["Security"]
    org.enable_aws_service_access(ServicePrincipal=GUARDDUTY)
    org.register_delegated_administrator(
        AccountId=security.id, ServicePrincipal=GUARDDUTY
    )
    admin = security.client
    assert [a["Id"] for a in admin.list_accounts()["Accounts"]] == [
        a["Id"] for a in listed
    ]
    assert admin.list_roots()["Roots"][0]["Id"] == root
    children = admin.list_children(
        ParentId=ous["Workloads"], ChildType="ORGANIZATIONAL_UNIT"
    )
    assert {c["Id"] for c in children["Children"]} == {ous["Prod"], ous["Dev"]}
    assert [p["Id"] for p in admin.list_policies(Filter="TAG_POLICY")["Policies"]] == [
        tags
    ]
    delegated = admin.list_delegated_administrators()["DelegatedAdministrators"]
    assert [d["Id"] for d in delegated] == [security.id]
    fails_with(
        "AccessDeniedException",
        admin.create_organizational_unit,
        ParentId=root,
        Name="Mine",
    )

    # 5. An outside account is invited and declines.
    handshake = org.invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": outsider.id}
    )["Handshake"]
    declined = outsider.client.decline_handshake(HandshakeId=handshake["Id"])
    assert declined["Handshake"]["State"] == "DECLINED"
    fails_with("AWSOrganizationsNotInUseException", outsider.client.list_roots)

    # 6. Teardown.
    fails_with("OrganizationNotEmptyException", org.delete_organization)
    org.deregister_delegated_administrator(
        AccountId=security.id, ServicePrincipal=GUARDDUTY
    )
    org.disable_aws_service_access(ServicePrincipal=GUARDDUTY)
    fails_with("AccessDeniedException", admin.list_accounts)
    landing.clock.set(start + timedelta(days=4, hours=1))  # A16's waiting period
    for member in members.values():
        org.remove_account_from_organization(AccountId=member.id)
    org.delete_organization()
    fails_with("AWSOrganizationsNotInUseException", org.describe_organization)
    again = org.create_organization()["Organization"]
    assert again["Id"] != created["Id"]
    new_root = org.list_roots()["Roots"][0]["Id"]
    assert (
        org.list_organizational_units_for_parent(ParentId=new_root)[
            "OrganizationalUnits"
        ]
        == []
    )
    assert org.list_policies(Filter="TAG_POLICY")["Policies"] == []
    assert (
        org.list_aws_service_access_for_organization()["EnabledServicePrincipals"] == []
    )
    assert [a["Id"] for a in org.list_accounts()["Accounts"]] == [BILL["id"]]
    org.delete_organization()
    landing.clock.wall()
