"""The AWS-managed policies, changing, deleting and reading policies
(`docs/organizations.md`, "Policies": P10–P14, Z rows 26–30), through real boto3 clients
against a real server, on SQLite and PostgreSQL (one server per module and engine; tests
keep apart by using fresh accounts, `World.account()`).
"""

from __future__ import annotations

import json
from typing import Any

from handlers.organizations.authorization_policies import (
    FULL_AWS_ACCESS,
    RCP_FULL_AWS_ACCESS,
)
from support.policies import (
    FULL_ACCESS,
    RCP,
    RCP_FULL_ACCESS,
    SCP,
    TAG,
    create_policy,
    describe,
    register_delegated_administrator,
    scp_content,
)
from support.world import World, engine, fails_with, world

__all__ = ["engine", "world"]

NOT_FOUND = "We can't find a policy with the PolicyId that you specified."
IMMUTABLE = (
    "You specified a policy that is managed by Amazon Web Services and can't be "
    "modified."
)


# -- P10: the AWS-managed policies ----------------------------------------------------------


def test_p10_aws_managed_policies(world: World) -> None:
    """P10, P13: FullAWSAccess and RCPFullAWSAccess exist in every organization with
    ALL features (RCPs need not be enabled), with their fixed documents."""
    org = world.organization()
    full = describe(org.manager.client, FULL_ACCESS)
    assert full == {
        "PolicySummary": {
            "Id": FULL_ACCESS,
            "Arn": "arn:aws:organizations::aws:policy/service_control_policy/"
            "p-FullAWSAccess",
            "Name": "FullAWSAccess",
            "Description": "Allows access to every operation",
            "Type": SCP,
            "AwsManaged": True,
        },
        "Content": FULL_AWS_ACCESS,
    }
    rcp = describe(org.manager.client, RCP_FULL_ACCESS)
    assert rcp["PolicySummary"]["Name"] == "RCPFullAWSAccess"
    assert rcp["PolicySummary"]["Description"] == "Allows access to every resource"
    assert rcp["PolicySummary"]["Arn"] == (
        "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess"
    )
    assert rcp["Content"] == RCP_FULL_AWS_ACCESS
    assert json.loads(RCP_FULL_AWS_ACCESS)["Statement"][0]["Principal"] == "*"


def test_p10_aws_managed_policies_are_immutable(world: World) -> None:
    """P10, T1: UpdatePolicy, DeletePolicy, TagResource and (DECIDED) UntagResource on
    an AWS-managed policy are InvalidInput IMMUTABLE_POLICY; ListTagsForResource lists
    no tags (DECIDED)."""
    org = world.organization()
    client = org.manager.client
    for policy_id in (FULL_ACCESS, RCP_FULL_ACCESS):
        for call, params in (
            (client.update_policy, {"Name": "Mine"}),
            (client.delete_policy, {}),
        ):
            error = fails_with(
                "InvalidInputException", call, PolicyId=policy_id, **params
            )
            assert error["Reason"] == "IMMUTABLE_POLICY"
            assert error["Error"]["Message"] == IMMUTABLE
        error = fails_with(
            "InvalidInputException",
            client.tag_resource,
            ResourceId=policy_id,
            Tags=[{"Key": "k", "Value": "v"}],
        )
        assert error["Reason"] == "IMMUTABLE_POLICY"
        error = fails_with(
            "InvalidInputException",
            client.untag_resource,
            ResourceId=policy_id,
            TagKeys=["k"],
        )
        assert error["Reason"] == "IMMUTABLE_POLICY"
        assert client.list_tags_for_resource(ResourceId=policy_id)["Tags"] == []
    # T3's request checks come first (step 6), the AWS-managed policy at step 9.
    error = fails_with(
        "InvalidInputException",
        client.tag_resource,
        ResourceId=FULL_ACCESS,
        Tags=[{"Key": "aws:k", "Value": "v"}],
    )
    assert error["Reason"] == "INVALID_SYSTEM_TAGS_PARAMETER"
    cb = world.organization("CONSOLIDATED_BILLING")
    fails_with(
        "TargetNotFoundException",
        cb.manager.client.list_tags_for_resource,
        ResourceId=FULL_ACCESS,
    )


# -- P11: UpdatePolicy ----------------------------------------------------------------------


