"""Databases for server tests: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL runs where a server is reachable (127.0.0.1:5432, trust auth, as on the team's
machines, or `$BOTOGEN_TEST_POSTGRES_URL`); elsewhere its variants skip, saying how to
enable them.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ENGINES = ("sqlite", "postgresql")
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL_VARIABLE = "BOTOGEN_TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    return os.environ.get(POSTGRES_URL_VARIABLE) or DEFAULT_POSTGRES_URL


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


_ENABLE_POSTGRES = (
    "start PostgreSQL on 127.0.0.1:5432 with trust authentication for user 'postgres', "
    f"or set {POSTGRES_URL_VARIABLE} to the URL of a server where you may create "
    "databases (e.g. postgresql://user:password@host:5432/postgres)"
)


@functools.cache
def postgres_unavailable() -> str | None:
    """Why the PostgreSQL variants cannot run here, or None when they can."""
    url = postgres_admin_url()
    try:
        import psycopg
    except ImportError:
        return (
            "psycopg is not installed (pip install 'psycopg[binary]'); "
            f"then {_ENABLE_POSTGRES}"
        )
    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as connection:
            connection.execute("SELECT 1")
    except Exception as error:  # any failure to connect means: skip, and say why
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return (
            f"PostgreSQL is not reachable at {_without_password(url)} "
            f"({type(error).__name__}: {first_line}); to run these tests, {_ENABLE_POSTGRES}"
        )
    return None


@contextmanager
def fresh_database(engine: str, folder: Path) -> Iterator[str]:
    """The ``--db`` value for a new, empty database of ``engine``; removed afterwards."""
    if engine == "sqlite":
        yield str(folder / "botogen.sqlite3")
        return
    assert engine == "postgresql", engine
    reason = postgres_unavailable()
    if reason is not None:
        pytest.skip(reason)
    import psycopg

    admin_url = postgres_admin_url()
    name = f"botogen_{secrets.token_hex(6)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
