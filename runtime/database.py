"""Durable state for handlers: one small interface, two engines (SQLite and PostgreSQL).

- **SQLite** (the embedded default; a file path): WAL journal, `synchronous=NORMAL`: a
  committed transaction survives the server process being killed (`kill -9`) — it is in
  the WAL before COMMIT returns; only an operating-system crash or power loss may lose the
  last commits (`synchronous="full"` closes that too, at an fsync per commit). Write
  transactions start with `BEGIN IMMEDIATE`, so writers are serialised across every
  process that opens the file (within one process they queue on a lock first); a writer
  that waits longer than `busy_timeout` gets `StorageBusy`.
- **PostgreSQL** (`postgresql://...`): for several server processes or hosts on one
  database. Transactions are READ COMMITTED; code that reads a row it is about to change
  locks it with `SELECT ... FOR UPDATE` (`Database.for_update`), so two processes
  serialise on the row. Lock waits past `lock_timeout`, deadlocks and serialization
  failures become `StorageBusy`.

SQL is written once with `?` placeholders; the PostgreSQL engine rewrites them to `%s`.
Schemas are lists of migration scripts applied in order on open, recorded in
`schema_migrations`, under a lock so that processes starting together agree. The runtime
keeps its own small key-value table, `botogen_meta` (`Database.meta`).

**One connection per thread.** The server runs handlers on a pool of worker threads
(`runtime.app`), so that a transaction waiting for a lock holds up its own request only.
A `Database` opens a connection for each thread on that thread's first transaction and
keeps it; `close()` closes them all.

**Never waiting first.** The server first runs a request inside `never_waiting()`
(`runtime.pipeline`), where nothing may wait for a lock: a transaction runs on a
connection of its own that never waits (SQLite: busy timeout 0, and a write only when
this process's writer lock and the database's are both free at once; PostgreSQL: lock
timeout 1 ms, and no writes at all, since every statement there is a round trip), and
raises `WouldWait` the moment it would. A request that raised it is handled again where
waiting is allowed, on the writers' threads, so writes queued behind a lock never hold
up anything else. On SQLite in WAL mode a transaction that need not wait costs only CPU
(`inline_reads`), so the server runs such requests on the event loop itself; on
PostgreSQL they get threads of their own.

A handler served this way keeps each operation's changes in one write transaction (any
later write of the same request must be idempotent, as persisting an expiry is): a
request moved after its write committed is handled again from the start.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Generic, Protocol, TypeVar

Row = Mapping[str, Any]
#: Tables `clear` keeps: what was migrated, and the runtime's keys (page-token secret).
_KEPT = ("schema_migrations", "botogen_meta")
#: The PostgreSQL advisory lock that serialises startup work (migrations, seeding).
_STARTUP_LOCK = 4242


class StorageBusy(Exception):
    """The transaction could not be completed (a lock held too long, a deadlock)."""


class WouldWait(BaseException):
    """Inside `never_waiting()`, a transaction that might wait (see the module docstring).

    A BaseException, so that a handler's `except Exception` cannot swallow it."""


_waiting = threading.local()


@contextmanager
def never_waiting() -> Iterator[None]:
    """Transactions in this block (on this thread) raise `WouldWait` rather than wait."""
    _waiting.never = True
    try:
        yield
    finally:
        _waiting.never = False


def _never_wait() -> bool:
    return getattr(_waiting, "never", False)


