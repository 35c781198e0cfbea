"""Management policy documents: their syntax (organizations.md P8, the management-type
bullets), shared by the 13 management types (the model's `EffectivePolicyType`).

An object's keys are either **plain keys**, which name an element of the policy (its
*path* is the plain keys from the top down), or **operators**, which start with `@@`.
`inheritance` merges documents this module accepted.

**The rules** (`management_problem`; the first problem, in document
order, becomes MalformedPolicyDocumentException's Message, naming where it is):

- the document is a JSON object whose top level holds plain keys only, at least one
  [DECIDED: an operator there would act on the whole policy, whose effective form must
  stay an object]; TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, CHATBOT_POLICY and
  DECLARATIVE_POLICY_EC2 have exactly their `TOP_LEVEL_KEY` there, the others any keys;
- a plain key's value is an object: a leaf value only ever stands as an operator's value;
- the only operators are `@@assign`, `@@append`, `@@remove` (the *value-setting* ones) and
  the child control `@@operators_allowed_for_child_policies`;
- `@@assign` takes a setting: a string, number or boolean, or an array of them; `@@append`
  and `@@remove` take such arrays [DECIDED: the guide knows single-valued and multi-valued
  settings only; an object is an element, written with plain keys, so an object, an array
  inside an array or null as a value is refused];
- an element sets a value or has child keys, never both [DECIDED: its effective form is a
  value or an object]; the child control may stand beside either, or alone;
- the child control takes a non-empty array of value-setting operators, or exactly
  `["@@all"]` or `["@@none"]`;
- hostile input [DECIDED]: objects and arrays nest at most `MAX_DEPTH` (32) levels (AWS's
  deepest examples need about ten); text is valid Unicode (a lone surrogate fits in no
  UTF-8 answer); numbers are finite and integers below 10**4000 (so that the merged
  document always serializes); no object is reached twice (a parser makes trees). Every
  check is one pass without recursion, linear in the document.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final

from generated.organizations.shapes import EffectivePolicyType

__all__ = [
    "ALL_OPERATORS",
    "APPEND",
    "ASSIGN",
    "CHILD_CONTROL",
    "MANAGEMENT_TYPES",
    "MAX_DEPTH",
    "REMOVE",
    "TOP_LEVEL_KEY",
    "VALUE_OPERATORS",
    "document_problem",
    "management_problem",
]

ASSIGN: Final = "@@assign"
APPEND: Final = "@@append"
REMOVE: Final = "@@remove"
CHILD_CONTROL: Final = "@@operators_allowed_for_child_policies"
#: The value-setting operators, in the order they apply on one element (DECIDED).
VALUE_OPERATORS: Final = (ASSIGN, APPEND, REMOVE)
ALL_OPERATORS: Final = frozenset(VALUE_OPERATORS)
_OPERATORS: Final = frozenset((*VALUE_OPERATORS, CHILD_CONTROL))

#: E1: the management types, the only ones this module knows.
MANAGEMENT_TYPES: Final = frozenset(member.value for member in EffectivePolicyType)

#: P8: the top-level key each type requires (tags, plans, services, chatbot, ec2_attributes); other management types accept any top-level key.
TOP_LEVEL_KEY: Final[Mapping[str, str]] = MappingProxyType(
    {
        "TAG_POLICY": "tags",
        "BACKUP_POLICY": "plans",
        "AISERVICES_OPT_OUT_POLICY": "services",
        "CHATBOT_POLICY": "chatbot",
        "DECLARATIVE_POLICY_EC2": "ec2_attributes",
    }
)

#: DECIDED: how deep objects and arrays may nest (the document itself is level 1).
MAX_DEPTH: Final = 32
_INTEGER_LIMIT: Final = 10**4000
_NOT_JSON: Final = "The policy document is not JSON"
_SIMPLE_KEY: Final = re.compile(r"[A-Za-z0-9_:*-]{1,64}")


def management_problem(policy_type: str, document: Any) -> str | None:
    """P8 for a management type: None when `document` (already parsed JSON: a dict) is valid, else a one-sentence message naming the first problem (it becomes MalformedPolicyDocumentException's Message).

    Raises ValueError when `policy_type` is not a management type (a caller's mistake:
    SCPs and RCPs have their own rules)."""
    if policy_type not in MANAGEMENT_TYPES:
        raise ValueError(f"{policy_type!r} is not a management policy type")
    required = TOP_LEVEL_KEY.get(policy_type)
    if isinstance(document, Mapping) and not document and required is not None:
        return f'A {policy_type} document must have the top-level key "{required}".'
    return _problem(document, policy_type, required)


def document_problem(document: Any) -> str | None:
    """P8's rules that hold for every management type (all but the top-level key): None
    when `document` keeps them, else `management_problem`'s message for the first one.
    """
    return _problem(document, None, None)


def _problem(
    document: Any, policy_type: str | None, required: str | None
) -> str | None:
    """The first P8 problem of `document` (`required`: the only top-level key allowed)."""
    if not isinstance(document, Mapping):
        return "The policy document must be a JSON object."
    if not document:
        return "The policy document must have at least one top-level key."
    seen = {id(document)}
    # Each frame: the object's remaining members, its path, its depth, and whether it
    # has had a value-setting operator / a plain key so far.
    stack: list[_Frame] = [_Frame(iter(document.items()), (), 1)]
    while stack:
        frame = stack[-1]
        member = next(frame.members, None)
        if member is None:
            stack.pop()
            continue
        key, value = member
        where = frame.path
        if not isinstance(key, str):
            return f"{_NOT_JSON}: {_where(where)} has a key that is not text."
        if not _is_unicode(key):
            return (
                f"At {_where(where)}, the key {_show(key)} is not valid Unicode text."
            )
        if key.startswith("@@"):
            if not frame.path:
                return (
                    f"The top level of a policy document takes keys, not {_show(key)}."
                )
            if key not in _OPERATORS:
                return (
                    f"At {_where(where)}, {_show(key)} is not an operator (@@assign,"
                    " @@append, @@remove or @@operators_allowed_for_child_policies)."
                )
            problem = _operator_problem(key, value, where, frame.depth + 1)
            if problem is not None:
                return problem
            if key == CHILD_CONTROL:
                continue
            frame.sets_value = True
        else:
            if required is not None and not frame.path and key != required:
                return (
                    f'A {policy_type} document has the single top-level key "{required}",'
                    f" not {_show(key)}."
                )
            path = (*frame.path, key)
            if not isinstance(value, Mapping):
                return (
                    f"At {_where(path)}, a value must be given through an operator"
                    " (@@assign, @@append or @@remove)."
                )
            problem = _object_problem(value, frame.depth + 1, seen)
            if problem is not None:
                return problem
            frame.has_children = True
            stack.append(_Frame(iter(value.items()), path, frame.depth + 1))
        if frame.sets_value and frame.has_children:
            return (
                f"At {_where(where)}, an element cannot both set a value"
                " and have child keys."
            )
    return None


class _Frame:
    __slots__ = ("members", "path", "depth", "sets_value", "has_children")

    def __init__(
        self, members: Iterator[tuple[Any, Any]], path: tuple[str, ...], depth: int
    ):
        self.members = members
        self.path = path
        self.depth = depth
        self.sets_value = False
        self.has_children = False


def _depth_problem(depth: int) -> str | None:
    """The depth limit, for an object or array found at `depth`."""
    if depth > MAX_DEPTH:
        return (
            "The policy document nests objects and arrays"
            f" more than {MAX_DEPTH} levels deep."
        )
    return None


def _object_problem(value: Any, depth: int, seen: set[int]) -> str | None:
    """The depth limit and the tree shape, for an object found at `depth`: an object
    reached twice (never so in parsed JSON) could make the walk exponential."""
    problem = _depth_problem(depth)
    if problem is None and id(value) in seen:
        return f"{_NOT_JSON}: one object appears twice (a parsed document is a tree)."
    seen.add(id(value))
    return problem


def _operator_problem(
    operator: str, value: Any, where: tuple[str, ...], depth: int
) -> str | None:
    if operator == CHILD_CONTROL:
        return _control_problem(value, where, depth)
    if not isinstance(value, (list, tuple)):
        if operator != ASSIGN:
            return f"At {_where(where)}, {operator} takes an array."
        return _scalar_problem(
            value,
            where,
            "@@assign takes a string, number or boolean, or an array of them",
        )
    problem = _depth_problem(depth)
    expected = f"{operator} takes an array of strings, numbers and booleans"
    for item in value:
        if problem is not None:
            break
        problem = _scalar_problem(item, where, expected)
    return problem


def _scalar_problem(value: Any, where: tuple[str, ...], expected: str) -> str | None:
    if isinstance(value, str):
        if not _is_unicode(value):
            return f"At {_where(where)}, a text value is not valid Unicode."
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -_INTEGER_LIMIT < value < _INTEGER_LIMIT:
            return None
        return f"At {_where(where)}, an integer has more than 4000 digits."
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return f"{_NOT_JSON}: {_where(where)} holds a number that is not finite."
    if value is None or isinstance(value, (Mapping, list, tuple)):
        return f"At {_where(where)}, {expected}."
    return f"{_NOT_JSON}: {_where(where)} holds a value of no JSON type."


def _control_problem(value: Any, where: tuple[str, ...], depth: int) -> str | None:
    valid = (
        isinstance(value, (list, tuple))
        and bool(value)
        and all(isinstance(item, str) for item in value)
        and (
            all(item in ALL_OPERATORS for item in value)
            or list(value) in (["@@all"], ["@@none"])
        )
    )
    if not valid:
        return (
            f"At {_where(where)}, @@operators_allowed_for_child_policies takes an array of"
            ' @@assign, @@append and @@remove, or ["@@all"] or ["@@none"].'
        )
    return _depth_problem(depth)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _show(key: str) -> str:
    """A key for a message: quoted, ASCII-escaped, cut after 64 characters."""
    shown = json.dumps(key[:64])
    return shown if len(key) <= 64 else shown[:-1] + '..."'


def _where(path: tuple[str, ...]) -> str:
    """A path for a message: its keys joined by dots, odd keys quoted."""
    if not path:
        return "the top level"
    return ".".join(key if _SIMPLE_KEY.fullmatch(key) else _show(key) for key in path)
