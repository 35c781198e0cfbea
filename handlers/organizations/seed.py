"""Fixed state loaded by `botogen serve --seed FILE` (README: "Seeding a known world").

```json
{
  "accounts": [{"id": "111111111111", "name": "Master Account", "email": "bill@example.com",
                "access_key_id": "...", "secret_access_key": "..."}],
  "organizations": [{"id": "o-exampleorgid", "management_account_id": "111111111111",
                     "feature_set": "ALL", "created": "2016-11-01T00:00:00Z",
                     "members": [{"account_id": "333333333333", "joined_method": "INVITED",
                                  "joined": "2016-11-02T00:00:00Z"}]}],
  "handshakes": [{"id": "h-examplehandshakeid111", "organization_id": "o-exampleorgid",
                  "action": "INVITE", "target": {"type": "ACCOUNT", "id": "222222222222"},
                  "notes": "...", "state": "OPEN", "requested": "2016-11-30T19:27:58Z"}]
}
```

`accounts` join the server's known accounts (and credentials; `botogen serve` reads them).
Optional: `feature_set` (ALL), `created` / `joined` (the epoch), a handshake's `expires`
(requested + its lifetime), `state_changed` (requested), `parent_id`, `notes`, `tags`.
Loading is idempotent: organizations and handshakes already stored are left as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from generated.organizations.shapes import (
    AccountId,
    HandshakeId,
    OrganizationId,
    RootId,
)
from handlers.organizations import store
from runtime.clock import to_millis
from runtime.database import Transaction
from runtime.types import parse_timestamp_text


def _millis(value: str | None, default: int = 0) -> int:
    if value is None:
        return default
    moment = parse_timestamp_text(value)
    if isinstance(moment, str) or moment.tzinfo is None:
        raise ValueError(f"seed: {value!r} is not an ISO 8601 instant with a time zone")
    return to_millis(moment)


_IDS = {
    "account": TypeAdapter(AccountId),
    "organization": TypeAdapter(OrganizationId),
    "handshake": TypeAdapter(HandshakeId),
    "root": TypeAdapter(RootId),
}


def _checked(kind: str, value: Any, where: str) -> str:
    """An id the model accepts; a seed with a bad one stops the server, named."""
    try:
        checked: str = _IDS[kind].validate_python(value)
    except ValidationError:
        raise ValueError(f"seed: {where}: {value!r} is not a valid {kind} id") from None
    return checked


def _known(tx: Transaction, account_id: Any, where: str) -> None:
    """An account id that the server knows (the accounts file or the seed's accounts;
    a provisionable account does not exist yet)."""
    _checked("account", account_id, where)
    if tx.one("SELECT id FROM accounts WHERE id = ?", (account_id,)) is None:
        raise ValueError(
            f"seed: {where}: account {account_id!r} is not a known account"
        )


#: The top-level members of a seed document.
SECTIONS = ("accounts", "organizations", "handshakes")


def read_seed(path: str | Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(path).read_text())
    return document


def load_seed(tx: Transaction, path: str | Path) -> None:
    """`load` the seed file at `path` (for scripts that fill a database before a server
    opens it; the server itself calls `load` through `Handlers.load_seed`)."""
    load(tx, read_seed(path))


def load(tx: Transaction, document: dict[str, Any]) -> None:
    """Store the organizations and handshakes of a parsed seed document; its accounts
    are the runtime's (they are in the accounts table by now, `Handlers.start`)."""
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise ValueError(f"seed: unknown section(s) {', '.join(map(repr, unknown))}")
    for index, org in enumerate(document.get("organizations", ())):
        where = f"organizations[{index}]"
        _checked("organization", org["id"], where)
        _known(tx, org["management_account_id"], where)
        for member in org.get("members", ()):
            _known(tx, member["account_id"], where)
        if (
            tx.one("SELECT id FROM organizations WHERE id = ?", (org["id"],))
            is not None
        ):
            continue
        created = _millis(org.get("created"))
        management = org["management_account_id"]
        root_id = org.get("root_id") or "r-" + org["id"][2:]
        _checked("root", root_id, where)
        store.insert_organization(
            tx, org["id"], root_id, management, org.get("feature_set", "ALL"), created
        )
        store.join(tx, management, org["id"], "CREATED", created, None)
        for member in org.get("members", ()):
            store.join(
                tx,
                member["account_id"],
                org["id"],
                member.get("joined_method", "INVITED"),
                _millis(member.get("joined"), created),
                None,
            )
    for index, entry in enumerate(document.get("handshakes", ())):
        where = f"handshakes[{index}]"
        _checked("handshake", entry["id"], where)
        _checked("organization", entry["organization_id"], where)
        if entry.get("parent_id") is not None:
            _checked("handshake", entry["parent_id"], where)
        if tx.one("SELECT id FROM handshakes WHERE id = ?", (entry["id"],)) is not None:
            continue
        requested = _millis(entry["requested"])
        target = entry.get("target") or {}
        target_type = target.get("type")
        target_id = target.get("id")
        if target_type == "EMAIL" and target_id:
            target_id = target_id.lower()
        store.insert_handshake(
            tx,
            store.HandshakeRow(
                id=entry["id"],
                organization_id=entry["organization_id"],
                action=entry["action"],
                state=entry.get("state", "OPEN"),
                target_type=target_type,
                target_id=target_id,
                notes=entry.get("notes"),
                tags=json.dumps(entry["tags"]) if entry.get("tags") else None,
                parent_id=entry.get("parent_id"),
                requested_at=requested,
                expires_at=_millis(
                    entry.get("expires"), requested + store.LIFETIME_MS[entry["action"]]
                ),
                state_changed_at=_millis(entry.get("state_changed"), requested),
                version=0,
            ),
        )
