"""SQL for effective policies (organizations.md §8, E3, E4, E8, E10–E12): an account's
path with its attachments, and the injected validation errors. Rows in, rows out, no
business rules (as `store`).

The tables are migration 5's (`schema`): `policy_attachments` (`seq` the organization's
order of attaching), `policies` (`content`, `content_changed_at`),
`policy_target_changes` (when a target's attachments of a type last changed),
`organizational_units` (`parent_id`, `depth`) and `effective_policy_errors`.

`path` reads everything DescribeEffectivePolicy needs about the path in ONE query,
whatever its depth: the OU chain by a recursive CTE (each step strictly shallower, so a
damaged tree cannot loop), each level's change time and attachments of the type in
`seq` order through `policy_target_changes`' key and `attachments_by_target (target_id,
policy_type, seq)`, each policy's content by its key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from handlers.organizations import store
from runtime.database import Row, Transaction

__all__ = [
    "accounts_with_errors",
    "errors_stored",
    "insert_error",
    "path",
    "validation_errors",
]

#: The OUs from the account's parent up to the one under the root (`chain`), then the
#: path's levels (`levels`: the root 0, each OU its depth, the account below them all).
_PATH = (
    "WITH RECURSIVE chain (id, parent_id, depth) AS ("
    " SELECT id, parent_id, depth FROM organizational_units"
    " WHERE id = ? AND organization_id = ?"
    " UNION ALL"
    " SELECT o.id, o.parent_id, o.depth FROM organizational_units o"
    " JOIN chain c ON o.id = c.parent_id AND o.depth < c.depth"
    "), levels (target_id, level) AS ("
    " SELECT CAST(? AS TEXT), 0"
    " UNION ALL SELECT id, depth FROM chain"
    " UNION ALL SELECT CAST(? AS TEXT), (SELECT COALESCE(MAX(depth), 0) + 1 FROM chain)"
    ")"
    " SELECT l.level, c.changed_at, p.content, p.content_changed_at"
    " FROM levels l"
    " LEFT JOIN policy_target_changes c"
    " ON c.target_id = l.target_id AND c.policy_type = ?"
    " LEFT JOIN policy_attachments a"
    " ON a.target_id = l.target_id AND a.policy_type = ?"
    " LEFT JOIN policies p ON p.id = a.policy_id"
    " ORDER BY l.level, a.seq, a.policy_id"
)


def path(
    tx: Transaction,
    organization_id: str,
    root_id: str,
    account: Row,
    policy_type: str,
) -> list[Row]:
    """E4, E8: the account's path of the organization, from the root down to the account
    itself, one row per attachment of `policy_type` (`level`: 0 for the root, an OU's
    depth, the account below them all; the policy's `content` and `content_changed_at`)
    in level then attachment order, and one row with a null `content` for a level
    without any; every row carries its level's `changed_at` (null when its attachments
    of the type never changed)."""
    parent_id = account["parent_id"] or root_id
    return tx.all(
        _PATH,
        (
            parent_id,
            organization_id,
            root_id,
            account["id"],
            policy_type,
            policy_type,
        ),
    )


def accounts_with_errors(
    tx: Transaction,
    organization_id: str,
    root_id: str,
    policy_type: str,
    after: Sequence[Any] | None,
    limit: int,
) -> list[Row]:
    """E10: the organization's accounts in (joined_at, id) order, after a position (L3,
    L4), that have validation errors of `policy_type` and an effective policy of it: a
    policy of the type attached to the root, the account, or its parent OU or one of
    that OU's ancestors (`covered`: every OU under an OU with an attachment)."""
    return store.page(
        tx,
        "WITH RECURSIVE covered (id) AS ("
        " SELECT o.id FROM organizational_units o"
        " WHERE o.organization_id = ? AND EXISTS (SELECT 1 FROM policy_attachments x"
        " WHERE x.target_id = o.id AND x.policy_type = ?)"
        " UNION"
        " SELECT o.id FROM organizational_units o JOIN covered c ON o.parent_id = c.id"
        ") SELECT * FROM accounts WHERE organization_id = ?"
        " AND id IN (SELECT account_id FROM effective_policy_errors"
        " WHERE organization_id = ? AND policy_type = ?)"
        " AND (parent_id IN (SELECT id FROM covered)"
        " OR EXISTS (SELECT 1 FROM policy_attachments y"
        " WHERE y.target_id IN (?, accounts.id) AND y.policy_type = ?))",
        [
            organization_id,
            policy_type,
            organization_id,
            organization_id,
            policy_type,
            root_id,
            policy_type,
        ],
        "joined_at",
        after,
        limit,
    )


def validation_errors(
    tx: Transaction,
    organization_id: str,
    account_id: str,
    policy_type: str,
    after: int | None,
    limit: int,
) -> list[Row]:
    """E11, E12: the account's validation errors of the type as stored (`seq` order, L3),
    after a position (L4); `contributing_policies` decoded into a list of policy ids."""
    sql = (
        "SELECT seq, error_code, error_message, path_to_error, contributing_policies"
        " FROM effective_policy_errors"
        " WHERE organization_id = ? AND account_id = ? AND policy_type = ?"
    )
    params: list[Any] = [organization_id, account_id, policy_type]
    if after is not None:
        sql += " AND seq > ?"
        params.append(after)
    rows = tx.all(sql + f" ORDER BY seq LIMIT {int(limit)}", params)
    return [
        {**row, "contributing_policies": json.loads(row["contributing_policies"])}
        for row in rows
    ]


def errors_stored(tx: Transaction, account_id: str, policy_type: str) -> bool:
    """Whether the account has validation errors of the type stored (a seed's are
    loaded once, M8)."""
    row = tx.one(
        "SELECT 1 AS found FROM effective_policy_errors"
        " WHERE account_id = ? AND policy_type = ? LIMIT 1",
        (account_id, policy_type),
    )
    return row is not None


def insert_error(
    tx: Transaction,
    organization_id: str,
    account_id: str,
    policy_type: str,
    seq: int,
    error: Sequence[Any],
) -> None:
    """One validation error (E11): `error` is (code, message, path to the error, the
    contributing policies' ids)."""
    code, message, path_to_error, contributing = error
    tx.execute(
        "INSERT INTO effective_policy_errors (organization_id, account_id, policy_type,"
        " seq, error_code, error_message, path_to_error, contributing_policies)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            organization_id,
            account_id,
            policy_type,
            seq,
            code,
            message,
            path_to_error,
            json.dumps(list(contributing)),
        ),
    )
