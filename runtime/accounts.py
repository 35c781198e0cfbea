"""The accounts a server knows, and the access keys that identify their callers.

A request's account is decided by the access key in its verified SigV4 signature
(`runtime.sigv4.verify`), never by a header the client is free to set. This module holds
the registry that verification looks keys up in.

A server started with ``--accounts FILE`` reads that file with `load_accounts`::

    {"accounts": [
        {"id": "111111111111", "name": "Master Account", "email": "bill@example.com",
         "access_key_id": "AKIDBILL1111EXAMPLE", "secret_access_key": "bill-secret-key-example"}
    ]}

Without it the server uses `DEVELOPMENT_ACCOUNTS`, a fixed set of obviously fake
credentials for local development and tests. **Never use them for anything real**:
they are published right here.

=============  ================  ==================  ===================  ==========================
account id     name              email               access key id        secret access key
=============  ================  ==================  ===================  ==========================
111111111111   Master Account    bill@example.com    AKIDBILL1111EXAMPLE  bill-secret-key-example
222222222222   Susan             susan@example.com   AKIDSUSAN222EXAMPLE  susan-secret-key-example
333333333333   Juan              juan@example.com    AKIDJUAN3333EXAMPLE  juan-secret-key-example
=============  ================  ==================  ===================  ==========================

An entry may say ``"provisionable": true``: that account does not exist yet. Its keys are
unknown to signature checks until the service says the account exists (say, once the
service's account-creating operation succeeded and gave it that id). `Signers` is the
registry requests are verified against: the accounts, with provisionable ones switched on
by the service (`runtime.handler.ServiceHandler.signs`).

To act as Bill (the development "management account") with the AWS CLI or boto3::

    export AWS_ACCESS_KEY_ID=AKIDBILL1111EXAMPLE
    export AWS_SECRET_ACCESS_KEY=bill-secret-key-example
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from runtime.jsonfile import read_object

__all__ = ["Account", "Accounts", "DEVELOPMENT_ACCOUNTS", "Signers", "load_accounts"]

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
#: An access key id ends up inside `Credential=<key>/<date>/...` of the Authorization
#: header, so it may not contain the characters that delimit that header.
_ACCESS_KEY_ID = re.compile(r"[^\s/,=]+")


@dataclass(frozen=True, slots=True)
class Account:
    """One account and the single long-term access key of its root principal.

    The secret never shows in ``repr`` (and so never in logs or tracebacks that print
    the account).
    """

    id: str
    name: str
    email: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    #: Not created yet: its keys sign only once the service says it exists.
    provisionable: bool = False

    def __post_init__(self) -> None:
        problem = _problem({name: getattr(self, name) for name in _FIELDS})
        if problem is None and not isinstance(self.provisionable, bool):
            problem = "'provisionable' must be true or false"
        if problem is not None:
            raise ValueError(f"account {self.id!r}: {problem}")


def _problem(values: Mapping[str, object]) -> str | None:
    """What is wrong with an account's field values, or None.

    Never quotes the secret's value.
    """
    for name, value in values.items():
        if not isinstance(value, str):
            return f"{name!r} must be a string, not {type(value).__name__}"
        if not value.strip():
            return f"{name!r} must not be empty"
    account_id = values["id"]
    key = values["access_key_id"]
    assert isinstance(account_id, str) and isinstance(key, str)
    if not _ACCOUNT_ID.fullmatch(account_id):
        return f"'id' must be exactly 12 digits, not {account_id!r}"
    if not _ACCESS_KEY_ID.fullmatch(key):
        return (
            f"'access_key_id' may not contain whitespace, '/', ',' or '=', not {key!r}"
        )
    return None


class Accounts:
    """An immutable registry of accounts, looked up by access key id or account id.

    Construction rejects two accounts with the same id or the same access key id.
    """

    __slots__ = ("_accounts", "_by_id", "_by_key")

    _accounts: tuple[Account, ...]
    _by_id: MappingProxyType[str, Account]
    _by_key: MappingProxyType[str, Account]

    def __init__(self, accounts: Iterable[Account]) -> None:
        listed = tuple(accounts)
        by_id: dict[str, Account] = {}
        by_key: dict[str, Account] = {}
        for account in listed:
            if not isinstance(account, Account):
                raise TypeError(f"expected Account, got {type(account).__name__}")
            if account.id in by_id:
                raise ValueError(f"duplicate account id {account.id!r}")
            if account.access_key_id in by_key:
                raise ValueError(
                    f"duplicate access key id {account.access_key_id!r} "
                    f"(accounts {by_key[account.access_key_id].id!r} and {account.id!r})"
                )
            by_id[account.id] = account
            by_key[account.access_key_id] = account
        object.__setattr__(self, "_accounts", listed)
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(self, "_by_key", MappingProxyType(by_key))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def by_access_key(self, access_key_id: str) -> Account | None:
        """The account whose access key id is ``access_key_id``, or None."""
        return self._by_key.get(access_key_id)

    def by_id(self, account_id: str) -> Account | None:
        """The account with id ``account_id``, or None."""
        return self._by_id.get(account_id)

    def __iter__(self) -> Iterator[Account]:
        return iter(self._accounts)

    def __len__(self) -> int:
        return len(self._accounts)

    def __repr__(self) -> str:
        ids = ", ".join(a.id for a in self._accounts)
        return f"Accounts([{ids}])"


#: The fields every entry must have (all strings); `provisionable` is optional.
_FIELDS: Final = ("id", "name", "email", "access_key_id", "secret_access_key")
_OPTIONAL: Final = ("provisionable",)


def load_accounts(path: str | Path) -> Accounts:
    """Read an accounts file (see the module docstring for its format).

    Raises ValueError naming the file and the offending entry when the file is not JSON,
    lacks the ``accounts`` list, has an entry with a missing, unknown, empty or
    ill-formed field, or repeats an account id or access key id. Error messages never
    contain a secret access key.
    """
    document = read_object(path, "the accounts file", 'an object {"accounts": [...]}')
    extra = sorted(set(document) - {"accounts"})
    if extra:
        raise ValueError(
            f"{path}: unknown top-level field(s) {', '.join(map(repr, extra))}"
        )
    return accounts_from(document, path)


def accounts_from(document: Any, path: str | Path) -> Accounts:
    """The accounts of a parsed `{"accounts": [...]}` document (an accounts file, or a
    seed, which has other fields too); errors name `path` and the entry."""
    if not isinstance(document, dict) or not isinstance(document.get("accounts"), list):
        raise ValueError(f'{path}: expected an object {{"accounts": [...]}}')
    entries: list[Any] = document["accounts"]
    if not entries:
        raise ValueError(f"{path}: 'accounts' is empty; at least one account is needed")

    accounts: list[Account] = []
    seen_ids: dict[str, int] = {}
    seen_keys: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = f"{path}: accounts[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected an object, got {type(entry).__name__}")
        if isinstance(entry.get("id"), str):
            where += f" (id {entry['id']!r})"
        missing = [name for name in _FIELDS if name not in entry]
        if missing:
            raise ValueError(
                f"{where}: missing required field(s) {', '.join(map(repr, missing))}"
            )
        unknown = sorted(set(entry) - set(_FIELDS) - set(_OPTIONAL))
        if unknown:
            raise ValueError(
                f"{where}: unknown field(s) {', '.join(map(repr, unknown))}"
            )
        values = {name: entry[name] for name in _FIELDS}
        problem = _problem(values)
        provisionable = entry.get("provisionable", False)
        if problem is None and not isinstance(provisionable, bool):
            problem = "'provisionable' must be true or false"
        if problem is not None:
            raise ValueError(f"{where}: {problem}")
        account = Account(**values, provisionable=provisionable)
        if account.id in seen_ids:
            raise ValueError(
                f"{where}: duplicate account id {account.id!r} "
                f"(also accounts[{seen_ids[account.id]}])"
            )
        if account.access_key_id in seen_keys:
            raise ValueError(
                f"{where}: duplicate access_key_id {account.access_key_id!r} "
                f"(also accounts[{seen_keys[account.access_key_id]}])"
            )
        seen_ids[account.id] = index
        seen_keys[account.access_key_id] = index
        accounts.append(account)
    return Accounts(accounts)


class Signers:
    """The accounts whose keys may sign requests right now.

    Every account of `accounts` signs, except provisionable ones: those sign once
    `provisioned(account)` (the service's answer) is true, and from then on (an account
    is never un-created; only a reset of all state, `forget`, starts over). Only keys of the registry reach `provisioned`, so nothing an
    unauthenticated client sends grows the set it remembers. Safe for several threads.
    """

    def __init__(
        self,
        accounts: Accounts,
        provisioned: Callable[[Account], bool] | None = None,
    ) -> None:
        self.accounts = accounts
        self._provisioned = provisioned
        self._active: set[str] = set()
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Ask the service again (its state was reset: created accounts are gone)."""
        with self._lock:
            self._active.clear()

    def by_access_key(self, access_key_id: str) -> Account | None:
        """The account that `access_key_id` belongs to, if that account may sign."""
        account = self.accounts.by_access_key(access_key_id)
        if account is None or not account.provisionable:
            return account
        if access_key_id in self._active:
            return account
        if self._provisioned is None or not self._provisioned(account):
            return None
        with self._lock:
            self._active.add(access_key_id)
        return account


#: The built-in development accounts (table in the module docstring). Fake and public.
DEVELOPMENT_ACCOUNTS: Final = Accounts(
    [
        Account(
            id="111111111111",
            name="Master Account",
            email="bill@example.com",
            access_key_id="AKIDBILL1111EXAMPLE",
            secret_access_key="bill-secret-key-example",
        ),
        Account(
            id="222222222222",
            name="Susan",
            email="susan@example.com",
            access_key_id="AKIDSUSAN222EXAMPLE",
            secret_access_key="susan-secret-key-example",
        ),
        Account(
            id="333333333333",
            name="Juan",
            email="juan@example.com",
            access_key_id="AKIDJUAN3333EXAMPLE",
            secret_access_key="juan-secret-key-example",
        ),
    ]
)
