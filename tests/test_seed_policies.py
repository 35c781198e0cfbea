"""M8 for policies (`handlers/organizations/seed_policies.py`): the `policies` and
`policy_attachments` sections, the default attachments of an organization that lists
none (DECIDED), idempotent reloading, and one line naming each bad entry. The handlers
run in this process on a fresh database of each engine (`support.world.in_process`),
as `botogen serve --seed` builds them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generated.organizations.models import (
    DescribePolicyRequest,
    ListPoliciesForTargetRequest,
    ListPoliciesRequest,
    ListTagsForResourceRequest,
    ListTargetsForPolicyRequest,
)
from support.databases import fresh_database
from support.policies import FULL_ACCESS, RCP_FULL_ACCESS, scp_content, tag_content
from support.world import dummy_accounts, engine, in_process

__all__ = ["engine"]

ACCOUNTS = dummy_accounts(12)
BILL, ALICE, BOB = (a["id"] for a in ACCOUNTS[:3])
SCP = "SERVICE_CONTROL_POLICY"


@pytest.fixture(scope="module")
def db(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One fresh database per engine; each test seeds organizations of its own."""
    folder: Path = tmp_path_factory.mktemp(f"seed-policies-{engine}")
    with fresh_database(engine, folder) as database:
        yield database


def organization(
    number: int, manager: str, members: list[str], **extra: Any
) -> dict[str, Any]:
    """An organization entry `o-seedpol00N` with root `r-spN0`."""
    return {
        "id": f"o-seedpol{number:03d}",
        "root_id": f"r-sp{number}0",
        "management_account_id": manager,
        "created": "2020-01-01T00:00:00Z",
        "members": [
            {"account_id": m, "joined": f"2020-01-0{2 + i}T00:00:00Z"}
            for i, m in enumerate(members)
        ],
        **extra,
    }


def seed_one() -> dict[str, Any]:
    """Bill's organization with an OU, two SCPs (the later created first), a tag policy,
    and attachments listed in an order of their own."""
    org = organization(1, BILL, [ALICE, BOB], enabled_policy_types=[SCP, "TAG_POLICY"])
    ou = "ou-sp10-seedou01"
    return {
        "organizations": [org],
        "organizational_units": [
            {"id": ou, "organization_id": org["id"], "parent_id": org["root_id"],
             "name": "Unit", "created": "2020-01-01T01:00:00Z"},
        ],
        "policies": [
            {"id": "p-seedpolicy2", "organization_id": org["id"], "type": SCP,
             "name": "Second", "content": scp_content("ec2:*"),
             "created": "2020-02-02T00:00:00Z"},
            {"id": "p-seedpolicy1", "organization_id": org["id"], "type": SCP,
             "name": "First", "description": "the first", "content": scp_content(),
             "created": "2020-02-01T00:00:00Z"},
            {"id": "p-seedtagpol1", "organization_id": org["id"], "type": "TAG_POLICY",
             "name": "Tags", "content": tag_content()},
        ],
        "policy_attachments": [
            {"organization_id": org["id"], "policy_id": "p-seedpolicy1",
             "target_id": ALICE, "attached": "2020-03-01T00:00:00Z"},
            {"organization_id": org["id"], "policy_id": FULL_ACCESS, "target_id": ou},
            {"organization_id": org["id"], "policy_id": "p-seedtagpol1",
             "target_id": org["root_id"]},
            {"organization_id": org["id"], "policy_id": "p-seedpolicy2",
             "target_id": ALICE},
        ],
        "tags": [{"resource_id": "p-seedpolicy1", "key": "team", "value": "blue"}],
    }  # fmt: skip


def call(served: Any, method: str, request: Any, caller: str = BILL) -> Any:
    return getattr(served.handler, method)(served.context(caller), request)


def ids(items: list[Any], member: str = "id") -> list[str]:
    return [getattr(item, member) for item in items]


