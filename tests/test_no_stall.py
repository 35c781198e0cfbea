"""No client waits for another: a request that must wait (for a storage lock, for its
large body to be read and parsed) holds up itself only.

On SQLite and PostgreSQL: another connection holds what a write needs (SQLite: the
database's write lock, `BEGIN IMMEDIATE`; PostgreSQL: the organization's row, `SELECT ...
FOR UPDATE`, or a table lock that blocks writes but not reads); while Bill's write waits,
another account's read answers in well under 100 ms; once the lock is released the write
completes, and if it is held past the lock timeout (5 s) the write answers
ConcurrentModificationException. And an 8 MiB signed body being received, verified and
parsed delays a concurrent small request by less than 100 ms.
"""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.databases import ENGINES, fresh_database
from support.raw import call, send, signed_headers
from support.server import ACCOUNTS, Server, running_with_accounts

#: What a read may take while a write waits (the brief's bound).
READ_BOUND = 0.1
#: The storage lock timeout of both engines (`runtime.database`).
LOCK_TIMEOUT = 5.0
CONCURRENT = (
    "AWS Organizations can't complete your request because it conflicts with another "
    "attempt to modify the same entity. Try again later."
)


@dataclass
class Setup:
    engine: str
    db: str
    server: Server
    #: Bill's organization (the one his invitations lock).
    organization: str


@pytest.fixture(scope="module", params=ENGINES)
def setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp(f"stall-{request.param}")
    with (
        fresh_database(request.param, folder) as db,
        running_with_accounts(folder, "--log-level", "warning", db=db) as server,
    ):
        bill, juan = server.client(0), server.client(2)
        organization = bill.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        juan.create_organization(FeatureSet="ALL")
        yield Setup(request.param, db, server, organization)


# -- holding what a write needs -------------------------------------------------------------


@contextmanager
def sqlite_lock(db: str, begin: str) -> Iterator[None]:
    """A lock on the database file held by another connection (another process would do
    the same): IMMEDIATE makes every other writer wait; EXCLUSIVE too (in WAL mode it
    lets readers read)."""
    connection = sqlite3.connect(db, isolation_level=None)
    try:
        connection.execute(begin)
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


@contextmanager
def postgres_lock(
    db: str, statement: str, params: tuple[Any, ...] = ()
) -> Iterator[None]:
    import psycopg

    with psycopg.connect(db) as connection:  # a transaction until the block ends
        connection.execute(statement, params)
        yield
        connection.rollback()


#: The locks another connection takes, per engine: what a write needs, held.
LOCKS = ["write-lock", "table-lock"]


def holding(setup: Setup, lock: str) -> Any:
    if setup.engine == "sqlite":
        return sqlite_lock(
            setup.db, "BEGIN IMMEDIATE" if lock == "write-lock" else "BEGIN EXCLUSIVE"
        )
    if lock == "write-lock":  # the row Bill's invitation locks
        return postgres_lock(
            setup.db,
            "SELECT id FROM organizations WHERE id = %s FOR UPDATE",
            (setup.organization,),
        )
    # Blocks INSERT/UPDATE/DELETE on handshakes, not SELECT (nor SELECT ... FOR UPDATE).
    return postgres_lock(setup.db, "LOCK TABLE handshakes IN SHARE ROW EXCLUSIVE MODE")


def waiting_locks(setup: Setup) -> int:
    """PostgreSQL: lock requests not granted (the write is really waiting); SQLite: -1."""
    if setup.engine != "postgresql":
        return -1
    import psycopg

    with psycopg.connect(setup.db, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE NOT l.granted AND a.datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])


@dataclass
class Outcome:
    seconds: float = 0.0
    finished: float = 0.0  # time.perf_counter() when the answer came
    released: float = 0.0  # time.perf_counter() when the lock was let go
    answer: dict[str, Any] | None = None
    error: str | None = None
    message: str | None = None


