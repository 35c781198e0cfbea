"""The root's policy types and who may call (`docs/organizations.md`, "Policies": P2–P6,
P20's resources, Z rows 24, 25, 31–34), through real boto3 clients against a real server,
on SQLite and PostgreSQL (one server per module and engine; tests keep apart by using
fresh accounts, `World.account()`)."""

from __future__ import annotations

import json

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
    register_delegated_administrator,
    root_id,
    tag_content,
    target_ids,
)
from support.world import World, engine, fails_with, world

__all__ = ["engine", "world"]

NOT_ENABLED = "The specified policy type isn't currently enabled in this root."
SECURITY_HUB = "securityhub.amazonaws.com"


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
    other = world.organization()  # another organization's access does not count
    other.manager.client.enable_aws_service_access(ServicePrincipal=SECURITY_HUB)
    fails_with(
        "ConstraintViolationException",
        client.enable_policy_type,
        RootId=root_id(org),
        PolicyType="SECURITYHUB_POLICY",
    )
    client.enable_aws_service_access(ServicePrincipal=SECURITY_HUB)
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


# -- who may call (matrix rows 24, 25, 31–34; P20) -----------------------------------------


def test_z_attachment_callers(world: World) -> None:
    """Matrix rows 24, 25, 31–34: a member is AccessDenied; a delegated administrator
    lists (Z4) but changes nothing; an account in no organization is
    AWSOrganizationsNotInUse."""
    org = world.organization(members=2)
    member, delegated = (m.client for m in org.members)
    register_delegated_administrator(org, org.members[1].id)
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
    org.manager.client.put_resource_policy(Content=json.dumps(document))
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


def test_m4_policy_types_switch_at_once(world: World) -> None:
    """M4: enabling and disabling take effect in the answer itself, never PENDING_ENABLE
    or PENDING_DISABLE; a policy of the type can be attached at once, and right after
    disabling the type is gone from the root with its attachments."""
    org = world.organization()
    client = org.manager.client
    root = enable(org, TAG)
    assert {t["Status"] for t in root["PolicyTypes"]} == {"ENABLED"}
    policy = create_policy(org, TAG, content=tag_content())["Id"]
    client.attach_policy(PolicyId=policy, TargetId=root["Id"])
    assert attached(org, root["Id"], TAG) == [policy]
    disabled = client.disable_policy_type(RootId=root["Id"], PolicyType=TAG)["Root"]
    assert [t["Type"] for t in disabled["PolicyTypes"]] == [SCP]
    assert client.list_roots()["Roots"][0] == disabled
    assert attached(org, root["Id"], TAG) == []