def test_m8_seeded_policies_and_attachments(db: str) -> None:
    """M8: policies with their ids, content and creation order (P14), attachments in
    the order listed (P15, P16), tags of a seeded policy; loading again changes
    nothing."""
    seed = seed_one()
    for _ in range(2):
        with in_process(db, ACCOUNTS, seed) as served:
            listed = call(served, "list_policies", ListPoliciesRequest(filter=SCP))
            assert ids(listed.policies) == [
                "p-seedpolicy1",
                "p-seedpolicy2",
                FULL_ACCESS,
            ]
            first = call(
                served,
                "describe_policy",
                DescribePolicyRequest(policy_id="p-seedpolicy1"),
            ).policy
            assert first.content == scp_content()
            assert (first.policy_summary.name, first.policy_summary.description) == (
                "First",
                "the first",
            )
            on_alice = call(
                served,
                "list_policies_for_target",
                ListPoliciesForTargetRequest(target_id=ALICE, filter=SCP),
            )
            assert ids(on_alice.policies) == ["p-seedpolicy1", "p-seedpolicy2"]
            full = call(
                served,
                "list_targets_for_policy",
                ListTargetsForPolicyRequest(policy_id=FULL_ACCESS),
            )
            assert ids(full.targets, "target_id") == ["ou-sp10-seedou01"]
            tags = call(
                served,
                "list_tags_for_resource",
                ListTagsForResourceRequest(resource_id="p-seedpolicy1"),
            )
            assert [(t.key, t.value) for t in tags.tags] == [("team", "blue")]
            with served.database.transaction(write=False) as tx:
                attachments = tx.all(
                    "SELECT target_id, policy_id, attached_at FROM policy_attachments"
                    " WHERE organization_id = 'o-seedpol001' ORDER BY seq"
                )
            assert [(a["target_id"], a["policy_id"]) for a in attachments] == [
                (ALICE, "p-seedpolicy1"),
                ("ou-sp10-seedou01", FULL_ACCESS),
                ("r-sp10", "p-seedtagpol1"),
                (ALICE, "p-seedpolicy2"),
            ]
            assert attachments[0]["attached_at"] == 1583020800000  # 2020-03-01
            assert attachments[1]["attached_at"] == 1577836800000  # its creation


def test_m8_default_attachments(db: str) -> None:
    """M8, P4 (DECIDED): an organization the seed lists no attachment for gets
    FullAWSAccess (SCPs enabled) and RCPFullAWSAccess (RCPs enabled) on its root, every
    OU and every account, in that order; loading again adds nothing."""
    org = organization(
        2,
        ACCOUNTS[3]["id"],
        [ACCOUNTS[4]["id"]],
        enabled_policy_types=["RESOURCE_CONTROL_POLICY", SCP],
    )
    ou = "ou-sp20-seedou02"
    seed = {
        "organizations": [org, organization(3, ACCOUNTS[5]["id"], [],
                                            feature_set="CONSOLIDATED_BILLING")],
        "organizational_units": [{"id": ou, "organization_id": org["id"],
                                  "parent_id": org["root_id"], "name": "Unit"}],
    }  # fmt: skip
    expected = [org["root_id"], ou, ACCOUNTS[3]["id"], ACCOUNTS[4]["id"]]
    for _ in range(2):
        with in_process(db, ACCOUNTS, seed) as served:
            for policy_id in (FULL_ACCESS, RCP_FULL_ACCESS):
                found = call(
                    served,
                    "list_targets_for_policy",
                    ListTargetsForPolicyRequest(policy_id=policy_id),
                    org["management_account_id"],
                )
                assert ids(found.targets, "target_id") == expected
            with served.database.transaction(write=False) as tx:
                rows = tx.all(
                    "SELECT organization_id FROM policy_attachments"
                    " WHERE organization_id IN ('o-seedpol002', 'o-seedpol003')"
                )
            assert len(rows) == 8  # none for the CONSOLIDATED_BILLING one


