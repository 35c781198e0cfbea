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

The organization's structure (README "Seeding a known world", organizations.md M8):

- an organization's `root_id` (`r-` + its id's suffix) and `enabled_policy_types` (in
  the order enabled; SERVICE_CONTROL_POLICY with ALL features, as CreateOrganization,
  O1, whose management account joined INVITED: so does a seeded one);
- `organizational_units`: `{"id", "organization_id", "parent_id", "name", "created"}`,
  a parent listed before its children; the depth follows;
- a member's `"parent_id"` (root or OU; the root when absent), `"state"`
  (AccountState: PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED) and
  `"standalone_ready"` (false: it has no verified phone to stand alone with, A18);
- `create_account_statuses`: `{"id", "organization_id", "account_name", "email",
  "state", "requested", "completed", "account_id", "failure_reason", "outcome"}`
  (`_create_account_status`);
- `policies` and `policy_attachments` (`seed_policies`), and the default attachments
  of an organization that lists none (FullAWSAccess on every target with SCPs
  enabled, P4);
- `tags`: `{"resource_id", "key", "value"}` rows, each resource's in order (T5), of any
  taggable resource, customer policies and the delegation policy included;
- `account_states`: `{"account_id", "state"}`, any known account's State (an account in
  no organization too: PENDING_ACTIVATION exists only this way, A23, O2);
- the other areas' sections (`AREA_SECTIONS`): `enabled_services` and
  `delegated_administrators` (`seed_delegated`); `resource_policies`, the delegation
  policy (`seed_delegation`); `effective_policy_errors` (`seed_effective`);
  `responsibility_transfers` (`seed_transfers`).

