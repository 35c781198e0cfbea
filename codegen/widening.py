"""Whether a changed `pattern` provably accepts every string the old one accepted.

A regular expression cannot in general be proved looser than another; this module
proves it for the edits models actually make, and answers "not proved" otherwise.

**The rule.** Both patterns are parsed (escapes, character classes, groups and
quantifiers; a pattern that does not parse is "not proved"). The new pattern `N` covers
the old one `O` when every top-level alternative of `O` is covered by some top-level
alternative of `N` (so `A` → `A|B`, `(A)|(B)` → `(A)|(B)|(C)`, any reordering, and any
superset of alternatives loosen). One alternative (a sequence of items) covers another
when the two can be aligned item by item, where:

- an item of `N` covers an item of `O` if they are equal, or if both are plain groups
  (`(…)`, `(?:…)`, `(?P<name>…)`) or atoms and the alternatives of `N`'s cover those of
  `O`'s (`(a|b)` → `(a|b|c)`, `a` → `(a|b)`), and `N`'s repetition range contains
  `O`'s (`x{1,64}` → `x{1,128}`, `x+` → `x*`; greedy and lazy alike);
- an item of `O` that is a zero-width assertion (`^`, `$`, `\\A`, `\\Z`, `\\z`, `\\b`,
  `\\B`, a lookahead or lookbehind) may be left out of `N` (`(A)$|…` → `(A)|…`):
  dropping a condition only admits more;
- a plain unquantified group of `N` may cover a run of `O`'s items (`ab` →
  `(ab|c)`), and a plain unquantified group with one alternative is read as its
  contents on both sides (`(^rp-x)` is `^rp-x`).

Atoms (a character, an escape, a character class, a backreference, and any other group:
atomic, conditional, with flags) are compared as text. Possessive quantifiers, and any
pattern holding a backreference, are compared exactly. Each step keeps "every string
`O` matches, `N` matches" (a regular expression is monotone in its parts), so the rule is
sound under search and full-match semantics alike; it is not complete: a widened
character class (`[a-z]` → `[a-z0-9]`) is "not proved".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_QUANTIFIER = re.compile(r"\{(\d*)(,?)(\d*)\}")
_ASSERTION_ESCAPES = frozenset("AZzbB")
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")


@dataclass(frozen=True)
class Atom:
    """Compared as text: a character, an escape, a class, an opaque group."""

    text: str


@dataclass(frozen=True)
class Assertion:
    """Zero-width: may be dropped by a looser pattern."""

    text: str


@dataclass(frozen=True)
class Group:
    """A plain group: capturing, non-capturing or named."""

    opener: str
    alternatives: tuple[tuple[Item, ...], ...]


Node = Atom | Assertion | Group


@dataclass(frozen=True)
class Item:
    node: Node
    low: int = 1
    #: None: unbounded.
    high: int | None = 1
    #: "" greedy, "?" lazy, "+" possessive.
    mode: str = ""


Alternatives = tuple[tuple[Item, ...], ...]


class _Unparsable(ValueError):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.backreference = False

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.text[index] if index < len(self.text) else ""

    def parse(self) -> Alternatives:
        found = self.alternatives()
        if self.at != len(self.text):
            raise _Unparsable(f"unbalanced ) at {self.at}")
        return found

    def alternatives(self) -> Alternatives:
        found = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            found.append(self.sequence())
        return tuple(found)

    def sequence(self) -> tuple[Item, ...]:
        items: list[Item] = []
        while self.peek() and self.peek() not in "|)":
            node = self.atom()
            low, high, mode = self.quantifier()
            items.append(Item(node, low, high, mode))
        return tuple(items)

    def atom(self) -> Node:
        char = self.peek()
        if char == "\\":
            return self.escape()
        if char == "[":
            return Atom(self.char_class())
        if char == "(":
            return self.group()
        self.at += 1
        if char in "^$":
            return Assertion(char)
        return Atom(char)

    def escape(self) -> Node:
        start = self.at
        nxt = self.peek(1)
        if not nxt:
            raise _Unparsable("trailing backslash")
        self.at += 2
        if nxt in _ASSERTION_ESCAPES:
            return Assertion(self.text[start : self.at])
        if nxt in "123456789":
            self.backreference = True
            while self.peek().isdigit():
                self.at += 1
        elif nxt in "pPN" and self.peek() == "{":
            end = self.text.find("}", self.at)
            if end < 0:
                raise _Unparsable("unterminated \\p{")
            self.at = end + 1
        elif nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            if self.peek() == "{":  # Java's \x{h...h}
                end = self.text.find("}", self.at)
                self.at = end + 1 if end >= 0 else len(self.text)
            else:
                self.at += width
        elif nxt == "0":
            while self.peek() in "01234567" and self.peek() and self.at - start < 4:
                self.at += 1
        return Atom(self.text[start : self.at])

    def char_class(self) -> str:
        start = self.at
        self.at += 1
        if self.peek() == "^":
            self.at += 1
        if self.peek() == "]":
            self.at += 1
        depth = 1
        while depth:
            char = self.peek()
            if not char:
                raise _Unparsable("unterminated [")
            if char == "\\":
                self.at += 2
                continue
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
            self.at += 1
        return self.text[start : self.at]

    def group(self) -> Node:
        start = self.at
        rest = self.text[start:]
        if rest.startswith("(?P="):
            self.backreference = True
            end = self.text.find(")", start)
            if end < 0:
                raise _Unparsable("unterminated (?P=")
            self.at = end + 1
            return Atom(self.text[start : self.at])
        if rest.startswith("(?#"):
            end = self.text.find(")", start)
            if end < 0:
                raise _Unparsable("unterminated comment")
            self.at = end + 1
            return Atom(self.text[start : self.at])
        if rest.startswith("(?:"):
            opener, kind = "(?:", "plain"
        elif rest.startswith("(?P<"):
            end = self.text.find(">", start)
            if end < 0:
                raise _Unparsable("unterminated group name")
            opener, kind = self.text[start : end + 1], "plain"
        elif rest.startswith(_LOOKAROUNDS):
            opener = next(o for o in _LOOKAROUNDS if rest.startswith(o))
            kind = "assertion"
        elif rest.startswith("(?"):
            # Atomic, conditional, flags: kept as text. Flags up to ':' or ')'.
            match = re.match(r"\(\?[^:)]*[:)]?", rest)
            opener = match.group(0) if match else "(?"
            if opener.endswith(")"):  # a global flag group: (?i)
                self.at += len(opener)
                return Atom(opener)
            kind = "opaque"
        else:
            opener, kind = "(", "plain"
        self.at += len(opener)
        inner = self.alternatives()
        if self.peek() != ")":
            raise _Unparsable("unterminated (")
        self.at += 1
        text = self.text[start : self.at]
        if kind == "assertion":
            return Assertion(text)
        if kind == "opaque":
            return Atom(text)
        return Group(opener, inner)

    def quantifier(self) -> tuple[int, int | None, str]:
        char = self.peek()
        low: int
        high: int | None
        if char == "*":
            low, high, width = 0, None, 1
        elif char == "+":
            low, high, width = 1, None, 1
        elif char == "?":
            low, high, width = 0, 1, 1
        elif char == "{":
            match = _QUANTIFIER.match(self.text, self.at)
            if not match or not (match.group(1) or match.group(3)):
                return 1, 1, ""  # a literal brace
            first, comma, second = match.groups()
            low = int(first) if first else 0
            high = int(second) if second else (None if comma else low)
            width = match.end() - self.at
        else:
            return 1, 1, ""
        self.at += width
        mode = ""
        if self.peek() in ("?", "+"):
            mode = self.peek()
            self.at += 1
        return low, high, mode


def _flatten(alternatives: Alternatives) -> Alternatives:
    """A plain unquantified group of one alternative is read as its contents."""
    result = []
    for sequence in alternatives:
        items: list[Item] = []
        for item in sequence:
            node = item.node
            if isinstance(node, Group):
                inner = _flatten(node.alternatives)
                if len(inner) == 1 and (item.low, item.high) == (1, 1):
                    items.extend(inner[0])
                    continue
                node = Group(node.opener, inner)
                item = Item(node, item.low, item.high, item.mode)
            items.append(item)
        result.append(tuple(items))
    return tuple(result)


def parse(pattern: str) -> tuple[Alternatives, bool] | None:
    """The pattern's top-level alternatives and whether it has a backreference; None
    when it does not parse."""
    parser = _Parser(pattern)
    try:
        tree = parser.parse()
    except (_Unparsable, IndexError):
        return None
    return _flatten(tree), parser.backreference


def _as_alternatives(node: Node) -> Alternatives:
    if isinstance(node, Group):
        return node.alternatives
    return ((Item(node),),)


def _range_covers(new: Item, old: Item) -> bool:
    if new.low > old.low:
        return False
    if new.high is None:
        return True
    return old.high is not None and old.high <= new.high


def _item_covers(new: Item, old: Item) -> bool:
    if new == old:
        return True
    if "+" in (new.mode, old.mode) or not _range_covers(new, old):
        return False
    if new.node == old.node:
        return True
    if isinstance(new.node, Assertion) or isinstance(old.node, Assertion):
        return False
    if isinstance(new.node, Atom) and isinstance(old.node, Atom):
        return False
    return covers(_as_alternatives(new.node), _as_alternatives(old.node))


def _sequence_covers(new: tuple[Item, ...], old: tuple[Item, ...]) -> bool:
    @lru_cache(maxsize=None)
    def match(i: int, j: int) -> bool:
        if i == len(old) and j == len(new):
            return True
        if i < len(old) and isinstance(old[i].node, Assertion) and match(i + 1, j):
            return True
        if j == len(new):
            return False
        item = new[j]
        if item.low == 0 and item.mode != "+" and match(i, j + 1):
            return True
        if i < len(old) and _item_covers(item, old[i]) and match(i + 1, j + 1):
            return True
        if (
            isinstance(item.node, Group)
            and (item.low, item.high) == (1, 1)
            and item.mode == ""
        ):
            for k in range(i + 1, len(old) + 1):
                run = (old[i:k],)
                if covers(item.node.alternatives, run) and match(k, j + 1):
                    return True
        return False

    return match(0, 0)


def covers(new: Alternatives, old: Alternatives) -> bool:
    """Every alternative of `old` is covered by some alternative of `new`."""
    return all(any(_sequence_covers(n, o) for n in new) for o in old)


def loosens(old: str, new: str) -> bool:
    """True when `new` provably matches every string `old` matches (module docstring)."""
    if old == new:
        return True
    parsed_old, parsed_new = parse(old), parse(new)
    if parsed_old is None or parsed_new is None:
        return False
    (old_tree, old_refs), (new_tree, new_refs) = parsed_old, parsed_new
    if old_refs or new_refs:
        return False
    return covers(new_tree, old_tree)
