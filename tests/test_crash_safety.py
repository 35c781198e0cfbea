"""Crash safety: a server killed with SIGKILL mid-load loses no acknowledged change.

A few client threads send a steady load of invitations and declines (signed raw HTTP, as
botocore would send them) while the server, on a SQLite file in WAL mode, is killed with
SIGKILL at random moments and restarted on the same file (on a new port: the clients
follow). The load ends with one more SIGKILL. Every call answered 200 is recorded; then,
with nothing running:

- every acknowledged invitation is stored, and every acknowledged decline is DECLINED;
- ``PRAGMA integrity_check`` of the file is ``ok``;
- the server starts cleanly on the file and answers with the acknowledged states.

Calls cut off by a kill (connection refused or reset) were never acknowledged, so they
prove nothing either way and are only counted.

The world: one organization with many OPEN invitations (seeded, fixed ids) to one
account that declines them, and many small organizations whose management accounts
invite their own recipient, who declines at once (R18 allows 20 invitations a day per
organization, so the load moves on to the next organization when one is used up).
"""

from __future__ import annotations

import http.client
import json
import random
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from support.load import (
    UTC,
    invite_entry,
    load_accounts,
    numbered_id,
    organization_entry,
    preload,
    write_json,
)
from support.raw import call
from support.server import Incarnations

#: Mid-load kills followed by a restart; the load then ends with one more kill.
KILLS = 3
#: Seconds of load between two kills (drawn at random in this range).
BETWEEN_KILLS = (1.5, 3.0)
#: Seconds of load after the last restart, before the final kill.
AFTER_LAST_RESTART = 1.5
CLIENT_THREADS = 4
#: Small organizations, each inviting its own recipient (20 invitations a day each)...
INVITING_ORGANIZATIONS = 80
#: ... at most one invite-and-decline cycle per thread this often (seconds), so that the
#: 1,600 invitations allowed last the whole load.
INVITE_EVERY = 0.04
#: OPEN invitations seeded for the declining account: more than the load can decline
#: (about 1,500 calls a second here).
SEEDED = 40000

#: Answers (not 200) that the load expects and handles.
EXPECTED_ERRORS = {
    "HandshakeConstraintViolationException",  # R18: the organization's quota is used up
    "DuplicateHandshakeException",  # an invitation made before a kill is still open
}


@dataclass
class Target:
    """The running server's URL, as the clients should use it now."""

    url: str
    generation: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def move(self, url: str) -> None:
        with self.lock:
            self.url = url
            self.generation += 1

    def now(self) -> tuple[str, int]:
        with self.lock:
            return self.url, self.generation