def test_p11_update_policy(world: World) -> None:
    """P11: Name, Description and Content change; absent members stay; a call with none
    returns the policy unchanged; the type never changes; an attached policy may
    change."""
    org = world.organization(members=1)
    client = org.manager.client
    policy = create_policy(org, SCP, name="Before", Description="first")
    client.attach_policy(PolicyId=policy["Id"], TargetId=org.members[0].id)
    unchanged = describe(client, policy["Id"])
    assert client.update_policy(PolicyId=policy["Id"])["Policy"] == unchanged
    renamed = client.update_policy(PolicyId=policy["Id"], Name="After")["Policy"]
    assert renamed["PolicySummary"]["Name"] == "After"
    assert renamed["PolicySummary"]["Description"] == "first"
    assert renamed["Content"] == unchanged["Content"]
    content = scp_content("ec2:*")
    updated = client.update_policy(
        PolicyId=policy["Id"], Description="", Content=content
    )["Policy"]
    assert updated["PolicySummary"] == {
        **unchanged["PolicySummary"],
        "Name": "After",
        "Description": "",
    }
    assert updated["Content"] == content
    assert describe(client, policy["Id"]) == updated
    assert client.update_policy(PolicyId=policy["Id"], Name="After")["Policy"] == (
        updated
    )


