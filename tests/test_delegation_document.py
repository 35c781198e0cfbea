"""D11 and D12 (organizations.md §9): the delegation policy's document checks
(`delegation_policy.document_problem`), its evaluation (`DelegationPolicy.names`, the
coarse check of Z6, and `DelegationPolicy.allows`, the fine one), and the wildcard matcher
beneath them (`wildcards`)."""

from __future__ import annotations

import fnmatch
import itertools
import json
import time
from typing import Any

import pytest
from botocore.loaders import Loader
from hypothesis import given
from hypothesis import strategies as st

from generated.organizations.shapes import InvalidInputExceptionReason as Reason
from handlers.organizations.delegation_policy import (
    SUPPORTED_ACTIONS,
    DelegationPolicy,
    document_problem,
)
from handlers.organizations.policy_json import Malformed
from handlers.organizations.wildcards import matches, overlaps

ORG = "o-abcdefghij"
MA = "111111111111"
MEMBER = "222222222222"
SECOND = "444444444444"
OUTSIDER = "333333333333"
ROOT_ARN = f"arn:aws:organizations::{MA}:root/{ORG}/r-ab12"
OU_ARN = f"arn:aws:organizations::{MA}:ou/{ORG}/ou-ab12-cd34ef56"
ORG_ARN = f"arn:aws:organizations::{MA}:organization/{ORG}"
BACKUP_ARN = f"arn:aws:organizations::{MA}:policy/{ORG}/backup_policy/p-abcdefghij"
TAG_ARN = f"arn:aws:organizations::{MA}:policy/{ORG}/tag_policy/p-0123456789"


def statement(**extra: Any) -> dict[str, Any]:
    """An Allow of DescribePolicy on everything for MEMBER, with `extra` over it."""
    base = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:root"},
        "Action": "organizations:DescribePolicy",
        "Resource": "*",
    }
    return {key: value for key, value in {**base, **extra}.items() if value is not None}