@dataclass
class Ledger:
    """What the load saw: acknowledged changes, expected errors, connection failures."""

    #: (handshake id, state the 200 answer reported, server generation).
    invited: list[tuple[str, str, int]] = field(default_factory=list)
    declined: list[tuple[str, str, int]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    cut_off: Counter[str] = field(default_factory=Counter)
    crashed: list[str] = field(default_factory=list)


class Load:
    """The clients: each thread alternates a seeded decline with an invite-and-decline
    cycle in one of its own organizations, until told to stop."""

    def __init__(
        self,
        target: Target,
        decliner: dict[str, str],
        seeded: list[str],
        inviters: list[tuple[dict[str, str], dict[str, str]]],
    ) -> None:
        self.target = target
        self.decliner = decliner
        self.seeded = iter(seeded)
        self.seeded_lock = threading.Lock()
        self.inviters = inviters
        self.ledger = Ledger()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True)
            for n in range(CLIENT_THREADS)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
            assert not thread.is_alive(), "a client thread did not stop"

    # -- one call ---------------------------------------------------------------------------

    def _call(
        self, operation: str, params: dict[str, Any], account: dict[str, str]
    ) -> tuple[int, Any, int]:
        """(HTTP status or 0 when cut off, parsed body, server generation)."""
        url, generation = self.target.now()
        try:
            reply = call(
                url,
                operation,
                json.dumps(params).encode(),
                key=account["access_key_id"],
                secret=account["secret_access_key"],
            )
        except (OSError, http.client.HTTPException) as error:
            # Refused, reset, timed out, an answer cut short: the server was killed (or
            # is starting). Nothing was acknowledged.
            self.ledger.cut_off[type(error).__name__] += 1
            time.sleep(0.02)
            return 0, None, generation
        try:
            body = reply.json()
        except ValueError:
            body = None
        if reply.status != 200:
            code = (body or {}).get("__type", f"HTTP {reply.status}")
            if code in EXPECTED_ERRORS:
                self.ledger.errors[code] += 1
            else:
                self.ledger.unexpected.append(
                    f"{operation} {params}: {reply.status} {body}"
                )
        return reply.status, body, generation

    def _decline(self, handshake_id: str, account: dict[str, str]) -> None:
        status, body, generation = self._call(
            "DeclineHandshake", {"HandshakeId": handshake_id}, account
        )
        if status == 200:
            self.ledger.declined.append(
                (handshake_id, body["Handshake"]["State"], generation)
            )

    # -- the load -----------------------------------------------------------------------------

    def _run(self, number: int) -> None:
        mine = self.inviters[number::CLIENT_THREADS]
        used_up: set[int] = set()
        turn = 0
        next_invite = 0.0
        try:
            while not self.stop.is_set():
                with self.seeded_lock:
                    handshake_id = next(self.seeded, None)
                if handshake_id is not None:
                    self._decline(handshake_id, self.decliner)
                open_orgs = [i for i in range(len(mine)) if i not in used_up]
                if not open_orgs and handshake_id is None:
                    return  # nothing left to do
                if open_orgs and time.monotonic() >= next_invite:
                    next_invite = time.monotonic() + INVITE_EVERY
                    index = open_orgs[turn % len(open_orgs)]
                    turn += 1
                    if self._cycle(*mine[index]) == "used up":
                        used_up.add(index)
                elif handshake_id is None:
                    time.sleep(0.005)  # only invitations left, and none due yet
        except Exception as error:  # reported by the test, never swallowed
            self.ledger.crashed.append(f"thread {number}: {error!r}")

    def _cycle(self, manager: dict[str, str], recipient: dict[str, str]) -> str:
        """Invite the recipient, who declines at once."""
        status, body, generation = self._call(
            "InviteAccountToOrganization",
            {"Target": {"Type": "ACCOUNT", "Id": recipient["id"]}},
            manager,
        )
        if status == 200:
            handshake = body["Handshake"]
            self.ledger.invited.append(
                (handshake["Id"], handshake["State"], generation)
            )
            self._decline(handshake["Id"], recipient)
        elif status and body.get("__type") == "HandshakeConstraintViolationException":
            return "used up"
        elif status and body.get("__type") == "DuplicateHandshakeException":
            # An invitation whose answer a kill cut off: it is there, and still open.
            status, listed, _ = self._call(
                "ListHandshakesForAccount",
                {"Filter": {"ActionType": "INVITE"}},
                recipient,
            )
            for handshake in (
                (listed or {}).get("Handshakes", []) if status == 200 else []
            ):
                if handshake["State"] == "OPEN":
                    self._decline(handshake["Id"], recipient)
        return "done"


def _world(
    folder: Path,
) -> tuple[
    Path, Path, dict[str, str], list[str], list[tuple[dict[str, str], dict[str, str]]]
]:
    accounts = load_accounts(2 + 2 * INVITING_ORGANIZATIONS)
    source, decliner = accounts[0], accounts[1]
    inviters = [
        (accounts[2 + 2 * n], accounts[3 + 2 * n])
        for n in range(INVITING_ORGANIZATIONS)
    ]
    now = datetime.now(UTC)
    created, requested = now - timedelta(days=3), now - timedelta(days=2)
    organizations = [organization_entry("o-crashsource", source["id"], created)]
    organizations += [
        organization_entry(numbered_id("o-crash", n, 5), manager["id"], created)
        for n, (manager, _) in enumerate(inviters)
    ]
    seeded = [numbered_id("h-crash", n, 25) for n in range(SEEDED)]
    handshakes = [
        invite_entry(handshake_id, "o-crashsource", decliner["id"], requested)
        for handshake_id in seeded
    ]
    accounts_file = write_json(folder / "accounts.json", {"accounts": accounts})
    seed_file = write_json(
        folder / "seed.json", {"organizations": organizations, "handshakes": handshakes}
    )
    return accounts_file, seed_file, decliner, seeded, inviters


