"""SQL for trusted access and delegated administrators (organizations.md D3–D9): rows in,
rows out, no business rules (as `store`).

The tables are migration 5's (`schema`): `enabled_services (organization_id,
service_principal, enabled_at)` and `delegated_administrators (organization_id,
account_id, service_principal, registered_at)`. Instants are epoch milliseconds. The
listings page by key (L3, L4) through `store.page`, whose tie-breaking column is `id`:
each listing names its own tie-breaker `id` in a subquery.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.organizations import store
from runtime.database import Row, Transaction

__all__ = [
    "delete_registration",
    "disable_service",
    "enable_service",
    "enabled_services",
    "is_enabled",
    "register",
    "registered",
    "registration_count",
    "registrations_of",
    "registered_accounts",
]


# -- trusted access (D3–D5) -----------------------------------------------------------------


def is_enabled(tx: Transaction, organization_id: str, principal: str) -> bool:
    """Whether the organization gave `principal` trusted access."""
    row = tx.one(
        "SELECT 1 AS found FROM enabled_services"
        " WHERE organization_id = ? AND service_principal = ?",
        (organization_id, principal),
    )
    return row is not None


def enable_service(
    tx: Transaction, organization_id: str, principal: str, at: int
) -> None:
    """Trusted access for `principal` since `at` (the caller checked it is not yet
    enabled, under the organization's lock)."""
    tx.execute(
        "INSERT INTO enabled_services (organization_id, service_principal, enabled_at)"
        " VALUES (?, ?, ?)",
        (organization_id, principal, at),
    )


def disable_service(tx: Transaction, organization_id: str, principal: str) -> None:
    """Trusted access for `principal` ends, and with it every registration of a
    delegated administrator for it."""
    for table in ("delegated_administrators", "enabled_services"):
        tx.execute(
            f"DELETE FROM {table} WHERE organization_id = ? AND service_principal = ?",
            (organization_id, principal),
        )


def enabled_services(
    tx: Transaction, organization_id: str, after: Sequence[Any] | None, limit: int
) -> list[Row]:
    """The organization's enabled principals (`id`) with `enabled_at`, in (enabled_at,
    principal) order, after a position (L3, L4)."""
    return store.page(
        tx,
        "SELECT * FROM (SELECT organization_id, service_principal AS id, enabled_at"
        " FROM enabled_services) AS s WHERE organization_id = ?",
        [organization_id],
        "enabled_at",
        after,
        limit,
    )


# -- delegated administrators (D6–D9) ---------------------------------------------------------


def registered(
    tx: Transaction, organization_id: str, account_id: str, principal: str
) -> bool:
    """Whether the account is registered for `principal`."""
    row = tx.one(
        "SELECT 1 AS found FROM delegated_administrators"
        " WHERE organization_id = ? AND account_id = ? AND service_principal = ?",
        (organization_id, account_id, principal),
    )
    return row is not None


def registration_count(tx: Transaction, organization_id: str, principal: str) -> int:
    """How many accounts are registered for `principal` (D6's maximum)."""
    row = tx.one(
        "SELECT COUNT(*) AS n FROM delegated_administrators"
        " WHERE organization_id = ? AND service_principal = ?",
        (organization_id, principal),
    )
    return int(row["n"]) if row else 0


def register(
    tx: Transaction, organization_id: str, account_id: str, principal: str, at: int
) -> None:
    tx.execute(
        "INSERT INTO delegated_administrators"
        " (organization_id, account_id, service_principal, registered_at)"
        " VALUES (?, ?, ?, ?)",
        (organization_id, account_id, principal, at),
    )


def delete_registration(
    tx: Transaction, organization_id: str, account_id: str, principal: str
) -> None:
    tx.execute(
        "DELETE FROM delegated_administrators"
        " WHERE organization_id = ? AND account_id = ? AND service_principal = ?",
        (organization_id, account_id, principal),
    )


def registered_accounts(
    tx: Transaction,
    organization_id: str,
    principal: str | None,
    after: Sequence[Any] | None,
    limit: int,
) -> list[Row]:
    """The organization's accounts registered for anything (or for `principal`), each
    row the account's with `delegated_at`, the earliest of those registrations, in
    (delegated_at, id) order, after a position (L3, L4)."""
    only = " AND d.service_principal = ?" if principal is not None else ""
    params: list[Any] = [organization_id]
    if principal is not None:
        params.append(principal)
    return store.page(
        tx,
        "SELECT * FROM (SELECT a.*, MIN(d.registered_at) AS delegated_at"
        " FROM delegated_administrators d JOIN accounts a ON a.id = d.account_id"
        f" WHERE d.organization_id = ?{only} GROUP BY a.id) AS r"
        " WHERE organization_id = ?",
        [*params, organization_id],
        "delegated_at",
        after,
        limit,
    )


def registrations_of(
    tx: Transaction,
    organization_id: str,
    account_id: str,
    after: Sequence[Any] | None,
    limit: int,
) -> list[Row]:
    """The principals (`id`) the account is registered for, with `registered_at`, in
    (registered_at, principal) order, after a position (L3, L4)."""
    return store.page(
        tx,
        "SELECT * FROM (SELECT organization_id, account_id,"
        " service_principal AS id, registered_at FROM delegated_administrators) AS d"
        " WHERE organization_id = ? AND account_id = ?",
        [organization_id, account_id],
        "registered_at",
        after,
        limit,
    )
