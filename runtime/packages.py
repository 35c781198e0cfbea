"""Finding a service's generated package pieces and its hand-written handlers at run time."""

from __future__ import annotations

import importlib
from types import ModuleType


def skeleton_of(package: ModuleType) -> type:
    """The generated skeleton class of a generated package (`SqsSkeleton`)."""
    found: list[type] = [
        value
        for name, value in vars(package).items()
        if name.endswith("Skeleton") and isinstance(value, type)
    ]
    if len(found) != 1:
        raise LookupError(f"{package.__name__}: no single skeleton class")
    return found[0]


def handler_package(service: str) -> ModuleType | None:
    """`handlers.<package>`, or None when the service has no hand-written handlers.

    A module missing *inside* the handlers package (a dependency it imports) is an
    error, not "no handlers".
    """
    name = f"handlers.{service.replace('-', '_')}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name in ("handlers", name):
            return None
        raise
