"""Stored rows as the generated response models: ARNs, parties and resources (R3, R4)."""

from __future__ import annotations

from generated.organizations.models import (
    Account,
    Handshake,
    HandshakeParty,
    HandshakeResource,
    Organization,
)
from generated.organizations.shapes import (
    AccountJoinedMethod,
    AccountState,
    AccountStatus,
    ActionType,
    HandshakePartyType,
    HandshakeResourceType,
    HandshakeState,
    OrganizationFeatureSet,
)
from handlers.organizations.store import HandshakeRow
from runtime.clock import from_millis
from runtime.database import Row


def organization_arn(org: Row) -> str:
    return f"arn:aws:organizations::{org['management_account_id']}:organization/{org['id']}"


def account_arn(org: Row, account_id: str) -> str:
    return f"arn:aws:organizations::{org['management_account_id']}:account/{org['id']}/{account_id}"


def handshake_arn(org: Row, row: HandshakeRow) -> str:
    return (
        f"arn:aws:organizations::{org['management_account_id']}:handshake/{org['id']}"
        f"/{row.action.lower()}/{row.id}"
    )


def organization(org: Row) -> Organization:
    """`org` as `store.sender` reads it (with the management account's email)."""
    return Organization(
        id=org["id"],
        arn=organization_arn(org),
        feature_set=OrganizationFeatureSet(org["feature_set"]),
        master_account_arn=account_arn(org, org["management_account_id"]),
        master_account_id=org["management_account_id"],
        master_account_email=org["management_email"],
        available_policy_types=[],
    )


def account(org: Row, row: Row) -> Account:
    return Account(
        id=row["id"],
        arn=account_arn(org, row["id"]),
        email=row["email"],
        name=row["name"],
        status=AccountStatus.ACTIVE,
        state=AccountState.ACTIVE,
        joined_method=AccountJoinedMethod(row["joined_method"]),
        joined_timestamp=from_millis(row["joined_at"]),
    )


def handshake(row: HandshakeRow, org: Row) -> Handshake:
    """The handshake document. An invitation (R4) reads, as botocore's example:

    Parties: the recipient (ACCOUNT or EMAIL), then the sender (ORGANIZATION);
    Resources: the ORGANIZATION (with MASTER_EMAIL and MASTER_NAME), the target, then NOTES
    when notes were given. An APPROVE_ALL_FEATURES request carries its PARENT_HANDSHAKE;
    ENABLE_ALL_FEATURES has only the organization, as party and resource. `org` is the
    sender as `store.sender` reads it (with its management account's name and email).
    """
    sender = HandshakeParty(id=org["id"], type_=HandshakePartyType.ORGANIZATION)
    organization_resource = HandshakeResource(
        type_=HandshakeResourceType.ORGANIZATION,
        value=org["id"],
        resources=[
            HandshakeResource(
                type_=HandshakeResourceType.MASTER_EMAIL, value=org["management_email"]
            ),
            HandshakeResource(
                type_=HandshakeResourceType.MASTER_NAME, value=org["management_name"]
            ),
        ],
    )
    if row.action == ActionType.ENABLE_ALL_FEATURES:
        parties = [sender]
        resources = [
            HandshakeResource(type_=HandshakeResourceType.ORGANIZATION, value=org["id"])
        ]
    else:
        assert row.target_type is not None and row.target_id is not None
        parties = [
            HandshakeParty(id=row.target_id, type_=HandshakePartyType(row.target_type)),
            sender,
        ]
        resources = [
            organization_resource,
            HandshakeResource(
                type_=HandshakeResourceType(row.target_type), value=row.target_id
            ),
        ]
        if row.notes is not None:
            resources.append(
                HandshakeResource(type_=HandshakeResourceType.NOTES, value=row.notes)
            )
        if row.parent_id is not None:
            resources.append(
                HandshakeResource(
                    type_=HandshakeResourceType.PARENT_HANDSHAKE, value=row.parent_id
                )
            )
    return Handshake(
        id=row.id,
        arn=handshake_arn(org, row),
        parties=parties,
        state=HandshakeState(row.state),
        requested_timestamp=from_millis(row.requested_at),
        expiration_timestamp=from_millis(row.expires_at),
        action=ActionType(row.action),
        resources=resources,
    )
