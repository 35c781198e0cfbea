"""Where policies apply (`docs/organizations.md`, "Policies": P3–P6, P15–P19, P20's
resources, Z rows 24, 25, 31–34), through real boto3 clients against a real server, on
SQLite and PostgreSQL (one server per module and engine, plus one with a small
attachment limit; tests keep apart by using fresh accounts, `World.account()`).

Trusted access for Security Hub (P3) is written into the server's database
(`World.execute`): EnableAWSServiceAccess is another area's.
"""

from __future__ import annotations

import json
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
    root_id,
    tag_content,
    targets,
)
from support.world import Org, World, engine, fails_with, serving, world

__all__ = ["engine", "world"]

LIMIT = "Performing this operation violates a minimum or maximum value limit."
TOO_MANY = "You have attached the maximum number of policies to the specified target."
NOT_ENABLED = "The specified policy type isn't currently enabled in this root."
SECURITY_HUB = "securityhub.amazonaws.com"


@pytest.fixture(scope="module")
def limited(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server where a target takes 2 tag policies and 3 SCPs (M7)."""
    folder = tmp_path_factory.mktemp(f"limited-attachments-{engine}")
    limits = "TAG_POLICY=2, SERVICE_CONTROL_POLICY=3"
    with serving(folder, engine, "--attachment-limits", limits) as running:
        yield running


def enable(org: Org, policy_type: str) -> dict[str, Any]:
    root: dict[str, Any] = org.manager.client.enable_policy_type(
        RootId=root_id(org), PolicyType=policy_type
    )["Root"]
    return root


def target_ids(org: Org, policy_id: str) -> list[str]:
    return [target["TargetId"] for target in targets(org, policy_id)]


# -- P3–P6: the root's policy types ---------------------------------------------------------


def test_p3_enable_policy_type(world: World) -> None:
    """P3, O6, M4: the type is ENABLED at once, after those enabled before; the answer
    is the root as ListRoots shows it; enabling it again is PolicyTypeAlreadyEnabled;
    a root other than the organization's is RootNotFound (C5)."""
    org = world.organization()
    client = org.manager.client
    root = enable(org, TAG)
    assert root == client.list_roots()["Roots"][0]
    assert root["PolicyTypes"] == [
        {"Type": SCP, "Status": "ENABLED"},
        {"Type": TAG, "Status": "ENABLED"},
    ]
    assert enable(org, "BACKUP_POLICY")["PolicyTypes"][-1]["Type"] == "BACKUP_POLICY"
    error = fails_with(
        "PolicyTypeAlreadyEnabledException",
        client.enable_policy_type,
        RootId=root["Id"],
        PolicyType=TAG,
    )
    assert error["Error"]["Message"] == (
        "The specified policy type is already enabled in the specified root."
    )
    for other in (root_id(world.organization()), "r-0000"):
        fails_with(
            "RootNotFoundException",
            client.enable_policy_type,
            RootId=other,
            PolicyType="CHATBOT_POLICY",
        )


def test_p3_service_access(world: World) -> None:
    """P3: the Security Hub types need the organization's trusted access for
    securityhub.amazonaws.com (ConstraintViolation SERVICE_ACCESS_NOT_ENABLED), checked
    after the type already enabled."""
    org = world.organization()
    client = org.manager.client
    for policy_type in ("SECURITYHUB_POLICY", "SECURITYHUB_CSPM_POLICY"):
        error = fails_with(
            "ConstraintViolationException",
            client.enable_policy_type,
            RootId=root_id(org),
            PolicyType=policy_type,
        )
        assert error["Reason"] == "SERVICE_ACCESS_NOT_ENABLED"
    world.execute(
        "INSERT INTO enabled_services VALUES (?, ?, 0)",
        world.organization().id,
        SECURITY_HUB,
    )  # another organization's access does not count
    fails_with(
        "ConstraintViolationException",
        client.enable_policy_type,
        RootId=root_id(org),
        PolicyType="SECURITYHUB_POLICY",
    )
    world.execute("INSERT INTO enabled_services VALUES (?, ?, 0)", org.id, SECURITY_HUB)
    for policy_type in ("SECURITYHUB_POLICY", "SECURITYHUB_CSPM_POLICY"):
        assert enable(org, policy_type)["PolicyTypes"][-1]["Type"] == policy_type
    fails_with(
        "PolicyTypeAlreadyEnabledException",
        client.enable_policy_type,
        RootId=root_id(org),
        PolicyType="SECURITYHUB_POLICY",
    )


def test_p4_defaults_on_enabling(world: World) -> None:
    """P4: enabling SCPs attaches FullAWSAccess, and RCPs RCPFullAWSAccess, to the
    root, every OU and every account (in that order); other types attach nothing."""
    org = world.organization(members=2)
    client = org.manager.client
    outer = create_ou(org, "Outer")
    inner = create_ou(org, "Inner", outer)
    expected = [root_id(org), outer, inner, org.manager.id] + [
        m.id for m in org.members
    ]
    client.disable_policy_type(RootId=root_id(org), PolicyType=SCP)
    assert target_ids(org, FULL_ACCESS) == []
    enable(org, SCP)
    assert target_ids(org, FULL_ACCESS) == expected
    enable(org, RCP)
    assert target_ids(org, RCP_FULL_ACCESS) == expected
    assert attached(org, inner, RCP) == [RCP_FULL_ACCESS]
    enable(org, TAG)
    assert all(attached(org, target, TAG) == [] for target in expected)


def test_p5_defaults_for_newcomers(world: World) -> None:
    """P5: a new OU and an account joining get the AWS-managed policy of every enabled
    type that has one; with SCPs disabled, no FullAWSAccess."""
    org = world.organization()
    enable(org, RCP)
    ou = create_ou(org, "New")
    newcomer = world.account()
    world.join(org, newcomer)
    for target in (ou, newcomer.id):
        assert attached(org, target, SCP) == [FULL_ACCESS]
        assert attached(org, target, RCP) == [RCP_FULL_ACCESS]
    org.manager.client.disable_policy_type(RootId=root_id(org), PolicyType=SCP)
    later = world.account()
    world.join(org, later)
    assert attached(org, create_ou(org, "Later"), RCP) == [RCP_FULL_ACCESS]
    assert target_ids(org, FULL_ACCESS) == []
    assert attached(org, later.id, RCP) == [RCP_FULL_ACCESS]


def test_p6_disable_policy_type(world: World) -> None:
    """P6: every attachment of the type goes, the policies stay; the answer is the root
    without the type; enabling SCPs again starts from FullAWSAccess alone. Not enabled
    → PolicyTypeNotEnabled; another root → RootNotFound."""
    org = world.organization(members=1)
    client = org.manager.client
    enable(org, TAG)
    scp = create_policy(org, SCP)
    tag = create_policy(org, TAG)
    member = org.members[0].id
    client.attach_policy(PolicyId=scp["Id"], TargetId=member)
    client.attach_policy(PolicyId=tag["Id"], TargetId=member)
    root = client.disable_policy_type(RootId=root_id(org), PolicyType=SCP)["Root"]
    assert root["PolicyTypes"] == [{"Type": TAG, "Status": "ENABLED"}]
    assert root == client.list_roots()["Roots"][0]
    assert target_ids(org, scp["Id"]) == [] and target_ids(org, FULL_ACCESS) == []
    assert target_ids(org, tag["Id"]) == [member]
    assert client.describe_policy(PolicyId=scp["Id"])["Policy"]["PolicySummary"] == scp
    error = fails_with(
        "PolicyTypeNotEnabledException",
        client.disable_policy_type,
        RootId=root_id(org),
        PolicyType=SCP,
    )
    assert error["Error"]["Message"] == NOT_ENABLED
    fails_with(
        "RootNotFoundException",
        client.disable_policy_type,
        RootId=root_id(world.organization()),
        PolicyType=TAG,
    )
    enable(org, SCP)
    assert attached(org, member) == [FULL_ACCESS]
    assert enable(org, RCP)["PolicyTypes"][0]["Type"] == TAG  # order of enabling


def test_p2_p3_p6_check_order(world: World) -> None:
    """V1: the feature set (P2) before the root; the root before the type's state."""
    cb = world.organization("CONSOLIDATED_BILLING")
    fails_with(
        "PolicyTypeNotAvailableForOrganizationException",
        cb.manager.client.enable_policy_type,
        RootId="r-0000",
        PolicyType=TAG,
    )
    fails_with(
        "PolicyTypeNotEnabledException",
        cb.manager.client.disable_policy_type,
        RootId=root_id(cb),
        PolicyType=SCP,
    )
    org = world.organization()
    for call in (
        org.manager.client.enable_policy_type,
        org.manager.client.disable_policy_type,
    ):
        fails_with("RootNotFoundException", call, RootId="r-0000", PolicyType=SCP)


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


# -- who may call (matrix rows 24, 25, 31–34; P20) -----------------------------------------


def test_z_attachment_callers(world: World) -> None:
    """Matrix rows 24, 25, 31–34: a member is AccessDenied; a delegated administrator
    lists (Z4) but changes nothing; an account in no organization is
    AWSOrganizationsNotInUse."""
    org = world.organization(members=2)
    member, delegated = (m.client for m in org.members)
    world.execute(
        "INSERT INTO delegated_administrators VALUES (?, ?, ?, 0)",
        org.id,
        org.members[1].id,
        SECURITY_HUB,
    )
    root = root_id(org)
    reads = [
        ("list_policies_for_target", {"TargetId": root, "Filter": SCP}),
        ("list_targets_for_policy", {"PolicyId": FULL_ACCESS}),
    ]
    writes = [
        ("enable_policy_type", {"RootId": root, "PolicyType": TAG}),
        ("disable_policy_type", {"RootId": root, "PolicyType": SCP}),
        ("attach_policy", {"PolicyId": FULL_ACCESS, "TargetId": root}),
        ("detach_policy", {"PolicyId": FULL_ACCESS, "TargetId": root}),
    ]
    for method, params in reads + writes:
        fails_with("AccessDeniedException", getattr(member, method), **params)
        fails_with(
            "AWSOrganizationsNotInUseException",
            getattr(world.account().client, method),
            **params,
        )
    for method, params in writes:
        fails_with("AccessDeniedException", getattr(delegated, method), **params)
    assert [
        p["Id"]
        for p in delegated.list_policies_for_target(TargetId=root, Filter=SCP)[
            "Policies"
        ]
    ] == [FULL_ACCESS]
    assert delegated.list_targets_for_policy(PolicyId=FULL_ACCESS)["Targets"]


def test_p20_delegates_are_checked_on_the_resources(world: World) -> None:
    """P20, Z6 (V1 step 8): a delegate's AttachPolicy is checked against the policy's
    and the target's ARNs, CreatePolicy against the new policy's ARN and type — after
    the existence checks, so an unknown id is still NotFound."""
    org = world.organization(members=2)
    delegate, target = org.members
    allowed = create_policy(org, SCP)
    other = create_policy(org, SCP)
    prefix = f"arn:aws:organizations::{org.manager.id}"
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{delegate.id}:root"},
                "Action": ["organizations:AttachPolicy"],
                "Resource": [
                    f"{prefix}:policy/{org.id}/service_control_policy/{allowed['Id']}",
                    f"{prefix}:account/{org.id}/*",
                ],
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": delegate.id},
                "Action": "organizations:CreatePolicy",
                "Resource": "*",
                "Condition": {"StringEquals": {"organizations:PolicyType": TAG}},
            },
        ],
    }
    world.execute(
        "INSERT INTO resource_policies VALUES (?, ?, ?, 0, 0)",
        org.id,
        f"rp-{org.id[2:]}",
        json.dumps(document),
    )
    client = delegate.client
    client.attach_policy(PolicyId=allowed["Id"], TargetId=target.id)
    assert attached(org, target.id) == [FULL_ACCESS, allowed["Id"]]
    for policy_id, target_id in (
        (other["Id"], target.id),
        (allowed["Id"], root_id(org)),
    ):
        fails_with(
            "AccessDeniedException",
            client.attach_policy,
            PolicyId=policy_id,
            TargetId=target_id,
        )
    fails_with(
        "PolicyNotFoundException",
        client.attach_policy,
        PolicyId="p-0000000000",
        TargetId=target.id,
    )
    created = client.create_policy(
        Name="delegated", Type=TAG, Description="", Content=tag_content()
    )["Policy"]
    assert created["PolicySummary"]["Type"] == TAG
    fails_with(
        "AccessDeniedException",
        client.create_policy,
        Name="delegated",
        Type=SCP,
        Description="",
        Content=json.dumps({"Statement": {"Effect": "Deny", "Action": "*"}}),
    )
    fails_with(  # not granted at all: the coarse check (step 4)
        "AccessDeniedException",
        client.detach_policy,
        PolicyId=allowed["Id"],
        TargetId=target.id,
    )
