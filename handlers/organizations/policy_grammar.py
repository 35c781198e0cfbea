"""IAM's policy grammar as organizations.md uses it: SCPs and RCPs (P8, in
`authorization_policies`) and the delegation policy (D11, in `delegation_policy`).

`grammar_problem(document, ...)` names the first place, in document order, where a parsed
document leaves the grammar:

- the top level holds `Version` (optional; "2012-10-17" or "2008-10-17"), `Id` (optional;
  a string) and `Statement` (an object or a non-empty array of objects);
- a statement holds `Effect` ("Allow" or "Deny"), an optional `Sid` (a string), exactly one
  of `Action` and `NotAction`, at most one of `Resource` and `NotResource`, and an optional
  `Condition`; where the type has principals, at most one of `Principal` and
  `NotPrincipal` (their form is the caller's to check);
- `Action`, `NotAction`, `Resource` and `NotResource` are a string or a non-empty array of
  strings; with `patterns`, each action is `*` or `service:action` (wildcards in the
  action) and each resource `*` or an ARN pattern (`arn:…`);
- `Condition` is an object of operators, each an object of keys, each a value (string,
  number or boolean) or a non-empty array of values.

DECIDED, from IAM's grammar: nothing else is allowed, so a misspelt element is refused,
not ignored. Operator names are not checked against IAM's list: the server evaluates no
SCP or RCP (§14) and understands only four operators of the delegation policy (D12).
"""

from __future__ import annotations

import re
from typing import Any, Final

from handlers.organizations.policy_json import quoted

__all__ = ["grammar_problem", "statements", "strings", "values"]

_VERSIONS: Final = ("2012-10-17", "2008-10-17")
_TOP_LEVEL: Final = frozenset({"Version", "Id", "Statement"})
_ELEMENTS: Final = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_PRINCIPALS: Final = frozenset({"Principal", "NotPrincipal"})
#: `*`, or a service prefix, a colon and an action name with wildcards.
_ACTION: Final = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+")


def grammar_problem(
    document: dict[str, Any], *, kind: str, principals: bool, patterns: bool
) -> str | None:
    """None when `document` is of the grammar, else a one-sentence message naming the
    first problem. `kind` names the policy type in messages ("a service control policy");
    `principals` admits Principal and NotPrincipal; `patterns` checks the form of each
    action and resource."""
    for key in document:
        if key not in _TOP_LEVEL:
            return f"The policy has an element {quoted(key)} that {kind} cannot have."
    if "Version" in document and document["Version"] not in _VERSIONS:
        return 'The policy\'s Version must be "2012-10-17" or "2008-10-17".'
    if not isinstance(document.get("Id", ""), str):
        return "The policy's Id must be a string."
    if "Statement" not in document:
        return "The policy has no Statement."
    raw = document["Statement"]
    if not isinstance(raw, (dict, list)) or raw == []:
        return "The policy's Statement must be an object or a non-empty array."
    allowed = _ELEMENTS | _PRINCIPALS if principals else _ELEMENTS
    for number, statement in enumerate(statements(document), start=1):
        problem = _statement_problem(statement, allowed, kind=kind, patterns=patterns)
        if problem is not None:
            return f"Statement {number} {problem}."
    return None


def statements(document: dict[str, Any]) -> list[Any]:
    """The document's statements as a list (a lone object is a list of one)."""
    raw = document["Statement"]
    return [raw] if isinstance(raw, dict) else list(raw)


def strings(value: Any) -> list[str] | None:
    """A string or a non-empty array of strings, as a list; None for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(x, str) for x in value):
        return value
    return None


def values(value: Any) -> list[Any]:
    """A condition key's value as a list (a lone value is a list of one)."""
    return value if isinstance(value, list) else [value]


def _statement_problem(
    statement: Any, allowed: frozenset[str], *, kind: str, patterns: bool
) -> str | None:
    """What is wrong with one statement, as the end of a sentence that starts
    "Statement <n>"."""
    if not isinstance(statement, dict):
        return "is not an object"
    for key in statement:
        if key not in allowed:
            return f"has an element {quoted(key)} that {kind} cannot have"
    if not isinstance(statement.get("Sid", ""), str):
        return "has a Sid that is not a string"
    if statement.get("Effect") not in ("Allow", "Deny"):
        return 'must have Effect "Allow" or "Deny"'
    if ("Action" in statement) == ("NotAction" in statement):
        return "must have exactly one of Action and NotAction"
    for pair in (("Principal", "NotPrincipal"), ("Resource", "NotResource")):
        if all(key in statement for key in pair):
            return f"has both {pair[0]} and {pair[1]}"
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            problem = _list_problem(key, statement[key], patterns=patterns)
            if problem is not None:
                return problem
    if "Condition" in statement and not _condition_fits(statement["Condition"]):
        return "has a Condition that is not an object of operators, each of keys"
    return None


def _list_problem(key: str, value: Any, *, patterns: bool) -> str | None:
    """A string or a non-empty array of strings, each of its form with `patterns`."""
    article = "an" if key.startswith("A") else "a"
    items = strings(value)
    if items is None:
        return (
            f"has {article} {key} that is neither a string nor a non-empty array of "
            "strings"
        )
    if patterns:
        for item in items:
            if not _pattern_fits(key, item):
                return f"has {article} {key} entry {quoted(item)} that is not valid"
    return None


def _pattern_fits(key: str, item: str) -> bool:
    if key.endswith("Action"):
        return _ACTION.fullmatch(item) is not None
    return item == "*" or item.startswith("arn:")


def _condition_fits(value: Any) -> bool:
    """Operators → keys → a value or a non-empty array of values."""
    if not isinstance(value, dict):
        return False
    return all(
        isinstance(keys, dict)
        and all(
            bool(values(item))
            and all(isinstance(x, (str, int, float)) for x in values(item))
            for item in keys.values()
        )
        for keys in value.values()
    )