def _bad(mutate: Any) -> dict[str, Any]:
    seed = copy.deepcopy(seed_one())
    for section in ("organizations", "organizational_units"):
        for entry in seed[section]:
            entry["id"] = entry["id"].replace("sp1", "sp9").replace("pol001", "pol009")
            for member in ("root_id", "organization_id", "parent_id"):
                if member in entry:
                    entry[member] = (
                        entry[member].replace("sp1", "sp9").replace("pol001", "pol009")
                    )
    seed["organizations"][0]["management_account_id"] = ACCOUNTS[8]["id"]
    seed["organizations"][0]["members"] = [{"account_id": ACCOUNTS[9]["id"]}]
    for section in ("policies", "policy_attachments"):
        for entry in seed[section]:
            entry["organization_id"] = "o-seedpol009"
            if "id" in entry:
                entry["id"] = entry["id"].replace("seed", "bads")
            if entry.get("policy_id", "").startswith("p-seed"):
                entry["policy_id"] = entry["policy_id"].replace("seed", "bads")
            if entry.get("target_id") == ALICE:
                entry["target_id"] = ACCOUNTS[9]["id"]
            if entry.get("target_id", "").startswith(("r-", "ou-")):
                entry["target_id"] = entry["target_id"].replace("sp1", "sp9")
    seed["tags"] = []
    mutate(seed)
    return seed


def _set(section: str, index: int, **members: Any) -> Any:
    def mutate(seed: dict[str, Any]) -> None:
        seed[section][index].update(members)

    return mutate


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_set("policies", 0, id="p-UPPERCASE1"), "policies[0]: 'p-UPPERCASE1' is not a customer policy id"),
        (_set("policies", 0, id=FULL_ACCESS), "is not a customer policy id"),
        (_set("policies", 0, id="q-1234567890"), "is not a valid policy id"),
        (_set("policies", 1, organization_id="o-unknown000"), "policies[1]: organization 'o-unknown000' is unknown"),
        (_set("policies", 0, type="PERMISSION_POLICY"), "is not a policy type"),
        (_set("policies", 0, content="{"), "policies[0]: "),
        (_set("policies", 0, content=" " * 5121), "longer than a SERVICE_CONTROL_POLICY"),
        (_set("policies", 0, name="FullAWSAccess"), "named 'FullAWSAccess' exists already"),
        (_set("policies", 1, name="Second"), "policies[1]: a SERVICE_CONTROL_POLICY named 'Second'"),
        (_set("policies", 0, name=""), "is not a policy name"),
        (_set("policies", 0, description=7), "is not a policy description"),
        (lambda seed: seed["policies"][0].pop("content"), "policies[0]: lacks 'content'"),
        (_set("policy_attachments", 0, policy_id="p-nosuchpol1"), "policy_attachments[0]: 'p-nosuchpol1' is not a policy of 'o-seedpol009'"),
        (_set("policy_attachments", 0, target_id=ACCOUNTS[11]["id"]), "is not the root, an OU or an account of"),
        (_set("policy_attachments", 1, policy_id=RCP_FULL_ACCESS), "RESOURCE_CONTROL_POLICY is not enabled"),
        (_set("policy_attachments", 0, target_id="ou-sp10-seedou01"), "is not the root, an OU or an account of"),
        (lambda seed: seed["organizations"][0].update(feature_set="CONSOLIDATED_BILLING", enabled_policy_types=[]), "does not have all features"),
    ],
)  # fmt: skip
def test_m8_bad_policy_entries(db: str, mutate: Any, message: str) -> None:
    """M8: a bad entry stops loading with one line naming it (nothing of the seed is
    stored)."""
    seed = _bad(mutate)
    with pytest.raises(ValueError) as raised:
        with in_process(db, ACCOUNTS, seed):
            pass
    assert message in str(raised.value)
    assert str(raised.value).startswith("seed: ")
    assert "\n" not in str(raised.value)
    with in_process(db, ACCOUNTS) as served:
        with served.database.transaction(write=False) as tx:
            assert (
                tx.all("SELECT id FROM organizations WHERE id = 'o-seedpol009'") == []
            )


def test_m8_bad_entries_differ_from_a_good_seed_in_one_member(db: str) -> None:
    """The seed `test_m8_bad_policy_entries` breaks loads when left as it is (so each
    failure above is its one change's)."""
    with in_process(db, ACCOUNTS, _bad(lambda seed: None)) as served:
        listed = call(
            served,
            "list_policies",
            ListPoliciesRequest(filter=SCP),
            ACCOUNTS[8]["id"],
        )
        assert ids(listed.policies) == ["p-badspolicy1", "p-badspolicy2", FULL_ACCESS]
