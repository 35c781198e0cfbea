"""The AWS-managed policies (organizations.md P10) and the defaults they give (P4, P5).

They exist in every organization with ALL features and are not stored: their id, name,
description and content are the same everywhere (C1), only their attachments are the
organization's. Their ARN has `aws` where a customer policy's has the management account
and no organization (C2). They count toward the policies attached to a target (P17), not
toward the customer policies of their type (P7); UpdatePolicy, DeletePolicy, TagResource
and UntagResource refuse them (IMMUTABLE_POLICY), and RCPFullAWSAccess cannot be
detached (P18).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from generated.organizations.errors import InvalidInputException
from generated.organizations.shapes import InvalidInputExceptionReason as InputReason
from handlers.organizations.authorization_policies import (
    FULL_AWS_ACCESS,
    RCP_FULL_AWS_ACCESS,
)

__all__ = [
    "DEFAULT_POLICY",
    "IMMUTABLE",
    "FULL_AWS_ACCESS_ID",
    "MANAGED",
    "ManagedPolicy",
    "RCP_FULL_AWS_ACCESS_ID",
    "immutable_policy",
]

FULL_AWS_ACCESS_ID: Final = "p-FullAWSAccess"
RCP_FULL_AWS_ACCESS_ID: Final = "p-RCPFullAWSAccess"

#: P4, P5: the policy type whose enabling attaches an AWS-managed policy to the root,
#: every OU and every account, and to every newcomer while it is enabled.
DEFAULT_POLICY: Final[Mapping[str, str]] = {
    "SERVICE_CONTROL_POLICY": FULL_AWS_ACCESS_ID,
    "RESOURCE_CONTROL_POLICY": RCP_FULL_AWS_ACCESS_ID,
}


@dataclass(frozen=True)
class ManagedPolicy:
    """An AWS-managed policy as DescribePolicy shows it (P9, P10)."""

    id: str
    policy_type: str
    name: str
    description: str
    content: str
    #: P18: RCPFullAWSAccess stays attached wherever RCPs are enabled.
    detachable: bool = True

    @property
    def arn(self) -> str:
        """C2: `arn:aws:organizations::aws:policy/<type lowercased>/<id>`."""
        return f"arn:aws:organizations::aws:policy/{self.policy_type.lower()}/{self.id}"


#: P10, by id. FullAWSAccess's name, description and content are botocore's examples'
#: (ListPolicies, DescribePolicy); RCPFullAWSAccess's description is DECIDED.
MANAGED: Final[Mapping[str, ManagedPolicy]] = MappingProxyType(
    {
        FULL_AWS_ACCESS_ID: ManagedPolicy(
            FULL_AWS_ACCESS_ID,
            "SERVICE_CONTROL_POLICY",
            "FullAWSAccess",
            "Allows access to every operation",
            FULL_AWS_ACCESS,
        ),
        RCP_FULL_AWS_ACCESS_ID: ManagedPolicy(
            RCP_FULL_AWS_ACCESS_ID,
            "RESOURCE_CONTROL_POLICY",
            "RCPFullAWSAccess",
            "Allows access to every resource",
            RCP_FULL_AWS_ACCESS,
            detachable=False,
        ),
    }
)


#: InvalidInputException's sentence for IMMUTABLE_POLICY (C6).
IMMUTABLE: Final = (
    "You specified a policy that is managed by Amazon Web Services and can't be "
    "modified."
)


def immutable_policy() -> InvalidInputException:
    """P10: the answer to changing an AWS-managed policy (UpdatePolicy, DeletePolicy,
    TagResource, UntagResource)."""
    return InvalidInputException(IMMUTABLE, reason=InputReason.IMMUTABLE_POLICY)
