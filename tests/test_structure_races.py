"""C8 for the organization's structure: racing writes on two server processes, and
SIGKILL under a stream of them.

**Races.** Two `botogen serve` processes share one database (a SQLite file, or a fresh
PostgreSQL database; as `test_concurrency.py`) and 64 boto3 clients in 8 client processes
fire at once, released by one cross-process barrier (`support.load.Callers`), half of
them at each server. CreateOrganizationalUnit of one name under one parent (the root,
or a seeded OU) by the management account: exactly one OU is created, every other call
gets `DuplicateOrganizationalUnitException` (U2), and the database holds that one OU.
ConcurrentModification is allowed only as "the lock could not be had" after waiting for
it (counted, never a second OU).

MoveAccount (A15, the departure slice's; skipped while the handlers lack it): 64
simultaneous moves of one account from the root to an OU, on two servers: exactly one
moves it; every other call finds it already gone from the source
(`SourceParentNotFoundException`, or `DuplicateAccountException` should a check find it
in the destination first), and the account is stored under the OU.

CloseAccount (A19) against the pending-closure limit (3): 64 simultaneous closes of six
members of one organization, on two servers: exactly three accounts start closing; every
other call gets ConflictException (that account is already closing) or
ConstraintViolation CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED, never a fourth closure.

**SIGKILL.** A few client threads stream CreateOrganizationalUnit (distinct names, under
the root and under seeded OUs) at a server on a SQLite file, which is killed with SIGKILL
at random moments and restarted on the same file (as `test_crash_safety.py`). Every OU
acknowledged with a 200 must be stored afterwards, under its parent, with its name, and
the restarted server must list it.
"""

from __future__ import annotations

import http.client
import json
import random
import sqlite3
import threading
import time
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
    numbered_id,
    organization_entry,
    rows,
    write_json,
)
from support.raw import call
from support.server import Incarnations, Server, running_server

PROCESSES = 8
THREADS = 8  # 64 calls at once
ROUNDS = 4  # organizations, each raced under its root and under one of its OUs
DUPLICATE = "DuplicateOrganizationalUnitException"


@dataclass(frozen=True)
class Org:
    organization_id: str
    root_id: str
    ou_id: str
    manager: dict[str, str]
    member: dict[str, str]


@dataclass
class Shared:
    engine: str
    db: str
    servers: tuple[Server, Server]
    orgs: list[Org]
    #: An organization with CLOSERS members, for the closure race.
    closing: tuple[dict[str, str], list[dict[str, str]]]


#: Members of the closure race's organization: twice the pending-closure limit.
CLOSERS = 6


def _world(
    prefix: str, count: int
) -> tuple[list[dict[str, str]], dict[str, Any], list[Org]]:
    accounts = load_accounts(2 * count)
    created = datetime.now(UTC) - timedelta(days=1)
    seed: dict[str, Any] = {"organizations": [], "organizational_units": []}
    orgs: list[Org] = []
    for n, (manager, member) in enumerate(zip(accounts[::2], accounts[1::2])):
        org_id = numbered_id(f"o-{prefix}", n, 8)
        root_id = numbered_id(f"r-{prefix}", n, 6)
        ou_id = f"{root_id.replace('r-', 'ou-')}-{n:08d}"
        entry = organization_entry(org_id, manager["id"], created)
        entry["root_id"] = root_id
        entry["members"] = [{"account_id": member["id"], "joined": entry["created"]}]
        seed["organizations"].append(entry)
        seed["organizational_units"].append(
            {"id": ou_id, "organization_id": org_id, "parent_id": root_id,
             "name": "Seeded", "created": entry["created"]}  # fmt: skip
        )
        orgs.append(Org(org_id, root_id, ou_id, manager, member))
    return accounts, seed, orgs


@pytest.fixture(scope="module")
def pool() -> Iterator[Callers]:
    with callers(PROCESSES, THREADS) as running:
        yield running


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Shared]:
    engine = str(request.param)
    folder: Path = tmp_path_factory.mktemp(f"structure-race-{engine}")
    accounts, seed, orgs = _world("sr", ROUNDS)
    manager, *members = load_accounts(2 * ROUNDS + 1 + CLOSERS)[2 * ROUNDS :]
    closing_org = organization_entry(
        "o-srclosing0", manager["id"], datetime.now(UTC) - timedelta(days=30)
    )
    closing_org["members"] = [
        {"account_id": member["id"], "joined": closing_org["created"]}
        for member in members
    ]
    seed["organizations"].append(closing_org)
    accounts = [*accounts, manager, *members]
    accounts_file = write_json(folder / "accounts.json", {"accounts": accounts})
    seed_file = write_json(folder / "seed.json", seed)
    with fresh_database(engine, folder) as db:
        # A day from closing to SUSPENDED: closures stay pending during the race.
        args = ["--db", db, "--accounts", str(accounts_file), "--seed", str(seed_file),
                "--log-level", "warning", "--close-delay-ms", "86400000"]  # fmt: skip
        (folder / "a").mkdir()
        (folder / "b").mkdir()
        with running_server(folder / "a", *args) as first:
            with running_server(folder / "b", *args) as second:
                yield Shared(engine, db, (first, second), orgs, (manager, members))


