"""Responsibility transfers as the generated response models (X3, X4, X6), built
without validation as every answer is (`documents`).

**X6 One record, two views.** Both organizations read the same transfer; only its `Arn`
depends on who reads it: `arn:aws:organizations::<the viewer's management account>:
transfer/<the viewer's organization>/<type lowercased>/inbound|outbound/<id>`, with
`inbound` for the target (the organization that manages the responsibility) and
`outbound` for the source.

**X4 The handshake's Resources**, in this order: RESPONSIBILITY_TRANSFER (the transfer's
id), TRANSFER_TYPE, TRANSFER_START_TIMESTAMP (ISO 8601 in UTC with milliseconds,
`2031-04-01T00:00:00.000Z`), MANAGEMENT_ACCOUNT, MANAGEMENT_EMAIL and MANAGEMENT_NAME of
the inviting organization's management account, and NOTES when the invitation had notes.
"""

from __future__ import annotations

from generated.organizations.models import (
    HandshakeResource,
    ResponsibilityTransfer,
    TransferParticipant,
)
from generated.organizations.shapes import (
    HandshakeResourceType,
    ResponsibilityTransferStatus,
    ResponsibilityTransferType,
)
from handlers.organizations.documents import member, resource
from handlers.organizations.transfer_store import TransferRow
from runtime.clock import from_millis
from runtime.database import Row

__all__ = ["handshake_resources", "transfer", "transfer_arn"]


def transfer_arn(viewer: Row, row: TransferRow) -> str:
    """X6: the ARN as the organization `viewer` (either side) sees the transfer."""
    side = row.side_of(viewer["id"])
    assert side is not None, (viewer["id"], row.id)
    return (
        f"arn:aws:organizations::{viewer['management_account_id']}:transfer"
        f"/{viewer['id']}/{row.transfer_type.lower()}/{side}/{row.id}"
    )


def _participant(account_id: str, email: str | None) -> TransferParticipant:
    return TransferParticipant.model_construct(
        management_account_id=account_id, management_account_email=email
    )


def transfer(row: TransferRow, viewer: Row, now: int) -> ResponsibilityTransfer:
    """The transfer as `viewer` (its organization's row) sees it at `now` (X3, X6)."""
    return ResponsibilityTransfer.model_construct(
        arn=transfer_arn(viewer, row),
        name=row.name,
        id=row.id,
        type_=member(ResponsibilityTransferType, row.transfer_type),
        status=member(ResponsibilityTransferStatus, row.status_at(now)),
        source=_participant(row.source_account_id, row.source_email),
        target=_participant(row.target_account_id, row.target_email),
        start_timestamp=from_millis(row.start_at),
        end_timestamp=None if row.end_at is None else from_millis(row.end_at),
        active_handshake_id=row.handshake_id,
    )


def handshake_resources(
    row: TransferRow, sender: Row, notes: str | None
) -> list[HandshakeResource]:
    """X4's Resources (module docstring); `sender` is the inviting organization as
    `store.sender` reads it."""
    start = (
        from_millis(row.start_at)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
    resources = [
        resource(HandshakeResourceType.RESPONSIBILITY_TRANSFER, row.id),
        resource(HandshakeResourceType.TRANSFER_TYPE, row.transfer_type),
        resource(HandshakeResourceType.TRANSFER_START_TIMESTAMP, start),
        resource(
            HandshakeResourceType.MANAGEMENT_ACCOUNT, sender["management_account_id"]
        ),
        resource(HandshakeResourceType.MANAGEMENT_EMAIL, sender["management_email"]),
        resource(HandshakeResourceType.MANAGEMENT_NAME, sender["management_name"]),
    ]
    if notes is not None:
        resources.append(resource(HandshakeResourceType.NOTES, notes))
    return resources
