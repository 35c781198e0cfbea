"""The seed section of the delegation policy (organizations.md M8, D11;
`seed.AREA_SECTIONS`, loaded after the organizations and their members, before `tags`):

```json
{
  "resource_policies": [{"organization_id": "o-exampleorgid", "id": "rp-exampleid1",
                         "content": "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [...]}",
                         "created": "2020-01-01T00:00:00Z",
                         "updated": "2020-01-02T00:00:00Z"}]
}
```

One entry per organization at most, as PutResourcePolicy would have stored it: the
organization is stored and has ALL features (D2); `id` is a delegation policy id
(`rp-…`, the model's pattern) that no other entity of the server has (C1); `content`
is a string of at most 40,000 characters (the model's limit) that D11's checks accept
for that organization as it stands after the seed's organizations and members
(`resource_policy_documents.document_problem`: principals are its members, never its
management account). `created` defaults to the epoch and `updated` to `created` (ISO
8601 instants with a time zone). Its tags go in the `tags` section (`resource_id` = the
policy's id).

Loading is idempotent: an organization that has a delegation policy keeps it (the
entry is not checked again). A bad entry stops loading with one line naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from handlers.organizations import resource_policy_store, store
from handlers.organizations.resource_policy_documents import document_problem
from handlers.organizations.seeding import checked, millis, required
from runtime.database import Transaction

__all__ = ["load_resource_policies"]

#: The model's maximum length of `ResourcePolicyContent`.
_MAX_CONTENT: Final = 40_000


def load_resource_policies(
    tx: Transaction, entries: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """The `resource_policies` section (module docstring)."""
    for where, entry in entries:
        _resource_policy(tx, entry, where)


def _resource_policy(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    organization_id = checked(
        "organization", required(entry, "organization_id", where), where
    )
    policy_id = checked("resource policy", required(entry, "id", where), where)
    content = required(entry, "content", where)
    if not isinstance(content, str) or not 1 <= len(content) <= _MAX_CONTENT:
        raise ValueError(
            f"seed: {where}: 'content' is not a string of 1 to {_MAX_CONTENT}"
            " characters"
        )
    org = store.sender(tx, organization_id)
    if org is None:
        raise ValueError(f"seed: {where}: organization {organization_id!r} is unknown")
    if resource_policy_store.policy(tx, organization_id) is not None:
        return
    if org["feature_set"] != "ALL":
        raise ValueError(
            f"seed: {where}: organization {organization_id!r} does not have ALL"
            " features (D2)"
        )
    if store.id_taken(tx, policy_id):
        raise ValueError(f"seed: {where}: {policy_id!r} is already an entity's id")
    problem = document_problem(tx, org, content)
    if problem is not None:
        raise ValueError(f"seed: {where}: the content is refused: {problem.value}")
    created = millis(entry.get("created"))
    resource_policy_store.insert(
        tx,
        organization_id,
        policy_id,
        content,
        created,
        millis(entry.get("updated"), created),
    )
