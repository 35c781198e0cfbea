"""How the management policies on an account's path merge into its effective policy
(organizations.md E4–E7), and the effective policy's text. Pure: no database, no I/O.

The documents' syntax (P8) is `management_syntax`'s; `TOP_LEVEL_KEY` and
`management_problem` are re-exported here, so that one module serves both CreatePolicy /
UpdatePolicy and DescribeEffectivePolicy. A setting is an element that sets a value; an
element's *path* is its plain keys from the top down.

**Merge** (`merge`): levels from the root down to the account, each level's policies in
attachment order (E4), one document after the other; each element of a document in
document order.

- E5 `@@assign` replaces the setting at its path; within one level the first policy to
  assign a path wins and later assigns of it at that level are ignored (UG example 6;
  an assign that was itself ignored does not count); a lower level's assign overwrites.
  `@@append` adds the values not yet present, in order, creating the setting if absent,
  turning a scalar into a one-element array first; an empty `@@append` does nothing
  [DECIDED]. `@@remove` deletes the listed values; a scalar equal to one of them goes
  [DECIDED]; a setting left empty stays in its place, unseen, until a value returns.
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
  Only what is applied gives a kind: an element whose operators were all ignored leaves
  no trace.
- E7 the result has every `@@` key removed, each setting as its value, keys in order of
  first appearance in the result, and empty arrays and elements left without any value
  omitted; `{}` when nothing remains. `render` writes it compactly, non-ASCII text as
  itself [DECIDED].

Everything is linear in the documents' size: settings keep their values in dicts keyed
by a canonical form (text keys hash randomly, so crafted numbers cannot collide).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from handlers.organizations.management_syntax import (
    ALL_OPERATORS,
    APPEND,
    ASSIGN,
    CHILD_CONTROL,
    REMOVE,
    TOP_LEVEL_KEY,
    VALUE_OPERATORS,
    document_problem,
    management_problem,
)

__all__ = ["TOP_LEVEL_KEY", "management_problem", "merge", "render"]


def merge(levels: Sequence[Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """E4–E7: `levels` from the root down to the account (root, OU depth 1, …, the account's parent, the account itself); each level the parsed documents attached there in attachment order. Returns the effective document (operators applied, every @@ key removed, operator objects replaced by their values, empty elements omitted, keys in order of first appearance). {} when nothing remains.

    Raises ValueError (with `management_problem`'s message) for a document that breaks a
    type-independent P8 rule; documents `management_problem` accepts never raise. The
    documents are not modified and the result shares nothing with them."""
    tree: dict[str, Any] = {}
    controls = _Control()
    for level, documents in enumerate(levels):
        touched: list[_Control] = []
        for document in documents:
            problem = document_problem(document)
            if problem is not None:
                raise ValueError(problem)
            _apply(document, level, tree, controls, touched)
        for control in touched:  # E6: a level's limits bind the levels below only
            control.settle()
    return _plain(tree)


def render(effective: Mapping[str, Any]) -> str:
    """E7's serialization: compact JSON (no insignificant whitespace), keys in the merged order, non-ASCII kept as is (DECIDED).

    DECIDED: non-ASCII text is written as itself, not as `\\u` escapes: the answer is
    UTF-8 JSON, which carries it, and a client reads both forms alike. Never raises for
    what `merge` returned; for other mappings, what `json.dumps` raises (TypeError,
    ValueError)."""
    return json.dumps(
        effective, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


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

    def settle(self) -> None:
        """The level is merged: its controls bind the levels below from now on."""
        if self.pending is not None:
            self.allowed &= self.pending
            self.pending = None


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
