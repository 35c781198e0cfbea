"""Attachments (`docs/organizations.md`, "Policies": P15–P19), through real boto3
clients against a real server, on SQLite and PostgreSQL (one server per module and
engine, plus one with small attachment limits; tests keep apart by using fresh accounts,
`World.account()`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from support.policies import (
    FULL_ACCESS,
    RCP,
    RCP_FULL_ACCESS,
    SCP,
    TAG,
    attached,
    create_ou,
    create_policy,
    enable,
    root_id,
    target_ids,
    targets,
)
from support.world import World, engine, fails_with, serving, world

__all__ = ["engine", "world"]

LIMIT = "Performing this operation violates a minimum or maximum value limit."
TOO_MANY = "You have attached the maximum number of policies to the specified target."
NOT_ENABLED = "The specified policy type isn't currently enabled in this root."


@pytest.fixture(scope="module")
def limited(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server where a target takes 2 tag policies and 3 SCPs (M7)."""
    folder = tmp_path_factory.mktemp(f"limited-attachments-{engine}")
    limits = "TAG_POLICY=2, SERVICE_CONTROL_POLICY=3"
    with serving(folder, engine, "--attachment-limits", limits) as running:
        yield running


# -- P17: AttachPolicy -----------------------------------------------------------------------


def test_p17_attach_policy(world: World) -> None:
    """P17: a policy attaches to the root, an OU or an account, the management account
    included; the attachment comes after the target's others (P15). Response `{}`."""
    org = world.organization(members=1)
    client = org.manager.client
    ou = create_ou(org, "Team")
    policy = create_policy(org, SCP)
    for target in (org.manager.id, ou, root_id(org), org.members[0].id):
        answer = client.attach_policy(PolicyId=policy["Id"], TargetId=target)
        assert set(answer) == {"ResponseMetadata"}
        assert attached(org, target) == [FULL_ACCESS, policy["Id"]]
    assert target_ids(org, policy["Id"]) == [
        org.manager.id,
        ou,
        root_id(org),
        org.members[0].id,
    ]


def test_p17_attach_policy_checks(world: World) -> None:
    """P17, in order: the policy (PolicyNotFound), the target (TargetNotFound, another
    organization's too, C5), the type not enabled (PolicyTypeNotEnabled), already
    attached (DuplicatePolicyAttachment, C6's message)."""
    org = world.organization()
    client = org.manager.client
    tag = create_policy(org, TAG)
    scp = create_policy(org, SCP)
    outsider = world.organization()
    fails_with(
        "PolicyNotFoundException",
        client.attach_policy,
        PolicyId="p-0000000000",
        TargetId="000000000000",
    )
    for target in (
        "000000000000",
        outsider.manager.id,
        root_id(outsider),
        "ou-ab12-00000000",
    ):
        fails_with(
            "TargetNotFoundException",
            client.attach_policy,
            PolicyId=tag["Id"],
            TargetId=target,
        )
    error = fails_with(
        "PolicyTypeNotEnabledException",
        client.attach_policy,
        PolicyId=tag["Id"],
        TargetId=org.manager.id,
    )
    assert error["Error"]["Message"] == NOT_ENABLED
    error = fails_with(
        "DuplicatePolicyAttachmentException",
        client.attach_policy,
        PolicyId=FULL_ACCESS,
        TargetId=org.manager.id,
    )
    assert error["Error"]["Message"] == (
        "A policy with the specified name and type already exists."
    )
    client.attach_policy(PolicyId=scp["Id"], TargetId=org.manager.id)
    fails_with(
        "DuplicatePolicyAttachmentException",
        client.attach_policy,
        PolicyId=scp["Id"],
        TargetId=org.manager.id,
    )


def test_p17_attach_limit(world: World) -> None:
    """P17, P10: five SCPs per target, FullAWSAccess counted; the sixth is
    ConstraintViolation MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED with C6's message;
    the limit is per target and per type."""
    org = world.organization(members=1)
    client = org.manager.client
    member = org.members[0].id
    scps = [create_policy(org, SCP) for _ in range(5)]
    for policy in scps[:4]:
        client.attach_policy(PolicyId=policy["Id"], TargetId=member)
    error = fails_with(
        "ConstraintViolationException",
        client.attach_policy,
        PolicyId=scps[4]["Id"],
        TargetId=member,
    )
    assert error["Reason"] == "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    assert error["Error"]["Message"] == TOO_MANY
    assert len(attached(org, member)) == 5
    client.attach_policy(PolicyId=scps[4]["Id"], TargetId=org.manager.id)
    enable(org, TAG)
    client.attach_policy(PolicyId=create_policy(org, TAG)["Id"], TargetId=member)
    client.detach_policy(PolicyId=FULL_ACCESS, TargetId=member)
    client.attach_policy(PolicyId=scps[4]["Id"], TargetId=member)


