"""The storage engines: migrations, busy writers, a PostgreSQL connection that breaks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.database import Database, StorageBusy, open_database
from support.databases import ENGINES, fresh_database, postgres_admin_url

MIGRATIONS = ["CREATE TABLE t (x INTEGER)", "ALTER TABLE t ADD COLUMN y INTEGER"]


@pytest.fixture(params=ENGINES)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(str(request.param), tmp_path) as db:
        yield db


def test_migrations_apply_once_in_order(target: str) -> None:
    first = open_database(target, MIGRATIONS)
    with first.transaction() as tx:
        tx.execute("INSERT INTO t (x, y) VALUES (?, ?)", (1, 2))
    first.close()
    again: Database = open_database(target, MIGRATIONS)  # nothing to apply twice
    with again.transaction(write=False) as tx:
        assert [dict(row) for row in tx.all("SELECT x, y FROM t")] == [{"x": 1, "y": 2}]
        versions = [
            row["version"] for row in tx.all("SELECT version FROM schema_migrations")
        ]
    assert sorted(versions) == [1, 2]
    again.close()


def test_a_failed_transaction_leaves_nothing(target: str) -> None:
    db = open_database(target, MIGRATIONS)
    with pytest.raises(RuntimeError):
        with db.transaction() as tx:
            tx.execute("INSERT INTO t (x) VALUES (?)", (1,))
            raise RuntimeError("a business rule said no")
    with db.transaction(write=False) as tx:
        row = tx.one("SELECT COUNT(*) AS n FROM t")
    assert row is not None and row["n"] == 0
    db.close()


def test_sqlite_writer_waiting_past_its_timeout_is_busy(tmp_path: Path) -> None:
    path = str(tmp_path / "db.sqlite3")
    waiting = open_database(path, MIGRATIONS, busy_timeout_ms=100)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageBusy):
            with waiting.transaction() as tx:
                tx.execute("INSERT INTO t (x) VALUES (1)")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_postgres_reconnects_after_the_connection_breaks(tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url:
        import psycopg

        db = open_database(url, MIGRATIONS)
        with db.transaction() as tx:
            tx.execute("INSERT INTO t (x) VALUES (1)")
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(postgres_admin_url(), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
        with pytest.raises(
            psycopg.OperationalError
        ):  # the request that meets the break
            with db.transaction(write=False) as tx:
                tx.one("SELECT 1")
        with db.transaction(write=False) as tx:  # and the next one is served again
            row = tx.one("SELECT COUNT(*) AS n FROM t")
        assert row is not None and row["n"] == 1
        db.close()


def _open_at_once(path: str, barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    open_database(path, MIGRATIONS).close()


def test_processes_opening_a_new_sqlite_file_together_all_start(tmp_path: Path) -> None:
    """Switching a new file to WAL takes a lock SQLite does not wait for: server
    processes starting together (`--workers N`) must each open it, not die of
    "database is locked"."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for attempt in range(20):
        path = str(tmp_path / f"new-{attempt}.sqlite3")
        barrier = context.Barrier(6)
        processes = [
            context.Process(target=_open_at_once, args=(path, barrier))
            for _ in range(6)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(30)
        assert [p.exitcode for p in processes] == [0] * 6
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
