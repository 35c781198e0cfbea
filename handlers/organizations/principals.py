"""The registry of service principals (organizations.md D1, M6, M7): which AWS services
the server knows, whether each may be given trusted access (EnableAWSServiceAccess, D3)
and delegated administrators (RegisterDelegatedAdministrator, D6), and how many of them.

The default registry is D1's list, every principal with both marks and at most one
delegated administrator. The setting `service_principals` (`settings`) replaces it as a
whole (DECIDED: a replacement, not a patch, so the registry a server runs with is the
one its configuration shows). Its value is one JSON object, principal → marks, where
each mark may be left out for its default:

    {"securityhub.amazonaws.com": {},
     "sso.amazonaws.com": {"max_delegated_administrators": 3},
     "cloudtrail.amazonaws.com": {"delegated_administrator": false}}

written inline in the `--config FILE` object, or as text on the command line
(`--service-principals '{...}'`), or as the path of a file holding it (in either
place; DECIDED: a value that does not start with `{` is a path, relative to the
working directory as every path `botogen serve` takes). A principal is 1–128 of the
characters the model's `ServicePrincipal` pattern allows; a bad value stops the server
at start with one line naming it.

`POLICY_TYPES_OF_SERVICE` is P1's "needs service access" column seen from the service:
the policy types whose being enabled keeps DisableAWSServiceAccess from removing the
principal (D4, POLICY_TYPE_ENABLED_FOR_THIS_SERVICE).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    model_validator,
)

from runtime.jsonfile import read_object

__all__ = [
    "DEFAULT_REGISTRY",
    "POLICY_TYPES_OF_SERVICE",
    "Principal",
    "PrincipalRegistry",
]

#: A service principal as a registry names it: what the model's `ServicePrincipal`
#: allows (1–128 characters of `[\w+=,.@-]`), as a whole string.
PrincipalName = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w+=,.@-]+$")
]


class Principal(BaseModel):
    """One principal's marks (D1). Every mark may be left out for its default."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    #: EnableAWSServiceAccess may enable it (D3).
    trusted_access: bool = True
    #: RegisterDelegatedAdministrator may register accounts for it (D6).
    delegated_administrator: bool = True
    #: At most this many accounts may be registered for it at once (D6).
    max_delegated_administrators: int = Field(1, ge=1)


class PrincipalRegistry(RootModel[dict[PrincipalName, Principal]]):
    """The registry: principal → its marks (module docstring). A `str` is read as the
    registry's JSON text (it starts with `{`) or the path of a file holding it."""

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith("{"):
            try:
                return json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"not valid JSON: {error.msg}") from None
        return read_object(
            value,
            "the service principals file",
            "a JSON object of service principals",
        )

    def __str__(self) -> str:
        """The principals' names (what `botogen serve --help` shows as the default)."""
        return ", ".join(sorted(self.root))

    def trusted(self, principal: str) -> bool:
        """Whether trusted access may be enabled for `principal` (D3, D4)."""
        entry = self.root.get(principal)
        return entry is not None and entry.trusted_access

    def delegable(self, principal: str) -> Principal | None:
        """`principal`'s marks when it takes delegated administrators (D6–D8), else
        None."""
        entry = self.root.get(principal)
        return entry if entry is not None and entry.delegated_administrator else None


#: D1's default entries, each with both marks and at most one delegated administrator.
DEFAULT_REGISTRY: Final = PrincipalRegistry(
    {
        f"{service}.amazonaws.com": Principal()
        for service in (
            "access-analyzer",
            "account",
            "backup",
            "cloudtrail",
            "config",
            "config-multiaccountsetup",
            "detective",
            "fms",
            "guardduty",
            "inspector2",
            "ipam",
            "macie",
            "ram",
            "securityhub",
            "ssm",
            "sso",
            "tagpolicies.tag",
            "member.org.stacksets.cloudformation",
        )
    }
)

#: P1, D4: the policy types that need trusted access for a principal (SECURITYHUB_CSPM
#: DECIDED by the spec, P1).
POLICY_TYPES_OF_SERVICE: Final[Mapping[str, tuple[str, ...]]] = {
    "securityhub.amazonaws.com": ("SECURITYHUB_POLICY", "SECURITYHUB_CSPM_POLICY"),
}
