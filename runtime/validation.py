"""Turns pydantic validation errors into the service's own AWS-shaped error.

Which error class answers is read from the generated model (`ServiceInfo.validation_error`):
- a modeled error with a Reason enum (Organizations' InvalidInputException) gets the Reason
  of the first failure, checked in this order: required, length/range, pattern, enum;
- otherwise the model's (or Smithy's standard) `ValidationException`, with Smithy's
  "N validation errors detected: ..." message.
A wrong JSON type (a string where a number belongs, an object for a list) is a
SerializationException, as AWS's deserializers report it before any validation. Messages
name the member by its wire path and the constraint, never the value.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from runtime.errors import CommonError, ServiceError
from runtime.operations import ServiceInfo

#: pydantic error type -> (Reason, rank, sentence). Lower ranks are reported first.
_KINDS: dict[str, tuple[str, int, str]] = {
    "missing": ("INPUT_REQUIRED", 0, "You must include a value for all required parameters."),
    "string_too_long": (
        "MAX_LENGTH_EXCEEDED", 1, "You provided a string parameter that is longer than allowed."
    ),
    "too_long": ("MAX_LENGTH_EXCEEDED", 1, "You provided a list that is longer than allowed."),
    "string_too_short": (
        "MIN_LENGTH_EXCEEDED", 1, "You provided a string parameter that is shorter than allowed."
    ),
    "too_short": ("MIN_LENGTH_EXCEEDED", 1, "You provided a list that is shorter than allowed."),
    "less_than_equal": (
        "MAX_VALUE_EXCEEDED", 1,
        "You provided a numeric parameter that has a larger value than allowed.",
    ),
    "greater_than_equal": (
        "MIN_VALUE_EXCEEDED", 1,
        "You provided a numeric parameter that has a smaller value than allowed.",
    ),
    "string_pattern_mismatch": (
        "INVALID_PATTERN", 2, "You provided a value that does not match the required pattern."
    ),
    "enum": ("INVALID_ENUM", 3, "You specified an invalid value."),
}  # fmt: skip


def member_path(loc: tuple[int | str, ...]) -> str:
    """`("Handshake", "Resources", 0, "Value")` -> `Handshake.Resources[0].Value`."""
    path = ""
    for part in loc:
        path += (
            f"[{part}]"
            if isinstance(part, int)
            else (f".{part}" if path else str(part))
        )
    return path or "(request)"


def _constraint(error: ErrorDetails) -> str:
    """The constraint a failure broke, in Smithy's words."""
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


def _is_type_error(error: ErrorDetails) -> bool:
    return error["type"] not in _KINDS and error["type"] != "value_error"


def to_service_error(error: ValidationError, service: ServiceInfo) -> ServiceError:
    """The error a server answers with for a request that failed validation."""
    details = error.errors(include_url=False, include_input=False)
    wrong_types = [d for d in details if _is_type_error(d)]
    if wrong_types:
        first = wrong_types[0]
        return CommonError(
            "SerializationException",
            f"Unexpected value type for {member_path(first['loc'])}: {first['msg']}.",
        )
    details.sort(key=lambda d: _KINDS.get(d["type"], ("", 4, ""))[1])
    first = details[0]
    path = member_path(first["loc"])
    cls = service.validation_error
    if cls is not None and service.validation_reason is not None:
        reason, _, sentence = _KINDS.get(
            first["type"], ("", 4, "You provided an invalid value.")
        )
        members: dict[str, Any] = {service.validation_reason: reason} if reason else {}
        return cls(f"{sentence} {path}: {_constraint(first)}.", **members)
    count = len(details)
    listed = "; ".join(
        f"Value at '{member_path(d['loc'])}' failed to satisfy constraint: {_constraint(d)}"
        for d in details
    )
    noun = "error" if count == 1 else "errors"
    message = f"{count} validation {noun} detected: {listed}"
    if cls is not None:
        return cls(message)
    return CommonError("ValidationException", message)
