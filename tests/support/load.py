"""Helpers for load: fixed worlds seeded in bulk, fresh databases on both engines, direct
reads of the stored rows, and many clients firing at once.

Used by `test_concurrency.py` (R13), `test_crash_safety.py` and
`benchmarks/bench_handshakes.py`. Every credential here is a dummy and every client points
at a loopback server.

- **Accounts**: `load_accounts(n)` makes dummy accounts ``7000000000NN`` (ids no other
  helper uses), written to an accounts file with `write_json`.
- **Seeds**: `organization_entry` / `invite_entry` build the document that
  `handlers/organizations/seed.py` loads (fixed ids, fixed timestamps). `preload` stores
  one into a database *before* any server starts, with the project's own migrations,
  handler constructor (which registers the known accounts) and seed loader: exactly what
  `botogen serve --seed` does on start, done once, up front, in this process.
- **Databases**: `rows` reads the stored state directly (no server involved), on either
  engine (`support.databases.fresh_database` makes the databases).
- **Callers**: `Callers` is a pool of client processes, each running several threads with
  its own boto3 clients; `Callers.fire` runs one call per thread, all released together by
  one cross-process barrier, and returns what each call got.
- **Signed requests**: `signed_request` signs a JSON 1.1 request with botocore's SigV4
  signer, for raw HTTP clients and for wrk scripts.
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from support.raw import CONTENT_TYPE, TARGET, signed_headers

UTC = timezone.utc
#: The answer of a write that waited for a lock in vain.
BUSY = "ConcurrentModificationException"
#: Both engines wait 5 s for a lock before giving up (SQLite busy_timeout, PostgreSQL
#: lock_timeout; PostgreSQL reports a deadlock after its deadlock_timeout, 1 s by
#: default). A ConcurrentModification answer that comes much sooner did not wait for a
#: lock at all: it is a lost race caught late (e.g. a compare-and-set after an unlocked
#: read), which R13 does not allow.
LOCK_WAIT_FLOOR = 0.5

# -- accounts and seeds ---------------------------------------------------------------------


def load_accounts(count: int) -> list[dict[str, str]]:
    """Dummy accounts 700000000001, 700000000002, ... with obviously fake keys."""
    return [
        {
            "id": f"7{n:011d}",
            "name": f"Load Account {n:05d}",
            "email": f"load{n:05d}@example.com",
            "access_key_id": f"AKIATESTLOAD{n:05d}",
            "secret_access_key": f"test-secret-load-{n:05d}",
        }
        for n in range(1, count + 1)
    ]


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document))
    return path


def iso(instant: datetime) -> str:
    """``2031-05-06T07:08:09.123Z``: what the seed loader reads."""
    return (
        instant.astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def organization_entry(
    organization_id: str, management_account_id: str, created: datetime
) -> dict[str, Any]:
    return {
        "id": organization_id,
        "management_account_id": management_account_id,
        "feature_set": "ALL",
        "created": iso(created),
    }


def invite_entry(
    handshake_id: str, organization_id: str, target_account_id: str, requested: datetime
) -> dict[str, Any]:
    """An OPEN invitation of an account (INVITE handshakes expire 15 days later)."""
    return {
        "id": handshake_id,
        "organization_id": organization_id,
        "action": "INVITE",
        "target": {"type": "ACCOUNT", "id": target_account_id},
        "state": "OPEN",
        "requested": iso(requested),
    }


def numbered_id(prefix: str, number: int, width: int) -> str:
    """``prefix`` then ``number`` zero-padded to ``width`` digits (``h-`` / ``o-`` ids)."""
    return f"{prefix}{number:0{width}d}"


def preload(db: str, accounts_file: Path, seed_file: Path) -> None:
    """Store the seed in ``db`` before a server opens it: what ``--seed`` does on start
    (`runtime.assemble`: migrations, the handler's start-up work and the seed in one
    serialised transaction), done once, in this process."""
    import generated.organizations
    from handlers.organizations import SERVICE
    from runtime.accounts import load_accounts as read_accounts_file
    from runtime.database import open_database
    from runtime.handler import Environment
    from runtime.service import build_settings

    database = open_database(db, SERVICE.migrations)
    try:
        environment = Environment(
            database,
            read_accounts_file(accounts_file),
            build_settings(SERVICE.settings),
            SERVICE.errors(generated.organizations.SERVICE),
        )
        handlers = SERVICE.handlers(environment)
        with database.transaction() as tx:
            database.serialize(tx)
            handlers.start(tx)
            handlers.load_seed(tx, json.loads(seed_file.read_text()))
    finally:
        database.close()


# -- databases --------------------------------------------------------------------------------


def rows(db: str, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Read the stored state directly: ``sql`` (``?`` placeholders) on ``db``, either
    engine, in a connection of its own (a reader: it never blocks a server's writer)."""
    if db.startswith(("postgresql://", "postgres://")):
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(db, autocommit=True, row_factory=dict_row) as connection:
            return list(connection.execute(sql.replace("?", "%s"), params).fetchall())
    reader = sqlite3.connect(db, timeout=10)
    try:
        reader.row_factory = sqlite3.Row
        return [dict(row) for row in reader.execute(sql, params).fetchall()]
    finally:
        reader.close()


