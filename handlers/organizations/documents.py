"""Stored rows as the generated response models: ARNs, parties and resources (R3, R4).

**Outputs are not validated again.** Requests are validated on the way in; what the
server stored is answered as stored. The models here are built with `model_construct`
(python field names, nested models constructed too, enums as the generated members,
timestamps as aware datetimes), so that a value a newer botocore model would refuse —
a tightened pattern or length on a name, notes or a tag already stored — is still
answered instead of failing the request. An enum value the model no longer lists is
answered as it was stored (a pseudo-member, as a tolerant client reads it). Handlers
build their response models the same way (`Response.model_construct(...)`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from generated.organizations.models import (
    Account,
    Handshake,
    HandshakeParty,
    HandshakeResource,
    Organization,
    PolicyTypeSummary,
    Tag,
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
    PolicyType,
    PolicyTypeStatus,
)
from handlers.organizations.store import HandshakeRow
from runtime.clock import from_millis
from runtime.database import Row
from runtime.enums import AwsEnum, tolerate_unknown_enum_values

_Enum = TypeVar("_Enum", bound=AwsEnum)


def member(enum: type[_Enum], value: str) -> _Enum:
    """`value` as a member of `enum`; a value the model no longer lists as it was stored."""
    try:
        return enum(value)
    except ValueError:
        with tolerate_unknown_enum_values():
            return enum(value)


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
    return Organization.model_construct(
        id=org["id"],
        arn=organization_arn(org),
        feature_set=member(OrganizationFeatureSet, org["feature_set"]),
        master_account_arn=account_arn(org, org["management_account_id"]),
        master_account_id=org["management_account_id"],
        master_account_email=org["management_email"],
        # O3: deprecated; SERVICE_CONTROL_POLICY ENABLED with ALL features, whatever
        # the root has enabled; nothing for CONSOLIDATED_BILLING.
        available_policy_types=(
            [
                PolicyTypeSummary.model_construct(
                    type_=member(PolicyType, "SERVICE_CONTROL_POLICY"),
                    status=member(PolicyTypeStatus, "ENABLED"),
                )
            ]
            if org["feature_set"] == "ALL"
            else []
        ),
    )


#: The deprecated `Status` shown for each `State` (A2).
STATUS_OF_STATE = {
    "PENDING_ACTIVATION": "ACTIVE",
    "ACTIVE": "ACTIVE",
    "PENDING_CLOSURE": "PENDING_CLOSURE",
    "SUSPENDED": "SUSPENDED",
    "CLOSED": "SUSPENDED",
}


def account(
    org: Row, row: Row, *, path: str | None = None, state: str = "ACTIVE"
) -> Account:
    """An account of `org` (A1): `path` is its one `Paths` entry
    (`O/<root>/<ous>/<account id>/`, A1), `state` its State as of now (A2; the
    deprecated Status follows from it)."""
    return Account.model_construct(
        id=row["id"],
        arn=account_arn(org, row["id"]),
        email=row["email"],
        name=row["name"],
        status=member(AccountStatus, STATUS_OF_STATE[state]),
        state=member(AccountState, state),
        joined_method=member(AccountJoinedMethod, row["joined_method"]),
        joined_timestamp=from_millis(row["joined_at"]),
        paths=None if path is None else [path],
    )


def tags(stored: list[dict[str, Any]]) -> list[Tag]:
    """Tags as stored (`[{"Key": ..., "Value": ...}]`)."""
    return [Tag.model_construct(key=tag["Key"], value=tag["Value"]) for tag in stored]


def _party(party_id: str, party_type: str) -> HandshakeParty:
    return HandshakeParty.model_construct(
        id=party_id, type_=member(HandshakePartyType, party_type)
    )


def resource(
    resource_type: str, value: str, resources: list[HandshakeResource] | None = None
) -> HandshakeResource:
    """One handshake resource (R4), with its own `Resources` only when given (C7 vs R4:
    leaf resources have none)."""
    fields: dict[str, Any] = {
        "value": value,
        "type_": member(HandshakeResourceType, resource_type),
    }
    if resources is not None:
        fields["resources"] = resources
    return HandshakeResource.model_construct(**fields)


def _invitation_resources(row: HandshakeRow, org: Row) -> list[HandshakeResource]:
    """R4's Resources: the sender (with its management account's email and name), the
    target, the notes when given, an approval's PARENT_HANDSHAKE."""
    assert row.target_type is not None and row.target_id is not None
    resources = [
        resource(
            HandshakeResourceType.ORGANIZATION,
            org["id"],
            [
                resource(HandshakeResourceType.MASTER_EMAIL, org["management_email"]),
                resource(HandshakeResourceType.MASTER_NAME, org["management_name"]),
            ],
        ),
        resource(row.target_type, row.target_id),
    ]
    if row.notes is not None:
        resources.append(resource(HandshakeResourceType.NOTES, row.notes))
    if row.parent_id is not None:
        resources.append(
            resource(HandshakeResourceType.PARENT_HANDSHAKE, row.parent_id)
        )
    return resources


def handshake(
    row: HandshakeRow, org: Row, resources: list[HandshakeResource] | None = None
) -> Handshake:
    """The handshake document. An invitation (R4) reads, as botocore's example:

    Parties: the recipient (ACCOUNT or EMAIL), then the sender (ORGANIZATION);
    Resources: the ORGANIZATION (with MASTER_EMAIL and MASTER_NAME), the target, then NOTES
    when notes were given. An APPROVE_ALL_FEATURES request carries its PARENT_HANDSHAKE;
    ENABLE_ALL_FEATURES has only the organization, as party and resource. An action
    with a layout of its own passes its `resources` (`OrganizationsBase._handshake_
    resources`; TRANSFER_RESPONSIBILITY, X4), its parties are R4's. `org` is the sender
    as `store.sender` reads it (with its management account's name and email).
    """
    sender = _party(org["id"], HandshakePartyType.ORGANIZATION)
    parties: list[HandshakeParty]
    if row.action == ActionType.ENABLE_ALL_FEATURES:
        parties = [sender]
        resources = [resource(HandshakeResourceType.ORGANIZATION, org["id"])]
    else:
        assert row.target_type is not None and row.target_id is not None
        parties = [_party(row.target_id, row.target_type), sender]
        if resources is None:
            resources = _invitation_resources(row, org)
    return Handshake.model_construct(
        id=row.id,
        arn=handshake_arn(org, row),
        parties=parties,
        state=member(HandshakeState, row.state),
        requested_timestamp=from_millis(row.requested_at),
        expiration_timestamp=from_millis(row.expires_at),
        action=member(ActionType, row.action),
        resources=resources,
    )
