"""M9 for policies: botocore's examples-1.json, field for field.

The examples' state is loaded by `--seed` (M8) with fixed ids and timestamps: Bill's
o-exampleorgid, root r-examplerootid111 with SCPs enabled, the OU ou-examplerootid111-
exampleouid111 ("Accounting", as ListTargetsForPolicy names it), accounts 222…444 (333
"Developer Test Account", likewise), the customer SCPs p-examplepolicyid111
(AllowAllS3Actions, the content DescribePolicy shows) and p-examplepolicyid222
(AllowAllEC2Actions), FullAWSAccess attached to the root, 333333333333 and the OU in that
order (ListTargetsForPolicy) and p-examplepolicyid222 to 444444444444
(ListPoliciesForTarget). The seed lists its attachments, so the organization gets no
default ones (`seed_policies`).

Every example runs on that state afresh (the test-control API's reset, which loads the
seed again), after the calls `BEFORE` names: the examples are snapshots of one
organization at different moments (EnablePolicyType's needs SCPs disabled first,
DetachPolicy's the attachment AttachPolicy's example makes, CreatePolicy's the name
that p-examplepolicyid111 holds — the example is the call that created it — and the
second UpdatePolicy example follows the first). Each output is compared through real
boto3 with `support.examples.mismatches`: every member the example shows, with its value;
members it leaves out may be present (M9); an operation without output answers `{}`.

Two kinds of the examples' slips are read for what they mean rather than skipped: a
`Content` that is not JSON but becomes JSON once its `\\"` and `\\n` are unescaped (the
file escapes it once too often: CreatePolicy's and the second UpdatePolicy's inputs,
DescribePolicy's and UpdatePolicy's outputs) is sent and compared unescaped; and
CreatePolicy's output names the policy p-examplepolicyid111, an id the server
generates, so that id is replaced in the expected output by the one the server gave the
new policy, consistently, wherever it appears (its ARN). The members the examples
contradict one another on are skipped (`SLIPS`, each with its reason;
organizations.md M9). Both engines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.databases import fresh_database
from support.examples import call, examples, matches, mismatches, renamed
from support.raw import send
from support.server import Server, organizations_client, running_server
from support.world import engine

__all__ = ["engine"]

ORG = "o-exampleorgid"
ROOT = "r-examplerootid111"
OU = "ou-examplerootid111-exampleouid111"
S3 = "p-examplepolicyid111"
EC2 = "p-examplepolicyid222"
SCP = "SERVICE_CONTROL_POLICY"
#: FullAWSAccess's content, as DescribePolicy's example means it (P10).
FULL_ACCESS = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",'
    '\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}'
)
EC2_ACCESS = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*"}}'


def _account(number: str, name: str, email: str) -> dict[str, str]:
    """Dummy keys for the examples' people; never real credentials."""
    return {
        "id": number * 12,
        "name": name,
        "email": email,
        "access_key_id": f"AKIATESTPOLICIES{number * 3}",
        "secret_access_key": f"test-secret-policies-{number}",
    }


BILL = _account("1", "Master Account", "bill@example.com")
SEED: dict[str, Any] = {
    "accounts": [
        BILL,
        _account("2", "Developer Account", "alice@example.com"),
        _account("3", "Developer Test Account", "juan@example.com"),
        _account("4", "Production Account", "anika@example.com"),
    ],
    "organizations": [
        {
            "id": ORG,
            "root_id": ROOT,
            "management_account_id": BILL["id"],
            "created": "2016-12-15T19:30:15Z",
            "members": [
                {"account_id": "222222222222", "joined": "2016-12-15T21:02:21Z"},
                {"account_id": "333333333333", "joined": "2016-12-15T21:03:15Z",
                 "parent_id": OU},
                {"account_id": "444444444444", "joined": "2016-12-15T21:03:32Z",
                 "parent_id": OU},
            ],
        }
    ],
    "organizational_units": [
        {"id": OU, "organization_id": ORG, "parent_id": ROOT, "name": "Accounting",
         "created": "2016-12-15T20:00:00Z"},
    ],
    "policies": [
        {"id": S3, "organization_id": ORG, "type": SCP, "name": "AllowAllS3Actions",
         "description": "Enables account admins to delegate permissions for any S3"
                        " actions to users and roles in their accounts.",
         "content": FULL_ACCESS, "created": "2016-12-16T10:00:00Z"},
        {"id": EC2, "organization_id": ORG, "type": SCP, "name": "AllowAllEC2Actions",
         "description": "Enables account admins to delegate permissions for any EC2"
                        " actions to users and roles in their accounts.",
         "content": EC2_ACCESS, "created": "2016-12-16T11:00:00Z"},
    ],
    "policy_attachments": [
        {"organization_id": ORG, "policy_id": "p-FullAWSAccess", "target_id": ROOT},
        {"organization_id": ORG, "policy_id": "p-FullAWSAccess",
         "target_id": "333333333333"},
        {"organization_id": ORG, "policy_id": "p-FullAWSAccess", "target_id": OU},
        {"organization_id": ORG, "policy_id": EC2, "target_id": "444444444444"},
    ],
}  # fmt: skip

