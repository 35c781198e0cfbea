"""P8 (organizations.md §7): the strict JSON every policy document must be
(`policy_json.parse_object`) and the SCP and RCP content rules
(`authorization_policies.authorization_problem`); P10: the AWS-managed contents."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.loaders import Loader
from hypothesis import given
from hypothesis import strategies as st

from handlers.organizations.authorization_policies import (
    FULL_AWS_ACCESS,
    RCP_FULL_AWS_ACCESS,
    authorization_problem,
)
from handlers.organizations.policy_json import MAX_DEPTH, Malformed, parse_object

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


def malformed(content: str) -> str:
    """The message of the Malformed that `content` raises."""
    with pytest.raises(Malformed) as raised:
        parse_object(content)
    message = str(raised.value)
    assert message.endswith(".") and "\n" not in message
    return message


def policy(*statements: Any, **top: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", **top, "Statement": list(statements)}


def allow(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "s3:*", "Resource": "*", **extra}


def deny(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": "*", "Action": "s3:*", **extra}


def scp_problem(document: dict[str, Any]) -> str | None:
    """The SCP problem of `document`, after a round trip through the strict parser."""
    return authorization_problem(SCP, parse_object(json.dumps(document)))


# --- every type: one JSON object ------------------------------------------------------


def test_p8_every_type_one_json_object() -> None:
    assert parse_object(' {"a": [1, 2.5, true, null, {"b": "c"}]}\n') == {
        "a": [1, 2.5, True, None, {"b": "c"}]
    }
    for content in ("[]", '"text"', "1", "null", "true"):
        assert malformed(content) == "The document is not a JSON object."
    for content in ("", "{", "{'a': 1}", '{"a": 1,}', "\ufeff{}", '{"a": "\x01"}'):
        assert malformed(content).startswith("The document is not valid JSON")


def test_p8_every_type_no_duplicate_keys_at_any_depth() -> None:
    assert "appears twice" in malformed('{"a": 1, "a": 1}')
    assert "appears twice" in malformed('{"x": [{"y": {"a": 1, "b": {}, "a": 2}}]}')
    # the same key after unescaping
    assert (
        malformed('{"a": 1, "\\u0061": 2}')
        == 'The key "a" appears twice in one object.'
    )
    # equal keys in different objects are fine
    assert parse_object('{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}')


def test_p8_every_type_no_nan_or_infinity() -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        assert malformed(f'{{"a": {constant}}}') == f"{constant} is not a JSON value."
        assert malformed(f'{{"a": [1, {{"b": {constant}}}]}}')
    assert parse_object('{"a": "NaN"}') == {"a": "NaN"}


def test_p8_every_type_nothing_after_the_object() -> None:
    for content in ("{} {}", "{}x", "{}]", '{"a": 1}}', "{}\n\n0"):
        assert "Extra data" in malformed(content)
    assert parse_object("{}\r\n\t ") == {}


def test_p8_every_type_hostile_nesting_is_malformed_quickly() -> None:
    hostile = [
        "[" * 40_000,
        '{"a":' * 8_000,
        '[{"a":' * 5_000,
        "[" * 39_999 + "]",
        '{"a":' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}",
    ]
    for content in hostile:
        started = time.perf_counter()
        assert "deeper than" in malformed(content)
        assert time.perf_counter() - started < 0.5
    deepest = '{"a":' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    assert parse_object(deepest)
    # brackets inside strings are text, escaped quotes included
    assert parse_object(json.dumps({"a": "[{" * 19_000 + '\\"[['}))


def test_p8_every_type_hostile_strings_stay_linear() -> None:
    for content in (
        '"\\' * 20_000,
        '["\\"' * 10_000,
        '{"' + "\\u" * 19_000,
        "\\" * 40_000,
    ):
        started = time.perf_counter()
        malformed(content)
        assert time.perf_counter() - started < 0.5


def test_p8_every_type_text_without_utf8_form_is_malformed() -> None:
    """DECIDED: an unpaired surrogate escape has no UTF-8 form (RFC 8259 §8.1)."""
    assert "surrogate" in malformed('{"a": "\\ud800"}')
    assert "surrogate" in malformed('{"\\udc00": 1}')
    assert "surrogate" in malformed('{"a": ["x", "\\udfff"]}')
    assert parse_object('{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


def test_p8_every_type_a_number_of_5000_digits_is_malformed() -> None:
    """DECIDED: Python's limit of 4,300 digits (RFC 8259 §9 allows one)."""
    assert "too many digits" in malformed('{"a": ' + "7" * 5_000 + "}")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=5), json_values, max_size=5))
