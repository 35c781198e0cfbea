"""The organization's delegation policy (organizations.md §9): the checks of
PutResourcePolicy's `Content` (D11) and the evaluation that makes a member a delegate (Z5,
Z6, D12).

D11, `document_problem`: each check runs over the whole document before the next, so the
answer is the first of these reasons that any statement earns:

1. `INVALID_RESOURCE_POLICY_JSON`: not one JSON object (`policy_json`), or not of IAM's
   grammar (below);
2. `INVALID_PRINCIPAL`: a statement whose `Principal` is not a list of accounts (as
   `"111122223333"` or `"arn:aws:iam::111122223333:root"`, alone or under `"AWS"`, as a
   string or an array), or names an account that is not a member;
3. `UNSUPPORTED_ACTION_IN_RESOURCE_POLICY`: an `Action` entry that matches no
   `organizations:<operation>` of `SUPPORTED_ACTIONS` (case-insensitive, `*` and `?`);
4. `UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY`: a `Resource` entry that can match no ARN of
   this organization (C2): `arn:aws:organizations::M:organization/O`,
   `arn:aws:organizations::M:<kind>/O/…` for its accounts, root, OUs, policies,
   handshakes, delegation policy and transfers, or an AWS-managed policy's
   `arn:aws:organizations::aws:policy/…`; wildcards may stand anywhere (`policy/*/…` is
   this organization's too) [DECIDED: "can match" is `wildcards.overlaps`];
5. `UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY`: an `organizations:PolicyType` condition
   value that is not a PolicyType or, under a `…Like…` operator, matches none.

The grammar (check 1) is `policy_grammar`'s, with principals and entries of any form
(checks 2 to 4 judge them); an unknown element is refused [DECIDED, as IAM]. Condition
keys compare case-insensitively, as IAM's do; operators and values as written.

DECIDED, the negated elements: each is refused with its own element's reason:
`NotPrincipal` (and a statement without `Principal`) is `INVALID_PRINCIPAL`, `NotAction`
is `UNSUPPORTED_ACTION_IN_RESOURCE_POLICY`, `NotResource` is
`UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY`: a delegation names whom, what and where, and a
negation would also grant whatever the lists gain later (IAM itself refuses NotPrincipal
with Allow). `"Principal": "*"` is `INVALID_PRINCIPAL` too: it names no member, and so
is a principal that is not an account (a role, a service) [C4: no IAM emulation]. Whether
the management account counts as a member is `is_member`'s to say.

D12, `DelegationPolicy.allows`: a statement applies when its `Principal` names the caller,
an `Action` entry matches `organizations:<Operation>` (case-insensitive), its `Resource`
entries (absent: `*`) match the resource ARNs (P20; case-sensitive, as IAM compares
ARNs), and its `Condition` holds. Only `organizations:PolicyType` under `StringEquals`,
`StringLike`, `StringEqualsIfExists` and `StringLikeIfExists` is understood; a statement
with any other condition never applies. Values compare case-sensitively (StringEquals is
case-sensitive; StringLike adds `*` and `?`); when the request involves no policy type
(`policy_type` None) the IfExists forms hold and the others do not, as in IAM.
An operation outside `SUPPORTED_ACTIONS` is never granted, whatever the wildcards.

DECIDED, resources: an Allow applies when every ARN of the request matches one of its
`Resource` entries (D12 as written); a Deny applies when any ARN does. D12's words would
let a Deny naming only the target of an AttachPolicy pass (the policy's ARN does not match
it); IAM evaluates each resource, and so does this for a Deny. A request with no resource
ARN is covered by every statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from generated.organizations.shapes import InvalidInputExceptionReason as Reason
from generated.organizations.shapes import PolicyType
from handlers.organizations import policy_grammar as grammar
from handlers.organizations.policy_json import Malformed, parse_object
from handlers.organizations.wildcards import matches, overlaps

__all__ = ["SUPPORTED_ACTIONS", "DelegationPolicy", "Statement", "document_problem"]

#: D11: the operations a delegation policy may name: the DG writes, the DG-marked reads of
#: the matrix (rows 4, 8–12, 20–23, 29–32, 35–37, 40, 43–44, 46, 50), and four that R21
#: and R22 alone decide.
SUPPORTED_ACTIONS: Final = frozenset(
    {
        # writes
        "AttachPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "DetachPolicy",
        "UpdatePolicy",
        "EnablePolicyType",
        "DisablePolicyType",
        "TagResource",
        "UntagResource",
        # reads marked DG
        "ListRoots",
        "DescribeCreateAccountStatus",
        "ListCreateAccountStatus",
        "DescribeAccount",
        "ListAccounts",
        "ListAccountsForParent",
        "DescribeOrganizationalUnit",
        "ListOrganizationalUnitsForParent",
        "ListChildren",
        "ListParents",
        "DescribePolicy",
        "ListPolicies",
        "ListPoliciesForTarget",
        "ListTargetsForPolicy",
        "DescribeEffectivePolicy",
        "ListAccountsWithInvalidEffectivePolicy",
        "ListEffectivePolicyValidationErrors",
        "ListAWSServiceAccessForOrganization",
        "ListDelegatedAdministrators",
        "ListDelegatedServicesForAccount",
        "DescribeResourcePolicy",
        "ListTagsForResource",
        # accepted, but R21 and R22 decide
        "DescribeOrganization",
        "DescribeHandshake",
        "ListHandshakesForAccount",
        "ListHandshakesForOrganization",
    }
)

_ACTION_NAMES: Final = tuple(f"organizations:{name}" for name in SUPPORTED_ACTIONS)
_POLICY_TYPE_KEY: Final = "organizations:policytype"
_POLICY_TYPES: Final = frozenset(member.value for member in PolicyType)
#: The operators D12 understands, and whether each is a `Like` one.
_UNDERSTOOD: Final = {
    "StringEquals": False,
    "StringEqualsIfExists": False,
    "StringLike": True,
    "StringLikeIfExists": True,
}
#: The resource kinds of C2 whose ARNs are `…:<kind>/O/…`.
_KINDS: Final = (
    "account",
    "root",
    "ou",
    "policy",
    "handshake",
    "resourcepolicy",
    "transfer",
)
_ACCOUNT_PRINCIPAL: Final = re.compile(r"(\d{12})|arn:aws:iam::(\d{12}):root")


#: One understood condition test: (a Like operator, an IfExists form, its values).
Test = tuple[bool, bool, tuple[str, ...]]


@dataclass(frozen=True)
class Statement:
    """One statement of an accepted document, ready to evaluate."""

    allow: bool
    accounts: frozenset[str]
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    #: The condition's tests, all of which must hold; None when the statement has a
    #: condition D12 does not understand.
    tests: tuple[Test, ...] | None

    def names(self, account_id: str, operation: str) -> bool:
        """Its Principal names the account and an Action entry matches the operation."""
        return account_id in self.accounts and any(
            matches(action, f"organizations:{operation}", ignore_case=True)
            for action in self.actions
        )

    def covers(self, arn: str) -> bool:
        """Some Resource entry matches the ARN."""
        return any(matches(resource, arn) for resource in self.resources)

    def holds(self, policy_type: str | None) -> bool:
        """Its Condition holds for the request's policy type."""
        if self.tests is None:
            return False
        return all(
            (
                if_exists
                if policy_type is None
                else _any_value(like, values, policy_type)
            )
            for like, if_exists, values in self.tests
        )


