"""Handler drift: what the model changed since the handlers were accepted against it.

The fingerprint the handlers were written against is
`handlers/<package>/model.fingerprint.json` (recorded by `botogen check --accept`).
`unacknowledged` compares it with the generated one, classified with what the handlers'
code uses (`codegen.usage`, `codegen.changes`): its breaking and review changes, each
with the lines of handler code it touches, are what `botogen check` fails on until they
are accepted.

The hand-written handlers of a service are also found as classes: those in
`handlers.<package>` (and its submodules) that subclass the generated skeleton; a method
they define for an operation is that operation's handler. `find_drift` gives the
method-level view: a handler drifts when its operation is gone, or when a breaking change
touches a shape its request or response can reach. A method that takes
`(context, request)` but matches no operation of the model drifts too, baseline or not.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from codegen import changes, fingerprint, usage
from codegen.fingerprint import Fingerprint
from codegen.names import method_name
from codegen.usage import reachable

__all__ = [
    "BASELINE",
    "Coverage",
    "Drift",
    "baseline_path",
    "coverage",
    "defined_methods",
    "find_drift",
    "handler_classes",
    "read_baseline",
    "reachable",
    "unacknowledged",
]

#: The baseline file, inside the service's handlers package.
BASELINE = fingerprint.FILENAME


@dataclass(frozen=True, order=True)
class Drift:
    """One handler method that needs a look."""

    #: `handlers.organizations.service.Handlers.decline_handshake`
    method: str
    operation: str
    #: Why: "operation removed", "request: ...", "response: ...".
    reason: str


@dataclass(frozen=True)
class Coverage:
    service: str
    #: Operation -> the qualified handler method, for the implemented ones.
    implemented: dict[str, str]
    not_implemented: tuple[str, ...]


def handler_classes(package: ModuleType, skeleton: type) -> list[type]:
    """Classes defined in the handlers package (any submodule) that subclass `skeleton`."""
    modules = [package]
    for info in pkgutil.walk_packages(
        getattr(package, "__path__", []), prefix=f"{package.__name__}."
    ):
        modules.append(importlib.import_module(info.name))
    found = {
        f"{value.__module__}.{value.__qualname__}": value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, skeleton)
        and value is not skeleton
        and value.__module__.startswith(package.__name__)
    }
    return [found[key] for key in sorted(found)]


def _qualified(cls: type, method: str) -> str:
    return f"{cls.__module__}.{cls.__qualname__}.{method}"


def defined_methods(cls: type, skeleton: type) -> dict[str, str]:
    """Method name -> qualified name, for the methods `cls` defines below `skeleton`."""
    mro = cls.__mro__
    below = mro[: mro.index(skeleton)] if skeleton in mro else mro[:-1]
    methods: dict[str, str] = {}
    for klass in reversed(below):
        for name, value in vars(klass).items():
            if inspect.isfunction(value) and not name.startswith("_"):
                methods[name] = _qualified(klass, name)
    return methods


def _takes_a_request(function: Any) -> bool:
    try:
        parameters = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return False
    return parameters[1:3] == ["context", "request"]


def unacknowledged(
    baseline: Fingerprint, current: Fingerprint, used: usage.Usage | None = None
) -> changes.Report:
    """The changes since `baseline`, classified for the service's handlers (`used`;
    default: read from the project's `handlers/<package>/`). Its `pending` changes are
    the ones `botogen check` fails on."""
    if used is None:
        used = usage.scan(current["service"], [baseline, current])
    return changes.compare(baseline, current, used)


def find_drift(
    baseline: Fingerprint | None,
    current: Fingerprint,
    classes: Iterable[type],
    skeleton: type,
    used: usage.Usage | None = None,
) -> list[Drift]:
    """Handler methods whose operation is gone or whose models changed in a breaking way
    (classified as `unacknowledged` does)."""
    current_ops = current["operations"]
    methods_of_current = {method_name(op): op for op in current_ops}
    report = unacknowledged(baseline, current, used) if baseline else None
    breaking_shapes: dict[str, list[changes.Change]] = {}
    breaking_ops: dict[str, list[changes.Change]] = {}
    for change in report.breaking if report else ():
        if change.shape:
            breaking_shapes.setdefault(change.shape, []).append(change)
        else:
            breaking_ops.setdefault(change.subject, []).append(change)
    found: set[Drift] = set()
    for cls in classes:
        defined = defined_methods(cls, skeleton)
        if baseline:
            for op, body in baseline["operations"].items():
                name = method_name(op)
                if name not in defined:
                    continue
                if op not in current_ops:
                    found.add(
                        Drift(defined[name], op, "operation removed from the model")
                    )
                    continue
                for change in breaking_ops.get(op, ()):
                    found.add(
                        Drift(
                            defined[name],
                            op,
                            f"operation {change.kind}: {change.detail}",
                        )
                    )
                for part in ("input", "output"):
                    side = "request" if part == "input" else "response"
                    shapes = reachable(baseline["shapes"], body.get(part)) | reachable(
                        current["shapes"], current_ops[op].get(part)
                    )
                    for shape in sorted(shapes & set(breaking_shapes)):
                        for change in breaking_shapes[shape]:
                            text = change.text()
                            found.add(Drift(defined[name], op, f"{side}: {text}"))
        for name, qualified in defined.items():
            if name in methods_of_current:
                continue
            if any(d.method == qualified for d in found):
                continue
            if _takes_a_request(getattr(cls, name)):
                found.add(
                    Drift(qualified, "?", "no operation of the model has this method")
                )
    return sorted(found)


def coverage(
    service: str, current: Fingerprint, classes: Iterable[type], skeleton: type
) -> Coverage:
    """Which operations some hand-written handler implements."""
    implemented: dict[str, str] = {}
    for cls in classes:
        defined = defined_methods(cls, skeleton)
        for op in current["operations"]:
            if method_name(op) in defined:
                implemented.setdefault(op, defined[method_name(op)])
    missing = tuple(sorted(op for op in current["operations"] if op not in implemented))
    return Coverage(service, dict(sorted(implemented.items())), missing)


def read_baseline(handlers: ModuleType) -> Fingerprint | None:
    """The fingerprint recorded in the handlers package, if any."""
    path = baseline_path(handlers)
    return fingerprint.read(path) if path else None


def baseline_path(handlers: ModuleType) -> Path | None:
    paths = list(getattr(handlers, "__path__", []))
    return Path(paths[0]) / BASELINE if paths else None
