"""R13: Accept, Decline and Cancel on one handshake are serialised; exactly one wins.

Two `botogen serve` processes share one database (a SQLite file, or a fresh PostgreSQL
database) and 64 boto3 clients in 8 client processes fire at once, released by one
cross-process barrier. Every call that loses must get the answer of the state it finds:
HandshakeAlreadyInState when its own transition already won, InvalidHandshakeTransition
otherwise (or, accepting a second invitation, ALREADY_IN_AN_ORGANIZATION);
ConcurrentModification is allowed only as "the lock could not be had" and is counted,
never a second success. Afterwards both servers, and the stored row itself, agree on the
winner's state, the row's version moved exactly once, and an accepted invitation made
the account a member exactly once.

The handshakes are seeded (``--seed``: fixed ids) when the servers start; accounts are
never reused between rounds, so every round starts from a clean, known state.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from support.load import (
    BUSY,
    LOCK_WAIT_FLOOR,
    UTC,
    Call,
    Callers,
    Outcome,
    callers,
    invite_entry,
    load_accounts,
    numbered_id,
    organization_entry,
    rows,
    write_json,
)
from support.databases import fresh_database
from support.server import Server, running_server

PROCESSES = 8
THREADS = 8  # 64 calls at once
ROUNDS = 5  # handshakes raced by Accept/Decline/Cancel
DOUBLE_ROUNDS = 3  # accounts racing to accept two invitations from two organizations

ALREADY = "HandshakeAlreadyInStateException"
INVALID = "InvalidHandshakeTransitionException"
CONSTRAINT = "HandshakeConstraintViolationException"
#: The state each operation moves a pending handshake to.
STATE_OF = {
    "accept_handshake": "ACCEPTED",
    "decline_handshake": "DECLINED",
    "cancel_handshake": "CANCELED",
}


@dataclass(frozen=True)
class Race:
    """One handshake raced by its recipient (Accept, Decline) and its sender (Cancel)."""

    handshake_id: str
    organization_id: str
    manager: dict[str, str]
    recipient: dict[str, str]


@dataclass(frozen=True)
class DoubleInvite:
    """One account invited by two organizations at once."""

    recipient: dict[str, str]
    #: (handshake id, organization id, management account) per organization.
    invitations: tuple[tuple[str, str, dict[str, str]], ...]


@dataclass
class Shared:
    """Two servers on one database, and the seeded world they serve."""

    engine: str
    db: str
    servers: tuple[Server, Server]
    races: list[Race]
    doubles: list[DoubleInvite]


def _world() -> (
    tuple[list[dict[str, str]], dict[str, Any], list[Race], list[DoubleInvite]]
):
    accounts = load_accounts(2 * ROUNDS + 3 * DOUBLE_ROUNDS)
    pool = iter(accounts)
    now = datetime.now(UTC)
    created, requested = now - timedelta(days=3), now - timedelta(hours=1)
    seed: dict[str, Any] = {"organizations": [], "handshakes": []}
    races: list[Race] = []
    for n in range(ROUNDS):
        manager, recipient = next(pool), next(pool)
        org = numbered_id("o-race", n, 6)
        handshake = numbered_id("h-race", n, 26)
        seed["organizations"].append(organization_entry(org, manager["id"], created))
        seed["handshakes"].append(
            invite_entry(handshake, org, recipient["id"], requested)
        )
        races.append(Race(handshake, org, manager, recipient))
    doubles: list[DoubleInvite] = []
    for n in range(DOUBLE_ROUNDS):
        recipient = next(pool)
        invitations = []
        for side in "ab":
            manager = next(pool)
            org = numbered_id(f"o-two{side}", n, 6)
            handshake = numbered_id(f"h-two{side}", n, 25)
            seed["organizations"].append(
                organization_entry(org, manager["id"], created)
            )
            seed["handshakes"].append(
                invite_entry(handshake, org, recipient["id"], requested)
            )
            invitations.append((handshake, org, manager))
        doubles.append(DoubleInvite(recipient, tuple(invitations)))
    return accounts, seed, races, doubles


@pytest.fixture(scope="module")
def pool() -> Iterator[Callers]:
    with callers(PROCESSES, THREADS) as running:
        yield running


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Shared]:
    engine = str(request.param)
    folder: Path = tmp_path_factory.mktemp(f"race-{engine}")
    accounts, seed, races, doubles = _world()
    accounts_file = write_json(folder / "accounts.json", {"accounts": accounts})
    seed_file = write_json(folder / "seed.json", seed)
    with fresh_database(engine, folder) as db:
        args = ["--db", db, "--accounts", str(accounts_file), "--seed", str(seed_file),
                "--log-level", "warning"]  # fmt: skip
        (folder / "a").mkdir()
        (folder / "b").mkdir()
        # One after the other: the first creates the schema and loads the seed, the
        # second finds both there (loading a seed is idempotent).
        with running_server(folder / "a", *args) as first:
            with running_server(folder / "b", *args) as second:
                yield Shared(engine, db, (first, second), races, doubles)


# -- checks -----------------------------------------------------------------------------------


@functools.cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()  # the service model is loaded once


def _describe(server: Server, account: dict[str, str], handshake_id: str) -> str:
    from botocore.config import Config

    client = _session().client(
        "organizations",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=account["access_key_id"],
        aws_secret_access_key=account["secret_access_key"],
        config=Config(retries={"total_max_attempts": 1}),
    )
    state: str = client.describe_handshake(HandshakeId=handshake_id)["Handshake"][
        "State"
    ]
    return state


def _stored(db: str, handshake_id: str) -> dict[str, Any]:
    found = rows(
        db, "SELECT state, version FROM handshakes WHERE id = ?", (handshake_id,)
    )
    assert len(found) == 1, found
    return found[0]


def _members(db: str, organization_id: str) -> list[str]:
    return sorted(
        row["id"]
        for row in rows(
            db, "SELECT id FROM accounts WHERE organization_id = ?", (organization_id,)
        )
    )


def _explain(outcomes: list[Outcome]) -> str:
    lines = []
    for outcome in outcomes:
        call = outcome.call
        got = (
            f"OK {outcome.state}"
            if outcome.ok
            else outcome.code or outcome.failure or "?"
        )
        lines.append(
            f"  {call.method:18} {call.tag!s:24} -> {got} ({outcome.seconds:.3f} s)"
        )
    return "\n".join(lines)


def _check_busy(outcome: Outcome, explained: str) -> None:
    assert outcome.seconds >= LOCK_WAIT_FLOOR, (
        f"ConcurrentModificationException after {outcome.seconds:.3f} s: no lock wait "
        f"timed out, so this is a lost race, not a busy database\n{explained}"
    )


def _report(shared: Shared, what: str, busy: int, seconds: float, rounds: int) -> None:
    print(
        f"\n[{shared.engine}] {what}: {rounds} rounds of {PROCESSES * THREADS} calls in "
        f"{seconds:.2f} s; ConcurrentModificationException answers: {busy}"
    )


# -- R13: Accept / Decline / Cancel on one handshake ------------------------------------------


def test_r13_one_transition_wins_across_two_servers(
    shared: Shared, pool: Callers
) -> None:
    started = time.perf_counter()
    busy = 0
    winners: Counter[str] = Counter()
    methods = list(STATE_OF)
    for race in shared.races:
        calls = []
        for i in range(pool.size):
            method = methods[i % 3]
            side = i % 2  # every (operation, server) pair occurs: lcm(3, 2) = 6
            caller = race.manager if method == "cancel_handshake" else race.recipient
            calls.append(
                Call(
                    shared.servers[side].url,
                    caller,
                    method,
                    {"HandshakeId": race.handshake_id},
                    tag=f"server {'ab'[side]}",
                )
            )
        outcomes = pool.fire(calls)
        explained = _explain(outcomes)

        succeeded = [o for o in outcomes if o.ok]
        assert len(succeeded) == 1, f"{len(succeeded)} successes:\n{explained}"
        winner = succeeded[0]
        won = STATE_OF[winner.call.method]
        assert winner.state == won, explained
        winners[won] += 1
        for outcome in outcomes:
            if outcome.ok:
                continue
            assert outcome.failure is None, f"{outcome.failure}\n{explained}"
            if outcome.code == BUSY:  # a lock that truly timed out: allowed, counted
                _check_busy(outcome, explained)
                busy += 1
                continue
            expected = ALREADY if outcome.call.method == winner.call.method else INVALID
            assert outcome.code == expected, (
                f"{outcome.call.method} after {won}: expected {expected}, "
                f"got {outcome.code}\n{explained}"
            )

        # Both servers, as recipient and as sender, see the winner's state.
        for server in shared.servers:
            for account in (race.recipient, race.manager):
                assert _describe(server, account, race.handshake_id) == won
        # The stored row: the winner's state, the version moved once (seeded at 0).
        stored = _stored(shared.db, race.handshake_id)
        assert (stored["state"], stored["version"]) == (won, 1), stored
        # An accepted invitation made the recipient a member, exactly once.
        members = _members(shared.db, race.organization_id)
        expected_members = [race.manager["id"]]
        if won == "ACCEPTED":
            expected_members.append(race.recipient["id"])
        assert members == sorted(expected_members)
        joined = rows(
            shared.db,
            "SELECT organization_id FROM accounts WHERE id = ?",
            (race.recipient["id"],),
        )
        assert joined == [
            {"organization_id": race.organization_id if won == "ACCEPTED" else None}
        ]
    _report(
        shared, "accept/decline/cancel", busy, time.perf_counter() - started, ROUNDS
    )
    print(f"  winners: {dict(winners)}")


# -- R13 + R16: two invitations accepted at once by the same account ---------------------------


def test_r13_concurrent_accepts_of_two_invitations_join_one_organization(
    shared: Shared, pool: Callers
) -> None:
    started = time.perf_counter()
    busy = 0
    for double in shared.doubles:
        calls = []
        for i in range(pool.size):
            handshake_id, organization_id, _ = double.invitations[i % 2]
            side = (i // 2) % 2  # both invitations through both servers
            calls.append(
                Call(
                    shared.servers[side].url,
                    double.recipient,
                    "accept_handshake",
                    {"HandshakeId": handshake_id},
                    tag=f"{organization_id} via {'ab'[side]}",
                )
            )
        outcomes = pool.fire(calls)
        explained = _explain(outcomes)

        succeeded = [o for o in outcomes if o.ok]
        assert len(succeeded) == 1, f"{len(succeeded)} successes:\n{explained}"
        winner_id = succeeded[0].call.params["HandshakeId"]
        for outcome in outcomes:
            if outcome.ok:
                continue
            assert outcome.failure is None, f"{outcome.failure}\n{explained}"
            if outcome.code == BUSY:
                _check_busy(outcome, explained)
                busy += 1
                continue
            if outcome.call.params["HandshakeId"] == winner_id:
                assert outcome.code == ALREADY, explained
            else:  # R16: the account is in an organization now
                assert (outcome.code, outcome.reason) == (
                    CONSTRAINT,
                    "ALREADY_IN_AN_ORGANIZATION",
                ), explained

        for handshake_id, organization_id, manager in double.invitations:
            stored = _stored(shared.db, handshake_id)
            members = _members(shared.db, organization_id)
            if handshake_id == winner_id:
                assert (stored["state"], stored["version"]) == ("ACCEPTED", 1)
                assert members == sorted([manager["id"], double.recipient["id"]])
                joined = organization_id
            else:  # the losing invitation is untouched, still open
                assert (stored["state"], stored["version"]) == ("OPEN", 0)
                assert members == [manager["id"]]
            for server in shared.servers:
                state = _describe(server, double.recipient, handshake_id)
                assert state == stored["state"]
        assert rows(
            shared.db,
            "SELECT organization_id FROM accounts WHERE id = ?",
            (double.recipient["id"],),
        ) == [{"organization_id": joined}]
    _report(
        shared, "two invitations", busy, time.perf_counter() - started, DOUBLE_ROUNDS
    )