@dataclass(frozen=True)
class DelegationPolicy:
    """The parsed statements of an accepted document."""

    statements: tuple[Statement, ...]

    @classmethod
    def parse(cls, content: str) -> DelegationPolicy:
        """For stored content that `document_problem` accepted (Malformed otherwise)."""
        document = parse_object(content)
        problem = _grammar_problem(document)
        if problem is not None:
            raise Malformed(problem)
        return cls(tuple(_statement(raw) for raw in grammar.statements(document)))

    def names(self, account_id: str, operation: str) -> bool:
        """Z6's coarse check (V1 step 4): some Allow statement whose Principal names the
        account and whose Action matches organizations:<operation>."""
        return operation in SUPPORTED_ACTIONS and any(
            statement.allow and statement.names(account_id, operation)
            for statement in self.statements
        )

    def allows(
        self,
        account_id: str,
        operation: str,
        resource_arns: Sequence[str],
        policy_type: str | None,
    ) -> bool:
        """D12's fine check (V1 step 8): a Deny that applies refuses; otherwise an applying
        Allow grants; otherwise False. (A Deny applies when it covers any of the ARNs, an
        Allow when it covers all of them: see the module docstring.)"""
        if operation not in SUPPORTED_ACTIONS:
            return False
        relevant = [
            statement
            for statement in self.statements
            if statement.names(account_id, operation) and statement.holds(policy_type)
        ]
        if any(
            not statement.allow
            and (not resource_arns or any(map(statement.covers, resource_arns)))
            for statement in relevant
        ):
            return False
        return any(
            statement.allow and all(map(statement.covers, resource_arns))
            for statement in relevant
        )