def test_p8_every_type_any_json_object_round_trips(document: dict[str, Any]) -> None:
    assert parse_object(json.dumps(document)) == document
    assert parse_object(json.dumps(document, ensure_ascii=False, indent=2)) == document


@given(st.text(alphabet='{}[]":,\\ u0a1-.eE9NIn', max_size=60))
def test_p8_every_type_any_text_is_an_object_or_malformed(content: str) -> None:
    try:
        assert isinstance(parse_object(content), dict)
    except Malformed:
        pass


# --- SCP and RCP ----------------------------------------------------------------------


def test_p8_version_if_present_2012_or_2008() -> None:
    assert scp_problem({"Statement": allow()}) is None
    assert scp_problem(policy(allow(), Version="2008-10-17")) is None
    for version in ("2012-10-18", 2012, None, ["2012-10-17"]):
        assert scp_problem(policy(allow(), Version=version)) == (
            'The policy\'s Version must be "2012-10-17" or "2008-10-17".'
        )


def test_p8_statement_an_object_or_a_non_empty_array() -> None:
    assert scp_problem({"Statement": allow()}) is None
    assert scp_problem(policy(allow(), allow(Sid="Two"))) is None
    assert scp_problem({"Version": "2012-10-17"}) == "The policy has no Statement."
    not_statements: list[Any] = [[], "Allow", 1, None]
    for statement in not_statements:
        assert scp_problem({"Statement": statement}) == (
            "The policy's Statement must be an object or a non-empty array."
        )
    assert scp_problem(policy(allow(), "x")) == "Statement 2 is not an object."
    assert scp_problem({"Statement": {}}) == (
        'Statement 1 must have Effect "Allow" or "Deny".'
    )


def test_p8_effect_allow_or_deny() -> None:
    assert scp_problem(policy({"Effect": "Deny", "Action": "*"})) is None
    for effect in ("allow", "Permit", None, True):
        assert scp_problem(policy(allow(Effect=effect))) == (
            'Statement 1 must have Effect "Allow" or "Deny".'
        )
    assert scp_problem(policy({"Action": "*"})) == (
        'Statement 1 must have Effect "Allow" or "Deny".'
    )


def test_p8_exactly_one_of_action_and_not_action() -> None:
    assert scp_problem(policy({"Effect": "Deny", "NotAction": "iam:*"})) is None
    expected = "Statement 1 must have exactly one of Action and NotAction."
    assert scp_problem(policy({"Effect": "Allow", "Resource": "*"})) == expected
    assert scp_problem(policy(allow(NotAction="iam:*"))) == expected


def test_p8_actions_are_service_action_patterns_or_star() -> None:
    for action in ("*", "s3:GetObject", ["s3:Get*", "ec2:*", "iam:?etUser"], "S3:get*"):
        assert scp_problem(policy(allow(Action=action))) is None
    for action in ("s3", "s3:", ":Get", "s3:Get Object", "*:*", "s3:Get:Object"):
        assert scp_problem(policy(allow(Action=action))) == (
            f"Statement 1 has an Action entry {json.dumps(action)} that is not valid."
        )
    not_strings: list[Any] = [[], 5, ["s3:*", 5], {"s3": "*"}]
    for value in not_strings:
        assert scp_problem(policy(allow(Action=value))) == (
            "Statement 1 has an Action that is neither a string nor a non-empty array "
            "of strings."
        )


def test_p8_optional_sid_resource_not_resource_condition() -> None:
    bare = {"Effect": "Allow", "Action": "*"}
    assert scp_problem(policy(bare)) is None
    assert scp_problem(policy(dict(bare, Sid="Named"))) is None
    assert scp_problem(policy(dict(bare, Resource=["arn:aws:s3:::b/*", "*"]))) is None
    assert scp_problem(policy(dict(bare, NotResource="arn:aws:s3:::b"))) is None
    condition = {
        "StringEquals": {"aws:RequestedRegion": ["eu-west-1"]},
        "Bool": {"k": True},
    }
    assert scp_problem(policy(dict(bare, Condition=condition))) is None
    assert scp_problem(policy(dict(bare, Sid=1))) == (
        "Statement 1 has a Sid that is not a string."
    )
    assert scp_problem(policy(dict(bare, Resource="*", NotResource="*"))) == (
        "Statement 1 has both Resource and NotResource."
    )
    assert scp_problem(policy(dict(bare, Resource="bucket"))) == (
        'Statement 1 has a Resource entry "bucket" that is not valid.'
    )
    bad_conditions: list[Any] = [
        "x",
        [],
        {"StringEquals": "x"},
        {"StringEquals": {"k": []}},
        {"S": {"k": None}},
    ]
    for bad in bad_conditions:
        assert scp_problem(policy(dict(bare, Condition=bad))) == (
            "Statement 1 has a Condition that is not an object of operators, each of keys."
        )


