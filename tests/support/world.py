"""A running Organizations server with a crowd of fresh accounts, on SQLite or PostgreSQL.

Tests of the handshake rules (`/work/shared/spec/handshakes.md`) share one server per module
and engine and stay independent by never reusing an account: `World.account()` hands out an
account nobody has touched yet (standalone, no handshakes), `World.organization()` a fresh
management account with its new organization (and, on request, members that joined by
invitation).

Engines: every server fixture here is parametrized over ``sqlite`` (a temporary file) and
``postgresql`` (a fresh database per server, created on ``BOTOGEN_TEST_POSTGRES_URL`` or on
``postgresql://postgres@127.0.0.1:5432/postgres`` and dropped afterwards). The PostgreSQL
variants skip, saying how to enable them, when no server is reachable.

The business clock: a world started with ``clock=True`` passes ``--clock-file``; the test
moves "now" with ``world.clock.set(instant)`` (an empty file means the wall clock).

All credentials here are dummies and every client points at the loopback server.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support.databases import ENGINES, fresh_database
from support.server import Server, running_server

UTC = timezone.utc
MS = timedelta(milliseconds=1)


#: How many dummy accounts every test server knows. Each test takes fresh ones; the rule
#: tests of one module need up to about 250 on the shared server (test_check_order:
#: five per implemented operation).
ACCOUNT_COUNT = 400
#: How many the shared server of the whole run (`world`) knows: the tests of every
#: module that uses it take theirs from it.
SHARED_ACCOUNT_COUNT = 6000


def dummy_accounts(count: int = ACCOUNT_COUNT) -> list[dict[str, str]]:
    """Accounts 900000000001, 900000000002, ... with obviously fake keys."""
    return [
        {
            "id": f"9{n:011d}",
            "name": f"Test Account {n:03d}",
            "email": f"account{n:03d}@example.com",
            "access_key_id": f"AKIATESTWORLD{n:04d}",
            "secret_access_key": f"test-secret-world-{n:04d}",
        }
        for n in range(1, count + 1)
    ]


# -- errors -------------------------------------------------------------------------------


def fails_with(code: str, call: Callable[..., Any], /, **params: Any) -> dict[str, Any]:
    """Calls ``call(**params)``, expects a ClientError with ``code``; returns its response
    (``["Error"]["Code"]``, ``["Error"]["Message"]``, and modeled members such as
    ``["Reason"]`` at the top level, as botocore parses them)."""
    try:
        result = call(**params)
    except ClientError as error:
        response: dict[str, Any] = error.response
        got = response["Error"].get("Code")
        assert got == code, f"expected {code}, got {got}: {response['Error']}"
        return response
    raise AssertionError(f"expected {code}, but the call succeeded: {result!r}")


# -- the business clock ---------------------------------------------------------------------


def iso(instant: datetime) -> str:
    """``2031-05-06T07:08:09.123Z``: ISO 8601, UTC, milliseconds."""
    return (
        instant.astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


@dataclass
class Clock:
    """The file a server reads "now" from on every request."""

    path: Path

    def set(self, instant: datetime) -> datetime:
        assert instant.tzinfo is not None, "give the clock an aware datetime"
        self.path.write_text(iso(instant) + "\n")
        return instant

    def advance(self, by: timedelta) -> datetime:
        return self.set(self.now() + by)

    def now(self) -> datetime:
        text = self.path.read_text().strip() if self.path.exists() else ""
        if not text:
            return datetime.now(UTC)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    def wall(self) -> None:
        """Back to the wall clock."""
        self.path.write_text("")


def fresh_instants(start: datetime, step: timedelta) -> Callable[[World], datetime]:
    """`fresh_instant(world)`, which sets the world's business clock to `start + step`,
    then `start + 2 * step`, ...: each call an instant no earlier call of it used."""
    count = itertools.count(1)

    def fresh_instant(world: World) -> datetime:
        return world.clock.set(start + step * next(count))

    return fresh_instant


# -- actors ---------------------------------------------------------------------------------


class LazyClient:
    """A boto3 client made on its first use: making one costs about 10 ms, and many
    test accounts never call the API themselves (they are invited, moved, named)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            self._client = self._make()
        return getattr(self._client, name)


@dataclass
class Actor:
    """One account of the server, with a boto3 client signed by its keys."""

    id: str
    name: str
    email: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    client: Any = field(repr=False, default=None)

    def target(self, by: str = "ACCOUNT") -> dict[str, str]:
        """This account as an invitation target: by account id or by email address."""
        return {"Type": by, "Id": self.id if by == "ACCOUNT" else self.email}


@dataclass
class Org:
    """An organization created by a fresh management account during a test."""

    id: str
    arn: str
    feature_set: str
    manager: Actor
    members: list[Actor]

    @property
    def party(self) -> dict[str, str]:
        return {"Id": self.id, "Type": "ORGANIZATION"}


