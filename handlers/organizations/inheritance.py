"""Management policy documents: their syntax (organizations.md P8) and how the policies
on an account's path merge into its effective policy (E4–E7). Pure: no database, no I/O.

The 13 management types (the model's `EffectivePolicyType`) share one document language.
An object's keys are either **plain keys**, which name an element of the policy (its
*path* is the plain keys from the top down), or **operators**, which start with `@@`.

**Syntax** (`management_problem`, P8's management bullets; the first problem, in document
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
  document always serializes); the document is a tree of JSON values. Every check is one
  pass without recursion, linear in the document.

**Merge** (`merge`): levels from the root down to the account, each level's policies in
attachment order (E4), one document after the other; each element of a document in
document order.

- E5 `@@assign` replaces the setting at its path; within one level the first policy to
  assign a path wins and later assigns of it at that level are ignored (UG example 6);
  a lower level's assign overwrites. `@@append` adds the values not yet present, in order,
  creating the setting if absent, turning a scalar into a one-element array first.
  `@@remove` deletes the listed values; a scalar equal to one of them goes [DECIDED].
- Several value-setting operators on one element apply as assign, then append, then
  remove [DECIDED: JSON members are unordered, so key order must not matter].
- A multi-valued setting holds each value once: duplicates in an `@@assign` array keep
  their first place [DECIDED: append and remove treat settings as sets of values].
  Values are equal when of the same JSON kind and equal; numbers by value, `1` = `1.0`,
  never `true` = `1` [DECIDED].
- E6 a child control at level L on a path limits the operators that levels below L may
  use there and on every path beneath; several on a path at one level intersect, and
  limits accumulate down the levels (a child can only narrow). Policies of one level
  never restrict each other: a level's controls take effect once the level is merged.
  An operator not allowed is ignored, leaving the inherited setting. Controls are never
  ignored themselves (intersection cannot widen), even where their element's values are.
- A path is a setting or an element with children, whichever a policy first gave it in
  merge order; a later operator or child key that treats it as the other kind is ignored
  there, as a disallowed operator is [DECIDED: the spec has no rule; first wins, as in E5].
- E7 the result has every `@@` key removed, each setting as its value, keys in order of
  first appearance in the result, and empty arrays and elements left without any value
  omitted; `{}` when nothing remains. `render` writes it compactly.

Everything is linear in the documents' size: settings keep their values in dicts keyed
by a canonical form (text keys hash randomly, so crafted numbers cannot collide).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from generated.organizations.shapes import EffectivePolicyType

__all__ = [
    "ALL_OPERATORS",
    "CHILD_CONTROL",
    "MANAGEMENT_TYPES",
    "MAX_DEPTH",
    "TOP_LEVEL_KEY",
    "management_problem",
    "merge",
    "render",
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
_SIMPLE_KEY: Final = re.compile(r"[A-Za-z0-9_:*-]{1,64}")
_SETTING_KINDS: Final = "a string, number or boolean"


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


def merge(levels: Sequence[Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """E4–E7: `levels` from the root down to the account (root, OU depth 1, …, the account's parent, the account itself); each level the parsed documents attached there in attachment order. Returns the effective document (operators applied, every @@ key removed, operator objects replaced by their values, empty elements omitted, keys in order of first appearance). {} when nothing remains.

    Raises ValueError (with `management_problem`'s message) for a document that breaks a
    type-independent P8 rule; documents `management_problem` accepts never raise. The
    documents are not modified and the result shares nothing with them."""
    tree: dict[str, Any] = {}
    controls = _Control()
    for depth, documents in enumerate(levels):
        touched: list[_Control] = []
        for document in documents:
            problem = _problem(document, None, None)
            if problem is not None:
                raise ValueError(problem)
            _apply(document, depth, tree, controls, touched)
        for control in touched:  # E6: a level's limits bind the levels below only
            if control.pending is not None:
                control.allowed &= control.pending
                control.pending = None
    return _plain(tree)


def render(effective: Mapping[str, Any]) -> str:
    """E7's serialization: compact JSON (no insignificant whitespace), keys in the merged order, non-ASCII kept as is (DECIDED, say so).

    DECIDED: non-ASCII text is written as itself, not as `\\u` escapes (the answer is
    UTF-8 JSON, and AWS shows effective policies that way). Never raises for what `merge`
    returned; for other mappings, what `json.dumps` raises (TypeError, ValueError)."""
    return json.dumps(
        effective, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


# --- P8: one pass over the document, in document order --------------------------------


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
        where = _where(frame.path)
        if not isinstance(key, str):
            return (
                f"The policy document is not JSON: {where} has a key that is not text."
            )
        if not _is_unicode(key):
            return f"At {where}, the key {_show(key)} is not valid Unicode text."
        if key.startswith("@@"):
            if not frame.path:
                return (
                    f"The top level of a policy document takes keys, not {_show(key)}."
                )
            if key not in _OPERATORS:
                return (
                    f"At {where}, {_show(key)} is not an operator (@@assign, @@append,"
                    " @@remove or @@operators_allowed_for_child_policies)."
                )
            problem = _operator_problem(key, value, where, frame.depth + 1, seen)
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
            problem = _container_problem(value, frame.depth + 1, seen)
            if problem is not None:
                return problem
            frame.has_children = True
            stack.append(_Frame(iter(value.items()), path, frame.depth + 1))
        if frame.sets_value and frame.has_children:
            return (
                f"At {where}, an element cannot both set a value and have child keys."
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


def _container_problem(value: Any, depth: int, seen: set[int]) -> str | None:
    """The depth limit and the tree shape, for an object or array found at `depth`."""
    if depth > MAX_DEPTH:
        return f"The policy document nests objects and arrays more than {MAX_DEPTH} levels deep."
    if id(value) in seen:
        return (
            "The policy document is not a tree of JSON values: one value appears twice."
        )
    seen.add(id(value))
    return None


def _operator_problem(
    operator: str, value: Any, where: str, depth: int, seen: set[int]
) -> str | None:
    if operator == CHILD_CONTROL:
        return _control_problem(value, where, depth, seen)
    if not isinstance(value, (list, tuple)):
        if operator != ASSIGN:
            return f"At {where}, {operator} takes an array."
        return _scalar_problem(
            value, where, f"@@assign takes {_SETTING_KINDS}, or an array of them"
        )
    problem = _container_problem(value, depth, seen)
    for item in value:
        if problem is not None:
            break
        problem = _scalar_problem(
            item, where, f"{operator} takes an array of {_SETTING_KINDS}"
        )
    return problem


def _scalar_problem(value: Any, where: str, expected: str) -> str | None:
    if isinstance(value, str):
        if not _is_unicode(value):
            return f"At {where}, a text value is not valid Unicode."
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -_INTEGER_LIMIT < value < _INTEGER_LIMIT:
            return None
        return f"At {where}, an integer has more than 4000 digits."
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return f"The policy document is not JSON: {where} holds a number that is not finite."
    if value is None or isinstance(value, (Mapping, list, tuple)):
        return f"At {where}, {expected}."
    return f"The policy document is not JSON: {where} holds a value of no JSON type."


def _control_problem(value: Any, where: str, depth: int, seen: set[int]) -> str | None:
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
            f"At {where}, @@operators_allowed_for_child_policies takes an array of"
            ' @@assign, @@append and @@remove, or ["@@all"] or ["@@none"].'
        )
    return _container_problem(value, depth, seen)


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
    if not path:
        return "the top level"
    return ".".join(key if _SIMPLE_KEY.fullmatch(key) else _show(key) for key in path)


# --- E4–E7: the merge ------------------------------------------------------------------


class _Control:
    """E6 for one path: the operators its own controls allow (all levels merged so far),
    the controls of the level being merged, the last level that assigned it (E5), and
    the paths beneath it."""

    __slots__ = ("allowed", "pending", "assigned_at", "children")

    def __init__(self) -> None:
        self.allowed: frozenset[str] = ALL_OPERATORS
        self.pending: frozenset[str] | None = None
        self.assigned_at = -1
        self.children: dict[str, _Control] = {}

    def child(self, key: str) -> _Control:
        found = self.children.get(key)
        if found is None:
            found = self.children[key] = _Control()
        return found

    def restrict(self, value: Sequence[str], touched: list[_Control]) -> None:
        if list(value) == ["@@all"]:
            allowed = ALL_OPERATORS
        elif list(value) == ["@@none"]:
            allowed = frozenset()
        else:
            allowed = frozenset(value)
        if self.pending is None:
            self.pending = allowed
            touched.append(self)
        else:
            self.pending &= allowed


class _Setting:
    """A setting of the effective document: its values by canonical form, in order, and
    whether it is one value outside an array."""

    __slots__ = ("values", "scalar")

    def __init__(self, value: Any = ()) -> None:
        self.scalar = not isinstance(value, (list, tuple))
        items = (value,) if self.scalar else value
        self.values: dict[tuple[str, str], Any] = {}
        for item in items:
            self.values.setdefault(_canonical(item), item)

    def append(self, items: Sequence[Any]) -> None:
        self.scalar = False
        for item in items:
            self.values.setdefault(_canonical(item), item)

    def remove(self, items: Sequence[Any]) -> None:
        for item in items:
            self.values.pop(_canonical(item), None)
        if not self.values:
            self.scalar = False


def _canonical(value: Any) -> tuple[str, str]:
    """E5's equality of values: the same JSON kind and the same value."""
    if isinstance(value, bool):
        return ("boolean", "true" if value else "false")
    if isinstance(value, int):
        return ("number", str(value))
    if isinstance(value, float):
        return ("number", str(int(value)) if value.is_integer() else repr(value))
    return ("string", value)


class _Slot:
    """An element of the effective document that a document reaches: found or made only
    once a setting beneath it is applied, so that ignored parts leave no trace."""

    __slots__ = ("parent", "key", "node", "resolved")

    def __init__(
        self, parent: _Slot | None, key: str, node: dict[str, Any] | None = None
    ):
        self.parent = parent
        self.key = key
        self.node = node
        self.resolved = node is not None

    def container(self, create: bool) -> dict[str, Any] | None:
        """The element's object; None when absent (and not `create`) or a setting has
        its path or an ancestor's (the kind rule)."""
        pending: list[_Slot] = []
        slot: _Slot | None = self
        while slot is not None and not slot.resolved:
            pending.append(slot)
            slot = slot.parent
        node = slot.node if slot is not None else None
        for slot in reversed(pending):
            if node is None:
                return None
            found = node.get(slot.key)
            if found is None:
                if not create:
                    return None
                found = node[slot.key] = {}
            if isinstance(found, dict):
                node = found
            else:
                node = None
            slot.node, slot.resolved = node, True
        return node


def _apply(
    document: Mapping[str, Any],
    level: int,
    tree: dict[str, Any],
    controls: _Control,
    touched: list[_Control],
) -> None:
    """One validated document of `level`, element by element in document order."""
    root = _Slot(None, "", tree)
    # Each frame: an element's object, the slot of its parent, its key, its control
    # node, and the operators its ancestors allow.
    stack: list[tuple[Mapping[str, Any], _Slot, str, _Control, frozenset[str]]] = [
        (document, root, "", controls, ALL_OPERATORS)
    ]
    while stack:
        element, parent, key, control, inherited = stack.pop()
        allowed = inherited & control.allowed
        if CHILD_CONTROL in element:
            control.restrict(element[CHILD_CONTROL], touched)
        if any(operator in element for operator in VALUE_OPERATORS):
            _set(element, parent, key, control, allowed, level)
            continue
        slot = root if element is document else _Slot(parent, key)
        children = [
            (value, slot, name, control.child(name), allowed)
            for name, value in element.items()
            if not name.startswith("@@")
        ]
        stack.extend(reversed(children))


def _set(
    element: Mapping[str, Any],
    parent: _Slot,
    key: str,
    control: _Control,
    allowed: frozenset[str],
    level: int,
) -> None:
    """E5 on one setting, its operators in the order assign, append, remove."""
    if ASSIGN in element and ASSIGN in allowed and control.assigned_at != level:
        container = parent.container(create=True)
        if container is not None and not isinstance(container.get(key), dict):
            container[key] = _Setting(element[ASSIGN])
            control.assigned_at = level
    if APPEND in element and APPEND in allowed and element[APPEND]:
        container = parent.container(create=True)
        if container is not None:
            current = container.setdefault(key, _Setting())
            if isinstance(current, _Setting):
                current.append(element[APPEND])
    if REMOVE in element and REMOVE in allowed:
        container = parent.container(create=False)
        current = container.get(key) if container is not None else None
        if isinstance(current, _Setting):
            current.remove(element[REMOVE])


def _plain(tree: dict[str, Any]) -> dict[str, Any]:
    """E7: the effective tree as JSON values, empty settings and elements omitted."""
    result: dict[str, Any] = {}
    # Each frame: the members left to copy, the object they go to, and where that object
    # goes once complete (its parent and key), unless it stays empty.
    stack: list[
        tuple[Iterator[tuple[str, Any]], dict[str, Any], dict[str, Any] | None, str]
    ]
    stack = [(iter(tree.items()), result, None, "")]
    while stack:
        members, target, parent, key = stack[-1]
        member = next(members, None)
        if member is None:
            stack.pop()
            if parent is not None and target:
                parent[key] = target
            continue
        name, node = member
        if isinstance(node, dict):
            stack.append((iter(node.items()), {}, target, name))
        elif node.values:
            values = list(node.values.values())
            target[name] = values[0] if node.scalar else values
    return result
