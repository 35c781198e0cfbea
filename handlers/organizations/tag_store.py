"""SQL for tags (organizations.md §10, T1–T7): rows in, rows out, no business rules (as
`store`).

Tags of every kind of resource live in migration 3's table
`tags (resource_id, tag_key, tag_value, seq)`, one row per key. `seq` numbers a
resource's keys in the order they were first set (T5): a new key gets one more than
the resource's highest, an existing key keeps its `seq` when its value changes, and a
key removed and set again counts as new.

**Legacy account tags.** Before migration 3, an accepted invitation's tags went to the
JSON column `accounts.tags` (`[{"Key": ..., "Value": ...}]`). DECIDED: they move into
`tags` when the server starts (`adopt_legacy`, called by `TagOperations.start`, which
the runtime runs at every start and reset), before any request is served; a row still
written that way afterwards (an older process on the same database, or a test writing
through `store.join`) is read as the account's oldest tags (`tags_of`) and moved into
the table by the next write to the account's tags (`adopt_legacy(tx, account_id)`).
Joining (`store.join`) overwrites the column, departure deletes the table's rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from generated.organizations.models import Tag
from runtime.database import Transaction

__all__ = [
    "adopt_legacy",
    "add_tags",
    "count",
    "delete_tags",
    "dump_stored",
    "parse_stored",
    "put_tags",
    "remove_tags",
    "taggable_in",
    "tags_of",
]

#: A tag as the store takes it: the generated model, or (key, value).
TagLike = Tag | tuple[str, str]


def _pair(tag: TagLike) -> tuple[str, str]:
    if isinstance(tag, Tag):
        return tag.key, tag.value
    return tag[0], tag[1]


def parse_stored(text: str | None) -> list[tuple[str, str]]:
    """Tags stored as JSON (`[{"Key": ..., "Value": ...}]`, an invitation's or the
    legacy account column) as (key, value) pairs."""
    if not text:
        return []
    loaded: list[dict[str, Any]] = json.loads(text)
    return [(str(tag["Key"]), str(tag["Value"])) for tag in loaded]


def dump_stored(tags: Sequence[Tag]) -> str | None:
    """An invitation's tags as `parse_stored` reads them back (None: no tags)."""
    if not tags:
        return None
    return json.dumps([{"Key": tag.key, "Value": tag.value} for tag in tags])


def taggable_in(
    tx: Transaction, organization_id: str, root_id: str | None, resource_id: str
) -> bool:
    """Whether `resource_id` is, exactly, the organization's root, one of its OUs, one
    of its accounts, one of its customer policies or its delegation policy (T1).
    Transfers join here with their rules."""
    if resource_id == root_id:
        return True
    if resource_id.startswith("rp-"):  # the delegation policy (D11)
        return (
            tx.one(
                "SELECT 1 AS found FROM resource_policies"
                " WHERE id = ? AND organization_id = ?",
                (resource_id, organization_id),
            )
            is not None
        )
    return (
        tx.one(
            "SELECT 1 AS found FROM organizational_units"
            " WHERE id = ? AND organization_id = ?"
            " UNION ALL SELECT 1 FROM accounts WHERE id = ? AND organization_id = ?"
            " UNION ALL SELECT 1 FROM policies WHERE id = ? AND organization_id = ?",
            (resource_id, organization_id) * 3,
        )
        is not None
    )


def _legacy(tx: Transaction, resource_id: str) -> list[tuple[str, str]]:
    row = tx.one("SELECT tags FROM accounts WHERE id = ?", (resource_id,))
    return parse_stored(row["tags"]) if row is not None else []


