"""The delegation policy itself (`docs/organizations.md`, "The delegation policy"; spec
§9 D11, D13, D14, with T1/T6 for its tags, O5 and M8): PutResourcePolicy,
DescribeResourcePolicy, DeleteResourcePolicy through real boto3 clients against a real
server, on SQLite and PostgreSQL (one server per module and engine; tests keep apart by
using fresh accounts). What the policy grants is `tests/test_delegates.py`'s.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from generated.organizations.shapes import InvalidInputExceptionReason as Reason
from handlers.organizations.resource_policy_documents import SENTENCES
from support.databases import fresh_database
from support.delegation import arn, delegate, document, statement
from support.world import (
    Org,
    World,
    dummy_accounts,
    engine,
    fails_with,
    in_process,
    world,
)

__all__ = ["engine", "world"]

NOT_FOUND = (
    "We can't find a resource policy request with the parameter that you specified."
)
TAGS_ON_REPLACEMENT = "Tags can be specified only when the resource policy is created."
ACCESS_DENIED = "You don't have permissions to access this resource."
ID = re.compile(r"rp-[0-9a-z]{10}")


def _read(org: Org) -> dict[str, Any]:
    policy: dict[str, Any] = org.manager.client.describe_resource_policy()[
        "ResourcePolicy"
    ]
    return policy


def _tags(org: Org, resource_id: str) -> list[dict[str, str]]:
    tags: list[dict[str, str]] = org.manager.client.list_tags_for_resource(
        ResourceId=resource_id
    )["Tags"]
    return tags


# -- D11 PutResourcePolicy ------------------------------------------------------------------


def test_d11_put_creates_the_policy(world: World) -> None:
    """D11, C1, C2: the first Put creates the policy with an `rp-` id and the ARN
    `…:resourcepolicy/O/<id>`; Content is answered exactly as sent, whitespace included,
    by the Put and by DescribeResourcePolicy (D13)."""
    org = world.organization(members=1)
    content = (
        "  " + document(statement(org.members[0], "organizations:ListRoots")) + "\n"
    )
    put = org.manager.client.put_resource_policy(Content=content)
    assert set(put) == {"ResourcePolicy", "ResponseMetadata"}
    policy = put["ResourcePolicy"]
    summary = policy["ResourcePolicySummary"]
    assert ID.fullmatch(summary["Id"]), summary
    assert summary == {
        "Id": summary["Id"],
        "Arn": arn(org, "resourcepolicy", summary["Id"]),
    }
    assert policy["Content"] == content
    assert _read(org) == policy


def test_d11_replacement_keeps_id_and_arn(world: World) -> None:
    """D11: a later Put replaces Content and keeps the id and ARN (and the tags, T6);
    ids are unique on the server (C1): another organization's policy has another."""
    org = world.organization(members=1)
    member = org.members[0]
    first = delegate(
        org,
        statement(member, "organizations:ListRoots"),
        Tags=[{"Key": "team", "Value": "blue"}],
    )
    content = document(statement(member, "organizations:List*"))
    second = org.manager.client.put_resource_policy(Content=content)["ResourcePolicy"]
    assert second == {
        "ResourcePolicySummary": first["ResourcePolicySummary"],
        "Content": content,
    }
    assert _read(org) == second
    assert _tags(org, second["ResourcePolicySummary"]["Id"]) == [
        {"Key": "team", "Value": "blue"}
    ]
    other = world.organization(members=1)
    elsewhere = delegate(other, statement(other.members[0], "organizations:ListRoots"))
    assert (
        elsewhere["ResourcePolicySummary"]["Id"] != first["ResourcePolicySummary"]["Id"]
    )


