"""Putting a served service together: package + definition + options → an ASGI `App`.

`botogen serve` calls `assemble` once per server process (after a fork, so each process
has its own connections); tests can call it in-process. Steps: settings (defaults, then
the layers given), the service's error policy, the database with its migrations, the
handler, the start-up work and the seed in one serialised transaction, the signers (the
known accounts; provisionable ones once the handler says they exist), the protocol, the
pipeline, the test-control API when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from runtime.accounts import DEVELOPMENT_ACCOUNTS, Accounts, Signers
from runtime.admin import Admin
from runtime.app import App
from runtime.clock import FileClock, wall_clock
from runtime.database import Database, open_database
from runtime.handler import Environment, ServiceHandler
from runtime.jsonproto import AwsJsonProtocol
from runtime.packages import skeleton_of
from runtime.pipeline import Pipeline
from runtime.service import ServiceDefinition, build_settings
from runtime.throttle import RateLimiter


@dataclass(frozen=True)
class ServeOptions:
    """What a served service is built from (the command line fills it)."""

    #: SQLite file path or postgresql:// URL (None: the definition's default).
    db: str | None = None
    accounts: Accounts = DEVELOPMENT_ACCOUNTS
    #: A parsed seed document (its `accounts` must already be in `accounts`).
    seed: Mapping[str, Any] | None = None
    #: Setting layers, later ones winning (a config file's, the command line's).
    settings: tuple[Mapping[str, Any], ...] = ()
    #: The business clock's file (None: the wall clock).
    clock_file: str | None = None
    #: Requests per second per account (0: unlimited).
    rate_limit: float = 0
    admin: bool = False
    threads: int = 16
    max_body: int = 8 * 1024 * 1024
    #: Facts for the health answer.
    health: Mapping[str, Any] = field(default_factory=dict)


def make_handler(cls: type, environment: Environment) -> object:
    """`cls(environment)` for a `ServiceHandler`, else `cls()` (a bare skeleton)."""
    if issubclass(cls, ServiceHandler):
        return cls(environment)
    return cls()


def database_target(definition: ServiceDefinition, options: ServeOptions) -> str | None:
    """Where the service keeps its state: `options.db`, else the definition's default,
    else `botogen.sqlite3` (None: the service keeps no state)."""
    if not definition.stateful:
        return None
    return options.db or definition.default_db or "botogen.sqlite3"


def assemble(
    package: ModuleType, definition: ServiceDefinition, options: ServeOptions
) -> App:
    """The ASGI app serving `package` (a generated service package) with `definition`."""
    settings = build_settings(definition.settings, *options.settings)
    errors = definition.errors(package.SERVICE)
    database: Database | None = None
    target = database_target(definition, options)
    if target is not None:
        database = open_database(target, definition.migrations)
    clock_file = FileClock(options.clock_file) if options.clock_file else None
    clock = clock_file or wall_clock
    environment = Environment(database, options.accounts, settings, errors, clock)
    handler = make_handler(definition.handlers, environment)
    seed = dict(options.seed) if options.seed else None
    signers = Signers(
        options.accounts,
        handler.signs if isinstance(handler, ServiceHandler) else None,
    )

    def start(clear: bool = False) -> None:
        if database is None or not isinstance(handler, ServiceHandler):
            return
        with database.transaction() as tx:
            database.serialize(tx)  # processes starting together take turns
            if clear:
                database.clear(tx)
            handler.start(tx)
            if seed is not None:
                try:
                    handler.load_seed(tx, seed)
                except (KeyError, IndexError, TypeError, AttributeError) as error:
                    # A document of another shape than the service's loader reads (an
                    # entry without a member, a number where a list goes): one line,
                    # as its ValueErrors that name the entry are.
                    raise ValueError(
                        f"seed: not in the shape the service reads "
                        f"({type(error).__name__}: {error})"
                    ) from error
        signers.forget()

    start()
    pipeline = Pipeline(
        protocol=AwsJsonProtocol(package.SERVICE, dict(package.OPERATIONS)),
        operations=package.OPERATIONS,
        handler=handler,
        signers=signers,
        errors=errors,
        signing_name=package.SERVICE.signing_name,
        limiter=RateLimiter(options.rate_limit) if options.rate_limit > 0 else None,
    )
    admin = None
    if options.admin:
        skeleton = skeleton_of(package)
        implemented = sum(
            getattr(type(handler), operation.method)
            is not getattr(skeleton, operation.method)
            for operation in package.OPERATIONS.values()
        )
        admin = Admin(
            health={
                "service": definition.name,
                **options.health,
                "implemented": implemented,
            },
            reset=lambda: start(clear=True),
            clock=clock_file,
            now=clock,
        )
    return App(
        pipeline, max_body=options.max_body, threads=options.threads, admin=admin
    )