def tags_of(tx: Transaction, resource_id: str) -> list[tuple[str, str]]:
    """The resource's tags in the order their keys were first set (T5); an account's
    legacy JSON tags (module docstring) first, except keys the table has (as
    `adopt_legacy` would leave them)."""
    rows = tx.all(
        "SELECT tag_key, tag_value FROM tags WHERE resource_id = ? ORDER BY seq, tag_key",
        (resource_id,),
    )
    stored = [(row["tag_key"], row["tag_value"]) for row in rows]
    legacy = _legacy(tx, resource_id)
    if not legacy:
        return stored
    keys = {key for key, _ in stored}
    earlier = dict((key, value) for key, value in legacy if key not in keys)
    return list(earlier.items()) + stored


def count(tx: Transaction, resource_id: str) -> int:
    return len(tags_of(tx, resource_id))


def put_tags(tx: Transaction, resource_id: str, tags: Iterable[TagLike]) -> None:
    """Set each tag: a key the resource has keeps its place (`seq`) and takes the new
    value, a new key goes last, in the order given (T3). A key given twice keeps the
    last value (callers refuse duplicates first, T3)."""
    row = tx.one(
        "SELECT COALESCE(MAX(seq), 0) AS last FROM tags WHERE resource_id = ?",
        (resource_id,),
    )
    last = int(row["last"]) if row else 0
    for key, value in (_pair(tag) for tag in tags):
        changed = tx.execute(
            "UPDATE tags SET tag_value = ? WHERE resource_id = ? AND tag_key = ?",
            (value, resource_id, key),
        )
        if changed == 0:
            last += 1
            tx.execute(
                "INSERT INTO tags (resource_id, tag_key, tag_value, seq)"
                " VALUES (?, ?, ?, ?)",
                (resource_id, key, value, last),
            )


def add_tags(tx: Transaction, resource_id: str, tags: Iterable[TagLike]) -> None:
    """The tags of a resource being created, or of an account joining (T6, H7): after
    `tagging.validate_new_tags` accepted them. The same writes as `put_tags`."""
    put_tags(tx, resource_id, tags)


def remove_tags(tx: Transaction, resource_id: str, keys: Iterable[str]) -> None:
    """Remove the keys; a key the resource does not have is ignored (T4)."""
    for key in keys:
        tx.execute(
            "DELETE FROM tags WHERE resource_id = ? AND tag_key = ?", (resource_id, key)
        )


def delete_tags(tx: Transaction, resource_id: str) -> None:
    """Every tag of the resource: it is deleted, or the account departs (T7, A18)."""
    tx.execute("DELETE FROM tags WHERE resource_id = ?", (resource_id,))
    tx.execute(
        "UPDATE accounts SET tags = NULL WHERE id = ? AND tags IS NOT NULL",
        (resource_id,),
    )


def adopt_legacy(tx: Transaction, account_id: str | None = None) -> None:
    """Move legacy `accounts.tags` JSON into the tags table (module docstring): of one
    account, or of every account (at start). An account in no organization has no tags
    (T7: they went with its departure)."""
    sql = "SELECT id, organization_id, tags FROM accounts WHERE tags IS NOT NULL"
    params: tuple[str, ...] = ()
    if account_id is not None:
        sql += " AND id = ?"
        params = (account_id,)
    for row in tx.all(sql, params):
        tx.execute("UPDATE accounts SET tags = NULL WHERE id = ?", (row["id"],))
        if row["organization_id"] is None:
            continue
        legacy = parse_stored(row["tags"])
        existing = {
            r["tag_key"]
            for r in tx.all(
                "SELECT tag_key FROM tags WHERE resource_id = ?", (row["id"],)
            )
        }
        # Legacy tags were set first: they go before the table's (renumbered after).
        fresh = [(k, v) for k, v in legacy if k not in existing]
        if not fresh:
            continue
        tx.execute(
            "UPDATE tags SET seq = seq + ? WHERE resource_id = ?",
            (len(fresh), row["id"]),
        )
        for seq, (key, value) in enumerate(fresh, start=1):
            tx.execute(
                "INSERT INTO tags (resource_id, tag_key, tag_value, seq)"
                " VALUES (?, ?, ?, ?)",
                (row["id"], key, value, seq),
            )