OPERATIONS = (
    "AttachPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "DescribePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "ListPolicies",
    "ListPoliciesForTarget",
    "ListTargetsForPolicy",
    "UpdatePolicy",
)
#: The state an example needs besides the seed: (operation, index) -> the examples
#: whose inputs run first, as (operation, index).
BEFORE: dict[tuple[str, int], list[tuple[str, int]]] = {
    ("CreatePolicy", 0): [("DeletePolicy", 0)],
    ("DetachPolicy", 0): [("AttachPolicy", 0)],
    ("EnablePolicyType", 0): [("DisablePolicyType", 0)],
    ("UpdatePolicy", 1): [("UpdatePolicy", 0)],
}
#: The examples' own contradictions: (operation, index, path in the output) skipped,
#: and why. A path's `*` is every item of a list.
SLIPS: dict[tuple[str, int, str], str] = {
    (
        "CreatePolicy",
        0,
        "Policy.PolicySummary.Description",
    ): "the output's description is not the input's (organizations.md M9)",
    (
        "DescribePolicy",
        0,
        "Policy.PolicySummary.Description",
    ): "ListPolicies describes p-examplepolicyid111 otherwise (and agrees with"
    " ListPoliciesForTarget on p-examplepolicyid222's wording)",
    (
        "ListTargetsForPolicy",
        0,
        "Targets.1.Arn",
    ): "the account's ARN ends in ';' (organizations.md M9)",
    (
        "UpdatePolicy",
        0,
        "Policy.Content",
    ): "a content (ec2:*) that is not the policy's, as DescribePolicy shows it; the"
    " call sends no Content, so the policy keeps its own (P11)",
    (
        "UpdatePolicy",
        1,
        "Policy.Content",
    ): "the output has a space after the statement's '{' that the input's Content"
    " lacks; the server keeps Content exactly as sent (P7, P8)",
}


def _meant(content: Any) -> Any:
    """A `Content` as the example means it: unescaped once when it is not JSON but is
    the body of a JSON string whose value is (module docstring)."""
    if not isinstance(content, str):
        return content
    try:
        json.loads(content)
        return content
    except ValueError:
        unescaped = json.loads(f'"{content}"')
        json.loads(unescaped)  # it must then be JSON, or the example is not understood
        return str(unescaped)


def _contents_meant(value: Any) -> Any:
    """`value` with every `Content` member `_meant`."""
    if isinstance(value, dict):
        return {
            key: _meant(item) if key == "Content" else _contents_meant(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_contents_meant(item) for item in value]
    return value


def _skipped(operation: str, index: int) -> Callable[[str], bool]:
    return lambda path: any(
        matches(pattern, path)
        for (op, number, pattern) in SLIPS
        if (op, number) == (operation, index)
    )


EXAMPLES = {(op, index): example for op, index, example in examples(OPERATIONS)}


@pytest.fixture(scope="module")
def seeded(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, Any]]:
    """A server with `--admin`, seeded with the examples' state (the accounts file
    holds nobody else), and the management account's boto3 client."""
    folder: Path = tmp_path_factory.mktemp(f"policy-examples-{engine}")
    accounts = folder / "accounts.json"
    accounts.write_text(json.dumps({"accounts": [BILL]}))
    seed = folder / "seed.json"
    seed.write_text(json.dumps(SEED))
    with (
        fresh_database(engine, folder) as db,
        running_server(
            folder,
            "--accounts",
            str(accounts),
            "--db",
            db,
            "--seed",
            str(seed),
            "--admin",
        ) as server,
    ):
        yield server, organizations_client(server.url, BILL)


def _call(bill: Any, operation: str, index: int) -> dict[str, Any]:
    answer: dict[str, Any] = call(
        bill, operation, _contents_meant(EXAMPLES[(operation, index)]["input"])
    )
    return answer


@pytest.mark.parametrize(
    ("operation", "index"),
    list(EXAMPLES),
    ids=[f"{operation}-{index}" for operation, index in EXAMPLES],
)
def test_m9_policy_examples(
    seeded: tuple[Server, Any], operation: str, index: int
) -> None:
    """The example's output, field for field, from the seeded state (M8, M9)."""
    server, bill = seeded
    reset = send(server.url, "POST", "/_botogen/reset", b"", {})
    assert reset.status == 200, reset.body
    for before in BEFORE.get((operation, index), []):
        _call(bill, *before)
    actual = _call(bill, operation, index)
    expected = _contents_meant(EXAMPLES[(operation, index)].get("output") or {})
    if operation == "CreatePolicy":
        expected = renamed(expected, {S3: actual["Policy"]["PolicySummary"]["Id"]})
        assert actual["Policy"]["PolicySummary"]["Id"] != S3
    if not expected:
        assert actual == {}  # no output shape: `{}` (C7)
    assert mismatches(expected, actual, _skipped(operation, index)) == []
