"""The `responsibility_transfers` section of a `--seed` document (organizations.md M8,
§11): transfers with fixed ids and instants, each with the TRANSFER_RESPONSIBILITY
handshake that proposed it.

```json
{"responsibility_transfers": [
  {"id": "rt-exampletransfer01", "handshake_id": "h-exampletransferhandshake01",
   "target_organization_id": "o-exampleorgid",
   "source_organization_id": "o-sourceorgid",
   "name": "Billing for the source", "start": "2031-04-01T00:00:00Z",
   "requested": "2031-03-01T00:00:00Z", "status": "ACCEPTED",
   "status_changed": "2031-03-02T00:00:00Z"}
]}
```

Members: `id`, `handshake_id`, `target_organization_id` (the inviting organization,
which manages the responsibility, X1), `source_organization_id` (the invited one),
`name`, `start` and `requested` are required; both organizations must be seeded (or
stored) already and differ. Optional: `type` (BILLING), `status` (REQUESTED,
ACCEPTED, DECLINED, CANCELED or WITHDRAWN; REQUESTED when absent; EXPIRED is not
stored, it follows from the clock: a REQUESTED transfer whose handshake's expiry,
start − 24 h, has come), `status_changed` (when it got that status; `requested` when
absent), `end` (the EndTimestamp: required with WITHDRAWN, refused otherwise),
`recipient` (the handshake's recipient party, `{"type": "ACCOUNT" | "EMAIL", "id":
...}`; the source's management account by id when absent), `notes`, `tags` (the
invitation's, `[{"Key", "Value"}]`).

The handshake is written as the invitation made it (X4): sent by the target, OPEN while
REQUESTED, ACCEPTED with an ACCEPTED or WITHDRAWN transfer, else DECLINED or CANCELED,
requested at `requested`, expiring at `start` − 24 h, its state changed at
`status_changed`. A transfer's own tags go in the `tags` section (loaded after this one)
with its id as `resource_id`; the `handshakes` section takes no TRANSFER_RESPONSIBILITY
handshake (it is made here, with its transfer). Loading is idempotent: a transfer whose
id is stored is left as it is; a handshake id already taken by another handshake stops
loading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from generated.organizations.models import Tag
from generated.organizations.shapes import (
    HandshakePartyType,
    ResponsibilityTransferType,
)
from handlers.organizations import store, tag_store, transfer_store
from handlers.organizations.seeding import checked, known, millis, one_of, required
from handlers.organizations.store import HandshakeRow
from handlers.organizations.transfer_store import TransferRow
from runtime.database import Transaction

__all__ = ["SECTION", "load_transfers"]

SECTION: Final = "responsibility_transfers"
#: A stored status and the state of the handshake that led to it.
_HANDSHAKE_STATE: Final = {
    "REQUESTED": "OPEN",
    "ACCEPTED": "ACCEPTED",
    "WITHDRAWN": "ACCEPTED",
    "DECLINED": "DECLINED",
    "CANCELED": "CANCELED",
}


def load_transfers(
    tx: Transaction, found: Sequence[tuple[str, dict[str, Any]]]
) -> None:
    """Every entry of the section, in order (module docstring)."""
    for where, entry in found:
        _transfer(tx, entry, where)


def _organization(
    tx: Transaction, entry: dict[str, Any], member: str, where: str
) -> str:
    """The management account of the organization `entry[member]` names."""
    organization_id = checked("organization", required(entry, member, where), where)
    org = store.sender(tx, organization_id)
    if org is None:
        raise ValueError(f"seed: {where}: organization {organization_id!r} is unknown")
    return str(org["management_account_id"])


def _invitation_tags(value: Any, where: str) -> list[Tag]:
    """The invitation's tags, `[{"Key": ..., "Value": ...}]` (T2's lengths)."""
    tags = []
    for tag in value or ():
        key, text = (
            (tag.get("Key"), tag.get("Value"))
            if isinstance(tag, dict)
            else (None, None)
        )
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise ValueError(f"seed: {where}: {tag!r} is not a tag")
        if not isinstance(text, str) or len(text) > 256:
            raise ValueError(f"seed: {where}: {tag!r} is not a tag")
        tags.append(Tag.model_construct(key=key, value=text))
    return tags


def _transfer(tx: Transaction, entry: dict[str, Any], where: str) -> None:
    transfer_id = checked(
        "responsibility transfer", required(entry, "id", where), where
    )
    handshake_id = checked("handshake", required(entry, "handshake_id", where), where)
    target_account = _organization(tx, entry, "target_organization_id", where)
    source_account = _organization(tx, entry, "source_organization_id", where)
    if entry["target_organization_id"] == entry["source_organization_id"]:
        raise ValueError(f"seed: {where}: a transfer needs two organizations")
    name = required(entry, "name", where)
    if not isinstance(name, str) or not 1 <= len(name) <= 128:
        raise ValueError(f"seed: {where}: {name!r} is not a transfer name")
    transfer_type = one_of(
        "transfer type",
        ResponsibilityTransferType,
        entry.get("type", "BILLING"),
        where,
    )
    status = one_of(
        "transfer status",
        tuple(_HANDSHAKE_STATE),
        entry.get("status", "REQUESTED"),
        where,
    )
    start = millis(required(entry, "start", where))
    requested = millis(required(entry, "requested", where))
    changed = millis(entry.get("status_changed"), requested)
    if (status == "WITHDRAWN") != ("end" in entry):
        raise ValueError(f"seed: {where}: 'end' goes with a WITHDRAWN transfer only")
    end = millis(entry["end"]) if "end" in entry else None
    recipient = entry.get("recipient") or {"type": "ACCOUNT", "id": source_account}
    recipient_type = one_of(
        "recipient type",
        (HandshakePartyType.ACCOUNT, HandshakePartyType.EMAIL),
        recipient.get("type"),
        where,
    )
    recipient_id: Any = recipient.get("id")
    if recipient_type == HandshakePartyType.ACCOUNT:
        known(tx, recipient_id, where)
    elif isinstance(recipient_id, str) and "@" in recipient_id:
        recipient_id = recipient_id.lower()
    else:
        raise ValueError(f"seed: {where}: {recipient_id!r} is not an email address")
    tags = _invitation_tags(entry.get("tags"), where)
    if (
        tx.one("SELECT id FROM responsibility_transfers WHERE id = ?", (transfer_id,))
        is not None
    ):
        return
    if tx.one("SELECT id FROM handshakes WHERE id = ?", (handshake_id,)) is not None:
        raise ValueError(f"seed: {where}: handshake {handshake_id!r} exists already")
    store.insert_handshake(
        tx,
        HandshakeRow(
            id=handshake_id,
            organization_id=entry["target_organization_id"],
            action="TRANSFER_RESPONSIBILITY",
            state=_HANDSHAKE_STATE[status],
            target_type=recipient_type,
            target_id=recipient_id,
            notes=entry.get("notes"),
            tags=tag_store.dump_stored(tags),
            parent_id=None,
            requested_at=requested,
            expires_at=transfer_store.expiry(start),
            state_changed_at=changed,
            version=0,
        ),
    )
    transfer_store.insert(
        tx,
        TransferRow(
            id=transfer_id,
            transfer_type=transfer_type,
            name=name,
            source_organization_id=entry["source_organization_id"],
            source_account_id=source_account,
            target_organization_id=entry["target_organization_id"],
            target_account_id=target_account,
            handshake_id=handshake_id,
            start_at=start,
            end_at=end,
            status=status,
            created_at=requested,
            status_changed_at=changed,
            source_email=None,
            target_email=None,
        ),
    )
