"""Creating policies and their content (`docs/organizations.md`, "Policies": P1, P2,
P7, P8, T1/T6 for policies), through real boto3 clients against a real server, on SQLite
and PostgreSQL (one server per module and engine, plus one with small limits; tests keep
apart by using fresh accounts, `World.account()`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from generated.organizations.shapes import PolicyType
from handlers.organizations.policy_types import TYPES
from support.policies import (
    FULL_ACCESS,
    RCP,
    SCP,
    TAG,
    create_policy,
    describe,
    rcp_content,
    scp_content,
    tag_content,
)
from support.world import World, engine, fails_with, serving, world

__all__ = ["engine", "world"]

DUPLICATE = "A policy with the same name already exists."
LIMIT = "Performing this operation violates a minimum or maximum value limit."


@pytest.fixture(scope="module")
def limited(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server allowing 2 customer SCPs and 1 policy of each other type (§13, M7)."""
    folder = tmp_path_factory.mktemp(f"limited-policies-{engine}")
    with serving(folder, engine, "--scp-limit", "2", "--policy-limit", "1") as running:
        yield running


# -- P1, P2 --------------------------------------------------------------------------------


def test_p1_every_policy_type_has_its_row() -> None:
    """P1: the table names every PolicyType of the model, with the spec's numbers."""
    assert set(TYPES) == {member.value for member in PolicyType}
    assert (TYPES[SCP].max_size, TYPES[SCP].max_per_target) == (5120, 5)
    assert TYPES[SCP].min_per_target == TYPES[RCP].min_per_target == 1
    assert TYPES["AISERVICES_OPT_OUT_POLICY"].max_size == 2500
    assert TYPES["CHATBOT_POLICY"].max_per_target == 5
    assert TYPES[TAG].max_per_target == 10 and TYPES[TAG].min_per_target == 0
    assert TYPES["SECURITYHUB_POLICY"].service == "securityhub.amazonaws.com"


def test_p1_p8_content_size_in_characters(world: World) -> None:
    """P1, P8: Content as long as the type allows, counted in characters as sent
    (whitespace and two-byte characters included), is accepted; one more character is
    ConstraintViolation POLICY_CONTENT_LIMIT_EXCEEDED."""
    org = world.organization()
    for policy_type, make, size in (
        (SCP, scp_content, 5120),
        (TAG, tag_content, 10000),
        ("AISERVICES_OPT_OUT_POLICY", None, 2500),
    ):
        if make is None:
            base = json.dumps({"services": {"default": {"opt_out_policy": {}}}})
            base = base.replace("{}", '{"@@assign": "optOut"}')
        else:
            base = make()
        padded = base[:-1] + " " * (size - len(base)) + "}"
        assert len(padded) == size
        created = create_policy(org, policy_type, content=padded)
        assert describe(org.manager.client, created["Id"])["Content"] == padded
        error = fails_with(
            "ConstraintViolationException",
            org.manager.client.create_policy,
            Name="too-long",
            Type=policy_type,
            Description="",
            Content=padded[:-1] + " }",
        )
        assert error["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
        assert error["Error"]["Message"] == LIMIT
    wide = tag_content("é" * (10000 - len(tag_content(""))))
    assert len(wide) == 10000 and len(wide.encode()) > 10000
    create_policy(org, TAG, content=wide)


def test_p2_consolidated_billing(world: World) -> None:
    """P2: with CONSOLIDATED_BILLING, CreatePolicy and EnablePolicyType are
    PolicyTypeNotAvailableForOrganization; ListPolicies is empty and the AWS-managed
    policies do not exist."""
    org = world.organization("CONSOLIDATED_BILLING")
    client = org.manager.client
    root = client.list_roots()["Roots"][0]
    assert root["PolicyTypes"] == []
    fails_with(
        "PolicyTypeNotAvailableForOrganizationException",
        client.create_policy,
        Name="n",
        Type=SCP,
        Description="",
        Content=scp_content(),
    )
    fails_with(
        "PolicyTypeNotAvailableForOrganizationException",
        client.enable_policy_type,
        RootId=root["Id"],
        PolicyType=TAG,
    )
    assert client.list_policies(Filter=SCP)["Policies"] == []
    fails_with("PolicyNotFoundException", client.describe_policy, PolicyId=FULL_ACCESS)


# -- P7, P8: CreatePolicy ---------------------------------------------------------------------


def test_p7_create_policy(world: World) -> None:
    """P7, P9, C1, C2: the new policy, answered with its Content exactly as sent and
    AwsManaged false; the type need not be enabled in the root."""
    org = world.organization()
    content = '{ "tags" : {"team": {"tag_key": {"@@assign": "Team"}}}\n}'
    answer = org.manager.client.create_policy(
        Name="Teams", Type=TAG, Description="team tags", Content=content
    )["Policy"]
    summary = answer["PolicySummary"]
    assert re.fullmatch(r"p-[0-9a-z]{10}", summary["Id"])
    assert summary == {
        "Id": summary["Id"],
        "Arn": f"arn:aws:organizations::{org.manager.id}:policy/{org.id}/tag_policy/"
        f"{summary['Id']}",
        "Name": "Teams",
        "Description": "team tags",
        "Type": TAG,
        "AwsManaged": False,
    }
    assert answer["Content"] == content
    assert describe(org.manager.client, summary["Id"]) == answer
    assert TAG not in [
        t["Type"] for t in org.manager.client.list_roots()["Roots"][0]["PolicyTypes"]
    ]


def test_p7_create_policy_check_order(world: World) -> None:
    """P7, V2: content size, then syntax, then tags, then the duplicate name."""
    org = world.organization()
    client = org.manager.client
    taken = create_policy(org, SCP, name="taken")["Name"]
    bad_tags = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]

    def create(**params: Any) -> Any:
        return client.create_policy(Type=SCP, Description="", **params)

    error = fails_with(
        "ConstraintViolationException",
        create,
        Name=taken,
        Content="{" * 6000,
        Tags=bad_tags,
    )
    assert error["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    fails_with(
        "MalformedPolicyDocumentException",
        create,
        Name=taken,
        Content="{" * 60,
        Tags=bad_tags,
    )
    error = fails_with(
        "InvalidInputException",
        create,
        Name=taken,
        Content=scp_content(),
        Tags=bad_tags,
    )
    assert error["Reason"] == "DUPLICATE_TAG_KEY"
    fails_with("DuplicatePolicyException", create, Name=taken, Content=scp_content())


