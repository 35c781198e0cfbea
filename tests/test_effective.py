"""DescribeEffectivePolicy (`docs/organizations.md`, "Effective policies": E1–E9, P2,
V1's order for it), through real boto3 clients against a real server, on SQLite and
PostgreSQL (one server per module and engine, and one on a business clock for E8's
timestamps; tests keep apart by using fresh accounts).

Policies are created, attached, detached and updated through the API (`support.effective`).
The validation-error operations (E10–E12) are `test_effective_errors.py`'s; the merge
itself is `test_inheritance.py`'s (pure) and `test_effective_property.py`'s (through the
server). E9's tree is built with generated ids; its documents and expected strings are the
spec's, exactly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from support.effective import (
    NOT_FOUND,
    SIMPLE,
    SIMPLE_EFFECTIVE,
    Policies,
    policies,
    tag_policy,
)
from support.world import (
    UTC,
    Actor,
    World,
    engine,
    fails_with,
    fresh_instants,
    serving,
    world,
)

__all__ = ["engine", "world"]

ACCESS_DENIED = "You don't have permissions to access this resource."
TARGET_NOT_FOUND = (
    "We can't find a root, OU, account, or policy with the TargetId that you specified."
)
TARGET_NOT_SUPPORTED = (
    "You can't perform the specified operation on that target entity."
)


@pytest.fixture(scope="module")
def clock_world(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A server whose "now" the tests set (E8's timestamps)."""
    folder = tmp_path_factory.mktemp(f"effective-clock-{engine}")
    with serving(folder, engine, clock=True) as running:
        yield running


#: Sets the business clock to a stretch of time no other test of the module uses.
fresh_instant = fresh_instants(datetime(2031, 1, 1, tzinfo=UTC), timedelta(days=30))