def in_background(
    call: Callable[[], dict[str, Any]],
) -> tuple[threading.Thread, Outcome]:
    outcome = Outcome()

    def run() -> None:
        started = time.perf_counter()
        try:
            outcome.answer = call()
        except Exception as error:  # a ClientError, inspected below
            response = getattr(error, "response", {}) or {}
            outcome.error = response.get("Error", {}).get("Code") or repr(error)
            outcome.message = response.get("Error", {}).get("Message")
        outcome.finished = time.perf_counter()
        outcome.seconds = outcome.finished - started

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def best_of(attempts: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    """The best of up to `attempts` measurements, stopping at the first under the bound."""
    seen = []
    for _ in range(attempts):
        seen.append(measure())
        if seen[-1] < READ_BOUND:
            break
    return min(seen), seen


def _invite(setup: Setup, email: str) -> Callable[[], dict[str, Any]]:
    bill = setup.server.client(0, read_timeout=30, connect_timeout=5)

    def invite() -> dict[str, Any]:
        answer: dict[str, Any] = bill.invite_account_to_organization(
            Target={"Id": email, "Type": "EMAIL"}
        )
        return answer

    return invite


def _reads_while_a_write_waits(setup: Setup, lock: str, hold: float) -> Outcome:
    """Hold the lock `hold` seconds with Bill's invitation waiting; Juan's reads (another
    account) meanwhile must each take under READ_BOUND."""
    juan = setup.server.client(2)
    juan.describe_organization()  # connection made, model loaded: warm
    email = f"{lock}-{hold}-{setup.engine}@example.com"
    with holding(setup, lock):
        held = time.perf_counter()
        thread, outcome = in_background(_invite(setup, email))
        time.sleep(0.3)
        assert thread.is_alive(), f"the write did not wait: {outcome}"
        if setup.engine == "postgresql":
            assert waiting_locks(setup) >= 1  # it waits on the lock, nowhere else
        best, seen = best_of(3, lambda: timed(juan.describe_organization))
        print(f"{setup.engine}/{lock}: reads while a write waits: {seen}")
        assert best < READ_BOUND, seen
        # And every read, not only the best: a write waiting never queues reads.
        times = [timed(juan.describe_organization) for _ in range(5)]
        assert statistics.median(times) < READ_BOUND, times
        assert thread.is_alive()  # all of it while the write was waiting
        time.sleep(max(0.0, held + hold - time.perf_counter()))
        outcome.released = time.perf_counter()
    thread.join(timeout=LOCK_TIMEOUT + 10)
    assert not thread.is_alive()
    return outcome


@pytest.mark.parametrize("lock", LOCKS)
def test_a_read_does_not_wait_for_a_waiting_write(setup: Setup, lock: str) -> None:
    """Released after 1 s: the write then completes (200), having waited for it (it
    answers after the release, whenever its thread got going on a busy machine)."""
    outcome = _reads_while_a_write_waits(setup, lock, hold=1.0)
    assert outcome.error is None, outcome
    assert outcome.answer is not None
    assert outcome.answer["Handshake"]["State"] == "OPEN"
    assert outcome.finished > outcome.released, outcome
    assert outcome.seconds < LOCK_TIMEOUT, outcome.seconds


def test_a_write_past_the_lock_timeout_is_a_concurrent_modification(
    setup: Setup,
) -> None:
    """Held past the lock timeout: ConcurrentModificationException after ~5 s (and the
    reads meanwhile still answered at once); nothing was written."""
    outcome = _reads_while_a_write_waits(setup, "write-lock", hold=LOCK_TIMEOUT + 1.0)
    assert outcome.error == "ConcurrentModificationException", outcome
    assert outcome.message == CONCURRENT
    assert LOCK_TIMEOUT - 0.5 < outcome.seconds < LOCK_TIMEOUT + 1.0, outcome.seconds
    bill = setup.server.client(0)
    sent = bill.list_handshakes_for_organization()["Handshakes"]
    targets = {r["Value"] for h in sent for r in h["Resources"] if r["Type"] == "EMAIL"}
    assert f"write-lock-{LOCK_TIMEOUT + 1.0}-{setup.engine}@example.com" not in targets


# -- a large body -------------------------------------------------------------------------------

MAX_BODY = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("large-bodies")
    with running_with_accounts(folder, "--log-level", "warning") as server:
        server.client(0).create_organization(FeatureSet="ALL")
        yield server


def _small_requests_beside_large_bodies(url: str) -> tuple[float, float]:
    """3 s of small signed requests while 8 MiB signed bodies (just under the limit) go
    back to back on another connection: the small request's usual time (median of 20
    alone) and its worst time meanwhile. Every request must answer 200."""
    key, secret = ACCOUNTS[0]["access_key_id"], ACCOUNTS[0]["secret_access_key"]
    head = b'{"Padding": "'
    big = head + b"x" * (MAX_BODY - 64 - len(head) - 2) + b'"}'
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
    }
    big_headers = signed_headers(url + "/", big, headers, key, secret)
    assert call(url, "DescribeOrganization", b"{}").status == 200  # warm

    def small() -> float:
        started = time.perf_counter()
        reply = call(url, "DescribeOrganization", b"{}")  # signs: like a real client
        elapsed = time.perf_counter() - started
        assert reply.status == 200, reply.body
        return elapsed

    baseline = [small() for _ in range(20)]
    stop = threading.Event()
    big_times: list[float] = []
    statuses: list[int] = []

    def send_big() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            statuses.append(send(url, "POST", "/", big, big_headers).status)
            big_times.append(time.perf_counter() - started)

    sender = threading.Thread(target=send_big)
    sender.start()
    try:
        during = []
        deadline = time.perf_counter() + 3.0
        while time.perf_counter() < deadline:
            during.append(small())
    finally:
        stop.set()
        sender.join(timeout=30)
    usual = statistics.median(baseline)
    print(
        f"small request alone: median {usual * 1000:.1f} ms; with 8 MiB bodies in "
        f"flight: median {statistics.median(during) * 1000:.1f} ms, worst "
        f"{max(during) * 1000:.1f} ms over {len(during)}; 8 MiB requests: "
        f"{len(big_times)}, median {statistics.median(big_times) * 1000:.0f} ms"
    )
    assert set(statuses) == {200}
    assert len(big_times) >= 3
    return usual, max(during)


