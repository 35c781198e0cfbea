"""The seed section `effective_policy_errors` (organizations.md M8, E11): validation
errors injected into an account's effective policy of a type, which the server never
produces itself and ListAccountsWithInvalidEffectivePolicy (E10) and
ListEffectivePolicyValidationErrors (E12) report.

```json
"effective_policy_errors": [
  {"account_id": "999999999999", "policy_type": "TAG_POLICY",
   "error_code": "ELEMENTS_TOO_MANY",
   "error_message": "The tag policy has too many values for tag_value.",
   "path_to_error": "tags/costcenter/tag_value",
   "contributing_policies": ["p-examplepolicyid111"]}
]
```

- `account_id`: a known account that is a member (or the management account) of a
  seeded or stored organization; the errors belong to that organization and go when the
  account departs or the organization is deleted (`policy_store`);
- `policy_type`: one of the management types (`EffectivePolicyType`, E1);
- `error_code`, `error_message`, `path_to_error`: text, all three required [DECIDED:
  an error without them would tell a caller nothing];
- `contributing_policies`: policy ids (the model's pattern), `[]` when absent; they are
  reported as given [DECIDED: an error may name a policy since changed or deleted].

An account's errors of one type are reported in the order listed (L3 "as stored").
Loading is idempotent: an account whose errors of a type are already stored keeps them,
and the seed's entries for that account and type are not added again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generated.organizations.shapes import EffectivePolicyType
from handlers.organizations import effective_store
from handlers.organizations.seeding import checked, known, one_of, required
from runtime.database import Transaction

__all__ = ["SECTION", "load_errors"]

#: The section's name in a seed document.
SECTION = "effective_policy_errors"

_TEXT_MEMBERS = ("error_code", "error_message", "path_to_error")


def load_errors(tx: Transaction, entries: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """The section's entries (each with where it is, for errors), checked first, then
    stored per account and type in the order listed (module docstring)."""
    groups: dict[tuple[str, str], tuple[str, list[list[Any]]]] = {}
    for where, entry in entries:
        account_id = required(entry, "account_id", where)
        known(tx, account_id, where)
        row = tx.one("SELECT organization_id FROM accounts WHERE id = ?", (account_id,))
        if row is None or row["organization_id"] is None:
            raise ValueError(
                f"seed: {where}: account {account_id!r} is in no organization"
            )
        policy_type = one_of(
            "management policy type",
            EffectivePolicyType,
            required(entry, "policy_type", where),
            where,
        )
        error: list[Any] = []
        for member in _TEXT_MEMBERS:
            value = required(entry, member, where)
            if not isinstance(value, str):
                raise ValueError(f"seed: {where}: {member} {value!r} is not text")
            error.append(value)
        contributing = entry.get("contributing_policies", [])
        if not isinstance(contributing, list):
            raise ValueError(f"seed: {where}: contributing_policies is not a list")
        error.append([checked("policy", policy, where) for policy in contributing])
        group = groups.setdefault(
            (account_id, policy_type), (row["organization_id"], [])
        )
        group[1].append(error)
    for (account_id, policy_type), (organization_id, errors) in groups.items():
        if effective_store.errors_stored(tx, account_id, policy_type):
            continue
        for seq, error in enumerate(errors, start=1):
            effective_store.insert_error(
                tx, organization_id, account_id, policy_type, seq, error
            )
