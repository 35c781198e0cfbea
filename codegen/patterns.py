r"""Translate AWS service-model regular expressions into Python ``regex`` syntax.

Botocore's ``service-2.json`` puts a ``"pattern"`` on many string shapes
(Smithy's ``@pattern`` trait).  Smithy specifies ECMA-262 syntax, but AWS
services evaluate the patterns with ``java.util.regex`` and the models are
full of Java-only syntax (``\p{Punct}``, ``\p{LD}``, ``\x{60}``, ``[a&&[^b]]``,
surrogate-pair escapes, ...).  :func:`translate` rewrites a pattern into
source for the third-party ``regex`` module, to be compiled with
:data:`runtime.patterns.FLAGS`.  A value is valid iff the compiled pattern
*searches* successfully: patterns are not implicitly anchored.

Where ECMA and Java agree we follow both; where only Java defines a construct
we follow Java (as of JDK 18 sources); the one place they disagree and we
follow ECMA is ``$``, which must not match before a trailing newline.
Nothing is handed to Python unchanged if Python reads it differently:

====================  ======================================================
AWS pattern           Python ``regex`` output
====================  ======================================================
``$``                 ``\Z``: the very end (ECMA; Java/Python also allow a
                      final line terminator)
``\z`` / ``\A``       ``\Z`` / ``\A``
``\Z``                end, or before one final line terminator (Java)
``^``                 unchanged (multi-line mode is never enabled)
``.``                 ``[^\n\r\x85\u2028\u2029]`` (Java's line terminators);
                      ``(?s:.)`` under ``(?s)``
``\d`` ``\w`` ``\s``  ``[0-9]``, ``[A-Za-z0-9_]``, ``[\x09-\x0d ]``, ASCII as in
                      Java (ECMA's ``\s`` would be Unicode); ``\D`` ``\W`` ``\S``
                      are their complements, as explicit ranges inside ``[...]``
``\b`` ``\B``         look-arounds on ``[A-Za-z0-9_]``
``\p{Alpha}`` etc.    Java's POSIX classes, ASCII only (see ``_POSIX_CLASSES``)
``\p{LD}``            ``[\p{L}\p{Nd}]`` (Character.isLetterOrDigit)
``\p{all}``           ``[\x00-\U0010ffff]``; ``\p{L1}`` is ``[\x00-\xff]``
``\p{L}``, ``\p{IsL}``  the general category (all one- and two-letter names)
``\p{IsAlphabetic}``  ``\p{Alphabetic}``; ``\p{IsWhitespace}`` is
                      ``\p{White_Space}``
``\uD83D\uDE00``      one supplementary code point (Java pairs surrogates)
``\uXXXX`` ``\x{..}``  the code point; also ``\xhh``, ``\0ooo``, ``\t\n\r\f\a\e``
``\Q...\E``           the quoted characters as literals
``[a&&[^b]]``         ``(?:(?=[a])[^b])`` (Java class intersection)
``[a[bc]]``           ``[abc]`` (Java class union)
``(?i)`` ``(?i:..)``  ASCII-only case folding, expanded by hand: ``k`` ->
                      ``[kK]``, ``[a-c]`` -> ``[a-cA-C]``; scoped like Java
``(?s)`` ``(?s:..)``  only changes how ``.`` is translated
``X{2}{3}``           ``X{2}``: Java applies the second quantifier to an empty
                      atom, so it does nothing
``$+``, ``(?!x){2}``  the assertion once (Java repeats any node; a zero-width
                      match stops the loop); with minimum 0 it is dropped
``X*+`` ``X*?``       unchanged (``regex`` has possessive quantifiers)
``\1``, ``\k<n>``     ``\g<1>``, ``(?P=n)`` (Java's multi-digit rule)
====================  ======================================================

The output is printable ASCII and uses no Python inline flags other than the
local ``(?s:.)``, so it means the same under ``regex.V0`` and ``regex.V1``.
Unicode properties use the Unicode database of the installed ``regex``
module, which may differ from the JDK's; that is the one known divergence.
Anything else that cannot be rendered faithfully raises
:class:`UnsupportedPattern`; nothing is silently dropped or weakened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import regex

from runtime.patterns import FLAGS

__all__ = ["UnsupportedPattern", "translate"]

MAX_CODE_POINT = 0x10FFFF


class UnsupportedPattern(ValueError):
    """The pattern uses syntax that cannot be translated faithfully."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"unsupported pattern {pattern!r}: {reason}")
        self.pattern = pattern
        self.reason = reason