def test_p11_update_policy_checks(world: World) -> None:
    """P11: unknown → PolicyNotFound; AWS-managed → IMMUTABLE_POLICY before its
    content; Content checked as P7 against the stored type, before the name; another
    policy's name of that type, or its AWS-managed one's (DECIDED), → DuplicatePolicy.
    """
    org = world.organization()
    client = org.manager.client
    tag = create_policy(org, TAG)
    taken = create_policy(org, TAG)["Name"]
    fails_with("PolicyNotFoundException", client.update_policy, PolicyId="p-0000000000")
    error = fails_with(
        "InvalidInputException",
        client.update_policy,
        PolicyId=FULL_ACCESS,
        Content="{",
    )
    assert error["Reason"] == "IMMUTABLE_POLICY"
    error = fails_with(
        "ConstraintViolationException",
        client.update_policy,
        PolicyId=tag["Id"],
        Name=taken,
        Content=" " * 10001,
    )
    assert error["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    # An SCP is not a tag policy: the stored type decides.
    fails_with(
        "MalformedPolicyDocumentException",
        client.update_policy,
        PolicyId=tag["Id"],
        Name=taken,
        Content=scp_content(),
    )
    fails_with(
        "DuplicatePolicyException", client.update_policy, PolicyId=tag["Id"], Name=taken
    )
    assert describe(client, tag["Id"])["PolicySummary"] == tag
    scp = create_policy(org, SCP)  # DECIDED: the AWS-managed name is taken (P7)
    fails_with(
        "DuplicatePolicyException",
        client.update_policy,
        PolicyId=scp["Id"],
        Name="FullAWSAccess",
    )
    client.update_policy(PolicyId=tag["Id"], Name="FullAWSAccess")


# -- P12: DeletePolicy -----------------------------------------------------------------------


def test_p12_delete_policy(world: World) -> None:
    """P12, T7: an unattached policy goes with its tags; an attached one is
    PolicyInUse; an unknown one PolicyNotFound. Response `{}`."""
    org = world.organization(members=1)
    client = org.manager.client
    policy = create_policy(org, SCP, Tags=[{"Key": "team", "Value": "blue"}])
    client.attach_policy(PolicyId=policy["Id"], TargetId=org.members[0].id)
    error = fails_with(
        "PolicyInUseException", client.delete_policy, PolicyId=policy["Id"]
    )
    assert error["Error"]["Message"] == (
        "The policy is attached to one or more entities."
    )
    client.detach_policy(PolicyId=policy["Id"], TargetId=org.members[0].id)
    answer = client.delete_policy(PolicyId=policy["Id"])
    assert set(answer) == {"ResponseMetadata"}
    error = fails_with(
        "PolicyNotFoundException", client.describe_policy, PolicyId=policy["Id"]
    )
    assert error["Error"]["Message"] == NOT_FOUND
    fails_with("PolicyNotFoundException", client.delete_policy, PolicyId=policy["Id"])
    assert world.rows("SELECT * FROM tags WHERE resource_id = ?", policy["Id"]) == []
    assert [p["Id"] for p in client.list_policies(Filter=SCP)["Policies"]] == [
        FULL_ACCESS
    ]


# -- P13: who sees a policy -------------------------------------------------------------------


def test_p13_c5_other_organizations_policies_do_not_exist(world: World) -> None:
    """P13, C5: another organization's policy id is PolicyNotFound everywhere."""
    org = world.organization()
    other = create_policy(world.organization(), SCP)
    client = org.manager.client
    for call, params in (
        (client.describe_policy, {}),
        (client.update_policy, {"Name": "x"}),
        (client.delete_policy, {}),
        (client.list_targets_for_policy, {}),
        (client.attach_policy, {"TargetId": org.manager.id}),
        (client.detach_policy, {"TargetId": org.manager.id}),
    ):
        fails_with("PolicyNotFoundException", call, PolicyId=other["Id"], **params)
    fails_with(
        "TargetNotFoundException",
        client.tag_resource,
        ResourceId=other["Id"],
        Tags=[{"Key": "k", "Value": "v"}],
    )


def test_z_policy_callers(world: World) -> None:
    """Matrix rows 26–30, Z1, Z2, Z4: a member is AccessDenied for every policy
    operation; a delegated administrator reads (Describe, List) but writes nothing; an
    account in no organization is AWSOrganizationsNotInUse."""
    org = world.organization(members=2)
    policy = create_policy(org, SCP)
    member, delegated = (m.client for m in org.members)
    register_delegated_administrator(org, org.members[1].id)
    reads = [
        ("describe_policy", {"PolicyId": policy["Id"]}),
        ("list_policies", {"Filter": SCP}),
    ]
    writes = [
        ("create_policy", {"Name": "m", "Type": SCP, "Description": "",
                           "Content": scp_content()}),
        ("update_policy", {"PolicyId": policy["Id"], "Name": "m"}),
        ("delete_policy", {"PolicyId": policy["Id"]}),
    ]  # fmt: skip
    for method, params in reads + writes:
        fails_with("AccessDeniedException", getattr(member, method), **params)
        fails_with(
            "AWSOrganizationsNotInUseException",
            getattr(world.account().client, method),
            **params,
        )
    for method, params in writes:
        fails_with("AccessDeniedException", getattr(delegated, method), **params)
    assert (
        delegated.describe_policy(PolicyId=policy["Id"])["Policy"]["PolicySummary"]
        == policy
    )
    assert [p["Id"] for p in delegated.list_policies(Filter=SCP)["Policies"]] == [
        policy["Id"],
        FULL_ACCESS,
    ]


# -- P14: ListPolicies --------------------------------------------------------------------------


def test_p14_list_policies(world: World) -> None:
    """P14, L1–L5: summaries of the type's customer policies in creation order, then
    the AWS-managed one; pages of MaxResults, none empty, each policy once."""
    org = world.organization()
    client = org.manager.client
    made = [create_policy(org, SCP) for _ in range(3)]
    create_policy(org, TAG)
    listed = client.list_policies(Filter=SCP)
    assert "NextToken" not in listed
    assert listed["Policies"][:3] == made
    assert listed["Policies"][3]["Id"] == FULL_ACCESS
    assert all("Content" not in p for p in listed["Policies"])
    for size in (1, 2, 3, 4):
        seen: list[str] = []
        params: dict[str, Any] = {"Filter": SCP, "MaxResults": size}
        while True:
            page = client.list_policies(**params)
            assert page["Policies"], "no empty pages (L5)"
            seen += [p["Id"] for p in page["Policies"]]
            if "NextToken" not in page:
                break
            params["NextToken"] = page["NextToken"]
        assert seen == [p["Id"] for p in made] + [FULL_ACCESS], size
    tags = client.list_policies(Filter=TAG)["Policies"]
    assert [p["Type"] for p in tags] == [TAG]  # no AWS-managed tag policy
    assert client.list_policies(Filter=RCP)["Policies"][-1]["Id"] == RCP_FULL_ACCESS


def test_p14_l2_page_token_bound_to_the_filter(world: World) -> None:
    """L2: a ListPolicies token is good for its Filter only, and for its caller."""
    org = world.organization()
    client = org.manager.client
    create_policy(org, SCP)
    token = client.list_policies(Filter=SCP, MaxResults=1)["NextToken"]
    assert client.list_policies(Filter=SCP, NextToken=token)["Policies"][0]["Id"] == (
        FULL_ACCESS
    )
    error = fails_with(
        "InvalidInputException", client.list_policies, Filter=TAG, NextToken=token
    )
    assert error["Reason"] == "INVALID_NEXT_TOKEN"
    fails_with(
        "InvalidInputException",
        world.organization().manager.client.list_policies,
        Filter=SCP,
        NextToken=token,
    )


def test_p9_policy_object(world: World) -> None:
    """P9: a policy is `{"PolicySummary": {Id, Arn, Name, Description, Type, AwsManaged},
    "Content"}`, customer and AWS-managed alike; listings carry summaries only."""
    org = world.organization()
    client = org.manager.client
    mine = create_policy(org, SCP, name="p9", Description="P9 policy")
    summary = {"Id", "Arn", "Name", "Description", "Type", "AwsManaged"}
    for policy_id in (mine["Id"], "p-FullAWSAccess"):
        policy = client.describe_policy(PolicyId=policy_id)["Policy"]
        assert set(policy) == {"PolicySummary", "Content"}
        assert set(policy["PolicySummary"]) == summary
    assert mine["Name"] == "p9" and mine["AwsManaged"] is False
    listed = client.list_policies(Filter=SCP)["Policies"]
    assert [set(p) for p in listed] == [summary, summary]