@pytest.mark.parametrize("under", ["root", "ou"])
def test_c8_one_ou_per_name_under_racing_creations(
    shared: Shared, pool: Callers, under: str
) -> None:
    """U2 under C8: of 64 simultaneous CreateOrganizationalUnit calls with one name and
    one parent, on two servers, exactly one creates the OU; the others find it."""
    busy: Counter[str] = Counter()
    for org in shared.orgs:
        parent = org.root_id if under == "root" else org.ou_id
        name = f"Raced {under}"
        calls = [
            Call(
                shared.servers[i % 2].url,
                org.manager,
                "create_organizational_unit",
                {"ParentId": parent, "Name": name},
            )
            for i in range(pool.size)
        ]
        outcomes = pool.fire(calls)
        failures = [o.failure for o in outcomes if o.failure]
        assert failures == []
        codes = Counter(o.code for o in outcomes if not o.ok)
        won = [o for o in outcomes if o.ok]
        assert len(won) == 1, (len(won), codes)
        for outcome in outcomes:
            if outcome.code == BUSY:
                assert outcome.seconds >= LOCK_WAIT_FLOOR, outcome
                busy[shared.engine] += 1
        assert set(codes) <= {DUPLICATE, BUSY}, codes
        stored = rows(
            shared.db,
            "SELECT id, depth FROM organizational_units WHERE parent_id = ? AND name = ?",
            (parent, name),
        )
        assert len(stored) == 1, stored
        assert stored[0]["depth"] == (1 if under == "root" else 2)
    print(
        f"\nC8 OU races on {shared.engine} ({under}): lock waits given up {dict(busy)}"
    )


def _serves_move_account() -> bool:
    from handlers.organizations import service

    return any(
        hasattr(cls, "move_account")
        for cls in vars(service).values()
        if isinstance(cls, type)
    )


def test_c8_one_move_of_an_account_under_racing_moves(
    shared: Shared, pool: Callers
) -> None:
    """A15 under C8: 64 simultaneous MoveAccount calls of one account from the root to
    an OU, on two servers: one moves it, the others find it moved."""
    if not _serves_move_account():
        pytest.skip("MoveAccount is not served yet (departure slice)")
    busy = 0
    for org in shared.orgs:
        params = {
            "AccountId": org.member["id"],
            "SourceParentId": org.root_id,
            "DestinationParentId": org.ou_id,
        }
        calls = [
            Call(shared.servers[i % 2].url, org.manager, "move_account", params)
            for i in range(pool.size)
        ]
        outcomes = pool.fire(calls)
        assert [o.failure for o in outcomes if o.failure] == []
        codes = Counter(o.code for o in outcomes if not o.ok)
        assert len([o for o in outcomes if o.ok]) == 1, codes
        assert set(codes) <= {
            "SourceParentNotFoundException",
            "DuplicateAccountException",
            BUSY,
        }, codes
        for outcome in outcomes:
            if outcome.code == BUSY:
                assert outcome.seconds >= LOCK_WAIT_FLOOR, outcome
                busy += 1
        stored = rows(
            shared.db,
            "SELECT parent_id FROM accounts WHERE id = ?",
            (org.member["id"],),
        )
        assert stored == [{"parent_id": org.ou_id}]
    print(f"\nC8 MoveAccount races on {shared.engine}: lock waits given up {busy}")


