"""SQL for policies and their attachments (organizations.md §7, §8): rows in, rows out,
no business rules (as `store`).

The tables are migration 5's (`schema`): `policies` (customer policies; the AWS-managed
ones are not stored, `aws_managed`), `policy_attachments` (one row per policy and
target, `seq` the organization's order of attaching), `policy_target_changes` (when a
target's attachments of a type last changed, E8) and `effective_policy_errors` (E11).

Listings are keyset pages (L4) read through indexes in their order:
`policies_by_type (organization_id, policy_type, created_at, id)` for ListPolicies,
`attachments_by_target (target_id, policy_type, seq)` for ListPoliciesForTarget and
`attachments_by_policy (organization_id, policy_id, seq)` for ListTargetsForPolicy. A
page of attachments is two queries: the page itself, alone, so that its LIMIT applies
before anything is joined, then the names of its targets or policies, all in one query
(never one per item). Attachments tie on `seq` only when an account's creation settled
without the organization's lock (`schema`, migration 5); the page order breaks ties by
id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.organizations import store
from runtime.database import Row, Transaction

__all__ = [
    "attach",
    "attach_everywhere",
    "attached",
    "attached_count",
    "delete_organization_policies",
    "delete_policy",
    "delete_target_attachments",
    "delete_type_attachments",
    "detach",
    "disable_type",
    "has_attachments",
    "in_use",
    "insert_policy",
    "name_taken",
    "policies_of_target",
    "policies_of_type",
    "policy",
    "policy_count",
    "service_access_enabled",
    "targets_of_policy",
    "update_policy",
]

# -- customer policies -----------------------------------------------------------------------


def insert_policy(
    tx: Transaction,
    policy_id: str,
    organization_id: str,
    policy_type: str,
    name: str,
    description: str,
    content: str,
    at: int,
) -> None:
    tx.execute(
        "INSERT INTO policies (id, organization_id, policy_type, name, description,"
        " content, created_at, content_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (policy_id, organization_id, policy_type, name, description, content, at, at),
    )


def policy(tx: Transaction, organization_id: str, policy_id: str) -> Row | None:
    """A customer policy of the organization (None: unknown, or another's, C5)."""
    return tx.one(
        "SELECT * FROM policies WHERE id = ? AND organization_id = ?",
        (policy_id, organization_id),
    )


def name_taken(
    tx: Transaction,
    organization_id: str,
    policy_type: str,
    name: str,
    other_than: str | None = None,
) -> bool:
    """Whether a customer policy of the type (other than `other_than`) is named exactly
    `name` (P7, P11)."""
    row = tx.one(
        "SELECT id FROM policies"
        " WHERE organization_id = ? AND policy_type = ? AND name = ?",
        (organization_id, policy_type, name),
    )
    return row is not None and row["id"] != other_than


def policy_count(tx: Transaction, organization_id: str, policy_type: str) -> int:
    """The organization's customer policies of the type (P7's limit)."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM policies WHERE organization_id = ? AND policy_type = ?",
        (organization_id, policy_type),
    )
    return int(row["n"]) if row else 0


def update_policy(
    tx: Transaction,
    policy_id: str,
    name: str,
    description: str,
    content: str,
    content_changed_at: int | None,
) -> None:
    """The policy's new members; `content_changed_at` None keeps the instant its
    content last changed (E8)."""
    tx.execute(
        "UPDATE policies SET name = ?, description = ?, content = ?,"
        " content_changed_at = COALESCE(?, content_changed_at) WHERE id = ?",
        (name, description, content, content_changed_at, policy_id),
    )


def delete_policy(tx: Transaction, policy_id: str) -> None:
    """The policy and its tags (P12, T7)."""
    tx.execute("DELETE FROM tags WHERE resource_id = ?", (policy_id,))
    tx.execute("DELETE FROM policies WHERE id = ?", (policy_id,))


def policies_of_type(
    tx: Transaction,
    organization_id: str,
    policy_type: str,
    after: Sequence[Any] | None,
    limit: int,
) -> list[Row]:
    """The organization's customer policies of the type in (created_at, id) order,
    after a position (P14, L3, L4)."""
    return store.page(
        tx,
        "SELECT id, policy_type, name, description, created_at FROM policies"
        " WHERE organization_id = ? AND policy_type = ?",
        [organization_id, policy_type],
        "created_at",
        after,
        limit,
    )


# -- attachments -------------------------------------------------------------------------------


def _last_seq(tx: Transaction, organization_id: str) -> int:
    row = tx.one(
        "SELECT COALESCE(MAX(seq), 0) AS last FROM policy_attachments"
        " WHERE organization_id = ?",
        (organization_id,),
    )
    return int(row["last"]) if row else 0


def attach(
    tx: Transaction,
    organization_id: str,
    target_id: str,
    policy_id: str,
    policy_type: str,
    at: int,
) -> None:
    """The policy attached to the target, after every attachment the organization made
    before (`seq`, P15, E4); the target's attachments of that type changed `at` (E8)."""
    tx.execute(
        "INSERT INTO policy_attachments"
        " (organization_id, target_id, policy_id, policy_type, seq, attached_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            organization_id,
            target_id,
            policy_id,
            policy_type,
            _last_seq(tx, organization_id) + 1,
            at,
        ),
    )
    target_changed(tx, target_id, policy_type, at)