def test_a_large_body_does_not_delay_a_small_request(sqlite_server: Server) -> None:
    """Beside 8 MiB bodies, small requests are each delayed less than 100 ms beyond their
    usual time. Up to three runs of 3 s: a server that stalls on large bodies fails
    every run, while another process's burst on this 2-core machine (the suite runs in
    parallel) spoils one run at most."""
    seen = []
    for _ in range(3):
        usual, worst = _small_requests_beside_large_bodies(sqlite_server.url)
        seen.append((round(usual, 4), round(worst, 4)))
        if worst - usual < 0.1:
            break
    assert min(worst - usual for usual, worst in seen) < 0.1, seen


# -- more waiting writes than worker threads -----------------------------------------------------

THREADS = 4


@pytest.mark.parametrize("engine", ENGINES)
def test_reads_do_not_queue_behind_more_waiting_writes_than_threads(
    engine: str, tmp_path: Path
) -> None:
    """`--threads 4` and six writes waiting for a lock: another account's read still
    answers at once (reads run first where they never wait; writes wait on threads of
    their own)."""
    with (
        fresh_database(engine, tmp_path) as db,
        running_with_accounts(
            tmp_path, "--threads", str(THREADS), "--log-level", "warning", db=db
        ) as server,
    ):
        bill, juan = server.client(0), server.client(2)
        organization = bill.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        juan.create_organization(FeatureSet="ALL")
        juan.describe_organization()
        setup = Setup(engine, db, server, organization)
        with holding(setup, "write-lock"):
            writes = [
                in_background(_invite(setup, f"queued{n}@example.com"))
                for n in range(THREADS + 2)
            ]
            time.sleep(0.5)
            assert all(thread.is_alive() for thread, _ in writes)
            seen = []
            for _ in range(3):  # a retry only while every write still waits
                seen.append(timed(juan.describe_organization))
                waiting = all(thread.is_alive() for thread, _ in writes)
                if seen[-1] < READ_BOUND or not waiting:
                    break
            print(f"{engine}: reads with {THREADS + 2} writes waiting: {seen}")
            assert waiting and seen[-1] < READ_BOUND, seen
        for thread, _ in writes:
            thread.join(timeout=LOCK_TIMEOUT + 10)
        assert [outcome.error for _, outcome in writes] == [None] * (THREADS + 2)
