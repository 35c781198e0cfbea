"""Strict JSON for every policy document (organizations.md P8 "every type", D11's first
check): `parse_object` accepts exactly one JSON object (RFC 8259) and nothing else.

Refused, each with `Malformed` naming the first problem:

- anything that is not RFC 8259 JSON (Python's extensions `NaN`, `Infinity` and
  `-Infinity` included), or data after the value;
- a value other than an object at the top;
- an object with the same key twice, at any depth (compared after unescaping, so `"a"` and
  `"\\u0061"` are the same key);
- nesting deeper than `MAX_DEPTH` [DECIDED: no policy grammar needs more than about ten
  levels; the limit keeps the parser's recursion far from Python's];
- a string with an unpaired surrogate escape such as `"\\ud800"` [DECIDED: RFC 8259 §8.1
  wants UTF-8 between systems, and such a string has no UTF-8 form, so no log line or
  message could show it];
- a number of more than 4,300 digits [DECIDED: RFC 8259 §9 lets a parser limit numbers;
  this is Python's own limit for integers].

Why the standard library's `json` and not orjson (which the wire layer uses): orjson keeps
the last of two equal keys without a word, and only a hook on every object can see them;
`json.loads` has that hook (`object_pairs_hook`) and `parse_constant` for NaN and
Infinity. Measured on a 40,000-character policy (175 statements): orjson about 0.3 ms
with none of the checks, `json.loads` with the key hook about 0.8 ms, `parse_object` with
the depth scan and the string check about 3 ms, small beside the transaction that stores
the policy. Its one weakness,
recursion, is closed off before it parses: `_depth` strips the string literals and sums
the brackets left, in C and in linear time, so `[[[[…` never reaches the parser.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Final, NoReturn

__all__ = ["MAX_DEPTH", "Malformed", "parse_object", "quoted"]

#: Objects and arrays nested deeper than this are refused (see the module docstring).
MAX_DEPTH: Final = 64

#: A string literal, possibly unterminated (it then runs to the end, so the scan never
#: restarts inside it). Possessive quantifiers and no nested choice: the scan is linear.
_STRING: Final = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]++")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


class Malformed(ValueError):
    """The content is not a policy document; str(error) is a one-sentence message naming
    the first problem."""


def parse_object(content: str) -> dict[str, Any]:
    """P8 'every type': exactly one JSON object (RFC 8259), no duplicate keys at any depth,
    no NaN/Infinity, nothing after it; else Malformed."""
    if _depth(content) > MAX_DEPTH:
        raise Malformed(
            f"The document nests objects and arrays deeper than {MAX_DEPTH}."
        )
    try:
        value = json.loads(
            content, object_pairs_hook=_object, parse_constant=_no_constant
        )
    except json.JSONDecodeError as error:
        raise Malformed(
            f"The document is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})."
        ) from None
    except Malformed:
        raise
    except ValueError:
        raise Malformed("The document has a number with too many digits.") from None
    if not isinstance(value, dict):
        raise Malformed("The document is not a JSON object.")
    _check_strings(value)
    return value


def quoted(text: str) -> str:
    """`text` as a JSON string for a message, cut after 40 characters."""
    return json.dumps(text[:40]) + ("..." if len(text) > 40 else "")


def _depth(content: str) -> int:
    """The deepest nesting of brackets outside string literals (a bound on the parser's
    recursion for any prefix it accepts)."""
    if content.count("[") + content.count("{") <= MAX_DEPTH:
        return 0  # too few openings to go deeper: the common case, without a scan
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", content))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook`: the object, unless a key repeats."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise Malformed(f"The key {quoted(key)} appears twice in one object.")
            seen.add(key)
    return result


def _no_constant(name: str) -> NoReturn:
    """`parse_constant`: NaN, Infinity and -Infinity are not JSON."""
    raise Malformed(f"{name} is not a JSON value.")


def _check_strings(document: dict[str, Any]) -> None:
    """Refuse a key or string value holding a lone surrogate (iteratively: the depth is
    bounded, but a loop needs no argument about it)."""
    pending: list[Any] = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_string(key)
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            _check_string(value)


def _check_string(text: str) -> None:
    if not text.isascii() and _SURROGATE.search(text):
        raise Malformed("The document has a string with an unpaired surrogate.")
