"""Wildcard patterns as IAM reads them in `Action`, `Resource` and `StringLike` (used by the
delegation policy, organizations.md D11 and D12): `*` stands for any run of characters and
`?` for exactly one, both across `/` and `:` [DECIDED, as IAM]; every other character
stands for itself. There is no escape and no character class.

`matches(pattern, text)` says whether `text` is one of the pattern's strings;
`overlaps(pattern, other)` whether some string is one of both patterns' (how D11 tells
that a `Resource` can name an ARN of this organization).

Both run in time linear in the pattern, whatever it holds (`*a*a*a*…b` included): the
pattern is read once, left to right, carrying the set of places the other side can have
reached as the bits of an int; `*` fills that set upwards from its lowest member. No
regular expression is built, so nothing backtracks. `matches` first drops patterns that
need more characters than `text` has, so its loop never runs longer than about twice the
text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["matches", "overlaps"]

_STARS: Final = re.compile(r"\*{2,}")


@dataclass(frozen=True)
class _Places:
    """One side as an automaton: place `i` is "the first `i` symbols are consumed", place
    `width` accepts. Each mask has bit `i` set where symbol `i` is of its kind."""

    width: int
    literal: dict[str, int]
    one: int  # `?`: consumes any one character
    many: int  # `*`: consumes any character and stays, or moves on without consuming

    @classmethod
    def of(cls, symbols: str, *, wild: bool) -> _Places:
        """`symbols` read as a pattern (`wild`) or as plain text."""
        literal: dict[str, int] = {}
        one = many = 0
        for index, char in enumerate(symbols):
            if wild and char == "*":
                many |= 1 << index
            elif wild and char == "?":
                one |= 1 << index
            else:
                literal[char] = literal.get(char, 0) | 1 << index
        return cls(len(symbols), literal, one, many)

    def close(self, state: int) -> int:
        """Add the moves past a `*` that consume nothing (stars never follow each other)."""
        return state | (state & self.many) << 1


def matches(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """Whether `text` is one of `pattern`'s strings (IAM's `*` and `?`)."""
    if ignore_case:
        pattern, text = pattern.lower(), text.lower()
    if len(pattern) - pattern.count("*") > len(text):
        return False  # each non-star symbol takes one character
    return _walk(_STARS.sub("*", pattern), _Places.of(text, wild=False))


def overlaps(pattern: str, other: str) -> bool:
    """Whether some string is one of `pattern`'s and one of `other`'s (both with `*` and
    `?`). Linear in `pattern`; `other` is meant to be short (its width is the int's)."""
    return _walk(
        _STARS.sub("*", pattern), _Places.of(_STARS.sub("*", other), wild=True)
    )


def _walk(pattern: str, side: _Places) -> bool:
    """Run `pattern` (no two stars in a row) against `side`: the set of `side`'s places
    that some string of the pattern's prefix read so far can reach."""
    everything = (1 << side.width + 1) - 1
    consumes_one = (everything >> 1) & ~side.many
    state = side.close(1)
    for char in pattern:
        if char == "*":
            # any string: every place from the lowest one reached onwards
            state = everything & -(state & -state)
        else:
            takes = (
                consumes_one if char == "?" else side.literal.get(char, 0) | side.one
            )
            state = side.close((state & takes) << 1 | state & side.many)
        if not state:
            return False
    return bool(state >> side.width & 1)