def content(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def problem(text: str) -> Reason | None:
    return document_problem(
        text,
        organization_id=ORG,
        management_account_id=MA,
        is_member={MA, MEMBER, SECOND}.__contains__,
    )


def accepted(*statements: dict[str, Any]) -> DelegationPolicy:
    text = content(*statements)
    assert problem(text) is None
    return DelegationPolicy.parse(text)


# --- D11 ------------------------------------------------------------------------------


def test_d11_accepts_the_user_guide_shapes() -> None:
    """The shapes of the UG's examples: reads on `*`, policy writes narrowed by type and
    ARN, attachment to one OU."""
    reads = statement(
        Sid="Reads",
        Action=["organizations:Describe*", "organizations:List*"],
    )
    create = statement(
        Action="organizations:CreatePolicy",
        Condition={"StringEquals": {"organizations:PolicyType": "BACKUP_POLICY"}},
    )
    modify = statement(
        Action=["organizations:UpdatePolicy", "organizations:DeletePolicy"],
        Resource=f"arn:aws:organizations::{MA}:policy/*/backup_policy/*",
        Condition={
            "StringLikeIfExists": {"organizations:PolicyType": ["BACKUP_POLICY"]}
        },
    )
    attach = statement(
        Action=["organizations:AttachPolicy", "organizations:DetachPolicy"],
        Resource=[OU_ARN, f"arn:aws:organizations::{MA}:policy/{ORG}/backup_policy/*"],
    )
    assert problem(content(reads, create, modify, attach)) is None
    assert problem(json.dumps({"Statement": statement()})) is None


def test_d11_invalid_resource_policy_json_first() -> None:
    bad_documents = [
        "not json",
        '{"Statement": [], "Statement": []}',
        "[]",
        json.dumps({"Version": "2012-10-17"}),
        json.dumps({"Statement": []}),
        json.dumps({"Statement": "Allow"}),
        json.dumps({"Statement": statement(), "Version": "2020-01-01"}),
        json.dumps({"Statement": statement(), "Extra": 1}),
        content(statement(Effect="Permit")),
        content(statement(Effect=None)),
        content(statement(Unknown="x")),  # DECIDED: unknown elements refused
        content(statement(NotAction="organizations:*")),
        content(statement(Action=None)),
        content(statement(Action=[])),
        content(statement(Resource=5)),
        content(statement(Resource="*", NotResource="*")),
        content(statement(Principal="*", NotPrincipal="*")),
        content(statement(Condition="x")),
        content(
            statement(Condition={"StringEquals": {"organizations:PolicyType": []}})
        ),
        "[" * 40_000,
    ]
    for text in bad_documents:
        assert problem(text) is Reason.INVALID_RESOURCE_POLICY_JSON, text[:80]
    # before every later check, wherever they are
    later = statement(Principal=OUTSIDER, Action="s3:*", Resource="arn:aws:s3:::b")
    assert problem(content(later, statement(Effect="Permit"))) is (
        Reason.INVALID_RESOURCE_POLICY_JSON
    )


def test_d11_invalid_principal_second() -> None:
    for principal in (
        MEMBER,
        f"arn:aws:iam::{MEMBER}:root",
        {"AWS": MEMBER},
        {"AWS": [MEMBER, f"arn:aws:iam::{SECOND}:root"]},
    ):
        assert problem(content(statement(Principal=principal))) is None
    wrong_principals: list[Any] = [
        OUTSIDER,  # not a member
        f"arn:aws:iam::{OUTSIDER}:root",
        {"AWS": [MEMBER, OUTSIDER]},
        "*",  # DECIDED: names no member
        {"AWS": "*"},
        f"arn:aws:iam::{MEMBER}:role/Admin",  # DECIDED: accounts only (C4)
        {"Service": "backup.amazonaws.com"},
        {"AWS": MEMBER, "Service": "backup.amazonaws.com"},
        {"AWS": []},
        "22222222222",
        None,  # no Principal at all
    ]
    for principal in wrong_principals:
        assert problem(content(statement(Principal=principal))) is (
            Reason.INVALID_PRINCIPAL
        ), principal
    # DECIDED: NotPrincipal is refused as a principal element
    assert problem(content(statement(Principal=None, NotPrincipal=MEMBER))) is (
        Reason.INVALID_PRINCIPAL
    )
    # before the action, resource and policy-type checks
    later = statement(Action="s3:*", Resource="arn:aws:s3:::b")
    assert problem(content(later, statement(Principal=OUTSIDER))) is (
        Reason.INVALID_PRINCIPAL
    )


def test_d11_unsupported_action_third() -> None:
    for action in (
        "*",
        "organizations:*",
        "organizations:Describe*",
        "ORGANIZATIONS:attachpolicy",
        "organizations:?ttachPolicy",
        ["organizations:TagResource", "organizations:UntagResource"],
        "organizations:ListHandshakesForOrganization",
    ):
        assert problem(content(statement(Action=action))) is None, action
    for action in (
        "organizations:CreateAccount",
        "organizations:PutResourcePolicy",
        "organizations:Put*",
        "organizations:InviteAccount*",
        "s3:GetObject",
        "organizations",
        ["organizations:DescribePolicy", "organizations:LeaveOrganization"],
    ):
        assert problem(content(statement(Action=action))) is (
            Reason.UNSUPPORTED_ACTION_IN_RESOURCE_POLICY
        ), action
    # DECIDED: NotAction is refused as an unsupported action
    assert problem(
        content(statement(Action=None, NotAction="organizations:CreateAccount"))
    ) is (Reason.UNSUPPORTED_ACTION_IN_RESOURCE_POLICY)
    later = statement(Resource="arn:aws:s3:::b")
    assert problem(content(later, statement(Action="s3:*"))) is (
        Reason.UNSUPPORTED_ACTION_IN_RESOURCE_POLICY
    )


def test_d11_supported_actions_are_the_listed_operations() -> None:
    operations = set(
        Loader().load_service_model("organizations", "service-2")["operations"]
    )
    assert SUPPORTED_ACTIONS <= operations
    assert len(SUPPORTED_ACTIONS) == 9 + 22 + 4
    for name in ("PutResourcePolicy", "CreateAccount", "EnableAWSServiceAccess"):
        assert name not in SUPPORTED_ACTIONS


def test_d11_unsupported_resource_fourth() -> None:
    for resource in (
        "*",
        ORG_ARN,
        ROOT_ARN,
        OU_ARN,
        BACKUP_ARN,
        f"arn:aws:organizations::{MA}:account/{ORG}/{MEMBER}",
        f"arn:aws:organizations::{MA}:policy/*/backup_policy/*",
        f"arn:aws:organizations::{MA}:ou/{ORG}/*",
        f"arn:aws:organizations::{MA}:root/{ORG}/r-????",
        "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
        "arn:aws:organizations::*",
        "arn:aws:organizations::*:*/o-abc*",
        [ROOT_ARN, OU_ARN],
    ):
        assert problem(content(statement(Resource=resource))) is None, resource
    for resource in (
        "arn:aws:s3:::bucket",
        f"arn:aws:organizations::{MA}:ou/o-otherorgxx/*",
        f"arn:aws:organizations::{OUTSIDER}:ou/{ORG}/*",
        f"arn:aws:organizations::{MA}:bogus/{ORG}/x",
        f"arn:aws:organizations::{MA}:organization/{ORG}/x",
        "organizations",
        "arn:aws:organizations::aws:ou/*",
        [OU_ARN, "arn:aws:s3:::bucket"],
    ):
        assert problem(content(statement(Resource=resource))) is (
            Reason.UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY
        ), resource
    # DECIDED: NotResource is refused as an unsupported resource
    assert problem(content(statement(Resource=None, NotResource=OU_ARN))) is (
        Reason.UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY
    )
    later = statement(Condition={"StringEquals": {"organizations:PolicyType": "X"}})
    assert problem(content(later, statement(Resource="arn:aws:s3:::b"))) is (
        Reason.UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY
    )


def test_d11_unsupported_policy_type_fifth() -> None:
    def with_condition(condition: dict[str, Any]) -> Reason | None:
        return problem(content(statement(Condition=condition)))

    key = "organizations:PolicyType"
    for condition in (
        {"StringEquals": {key: "BACKUP_POLICY"}},
        {"StringEqualsIfExists": {key: ["TAG_POLICY", "SERVICE_CONTROL_POLICY"]}},
        {"StringLike": {key: "*_POLICY"}},
        {"StringLikeIfExists": {key: "TAG_*"}},
        {"StringNotEquals": {key: "TAG_POLICY"}},
        {"StringEquals": {"aws:PrincipalTag/team": "anything"}},
    ):
        assert with_condition(condition) is None, condition
    wrong_conditions: list[Any] = [
        {"StringEquals": {key: "backup_policy"}},  # StringEquals is case-sensitive
        {"StringEquals": {key: "NOT_A_TYPE"}},
        {"StringEquals": {key: "TAG_*"}},  # a wildcard only means one under Like
        {"StringLike": {key: "tag_*"}},
        {"StringEqualsIfExists": {key: ["TAG_POLICY", "OTHER"]}},
        {"StringEquals": {key: 5}},
        {"StringEquals": {"Organizations:policyType": "X"}},  # keys: any case (IAM)
    ]
    for condition in wrong_conditions:
        assert with_condition(condition) is (
            Reason.UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY
        ), condition


def test_d11_hostile_documents_are_checked_quickly() -> None:
    """Patterns like `*a*a*…b` cost time linear in their length, in every check."""
    hostile = "*a" * 900 + "b"
    actions = content(
        *[statement(Sid=f"S{index}", Action=hostile) for index in range(20)]
    )
    ours = f"arn:aws:organizations::{MA}:{hostile}"  # can name an ARN of ours
    walked = content(
        statement(
            Resource=[ours] * 18,
            Condition={"StringLike": {"organizations:PolicyType": hostile}},
        )
    )
    theirs = content(statement(Resource=[ours] * 17 + [f"arn:aws:s3:::{hostile}"]))
    assert max(map(len, (actions, walked, theirs))) <= 40_000
    started = time.perf_counter()
    assert problem(actions) is Reason.UNSUPPORTED_ACTION_IN_RESOURCE_POLICY
    assert problem(walked) is Reason.UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY
    assert problem(theirs) is Reason.UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY
    assert time.perf_counter() - started < 3


# --- D12 ------------------------------------------------------------------------------


def test_d12_an_applying_allow_grants() -> None:
    policy = accepted(statement())
    assert policy.allows(MEMBER, "DescribePolicy", [BACKUP_ARN], "BACKUP_POLICY")
    assert policy.allows(MEMBER, "DescribePolicy", [], None)
    assert not policy.allows(SECOND, "DescribePolicy", [BACKUP_ARN], "BACKUP_POLICY")
    assert not policy.allows(MEMBER, "DeletePolicy", [BACKUP_ARN], "BACKUP_POLICY")


def test_d12_principal_forms_name_the_account() -> None:
    for principal in (MEMBER, f"arn:aws:iam::{MEMBER}:root", {"AWS": [SECOND, MEMBER]}):
        policy = accepted(statement(Principal=principal))
        assert policy.allows(MEMBER, "DescribePolicy", [ORG_ARN], None)
        assert policy.names(MEMBER, "DescribePolicy")


def test_d12_deny_wins() -> None:
    policy = accepted(
        statement(Action="organizations:*"),
        statement(Effect="Deny", Action="organizations:DeletePolicy"),
    )
    assert policy.allows(MEMBER, "UpdatePolicy", [BACKUP_ARN], "BACKUP_POLICY")
    assert not policy.allows(MEMBER, "DeletePolicy", [BACKUP_ARN], "BACKUP_POLICY")
    # a Deny alone grants nothing
    assert not accepted(statement(Effect="Deny")).allows(
        MEMBER, "DescribePolicy", [], None
    )


def test_d12_a_deny_on_any_resource_refuses() -> None:
    """DECIDED: a Deny applies when it covers any ARN of the request (IAM evaluates each
    resource), so protecting a target works for AttachPolicy."""
    policy = accepted(
        statement(Action="organizations:AttachPolicy"),
        statement(Effect="Deny", Action="organizations:AttachPolicy", Resource=OU_ARN),
    )
    assert policy.allows(
        MEMBER, "AttachPolicy", [BACKUP_ARN, ROOT_ARN], "BACKUP_POLICY"
    )
    assert not policy.allows(
        MEMBER, "AttachPolicy", [BACKUP_ARN, OU_ARN], "BACKUP_POLICY"
    )


def test_d12_action_wildcards_star_and_question() -> None:
    policy = accepted(
        statement(Action=["organizations:List*", "organizations:?etachPolicy"])
    )
    for operation in ("ListRoots", "ListPoliciesForTarget", "DetachPolicy"):
        assert policy.allows(MEMBER, operation, [ORG_ARN], None), operation
    for operation in ("AttachPolicy", "DescribePolicy", "ListRoot"):
        assert not policy.allows(MEMBER, operation, [ORG_ARN], None), operation


def test_d12_actions_match_case_insensitively() -> None:
    policy = accepted(statement(Action="Organizations:describepolicy"))
    assert policy.allows(MEMBER, "DescribePolicy", [], None)
    assert policy.names(MEMBER, "DescribePolicy")


def test_d12_only_supported_operations_are_ever_granted() -> None:
    policy = accepted(statement(Action="*"))
    assert policy.allows(MEMBER, "AttachPolicy", [OU_ARN], "TAG_POLICY")
    for operation in (
        "PutResourcePolicy",
        "CreateAccount",
        "RegisterDelegatedAdministrator",
    ):
        assert not policy.names(MEMBER, operation)
        assert not policy.allows(MEMBER, operation, [], None)


def test_d12_every_resource_arn_matches_the_resource() -> None:
    policy = accepted(
        statement(
            Action="organizations:AttachPolicy",
            Resource=[
                OU_ARN,
                f"arn:aws:organizations::{MA}:policy/{ORG}/backup_policy/*",
            ],
        )
    )
    assert policy.allows(MEMBER, "AttachPolicy", [BACKUP_ARN, OU_ARN], "BACKUP_POLICY")
    assert not policy.allows(MEMBER, "AttachPolicy", [TAG_ARN, OU_ARN], "TAG_POLICY")
    assert not policy.allows(
        MEMBER, "AttachPolicy", [BACKUP_ARN, ROOT_ARN], "BACKUP_POLICY"
    )
    # ARNs compare case-sensitively
    assert not policy.allows(MEMBER, "AttachPolicy", [OU_ARN.upper()], None)
    # absent Resource means *
    bare = accepted(statement(Resource=None, Action="organizations:AttachPolicy"))
    assert bare.allows(MEMBER, "AttachPolicy", [TAG_ARN, ROOT_ARN], "TAG_POLICY")


def test_d12_resource_wildcards_cross_slashes_and_colons() -> None:
    policy = accepted(
        statement(Resource=f"arn:aws:organizations::{MA}:*tag_policy/p-??????????")
    )
    assert policy.allows(MEMBER, "DescribePolicy", [TAG_ARN], "TAG_POLICY")
    assert not policy.allows(MEMBER, "DescribePolicy", [BACKUP_ARN], "BACKUP_POLICY")
    assert not policy.allows(MEMBER, "DescribePolicy", [TAG_ARN + "0"], "TAG_POLICY")
    anywhere = accepted(statement(Resource="arn:aws:organizations::*"))
    assert anywhere.allows(MEMBER, "DescribePolicy", [BACKUP_ARN], "BACKUP_POLICY")


def policy_type_condition(operator: str, *values: str) -> DelegationPolicy:
    key = "organizations:PolicyType"
    return accepted(
        statement(
            Action="organizations:CreatePolicy",
            Condition={operator: {key: list(values)}},
        )
    )


def test_d12_policy_type_string_equals_is_exact() -> None:
    policy = policy_type_condition("StringEquals", "BACKUP_POLICY", "TAG_POLICY")
    assert policy.allows(MEMBER, "CreatePolicy", [BACKUP_ARN], "BACKUP_POLICY")
    assert policy.allows(MEMBER, "CreatePolicy", [TAG_ARN], "TAG_POLICY")
    assert not policy.allows(MEMBER, "CreatePolicy", [], "SERVICE_CONTROL_POLICY")
    # no policy type in the request: the key is absent, StringEquals does not hold
    assert not policy.allows(MEMBER, "CreatePolicy", [], None)


def test_d12_policy_type_string_like_has_wildcards() -> None:
    policy = policy_type_condition("StringLike", "TAG_*", "BACKUP_POLIC?")
    assert policy.allows(MEMBER, "CreatePolicy", [], "TAG_POLICY")
    assert policy.allows(MEMBER, "CreatePolicy", [], "BACKUP_POLICY")
    assert not policy.allows(MEMBER, "CreatePolicy", [], "SERVICE_CONTROL_POLICY")
    assert not policy.allows(MEMBER, "CreatePolicy", [], None)


@pytest.mark.parametrize("operator", ["StringEqualsIfExists", "StringLikeIfExists"])
def test_d12_policy_type_if_exists_holds_without_a_type(operator: str) -> None:
    """DECIDED, as IAM: with the key absent (`policy_type` None) IfExists holds; with it
    present it is the plain operator."""
    policy = policy_type_condition(operator, "BACKUP_POLICY")
    assert policy.allows(MEMBER, "CreatePolicy", [], None)
    assert policy.allows(MEMBER, "CreatePolicy", [], "BACKUP_POLICY")
    assert not policy.allows(MEMBER, "CreatePolicy", [], "TAG_POLICY")
    assert not policy.allows(MEMBER, "CreatePolicy", [], "backup_policy")


def test_d12_condition_operators_and_keys_all_hold() -> None:
    key = "organizations:PolicyType"
    policy = accepted(
        statement(
            Condition={
                "StringLike": {key: "*_POLICY"},
                "StringEqualsIfExists": {key: ["TAG_POLICY", "BACKUP_POLICY"]},
            }
        )
    )
    assert policy.allows(MEMBER, "DescribePolicy", [], "TAG_POLICY")
    assert not policy.allows(MEMBER, "DescribePolicy", [], "SERVICE_CONTROL_POLICY")
    # condition keys are case-insensitive, as IAM's
    lower = accepted(statement(Condition={"StringEquals": {key.lower(): "TAG_POLICY"}}))
    assert lower.allows(MEMBER, "DescribePolicy", [], "TAG_POLICY")


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalTag/team": "policies"}},
        {
            "StringEquals": {
                "organizations:PolicyType": "TAG_POLICY",
                "aws:SourceIp": "x",
            }
        },
        {"StringNotEquals": {"organizations:PolicyType": "TAG_POLICY"}},
        {"stringequals": {"organizations:PolicyType": "TAG_POLICY"}},
        {"Bool": {}},
    ],
)
def test_d12_an_unknown_condition_makes_the_statement_not_apply(
    condition: dict[str, Any],
) -> None:
    allow = accepted(statement(Condition=condition))
    assert not allow.allows(MEMBER, "DescribePolicy", [TAG_ARN], "TAG_POLICY")
    # the coarse check reads no conditions
    assert allow.names(MEMBER, "DescribePolicy")
    # a Deny with such a condition does not apply either (D12)
    with_deny = accepted(statement(), statement(Effect="Deny", Condition=condition))
    assert with_deny.allows(MEMBER, "DescribePolicy", [TAG_ARN], "TAG_POLICY")