class Transaction(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; returns the number of rows it changed."""

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


class Database(Protocol):
    #: `"sqlite"` or `"postgresql"`.
    dialect: str
    #: `" FOR UPDATE"` where the engine has row locks, else `""`.
    for_update: str
    #: Whether a read costs only CPU (no round trip), so it may run on the event loop.
    inline_reads: bool
    #: Whether write transactions run one at a time anyway (one writer per database).
    serial_writes: bool

    def transaction(self, write: bool = True) -> Any:
        """A context manager yielding a `Transaction`; commits on success."""

    def serialize(self, tx: Transaction) -> None:
        """Make this write transaction exclusive among all processes (startup work)."""

    def tables(self, tx: Transaction) -> list[str]:
        """The names of the tables in the database."""

    def clear(self, tx: Transaction) -> None:
        """Delete every row of every table but the runtime's own (`_KEPT`)."""

    def close(self) -> None: ...


_Connection = TypeVar("_Connection")


class _PerThread(Generic[_Connection]):
    """One connection per thread, opened on first use; all closed together."""

    def __init__(self, connect: Callable[[], _Connection]) -> None:
        self._connect = connect
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[_Connection] = []

    def get(self) -> _Connection:
        connection: _Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self.replace()
        return connection

    def replace(self) -> _Connection:
        """A new connection for this thread (the old one broke)."""
        connection = self._connect()
        self._local.connection = connection
        with self._lock:
            self._all.append(connection)
        return connection

    def close_all(self, close: Callable[[_Connection], None]) -> None:
        with self._lock:
            connections, self._all = self._all, []
        for connection in connections:
            try:
                close(connection)
            except Exception:  # already broken: nothing left to release
                pass
        self._local = threading.local()


def meta(database: Database, key: str, default: str) -> str:
    """The runtime's stored value for `key`, storing `default` the first time."""
    with database.transaction() as tx:
        row = tx.one("SELECT value FROM botogen_meta WHERE key = ?", (key,))
        if row is not None:
            return str(row["value"])
        tx.execute(
            "INSERT INTO botogen_meta (key, value) VALUES (?, ?)", (key, default)
        )
        return default


# -- SQLite ---------------------------------------------------------------------------------


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._connection.execute(sql, params).rowcount

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row: Row | None = self._connection.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self._connection.execute(sql, params).fetchall())