def test_c8_closures_never_pass_the_pending_limit(
    shared: Shared, pool: Callers
) -> None:
    """A19 under C8: 64 simultaneous CloseAccount calls over six members, on two
    servers: exactly three accounts become PENDING_CLOSURE (the limit), never four."""
    manager, members = shared.closing
    calls = [
        Call(
            shared.servers[i % 2].url,
            manager,
            "close_account",
            {"AccountId": members[i % len(members)]["id"]},
        )
        for i in range(pool.size)
    ]
    outcomes = pool.fire(calls)
    assert [o.failure for o in outcomes if o.failure] == []
    codes = Counter(o.code for o in outcomes if not o.ok)
    assert len([o for o in outcomes if o.ok]) == 3, codes
    assert set(codes) <= {
        "ConflictException",
        "ConstraintViolationException",
        BUSY,
    }, codes
    for outcome in outcomes:
        if outcome.code == BUSY:
            assert outcome.seconds >= LOCK_WAIT_FLOOR, outcome
    closing = rows(
        shared.db,
        "SELECT id FROM accounts WHERE organization_id = ? AND closed_at IS NOT NULL",
        ("o-srclosing0",),
    )
    assert len(closing) == 3, closing


# -- SIGKILL under a stream of CreateOrganizationalUnit ---------------------------------------

KILLS = 3
BETWEEN_KILLS = (1.0, 2.0)
CLIENT_THREADS = 4


class Stream:
    """Client threads creating OUs with distinct names; every 200 is recorded."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.url = ""
        self.lock = threading.Lock()
        self.acknowledged: dict[str, tuple[str, str]] = {}  # id -> (parent, name)
        self.cut_off = 0
        self.errors: Counter[str] = Counter()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True)
            for n in range(CLIENT_THREADS)
        ]

    def _run(self, number: int) -> None:
        sequence = 0
        parents = [self.org.root_id, self.org.ou_id]
        while not self.stop.is_set():
            url = self.url
            sequence += 1
            parent = parents[sequence % 2]
            name = f"stream-{number}-{sequence}"
            body = json.dumps({"ParentId": parent, "Name": name}).encode()
            try:
                reply = call(
                    url,
                    "CreateOrganizationalUnit",
                    body,
                    key=self.org.manager["access_key_id"],
                    secret=self.org.manager["secret_access_key"],
                )
            except (OSError, http.client.HTTPException):  # killed mid-answer: no 200
                with self.lock:
                    self.cut_off += 1
                time.sleep(0.02)
                continue
            with self.lock:
                if reply.status == 200:
                    ou = reply.json()["OrganizationalUnit"]
                    self.acknowledged[ou["Id"]] = (parent, name)
                else:
                    self.errors[str(reply.json().get("__type"))] += 1


def test_c8_acknowledged_ous_survive_sigkill(tmp_path: Path) -> None:
    """Every OU acknowledged before a SIGKILL is stored after it, under its parent."""
    accounts, seed, (org,) = _world("kl", 1)
    accounts_file = write_json(tmp_path / "accounts.json", {"accounts": accounts})
    seed_file = write_json(tmp_path / "seed.json", seed)
    db = str(tmp_path / "structure.sqlite")
    servers = Incarnations(
        tmp_path,
        ["--db", db, "--accounts", str(accounts_file), "--seed", str(seed_file),
         "--log-level", "warning", "--ou-limit", "100000"],  # fmt: skip
    )
    rng = random.Random()
    stream = Stream(org)
    server = servers.start()
    stream.url = server.url
    try:
        for thread in stream.threads:
            thread.start()
        for _ in range(KILLS):
            time.sleep(rng.uniform(*BETWEEN_KILLS))
            servers.kill(server)
            server = servers.start()
            stream.url = server.url
        time.sleep(1.0)
        servers.kill(server)
    finally:
        stream.stop.set()
        for thread in stream.threads:
            thread.join(30)
        servers.close()
    acknowledged = dict(stream.acknowledged)
    print(
        f"\nSIGKILL under CreateOrganizationalUnit: {len(acknowledged)} acknowledged, "
        f"{stream.cut_off} cut off, errors {dict(stream.errors)}"
    )
    assert len(acknowledged) > 20
    assert set(stream.errors) <= {"ConcurrentModificationException"}, stream.errors
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {
        row["id"]: (row["parent_id"], row["name"])
        for row in rows(db, "SELECT id, parent_id, name FROM organizational_units")
    }
    missing = {
        ou: where for ou, where in acknowledged.items() if stored.get(ou) != where
    }
    assert missing == {}
    # The restarted server lists them (the first page under each parent is enough to
    # see it answers from the recovered file).
    server = servers.start()
    try:
        body = json.dumps({"ParentId": org.root_id}).encode()
        reply = call(
            server.url,
            "ListOrganizationalUnitsForParent",
            body,
            key=org.manager["access_key_id"],
            secret=org.manager["secret_access_key"],
        )
        assert reply.status == 200, reply.body
        assert reply.json()["OrganizationalUnits"]
    finally:
        servers.close()