# -- signed requests ----------------------------------------------------------------------------


def signed_request(
    url: str, operation: str, params: dict[str, Any], account: dict[str, str]
) -> tuple[dict[str, str], bytes]:
    """Headers (SigV4, valid 15 minutes) and body of a JSON 1.1 call to ``url``/."""
    body = json.dumps(params, separators=(",", ":")).encode()
    headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": f"{TARGET}.{operation}"}
    signed = signed_headers(
        url.rstrip("/") + "/",
        body,
        headers,
        account["access_key_id"],
        account["secret_access_key"],
    )
    return signed, body


# -- many callers at once ---------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One boto3 call: ``client.<method>(**params)`` as ``account`` on ``url``."""

    url: str
    account: dict[str, str]
    method: str
    params: dict[str, Any]
    #: Anything the test wants back with the outcome (which operation, which server...).
    tag: Any = None


@dataclass
class Outcome:
    call: Call
    #: The call returned normally.
    ok: bool = False
    #: The AWS error code of a failed call (``HandshakeAlreadyInStateException``...).
    code: str | None = None
    #: The error's ``Reason`` member, when it has one.
    reason: str | None = None
    #: The handshake's State in a successful answer.
    state: str | None = None
    #: Anything else that went wrong (a connection error, a broken barrier...).
    failure: str | None = None
    #: The error's message.
    message: str | None = None
    #: Seconds from the barrier's release to the answer.
    seconds: float = 0.0


def _client(session: Any, call: Call, timeout: float) -> Any:
    from botocore.config import Config

    return session.client(
        "organizations",
        endpoint_url=call.url,
        region_name="us-east-1",
        aws_access_key_id=call.account["access_key_id"],
        aws_secret_access_key=call.account["secret_access_key"],
        config=Config(
            retries={"total_max_attempts": 1},  # every answer is the server's first
            connect_timeout=5,
            read_timeout=timeout,
        ),
    )


def _race(client: Any, call: Call, barrier: Any, timeout: float) -> Outcome:
    """Wait for every caller, then make the call once."""
    from botocore.exceptions import ClientError

    outcome = Outcome(call)
    try:
        barrier.wait(timeout=timeout)
    except threading.BrokenBarrierError:
        outcome.failure = "barrier broken (another caller failed to start in time)"
        return outcome
    started = time.perf_counter()
    try:
        response = getattr(client, call.method)(**call.params)
        outcome.ok = True
        outcome.state = (response.get("Handshake") or {}).get("State")
    except ClientError as error:
        outcome.code = error.response.get("Error", {}).get("Code")
        outcome.reason = error.response.get("Reason")
        outcome.message = error.response.get("Error", {}).get("Message")
    except Exception as error:  # connection errors and the like
        outcome.failure = f"{type(error).__name__}: {error}"
    outcome.seconds = time.perf_counter() - started
    return outcome


