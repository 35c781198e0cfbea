"""Stored rows as the generated response models: ARNs, parties and resources (R3, R4)."""

from __future__ import annotations

from typing import Any

from generated.organizations.models import (
    Account,
    Handshake,
    Organization,
)
from generated.organizations.shapes import (
    AccountJoinedMethod,
    AccountState,
    AccountStatus,
    ActionType,
    HandshakePartyType,
    HandshakeResourceType,
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

    Written as wire-named data and validated in one step (one call into pydantic-core for
    the whole tree, rather than one per party and resource), so every constraint of the
    model still holds for what the handlers answer.
    """
    sender = {"Id": org["id"], "Type": HandshakePartyType.ORGANIZATION}
    parties: list[dict[str, str]]
    resources: list[dict[str, Any]]
    if row.action == ActionType.ENABLE_ALL_FEATURES:
        parties = [sender]
        resources = [{"Type": HandshakeResourceType.ORGANIZATION, "Value": org["id"]}]
    else:
        assert row.target_type is not None and row.target_id is not None
        parties = [{"Id": row.target_id, "Type": row.target_type}, sender]
        resources = [
            {
                "Type": HandshakeResourceType.ORGANIZATION,
                "Value": org["id"],
                "Resources": [
                    {
                        "Type": HandshakeResourceType.MASTER_EMAIL,
                        "Value": org["management_email"],
                    },
                    {
                        "Type": HandshakeResourceType.MASTER_NAME,
                        "Value": org["management_name"],
                    },
                ],
            },
            {"Type": row.target_type, "Value": row.target_id},
        ]
        if row.notes is not None:
            resources.append({"Type": HandshakeResourceType.NOTES, "Value": row.notes})
        if row.parent_id is not None:
            resources.append(
                {"Type": HandshakeResourceType.PARENT_HANDSHAKE, "Value": row.parent_id}
            )
    return Handshake.model_validate(
        {
            "Id": row.id,
            "Arn": handshake_arn(org, row),
            "Parties": parties,
            "State": row.state,
            "RequestedTimestamp": from_millis(row.requested_at),
            "ExpirationTimestamp": from_millis(row.expires_at),
            "Action": row.action,
            "Resources": resources,
        }
    )
