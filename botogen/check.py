"""`botogen check`: the handlers against the model, and coverage, per service.

The handlers of a service are accepted against one model: the fingerprint in
`handlers/<package>/model.fingerprint.json` (`--accept` copies the generated one there).
`check` compares it with the generated fingerprint, classifies every change with what the
handlers' code uses (`codegen.changes`, `codegen.usage`) and prints one line per breaking
or review change not yet accepted, with the lines of handler code it touches; a method
that matches no operation is named too (`codegen.drift`). Exit 1 when anything is listed
(`make test` runs it), 2 when a fingerprint is missing.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen import changes, drift, fingerprint
from codegen.generate import DEFAULT_OUT, SHIPPED, package_dir
from codegen.names import method_name
from runtime.packages import handler_package, skeleton_of

#: Places of handler code shown on a change's line (the report lists them all).
PLACES_SHOWN = 3


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


def change_line(change: changes.Change) -> str:
    """One unaccepted change: level, what changed, why, where the handlers touch it."""
    reason = f" ({change.reason})" if change.reason else ""
    places = [use.where for use in change.uses[:PLACES_SHOWN]]
    more = len(change.uses) - len(places)
    where = ", ".join(places) + (f" (+{more} more)" if more else "")
    return f"  {change.level:<8}  {change.text()}{reason}" + (
        f": {where}" if where else ""
    )


@dataclass
class Outcome:
    service: str
    #: Changes since the accepted fingerprint (None: no baseline, or just accepted).
    report: changes.Report | None
    #: Methods matching no operation of the model.
    strays: list[drift.Drift]
    coverage: drift.Coverage

    @property
    def failed(self) -> bool:
        return bool(self.strays or (self.report and self.report.pending))


def _versions(report: changes.Report) -> str:
    return (
        f"botocore {report.old_version} (`{report.old_sha256[:12]}`) → "
        f"{report.new_version} (`{report.new_sha256[:12]}`)"
    )


def _one(args: Any, service: str) -> Outcome | None:
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
    strays = drift.find_drift(None, current, classes, skeleton)
    row = drift.coverage(service, current, classes, skeleton)
    if args.baseline:
        baseline = fingerprint.read(Path(args.baseline))
    else:
        baseline = drift.read_baseline(handlers) if handlers else None
    report = drift.unacknowledged(baseline, current) if baseline else None
    if report and baseline:
        # A method whose operation the model removed is listed as that change.
        removed = {method_name(op) for op in baseline["operations"]}
        strays = [s for s in strays if s.method.rsplit(".", 1)[-1] not in removed]
    if args.accept:
        target = drift.baseline_path(handlers) if handlers else None
        if target:
            shutil.copyfile(current_path, target)
            accepted = (
                f"{report.counts().replace('**', '')} accepted ({_versions(report)})"
                if report
                else "the handlers are recorded as matching it"
            )
            print(f"{service}: {accepted}; recorded in {target}")
        return Outcome(service, None, strays, row)
    if handlers and baseline is None:
        print(
            f"{service}: no baseline in handlers/{package}/{drift.BASELINE}: only "
            f"methods matching no operation are checked (record one with "
            f"`botogen check --accept {service}` once the handlers match the model)"
        )
    return Outcome(service, report, strays, row)


def _print_report(outcome: Outcome) -> None:
    service, report = outcome.service, outcome.report
    if report is None:
        return
    if not report:
        print(f"{service}: the handlers are accepted against this model")
        return
    pending = report.pending
    counts = report.counts().replace("**", "")
    if not pending:
        print(
            f"{service}: {counts} since the accepted model ({_versions(report)}); "
            f"nothing to do (`botogen check --accept {service}` records it)"
        )
        return
    print(
        f"{service}: the model changed since the handlers were accepted: "
        f"{_versions(report)}, {counts}"
    )
    for change in pending:
        print(change_line(change))
    print(
        f"{service}: fix what these lines name (every place: generated/"
        f"{service.replace('-', '_')}/{changes.FILENAME}), then "
        f"`botogen check --accept {service}`"
    )


def run(args: Any) -> int:
    services = args.services or sorted(set(SHIPPED) | set(handler_services()))
    outcomes: list[Outcome] = []
    for service in services:
        outcome = _one(args, service)
        if outcome is None:
            return 2
        outcomes.append(outcome)
    for outcome in outcomes:
        _print_report(outcome)
    strays = [item for outcome in outcomes for item in outcome.strays]
    if strays:
        print(f"handler drift: {len(strays)} methods match no operation")
        for item in strays:
            print(f"  {item.method}: {item.reason}")
    else:
        print("handler drift: none")
    rows = [outcome.coverage for outcome in outcomes]
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
    return 1 if any(outcome.failed for outcome in outcomes) else 0
