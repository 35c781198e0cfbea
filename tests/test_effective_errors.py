"""The validation errors of effective policies (`docs/organizations.md`, "Effective
policies": E10, E11, E12, with L1–L5 for their listings), through real boto3 clients
against real servers, on SQLite and PostgreSQL.

The server produces no validation error itself (E11): on the shared `world` these tests
write them into the server's database (`inject`), the one state the API cannot make; the
`seeded` server loads them through `--seed` (M8, `seed_effective`). Policies are created
and attached through the API.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from support.effective import NOT_FOUND, SIMPLE, pages, policies
from support.world import (
    UTC,
    Org,
    World,
    dummy_accounts,
    engine,
    fails_with,
    open_store,
    serving,
    world,
)

__all__ = ["engine", "world"]

ACCOUNT_NOT_FOUND = (
    "We can't find an Amazon Web Services account with the AccountId that you "
    "specified, or the account whose credentials you used to make this request isn't "
    "a member of an organization."
)


def inject(
    world: World, org: Org, account_id: str, policy_type: str, count: int
) -> list[dict[str, Any]]:
    """E11 fixtures: `count` validation errors of the type for the account, as a seed
    stores them; returns them as ListEffectivePolicyValidationErrors shows them."""
    errors = []
    for n in range(1, count + 1):
        error = {
            "ErrorCode": "ELEMENTS_TOO_MANY",
            "ErrorMessage": f"problem {n}",
            "PathToError": f"tags/k{n}",
            "ContributingPolicies": [f"p-contrib{n:04d}"],
        }
        world.execute(
            "INSERT INTO effective_policy_errors (organization_id, account_id,"
            " policy_type, seq, error_code, error_message, path_to_error,"
            " contributing_policies) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            org.id,
            account_id,
            policy_type,
            n,
            error["ErrorCode"],
            error["ErrorMessage"],
            error["PathToError"],
            json.dumps(error["ContributingPolicies"]),
        )
        errors.append(error)
    return errors


# -- E10: accounts with invalid effective policies ------------------------------------------


def test_e10_accounts_with_invalid_effective_policy(world: World) -> None:
    """E10: the accounts with validation errors of the type and an effective policy of
    it (DECIDED), as A1 shows them, in JoinedTimestamp order; PolicyType echoed."""
    tree = policies(world, members=4)
    a, b, c, d = tree.org.members
    dev = tree.ou("Dev")
    tree.move(c.id, dev)
    tree.move(d.id, dev)
    tree.enable("BACKUP_POLICY")
    tree.attach_new(SIMPLE, a.id)
    tree.attach_new(SIMPLE, dev)
    for account in (d, a, b, c, tree.org.manager):
        inject(world, tree.org, account.id, "TAG_POLICY", 1)
    inject(world, tree.org, b.id, "BACKUP_POLICY", 2)
    client = tree.org.manager.client
    answer = client.list_accounts_with_invalid_effective_policy(PolicyType="TAG_POLICY")
    assert answer["PolicyType"] == "TAG_POLICY"
    assert [account["Id"] for account in answer["Accounts"]] == [a.id, c.id, d.id]
    assert answer["Accounts"][1] == client.describe_account(AccountId=c.id)["Account"]
    tree.attach_new(SIMPLE, tree.root_id)
    everyone = client.list_accounts_with_invalid_effective_policy(
        PolicyType="TAG_POLICY"
    )["Accounts"]
    assert [account["Id"] for account in everyone] == [
        tree.org.manager.id,
        a.id,
        b.id,
        c.id,
        d.id,
    ]
    backup = client.list_accounts_with_invalid_effective_policy(
        PolicyType="BACKUP_POLICY"
    )
    assert backup["Accounts"] == [] and backup["PolicyType"] == "BACKUP_POLICY"


def test_e10_type_not_enabled(world: World) -> None:
    """E10 (DECIDED): the type not enabled in the root is EffectivePolicyNotFound."""
    tree = policies(world)
    failure = fails_with(
        "EffectivePolicyNotFoundException",
        tree.org.manager.client.list_accounts_with_invalid_effective_policy,
        PolicyType="BACKUP_POLICY",
    )
    assert failure["Error"]["Message"] == NOT_FOUND


def test_e10_pages(world: World) -> None:
    """L1–L5: keyset pages of MaxResults; every account once; the token is bound to the
    policy type (L2)."""
    tree = policies(world, members=3)
    tree.enable("BACKUP_POLICY")
    tree.attach_new(SIMPLE, tree.root_id)
    for account in tree.org.members:
        inject(world, tree.org, account.id, "TAG_POLICY", 1)
    client = tree.org.manager.client
    found, count = pages(
        client.list_accounts_with_invalid_effective_policy,
        "Accounts",
        PolicyType="TAG_POLICY",
        MaxResults=1,
    )
    assert [a["Id"] for a in found] == [m.id for m in tree.org.members] and count == 3
    first = client.list_accounts_with_invalid_effective_policy(
        PolicyType="TAG_POLICY", MaxResults=2
    )
    assert len(first["Accounts"]) == 2
    failure = fails_with(
        "InvalidInputException",
        client.list_accounts_with_invalid_effective_policy,
        PolicyType="BACKUP_POLICY",
        NextToken=first["NextToken"],
    )
    assert failure["Reason"] == "INVALID_NEXT_TOKEN"
    whole = client.list_accounts_with_invalid_effective_policy(
        PolicyType="TAG_POLICY", MaxResults=3
    )
    assert "NextToken" not in whole and len(whole["Accounts"]) == 3


def test_e10_callers(world: World) -> None:
    """Matrix row 36: a plain member is AccessDenied; a delegated administrator reads."""
    tree = policies(world, members=2)
    member, admin = tree.org.members
    fails_with(
        "AccessDeniedException",
        member.client.list_accounts_with_invalid_effective_policy,
        PolicyType="TAG_POLICY",
    )
    tree.register_administrator(admin.id)
    answer = admin.client.list_accounts_with_invalid_effective_policy(
        PolicyType="TAG_POLICY"
    )
    assert answer["Accounts"] == []


def test_e10_delegate_fine_check_uses_the_organization_arn(world: World) -> None:
    """Step 8, DECIDED: a delegate's ListAccountsWithInvalidEffectivePolicy is judged on
    the organization's ARN (the listing names no account), with the policy type."""
    tree = policies(world, members=2)
    by_organization, by_account = tree.org.members
    arn = f"arn:aws:organizations::{tree.org.manager.id}"
    action = "organizations:ListAccountsWithInvalidEffectivePolicy"
    condition = {"StringEquals": {"organizations:PolicyType": "TAG_POLICY"}}
    tree.delegate(
        by_account.id,
        [
            {
                "Action": action,
                "Resource": f"{arn}:account/{tree.org.id}/{by_account.id}",
                "Condition": condition,
            }
        ],
    )
    fails_with(
        "AccessDeniedException",
        by_account.client.list_accounts_with_invalid_effective_policy,
        PolicyType="TAG_POLICY",
    )
    tree.delegate(  # PutResourcePolicy replaces the policy
        by_organization.id,
        [
            {
                "Action": action,
                "Resource": f"{arn}:organization/{tree.org.id}",
                "Condition": condition,
            }
        ],
    )
    answer = by_organization.client.list_accounts_with_invalid_effective_policy(
        PolicyType="TAG_POLICY"
    )
    assert answer["Accounts"] == [] and answer["PolicyType"] == "TAG_POLICY"
    tree.enable("BACKUP_POLICY")
    fails_with(
        "AccessDeniedException",
        by_organization.client.list_accounts_with_invalid_effective_policy,
        PolicyType="BACKUP_POLICY",
    )