def attach_everywhere(
    tx: Transaction,
    organization_id: str,
    root_id: str,
    policy_id: str,
    policy_type: str,
    at: int,
) -> None:
    """P4: the policy attached to the root, then every OU (creation order), then every
    account (joining order) of the organization that does not have it yet, in two
    statements whatever the organization's size; each target's type changed `at`."""
    targets = (
        "SELECT CAST(? AS TEXT) AS id, 0 AS rank, 0 AS at"
        " UNION ALL SELECT id, 1, created_at FROM organizational_units"
        " WHERE organization_id = ?"
        " UNION ALL SELECT id, 2, joined_at FROM accounts WHERE organization_id = ?"
    )
    tx.execute(
        "INSERT INTO policy_attachments"
        " (organization_id, target_id, policy_id, policy_type, seq, attached_at)"
        " SELECT CAST(? AS TEXT), t.id, CAST(? AS TEXT), CAST(? AS TEXT),"
        " CAST(? AS BIGINT) + ROW_NUMBER() OVER (ORDER BY t.rank, t.at, t.id),"
        " CAST(? AS BIGINT)"
        f" FROM ({targets}) t WHERE NOT EXISTS (SELECT 1 FROM policy_attachments x"
        " WHERE x.target_id = t.id AND x.policy_id = ?)",
        (
            organization_id,
            policy_id,
            policy_type,
            _last_seq(tx, organization_id),
            at,
            root_id,
            organization_id,
            organization_id,
            policy_id,
        ),
    )
    _targets_changed(
        tx,
        "SELECT target_id FROM policy_attachments"
        " WHERE organization_id = ? AND policy_id = ?",
        (organization_id, policy_id),
        policy_type,
        at,
    )


def attached(tx: Transaction, target_id: str, policy_id: str) -> bool:
    """Whether the policy is attached to the target (P17, P18)."""
    row = tx.one(
        "SELECT 1 AS found FROM policy_attachments WHERE target_id = ? AND policy_id = ?",
        (target_id, policy_id),
    )
    return row is not None