class SqliteDatabase:
    dialect = "sqlite"
    for_update = ""
    inline_reads = True
    serial_writes = True

    def __init__(
        self, path: str, *, busy_timeout_ms: int = 5000, synchronous: str = "normal"
    ):
        self.path = path
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._synchronous = synchronous.upper()
        self._connections = _PerThread(lambda: self._connect(self._busy_timeout_ms))
        #: For reads inside `never_waiting()`: a busy lock fails at once.
        self._impatient = _PerThread(lambda: self._connect(0))
        self._writer = threading.Lock()

    def _connect(self, busy_timeout_ms: int) -> sqlite3.Connection:
        # Autocommit mode: transactions are opened explicitly below. Each connection
        # stays on the thread that opened it.
        connection = sqlite3.connect(
            self.path, isolation_level=None, timeout=busy_timeout_ms / 1000
        )
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        self._use_wal(connection)
        connection.execute(f"PRAGMA synchronous = {self._synchronous}")
        connection.execute("PRAGMA foreign_keys = ON")
        return connection

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """WAL journal mode: a no-op once the file has it. Switching a new file takes a
        lock SQLite does not wait for, so processes opening it together retry."""
        row = connection.execute("PRAGMA journal_mode").fetchone()
        if str(row[0]).lower() == "wal":
            return
        deadline = time.monotonic() + max(self._busy_timeout_ms, 1000) / 1000
        while True:
            try:
                connection.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[_SqliteTransaction]:
        never_wait = _never_wait()
        if not write:
            with self._begun(never_wait, "BEGIN") as transaction:
                yield transaction
            return
        # Writers of this process queue on a lock of their own rather than in SQLite's
        # busy handler, which polls with sleeps of up to 100 ms. Inside never_waiting()
        # a write goes ahead only if both locks are free at once.
        if never_wait:
            if not self._writer.acquire(blocking=False):
                raise WouldWait()
        elif not self._writer.acquire(timeout=self._busy_timeout_ms / 1000):
            raise StorageBusy(
                "another transaction of this process holds the write lock"
            )
        try:
            with self._begun(never_wait, "BEGIN IMMEDIATE") as transaction:
                yield transaction
        finally:
            self._writer.release()

    @contextmanager
    def _begun(self, never_wait: bool, begin: str) -> Iterator[_SqliteTransaction]:
        connection = (self._impatient if never_wait else self._connections).get()
        try:
            connection.execute(begin)
        except sqlite3.OperationalError as error:
            if never_wait:
                raise WouldWait() from None
            raise StorageBusy(str(error)) from error
        try:
            yield _SqliteTransaction(connection)
            connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self._rollback(connection)
            if "locked" in str(error) or "busy" in str(error):
                if never_wait:
                    raise WouldWait() from None
                raise StorageBusy(str(error)) from error
            raise
        except BaseException:
            self._rollback(connection)
            raise

    def serialize(self, tx: Transaction) -> None:
        """Write transactions (BEGIN IMMEDIATE) already exclude each other."""

    def tables(self, tx: Transaction) -> list[str]:
        rows = tx.all(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        return [str(row["name"]) for row in rows]

    def clear(self, tx: Transaction) -> None:
        tx.execute("PRAGMA defer_foreign_keys = ON")  # rows go in any order
        for table in self.tables(tx):
            if table not in _KEPT:
                tx.execute(f'DELETE FROM "{table}"')

    @staticmethod
    def _rollback(connection: sqlite3.Connection) -> None:
        if connection.in_transaction:
            connection.execute("ROLLBACK")

    def integrity_check(self) -> str:
        row = self._connections.get().execute("PRAGMA integrity_check").fetchone()
        return str(row[0])

    def close(self) -> None:
        self._connections.close_all(sqlite3.Connection.close)
        self._impatient.close_all(sqlite3.Connection.close)


# -- PostgreSQL -----------------------------------------------------------------------------


class _PostgresTransaction:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = self._connection.execute(self._sql(sql), params)
        return int(cursor.rowcount)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row: Row | None = self._connection.execute(self._sql(sql), params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(self._connection.execute(self._sql(sql), params).fetchall())


class PostgresDatabase:
    dialect = "postgresql"
    for_update = " FOR UPDATE"
    inline_reads = False
    serial_writes = False

    def __init__(self, url: str, *, lock_timeout_ms: int = 5000) -> None:
        import psycopg

        self._psycopg = psycopg
        self._url = url
        self._lock_timeout_ms = lock_timeout_ms
        self._connections: _PerThread[Any] = _PerThread(
            lambda: self._connect(self._lock_timeout_ms)
        )
        #: For reads inside `never_waiting()`: a lock that is not free at once fails.
        self._impatient: _PerThread[Any] = _PerThread(lambda: self._connect(1))
        self._connections.get()  # fail now, not on the first request, if unreachable

    def _connect(self, lock_timeout_ms: int) -> Any:
        from psycopg.rows import dict_row

        connection = self._psycopg.connect(
            self._url, autocommit=True, row_factory=dict_row
        )
        connection.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        return connection

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[_PostgresTransaction]:
        errors = self._psycopg.errors
        busy = (
            errors.LockNotAvailable,
            errors.DeadlockDetected,
            errors.SerializationFailure,
        )
        never_wait = _never_wait()
        if never_wait and write:
            raise WouldWait()
        connections = self._impatient if never_wait else self._connections
        connection = connections.get()
        if connection.closed or connection.broken:
            # The server restarted or the network dropped: a new connection, not a 500
            # on every request from now on. (The request that met the break failed.)
            connection = connections.replace()
        try:
            with connection.transaction():
                yield _PostgresTransaction(connection)
        except busy as error:
            if never_wait:
                raise WouldWait() from None
            raise StorageBusy(str(error)) from error

    def serialize(self, tx: Transaction) -> None:
        tx.execute(f"SELECT pg_advisory_xact_lock({_STARTUP_LOCK})")

    def tables(self, tx: Transaction) -> list[str]:
        rows = tx.all(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "ORDER BY tablename"
        )
        return [str(row["tablename"]) for row in rows]

    def clear(self, tx: Transaction) -> None:
        tables = [t for t in self.tables(tx) if t not in _KEPT]
        if tables:
            tx.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))

    def close(self) -> None:
        self._connections.close_all(lambda connection: connection.close())
        self._impatient.close_all(lambda connection: connection.close())


# -- opening and migrating ------------------------------------------------------------------


def open_database(
    target: str, migrations: Sequence[str] = (), **options: Any
) -> Database:
    """Open `target` (a SQLite path, or a `postgresql://` URL) and apply `migrations`."""
    database: Database
    if target.startswith(("postgresql://", "postgres://")):
        database = PostgresDatabase(target)
    else:
        database = SqliteDatabase(target, **options)
    migrate(database, migrations)
    return database


def migrate(database: Database, migrations: Sequence[str]) -> None:
    """Apply the migrations not applied yet, in order, in one transaction."""
    with database.transaction() as tx:
        database.serialize(tx)  # processes starting together migrate in turn
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)"
        )
        tx.execute(
            "CREATE TABLE IF NOT EXISTS botogen_meta "
            "(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        applied = {
            row["version"] for row in tx.all("SELECT version FROM schema_migrations")
        }
        for version, script in enumerate(migrations, start=1):
            if version in applied:
                continue
            for statement in (s.strip() for s in script.split(";")):
                if statement:
                    tx.execute(statement)
            tx.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