# -- E11, E12: validation errors ----------------------------------------------------------------


def test_e12_validation_errors(world: World) -> None:
    """E12: AccountId, PolicyType, Path (A1's), EvaluationTimestamp (E8's timestamp)
    and the errors as stored, each with its four members."""
    tree = policies(world)
    member = tree.org.members[0]
    dev = tree.ou("Dev")
    tree.move(member.id, dev)
    tree.attach_new(SIMPLE, dev)
    errors = inject(world, tree.org, member.id, "TAG_POLICY", 3)
    client = tree.org.manager.client
    answer = client.list_effective_policy_validation_errors(
        AccountId=member.id, PolicyType="TAG_POLICY"
    )
    answer.pop("ResponseMetadata")
    assert answer == {
        "AccountId": member.id,
        "PolicyType": "TAG_POLICY",
        "Path": client.describe_account(AccountId=member.id)["Account"]["Paths"][0],
        "EvaluationTimestamp": tree.effective(member.id)["LastUpdatedTimestamp"],
        "EffectivePolicyValidationErrors": errors,
    }
    assert answer["Path"] == f"{tree.org.id}/{tree.root_id}/{dev}/{member.id}/"


def test_e12_no_errors_is_an_empty_list(world: World) -> None:
    """E12: an account with an effective policy and no injected errors has none."""
    tree = policies(world)
    tree.attach_new(SIMPLE, tree.root_id)
    answer = tree.org.manager.client.list_effective_policy_validation_errors(
        AccountId=tree.org.members[0].id, PolicyType="TAG_POLICY"
    )
    assert answer["EffectivePolicyValidationErrors"] == []
    assert "NextToken" not in answer


