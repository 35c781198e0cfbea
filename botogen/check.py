"""`botogen check`: handler drift and coverage, per service (see `codegen.drift`)."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import sys
from pathlib import Path
from typing import Any

from codegen import drift, fingerprint
from codegen.generate import DEFAULT_OUT, SHIPPED, package_dir
from runtime.packages import handler_package, skeleton_of


def handler_services() -> list[str]:
    """Every service with a hand-written handlers package (`handlers/<package>/`)."""
    handlers = importlib.import_module("handlers")
    return sorted(
        info.name for info in pkgutil.iter_modules(handlers.__path__) if info.ispkg
    )


def _table(rows: list[drift.Coverage]) -> list[str]:
    width = max([len("service"), *(len(row.service) for row in rows)])
    lines = [
        f"{'service':<{width}}  implemented  not implemented  operations",
    ]
    for row in rows:
        implemented, missing = len(row.implemented), len(row.not_implemented)
        lines.append(
            f"{row.service:<{width}}  {implemented:>11}  {missing:>15}  "
            f"{implemented + missing:>10}"
        )
    return lines


def _one(args: Any, service: str) -> tuple[list[drift.Drift], drift.Coverage] | None:
    package = service.replace("-", "_")
    current_path = (
        Path(args.current)
        if args.current
        else package_dir(DEFAULT_OUT, service) / fingerprint.FILENAME
    )
    current = fingerprint.read(current_path)
    if current is None:
        print(f"{service}: no fingerprint at {current_path} (run `botogen generate`)")
        return None
    skeleton = skeleton_of(importlib.import_module(f"generated.{package}"))
    handlers = handler_package(service)
    classes = drift.handler_classes(handlers, skeleton) if handlers else []
    if args.accept:
        target = drift.baseline_path(handlers) if handlers else None
        if target:
            shutil.copyfile(current_path, target)
            print(f"{service}: the handlers are recorded as matching {current_path}")
        return [], drift.coverage(service, current, classes, skeleton)
    if args.baseline:
        baseline = fingerprint.read(Path(args.baseline))
    else:
        baseline = drift.read_baseline(handlers) if handlers else None
        if handlers and baseline is None:
            print(
                f"{service}: no baseline in handlers/{package}/{drift.BASELINE}: only "
                f"methods matching no operation are checked (record one with "
                f"`botogen check --accept {service}` once the handlers match the model)"
            )
    found = drift.find_drift(baseline, current, classes, skeleton)
    return found, drift.coverage(service, current, classes, skeleton)


def run(args: Any) -> int:
    services = args.services or sorted(set(SHIPPED) | set(handler_services()))
    drifted: list[drift.Drift] = []
    rows: list[drift.Coverage] = []
    for service in services:
        outcome = _one(args, service)
        if outcome is None:
            return 2
        found, row = outcome
        drifted += found
        rows.append(row)
    if drifted:
        print(f"handler drift: {len(drifted)} findings")
        for item in drifted:
            print(f"  {item.method} ({item.operation}): {item.reason}")
    else:
        print("handler drift: none")
    print()
    print("\n".join(_table(rows)))
    if args.coverage:
        for row in rows:
            print(f"\n{row.service}:")
            for op, method in row.implemented.items():
                print(f"  implemented      {op:<40} {method}")
            for op in row.not_implemented:
                print(f"  not implemented  {op}")
    sys.stdout.flush()
    return 1 if drifted else 0