def test_d12_coarse_names_against_fine_allows() -> None:
    """Z6: `names` passes a member named by an Allow for the action, whatever the
    resource and condition; `allows` then judges the request."""
    policy = accepted(
        statement(
            Action="organizations:UpdatePolicy",
            Resource=f"arn:aws:organizations::{MA}:policy/{ORG}/backup_policy/*",
            Condition={"StringEquals": {"organizations:PolicyType": "BACKUP_POLICY"}},
        ),
        statement(Effect="Deny", Principal=SECOND, Action="organizations:*"),
    )
    assert policy.names(MEMBER, "UpdatePolicy")
    assert policy.allows(MEMBER, "UpdatePolicy", [BACKUP_ARN], "BACKUP_POLICY")
    assert not policy.allows(MEMBER, "UpdatePolicy", [TAG_ARN], "TAG_POLICY")
    assert not policy.names(MEMBER, "DeletePolicy")
    # a Deny names no one for the coarse check
    assert not policy.names(SECOND, "UpdatePolicy")


def test_d12_parse_refuses_what_is_not_a_policy() -> None:
    for text in ("[]", '{"Statement": []}', content(statement(Effect="Maybe"))):
        with pytest.raises(Malformed):
            DelegationPolicy.parse(text)


# --- the wildcard matcher -------------------------------------------------------------