def test_e12_check_order(world: World) -> None:
    """E12: an account outside the organization is AccountNotFound (before E3);
    no effective policy, or the type not enabled, is EffectivePolicyNotFound."""
    tree = policies(world)
    member = tree.org.members[0]
    inject(world, tree.org, member.id, "TAG_POLICY", 1)
    call = tree.org.manager.client.list_effective_policy_validation_errors
    for outsider in (world.account().id, world.organization().manager.id):
        failure = fails_with(
            "AccountNotFoundException",
            call,
            AccountId=outsider,
            PolicyType="BACKUP_POLICY",
        )
        assert failure["Error"]["Message"] == ACCOUNT_NOT_FOUND
    for policy_type in ("TAG_POLICY", "BACKUP_POLICY"):
        fails_with(
            "EffectivePolicyNotFoundException",
            call,
            AccountId=member.id,
            PolicyType=policy_type,
        )
    fails_with(
        "AccessDeniedException",
        member.client.list_effective_policy_validation_errors,
        AccountId=member.id,
        PolicyType="TAG_POLICY",
    )


def test_e12_pages(world: World) -> None:
    """L1–L5 for E12: pages in stored order; the token is bound to the account and the
    type (L2)."""
    tree = policies(world, members=2)
    member, other = tree.org.members
    tree.attach_new(SIMPLE, tree.root_id)
    errors = inject(world, tree.org, member.id, "TAG_POLICY", 5)
    call = tree.org.manager.client.list_effective_policy_validation_errors
    found, count = pages(
        call,
        "EffectivePolicyValidationErrors",
        AccountId=member.id,
        PolicyType="TAG_POLICY",
        MaxResults=2,
    )
    assert found == errors and count == 3
    token = call(AccountId=member.id, PolicyType="TAG_POLICY", MaxResults=1)[
        "NextToken"
    ]
    failure = fails_with(
        "InvalidInputException",
        call,
        AccountId=other.id,
        PolicyType="TAG_POLICY",
        NextToken=token,
    )
    assert failure["Reason"] == "INVALID_NEXT_TOKEN"


def test_e11_errors_depart_with_the_account(world: World) -> None:
    """E11, A18: an account's injected errors go when it leaves the organization."""
    tree = policies(world)
    member = tree.org.members[0]
    inject(world, tree.org, member.id, "TAG_POLICY", 2)
    tree.org.manager.client.remove_account_from_organization(AccountId=member.id)
    assert not world.rows(
        "SELECT seq FROM effective_policy_errors WHERE account_id = ?", member.id
    )


# -- M8: errors from a seed ----------------------------------------------------------------------

SEEDED_ORG, SEEDED_ROOT, SEEDED_OU = "o-effectseed", "r-ef01", "ou-ef01-seedseed"
SEEDED_POLICY = "p-seedtag0001"
ATTACHED = "2030-01-05T00:00:00Z"


def _error(account: str, policy_type: str, n: int) -> dict[str, Any]:
    return {
        "account_id": account,
        "policy_type": policy_type,
        "error_code": "ELEMENTS_TOO_MANY",
        "error_message": f"seeded problem {n}",
        "path_to_error": f"tags/k{n}",
        "contributing_policies": [SEEDED_POLICY],
    }


def _seed(accounts: list[dict[str, str]]) -> dict[str, Any]:
    """One organization: its management account under the root, three members (two in
    an OU with a tag policy, one under the root with none), errors for all three."""
    manager, in_ou, second_in_ou, under_root = (a["id"] for a in accounts[:4])
    return {
        "organizations": [
            {
                "id": SEEDED_ORG,
                "root_id": SEEDED_ROOT,
                "management_account_id": manager,
                "enabled_policy_types": ["TAG_POLICY", "BACKUP_POLICY"],
                "created": "2030-01-01T00:00:00Z",
                "members": [
                    {"account_id": in_ou, "joined": "2030-01-02T00:00:00Z",
                     "parent_id": SEEDED_OU},
                    {"account_id": second_in_ou, "joined": "2030-01-03T00:00:00Z",
                     "parent_id": SEEDED_OU},
                    {"account_id": under_root, "joined": "2030-01-04T00:00:00Z"},
                ],
            }  # fmt: skip
        ],
        "organizational_units": [
            {"id": SEEDED_OU, "organization_id": SEEDED_ORG, "parent_id": SEEDED_ROOT,
             "name": "Seeded", "created": "2030-01-01T00:00:00Z"}
        ],  # fmt: skip
        "policies": [
            {"id": SEEDED_POLICY, "organization_id": SEEDED_ORG, "type": "TAG_POLICY",
             "name": "Seeded", "content": SIMPLE, "created": "2030-01-01T00:00:00Z"}
        ],  # fmt: skip
        "policy_attachments": [
            {"organization_id": SEEDED_ORG, "policy_id": SEEDED_POLICY,
             "target_id": SEEDED_OU, "attached": ATTACHED}
        ],  # fmt: skip
        "effective_policy_errors": [
            _error(second_in_ou, "TAG_POLICY", 1),
            _error(in_ou, "TAG_POLICY", 2),
            _error(second_in_ou, "TAG_POLICY", 3),
            _error(under_root, "TAG_POLICY", 4),
            _error(in_ou, "BACKUP_POLICY", 5),
        ],
    }