def test_d11_tags_only_on_creation(world: World) -> None:
    """D11, T6: tags given at creation are the policy's (in order); on a replacement any
    tag is InvalidInputException with no Reason and D11's message, and nothing changes;
    DECIDED: `Tags: []` names no tag and is accepted."""
    org = world.organization(members=1)
    member = org.members[0]
    tags = [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": ""}]
    created = delegate(org, statement(member, "organizations:ListRoots"), Tags=tags)
    policy_id = created["ResourcePolicySummary"]["Id"]
    assert _tags(org, policy_id) == tags
    error = fails_with(
        "InvalidInputException",
        org.manager.client.put_resource_policy,
        Content=document(statement(member, "organizations:List*")),
        Tags=[{"Key": "c", "Value": "3"}],
    )
    assert error["Error"]["Message"] == TAGS_ON_REPLACEMENT
    assert "Reason" not in error
    assert _read(org) == created
    assert _tags(org, policy_id) == tags
    replaced = org.manager.client.put_resource_policy(
        Content=document(statement(member, "organizations:List*")), Tags=[]
    )["ResourcePolicy"]
    assert replaced["ResourcePolicySummary"] == created["ResourcePolicySummary"]
    assert _tags(org, policy_id) == tags


def test_d11_creation_tags_follow_t3(world: World) -> None:
    """T3, T6: a creation's tags are checked before anything is stored: a key twice is
    DUPLICATE_TAG_KEY, an `aws:` key INVALID_SYSTEM_TAGS_PARAMETER, more than 50
    ConstraintViolation MAX_TAG_LIMIT_EXCEEDED; a refused Put creates no policy."""
    org = world.organization(members=1)
    content = document(statement(org.members[0], "organizations:ListRoots"))
    put = org.manager.client.put_resource_policy
    twice = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    error = fails_with("InvalidInputException", put, Content=content, Tags=twice)
    assert error["Reason"] == "DUPLICATE_TAG_KEY"
    system = [{"Key": "AWS:x", "Value": ""}]
    error = fails_with("InvalidInputException", put, Content=content, Tags=system)
    assert error["Reason"] == "INVALID_SYSTEM_TAGS_PARAMETER"
    many = [{"Key": f"k{n}", "Value": ""} for n in range(51)]
    error = fails_with("ConstraintViolationException", put, Content=content, Tags=many)
    assert error["Reason"] == "MAX_TAG_LIMIT_EXCEEDED"
    fails_with(
        "ResourcePolicyNotFoundException", org.manager.client.describe_resource_policy
    )
    fifty = many[:50]
    created = delegate(
        org, statement(org.members[0], "organizations:ListRoots"), Tags=fifty
    )
    assert _tags(org, created["ResourcePolicySummary"]["Id"]) == fifty


def _reason(org: Org, content: str, **params: Any) -> str:
    error = fails_with(
        "InvalidInputException",
        org.manager.client.put_resource_policy,
        Content=content,
        **params,
    )
    reason: str = error["Reason"]
    assert error["Error"]["Message"] == SENTENCES[Reason(reason)], reason
    return reason


def test_d11_document_checks(world: World) -> None:
    """D11's reasons, each with its sentence (C6), and nothing stored: not a policy
    document; a principal that is not a member (another organization's, a standalone
    account, and, DECIDED, the management account); an unsupported action; a resource
    of another organization; a PolicyType condition value that is no type."""
    org = world.organization(members=1)
    member = org.members[0]
    other = world.organization()
    allow = statement(member, "organizations:ListRoots")
    assert _reason(org, "not json") == "INVALID_RESOURCE_POLICY_JSON"
    assert _reason(org, json.dumps({"Statement": []})) == "INVALID_RESOURCE_POLICY_JSON"
    assert _reason(org, document({**allow, "Effect": "Permit"})) == (
        "INVALID_RESOURCE_POLICY_JSON"
    )
    for outsider in (other.manager, world.account(), org.manager):
        bad = statement(outsider, "organizations:ListRoots")
        assert _reason(org, document(allow, bad)) == "INVALID_PRINCIPAL"
    assert (
        _reason(org, document(statement(member, "organizations:CreateAccount")))
        == "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY"
    )
    foreign = arn(other, "ou", "ou-abcd-abcdefgh")
    assert (
        _reason(org, document(statement(member, "organizations:TagResource", foreign)))
        == "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY"
    )
    typed = statement(
        member,
        "organizations:CreatePolicy",
        condition={"StringEquals": {"organizations:PolicyType": "NOT_A_TYPE"}},
    )
    assert _reason(org, document(typed)) == "UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY"
    fails_with(
        "ResourcePolicyNotFoundException", org.manager.client.describe_resource_policy
    )


def test_d11_check_order(world: World) -> None:
    """V1, V2 "Delegation policy": the caller (Z1, Z2) before the feature set (D2)
    before the document before the tags; a member that departed is no member."""
    standalone = world.account()
    fails_with(
        "AWSOrganizationsNotInUseException",
        standalone.client.put_resource_policy,
        Content="not json",
    )
    org = world.organization(members=2)
    member, leaver = org.members
    error = fails_with(
        "AccessDeniedException", member.client.put_resource_policy, Content="not json"
    )
    assert error["Error"]["Message"] == ACCESS_DENIED
    billing = world.organization(feature_set="CONSOLIDATED_BILLING")
    error = fails_with(
        "ConstraintViolationException",
        billing.manager.client.put_resource_policy,
        Content="not json",
    )
    assert error["Reason"] == "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"
    twice = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    assert _reason(org, "not json", Tags=twice) == "INVALID_RESOURCE_POLICY_JSON"
    org.manager.client.remove_account_from_organization(AccountId=leaver.id)
    assert (
        _reason(org, document(statement(leaver, "organizations:ListRoots")))
        == "INVALID_PRINCIPAL"
    )


def test_d11_content_length(world: World) -> None:
    """D11, §13: Content is at most 40,000 characters (R8: MAX_LENGTH_EXCEEDED, before
    the caller's checks); exactly 40,000 is judged as a document."""
    org = world.organization(members=1)
    allow = document(statement(org.members[0], "organizations:ListRoots"))
    error = fails_with(
        "InvalidInputException",
        org.manager.client.put_resource_policy,
        Content=allow + " " * (40_001 - len(allow)),
    )
    assert error["Reason"] == "MAX_LENGTH_EXCEEDED"
    padded = allow + " " * (40_000 - len(allow))
    assert delegate_content(org, padded)["Content"] == padded


def delegate_content(org: Org, content: str) -> dict[str, Any]:
    put: dict[str, Any] = org.manager.client.put_resource_policy(Content=content)[
        "ResourcePolicy"
    ]
    return put


def test_d11_racing_first_puts_make_one_policy(world: World) -> None:
    """C8: first Puts racing in one organization serialise on its row: one policy is
    created, the others replace it, and every answer names the same id."""
    org = world.organization(members=1)
    contents = [
        document(statement(org.members[0], f"organizations:{name}"))
        for name in ("ListRoots", "ListAccounts", "ListChildren", "ListParents") * 2
    ]
    clients = [world.client(org.manager) for _ in contents]
    with ThreadPoolExecutor(len(contents)) as pool:
        answers = list(
            pool.map(
                lambda pair: pair[0].put_resource_policy(Content=pair[1]),
                zip(clients, contents),
            )
        )
    ids = {
        answer["ResourcePolicy"]["ResourcePolicySummary"]["Id"] for answer in answers
    }
    assert len(ids) == 1
    rows = world.rows(
        "SELECT id, content FROM resource_policies WHERE organization_id = ?", org.id
    )
    assert [row["id"] for row in rows] == list(ids)
    assert rows[0]["content"] in contents


# -- D13 DescribeResourcePolicy -------------------------------------------------------------


def test_d13_describe_without_policy(world: World) -> None:
    """D13: no policy is ResourcePolicyNotFoundException (C6: its first sentence), for the
    management account and a delegated administrator (Z4) alike; a plain member is
    AccessDenied, a standalone account AWSOrganizationsNotInUse (Z1)."""
    org = world.organization(members=2)
    admin, plain = org.members
    org.manager.client.enable_aws_service_access(
        ServicePrincipal="config.amazonaws.com"
    )
    org.manager.client.register_delegated_administrator(
        AccountId=admin.id, ServicePrincipal="config.amazonaws.com"
    )
    for caller in (org.manager, admin):
        error = fails_with(
            "ResourcePolicyNotFoundException", caller.client.describe_resource_policy
        )
        assert error["Error"]["Message"] == NOT_FOUND
    fails_with("AccessDeniedException", plain.client.describe_resource_policy)
    fails_with(
        "AWSOrganizationsNotInUseException",
        world.account().client.describe_resource_policy,
    )
    put = delegate(org, statement(plain, "organizations:ListRoots"))
    assert admin.client.describe_resource_policy()["ResourcePolicy"] == put


# -- D14 DeleteResourcePolicy ---------------------------------------------------------------


def test_d14_delete(world: World) -> None:
    """D14: the policy and its tags go; response `{}`; a second delete, like one without
    a policy, is ResourcePolicyNotFound; the next Put creates a new policy (a new id,
    tags allowed again). Members may not delete (AccessDenied); D2 applies."""
    org = world.organization(members=1)
    member = org.members[0]
    fails_with(
        "ResourcePolicyNotFoundException", org.manager.client.delete_resource_policy
    )
    created = delegate(
        org,
        statement(member, "organizations:ListRoots"),
        Tags=[{"Key": "k", "Value": ""}],
    )
    policy_id = created["ResourcePolicySummary"]["Id"]
    fails_with("AccessDeniedException", member.client.delete_resource_policy)
    answer = org.manager.client.delete_resource_policy()
    assert set(answer) == {"ResponseMetadata"}
    error = fails_with(
        "ResourcePolicyNotFoundException", org.manager.client.describe_resource_policy
    )
    assert error["Error"]["Message"] == NOT_FOUND
    fails_with(
        "ResourcePolicyNotFoundException", org.manager.client.delete_resource_policy
    )
    assert world.rows("SELECT * FROM tags WHERE resource_id = ?", policy_id) == []
    again = delegate(
        org,
        statement(member, "organizations:ListRoots"),
        Tags=[{"Key": "j", "Value": ""}],
    )
    assert again["ResourcePolicySummary"]["Id"] != policy_id
    billing = world.organization(feature_set="CONSOLIDATED_BILLING")
    error = fails_with(
        "ConstraintViolationException", billing.manager.client.delete_resource_policy
    )
    assert error["Reason"] == "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"


# -- T1: the delegation policy's tags ---------------------------------------------------------


def test_t1_the_delegation_policy_is_taggable(world: World) -> None:
    """T1, T3–T5: TagResource, UntagResource and ListTagsForResource take the policy's
    `rp-` id; another organization's policy, and a deleted one, are TargetNotFound."""
    org = world.organization(members=1)
    policy_id = delegate(org, statement(org.members[0], "organizations:ListRoots"))[
        "ResourcePolicySummary"
    ]["Id"]
    client = org.manager.client
    client.tag_resource(
        ResourceId=policy_id,
        Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
    )
    client.untag_resource(ResourceId=policy_id, TagKeys=["a"])
    assert _tags(org, policy_id) == [{"Key": "b", "Value": "2"}]
    other = world.organization(members=1)
    other_id = delegate(other, statement(other.members[0], "organizations:ListRoots"))[
        "ResourcePolicySummary"
    ]["Id"]
    for call, params in (
        (client.tag_resource, {"Tags": [{"Key": "x", "Value": ""}]}),
        (client.untag_resource, {"TagKeys": ["x"]}),
        (client.list_tags_for_resource, {}),
    ):
        fails_with("TargetNotFoundException", call, ResourceId=other_id, **params)
    client.delete_resource_policy()
    fails_with(
        "TargetNotFoundException", client.list_tags_for_resource, ResourceId=policy_id
    )


# -- O5: DeleteOrganization -------------------------------------------------------------------


def test_o5_delete_organization_deletes_the_delegation_policy(world: World) -> None:
    """O5 (`cascade.organization_deleted`): the deleted organization's delegation policy
    and its tags go; the former management account's next organization has none."""
    org = world.organization(members=1)
    member = org.members[0]
    policy_id = delegate(
        org,
        statement(member, "organizations:ListRoots"),
        Tags=[{"Key": "k", "Value": ""}],
    )["ResourcePolicySummary"]["Id"]
    org.manager.client.remove_account_from_organization(AccountId=member.id)
    org.manager.client.delete_organization()
    assert world.rows("SELECT * FROM resource_policies WHERE id = ?", policy_id) == []
    assert world.rows("SELECT * FROM tags WHERE resource_id = ?", policy_id) == []
    org.manager.client.create_organization(FeatureSet="ALL")
    fails_with(
        "ResourcePolicyNotFoundException", org.manager.client.describe_resource_policy
    )


# -- M8: the seed section ---------------------------------------------------------------------


def _seed(accounts: list[dict[str, str]]) -> dict[str, Any]:
    """Three organizations: one with a member and a delegation policy (tagged), one
    with CONSOLIDATED_BILLING, one with ALL features and nothing else."""
    manager, member, outsider, second = (entry["id"] for entry in accounts)
    content = document(statement(member, "organizations:List*"))
    seed: dict[str, Any] = {
        "organizations": [
            {
                "id": "o-seeddelegat",
                "management_account_id": manager,
                "members": [{"account_id": member}],
            },
            {
                "id": "o-seedbilling",
                "management_account_id": outsider,
                "feature_set": "CONSOLIDATED_BILLING",
            },
            {"id": "o-seedsecond", "management_account_id": second},
        ],
        "resource_policies": [
            {
                "organization_id": "o-seeddelegat",
                "id": "rp-seeded1234",
                "content": content,
                "created": "2030-01-01T00:00:00Z",
            }
        ],
        "tags": [{"resource_id": "rp-seeded1234", "key": "team", "value": "blue"}],
    }
    return seed


def test_m8_seed_delegation_policy(engine: str, tmp_path: Path) -> None:
    """M8 (`seed_delegation`): a seeded delegation policy is answered as stored (id,
    ARN, content), its tags come from the `tags` section, it grants at once; a second
    load keeps what is stored."""
    from generated.organizations.models import (
        ListRootsRequest,
        ListTagsForResourceRequest,
    )
    from runtime.model import Empty

    accounts = dummy_accounts(4)
    manager, member = accounts[0]["id"], accounts[1]["id"]
    seed = _seed(accounts)
    with fresh_database(engine, tmp_path) as db:
        with in_process(db, accounts, seed) as served:
            policy = served.handler.describe_resource_policy(
                served.context(manager), Empty()
            ).resource_policy
            assert policy.resource_policy_summary.id == "rp-seeded1234"
            assert policy.resource_policy_summary.arn == (
                f"arn:aws:organizations::{manager}:resourcepolicy/o-seeddelegat"
                "/rp-seeded1234"
            )
            assert policy.content == seed["resource_policies"][0]["content"]
            tags = served.handler.list_tags_for_resource(
                served.context(manager),
                ListTagsForResourceRequest(resource_id="rp-seeded1234"),
            ).tags
            assert [(tag.key, tag.value) for tag in tags] == [("team", "blue")]
            roots = served.handler.list_roots(
                served.context(member), ListRootsRequest()
            )
            assert len(roots.roots) == 1
        changed = _seed(accounts)
        changed["resource_policies"][0]["content"] = "not json"
        with in_process(db, accounts, changed) as served:
            again = served.handler.describe_resource_policy(
                served.context(manager), Empty()
            ).resource_policy
            assert again.content == policy.content


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"organization_id": "o-unknownorg1"},
            "organization 'o-unknownorg1' is unknown",
        ),
        ({"organization_id": "o-seedbilling"}, "does not have ALL features"),
        ({"id": "p-notresource"}, "is not a valid resource policy id"),
        ({"organization_id": "o-seedsecond"}, "is already an entity's id"),
        ({"content": ""}, "'content' is not a string"),
        ({"content": "not json"}, "refused: INVALID_RESOURCE_POLICY_JSON"),
        ({"content": "MANAGER"}, "refused: INVALID_PRINCIPAL"),
    ],
)
def test_m8_seed_delegation_policy_refused(
    tmp_path: Path, entry: dict[str, Any], message: str
) -> None:
    """M8: a seeded delegation policy is checked as PutResourcePolicy would check it
    (D2, C1, D11 with the management account no member); a bad one stops the load with
    one line naming the entry."""
    accounts = dummy_accounts(4)
    seed = _seed(accounts)
    if entry.get("content") == "MANAGER":
        entry = {
            "content": document(statement(accounts[0]["id"], "organizations:List*"))
        }
    if entry.get("organization_id") == "o-seedsecond":  # a second policy, same id
        seed["resource_policies"].append({**seed["resource_policies"][0], **entry})
        where = "resource_policies[1]"
    else:
        seed["resource_policies"][0].update(entry)
        where = "resource_policies[0]"
    with fresh_database("sqlite", tmp_path) as db:
        with pytest.raises(ValueError) as raised:
            with in_process(db, accounts, seed):
                pass
    assert str(raised.value).startswith(f"seed: {where}: ")
    assert message in str(raised.value)