patterns = st.text(alphabet="ab:/*?", max_size=10)
texts = st.text(alphabet="ab:/", max_size=10)


@given(patterns, texts)
def test_d12_wildcards_agree_with_fnmatchcase(pattern: str, text: str) -> None:
    """`*` and `?` as fnmatch has them (no `[` in the alphabet), across `/` and `:`."""
    assert matches(pattern, text) is fnmatch.fnmatchcase(text, pattern)
    assert overlaps(pattern, text) is matches(pattern, text)


@given(st.text(alphabet="aAbB*?", max_size=8), st.text(alphabet="aAbB", max_size=8))
def test_d12_wildcards_ignore_case_on_request(pattern: str, text: str) -> None:
    expected = fnmatch.fnmatchcase(text.lower(), pattern.lower())
    assert matches(pattern, text, ignore_case=True) is expected


SHORT_STRINGS = [
    "".join(chars) for n in range(9) for chars in itertools.product("ab", repeat=n)
]


@given(st.text(alphabet="ab*?", max_size=4), st.text(alphabet="ab*?", max_size=4))
def test_d12_overlaps_means_a_common_string(first: str, second: str) -> None:
    """Two patterns of at most four symbols share a string iff they share one of at most
    eight characters."""
    common = any(
        fnmatch.fnmatchcase(text, first) and fnmatch.fnmatchcase(text, second)
        for text in SHORT_STRINGS
    )
    assert overlaps(first, second) is common
    assert overlaps(second, first) is common


def test_d12_wildcards_are_linear_on_hostile_patterns() -> None:
    hostile = "*a" * 20_000 + "b"
    started = time.perf_counter()
    assert not matches(hostile, "a" * 200)
    assert not matches("*a" * 60 + "*b", "a" * 200)
    assert matches("*a" * 60 + "*b", "a" * 100 + "b")
    assert overlaps(hostile, f"arn:aws:organizations::{MA}:policy/{ORG}/?*")
    assert not overlaps(hostile + "c", f"arn:aws:organizations::{MA}:policy/{ORG}/?*b")
    assert time.perf_counter() - started < 1