@pytest.fixture(scope="module")
def seeded(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A server started with `_seed`'s document."""
    folder = tmp_path_factory.mktemp(f"effective-seeded-{engine}")
    accounts = dummy_accounts(12)
    seed_file = folder / "seed.json"
    seed_file.write_text(json.dumps(_seed(accounts)))
    with serving(
        folder, engine, "--seed", str(seed_file), accounts=accounts
    ) as running:
        yield running


def test_m8_seeded_validation_errors(seeded: World) -> None:
    """M8, E10–E12: the seed's errors, each account's in the order listed; accounts
    without an effective policy are not listed (DECIDED)."""
    manager, in_ou, second_in_ou, _ = seeded.accounts(4)
    client = manager.client
    listed = client.list_accounts_with_invalid_effective_policy(PolicyType="TAG_POLICY")
    assert [a["Id"] for a in listed["Accounts"]] == [in_ou.id, second_in_ou.id]
    answer = client.list_effective_policy_validation_errors(
        AccountId=second_in_ou.id, PolicyType="TAG_POLICY"
    )
    assert (
        answer["Path"] == f"{SEEDED_ORG}/{SEEDED_ROOT}/{SEEDED_OU}/{second_in_ou.id}/"
    )
    assert answer["EvaluationTimestamp"] == datetime(2030, 1, 5, tzinfo=UTC)
    assert answer["EffectivePolicyValidationErrors"] == [
        {"ErrorCode": "ELEMENTS_TOO_MANY", "ErrorMessage": f"seeded problem {n}",
         "PathToError": f"tags/k{n}", "ContributingPolicies": [SEEDED_POLICY]}
        for n in (1, 3)
    ]  # fmt: skip
    fails_with(
        "EffectivePolicyNotFoundException",
        client.list_effective_policy_validation_errors,
        AccountId=in_ou.id,
        PolicyType="BACKUP_POLICY",
    )


def test_m8_seed_loads_once(seeded: World) -> None:
    """M8: loading the seed again adds no error twice."""
    from handlers.organizations import seed

    assert seeded.db is not None
    accounts = dummy_accounts(12)
    before = seeded.rows(
        "SELECT * FROM effective_policy_errors ORDER BY account_id, seq"
    )
    with open_store(seeded.db) as database, database.transaction() as tx:
        seed.load(tx, _seed(accounts))
    after = seeded.rows(
        "SELECT * FROM effective_policy_errors ORDER BY account_id, seq"
    )
    assert after == before and len(before) == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"account_id": "123456789012"}, "is not a known account"),
        ({"account_id": "9000000000012"}, "is not a valid account id"),
        ({"account_id": "900000000012"}, "is in no organization"),
        ({"policy_type": "SERVICE_CONTROL_POLICY"}, "is not a management policy type"),
        ({"error_message": 7}, "error_message 7 is not text"),
        ({"contributing_policies": "p-seedtag0001"}, "is not a list"),
        ({"contributing_policies": ["nope"]}, "is not a valid policy id"),
    ],
)
def test_m8_bad_error_entries(
    seeded: World, change: dict[str, Any], message: str
) -> None:
    """M8: a bad entry stops loading with one line naming it; nothing is stored."""
    from handlers.organizations import seed

    assert seeded.db is not None
    entry = {**_error(dummy_accounts(2)[1]["id"], "TAG_POLICY", 9), **change}
    with open_store(seeded.db) as database:
        with pytest.raises(ValueError, match=message) as raised:
            with database.transaction() as tx:
                seed.load(tx, {"effective_policy_errors": [entry]})
    assert str(raised.value).startswith("seed: effective_policy_errors[0]: ")
    missing = {k: v for k, v in _error("900000000002", "TAG_POLICY", 9).items()
               if k != "path_to_error"}  # fmt: skip
    with open_store(seeded.db) as database:
        with pytest.raises(ValueError, match="lacks 'path_to_error'"):
            with database.transaction() as tx:
                seed.load(tx, {"effective_policy_errors": [missing]})