def describe(actor: Actor, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = actor.client.describe_effective_policy(
        PolicyType="TAG_POLICY", **params
    )["EffectivePolicy"]
    return found


# -- E1, Z1 --------------------------------------------------------------------------------


def test_e1_authorization_types_are_invalid_enum(world: World) -> None:
    """E1: SCPs and RCPs have no effective policy here: INVALID_ENUM (R8), for the three
    operations."""
    org = world.organization()
    client = org.manager.client
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        for call, params in (
            (client.describe_effective_policy, {}),
            (client.list_accounts_with_invalid_effective_policy, {}),
            (
                client.list_effective_policy_validation_errors,
                {"AccountId": org.manager.id},
            ),
        ):
            failure = fails_with(
                "InvalidInputException", call, PolicyType=policy_type, **params
            )
            assert failure["Reason"] == "INVALID_ENUM"


def test_z1_standalone_caller(world: World) -> None:
    """Z1: an account in no organization is AWSOrganizationsNotInUse for all three."""
    loner = world.account()
    client = loner.client
    for call, params in (
        (client.describe_effective_policy, {}),
        (client.list_accounts_with_invalid_effective_policy, {}),
        (client.list_effective_policy_validation_errors, {"AccountId": loner.id}),
    ):
        failure = fails_with(
            "AWSOrganizationsNotInUseException", call, PolicyType="TAG_POLICY", **params
        )
        assert failure["Error"]["Message"] == (
            "Your account is not a member of an organization."
        )


# -- E2: the target ------------------------------------------------------------------------


def test_e2_target_absent_is_the_caller(world: World) -> None:
    """E2: without TargetId the caller's own account is the target, member or MA."""
    tree = policies(world)
    member = tree.org.members[0]
    tree.attach_new(SIMPLE, tree.root_id)
    assert describe(member)["TargetId"] == member.id
    assert describe(tree.org.manager)["TargetId"] == tree.org.manager.id


def test_e2_member_asks_about_itself(world: World) -> None:
    """E2, matrix row 35: a plain member may ask about its own account by id."""
    tree = policies(world)
    member = tree.org.members[0]
    tree.attach_new(SIMPLE, member.id)
    found = describe(member, TargetId=member.id)
    assert found["TargetId"] == member.id
    assert found["PolicyContent"] == SIMPLE_EFFECTIVE


def test_e2_member_asks_about_another_account(world: World) -> None:
    """E2, step 4: a plain member naming any other id — another member, the MA, the
    root, an OU, an account outside — is AccessDenied, before any other check."""
    tree = policies(world, members=2)
    member, other = tree.org.members
    dev = tree.ou("Dev")
    outsider = world.account()
    for target in (other.id, tree.org.manager.id, tree.root_id, dev, outsider.id):
        failure = fails_with(
            "AccessDeniedException",
            member.client.describe_effective_policy,
            PolicyType="TAG_POLICY",
            TargetId=target,
        )
        assert failure["Error"]["Message"] == ACCESS_DENIED


def test_e2_root_or_ou_target_not_supported(world: World) -> None:
    """E2, step 6: a root or OU id is InvalidInput TARGET_NOT_SUPPORTED with its
    sentence; the kind comes from the id alone (DECIDED), so another organization's
    root and an OU id nobody has are answered alike."""
    tree = policies(world)
    dev = tree.ou("Dev")
    other = Policies(world.organization())
    for target in (tree.root_id, dev, other.root_id, "ou-zzzz-zzzzzzzz"):
        failure = fails_with(
            "InvalidInputException",
            tree.org.manager.client.describe_effective_policy,
            PolicyType="TAG_POLICY",
            TargetId=target,
        )
        assert failure["Reason"] == "TARGET_NOT_SUPPORTED"
        assert failure["Error"]["Message"] == TARGET_NOT_SUPPORTED


def test_e2_account_outside_the_organization(world: World) -> None:
    """E2, step 7: another organization's account, a standalone account, an unknown
    id and a value that only passes the unanchored pattern (C9) are TargetNotFound."""
    tree = policies(world)
    other = world.organization(members=1)
    for target in (
        other.members[0].id,
        other.manager.id,
        world.account().id,
        "123456789012",
        "x123456789012",
    ):
        failure = fails_with(
            "TargetNotFoundException",
            tree.org.manager.client.describe_effective_policy,
            PolicyType="TAG_POLICY",
            TargetId=target,
        )
        assert failure["Error"]["Message"] == TARGET_NOT_FOUND


def test_e2_management_account_is_a_valid_target(world: World) -> None:
    """E2: management policies affect the MA; a policy on it is its effective policy."""
    tree = policies(world)
    tree.attach_new(SIMPLE, tree.org.manager.id)
    assert tree.content(tree.org.manager.id) == SIMPLE_EFFECTIVE


def test_e2_check_order(world: World) -> None:
    """V1 for DescribeEffectivePolicy: the target's kind (6) and existence (7) come
    before E3 (9–10), so an organization without the type still answers them; a
    consolidated-billing organization too (P2 at E3's place, DECIDED)."""
    for feature_set in ("ALL", "CONSOLIDATED_BILLING"):
        org = world.organization(feature_set)
        client = org.manager.client
        root = client.list_roots()["Roots"][0]["Id"]
        call = client.describe_effective_policy
        failure = fails_with(
            "InvalidInputException", call, PolicyType="TAG_POLICY", TargetId=root
        )
        assert failure["Reason"] == "TARGET_NOT_SUPPORTED"
        fails_with(
            "TargetNotFoundException",
            call,
            PolicyType="TAG_POLICY",
            TargetId=world.account().id,
        )
        fails_with("EffectivePolicyNotFoundException", call, PolicyType="TAG_POLICY")


def test_e2_delegated_administrator_asks_about_any_account(world: World) -> None:
    """Matrix row 35: a delegated administrator (Z4) may ask about another account."""
    tree = policies(world, members=2)
    admin, other = tree.org.members
    tree.register_administrator(admin.id)
    tree.attach_new(SIMPLE, other.id)
    assert describe(admin, TargetId=other.id)["PolicyContent"] == SIMPLE_EFFECTIVE
    failure = fails_with(
        "InvalidInputException",
        admin.client.describe_effective_policy,
        PolicyType="TAG_POLICY",
        TargetId=tree.root_id,
    )
    assert failure["Reason"] == "TARGET_NOT_SUPPORTED"


def test_e2_delegate_fine_check(world: World) -> None:
    """Step 8 (Z6, D12, P20): a delegate's request is checked against the account's ARN
    and the policy type, after the target exists; asking about itself needs no
    delegation (DECIDED)."""
    tree = policies(world, members=3)
    delegate, allowed, refused = tree.org.members
    arn = f"arn:aws:organizations::{tree.org.manager.id}:account/{tree.org.id}"
    tree.delegate(
        delegate.id,
        [
            {
                "Action": [
                    "organizations:DescribeEffectivePolicy",
                    "organizations:ListEffectivePolicyValidationErrors",
                ],
                "Resource": f"{arn}/{allowed.id}",
                "Condition": {
                    "StringEquals": {"organizations:PolicyType": "TAG_POLICY"}
                },
            }
        ],
    )
    tree.enable("BACKUP_POLICY")
    tree.attach_new(SIMPLE, tree.root_id)
    assert describe(delegate, TargetId=allowed.id)["TargetId"] == allowed.id
    assert describe(delegate)["TargetId"] == delegate.id
    assert describe(delegate, TargetId=delegate.id)["TargetId"] == delegate.id
    client = delegate.client
    for call, params in (
        (client.describe_effective_policy, {"TargetId": refused.id}),
        (client.list_effective_policy_validation_errors, {"AccountId": refused.id}),
    ):
        fails_with("AccessDeniedException", call, PolicyType="TAG_POLICY", **params)
    fails_with(
        "AccessDeniedException",
        client.describe_effective_policy,
        PolicyType="BACKUP_POLICY",
        TargetId=allowed.id,
    )
    fails_with(
        "TargetNotFoundException",
        client.describe_effective_policy,
        PolicyType="TAG_POLICY",
        TargetId=world.account().id,
    )
    fails_with(
        "AccountNotFoundException",
        client.list_effective_policy_validation_errors,
        PolicyType="TAG_POLICY",
        AccountId=world.account().id,
    )
    fails_with(
        "AccessDeniedException",
        client.list_accounts_with_invalid_effective_policy,
        PolicyType="TAG_POLICY",
    )


# -- E3: nothing to show -------------------------------------------------------------------


def test_e3_type_not_enabled(world: World) -> None:
    """E3: the type not enabled in the root is EffectivePolicyNotFound, for the MA and
    a member alike, even with the policy still stored and once attached."""
    tree = policies(world)
    member = tree.org.members[0]
    tree.attach_new(SIMPLE, tree.root_id)
    for policy_type in ("BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY"):
        for actor in (tree.org.manager, member):
            failure = fails_with(
                "EffectivePolicyNotFoundException",
                actor.client.describe_effective_policy,
                PolicyType=policy_type,
            )
            assert failure["Error"]["Message"] == NOT_FOUND


def test_e3_no_policy_on_the_path(world: World) -> None:
    """E3: policies attached only off the account's path (a sibling OU, another
    account) or of another type leave it without an effective policy."""
    tree = policies(world, members=2)
    member, other = tree.org.members
    tree.enable("BACKUP_POLICY")
    dev, ops = tree.ou("Dev"), tree.ou("Ops")
    tree.move(member.id, dev)
    tree.attach_new(SIMPLE, ops)
    tree.attach_new(SIMPLE, other.id)
    tree.attach_new('{"plans":{"p":{"regions":{"@@assign":["eu-west-1"]}}}}', dev,
                    "BACKUP_POLICY")  # fmt: skip
    fails_with(
        "EffectivePolicyNotFoundException",
        tree.org.manager.client.describe_effective_policy,
        PolicyType="TAG_POLICY",
        TargetId=member.id,
    )
    assert tree.content(other.id) == SIMPLE_EFFECTIVE
    assert tree.content(member.id, "BACKUP_POLICY") == (
        '{"plans":{"p":{"regions":["eu-west-1"]}}}'
    )


# -- E4: order of merging ------------------------------------------------------------------


def _assigning(value: str) -> str:
    return tag_policy({"k": {"tag_value": {"@@assign": [value]}}})


def _appending(value: str) -> str:
    return tag_policy({"k": {"tag_value": {"@@append": [value]}}})


def test_e4_path_from_the_root_down(world: World) -> None:
    """E4: root, each OU from the top down, the account: appends land in that order,
    and the deepest assign wins; a sibling OU's policy is not on the path."""
    tree = policies(world)
    member = tree.org.members[0]
    top = tree.ou("Top")
    middle = tree.ou("Middle", top)
    bottom = tree.ou("Bottom", middle)
    sibling = tree.ou("Sibling", top)
    tree.move(member.id, bottom)
    for target, value in (
        (member.id, "account"),
        (bottom, "bottom"),
        (sibling, "sibling"),
        (middle, "middle"),
        (top, "top"),
        (tree.root_id, "root"),
    ):
        tree.attach_new(_appending(value), target)
    assert tree.content(member.id) == (
        '{"tags":{"k":{"tag_value":["root","top","middle","bottom","account"]}}}'
    )
    tree.attach_new(_assigning("assigned in middle"), middle)
    assert tree.content(member.id) == (
        '{"tags":{"k":{"tag_value":["assigned in middle","bottom","account"]}}}'
    )


def test_e4_attachment_order_within_a_level(world: World) -> None:
    """E4, E5: within one level the policies merge in the order they were attached,
    not created: the first attached assign wins."""
    tree = policies(world)
    member = tree.org.members[0]
    first = tree.create(_assigning("created first"))
    second = tree.create(_assigning("created second"))
    tree.attach(second, member.id)
    tree.attach(first, member.id)
    assert tree.content(member.id) == (
        '{"tags":{"k":{"tag_value":["created second"]}}}'
    )


def test_e4_moving_changes_the_path(world: World) -> None:
    """A15, E4: after MoveAccount the account's path, and so its effective policy, is
    the new parent's; direct attachments move with it (P19)."""
    tree = policies(world)
    member = tree.org.members[0]
    dev, ops = tree.ou("Dev"), tree.ou("Ops")
    tree.attach_new(_appending("dev"), dev)
    tree.attach_new(_appending("ops"), ops)
    tree.attach_new(_appending("mine"), member.id)
    tree.move(member.id, dev)
    assert tree.content(member.id) == '{"tags":{"k":{"tag_value":["dev","mine"]}}}'
    tree.move(member.id, ops)
    assert tree.content(member.id) == '{"tags":{"k":{"tag_value":["ops","mine"]}}}'


def test_p11_updating_a_policy_changes_the_effective_policy_at_once(
    world: World,
) -> None:
    """P11, E5: an attached policy's new content is the effective policy's at once,
    and its old content again once restored (answers are never stale)."""
    tree = policies(world)
    member = tree.org.members[0]
    policy = tree.attach_new(_appending("first"), tree.root_id)
    tree.attach_new(_appending("mine"), member.id)
    before = tree.content(member.id)
    assert before == '{"tags":{"k":{"tag_value":["first","mine"]}}}'
    tree.update(policy, _appending("second"))
    assert tree.content(member.id) == '{"tags":{"k":{"tag_value":["second","mine"]}}}'
    tree.update(policy, _appending("first"))
    assert tree.content(member.id) == before


# -- E7, E8: the answer ----------------------------------------------------------------------


def test_e7_e8_response(world: World) -> None:
    """E8: EffectivePolicy holds PolicyContent (E7: compact, operators gone),
    LastUpdatedTimestamp, TargetId (the account) and PolicyType, nothing else."""
    tree = policies(world)
    member = tree.org.members[0]
    tree.attach_new(
        json.dumps(
            {
                "tags": {
                    "team": {
                        "tag_key": {
                            "@@assign": "Team",
                            "@@operators_allowed_for_child_policies": ["@@none"],
                        },
                        "tag_value": {"@@assign": ["a", "b"]},
                    }
                }
            },
            indent=4,
        ),
        tree.root_id,
    )
    found = tree.effective(member.id)
    assert set(found) == {
        "PolicyContent",
        "LastUpdatedTimestamp",
        "TargetId",
        "PolicyType",
    }
    assert found["PolicyContent"] == (
        '{"tags":{"team":{"tag_key":"Team","tag_value":["a","b"]}}}'
    )
    assert found["TargetId"] == member.id
    assert found["PolicyType"] == "TAG_POLICY"
    assert isinstance(found["LastUpdatedTimestamp"], datetime)


def test_e8_last_updated_timestamp(clock_world: World) -> None:
    """E8: the latest of a contributing policy's content change, an attachment or
    detachment on the path (the root, an OU, the account), and the account's move."""
    world = clock_world
    start = fresh_instant(world)
    tree = policies(world)
    member = tree.org.members[0]
    dev = tree.ou("Dev")
    tree.move(member.id, dev)

    def at(minutes: int) -> datetime:
        return world.clock.set(start + timedelta(minutes=minutes))

    def updated() -> datetime:
        stamp: datetime = tree.effective(member.id)["LastUpdatedTimestamp"]
        return stamp

    at(10)
    root_policy = tree.attach_new(_appending("root"), tree.root_id)
    assert updated() == at(10)
    at(20)
    tree.attach_new(_appending("dev"), dev)
    at(25)
    assert updated() == start + timedelta(minutes=20)
    at(30)
    tree.update(root_policy, _appending("root, updated"))
    assert updated() == at(30)
    at(40)
    unrelated = tree.create(_appending("elsewhere"))
    tree.attach(unrelated, tree.ou("Elsewhere"))
    tree.update(unrelated, _appending("elsewhere, updated"))
    assert updated() == start + timedelta(minutes=30)
    at(50)
    mine = tree.attach_new(_appending("mine"), member.id)
    assert updated() == at(50)
    at(60)
    tree.detach(mine, member.id)
    assert updated() == at(60)
    at(70)
    tree.move(member.id, tree.root_id)
    assert updated() == at(70)
    at(80)
    tree.move(member.id, dev)
    assert updated() == at(80)


def test_e8_never_earlier_than_joining(clock_world: World) -> None:
    """E8, DECIDED: an account that joins under policies attached long before shows its
    JoinedTimestamp, not the older change."""
    world = clock_world
    start = fresh_instant(world)
    tree = policies(world, members=0)
    tree.attach_new(SIMPLE, tree.root_id)
    world.clock.set(start + timedelta(days=3))
    newcomer = world.account()
    world.join(tree.org, newcomer)
    joined = tree.org.manager.client.describe_account(AccountId=newcomer.id)["Account"][
        "JoinedTimestamp"
    ]
    assert joined == start + timedelta(days=3)
    assert tree.effective(newcomer.id)["LastUpdatedTimestamp"] == joined
    assert tree.effective(tree.org.manager.id)["LastUpdatedTimestamp"] == start


# -- E9: the worked example --------------------------------------------------------------------

A = """{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},
                         "tag_value":{"@@assign":["Development","Support"]}}}}"""
C = """{"tags":{"costcenter":{"tag_value":{"@@append":["Marketing"]},
                         "enforced_for":{"@@append":["redshift:*","dynamodb:table"]}}}}"""
D = """{"tags":{"costcenter":{"tag_value":{"@@remove":["Development","Marketing"]},
                         "enforced_for":{"@@remove":["redshift:*","dynamodb:table"]}}}}"""
A_VARIANT_1 = """{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},
    "tag_value":{"@@assign":["Development","Support"],
                 "@@operators_allowed_for_child_policies":["@@append"]}}}}"""
B_VARIANT_2 = '{"tags":{"costcenter":{"tag_key":{"@@assign":"costcenter"}}}}'
RESULT_888 = (
    '{"tags":{"costcenter":{"tag_key":"CostCenter",'
    '"tag_value":["Development","Support","Marketing"],'
    '"enforced_for":["redshift:*","dynamodb:table"]}}}'
)
RESULT_999 = '{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["Support"]}}}'


def _worked_example(
    world: World, root_policies: list[str]
) -> tuple[Policies, str, str]:
    """E9's tree: the root's policies, OU "ou2" with C, accounts "888" and "999" in it,
    D on "999" only. Returns the organization and the two accounts' ids."""
    tree = policies(world, members=2)
    first, second = (member.id for member in tree.org.members)
    for content in root_policies:
        tree.attach_new(content, tree.root_id)
    ou2 = tree.ou("ou2")
    tree.attach_new(C, ou2)
    tree.move(first, ou2)
    tree.move(second, ou2)
    tree.attach_new(D, second)
    return tree, first, second


def test_e9_worked_example(world: World) -> None:
    """E9: A on the root, C on the OU, D on 999999999999 only."""
    tree, first, second = _worked_example(world, [A])
    assert tree.content(first) == RESULT_888
    assert tree.content(second) == RESULT_999
    second_actor = tree.org.members[1]
    assert describe(second_actor)["PolicyContent"] == RESULT_999


def test_e9_variant_1_child_control_ignores_the_remove(world: World) -> None:
    """E9 variant 1: A allows only @@append below on tag_value, so D's @@remove there
    is ignored; D's remove of enforced_for still applies."""
    tree, first, second = _worked_example(world, [A_VARIANT_1])
    assert tree.content(first) == RESULT_888
    assert tree.content(second) == (
        '{"tags":{"costcenter":{"tag_key":"CostCenter",'
        '"tag_value":["Development","Support","Marketing"]}}}'
    )


def test_e9_variant_2_first_root_policy_wins(world: World) -> None:
    """E9 variant 2: B, attached to the root after A, assigns tag_key too; A was first
    at that level, so both accounts still see "CostCenter"."""
    tree, first, second = _worked_example(world, [A, B_VARIANT_2])
    assert tree.content(first) == RESULT_888
    assert tree.content(second) == RESULT_999


def test_e9_disabling_tag_policy_makes_both_accounts_answer_not_found(
    world: World,
) -> None:
    """E9, P6, E3: once TAG_POLICY is disabled, both accounts answer
    EffectivePolicyNotFoundException."""
    tree, first, second = _worked_example(world, [A])
    tree.disable()
    for target in (first, second):
        fails_with(
            "EffectivePolicyNotFoundException",
            tree.org.manager.client.describe_effective_policy,
            PolicyType="TAG_POLICY",
            TargetId=target,
        )


# -- P2 ----------------------------------------------------------------------------------------


def test_p2_consolidated_billing_has_no_effective_policy(world: World) -> None:
    """P2: a consolidated-billing organization answers EffectivePolicyNotFound for its
    accounts, and for both listings."""
    org = world.organization("CONSOLIDATED_BILLING", members=1)
    client = org.manager.client
    for actor in (org.manager, org.members[0]):
        fails_with(
            "EffectivePolicyNotFoundException",
            actor.client.describe_effective_policy,
            PolicyType="TAG_POLICY",
        )
    fails_with(
        "EffectivePolicyNotFoundException",
        client.list_accounts_with_invalid_effective_policy,
        PolicyType="TAG_POLICY",
    )
    fails_with(
        "EffectivePolicyNotFoundException",
        client.list_effective_policy_validation_errors,
        PolicyType="TAG_POLICY",
        AccountId=org.members[0].id,
    )


# -- hostile input ------------------------------------------------------------------------------


def _store_raw(world: World, tree: Policies, content: str, target_id: str) -> None:
    """A policy whose content bypassed CreatePolicy's checks (a fixture could)."""
    policy_id = tree.create(SIMPLE)
    world.execute("UPDATE policies SET content = ? WHERE id = ?", content, policy_id)
    tree.attach(policy_id, target_id)


def test_hostile_stored_documents_breaking_p8_are_left_out(world: World) -> None:
    """DECIDED: a stored document that is not strict JSON or breaks P8 sets nothing;
    the answer is the rest of the merge, never a fault."""
    tree = policies(world)
    member = tree.org.members[0]
    for content in (
        "not json",
        '{"tags": {"a": 1}}',
        '{"plans": {}}',
        "[" * 100_000,
        '{"tags":{"k":{"tag_key":{"@@assign":"x"}}},"tags":{}}',
        '{"tags":{"k":{"tag_key":{"@@assign":NaN}}}}',
        '{"tags":' * 40 + "{}" + "}" * 40,
    ):
        _store_raw(world, tree, content, member.id)
    assert tree.content(member.id) == "{}"
    tree.attach_new(SIMPLE, tree.root_id)
    assert tree.content(member.id) == SIMPLE_EFFECTIVE


def test_hostile_largest_path_stays_fast(world: World) -> None:
    """The largest merge the limits allow — 10 policies of ~10,000 characters on each
    of 7 levels (root, five OUs, the account) — answers in well under a second."""
    tree = policies(world)
    member = tree.org.members[0]
    parent = tree.root_id
    levels = [tree.root_id]
    for depth in range(5):
        parent = tree.ou(f"Level {depth}", parent)
        levels.append(parent)
    tree.move(member.id, parent)
    levels.append(member.id)
    for level, target in enumerate(levels):
        for n in range(10):
            body = {
                f"k{level}_{n}_{i}": {"tag_value": {"@@append": [f"v{i}", "shared"]}}
                for i in range(165)
            }
            content = tag_policy(body)
            assert 9_000 < len(content) <= 10_000
            tree.attach_new(content, target)
    started = time.perf_counter()
    content = tree.content(member.id)
    elapsed = time.perf_counter() - started
    assert len(json.loads(content)["tags"]) == 7 * 10 * 165
    assert elapsed < 2.0
