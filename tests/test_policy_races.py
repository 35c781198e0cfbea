"""C8 for attachments: racing AttachPolicy and DetachPolicy calls on two server processes
never take a target past P17's maximum or below P18's minimum.

Two `botogen serve` processes share one database (a SQLite file, or a fresh PostgreSQL
database; as `test_structure_races.py`) and 64 boto3 clients in 8 client processes fire
at once, released by one cross-process barrier (`support.load.Callers`), half of them at
each server, as the management account. The state is seeded (M8) with fixed ids, one
organization per round:

- **the sixth SCP**: a member account has FullAWSAccess and three customer SCPs (four of
  the five allowed); the 64 calls attach eight other SCPs to it, each eight times.
  Exactly one call wins, the account then has five; every other call is ConstraintViolation
  MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED, or DuplicatePolicyAttachment for the policy
  that won; the database never holds six;
- **the last SCP**: an OU has FullAWSAccess and one customer SCP; the 64 calls detach
  them, 32 each. Exactly one wins and the OU keeps one; every other call is
  ConstraintViolation MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED, or PolicyNotAttached for
  the one detached; never none.

ConcurrentModification is allowed only as "the lock could not be had" after waiting for
it (never a lost or doubled change).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.databases import fresh_database
from support.load import (
    BUSY,
    LOCK_WAIT_FLOOR,
    UTC,
    Call,
    Callers,
    callers,
    load_accounts,
    organization_entry,
    rows,
    write_json,
)
from support.server import Server, running_server

PROCESSES = 8
THREADS = 8  # 64 calls at once
ROUNDS = 2
FULL_ACCESS = "p-FullAWSAccess"
SCP = "SERVICE_CONTROL_POLICY"
CONTENT = '{"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}'


@dataclass(frozen=True)
class Round:
    organization_id: str
    manager: dict[str, str]
    member: str
    ou: str
    #: Customer SCPs attached to the member (3), then the ones the race attaches (8).
    policies: list[str]
    #: The OU's customer SCP (beside FullAWSAccess).
    ou_policy: str


@dataclass
class Shared:
    engine: str
    db: str
    servers: tuple[Server, Server]
    rounds: list[Round]


def _world() -> tuple[list[dict[str, str]], dict[str, Any], list[Round]]:
    accounts = load_accounts(2 * ROUNDS)
    created = datetime.now(UTC) - timedelta(days=1)
    seed: dict[str, Any] = {
        "organizations": [],
        "organizational_units": [],
        "policies": [],
        "policy_attachments": [],
    }
    rounds = []
    for n, (manager, member) in enumerate(zip(accounts[::2], accounts[1::2])):
        org_id = f"o-race{n:06d}"
        root_id = f"r-race{n:02d}"
        ou_id = f"ou-race{n:02d}-{n:08d}"
        entry = organization_entry(org_id, manager["id"], created)
        entry["root_id"] = root_id
        entry["members"] = [{"account_id": member["id"], "joined": entry["created"]}]
        seed["organizations"].append(entry)
        seed["organizational_units"].append(
            {"id": ou_id, "organization_id": org_id, "parent_id": root_id,
             "name": "Raced"}
        )  # fmt: skip
        policies = [f"p-race{n:02d}{k:04d}" for k in range(12)]
        for k, policy_id in enumerate(policies):
            seed["policies"].append(
                {"id": policy_id, "organization_id": org_id, "type": SCP,
                 "name": f"Raced {k}", "content": CONTENT}
            )  # fmt: skip

        def attach(policy_id: str, target_id: str) -> None:
            seed["policy_attachments"].append(
                {"organization_id": org_id, "policy_id": policy_id,
                 "target_id": target_id}
            )  # fmt: skip

        for policy_id in [FULL_ACCESS, *policies[:3]]:
            attach(policy_id, member["id"])
        for policy_id in (FULL_ACCESS, policies[11]):
            attach(policy_id, ou_id)
        rounds.append(
            Round(org_id, manager, member["id"], ou_id, policies[:11], policies[11])
        )
    return accounts, seed, rounds


@pytest.fixture(scope="module")
def pool() -> Iterator[Callers]:
    with callers(PROCESSES, THREADS) as running:
        yield running


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Shared]:
    engine = str(request.param)
    folder: Path = tmp_path_factory.mktemp(f"policy-race-{engine}")
    accounts, seed, rounds = _world()
    accounts_file = write_json(folder / "accounts.json", {"accounts": accounts})
    seed_file = write_json(folder / "seed.json", seed)
    with fresh_database(engine, folder) as db:
        args = ["--db", db, "--accounts", str(accounts_file), "--seed", str(seed_file),
                "--log-level", "warning"]  # fmt: skip
        (folder / "a").mkdir()
        (folder / "b").mkdir()
        with running_server(folder / "a", *args) as first:
            with running_server(folder / "b", *args) as second:
                yield Shared(engine, db, (first, second), rounds)


def _scps(shared: Shared, target_id: str) -> list[str]:
    stored = rows(
        shared.db,
        "SELECT policy_id FROM policy_attachments WHERE target_id = ? AND policy_type = ?",
        (target_id, SCP),
    )
    return [row["policy_id"] for row in stored]


def _fire(shared: Shared, pool: Callers, method: str, params: list[dict[str, Any]],
          manager: dict[str, str]) -> tuple[int, Counter[str | None], Counter[str | None]]:  # fmt: skip
    """The calls, half on each server; (successes, error codes, reasons)."""
    calls = [
        Call(shared.servers[i % 2].url, manager, method, params[i])
        for i in range(pool.size)
    ]
    outcomes = pool.fire(calls)
    assert [o.failure for o in outcomes if o.failure] == []
    for outcome in outcomes:
        if outcome.code == BUSY:
            assert outcome.seconds >= LOCK_WAIT_FLOOR, outcome
    failed = [o for o in outcomes if not o.ok]
    return (
        len(outcomes) - len(failed),
        Counter(o.code for o in failed),
        Counter(o.reason for o in failed if o.code == "ConstraintViolationException"),
    )


def test_c8_p17_racing_attachments_never_pass_the_maximum(
    shared: Shared, pool: Callers
) -> None:
    """P17 under C8: 64 simultaneous attachments of eight SCPs to an account that has
    four: exactly one is attached, never a sixth."""
    for game in shared.rounds:
        assert len(_scps(shared, game.member)) == 4
        racers = game.policies[3:]
        params = [
            {"PolicyId": racers[i % len(racers)], "TargetId": game.member}
            for i in range(pool.size)
        ]
        won, codes, reasons = _fire(shared, pool, "attach_policy", params, game.manager)
        assert won == 1, codes
        assert set(codes) <= {
            "ConstraintViolationException",
            "DuplicatePolicyAttachmentException",
            BUSY,
        }, codes
        assert set(reasons) <= {"MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"}, reasons
        stored = _scps(shared, game.member)
        assert len(stored) == 5, stored


def test_c8_p18_racing_detachments_never_take_the_last_scp(
    shared: Shared, pool: Callers
) -> None:
    """P18 under C8: 64 simultaneous detachments of an OU's two SCPs: exactly one is
    detached, the OU keeps the other."""
    for game in shared.rounds:
        pair = (FULL_ACCESS, game.ou_policy)
        assert sorted(_scps(shared, game.ou)) == sorted(pair)
        params = [
            {"PolicyId": pair[i % 2], "TargetId": game.ou} for i in range(pool.size)
        ]
        won, codes, reasons = _fire(shared, pool, "detach_policy", params, game.manager)
        assert won == 1, codes
        assert set(codes) <= {
            "ConstraintViolationException",
            "PolicyNotAttachedException",
            BUSY,
        }, codes
        assert set(reasons) <= {"MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"}, reasons
        stored = _scps(shared, game.ou)
        assert len(stored) == 1 and stored[0] in pair, stored
