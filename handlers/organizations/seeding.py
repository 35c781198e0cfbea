"""What every section of a `--seed` document shares (`seed`): instants, ids checked
against the model's patterns, known accounts, entries named for errors. A bad entry
stops loading with one line naming it (`organizational_units[3]: ...`), raised as
`ValueError`.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from generated.organizations.shapes import (
    AccountId,
    CreateAccountRequestId,
    HandshakeId,
    OrganizationalUnitId,
    OrganizationId,
    ParentId,
    PolicyId,
    PolicyTargetId,
    ResourcePolicyId,
    ResponsibilityTransferId,
    RootId,
    TaggableResourceId,
)
from runtime.clock import to_millis
from runtime.database import Transaction
from runtime.types import parse_timestamp_text

__all__ = [
    "IDS",
    "NEVER",
    "checked",
    "entries",
    "known",
    "millis",
    "one_of",
    "required",
]


def millis(value: str | None, default: int = 0) -> int:
    """An ISO 8601 instant with a time zone, as epoch milliseconds (`default` when
    absent)."""
    if value is None:
        return default
    moment = parse_timestamp_text(value)
    if isinstance(moment, str) or moment.tzinfo is None:
        raise ValueError(f"seed: {value!r} is not an ISO 8601 instant with a time zone")
    return to_millis(moment)


IDS = {
    "account": TypeAdapter(AccountId),
    "organization": TypeAdapter(OrganizationId),
    "handshake": TypeAdapter(HandshakeId),
    "root": TypeAdapter(RootId),
    "organizational unit": TypeAdapter(OrganizationalUnitId),
    "parent": TypeAdapter(ParentId),
    "create account request": TypeAdapter(CreateAccountRequestId),
    "taggable resource": TypeAdapter(TaggableResourceId),
    "policy": TypeAdapter(PolicyId),
    "policy target": TypeAdapter(PolicyTargetId),
    "resource policy": TypeAdapter(ResourcePolicyId),
    "responsibility transfer": TypeAdapter(ResponsibilityTransferId),
}

#: A request still IN_PROGRESS with no completion instant never completes.
NEVER = 2**62


def one_of(kind: str, allowed: Any, value: Any, where: str) -> str:
    """`value` when it is one of the enum `allowed`'s values; a one-line error naming
    the entry otherwise."""
    names = [getattr(member, "value", member) for member in allowed]
    if value not in names:
        raise ValueError(
            f"seed: {where}: {value!r} is not a {kind} ({', '.join(names)})"
        )
    return str(value)


def checked(kind: str, value: Any, where: str) -> str:
    """An id the model accepts; a seed with a bad one stops the server, named."""
    try:
        checked: str = IDS[kind].validate_python(value)
    except ValidationError:
        raise ValueError(f"seed: {where}: {value!r} is not a valid {kind} id") from None
    return checked


def known(tx: Transaction, account_id: Any, where: str) -> None:
    """An account id that the server knows (the accounts file or the seed's accounts;
    a provisionable account does not exist yet)."""
    checked("account", account_id, where)
    if tx.one("SELECT id FROM accounts WHERE id = ?", (account_id,)) is None:
        raise ValueError(
            f"seed: {where}: account {account_id!r} is not a known account"
        )


def entries(document: dict[str, Any], section: str) -> list[tuple[str, dict[str, Any]]]:
    """The entries of a section, each with where it is (`section[index]`) for errors."""
    return [
        (f"{section}[{index}]", entry)
        for index, entry in enumerate(document.get(section, ()))
    ]


def required(entry: dict[str, Any], member: str, where: str) -> Any:
    """`entry[member]`; a one-line error naming the entry when it lacks it."""
    if member not in entry:
        raise ValueError(f"seed: {where}: lacks {member!r}")
    return entry[member]
