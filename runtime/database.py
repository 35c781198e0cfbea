"""Durable state for handlers: one small interface, two engines (SQLite and PostgreSQL).

- **SQLite** (the embedded default; a file path): WAL journal, `synchronous=NORMAL`: a
  committed transaction survives the server process being killed (`kill -9`) — it is in
  the WAL before COMMIT returns; only an operating-system crash or power loss may lose the
  last commits (`synchronous="full"` closes that too, at an fsync per commit). Write
  transactions start with `BEGIN IMMEDIATE`, so writers are serialised across every
  process that opens the file; a writer that waits longer than `busy_timeout` gets
  `StorageBusy`.
- **PostgreSQL** (`postgresql://...`): for several server processes or hosts on one
  database. Transactions are READ COMMITTED; code that reads a row it is about to change
  locks it with `SELECT ... FOR UPDATE` (`Database.for_update`), so two processes
  serialise on the row. Lock waits past `lock_timeout`, deadlocks and serialization
  failures become `StorageBusy`.

SQL is written once with `?` placeholders; the PostgreSQL engine rewrites them to `%s`.
Schemas are lists of migration scripts applied in order on open, recorded in
`schema_migrations`, under a lock so that processes starting together agree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

Row = Mapping[str, Any]
#: The PostgreSQL advisory lock that serialises startup work (migrations, seeding).
_STARTUP_LOCK = 4242


class StorageBusy(Exception):
    """The transaction could not be completed (a lock held too long, a deadlock)."""


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

    def transaction(self, write: bool = True) -> Any:
        """A context manager yielding a `Transaction`; commits on success."""

    def serialize(self, tx: Transaction) -> None:
        """Make this write transaction exclusive among all processes (startup work)."""

    def close(self) -> None: ...


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

    def __init__(
        self, path: str, *, busy_timeout_ms: int = 5000, synchronous: str = "normal"
    ):
        self.path = path
        # Autocommit mode: transactions are opened explicitly below.
        self._connection = sqlite3.connect(
            path,
            isolation_level=None,
            check_same_thread=False,
            timeout=busy_timeout_ms / 1000,
        )
        self._connection.row_factory = sqlite3.Row
        self._connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        self._connection.execute("PRAGMA journal_mode = WAL")
        self._connection.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        self._connection.execute("PRAGMA foreign_keys = ON")

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[_SqliteTransaction]:
        try:
            self._connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.OperationalError as error:
            raise StorageBusy(str(error)) from error
        try:
            yield _SqliteTransaction(self._connection)
            self._connection.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self._rollback()
            if "locked" in str(error) or "busy" in str(error):
                raise StorageBusy(str(error)) from error
            raise
        except BaseException:
            self._rollback()
            raise

    def serialize(self, tx: Transaction) -> None:
        """Write transactions (BEGIN IMMEDIATE) already exclude each other."""

    def _rollback(self) -> None:
        if self._connection.in_transaction:
            self._connection.execute("ROLLBACK")

    def integrity_check(self) -> str:
        row = self._connection.execute("PRAGMA integrity_check").fetchone()
        return str(row[0])

    def close(self) -> None:
        self._connection.close()


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

    def __init__(self, url: str, *, lock_timeout_ms: int = 5000) -> None:
        import psycopg

        self._psycopg = psycopg
        self._url = url
        self._lock_timeout_ms = lock_timeout_ms
        self._connection = self._connect()

    def _connect(self) -> Any:
        from psycopg.rows import dict_row

        connection = self._psycopg.connect(
            self._url, autocommit=True, row_factory=dict_row
        )
        connection.execute(f"SET lock_timeout = {int(self._lock_timeout_ms)}")
        return connection

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[_PostgresTransaction]:
        errors = self._psycopg.errors
        busy = (
            errors.LockNotAvailable,
            errors.DeadlockDetected,
            errors.SerializationFailure,
        )
        if self._connection.closed or self._connection.broken:
            # The server restarted or the network dropped: a new connection, not a 500
            # on every request from now on. (The request that met the break failed.)
            self._connection = self._connect()
        try:
            with self._connection.transaction():
                yield _PostgresTransaction(self._connection)
        except busy as error:
            raise StorageBusy(str(error)) from error

    def serialize(self, tx: Transaction) -> None:
        tx.execute(f"SELECT pg_advisory_xact_lock({_STARTUP_LOCK})")

    def close(self) -> None:
        self._connection.close()


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
