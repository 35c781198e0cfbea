"""The base of hand-written handlers: the plumbing every stateful service needs.

A service's handler class subclasses `ServiceHandler` and the generated skeleton
(`class Handlers(ServiceHandler, SqsSkeleton)`), and overrides the operations it
implements. What it inherits from here:

- `self.db`, `self.settings`, `self.accounts`, `self.errors` (the service's `ErrorPolicy`);
- `transaction(write)`: one database transaction; a lock that cannot be had becomes the
  service's `errors.busy()` answer, never a 500;
- `now()` / `now_ms()`: the business clock (a file or the test-control API can move it);
- `page_position(binding, token)` / `page_token(binding, position)`: opaque,
  tamper-evident page tokens bound to what they page (`runtime.pagination`); a token that
  is not ours for `binding` is the service's `errors.invalid_token()`.

And the hooks the runtime calls, each with a default:

- `start(tx)`: start-up work in one serialised transaction (register the accounts the
  service must know, defaults); run again after a reset by the test-control API;
- `load_seed(tx, document)`: load a `--seed` document (fixed ids and timestamps);
- `signs(account)`: whether a provisionable account (`runtime.accounts`) exists by now, so
  its keys may sign.

Handlers run on worker threads, several at once: they keep no per-request state on `self`
and share only what is safe across threads (the database hands each thread its own
connection). A handler class whose methods wait for nothing but the database may say so
(`waits_only_on_storage = True`): its requests then run first where nothing may wait (on
SQLite on the event loop itself, on PostgreSQL on the readers' threads), and a request
that would wait for a lock (or, on PostgreSQL, needs to write) is moved to the writers'
threads before it has changed anything (`runtime.database.never_waiting`). Such a
handler keeps each operation's changes in one write transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from runtime.accounts import Account, Accounts
from runtime.clock import Clock, to_millis, wall_clock
from runtime.database import Database, StorageBusy, Transaction, meta
from runtime.pagination import BadToken, TokenSigner
from runtime.service import ErrorPolicy, Settings

__all__ = ["Environment", "ServiceHandler"]


@dataclass(frozen=True)
class Environment:
    """What the runtime hands a service's handlers when it builds them."""

    database: Database | None
    #: Every account the server knows (the accounts file, the seed's).
    accounts: Accounts
    settings: Settings
    errors: ErrorPolicy
    clock: Clock = wall_clock


class ServiceHandler:
    """Plumbing for hand-written handlers (see the module docstring)."""

    #: True when the methods wait for nothing but `self.db` (no sleeps, no network).
    waits_only_on_storage: ClassVar[bool] = False

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.settings: Any = environment.settings
        self.accounts = environment.accounts
        self.errors = environment.errors
        self.clock = environment.clock
        self._db = environment.database
        if self._db is not None:
            secret = meta(self._db, "page-token-secret", secrets.token_hex(32))
            self._tokens = TokenSigner(bytes.fromhex(secret))
        else:
            self._tokens = TokenSigner(secrets.token_bytes(32))

    # -- hooks ------------------------------------------------------------------------------

    def start(self, tx: Transaction) -> None:
        """Start-up work, in one transaction serialised across processes."""

    def load_seed(self, tx: Transaction, document: dict[str, Any]) -> None:
        """Load fixed state from a seed document (its `accounts` are the runtime's)."""
        extra = sorted(set(document) - {"accounts"})
        if extra:
            raise ValueError(f"this service takes no seed data ({', '.join(extra)})")

    def signs(self, account: Account) -> bool:
        """Whether the provisionable `account` exists by now (its keys may sign)."""
        return False

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def reads_first(self) -> bool:
        """Whether requests run first where nothing may wait (module docstring)."""
        return self.waits_only_on_storage and self._db is not None

    @property
    def reads_inline(self) -> bool:
        """Whether that first run may be on the event loop (transactions that need not
        wait cost only CPU)."""
        return self.reads_first and self.db.inline_reads

    @property
    def writes_serial(self) -> bool:
        """Whether the requests that reads-first moves on write one at a time anyway
        (SQLite has one writer): then one thread serves them, without contention."""
        return self.reads_first and self.db.serial_writes

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError(f"{type(self).__name__}: this service keeps no state")
        return self._db

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Transaction]:
        """One transaction; a lock that cannot be had is the service's busy answer."""
        try:
            with self.db.transaction(write) as tx:
                yield tx
        except StorageBusy:
            raise self.errors.busy() from None

    def now(self) -> datetime:
        return self.clock()

    def now_ms(self) -> int:
        """The business clock in epoch milliseconds (AWS's precision)."""
        return to_millis(self.clock())

    def page_position(self, binding: str, token: str | None) -> Any:
        """Where the page that `token` asks for starts (None: the first page)."""
        if token is None:
            return None
        try:
            return self._tokens.read(binding, token)
        except BadToken:
            raise self.errors.invalid_token() from None

    def page_token(self, binding: str, position: Any) -> str:
        """A token for the page starting after `position` (JSON-serialisable)."""
        return self._tokens.issue(binding, position)