Ids are checked against the model's patterns. Loading is idempotent: organizations
(with their members' placement), OUs, handshakes, create-account requests and tag keys
already stored are left as they are. A bad entry stops loading with one line naming it
(`organizational_units[3]: ...`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from generated.organizations.shapes import (
    AccountState,
    CreateAccountFailureReason,
    CreateAccountState,
    PolicyType,
)
from handlers.organizations import (
    creation_store,
    seed_delegated,
    seed_delegation,
    seed_effective,
    seed_policies,
    seed_transfers,
    store,
    tag_store,
    tree_store,
)
from handlers.organizations.seeding import (
    NEVER,
    checked,
    entries,
    known,
    millis,
    one_of,
    required,
)
from runtime.database import Transaction

#: A section's loader: its entries, each with where it is (`section[index]`).
Loader = Callable[[Transaction, Sequence[tuple[str, dict[str, Any]]]], None]

#: The sections of the other areas (policies, trusted access, ...), each loaded by its
#: own module, in this order: after the structure, handshakes and create-account
#: statuses, before `tags` (which may tag what they store).
AREA_SECTIONS: tuple[tuple[str, Loader], ...] = (
    # Policies (`seed_policies`): customer policies, then attachments and the defaults
    # of organizations that list none (M8, P4).
    ("policies", seed_policies.load_policies),
    ("policy_attachments", seed_policies.load_attachments),
    # The delegation policy (D11; `seed_delegation`), after the members it may name.
    ("resource_policies", seed_delegation.load_resource_policies),
    # Trusted access, then delegated administrators (D3, D6; `seed_delegated`).
    ("enabled_services", seed_delegated.load_enabled_services),
    ("delegated_administrators", seed_delegated.load_delegated_administrators),
    # Validation errors of effective policies (E11; `seed_effective`).
    (seed_effective.SECTION, seed_effective.load_errors),
    # Responsibility transfers with their handshakes (X3, X4; `seed_transfers`).
    (seed_transfers.SECTION, seed_transfers.load_transfers),
)

#: The top-level members of a seed document.
SECTIONS = (
    "accounts",
    "account_states",
    "organizations",
    "organizational_units",
    "handshakes",
    "create_account_statuses",
    *(name for name, _ in AREA_SECTIONS),
    "tags",
)


def read_seed(path: str | Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(Path(path).read_text())
    return document


def load_seed(tx: Transaction, path: str | Path) -> None:
    """`load` the seed file at `path` (for scripts that fill a database before a server
    opens it; the server itself calls `load` through `Handlers.load_seed`)."""
    load(tx, read_seed(path))


def load(tx: Transaction, document: dict[str, Any]) -> None:
    """Store the organizations, OUs, handshakes, create-account statuses and tags of a
    parsed seed document; its accounts are the runtime's (they are in the accounts table
    by now, `Handlers.start`). A bad entry stops loading with one line naming it."""
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise ValueError(f"seed: unknown section(s) {', '.join(map(repr, unknown))}")
    try:
        _load(tx, document)
    except KeyError as missing:
        raise ValueError(f"seed: an entry lacks the member {missing}") from None


def _load(tx: Transaction, document: dict[str, Any]) -> None:
    for where, entry in entries(document, "account_states"):
        _account_state(tx, entry, where)
    stored = [
        (where, org)
        for where, org in entries(document, "organizations")
        if _organization(tx, org, where)
    ]
    for where, entry in entries(document, "organizational_units"):
        _organizational_unit(tx, entry, where)
    # Members of the organizations stored now are placed once every OU exists (a
    # member's `parent_id` may name one); those stored before are left as they are.
    for where, org in stored:
        for index, member in enumerate(org.get("members", ())):
            _place(tx, org["id"], member, f"{where}.members[{index}]")
    for where, entry in entries(document, "handshakes"):
        _handshake(tx, entry, where)
    for where, entry in entries(document, "create_account_statuses"):
        _create_account_status(tx, entry, where)
    for section, loader in AREA_SECTIONS:
        loader(tx, entries(document, section))
    for where, entry in entries(document, "tags"):
        _tag(tx, entry, where)


def _organization(tx: Transaction, org: dict[str, Any], where: str) -> bool:
    """O1 as CreateOrganization: the management account joined INVITED under the root;
    with ALL features the root has SERVICE_CONTROL_POLICY enabled, unless the entry lists
    its `enabled_policy_types` itself (in the order they were enabled). False when the
    organization was stored before (left as it is)."""
    checked("organization", required(org, "id", where), where)
    known(tx, required(org, "management_account_id", where), where)
    feature_set = org.get("feature_set", "ALL")
    if feature_set not in ("ALL", "CONSOLIDATED_BILLING"):
        raise ValueError(f"seed: {where}: {feature_set!r} is not a feature set")
    policy_types = org.get(
        "enabled_policy_types",
        ["SERVICE_CONTROL_POLICY"] if feature_set == "ALL" else [],
    )
    for policy_type in policy_types:
        one_of("policy type", PolicyType, policy_type, where)
    for index, member in enumerate(org.get("members", ())):
        known(tx, required(member, "account_id", where), f"{where}.members[{index}]")
    root_id = org.get("root_id") or "r-" + org["id"][2:]
    checked("root", root_id, where)
    if tx.one("SELECT id FROM organizations WHERE id = ?", (org["id"],)) is not None:
        return False
    created = millis(org.get("created"))
    management = org["management_account_id"]
    store.insert_organization(tx, org["id"], root_id, management, feature_set, created)
    store.join(tx, management, org["id"], "INVITED", created, None)
    for policy_type in policy_types:
        tree_store.enable_policy_type(tx, org["id"], policy_type)
    for member in org.get("members", ()):
        store.join(
            tx,
            member["account_id"],
            org["id"],
            one_of(
                "joined method",
                ("INVITED", "CREATED"),
                member.get("joined_method", "INVITED"),
                where,
            ),
            millis(member.get("joined"), created),
            None,
        )
    return True


def _account_state(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    """`{"account_id", "state"}`: a known account's State, in or outside an
    organization (A23: PENDING_ACTIVATION exists only this way; O2)."""
    account_id = required(entry, "account_id", where)
    known(tx, account_id, where)
    state = one_of(
        "account state", AccountState, required(entry, "state", where), where
    )
    tx.execute("UPDATE accounts SET state = ? WHERE id = ?", (state, account_id))


def _place(
    tx: Transaction, organization_id: str, member: dict[str, Any], where: str
) -> None:
    """A member's `parent_id` (the root when absent), `state` (ACTIVE when absent) and
    `standalone_ready` (true when absent; false: it cannot leave, A18),
    written when its organization is stored."""
    row = tx.one(
        "SELECT o.root_id, a.organization_id FROM organizations o, accounts a"
        " WHERE o.id = ? AND a.id = ?",
        (organization_id, member["account_id"]),
    )
    if row is None or row["organization_id"] != organization_id:
        return
    parent_id = member.get("parent_id")
    if parent_id is not None and parent_id != row["root_id"]:
        checked("parent", parent_id, where)
        if tree_store.ou(tx, organization_id, parent_id) is None:
            raise ValueError(
                f"seed: {where}: parent {parent_id!r} is neither the organization's"
                " root nor one of its organizational units"
            )
        tx.execute(
            "UPDATE accounts SET parent_id = ? WHERE id = ?",
            (parent_id, member["account_id"]),
        )
    if "state" in member:
        state = one_of("account state", AccountState, member["state"], where)
        tx.execute(
            "UPDATE accounts SET state = ? WHERE id = ?", (state, member["account_id"])
        )
    if "standalone_ready" in member:
        ready = member["standalone_ready"]
        if not isinstance(ready, bool):
            raise ValueError(f"seed: {where}: 'standalone_ready' is true or false")
        tx.execute(
            "UPDATE accounts SET standalone_ready = ? WHERE id = ?",
            (int(ready), member["account_id"]),
        )


def _organizational_unit(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    """An OU under its organization's root or an OU listed before it; its depth follows
    from its parent's (U3)."""
    ou_id = checked("organizational unit", required(entry, "id", where), where)
    organization_id = checked(
        "organization", required(entry, "organization_id", where), where
    )
    parent_id = checked("parent", required(entry, "parent_id", where), where)
    name = required(entry, "name", where)
    if not isinstance(name, str) or not 1 <= len(name) <= 128:
        raise ValueError(f"seed: {where}: {name!r} is not an OU name")
    org = tx.one("SELECT root_id FROM organizations WHERE id = ?", (organization_id,))
    if org is None:
        raise ValueError(f"seed: {where}: organization {organization_id!r} is unknown")
    if parent_id == org["root_id"]:
        depth = 1
    else:
        parent = tree_store.ou(tx, organization_id, parent_id)
        if parent is None:
            raise ValueError(
                f"seed: {where}: parent {parent_id!r} is neither the organization's"
                " root nor an organizational unit listed before this one"
            )
        depth = int(parent["depth"]) + 1
    existing = tx.one(
        "SELECT organization_id FROM organizational_units WHERE id = ?", (ou_id,)
    )
    if existing is not None:
        if existing["organization_id"] != organization_id:
            raise ValueError(
                f"seed: {where}: {ou_id!r} belongs to another organization"
            )
        return
    if store.id_taken(tx, ou_id):
        raise ValueError(f"seed: {where}: {ou_id!r} is already an organization's id")
    if tree_store.sibling_named(tx, parent_id, name):
        raise ValueError(
            f"seed: {where}: {parent_id!r} already has an OU named {name!r}"
        )
    tree_store.insert_ou(
        tx,
        ou_id,
        organization_id,
        parent_id,
        name,
        depth,
        millis(entry.get("created")),
    )


def _handshake(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    checked("handshake", required(entry, "id", where), where)
    checked("organization", required(entry, "organization_id", where), where)
    if entry.get("parent_id") is not None:
        checked("handshake", entry["parent_id"], where)
    if tx.one("SELECT id FROM handshakes WHERE id = ?", (entry["id"],)) is not None:
        return
    requested = millis(required(entry, "requested", where))
    action = required(entry, "action", where)
    if action not in store.LIFETIME_MS:
        raise ValueError(f"seed: {where}: {action!r} is not a handshake action")
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
            action=action,
            state=entry.get("state", "OPEN"),
            target_type=target_type,
            target_id=target_id,
            notes=entry.get("notes"),
            tags=json.dumps(entry["tags"]) if entry.get("tags") else None,
            parent_id=entry.get("parent_id"),
            requested_at=requested,
            expires_at=millis(
                entry.get("expires"), requested + store.LIFETIME_MS[action]
            ),
            state_changed_at=millis(entry.get("state_changed"), requested),
            version=0,
        ),
    )


def _create_account_status(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    """A CreateAccount request's record (A5, M1). `state` SUCCEEDED or FAILED completed
    at `completed` (default `requested`); IN_PROGRESS completes at `completed` with
    `outcome` (SUCCEEDED unless given), or never when `completed` is absent. A completed
    SUCCEEDED request needs its `account_id`, and writes that account as CreateAccount
    would (`creation_store.settle`) unless it exists already."""
    request_id = checked("create account request", required(entry, "id", where), where)
    organization_id = checked(
        "organization", required(entry, "organization_id", where), where
    )
    if tx.one("SELECT id FROM organizations WHERE id = ?", (organization_id,)) is None:
        raise ValueError(f"seed: {where}: organization {organization_id!r} is unknown")
    state = one_of(
        "create account state",
        CreateAccountState,
        entry.get("state", "SUCCEEDED"),
        where,
    )
    requested = millis(required(entry, "requested", where))
    if state == "IN_PROGRESS":
        outcome = one_of(
            "create account outcome",
            ("SUCCEEDED", "FAILED"),
            entry.get("outcome", "SUCCEEDED"),
            where,
        )
        completes = millis(entry.get("completed"), NEVER)
    else:
        outcome = state
        completes = millis(entry.get("completed"), requested)
    account_id = entry.get("account_id")
    if account_id is not None:
        checked("account", account_id, where)
    elif outcome == "SUCCEEDED" and completes != NEVER:
        raise ValueError(f"seed: {where}: a SUCCEEDED request needs its 'account_id'")
    failure = entry.get("failure_reason")
    if outcome == "FAILED":
        failure = one_of(
            "failure reason",
            CreateAccountFailureReason,
            failure or "INTERNAL_FAILURE",
            where,
        )
    if creation_store.request(tx, request_id) is not None:
        return
    creation_store.insert_request(
        tx,
        {
            "id": request_id,
            "organization_id": organization_id,
            "account_name": required(entry, "account_name", where),
            "email": entry.get("email") or f"{request_id}@example.com",
            "requested_at": requested,
            "completes_at": completes,
            "outcome": outcome,
            "failure_reason": failure if outcome == "FAILED" else None,
            "account_id": account_id,
            "role_name": entry.get("role_name"),
            "iam_user_access_to_billing": entry.get("iam_user_access_to_billing"),
            "tags": None,
        },
    )


def _tag(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    """A tag of any resource (root, OU, account, ...), numbered after the resource's
    tags in the order given (T5), as `tag_store` writes them; a key the resource has
    already is left as it is."""
    resource_id = checked(
        "taggable resource", required(entry, "resource_id", where), where
    )
    key = required(entry, "key", where)
    value = required(entry, "value", where)
    if not isinstance(key, str) or not 1 <= len(key) <= 128:
        raise ValueError(f"seed: {where}: {key!r} is not a tag key")
    if not isinstance(value, str) or len(value) > 256:
        raise ValueError(f"seed: {where}: {value!r} is not a tag value")
    if tx.one(
        "SELECT 1 AS found FROM tags WHERE resource_id = ? AND tag_key = ?",
        (resource_id, key),
    ):
        return
    tag_store.add_tags(tx, resource_id, [(key, value)])