def test_p8_scp_has_no_principal() -> None:
    for key in ("Principal", "NotPrincipal"):
        assert scp_problem(policy(allow(**{key: "*"}))) == (
            f'Statement 1 has an element "{key}" that a service control policy cannot '
            "have."
        )


def test_p8_rcp_statement_denies_with_a_principal() -> None:
    def rcp(*statements: dict[str, Any]) -> str | None:
        return authorization_problem(RCP, parse_object(json.dumps(policy(*statements))))

    assert rcp(deny(), deny(Resource="arn:aws:s3:::b/*", Sid="S")) is None
    assert rcp(deny(Principal="*", Effect="Allow")) == (
        'Statement 1 must have Effect "Deny" in a resource control policy.'
    )
    expected = 'Statement 2 must have Principal "*" in a resource control policy.'
    no_principal = {"Effect": "Deny", "Action": "s3:*"}
    assert rcp(deny(), no_principal) == expected
    # DECIDED: only "*" (RCPs narrow principals with conditions); no NotPrincipal
    assert rcp(deny(), deny(Principal={"AWS": "111122223333"})) == expected
    assert rcp(deny(), dict(no_principal, NotPrincipal="*")) == expected
    assert rcp(deny(Principal="*", NotPrincipal="*")) == (
        "Statement 1 has both Principal and NotPrincipal."
    )


def test_p8_unknown_elements_are_refused() -> None:
    """DECIDED: IAM's grammar refuses them; `Id` is IAM's and allowed."""
    assert scp_problem(policy(allow(), Id="my-policy")) is None
    assert scp_problem(policy(allow(), Comment="x")) == (
        'The policy has an element "Comment" that a service control policy cannot have.'
    )
    assert scp_problem(policy(allow(), allow(effect="Allow"))) == (
        'Statement 2 has an element "effect" that a service control policy cannot have.'
    )
    assert scp_problem(policy(allow(), Id=5)) == "The policy's Id must be a string."


def test_p8_the_message_names_the_first_problem_in_one_sentence() -> None:
    document = policy(allow(), allow(Effect="No"), allow(Action="bad"))
    assert scp_problem(document) == 'Statement 2 must have Effect "Allow" or "Deny".'
    long_key = "K" * 5_000
    message = scp_problem(policy(allow(**{long_key: 1})))
    assert message is not None and len(message) < 150 and message.endswith(".")


# --- P10 ------------------------------------------------------------------------------


def example_content() -> str:
    """The DescribePolicy example's Content as botocore's loader reads it."""
    examples = Loader().load_service_model("organizations", "examples-1")["examples"]
    (example,) = examples["DescribePolicy"]
    content: str = example["output"]["Policy"]["Content"]
    return content


def test_p10_full_aws_access_is_the_describe_policy_example() -> None:
    raw = example_content()
    # the file escapes once too often: its \n and \" are backslash sequences
    assert "\\n" in raw and "\n" not in raw
    assert FULL_AWS_ACCESS == json.loads(f'"{raw}"')
    document = parse_object(FULL_AWS_ACCESS)
    assert FULL_AWS_ACCESS == json.dumps(document, indent=2)
    assert document == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    assert authorization_problem(SCP, document) is None


def test_p10_rcp_full_aws_access_adds_principal_star() -> None:
    document = parse_object(RCP_FULL_AWS_ACCESS)
    expected = parse_object(FULL_AWS_ACCESS)
    expected["Statement"][0] = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "*",
        "Resource": "*",
    }
    assert document == expected
    assert RCP_FULL_AWS_ACCESS == json.dumps(document, indent=2)
    # AWS-managed: the one Allow RCP, never checked through CreatePolicy
    assert authorization_problem(RCP, document) == (
        'Statement 1 must have Effect "Deny" in a resource control policy.'
    )


def test_p8_the_create_policy_example_content_is_a_valid_scp() -> None:
    examples = Loader().load_service_model("organizations", "examples-1")["examples"]
    (example,) = examples["CreatePolicy"]
    content = example["output"]["Policy"]["Content"]
    assert authorization_problem(SCP, parse_object(content)) is None