def test_p7_duplicate_name(world: World) -> None:
    """P7: a name is taken within the organization and type, exactly (case-sensitive);
    DECIDED: the AWS-managed policy's name is taken in its type."""
    org = world.organization()
    other = world.organization()
    create_policy(org, SCP, name="Shared")
    error = fails_with(
        "DuplicatePolicyException",
        org.manager.client.create_policy,
        Name="Shared",
        Type=SCP,
        Description="",
        Content=scp_content(),
    )
    assert error["Error"]["Message"] == DUPLICATE
    create_policy(org, SCP, name="shared")  # another case
    create_policy(org, TAG, name="Shared")  # another type
    create_policy(other, SCP, name="Shared")  # another organization
    for name, policy_type in (("FullAWSAccess", SCP), ("RCPFullAWSAccess", RCP)):
        fails_with(
            "DuplicatePolicyException",
            org.manager.client.create_policy,
            Name=name,
            Type=policy_type,
            Description="",
            Content=scp_content() if policy_type == SCP else rcp_content(),
        )
    create_policy(org, TAG, name="FullAWSAccess")


def test_p7_p10_policy_number_limit(limited: World) -> None:
    """P7, §13, M7: customer policies per type, the AWS-managed one not counted (P10):
    with 2 SCPs allowed, two are created beside FullAWSAccess, the third is
    ConstraintViolation POLICY_NUMBER_LIMIT_EXCEEDED; other types have their own count;
    a deleted policy frees its place."""
    org = limited.organization()
    first = create_policy(org, SCP)
    create_policy(org, SCP)
    error = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_policy,
        Name="third",
        Type=SCP,
        Description="",
        Content=scp_content(),
    )
    assert error["Reason"] == "POLICY_NUMBER_LIMIT_EXCEEDED"
    create_policy(org, TAG)
    error = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_policy,
        Name="second tag policy",
        Type=TAG,
        Description="",
        Content=tag_content(),
    )
    assert error["Reason"] == "POLICY_NUMBER_LIMIT_EXCEEDED"
    create_policy(limited.organization(), SCP)  # per organization
    org.manager.client.delete_policy(PolicyId=first["Id"])
    create_policy(org, SCP)


