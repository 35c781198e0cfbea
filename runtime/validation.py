"""Validation failures, from pydantic's terms into the runtime's own.

The protocol validates a request body into the operation's input model; when that fails,
`failures` turns pydantic's errors into `Failure`s (wire path, kind, the constraint in
Smithy's words) and the service's `ErrorPolicy` (`runtime.service`) decides the answer.
Handlers never see pydantic errors. Messages never carry the value that failed.

A wrong JSON type (a string where a number belongs, an object for a list) is not a
constraint failure: `type_error` reports it, and the protocol answers
SerializationException as AWS's deserializers do, before any validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

#: Kinds of failure, in the order a service reports the first one: required, then
#: length or range, then pattern, then enum, then anything else.
KINDS = (
    "required",
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "pattern",
    "enum",
    "invalid",
)
_RANK = {
    "required": 0,
    "max_length": 1,
    "min_length": 1,
    "max_value": 1,
    "min_value": 1,
    "pattern": 2,
    "enum": 3,
    "invalid": 4,
}
#: pydantic error type -> kind.
_KIND_OF = {
    "missing": "required",
    "string_too_long": "max_length",
    "too_long": "max_length",
    "string_too_short": "min_length",
    "too_short": "min_length",
    "less_than_equal": "max_value",
    "greater_than_equal": "min_value",
    "string_pattern_mismatch": "pattern",
    "enum": "enum",
    "value_error": "invalid",
}


@dataclass(frozen=True, slots=True)
class Failure:
    """One broken constraint of a request."""

    #: The member's wire path (`Target.Id`, `Tags[2].Key`).
    path: str
    #: One of `KINDS`.
    kind: str
    #: The constraint in Smithy's words (`Member must have length less than or equal
    #: to 34`).
    constraint: str
    #: For length failures: whether the member is a list (or map) rather than a string.
    collection: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.constraint}"


class InvalidRequest(Exception):
    """A request that breaks its model's constraints; the service's error policy
    chooses the answer."""

    def __init__(self, found: Sequence[Failure]) -> None:
        super().__init__("; ".join(map(str, found)))
        self.failures = list(found)


def member_path(loc: tuple[int | str, ...]) -> str:
    """`("Entries", 0, "MessageAttributes", "k", "DataType")` ->
    `Entries[0].MessageAttributes.k.DataType`."""
    path = ""
    for part in loc:
        path += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{part}" if path else str(part))
        )
    return path or "(request)"


def _constraint(error: ErrorDetails) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "missing":
        return "Member must not be null"
    if kind in ("string_too_long", "too_long"):
        return f"Member must have length less than or equal to {ctx.get('max_length')}"
    if kind in ("string_too_short", "too_short"):
        return (
            f"Member must have length greater than or equal to {ctx.get('min_length')}"
        )
    if kind == "less_than_equal":
        return f"Member must have value less than or equal to {ctx.get('le')}"
    if kind == "greater_than_equal":
        return f"Member must have value greater than or equal to {ctx.get('ge')}"
    if kind == "string_pattern_mismatch":
        return f"Member must satisfy regular expression pattern: {ctx.get('pattern')}"
    if kind == "enum":
        return f"Member must satisfy enum value set: [{ctx.get('expected', '')}]"
    return str(error["msg"])


def type_error(error: ValidationError) -> str | None:
    """A message for the first wrong JSON type in `error`, or None if there is none."""
    for detail in error.errors(include_url=False, include_input=False):
        if detail["type"] not in _KIND_OF:
            return f"Unexpected value type for {member_path(detail['loc'])}: {detail['msg']}."
    return None


def failures(error: ValidationError) -> list[Failure]:
    """The constraint failures of `error`, the first to report first."""
    found = [
        Failure(
            member_path(detail["loc"]),
            _KIND_OF.get(detail["type"], "invalid"),
            _constraint(detail),
            detail["type"] in ("too_long", "too_short"),
        )
        for detail in error.errors(include_url=False, include_input=False)
    ]
    found.sort(key=lambda failure: _RANK[failure.kind])
    return found


#: DECIDED: no string of a request may contain U+0000. PostgreSQL's text cannot hold it
#: and a stored value must read back the same on every storage engine, so it is refused
#: on the way in, as a pattern failure, on every engine alike.
NUL_CONSTRAINT = "Member must not contain the character U+0000"


def nul_failures(data: Any) -> list[Failure]:
    """A pattern failure for every string (or object key) in the parsed body `data`
    that contains U+0000, with its wire path; an explicit stack, so any depth the
    parser accepted is walked without recursion."""
    found: list[Failure] = []
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                found.append(Failure(member_path(loc), "pattern", NUL_CONSTRAINT))
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    found.append(Failure(member_path(loc), "pattern", NUL_CONSTRAINT))
                stack.append(((*loc, key), item))
        elif isinstance(value, list):
            stack.extend(((*loc, index), item) for index, item in enumerate(value))
    found.reverse()
    return found


def smithy_message(found: Sequence[Failure]) -> str:
    """Smithy's `ValidationException` message: "1 validation error detected: Value at
    'X' failed to satisfy constraint: ..."."""
    count = len(found)
    listed = "; ".join(
        f"Value at '{failure.path}' failed to satisfy constraint: {failure.constraint}"
        for failure in found
    )
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: {listed}"
