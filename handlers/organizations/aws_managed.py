"""The AWS-managed policies (organizations.md P10) and the defaults they give (P4, P5).

They exist in every organization with ALL features and are not stored: their id is the
same everywhere (C1), only their attachments are the organization's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["DEFAULT_POLICY", "FULL_AWS_ACCESS_ID", "RCP_FULL_AWS_ACCESS_ID"]

FULL_AWS_ACCESS_ID: Final = "p-FullAWSAccess"
RCP_FULL_AWS_ACCESS_ID: Final = "p-RCPFullAWSAccess"

#: P4, P5: the policy type whose enabling attaches an AWS-managed policy to the root,
#: every OU and every account, and to every newcomer while it is enabled.
DEFAULT_POLICY: Final[Mapping[str, str]] = {
    "SERVICE_CONTROL_POLICY": FULL_AWS_ACCESS_ID,
    "RESOURCE_CONTROL_POLICY": RCP_FULL_AWS_ACCESS_ID,
}