def document_problem(
    content: str,
    *,
    organization_id: str,
    management_account_id: str,
    is_member: Callable[[str], bool],
) -> Reason | None:
    """D11's checks in order: INVALID_RESOURCE_POLICY_JSON, INVALID_PRINCIPAL (a principal
    that `is_member(account_id)` denies), UNSUPPORTED_ACTION_IN_RESOURCE_POLICY,
    UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY, UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY;
    None when the document is acceptable."""
    try:
        document = parse_object(content)
    except Malformed:
        return Reason.INVALID_RESOURCE_POLICY_JSON
    if _grammar_problem(document) is not None:
        return Reason.INVALID_RESOURCE_POLICY_JSON
    raws = grammar.statements(document)
    for raw in raws:
        accounts = _accounts(raw.get("Principal"))
        if accounts is None or not all(map(is_member, accounts)):
            return Reason.INVALID_PRINCIPAL
    for raw in raws:
        if "NotAction" in raw or not all(map(_supported, _entries(raw, "Action"))):
            return Reason.UNSUPPORTED_ACTION_IN_RESOURCE_POLICY
    ours = _organization_arns(organization_id, management_account_id)
    for raw in raws:
        if "NotResource" in raw or not all(
            resource == "*" or any(overlaps(resource, arn) for arn in ours)
            for resource in _entries(raw, "Resource")
        ):
            return Reason.UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY
    for raw in raws:
        for operator, keys in raw.get("Condition", {}).items():
            like = "Like" in operator
            for key, value in keys.items():
                if key.lower() == _POLICY_TYPE_KEY and not all(
                    isinstance(item, str) and _is_policy_type(item, like=like)
                    for item in grammar.values(value)
                ):
                    return Reason.UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY
    return None


def _grammar_problem(document: dict[str, Any]) -> str | None:
    """Check 1 beyond the JSON: IAM's grammar, with principals, entries of any form."""
    return grammar.grammar_problem(
        document, kind="a delegation policy", principals=True, patterns=False
    )


def _entries(raw: dict[str, Any], key: str) -> list[str]:
    """A statement's Action or Resource entries. An absent Resource is `*`, unless the
    statement has NotResource: then, as for an absent Action (it has NotAction), there
    are none and the statement never applies (`document_problem` refuses both)."""
    if key == "Resource" and "NotResource" not in raw:
        return grammar.strings(raw.get(key, "*")) or []
    return grammar.strings(raw.get(key)) or []


def _accounts(principal: Any) -> frozenset[str] | None:
    """The account ids a Principal names; None when it is not a list of accounts."""
    if isinstance(principal, dict) and set(principal) == {"AWS"}:
        principal = principal["AWS"]
    entries = grammar.strings(principal)
    if entries is None:
        return None
    accounts: set[str] = set()
    for entry in entries:
        found = _ACCOUNT_PRINCIPAL.fullmatch(entry)
        if found is None:
            return None
        accounts.add(found.group(1) or found.group(2))
    return frozenset(accounts)


def _supported(action: str) -> bool:
    """An Action entry matching at least one supported action."""
    return any(matches(action, name, ignore_case=True) for name in _ACTION_NAMES)


def _organization_arns(organization_id: str, management_account_id: str) -> list[str]:
    """Patterns of every ARN of this organization (C2)."""
    prefix = f"arn:aws:organizations::{management_account_id}:"
    return [
        f"{prefix}organization/{organization_id}",
        *(f"{prefix}{kind}/{organization_id}/?*" for kind in _KINDS),
        "arn:aws:organizations::aws:policy/?*",
    ]


def _is_policy_type(value: str, *, like: bool) -> bool:
    """A PolicyType, or under a Like operator a pattern matching one."""
    if like:
        return any(matches(value, member) for member in _POLICY_TYPES)
    return value in _POLICY_TYPES


def _any_value(like: bool, values: tuple[str, ...], policy_type: str) -> bool:
    """The request's policy type is one of the values (under Like: matches one)."""
    if like:
        return any(matches(value, policy_type) for value in values)
    return policy_type in values


def _statement(raw: dict[str, Any]) -> Statement:
    """An accepted statement, ready to evaluate."""
    return Statement(
        allow=raw["Effect"] == "Allow",
        accounts=_accounts(raw.get("Principal")) or frozenset(),
        actions=tuple(_entries(raw, "Action")),
        resources=tuple(_entries(raw, "Resource")),
        tests=_tests(raw.get("Condition", {})),
    )


def _tests(condition: dict[str, Any]) -> tuple[Test, ...] | None:
    """The understood tests of a Condition; None when any part of it is not understood."""
    tests = []
    for operator, keys in condition.items():
        if operator not in _UNDERSTOOD:
            return None
        for key, value in keys.items():
            values = grammar.values(value)
            if key.lower() != _POLICY_TYPE_KEY or not all(
                isinstance(item, str) for item in values
            ):
                return None
            tests.append(
                (_UNDERSTOOD[operator], operator.endswith("IfExists"), tuple(values))
            )
    return tuple(tests)
