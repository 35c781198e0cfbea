"""The policy types (organizations.md P1) as one table, and what a policy's content must
be (P8).

`TYPES` holds, per type of the model's `PolicyType`, everything the rules ask of it:

| type | kind | max size | max per target | min per target | AWS-managed | service access |
|---|---|---|---|---|---|---|
| SERVICE_CONTROL_POLICY | authorization | 5,120 | 5 | 1 | FullAWSAccess | — |
| RESOURCE_CONTROL_POLICY | authorization | 5,120 | 5 | 1 | RCPFullAWSAccess | — |
| DECLARATIVE_POLICY_EC2, BACKUP_POLICY, TAG_POLICY | management | 10,000 | 10 | 0 | — | — |
| CHATBOT_POLICY | management | 10,000 | 5 | 0 | — | — |
| AISERVICES_OPT_OUT_POLICY | management | 2,500 | 5 | 0 | — | — |
| SECURITYHUB_POLICY, SECURITYHUB_CSPM_POLICY | management | 10,000 | 10 | 0 | — | securityhub.amazonaws.com |
| INSPECTOR_POLICY, UPGRADE_ROLLOUT_POLICY, BEDROCK_POLICY, S3_POLICY, NETWORK_SECURITY_DIRECTOR_POLICY, GUARDDUTY_POLICY | management | 10,000 | 10 | 0 | — | — |

The maxima per target are defaults: the server's `attachment_limits` setting (M7)
replaces them per type (`attachment_limit`). The number of customer policies of a type
is the `scp_limit` / `policy_limit` settings' (§13).

**Content** (`content_problem`, P8), checked in this order: the size, in characters of
`Content` as sent, whitespace included (DECIDED: characters are Unicode code points), is
at most the type's maximum — before anything parses it; then one strict JSON object
(`policy_json.parse_object`); then the rules of its kind: SCP and RCP by
`authorization_policies.authorization_problem`, the management types by
`inheritance.management_problem`. The first problem found is the message of
MalformedPolicyDocumentException.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from generated.organizations.shapes import PolicyType
from handlers.organizations.authorization_policies import authorization_problem
from handlers.organizations.aws_managed import (
    FULL_AWS_ACCESS_ID,
    RCP_FULL_AWS_ACCESS_ID,
)
from handlers.organizations.inheritance import management_problem
from handlers.organizations.policy_json import Malformed, parse_object

__all__ = [
    "TYPES",
    "PolicyTypeRules",
    "attachment_limit",
    "content_problem",
    "parse_attachment_limits",
    "rules",
]

#: The one service principal a type needs trusted access for (P3).
SECURITY_HUB: Final = "securityhub.amazonaws.com"


@dataclass(frozen=True)
class PolicyTypeRules:
    """One row of P1."""

    #: SCP and RCP are authorization policies; the others management policies (P8).
    authorization: bool
    #: The largest `Content`, in characters (P7, P8).
    max_size: int
    #: Policies of this type one target may have attached (P17), by default.
    max_per_target: int
    #: Policies of this type a target keeps: detaching below is refused (P18).
    min_per_target: int = 0
    #: The id of the AWS-managed policy of this type (P10), if it has one.
    aws_managed: str | None = None
    #: The service principal whose trusted access enabling the type needs (P3).
    service: str | None = None


def _management(
    max_size: int = 10_000, max_per_target: int = 10, service: str | None = None
) -> PolicyTypeRules:
    return PolicyTypeRules(False, max_size, max_per_target, service=service)


#: P1, every type of the model's `PolicyType` (a test checks that none is missing).
TYPES: Final[Mapping[str, PolicyTypeRules]] = MappingProxyType(
    {
        PolicyType.SERVICE_CONTROL_POLICY: PolicyTypeRules(
            True, 5_120, 5, 1, FULL_AWS_ACCESS_ID
        ),
        PolicyType.RESOURCE_CONTROL_POLICY: PolicyTypeRules(
            True, 5_120, 5, 1, RCP_FULL_AWS_ACCESS_ID
        ),
        PolicyType.DECLARATIVE_POLICY_EC2: _management(),
        PolicyType.BACKUP_POLICY: _management(),
        PolicyType.TAG_POLICY: _management(),
        PolicyType.CHATBOT_POLICY: _management(max_per_target=5),
        PolicyType.AISERVICES_OPT_OUT_POLICY: _management(2_500, 5),
        # DECIDED (P1, §15 doubt 5): SECURITYHUB_POLICY's size and SECURITYHUB_CSPM's
        # service access follow the other Security Hub type.
        PolicyType.SECURITYHUB_POLICY: _management(service=SECURITY_HUB),
        PolicyType.SECURITYHUB_CSPM_POLICY: _management(service=SECURITY_HUB),
        # DECIDED (P1): the newer management types as the common ones.
        PolicyType.INSPECTOR_POLICY: _management(),
        PolicyType.UPGRADE_ROLLOUT_POLICY: _management(),
        PolicyType.BEDROCK_POLICY: _management(),
        PolicyType.S3_POLICY: _management(),
        PolicyType.NETWORK_SECURITY_DIRECTOR_POLICY: _management(),
        PolicyType.GUARDDUTY_POLICY: _management(),
    }
)


def rules(policy_type: str) -> PolicyTypeRules:
    """The P1 row of a type (every stored or requested type has one)."""
    return TYPES[policy_type]


def parse_attachment_limits(text: str) -> dict[str, int]:
    """The `attachment_limits` setting (`TYPE=N,TYPE=N`) as {type: maximum}; ValueError
    names a pair that is not a known type with a whole number at least the type's
    minimum per target (P18) and at least 1."""
    limits: dict[str, int] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        policy_type, _, number = pair.partition("=")
        policy_type = policy_type.strip()
        if policy_type not in TYPES:
            raise ValueError(f"{policy_type!r} is not a policy type")
        if not number.strip().isascii() or not number.strip().isdigit():
            raise ValueError(f"{pair!r}: the maximum is not a whole number")
        maximum = int(number)
        if maximum < max(1, TYPES[policy_type].min_per_target):
            raise ValueError(f"{pair!r}: the maximum must be at least 1")
        limits[policy_type] = maximum
    return limits


@functools.lru_cache(maxsize=8)
def _limits(text: str) -> Mapping[str, int]:
    return MappingProxyType(parse_attachment_limits(text))


def attachment_limit(policy_type: str, overrides: str) -> int:
    """How many policies of the type one target may have (P17): P1's maximum, unless
    the `attachment_limits` setting (`overrides`, checked at start) replaces it."""
    return _limits(overrides).get(policy_type, rules(policy_type).max_per_target)


def content_problem(policy_type: str, content: str) -> str | None:
    """P8 after the size check: None when `content` is a valid document of the type,
    else a one-sentence message naming the first problem."""
    try:
        document = parse_object(content)
    except Malformed as error:
        return str(error)
    if rules(policy_type).authorization:
        return authorization_problem(policy_type, document)
    return management_problem(policy_type, document)