def attached_count(tx: Transaction, target_id: str, policy_type: str) -> int:
    """Policies of the type attached to the target, AWS-managed ones included (P17)."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM policy_attachments"
        " WHERE target_id = ? AND policy_type = ?",
        (target_id, policy_type),
    )
    return int(row["n"]) if row else 0


def in_use(tx: Transaction, organization_id: str, policy_id: str) -> bool:
    """Whether the policy is attached anywhere in the organization (P12)."""
    row = tx.one(
        "SELECT 1 AS found FROM policy_attachments"
        " WHERE organization_id = ? AND policy_id = ? LIMIT 1",
        (organization_id, policy_id),
    )
    return row is not None


def has_attachments(tx: Transaction, organization_id: str) -> bool:
    """Whether the organization has any attachment (the seed's defaults, M8)."""
    row = tx.one(
        "SELECT 1 AS found FROM policy_attachments WHERE organization_id = ? LIMIT 1",
        (organization_id,),
    )
    return row is not None


def detach(
    tx: Transaction, target_id: str, policy_id: str, policy_type: str, at: int
) -> None:
    """The attachment removed; the target's attachments of the type changed `at` (E8)."""
    tx.execute(
        "DELETE FROM policy_attachments WHERE target_id = ? AND policy_id = ?",
        (target_id, policy_id),
    )
    target_changed(tx, target_id, policy_type, at)


def delete_type_attachments(
    tx: Transaction, organization_id: str, policy_type: str, at: int
) -> None:
    """P6: every attachment of the type in the organization removed; each target that
    had one changed `at` (E8)."""
    _targets_changed(
        tx,
        "SELECT target_id FROM policy_attachments"
        " WHERE organization_id = ? AND policy_type = ?",
        (organization_id, policy_type),
        policy_type,
        at,
    )
    tx.execute(
        "DELETE FROM policy_attachments WHERE organization_id = ? AND policy_type = ?",
        (organization_id, policy_type),
    )


def _by_id(tx: Transaction, select: str, ids: Sequence[str]) -> dict[str, Row]:
    """The rows `select` finds for `ids`, by their `id`, in one query (none for no
    ids); each `{ids}` in `select` stands for the list of ids."""
    if not ids:
        return {}
    sql = select.format(ids=", ".join("?" for _ in ids))
    return {row["id"]: row for row in tx.all(sql, list(ids) * select.count("{ids}"))}


def policies_of_target(
    tx: Transaction,
    organization_id: str,
    target_id: str,
    policy_type: str,
    after: Sequence[Any] | None,
    limit: int,
) -> list[tuple[Row, Row | None]]:
    """The policies of the type attached to the target, in attachment order (seq, then
    policy id; P15, L3, L4): each attachment with its customer policy's row (`name`,
    `description`), None for an AWS-managed one. Two queries per page."""
    page = store.page(
        tx,
        "SELECT policy_id, seq FROM policy_attachments"
        " WHERE target_id = ? AND policy_type = ? AND organization_id = ?",
        [target_id, policy_type, organization_id],
        "seq",
        after,
        limit,
        tie="policy_id",
    )
    found = _by_id(
        tx,
        "SELECT id, name, description FROM policies WHERE id IN ({ids})",
        [row["policy_id"] for row in page],
    )
    return [(row, found.get(row["policy_id"])) for row in page]


def targets_of_policy(
    tx: Transaction,
    organization_id: str,
    policy_id: str,
    after: Sequence[Any] | None,
    limit: int,
) -> list[tuple[Row, Row | None]]:
    """The targets the policy is attached to, in attachment order (seq, then target id;
    P16, L3, L4): each attachment with its OU's or account's row (`name`), None for the
    root. Two queries per page, whatever the number of targets: the page is read first,
    through `attachments_by_policy`, then the names of its targets."""
    page = store.page(
        tx,
        "SELECT target_id, seq FROM policy_attachments"
        " WHERE organization_id = ? AND policy_id = ?",
        [organization_id, policy_id],
        "seq",
        after,
        limit,
        tie="target_id",
    )
    found = _by_id(
        tx,
        "SELECT id, name FROM organizational_units WHERE id IN ({ids})"
        " UNION ALL SELECT id, name FROM accounts WHERE id IN ({ids})",
        [row["target_id"] for row in page],
    )
    return [(row, found.get(row["target_id"])) for row in page]


# -- policy types (P3, P6) ------------------------------------------------------------------


def disable_type(tx: Transaction, organization_id: str, policy_type: str) -> None:
    """The type no longer enabled in the organization's root (P6); those enabled
    after it keep their order (`tree_store.enable_policy_type`)."""
    tx.execute(
        "DELETE FROM enabled_policy_types WHERE organization_id = ? AND policy_type = ?",
        (organization_id, policy_type),
    )


def service_access_enabled(
    tx: Transaction, organization_id: str, service_principal: str
) -> bool:
    """Whether the organization gave the service trusted access (P3, D3)."""
    row = tx.one(
        "SELECT 1 AS found FROM enabled_services"
        " WHERE organization_id = ? AND service_principal = ?",
        (organization_id, service_principal),
    )
    return row is not None


# -- E8 and deletions ------------------------------------------------------------------------


def target_changed(tx: Transaction, target_id: str, policy_type: str, at: int) -> None:
    """The target's attachments of `policy_type` changed `at` (E8)."""
    changed = tx.execute(
        "UPDATE policy_target_changes SET changed_at = ?"
        " WHERE target_id = ? AND policy_type = ?",
        (at, target_id, policy_type),
    )
    if changed == 0:
        tx.execute(
            "INSERT INTO policy_target_changes (target_id, policy_type, changed_at)"
            " VALUES (?, ?, ?)",
            (target_id, policy_type, at),
        )


def _targets_changed(
    tx: Transaction,
    targets: str,
    params: Sequence[Any],
    policy_type: str,
    at: int,
) -> None:
    """`target_changed` for every target `targets` (a SELECT of target_id) finds, in
    one statement."""
    tx.execute(
        "INSERT INTO policy_target_changes (target_id, policy_type, changed_at)"
        " SELECT DISTINCT t.target_id, CAST(? AS TEXT), CAST(? AS BIGINT)"
        f" FROM ({targets}) t WHERE 1 = 1"
        " ON CONFLICT (target_id, policy_type) DO UPDATE SET changed_at = ?",
        (policy_type, at, *params, at),
    )


def delete_target_attachments(tx: Transaction, target_id: str) -> None:
    """Every attachment of a target that is deleted or departs (P19, U5, A18), and its
    E8 record; injected validation errors of a departing account go too (E11)."""
    tx.execute("DELETE FROM policy_attachments WHERE target_id = ?", (target_id,))
    tx.execute("DELETE FROM policy_target_changes WHERE target_id = ?", (target_id,))
    tx.execute("DELETE FROM effective_policy_errors WHERE account_id = ?", (target_id,))


def delete_organization_policies(tx: Transaction, organization_id: str) -> None:
    """Everything §7 and §8 stored for the organization (O5): its policies and their
    tags, every attachment and its E8 records, injected validation errors."""
    tx.execute(
        "DELETE FROM tags WHERE resource_id IN"
        " (SELECT id FROM policies WHERE organization_id = ?)",
        (organization_id,),
    )
    tx.execute(
        "DELETE FROM policy_target_changes WHERE target_id IN"
        " (SELECT target_id FROM policy_attachments WHERE organization_id = ?)",
        (organization_id,),
    )
    tx.execute(
        "DELETE FROM policy_attachments WHERE organization_id = ?", (organization_id,)
    )
    tx.execute("DELETE FROM policies WHERE organization_id = ?", (organization_id,))
    tx.execute(
        "DELETE FROM effective_policy_errors WHERE organization_id = ?",
        (organization_id,),
    )