def test_p17_m7_attachment_limits_setting(limited: World) -> None:
    """M7: `--attachment-limits` replaces P1's maxima per type."""
    org = limited.organization()
    client = org.manager.client
    enable(org, TAG)
    tags = [create_policy(org, TAG) for _ in range(3)]
    scps = [create_policy(org, SCP) for _ in range(3)]
    for policy in tags[:2] + scps[:2]:
        client.attach_policy(PolicyId=policy["Id"], TargetId=org.manager.id)
    for policy in (tags[2], scps[2]):
        error = fails_with(
            "ConstraintViolationException",
            client.attach_policy,
            PolicyId=policy["Id"],
            TargetId=org.manager.id,
        )
        assert error["Reason"] == "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"


# -- P18: DetachPolicy ------------------------------------------------------------------------


def test_p18_detach_policy(world: World) -> None:
    """P18: FullAWSAccess detaches once another SCP is attached; the target's last SCP
    is ConstraintViolation MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED; management types
    detach down to none. Response `{}`."""
    org = world.organization()
    client = org.manager.client
    target = create_ou(org, "Team")
    scp = create_policy(org, SCP)
    error = fails_with(
        "ConstraintViolationException",
        client.detach_policy,
        PolicyId=FULL_ACCESS,
        TargetId=target,
    )
    assert error["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    assert error["Error"]["Message"] == LIMIT
    client.attach_policy(PolicyId=scp["Id"], TargetId=target)
    answer = client.detach_policy(PolicyId=FULL_ACCESS, TargetId=target)
    assert set(answer) == {"ResponseMetadata"}
    assert attached(org, target) == [scp["Id"]]
    fails_with(
        "ConstraintViolationException",
        client.detach_policy,
        PolicyId=scp["Id"],
        TargetId=target,
    )
    enable(org, TAG)
    tag = create_policy(org, TAG)
    client.attach_policy(PolicyId=tag["Id"], TargetId=target)
    client.detach_policy(PolicyId=tag["Id"], TargetId=target)
    assert attached(org, target, TAG) == []


def test_p18_detach_policy_checks(world: World) -> None:
    """P18, in order: the policy, the target, not attached (PolicyNotAttached), then
    RCPFullAWSAccess (InvalidInput NON_DETACHABLE_POLICY, even beside another RCP)."""
    org = world.organization()
    client = org.manager.client
    scp = create_policy(org, SCP)
    fails_with(
        "PolicyNotFoundException",
        client.detach_policy,
        PolicyId="p-0000000000",
        TargetId="000000000000",
    )
    fails_with(
        "TargetNotFoundException",
        client.detach_policy,
        PolicyId=scp["Id"],
        TargetId="000000000000",
    )
    error = fails_with(
        "PolicyNotAttachedException",
        client.detach_policy,
        PolicyId=scp["Id"],
        TargetId=org.manager.id,
    )
    assert error["Error"]["Message"] == (
        "The policy isn't attached to the specified target in the specified root."
    )
    fails_with(  # RCPs not enabled: it is attached nowhere
        "PolicyNotAttachedException",
        client.detach_policy,
        PolicyId=RCP_FULL_ACCESS,
        TargetId=org.manager.id,
    )
    enable(org, RCP)
    rcp = create_policy(org, RCP)
    client.attach_policy(PolicyId=rcp["Id"], TargetId=org.manager.id)
    error = fails_with(
        "InvalidInputException",
        client.detach_policy,
        PolicyId=RCP_FULL_ACCESS,
        TargetId=org.manager.id,
    )
    assert error["Reason"] == "NON_DETACHABLE_POLICY"
    assert error["Error"]["Message"] == (
        "You can't detach this Amazon Web Services Managed Policy."
    )
    client.detach_policy(PolicyId=rcp["Id"], TargetId=org.manager.id)
    assert attached(org, org.manager.id, RCP) == [RCP_FULL_ACCESS]


# -- P15, P16: the listings --------------------------------------------------------------------


def test_p15_list_policies_for_target(world: World) -> None:
    """P15, L1–L5: direct attachments only, of the type asked, in attachment order,
    paged; a type not enabled has none; an unknown target is TargetNotFound."""
    org = world.organization(members=1)
    client = org.manager.client
    member = org.members[0].id
    first, second, on_root = (create_policy(org, SCP) for _ in range(3))
    client.attach_policy(PolicyId=second["Id"], TargetId=member)
    client.attach_policy(PolicyId=first["Id"], TargetId=member)
    client.attach_policy(PolicyId=on_root["Id"], TargetId=root_id(org))
    listed = client.list_policies_for_target(TargetId=member, Filter=SCP)
    assert "NextToken" not in listed
    assert [p["Id"] for p in listed["Policies"]] == [
        FULL_ACCESS,
        second["Id"],
        first["Id"],
    ]
    assert listed["Policies"][2] == first  # the summary, no content
    pages = []
    params: dict[str, Any] = {"TargetId": member, "Filter": SCP, "MaxResults": 2}
    while True:
        page = client.list_policies_for_target(**params)
        pages.append([p["Id"] for p in page["Policies"]])
        if "NextToken" not in page:
            break
        params["NextToken"] = page["NextToken"]
    assert pages == [[FULL_ACCESS, second["Id"]], [first["Id"]]]
    assert (
        client.list_policies_for_target(TargetId=member, Filter=TAG)["Policies"] == []
    )
    for target in ("000000000000", world.organization().manager.id):
        fails_with(
            "TargetNotFoundException",
            client.list_policies_for_target,
            TargetId=target,
            Filter=SCP,
        )
    error = fails_with(
        "InvalidInputException",
        client.list_policies_for_target,
        TargetId=org.manager.id,
        Filter=SCP,
        NextToken=page_token(client, member),
    )
    assert error["Reason"] == "INVALID_NEXT_TOKEN"  # L2: bound to the target


def page_token(client: Any, target: str) -> str:
    token: str = client.list_policies_for_target(
        TargetId=target, Filter=SCP, MaxResults=1
    )["NextToken"]
    return token


def test_p16_list_targets_for_policy(world: World) -> None:
    """P16, L1–L5: `{TargetId, Arn, Name, Type}` in attachment order, named "Root",
    the OU's or the account's name; paged; an unknown policy is PolicyNotFound."""
    org = world.organization(members=1)
    client = org.manager.client
    ou = create_ou(org, "Finance")
    policy = create_policy(org, SCP)
    member = org.members[0]
    for target in (member.id, ou, root_id(org)):
        client.attach_policy(PolicyId=policy["Id"], TargetId=target)
    prefix = f"arn:aws:organizations::{org.manager.id}"
    expected = [
        {"TargetId": member.id, "Arn": f"{prefix}:account/{org.id}/{member.id}",
         "Name": member.name, "Type": "ACCOUNT"},
        {"TargetId": ou, "Arn": f"{prefix}:ou/{org.id}/{ou}", "Name": "Finance",
         "Type": "ORGANIZATIONAL_UNIT"},
        {"TargetId": root_id(org), "Arn": f"{prefix}:root/{org.id}/{root_id(org)}",
         "Name": "Root", "Type": "ROOT"},
    ]  # fmt: skip
    assert client.list_targets_for_policy(PolicyId=policy["Id"])["Targets"] == expected
    assert targets(org, policy["Id"], MaxResults=1) == expected
    assert targets(org, policy["Id"], MaxResults=2) == expected
    fails_with(
        "PolicyNotFoundException",
        client.list_targets_for_policy,
        PolicyId="p-0000000000",
    )
    token = client.list_targets_for_policy(PolicyId=policy["Id"], MaxResults=1)[
        "NextToken"
    ]
    error = fails_with(
        "InvalidInputException",
        client.list_targets_for_policy,
        PolicyId=FULL_ACCESS,
        NextToken=token,
    )
    assert error["Reason"] == "INVALID_NEXT_TOKEN"


# -- P19: attachments belong to their target ---------------------------------------------------


def test_p19_attachments_belong_to_their_target(world: World) -> None:
    """P19, A15, U5, A18: an account's attachments move with it; a deleted OU's and a
    departing account's vanish (so the policy can be deleted); an account that joins
    again has only the defaults (P5)."""
    org = world.organization(members=1)
    client = org.manager.client
    member = org.members[0]
    ou = create_ou(org, "Moving")
    policy = create_policy(org, SCP)
    client.attach_policy(PolicyId=policy["Id"], TargetId=member.id)
    client.move_account(
        AccountId=member.id, SourceParentId=root_id(org), DestinationParentId=ou
    )
    assert attached(org, member.id) == [FULL_ACCESS, policy["Id"]]
    client.attach_policy(PolicyId=policy["Id"], TargetId=ou)
    client.move_account(
        AccountId=member.id, SourceParentId=ou, DestinationParentId=root_id(org)
    )
    client.delete_organizational_unit(OrganizationalUnitId=ou)
    assert target_ids(org, policy["Id"]) == [member.id]
    client.remove_account_from_organization(AccountId=member.id)
    assert target_ids(org, policy["Id"]) == []
    assert member.id not in target_ids(org, FULL_ACCESS)
    assert (
        world.rows(
            "SELECT * FROM policy_attachments WHERE target_id IN (?, ?)", member.id, ou
        )
        == []
    )
    world.join(org, member)
    assert attached(org, member.id) == [FULL_ACCESS]
    client.delete_policy(PolicyId=policy["Id"])


def test_o5_deleting_the_organization_deletes_its_policies(world: World) -> None:
    """O5 (`cascade`): DeleteOrganization takes its policies, their tags and every
    attachment with it."""
    org = world.organization()
    policy = create_policy(org, SCP, Tags=[{"Key": "k", "Value": "v"}])
    org.manager.client.attach_policy(PolicyId=policy["Id"], TargetId=org.manager.id)
    org.manager.client.delete_organization()
    assert world.rows("SELECT id FROM policies WHERE organization_id = ?", org.id) == []
    assert (
        world.rows("SELECT * FROM policy_attachments WHERE organization_id = ?", org.id)
        == []
    )
    assert world.rows("SELECT * FROM tags WHERE resource_id = ?", policy["Id"]) == []
