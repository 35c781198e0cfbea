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


def read_seed(path: str | Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(path).read_text())
    return document


def load_seed(tx: Transaction, path: str | Path) -> None:
    from handlers.organizations.service import LIFETIME_MS

    document = read_seed(path)
    for org in document.get("organizations", ()):
        if (
            tx.one("SELECT id FROM organizations WHERE id = ?", (org["id"],))
            is not None
        ):
            continue
        created = _millis(org.get("created"))
        management = org["management_account_id"]
        store.insert_organization(
            tx, org["id"], management, org.get("feature_set", "ALL"), created
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
    for entry in document.get("handshakes", ()):
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
                    entry.get("expires"), requested + LIFETIME_MS[entry["action"]]
                ),
                state_changed_at=_millis(entry.get("state_changed"), requested),
                version=0,
            ),
        )
