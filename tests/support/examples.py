"""Comparing our answers with botocore's examples-1.json (organizations.md M9), for the
`test_examples_*` modules.

`mismatches(expected, actual, skipped)` lists where `actual` lacks or differs from a
member the example shows: every member the example has must be there with the same
value (timestamps compared as instants; lists item by item, of the same length); members
the example leaves out may be present. `skipped(path)` names the paths not compared (the
examples' own slips, each test module listing them with its reasons); `matches` reads a
slip's pattern, where `*` is any one step (every item of a list).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.loaders
from botocore.utils import parse_timestamp

__all__ = ["examples", "matches", "mismatches", "snake"]


def examples(operations: tuple[str, ...]) -> list[tuple[str, int, dict[str, Any]]]:
    """(operation, index, example) for every example of the operations, in order."""
    loaded = botocore.loaders.Loader().load_service_model("organizations", "examples-1")
    return [
        (operation, index, example)
        for operation in operations
        for index, example in enumerate(loaded["examples"][operation])
    ]


def snake(name: str) -> str:
    """An operation's boto3 method name (`ListRoots` -> `list_roots`)."""
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def matches(pattern: str, path: str) -> bool:
    """Whether a dotted `path` is the `pattern` (`*` for any one step)."""
    parts, steps = pattern.split("."), path.split(".")
    return len(parts) == len(steps) and all(p in ("*", s) for p, s in zip(parts, steps))


def mismatches(
    expected: Any,
    actual: Any,
    skipped: Callable[[str], bool] = lambda path: False,
    path: str = "",
) -> list[str]:
    """Where `actual` lacks or differs from a member `expected` shows (M9)."""
    if skipped(path):
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
                found += mismatches(value, actual[key], skipped, where)
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        return [
            problem
            for index, (e, a) in enumerate(zip(expected, actual))
            for problem in mismatches(e, a, skipped, f"{path}.{index}")
        ]
    if path.endswith("Timestamp"):
        if parse_timestamp(expected) != actual:
            return [f"{path}: expected {parse_timestamp(expected)}, got {actual}"]
        return []
    return (
        [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]
    )
