"""botocore's examples-1.json for Organizations, and M9's field-for-field comparison.

`mismatches(expected, actual)` lists where our answer lacks or differs from a member the
example shows: members the example leaves out may be present (M9), timestamps compare
as instants, lists item by item. `skip(path)` leaves out the examples' own slips, each
listed with its reason by the test that skips it (paths like `Accounts.*.Name`, `*`
standing for every item of a list, `matches`).

Ids the server generates (C1: random) cannot be the examples' own: `renamed(expected,
ours)` replaces each example id by the one we generated, in every string of the example,
so that the ARNs built from it compare too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import botocore.loaders
from botocore import xform_name
from botocore.utils import parse_timestamp

__all__ = ["call", "examples", "matches", "mismatches", "renamed"]


@functools.cache
def _loaded() -> dict[str, list[dict[str, Any]]]:
    loaded = botocore.loaders.Loader().load_service_model("organizations", "examples-1")
    examples: dict[str, list[dict[str, Any]]] = loaded["examples"]
    return examples


def examples(operations: Iterable[str]) -> list[tuple[str, int, dict[str, Any]]]:
    """(operation, index, example) for every example of `operations`, in that order."""
    return [
        (operation, index, example)
        for operation in operations
        for index, example in enumerate(_loaded()[operation])
    ]


def call(client: Any, operation: str, request: Mapping[str, Any] | None) -> Any:
    """`operation` through the boto3 client, its answer without ResponseMetadata."""
    answer = getattr(client, xform_name(operation))(**(request or {}))
    answer.pop("ResponseMetadata", None)
    return answer


def matches(pattern: str, path: str) -> bool:
    """Whether `path` (`A.0.B`) is `pattern` (`A.*.B`, `*` any one step)."""
    parts, steps = pattern.split("."), path.split(".")
    return len(parts) == len(steps) and all(p in ("*", s) for p, s in zip(parts, steps))


def mismatches(
    expected: Any,
    actual: Any,
    skip: Callable[[str], bool] = lambda path: False,
    path: str = "",
) -> list[str]:
    """Where `actual` lacks or differs from a member `expected` shows (M9)."""
    if skip(path):
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        found: list[str] = []
        for key, value in expected.items():
            where = f"{path}.{key}" if path else key
            if key not in actual:
                found.append(f"{where}: missing")
            else:
                found += mismatches(value, actual[key], skip, where)
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        return [
            problem
            for index, (e, a) in enumerate(zip(expected, actual))
            for problem in mismatches(e, a, skip, f"{path}.{index}")
        ]
    if path.endswith("Timestamp"):
        if parse_timestamp(expected) != actual:
            return [f"{path}: expected {parse_timestamp(expected)}, got {actual}"]
        return []
    return (
        [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]
    )


def renamed(expected: Any, ours: Mapping[str, str]) -> Any:
    """`expected` with every occurrence of each key of `ours` (an example's id) in its
    strings replaced by its value (the id the server generated)."""
    if isinstance(expected, dict):
        return {key: renamed(value, ours) for key, value in expected.items()}
    if isinstance(expected, list):
        return [renamed(item, ours) for item in expected]
    if isinstance(expected, str):
        for theirs, generated in ours.items():
            expected = expected.replace(theirs, generated)
    return expected