def translate(pattern: str) -> str:
    """Return Python ``regex`` source equivalent to the AWS ``pattern``.

    Compile the result with ``runtime.patterns.FLAGS`` and use ``search``.
    Raises :class:`UnsupportedPattern` if that is not possible faithfully.
    """
    source = _Parser(pattern).parse()
    try:
        regex.compile(source, FLAGS)
    except regex.error as exc:  # a gap in the parser; never emit broken code
        raise UnsupportedPattern(
            pattern, f"translation does not compile ({exc}): {source!r}"
        ) from None
    return source


# --------------------------------------------------------------------------
# Character sets
#
# A set is a list of items: ``(lo, hi)`` code point ranges, or strings that
# are ``regex`` property escapes such as ``\p{L}``.  Both can be written
# inside ``[...]`` directly, so no nested-set syntax is ever needed.

Range = tuple[int, int]
Item = Range | str

_DIGIT: list[Item] = [(0x30, 0x39)]
_WORD: list[Item] = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
_SPACE: list[Item] = [(0x09, 0x0D), (0x20, 0x20)]  # Java \s: [ \t\n\x0B\f\r]
_LINE_TERMINATORS = r"\n\r\x85\u2028\u2029"  # what Java's '.' refuses

# Java's POSIX character classes are US-ASCII only (no UNICODE_CHARACTER_CLASS).
_POSIX_CLASSES: dict[str, list[Item]] = {
    "Lower": [(0x61, 0x7A)],
    "Upper": [(0x41, 0x5A)],
    "ASCII": [(0x00, 0x7F)],
    "Alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "Digit": _DIGIT,
    "Alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    # !"#$%&'()*+,-./  :;<=>?@  [\]^_`  {|}~
    "Punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "Graph": [(0x21, 0x7E)],
    "Print": [(0x20, 0x7E)],
    "Blank": [(0x09, 0x09), (0x20, 0x20)],
    "Cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "XDigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
    "Space": _SPACE,
}

# Other java.util.regex property names, mapped to ``regex`` items.
_JAVA_PROPERTIES: dict[str, list[Item]] = {
    "all": [(0, MAX_CODE_POINT)],
    "LD": [r"\p{L}", r"\p{Nd}"],  # Character.isLetterOrDigit
    "L1": [(0x00, 0xFF)],  # Latin-1
}

# Java's \p{IsXxx} binary properties (names are case-insensitive in Java).
_JAVA_BINARY_PROPERTIES: dict[str, str] = {
    "ALPHABETIC": r"\p{Alphabetic}",
    "WHITESPACE": r"\p{White_Space}",
    "WHITE_SPACE": r"\p{White_Space}",
    "LETTER": r"\p{L}",
    "DIGIT": r"\p{Nd}",
}

_GENERAL_CATEGORIES = frozenset(
    "C Cc Cf Cn Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No "
    "P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split()
)

# Properties whose meaning under Java's (?i) differs between JDK versions.
_CASE_SENSITIVE_PROPERTIES = frozenset({"Lower", "Upper", "Ll", "Lu", "Lt"})

_SPECIAL_OUTSIDE_CLASS = set("\\.^$|?*+()[]{}")
_SPECIAL_INSIDE_CLASS = set("\\[]^-&~|")  # the last three are V1 set operators


def _complement(ranges: list[Range]) -> list[Item]:
    """Complement a list of code point ranges over the whole code space."""
    result: list[Item] = []
    start = 0
    for lo, hi in sorted(ranges):
        if lo > start:
            result.append((start, lo - 1))
        start = max(start, hi + 1)
    if start <= MAX_CODE_POINT:
        result.append((start, MAX_CODE_POINT))
    return result