def _caller_process(connection: Any, barrier: Any, timeout: float) -> None:
    """One client process: for every batch of calls received, one thread per call, each
    with its own boto3 client; all wait on the shared barrier, then call."""
    import boto3

    session = boto3.session.Session()
    # Load the service model once, before the first round: later clients cost ~2 ms.
    _client(session, Call("http://127.0.0.1:9", _WARM_UP, "", {}), timeout)
    connection.send("ready")
    while True:
        batch = connection.recv()
        if batch is None:
            return
        results: list[Outcome | None] = [None] * len(batch)

        def run(index: int, client: Any, call: Call) -> None:
            try:
                results[index] = _race(client, call, barrier, timeout)
            except Exception:  # pragma: no cover - reported, never swallowed
                results[index] = Outcome(call, failure=traceback.format_exc())

        workers = []
        for index, call in enumerate(batch):
            try:  # made here, one at a time: a session is not thread-safe for this
                client = _client(session, call, timeout)
            except Exception as error:
                results[index] = Outcome(call, failure=f"client set-up: {error!r}")
                barrier.abort()  # the others must not wait for a caller that never comes
                continue
            workers.append(
                threading.Thread(target=run, args=(index, client, call), daemon=True)
            )
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout + 10)
        connection.send(
            [
                result if result is not None else Outcome(batch[i], failure="hung")
                for i, result in enumerate(results)
            ]
        )


_WARM_UP = {"access_key_id": "AKIATESTWARMUP", "secret_access_key": "warm-up"}


class Callers:
    """``processes`` client processes × ``threads`` threads: ``fire`` runs exactly
    ``processes * threads`` calls, released together by one cross-process barrier."""

    def __init__(self, processes: int, threads: int, timeout: float = 30.0) -> None:
        self.processes = processes
        self.threads = threads
        self.timeout = timeout
        context = multiprocessing.get_context("spawn")
        self._barrier = context.Barrier(processes * threads)
        self._connections: list[Any] = []
        self._workers: list[Any] = []
        for _ in range(processes):
            ours, theirs = context.Pipe()
            worker = context.Process(
                target=_caller_process,
                args=(theirs, self._barrier, timeout),
                daemon=True,
            )
            worker.start()
            self._connections.append(ours)
            self._workers.append(worker)
        for connection in self._connections:
            if not connection.poll(60):
                self.close()
                raise RuntimeError("a client process did not start within 60 s")
            assert connection.recv() == "ready"

    @property
    def size(self) -> int:
        return self.processes * self.threads

    def fire(self, calls: Sequence[Call]) -> list[Outcome]:
        """Run ``calls`` (exactly `size` of them) all at once; outcomes in call order.

        Call ``i`` runs in process ``i % processes``, so neighbouring calls (often on
        different servers or by different accounts) run in different processes.
        """
        assert len(calls) == self.size, f"need exactly {self.size} calls"
        self._barrier.reset()
        batches: list[list[int]] = [[] for _ in range(self.processes)]
        for index in range(len(calls)):
            batches[index % self.processes].append(index)
        for connection, batch in zip(self._connections, batches):
            connection.send([calls[i] for i in batch])
        outcomes: list[Outcome | None] = [None] * len(calls)
        for connection, batch in zip(self._connections, batches):
            if not connection.poll(self.timeout + 30):
                raise RuntimeError("a client process did not answer in time")
            for index, outcome in zip(batch, connection.recv()):
                outcomes[index] = outcome
        assert all(o is not None for o in outcomes)
        return [o for o in outcomes if o is not None]

    def close(self) -> None:
        for connection in self._connections:
            try:
                connection.send(None)
            except (BrokenPipeError, OSError):
                pass
        for worker in self._workers:
            worker.join(5)
            if worker.is_alive():
                worker.kill()
                worker.join(5)


@contextmanager
def callers(processes: int, threads: int, timeout: float = 30.0) -> Iterator[Callers]:
    pool = Callers(processes, threads, timeout)
    try:
        yield pool
    finally:
        pool.close()