def test_acknowledged_changes_survive_sigkill(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    accounts_file, seed_file, decliner, seeded, inviters = _world(tmp_path)
    db = tmp_path / "botogen.sqlite3"
    # Seeded once, up front: every restart then starts as fast as a plain server.
    preload(str(db), accounts_file, seed_file)
    servers = Incarnations(
        tmp_path,
        ["--db", str(db), "--accounts", str(accounts_file), "--log-level", "warning"],
    )
    started = time.perf_counter()
    server = servers.start()
    target = Target(server.url)
    load = Load(target, decliner, seeded, inviters)
    load.start()
    kill_times = []
    try:
        for kill in range(KILLS + 1):
            time.sleep(
                rng.uniform(*BETWEEN_KILLS) if kill < KILLS else AFTER_LAST_RESTART
            )
            kill_times.append(round(time.perf_counter() - started, 2))
            servers.kill(server)
            if kill < KILLS:
                server = servers.start()
                target.move(server.url)
    finally:
        load.join()
        servers.close()
    elapsed = time.perf_counter() - started
    ledger = load.ledger
    print(
        f"\ncrash safety (random seed {seed}): {elapsed:.1f} s, kills at {kill_times} s; "
        f"acknowledged {len(ledger.invited)} invitations and {len(ledger.declined)} "
        f"declines; expected errors {dict(ledger.errors)}; cut off by kills "
        f"{dict(ledger.cut_off)}"
    )
    assert not ledger.crashed, ledger.crashed
    assert not ledger.unexpected, "\n".join(ledger.unexpected[:20])
    # The load really ran on every incarnation, so every kill hit a loaded server.
    invited = Counter(generation for _, _, generation in ledger.invited)
    declined = Counter(generation for _, _, generation in ledger.declined)
    for generation in range(KILLS + 1):
        assert invited[generation] and declined[generation], (
            f"no acknowledged load on server {generation + 1}: "
            f"invitations {dict(invited)}, declines {dict(declined)}"
        )
    assert all(state == "OPEN" for _, state, _ in ledger.invited)
    assert all(state == "DECLINED" for _, state, _ in ledger.declined)

    # The file as the last kill left it (a hot WAL): sqlite3 recovers it on open.
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = dict(connection.execute("SELECT id, state FROM handshakes").fetchall())
    finally:
        connection.close()
    lost_invites = [h for h, _, _ in ledger.invited if h not in stored]
    assert not lost_invites, f"acknowledged invitations lost: {lost_invites[:10]}"
    lost_declines = [
        (h, stored.get(h)) for h, _, _ in ledger.declined if stored.get(h) != "DECLINED"
    ]
    assert not lost_declines, f"acknowledged declines lost: {lost_declines[:10]}"

    # The server starts cleanly on the file and answers with the acknowledged states.
    server = servers.start()
    try:
        client = boto3.session.Session().client(
            "organizations",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=decliner["access_key_id"],
            aws_secret_access_key=decliner["secret_access_key"],
            config=Config(retries={"total_max_attempts": 1}),
        )
        sample = [h for h, _, _ in ledger.declined if h.startswith("h-crash")]
        for handshake_id in rng.sample(sample, min(20, len(sample))) + sample[-5:]:
            handshake = client.describe_handshake(HandshakeId=handshake_id)["Handshake"]
            assert handshake["State"] == "DECLINED", handshake
    finally:
        servers.close()
    # No incarnation failed a request with a server error (only kills cut calls off).
    for log in servers.logs:
        text = log.read_text()
        assert (
            "Traceback" not in text and " ERROR " not in text
        ), f"{log}:\n{text[-3000:]}"