def _swap_ascii_case(ranges: Sequence[Item]) -> list[Item]:
    """Ranges for the other ASCII case of every letter in ``ranges``.

    This is Java's CASE_INSENSITIVE rule without UNICODE_CASE: a character
    matches if it, its ASCII upper case or its ASCII lower case is in the set.
    """
    swapped: list[Item] = []
    for lo, hi in (item for item in ranges if isinstance(item, tuple)):
        for first, last, delta in ((0x41, 0x5A, 0x20), (0x61, 0x7A, -0x20)):
            a, b = max(lo, first), min(hi, last)
            if a <= b:
                swapped.append((a + delta, b + delta))
    return swapped


def _char(cp: int, in_class: bool) -> str:
    """Write one code point as a literal, escaping where needed.

    The output is printable ASCII, so it reads well in generated code."""
    ch = chr(cp)
    specials = _SPECIAL_INSIDE_CLASS if in_class else _SPECIAL_OUTSIDE_CLASS
    if ch in specials:
        return "\\" + ch
    if 0x20 <= cp < 0x7F:
        return ch
    if cp <= 0xFF:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _class_body(items: Sequence[Item]) -> str:
    """The text between ``[`` and ``]`` for a list of items."""
    parts = []
    for item in items:
        if isinstance(item, str):
            parts.append(item)
        elif item[0] == item[1]:
            parts.append(_char(item[0], True))
        else:
            parts.append(f"{_char(item[0], True)}-{_char(item[1], True)}")
    return "".join(parts)


def _set_atom(items: Sequence[Item], negated: bool = False) -> str:
    """A standalone atom matching one character of the set."""
    if not negated and len(items) == 1 and isinstance(items[0], str):
        return items[0]  # a bare \p{..}
    return f"[{'^' if negated else ''}{_class_body(items)}]"


@dataclass
class _Class:
    """A parsed character class: plain items, or an atom if it needed nesting."""

    items: list[Item] = field(default_factory=list)
    negated: bool = False
    atom: str | None = None  # set when the class is not expressible as [...]
    has_nested: bool = False  # contained a nested [...] class

    def as_atom(self) -> str:
        return (
            self.atom if self.atom is not None else _set_atom(self.items, self.negated)
        )


# Outside classes, assertions that must be spelled out explicitly.
_WORD_CHAR = "[A-Za-z0-9_]"
_WORD_BOUNDARY = (
    f"(?:(?<={_WORD_CHAR})(?!{_WORD_CHAR})|(?<!{_WORD_CHAR})(?={_WORD_CHAR}))"
)
_NOT_WORD_BOUNDARY = (
    f"(?:(?<={_WORD_CHAR})(?={_WORD_CHAR})|(?<!{_WORD_CHAR})(?!{_WORD_CHAR}))"
)
# Java's \Z: the end, or before one final line terminator (but not inside "\r\n").
_JAVA_END_BUT_FOR_TERMINATOR = (
    f"(?=(?:\\r\\n|[{_LINE_TERMINATORS}])?\\Z)(?!(?<=\\r)\\n)"
)

# `\v` is ECMA's vertical tab (U+000B). Java 8+ reads it as the vertical-whitespace class
# (U+000A-U+000D, U+0085, U+2028, U+2029); models write it in lists of control escapes
# (quicksight's `[\P{C}\n\r\t\f\v\p{Cf}]*`), where Smithy's ECMA meaning is the intent.
_SIMPLE_ESCAPES = {
    "t": 0x09, "n": 0x0A, "v": 0x0B, "r": 0x0D, "f": 0x0C, "a": 0x07, "e": 0x1B,
}  # fmt: skip
_OCTAL = frozenset("01234567")
_DIGITS = frozenset("0123456789")

