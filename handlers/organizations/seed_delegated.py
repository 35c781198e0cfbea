"""The seed sections of trusted access and delegated administrators (organizations.md
M8; `seed.AREA_SECTIONS`, loaded in this order, after the organizations and their
members):

```json
{
  "enabled_services": [{"organization_id": "o-exampleorgid",
                        "service_principal": "securityhub.amazonaws.com",
                        "enabled": "2020-01-01T00:00:00Z"}],
  "delegated_administrators": [{"account_id": "333333333333",
                                "service_principal": "securityhub.amazonaws.com",
                                "registered": "2020-01-02T00:00:00Z"}]
}
```

- `enabled_services`: the organization gave the principal trusted access at `enabled`
  (ListAWSServiceAccessForOrganization's DateEnabled, D5);
- `delegated_administrators`: the account, a member of an organization, is registered
  for the principal at `registered` (DelegationEnabledDate, D8, D9). As D6 would have it,
  the principal is enabled in the account's organization (by the section above or an
  earlier load) and the account is not its management account; its State may be
  anything (A22: registrations survive closure).

`enabled` and `registered` are ISO 8601 instants with a time zone (default: the epoch,
as every instant of a seed). A principal is 1–128 characters (the model's
`ServicePrincipal`); DECIDED: the registry (`service_principals`) is not consulted,
since a seed describes stored state, and the registry decides only what operations may
name. Rows already stored are left as they are (loading is idempotent); a bad entry
stops loading with one line naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter, ValidationError

from generated.organizations.shapes import ServicePrincipal
from handlers.organizations import delegated_store
from handlers.organizations.seeding import checked, known, millis, required
from runtime.database import Transaction

__all__ = ["load_delegated_administrators", "load_enabled_services"]

_PRINCIPAL = TypeAdapter(ServicePrincipal)


def _principal(entry: dict[str, Any], where: str) -> str:
    value = required(entry, "service_principal", where)
    try:
        principal: str = _PRINCIPAL.validate_python(value)
    except ValidationError:
        raise ValueError(
            f"seed: {where}: {value!r} is not a service principal"
        ) from None
    return principal


def load_enabled_services(
    tx: Transaction, entries: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """The `enabled_services` section (module docstring)."""
    for where, entry in entries:
        organization_id = checked(
            "organization", required(entry, "organization_id", where), where
        )
        principal = _principal(entry, where)
        if (
            tx.one("SELECT id FROM organizations WHERE id = ?", (organization_id,))
            is None
        ):
            raise ValueError(
                f"seed: {where}: organization {organization_id!r} is unknown"
            )
        if not delegated_store.is_enabled(tx, organization_id, principal):
            delegated_store.enable_service(
                tx, organization_id, principal, millis(entry.get("enabled"))
            )


def load_delegated_administrators(
    tx: Transaction, entries: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """The `delegated_administrators` section (module docstring)."""
    for where, entry in entries:
        account_id = required(entry, "account_id", where)
        known(tx, account_id, where)
        principal = _principal(entry, where)
        row = tx.one(
            "SELECT a.organization_id, o.management_account_id FROM accounts a"
            " JOIN organizations o ON o.id = a.organization_id WHERE a.id = ?",
            (account_id,),
        )
        if row is None:
            raise ValueError(
                f"seed: {where}: account {account_id!r} is in no organization"
            )
        if row["management_account_id"] == account_id:
            raise ValueError(
                f"seed: {where}: account {account_id!r} is its organization's"
                " management account"
            )
        organization_id = row["organization_id"]
        if not delegated_store.is_enabled(tx, organization_id, principal):
            raise ValueError(
                f"seed: {where}: {principal!r} has no trusted access in"
                f" {organization_id!r}"
            )
        if not delegated_store.registered(tx, organization_id, account_id, principal):
            delegated_store.register(
                tx,
                organization_id,
                account_id,
                principal,
                millis(entry.get("registered")),
            )