@pytest.mark.parametrize(
    ("policy_type", "content"),
    [
        (SCP, "not json"),
        (SCP, '{"Statement": {"Effect": "Allow", "Action": "*"}} {}'),
        (SCP, '{"Statement": [], "Statement": []}'),
        (SCP, '{"Statement": {"Effect": "Allow", "Action": NaN}}'),
        (SCP, '["Statement"]'),
        (SCP, '{"Version": "2020-01-01", "Statement": {"Effect": "Allow", "Action": "*"}}'),
        (SCP, '{"Statement": {"Effect": "Allow", "Action": "*", "Principal": "*"}}'),
        (SCP, '{"Statement": {"Effect": "Maybe", "Action": "*"}}'),
        (RCP, '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*"}}'),
        (TAG, '{"plans": {"p": {"@@assign": "x"}}}'),
        (TAG, '{"tags": {"costcenter": {"tag_key": "CostCenter"}}}'),
        (TAG, '{"tags": {"costcenter": {"tag_key": {"@@replace": "x"}}}}'),
        (SCP, "[" * 5000),
    ],
)  # fmt: skip
def test_p8_malformed_content(world: World, policy_type: str, content: str) -> None:
    """P8: content that is not one strict JSON object, or breaks its kind's rules, is
    MalformedPolicyDocumentException with a message naming the problem (deep nesting
    within the size limit included: an answer, never a fault)."""
    org = world.organization()
    error = fails_with(
        "MalformedPolicyDocumentException",
        org.manager.client.create_policy,
        Name="bad",
        Type=policy_type,
        Description="",
        Content=content,
    )
    assert error["Error"]["Message"].endswith(".")
    listed = org.manager.client.list_policies(Filter=policy_type)["Policies"]
    assert all(p["AwsManaged"] for p in listed)  # nothing was created


def test_p8_huge_content_is_refused_before_parsing(world: World) -> None:
    """P8: the size is checked before anything parses the content: a megabyte of
    brackets is POLICY_CONTENT_LIMIT_EXCEEDED, at once."""
    org = world.organization()
    started = time.perf_counter()
    error = fails_with(
        "ConstraintViolationException",
        org.manager.client.create_policy,
        Name="huge",
        Type=TAG,
        Description="",
        Content="[" * 1_000_000,
    )
    assert error["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    assert time.perf_counter() - started < 2


def test_p7_p11_nul_in_name_or_description(world: World) -> None:
    """DECIDED (hostile input, `runtime.validation.NUL_CONSTRAINT`): a Name or
    Description holding U+0000, which PostgreSQL's text cannot store, is InvalidInput
    INVALID_PATTERN on both engines, in CreatePolicy and UpdatePolicy, with the model's
    own checks (V1 step 1: before an unknown policy id is looked up)."""
    org = world.organization()
    client = org.manager.client
    for params in (
        {"Name": "a\x00b", "Description": ""},
        {"Name": "n", "Description": "\x00"},
    ):
        error = fails_with(
            "InvalidInputException",
            client.create_policy,
            Type=SCP,
            Content=scp_content(),
            **params,
        )
        assert error["Reason"] == "INVALID_PATTERN"
        error = fails_with(
            "InvalidInputException",
            client.update_policy,
            PolicyId="p-0000000000",
            **params,
        )
        assert error["Reason"] == "INVALID_PATTERN"


# -- T1, T6: tags of customer policies -------------------------------------------------------


def test_t1_t6_customer_policy_tags(world: World) -> None:
    """T1, T6: CreatePolicy takes tags per T3 (nothing is created when they fail) and
    a customer policy is taggable like any resource."""
    org = world.organization()
    client = org.manager.client
    for tags, code, reason in (
        ([{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}],
         "InvalidInputException", "DUPLICATE_TAG_KEY"),
        ([{"Key": "AWS:x", "Value": "1"}],
         "InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER"),
        ([{"Key": f"k{n}", "Value": ""} for n in range(51)],
         "ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED"),
    ):  # fmt: skip
        error = fails_with(
            code,
            client.create_policy,
            Name="tagged",
            Type=SCP,
            Description="",
            Content=scp_content(),
            Tags=tags,
        )
        assert error["Reason"] == reason
    assert [p["Id"] for p in client.list_policies(Filter=SCP)["Policies"]] == [
        FULL_ACCESS
    ]
    policy = create_policy(
        org, SCP, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]
    )
    assert client.list_tags_for_resource(ResourceId=policy["Id"])["Tags"] == [
        {"Key": "b", "Value": "2"},
        {"Key": "a", "Value": "1"},
    ]
    client.tag_resource(ResourceId=policy["Id"], Tags=[{"Key": "c", "Value": "3"}])
    client.untag_resource(ResourceId=policy["Id"], TagKeys=["b"])
    assert client.list_tags_for_resource(ResourceId=policy["Id"])["Tags"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "c", "Value": "3"},
    ]