# Small token grammars, matched at the parser's position.
_BRACED_QUANTIFIER = regex.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_GROUP_NAME = regex.compile(r"([A-Za-z][A-Za-z0-9]*)>")  # after "(?<" or "\k<"
_INLINE_FLAGS = regex.compile(r"([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])")  # after "(?"
_HEX_ESCAPE = regex.compile(r"\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{2})")  # after "\x"
_HEX_4 = regex.compile(r"[0-9a-fA-F]{4}")  # after "\u"


# --------------------------------------------------------------------------
# The parser


class _Parser:
    """Recursive-descent translator; one instance per pattern.

    Grammar (Java flavour)::

        alternation := sequence ('|' sequence)*
        sequence    := (atom quantifier*)*
        atom        := literal | '.' | '^' | '$' | escape | class | group
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.text = _unquote(pattern)
        self.pos = 0
        self.flags: frozenset[str] = frozenset()  # active inline flags: 'i', 's'
        self.groups = 0  # capturing groups opened so far

    # -- helpers ---------------------------------------------------------

    def _fail(self, reason: str) -> UnsupportedPattern:
        return UnsupportedPattern(self.pattern, reason)

    def _peek(self, n: int = 0) -> str:
        i = self.pos + n
        return self.text[i] if i < len(self.text) else ""

    def _next(self) -> str:
        ch = self._peek()
        if not ch:
            raise self._fail("unexpected end of pattern")
        self.pos += 1
        return ch

    def _eat(self, s: str) -> bool:
        if self.text.startswith(s, self.pos):
            self.pos += len(s)
            return True
        return False

    def _literal(self, cp: int) -> str:
        """A literal character outside a class, honouring (?i)."""
        if "i" in self.flags:
            other = _swap_ascii_case([(cp, cp)])
            if other:
                return _set_atom([(cp, cp)] + other)
        return _char(cp, False)

    # -- structure -------------------------------------------------------

    def parse(self) -> str:
        result = self._alternation()
        if self.pos < len(self.text):  # only a ')' can stop the top level early
            raise self._fail(f"unbalanced ')' at position {self.pos}")
        return result

    def _alternation(self) -> str:
        branches = [self._sequence()]
        while self._eat("|"):
            branches.append(self._sequence())
        return "|".join(branches)

    def _sequence(self) -> str:
        pieces = []
        while self._peek() not in ("", "|", ")"):
            groups_before = self.groups
            atom = self._atom()
            if atom is None:  # a flag group such as (?i) emits nothing
                continue
            text, is_assertion = atom
            quantifier, minimum = self._quantifier()
            if quantifier and is_assertion:
                # Java lets any node be repeated.  A zero-width assertion that
                # succeeds once stops the repetition, so ``$+`` or ``(?!x){2,5}``
                # is just the assertion, and ``(?!x)*`` always succeeds.
                # (ECMA's Annex B gives quantified look-aheads the same meaning.)
                quantifier = ""
                if minimum == 0:
                    if self.groups != groups_before:
                        raise self._fail(
                            "optional look-around containing a capturing group"
                        )
                    continue
            pieces.append(text + quantifier)
        return "".join(pieces)

    def _quantifier(self) -> tuple[str, int]:
        """Parse an optional quantifier with its lazy/possessive suffix.

        Returns the quantifier text ("" if none) and its minimum count."""
        ch = self._peek()
        if ch in ("*", "+", "?"):
            self.pos += 1
            quantifier, minimum = ch, int(ch == "+")
        elif ch == "{":
            match = _BRACED_QUANTIFIER.match(self.text, self.pos)
            if not match:
                raise self._fail(
                    f"'{{' at position {self.pos} does not start a quantifier"
                )
            low, high = int(match[1]), match[3]
            if high and int(high) < low:
                raise self._fail(f"quantifier {match[0]} has min > max")
            self.pos = match.end()
            quantifier, minimum = match[0], low
        else:
            return "", 0
        if self._peek() in ("?", "+"):  # lazy / possessive
            quantifier += self._next()
        return quantifier, minimum

    def _atom(self) -> tuple[str, bool] | None:
        """Parse one atom; returns (text, is_assertion), or None for (?flags)."""
        ch = self._next()
        if ch == "(":
            return self._group()
        if ch == "[":
            return self._class().as_atom(), False
        if ch == ".":
            return ("(?s:.)" if "s" in self.flags else f"[^{_LINE_TERMINATORS}]"), False
        if ch == "^":
            return "^", True
        if ch == "$":
            return r"\Z", True  # ECMA: the very end, not before a final "\n"
        if ch == "\\":
            return self._escape_outside_class()
        if ch in "*+?":
            raise self._fail(
                f"quantifier {ch!r} at position {self.pos - 1} has nothing to repeat"
            )
        if ch == "{":
            # Java parses a '{' where an atom should be as an empty atom and
            # then applies the braced quantifier to it, so in X{11}{0,1011}
            # the second quantifier repeats the empty string: a no-op.
            # (Checked against JDK 18 Pattern.sequence()/atom().)
            self.pos -= 1
            self._quantifier()
            return None
        return self._literal(ord(ch)), False

    def _group(self) -> tuple[str, bool] | None:
        saved_flags = self.flags
        is_assertion = False
        if self._eat("?"):
            if self._eat(":"):
                opener = "(?:"
            elif self._eat(">"):
                opener = "(?>"
            elif self._peek() in ("=", "!"):
                opener = "(?" + self._next()  # look-ahead
                is_assertion = True
            elif self.text.startswith(("<=", "<!"), self.pos):
                opener = "(?" + self._next() + self._next()  # look-behind
                is_assertion = True
            elif self._eat("<"):
                name = _GROUP_NAME.match(self.text, self.pos)
                if not name:
                    raise self._fail("malformed group name")
                self.pos = name.end()
                self.groups += 1
                opener = f"(?<{name[1]}>"
            else:
                return self._flag_group(saved_flags)
        else:
            self.groups += 1
            opener = "("
        body = self._alternation()
        if not self._eat(")"):
            raise self._fail("missing ')'")
        self.flags = saved_flags
        return f"{opener}{body})", is_assertion

    def _flag_group(self, saved_flags: frozenset[str]) -> tuple[str, bool] | None:
        """``(?is-s)`` changes flags until the enclosing group ends;
        ``(?i:...)`` only inside its own body."""
        match = _INLINE_FLAGS.match(self.text, self.pos)
        if not match:
            raise self._fail(f"unknown group construct at position {self.pos - 2}")
        on, off = set(match[1]), set(match[2] or "")
        if not on | off:
            raise self._fail("empty inline flag group")
        if not (on | off) <= {"i", "s"}:
            raise self._fail(
                f"inline flag(s) {''.join(sorted((on | off) - {'i', 's'}))!r} not supported"
            )
        self.pos = match.end()
        self.flags = frozenset((self.flags | on) - off)
        if match[3] == ")":
            return None  # stays in effect; the caller's group restores it
        body = self._alternation()
        if not self._eat(")"):
            raise self._fail("missing ')'")
        self.flags = saved_flags
        return f"(?:{body})", False

    # -- escapes ---------------------------------------------------------

    def _escape_outside_class(self) -> tuple[str, bool]:
        ch = self._peek()
        assertions = {
            "b": _WORD_BOUNDARY,
            "B": _NOT_WORD_BOUNDARY,
            "A": r"\A",
            "z": r"\Z",
            "Z": _JAVA_END_BUT_FOR_TERMINATOR,
        }
        if ch in assertions:
            self.pos += 1
            return assertions[ch], True
        if ch in _DIGITS and ch != "0":
            return self._backreference(), False
        if self._eat("k<"):
            match = _GROUP_NAME.match(self.text, self.pos)
            if not match:
                raise self._fail("malformed \\k<name> back-reference")
            if "i" in self.flags:
                raise self._fail("back-reference under (?i) is not supported")
            self.pos = match.end()
            return f"(?P={match[1]})", False
        value = self._escape_value(in_class=False)
        if isinstance(value, int):
            return self._literal(value), False
        items, negated = value
        return _set_atom(items, negated), False

    def _backreference(self) -> str:
        # Java: take further digits only while they name an existing group.
        number = int(self._next())
        while (
            self._peek() in _DIGITS and number * 10 + int(self._peek()) <= self.groups
        ):
            number = number * 10 + int(self._next())
        if number > self.groups:
            raise self._fail(
                f"back-reference \\{number} to a group that does not precede it"
            )
        if "i" in self.flags:
            raise self._fail("back-reference under (?i) is not supported")
        return f"\\g<{number}>"

    def _escape_value(self, in_class: bool) -> int | tuple[list[Item], bool]:
        """Parse an escape after the backslash that denotes a character
        (returns its code point) or a set (returns (items, negated))."""
        ch = self._next()
        lower = ch.lower()
        if lower in ("d", "w", "s"):
            return {"d": _DIGIT, "w": _WORD, "s": _SPACE}[lower], ch.isupper()
        if lower == "p":
            return self._property(negated=ch == "P")
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        if ch == "x":  # \xhh or \x{h...h}
            match = _HEX_ESCAPE.match(self.text, self.pos)
            if not match or int(match[1] or match[2], 16) > MAX_CODE_POINT:
                raise self._fail("malformed \\x escape")
            self.pos = match.end()
            return int(match[1] or match[2], 16)
        if ch == "u":
            return self._utf16_escape()
        if ch == "0":
            return self._octal()
        if ch.isascii() and ch.isalnum():
            where = "inside a character class" if in_class else "here"
            raise self._fail(f"escape \\{ch} is not supported {where}")
        return ord(ch)  # an escaped symbol is literal

    def _utf16_escape(self) -> int:
        """``\\uXXXX``; Java joins a high and a low surrogate escape into one
        supplementary code point, e.g. ``\\uD83D\\uDE00`` -> U+1F600."""
        unit = self._hex4()
        if 0xD800 <= unit <= 0xDBFF and self.text.startswith("\\u", self.pos):
            saved = self.pos
            self.pos += 2
            low = self._hex4()
            if 0xDC00 <= low <= 0xDFFF:
                return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            self.pos = saved
        return unit

    def _hex4(self) -> int:
        match = _HEX_4.match(self.text, self.pos)
        if not match:
            raise self._fail("malformed \\u escape")
        self.pos = match.end()
        return int(match[0], 16)

    def _octal(self) -> int:
        # Java: \0n, \0nn, \0mnn with m <= 3.  (ECMA's bare \0 is rejected.)
        digits = ""
        while len(digits) < 3 and self._peek() and self._peek() in _OCTAL:
            if len(digits) == 2 and digits[0] > "3":
                break
            digits += self._next()
        if not digits:
            raise self._fail("\\0 must be followed by octal digits")
        return int(digits, 8)

    def _property(self, negated: bool) -> tuple[list[Item], bool]:
        if self._eat("{"):
            end = self.text.find("}", self.pos)
            if end < 0:
                raise self._fail("unterminated \\p{...}")
            name, self.pos = self.text[self.pos : end], end + 1
        else:
            name = self._next()  # \pL
        if "i" in self.flags and name.removeprefix("Is") in _CASE_SENSITIVE_PROPERTIES:
            raise self._fail(f"\\p{{{name}}} under (?i) differs between Java versions")
        if name in _POSIX_CLASSES:
            return _POSIX_CLASSES[name], negated
        if name in _JAVA_PROPERTIES:
            return _JAVA_PROPERTIES[name], negated
        category = name.removeprefix("Is")
        if category in _GENERAL_CATEGORIES:
            return [f"\\{'P' if negated else 'p'}{{{category}}}"], False
        if name.startswith("Is") and name[2:].upper() in _JAVA_BINARY_PROPERTIES:
            item = _JAVA_BINARY_PROPERTIES[name[2:].upper()]
            return [item.replace("\\p", "\\P") if negated else item], False
        raise self._fail(f"unknown character property \\p{{{name}}}")

    # -- character classes -----------------------------------------------

    def _class(self) -> _Class:
        """Parse a class after its '['.  Java extensions: nested classes are
        unions, and ``&&`` intersects the operands on either side."""
        start = self.pos - 1
        negated = self._eat("^")
        if self._peek() == "]":
            raise self._fail(
                "a class starting with ']' means different things in ECMA and Java"
            )
        operands = [self._class_union(first_operand=True)]
        while self._eat("&&"):
            operands.append(self._class_union(first_operand=False))
        if not self._eat("]"):
            raise self._fail(f"unterminated character class at position {start}")

        if negated and (len(operands) > 1 or operands[0].has_nested):
            # Java 8 and Java 9+ disagree on what the '^' applies to here.
            raise self._fail(
                "negated class with nested classes or '&&' is not supported"
            )
        if len(operands) == 1 and operands[0].atom is None:
            operands[0].negated = negated
            return operands[0]
        *lookaheads, last = (operand.as_atom() for operand in operands)
        return _Class(atom="(?:" + "".join(f"(?={a})" for a in lookaheads) + last + ")")

    def _class_union(self, first_operand: bool) -> _Class:
        """Items up to ']' or '&&'; nested classes are merged in if plain."""
        items: list[Item] = []
        nested_atoms: list[str] = []
        has_nested = False
        while True:
            ch = self._peek()
            if ch == "" or ch == "]" or self.text.startswith("&&", self.pos):
                break
            if ch == "[":
                self.pos += 1
                has_nested = True
                nested = self._class()
                if nested.atom is None and not nested.negated:
                    items += nested.items
                else:
                    nested_atoms.append(nested.as_atom())
                continue
            if has_nested and not first_operand:
                # Java quirk: in [a&&[b]c] the 'c' replaces [b] instead of joining it.
                raise self._fail(
                    "characters after a nested class right of '&&' are not supported"
                )
            first = self._class_member()
            # Java: '-' before ']' or '[' is a literal, as is one after a set.
            if (
                self._peek() == "-"
                and self._peek(1) not in ("]", "[", "")
                and isinstance(first, int)
            ):
                self.pos += 1  # a range
                last = self._class_member()
                if not isinstance(last, int):
                    raise self._fail("character range ends with a class escape")
                if last < first:
                    raise self._fail(
                        f"character range {chr(first)!r}-{chr(last)!r} is out of order"
                    )
                items.append((first, last))
            elif isinstance(first, int):
                items.append((first, first))
            else:
                items += first

        if not items and not nested_atoms:
            raise self._fail("empty character class or '&&' operand")
        if "i" in self.flags:
            items += _swap_ascii_case(items)
        if not nested_atoms:
            return _Class(items, has_nested=has_nested)
        if not items and len(nested_atoms) == 1:
            return _Class(atom=nested_atoms[0], has_nested=True)
        alternatives = ([_set_atom(items)] if items else []) + nested_atoms
        return _Class(atom="(?:" + "|".join(alternatives) + ")", has_nested=True)

    def _class_member(self) -> int | list[Item]:
        """One code point, or a list of items for a set escape."""
        ch = self._next()
        if ch != "\\":
            return ord(ch)
        value = self._escape_value(in_class=True)
        if isinstance(value, int):
            return value
        items, negated = value
        if not negated:
            return items
        ranges = [item for item in items if isinstance(item, tuple)]
        if len(ranges) == len(items):
            return _complement(ranges)
        raise self._fail(
            "a negated multi-property class such as \\P{LD} inside [...] is not supported"
        )


def _unquote(pattern: str) -> str:
    """Replace Java's ``\\Q...\\E`` quoting with escapes, as Java itself does.

    Digits become ``\\x3N`` so they cannot extend a preceding escape."""
    if "\\Q" not in pattern:
        return pattern
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("\\Q", i):
            end = pattern.find("\\E", i + 2)
            quoted = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
            for ch in quoted:
                if ch.isdigit() and ch.isascii():
                    out.append(f"\\x3{ch}")
                elif ch.isascii() and ch.isalpha():
                    out.append(ch)
                else:
                    out.append("\\" + ch)
            i = len(pattern) if end < 0 else end + 2
        elif pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)