@functools.cache
def _boto3_session() -> boto3.session.Session:
    # One session: the service model is loaded once, so a client costs a few milliseconds.
    return boto3.session.Session()


class World:
    """A running server plus the bookkeeping that keeps tests apart."""

    def __init__(
        self,
        server: Server,
        accounts: list[dict[str, str]],
        clock: Clock | None,
        db: str | None = None,
    ) -> None:
        self.server = server
        self.url = server.url
        #: The server's ``--db`` (a SQLite path or a PostgreSQL URL), for tests that read
        #: or change the stored state directly (`open_store`).
        self.db = db
        self._unused = list(accounts)
        self._count = len(accounts)
        self._clock = clock

    @property
    def clock(self) -> Clock:
        assert self._clock is not None, "this world was started without --clock-file"
        return self._clock

    def rows(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """What `sql` reads from the server's database (`open_store`), as dicts."""
        assert self.db is not None, "this world was started without a --db"
        with open_store(self.db) as database:
            with database.transaction(write=False) as tx:
                return [dict(row) for row in tx.all(sql, params)]

    def execute(self, sql: str, *params: Any) -> None:
        """Runs `sql` on the server's database (`open_store`), in a transaction of its
        own."""
        assert self.db is not None, "this world was started without a --db"
        with open_store(self.db) as database:
            with database.transaction() as tx:
                tx.execute(sql, params)

    def client(self, actor: Actor, **config: Any) -> Any:
        """A boto3 Organizations client for ``actor``; no retries unless asked for."""
        options: dict[str, Any] = {"retries": {"total_max_attempts": 1}}
        options.update(config)
        return self.client_for_keys(
            actor.access_key_id, actor.secret_access_key, **options
        )

    def client_for_keys(self, key: str, secret: str, **config: Any) -> Any:
        return _boto3_session().client(
            "organizations",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(**config),
        )

    # -- fresh accounts and organizations ------------------------------------------------

    def account(self) -> Actor:
        """An account no test has used: standalone, with no handshakes."""
        if not self._unused:
            raise RuntimeError(
                f"all {self._count} test accounts are used: raise ACCOUNT_COUNT"
                " (SHARED_ACCOUNT_COUNT for `world`)"
            )
        entry = self._unused.pop(0)
        actor = Actor(**entry)
        actor.client = LazyClient(lambda: self.client(actor))
        return actor

    def accounts(self, count: int) -> list[Actor]:
        return [self.account() for _ in range(count)]

    def organization(self, feature_set: str = "ALL", members: int = 0) -> Org:
        """A fresh management account and its new organization; ``members`` fresh
        accounts invited and accepted (so they joined by invitation)."""
        manager = self.account()
        created = manager.client.create_organization(FeatureSet=feature_set)
        described = created["Organization"]
        org = Org(described["Id"], described["Arn"], feature_set, manager, [])
        for _ in range(members):
            self.join(org, self.account())
        return org

    def invite(
        self,
        org: Org,
        target: Actor,
        *,
        by: str = "ACCOUNT",
        notes: str | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """The manager invites ``target``; returns the new handshake."""
        params: dict[str, Any] = {"Target": target.target(by)}
        if notes is not None:
            params["Notes"] = notes
        if tags is not None:
            params["Tags"] = tags
        handshake: dict[str, Any] = org.manager.client.invite_account_to_organization(
            **params
        )["Handshake"]
        return handshake

    def join(self, org: Org, member: Actor) -> dict[str, Any]:
        """Invite and accept: ``member`` joins ``org``."""
        handshake = self.invite(org, member)
        accepted: dict[str, Any] = member.client.accept_handshake(
            HandshakeId=handshake["Id"]
        )["Handshake"]
        org.members.append(member)
        return accepted


# -- reading helpers ------------------------------------------------------------------------


def describe(actor: Actor, handshake_id: str) -> dict[str, Any]:
    result: dict[str, Any] = actor.client.describe_handshake(HandshakeId=handshake_id)
    return result["Handshake"]  # type: ignore[no-any-return]


def all_pages(call: Callable[..., Any], **params: Any) -> list[dict[str, Any]]:
    """Every handshake of a ListHandshakesFor* call, following NextToken to the end."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    for _ in range(1000):
        page = call(**params, **({"NextToken": token} if token else {}))
        found.extend(page["Handshakes"])
        token = page.get("NextToken")
        if not token:
            return found
    raise AssertionError("paging did not end after 1000 pages")


def received(actor: Actor, **params: Any) -> dict[str, dict[str, Any]]:
    """ListHandshakesForAccount, all pages, by handshake id."""
    return {
        h["Id"]: h
        for h in all_pages(actor.client.list_handshakes_for_account, **params)
    }


def sent(org: Org, **params: Any) -> dict[str, dict[str, Any]]:
    """ListHandshakesForOrganization by the management account, all pages, by id."""
    call = org.manager.client.list_handshakes_for_organization
    return {h["Id"]: h for h in all_pages(call, **params)}


# -- servers --------------------------------------------------------------------------------


@contextmanager
def serving(
    folder: Path,
    engine: str,
    *flags: str,
    clock: bool = False,
    accounts: list[dict[str, str]] | None = None,
) -> Iterator[World]:
    """`botogen serve` on a fresh database of ``engine`` with the dummy accounts."""
    entries = dummy_accounts() if accounts is None else accounts
    accounts_file = folder / "accounts.json"
    accounts_file.write_text(json.dumps({"accounts": entries}))
    clock_args: list[str] = []
    the_clock: Clock | None = None
    if clock:
        the_clock = Clock(folder / "clock.txt")
        the_clock.wall()
        clock_args = ["--clock-file", str(the_clock.path)]
    with fresh_database(engine, folder) as db:
        args = ["--accounts", str(accounts_file), "--db", db, *clock_args, *flags]
        with running_server(folder, *args) as server:
            yield World(server, entries, the_clock, db)


@contextmanager
def open_store(db: str) -> Iterator[Any]:
    """The Organizations database ``db`` opened in this process (its migrations applied),
    to read or change what a server stores through ``handlers.organizations.store``."""
    from handlers.organizations import SERVICE
    from runtime.database import open_database

    database = open_database(db, SERVICE.migrations)
    try:
        yield database
    finally:
        database.close()


@dataclass
class InProcess:
    """The Organizations handlers without a server, built as `botogen serve` builds
    them (`runtime.assemble`): call an operation as ``handler.describe_handshake(
    context(account_id), request)``."""

    handler: Any
    database: Any

    @staticmethod
    def context(account_id: str) -> Any:
        from runtime.context import RequestContext

        return RequestContext(
            account_id, f"arn:aws:iam::{account_id}:root", "us-east-1", "test-request"
        )


@contextmanager
def in_process(
    db: str,
    accounts: list[dict[str, Any]],
    seed: dict[str, Any] | None = None,
    **settings: Any,
) -> Iterator[InProcess]:
    """The handlers on ``db`` with ``accounts`` (and a seed, and settings), started."""
    from generated.organizations import SERVICE as MODEL
    from handlers.organizations import SERVICE
    from runtime.accounts import accounts_from
    from runtime.handler import Environment

    with open_store(db) as database:
        environment = Environment(
            database,
            accounts_from({"accounts": accounts}, "accounts"),
            SERVICE.settings(**settings),
            SERVICE.errors(MODEL),
        )
        handler = SERVICE.handlers(environment)
        with database.transaction() as tx:
            database.serialize(tx)
            handler.start(tx)
            if seed is not None:
                handler.load_seed(tx, seed)
        yield InProcess(handler, database)


# -- fixtures (import them into a test module to use them) ------------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Every server fixture below runs once per storage engine."""
    return str(request.param)


class SharedWorlds:
    """One server per engine for the whole run, started the first time a module asks
    for it (`world`; conftest.py's `shared_worlds` fixture holds them). Four threads: on PostgreSQL it holds at most eight connections
    while the rest of the run starts servers of its own (PostgreSQL allows 100 clients
    by default)."""

    def __init__(self, folder: Path, stack: ExitStack) -> None:
        self._folder = folder
        self._stack = stack
        self._worlds: dict[str, World] = {}

    def get(self, engine: str) -> World:
        if engine not in self._worlds:
            folder = self._folder / engine
            folder.mkdir()
            self._worlds[engine] = self._stack.enter_context(
                serving(folder, engine, accounts=dummy_accounts(SHARED_ACCOUNT_COUNT))
            )
        return self._worlds[engine]


@pytest.fixture(scope="module")
def world(engine: str, shared_worlds: SharedWorlds) -> World:
    """The shared server of the whole run, of the module's engine: default flags, wall
    clock. Tests of every module keep apart by taking fresh accounts
    (`World.account()`), so it is started once rather than once per module."""
    return shared_worlds.get(engine)


@pytest.fixture(scope="module")
def clock_world(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A server whose "now" the tests set (``clock_world.clock.set(...)``)."""
    folder = tmp_path_factory.mktemp(f"clock-world-{engine}")
    with serving(folder, engine, clock=True) as running:
        yield running


#: The organization account limit of `limited_world` (R19).
SMALL_ACCOUNT_LIMIT = 3


@pytest.fixture(scope="module")
def limited_world(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A server with ``--account-limit 3``."""
    folder = tmp_path_factory.mktemp(f"limited-world-{engine}")
    with serving(
        folder, engine, "--account-limit", str(SMALL_ACCOUNT_LIMIT)
    ) as running:
        yield running


#: Requests per second and account allowed by `throttled_world` (R14).
RATE_LIMIT = 5


@pytest.fixture(scope="module")
def throttled_world(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A server with ``--rate-limit 5``."""
    folder = tmp_path_factory.mktemp(f"throttled-world-{engine}")
    with serving(folder, engine, "--rate-limit", str(RATE_LIMIT)) as running:
        yield running
