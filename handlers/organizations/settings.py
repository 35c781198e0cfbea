"""Organizations' settings (organizations.md M7): the knobs of the rules, with defaults.

`botogen serve` turns each field into a command-line option (`account_limit` →
`--account-limit`) and reads them from `--config FILE` too; handlers read them as
`self.settings.<name>`. A new limit or delay of the spec is a new field here.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from handlers.organizations.policy_types import parse_attachment_limits
from handlers.organizations.principals import DEFAULT_REGISTRY, PrincipalRegistry
from runtime.service import Settings

__all__ = ["OrganizationsSettings"]


class OrganizationsSettings(Settings):
    account_limit: int = Field(
        10,
        ge=1,
        description=(
            "accounts an organization may hold: its accounts (the management account "
            "included) plus pending invitations (R19, organizations.md H5)"
        ),
    )
    daily_invitations: int = Field(
        20,
        ge=1,
        description=(
            "invitations an organization may send per rolling 24 hours, declined and "
            "canceled ones included (R18)"
        ),
    )
    ou_limit: int = Field(
        2000,
        ge=1,
        description=(
            "organizational units an organization may hold (U2, organizations.md §13)"
        ),
    )
    ou_depth_limit: int = Field(
        5,
        ge=1,
        description=(
            "levels of organizational units under the root: an OU directly under it is "
            "at depth 1 (U3)"
        ),
    )
    create_account_delay_ms: int = Field(
        0,
        ge=0,
        description=(
            "milliseconds from a CreateAccount request until it completes on the "
            "business clock; until then its status is IN_PROGRESS (organizations.md M1)"
        ),
    )
    creations_in_progress_limit: int = Field(
        5,
        ge=1,
        description=(
            "CreateAccount requests an organization may have IN_PROGRESS at once "
            "(organizations.md A4)"
        ),
    )
    close_delay_ms: int = Field(
        0,
        ge=0,
        description=(
            "milliseconds from a CloseAccount call (PENDING_CLOSURE) until the account "
            "is SUSPENDED on the business clock (organizations.md A20, M3)"
        ),
    )
    cleanup_delay_ms: int = Field(
        0,
        ge=0,
        description=(
            "milliseconds from a closed account's permanent closure (CLOSED, 90 days "
            "after CloseAccount) until it departs its organization (A21, M3)"
        ),
    )
    pending_closures_limit: int = Field(
        3,
        ge=1,
        description=(
            "accounts an organization may have PENDING_CLOSURE at once; one more "
            "CloseAccount is CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED (A19)"
        ),
    )
    close_quota_floor: int = Field(
        250,
        ge=1,
        description=(
            "closures an organization may start per rolling 30 days at least, whatever "
            "its size (A19: min(cap, max(floor, percent of members)))"
        ),
    )
    close_quota_percent: int = Field(
        20,
        ge=1,
        le=100,
        description=(
            "the share of member accounts an organization may close per rolling 30 "
            "days, in percent (A19)"
        ),
    )
    close_quota_cap: int = Field(
        1000,
        ge=1,
        description="closures an organization may start per rolling 30 days at most (A19)",
    )
    wait_period_days: int = Field(
        4,
        ge=0,
        description=(
            "days after joining by CreateAccount before an account may leave or be "
            "removed; earlier is WAIT_PERIOD_ACTIVE (A16, A17)"
        ),
    )
    service_principals: PrincipalRegistry = Field(
        DEFAULT_REGISTRY,
        description=(
            "the registry of service principals (D1, M6): a JSON object, principal → "
            '{"trusted_access", "delegated_administrator", "max_delegated_administrators"}'
            " (each optional: true, true, 1), inline or the path of a file holding it; "
            "it replaces the default list"
        ),
    )
    scp_limit: int = Field(
        10000,
        ge=1,
        description=(
            "customer service control policies an organization may hold; one more "
            "CreatePolicy is POLICY_NUMBER_LIMIT_EXCEEDED (P7, organizations.md §13)"
        ),
    )
    policy_limit: int = Field(
        1000,
        ge=1,
        description=(
            "customer policies an organization may hold of each type other than "
            "SERVICE_CONTROL_POLICY (P7, organizations.md §13)"
        ),
    )
    attachment_limits: str = Field(
        "",
        description=(
            "per policy type, how many policies of it one root, OU or account may have "
            "attached, replacing P1's maximum: TYPE=N pairs separated by commas, e.g. "
            "SERVICE_CONTROL_POLICY=10,TAG_POLICY=20 (P17; the defaults: SCP, RCP, "
            "CHATBOT and AISERVICES_OPT_OUT 5, the other types 10)"
        ),
    )

    # -- responsibility transfers (X5, organizations.md §13) --------------------------
    inbound_transfer_limit: int = Field(
        20,
        ge=1,
        description=(
            "accepted, not yet ended transfers an organization may manage for others "
            "(as their target); one more acceptance is "
            "RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION (X5)"
        ),
    )
    outbound_transfer_limit: int = Field(
        1,
        ge=1,
        description=(
            "accepted, not yet ended transfers of one type an organization may hand to "
            "others (as their source); one more acceptance is "
            "RESPONSIBILITY_TRANSFER_MAX_OUTBOUND_QUOTA_VIOLATION (X5)"
        ),
    )
    transfer_chain_limit: int = Field(
        2,
        ge=1,
        description=(
            "transfers one chain of accepted, not yet ended transfers may hold (A's "
            "responsibility managed by B, B's by C: 2); a longer one is "
            "RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION (X5)"
        ),
    )

    @field_validator("attachment_limits")
    @classmethod
    def _known_types(cls, value: str) -> str:
        """Every pair names a policy type and a count of at least its minimum (P1)."""
        parse_attachment_limits(value)
        return value
