"""Generates service packages: the entry point the command line calls.

Beside each package's code go its model fingerprint (`model.fingerprint.json`,
`codegen.fingerprint`) and, once the model has changed, the change report (`CHANGES.md`,
`codegen.changes`): a run compares the model with the recorded fingerprint, prepends a
section to the report when anything changed, and otherwise writes nothing.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import botocore

from codegen import changes, fingerprint, render
from codegen.build import build_service
from codegen.source import ServiceModel, available_services, load, make_loader

#: The folder the project ships: `generated/` beside `codegen/`.
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "generated"
#: What `make generate` regenerates.
SHIPPED = ("organizations",)
#: Where `botogen serve` generates a service that has no package yet.
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "botogen"


@dataclass
class Result:
    #: Files written: code, fingerprints and change reports.
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    #: Generated code files left as they were.
    unchanged: int = 0
    #: One report per service whose model changed since its recorded fingerprint.
    reports: list[changes.Report] = field(default_factory=list)
    #: Services that could not be generated (`--all`), with the reason.
    failures: dict[str, str] = field(default_factory=dict)


def package_dir(out: Path, service: str) -> Path:
    return out / service.replace("-", "_")


def rendered_files(
    sources: Sequence[ServiceModel], out: Path, formatted: bool = True
) -> list[render.Rendered]:
    items = [render.render_root(out, formatted)]
    for source in sources:
        items += render.render_service(build_service(source), out, formatted)
    return items


def record(source: ServiceModel, out: Path) -> tuple[list[Path], changes.Report | None]:
    """Write the model's fingerprint and, if the model changed, prepend to CHANGES.md.

    Returns the files written and the report (None when nothing changed or there was no
    fingerprint to compare with). An unchanged model writes nothing.
    """
    package = package_dir(out, source.name)
    path = package / fingerprint.FILENAME
    new = fingerprint.fingerprint(source)
    text = fingerprint.dumps(new)
    existing = path.read_text(encoding="utf-8") if path.exists() else None
    if existing == text:
        return [], None
    written = []
    report = None
    if existing is not None:
        report = changes.compare(fingerprint.loads(existing), new)
        if report:
            log = package / changes.FILENAME
            old_log = log.read_text(encoding="utf-8") if log.exists() else None
            render.write_file(log, changes.prepend(old_log, report))
            written.append(log)
        else:
            report = None
    render.write_file(path, text)
    written.append(path)
    return written, report


def _stale_fingerprint(source: ServiceModel, out: Path) -> list[Path]:
    path = package_dir(out, source.name) / fingerprint.FILENAME
    expected = fingerprint.dumps(fingerprint.fingerprint(source))
    current = path.read_text(encoding="utf-8") if path.exists() else None
    return [] if current == expected else [path]


def generate(
    services: Sequence[str],
    out: Path = DEFAULT_OUT,
    *,
    check: bool = False,
    search_paths: Sequence[str] = (),
    formatted: bool = True,
) -> Result:
    """Regenerate `services` into `out`, or with `check` only list the stale files."""
    loader = make_loader(search_paths)
    sources = [load(name, loader) for name in services]
    items = rendered_files(sources, out, formatted)
    result = Result()
    if check:
        result.stale = [item.path for item in render.stale(items)]
        result.unchanged = len(items) - len(result.stale)
        for source in sources:
            result.stale += _extra_files(package_dir(out, source.name), items)
            result.stale += _stale_fingerprint(source, out)
    else:
        result.written = render.write(items)
        result.unchanged = len(items) - len(result.written)
        for source in sources:
            written, report = record(source, out)
            result.written += written
            if report:
                result.reports.append(report)
    return result


def _extra_files(package: Path, items: list[render.Rendered]) -> list[Path]:
    """Python files in a generated package that a fresh run would not produce."""
    expected = {item.path for item in items}
    return sorted(p for p in package.glob("*.py") if p not in expected)


# -- every service -------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    service: str
    written: list[Path]
    unchanged: int
    report: changes.Report | None
    error: str | None


def _one(
    service: str, out: Path, search_paths: Sequence[str], formatted: bool
) -> _Outcome:
    """Generate one service in a worker: a fresh loader, so no model stays cached."""
    try:
        source = load(service, make_loader(search_paths))
        items = render.render_service(build_service(source), out, formatted)
        written = render.write(items, jobs=1)
        recorded, report = record(source, out)
    except Exception as error:  # reported per service; the others go on
        return _Outcome(service, [], 0, None, f"{type(error).__name__}: {error}")
    return _Outcome(
        service, written + recorded, len(items) - len(written), report, None
    )


def _model_size(loader_paths: Sequence[str], service: str) -> int:
    """Bytes of the service's model file: big ones are started first, to balance."""
    for root in loader_paths:
        folder = Path(root) / service
        if folder.is_dir():
            return sum(p.stat().st_size for p in folder.glob("*/service-2.json*"))
    return 0


def generate_all(
    out: Path,
    *,
    services: Sequence[str] | None = None,
    search_paths: Sequence[str] = (),
    formatted: bool = False,
    jobs: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Result:
    """Generate every service of the installed botocore (or `services`) into `out`.

    Services are generated side by side in `jobs` worker processes (default: one per
    core), largest models first; `progress(done, total, service)` is called as each
    finishes. A service that fails is recorded in `Result.failures`, the rest go on.
    """
    loader = make_loader(search_paths)
    names = list(services) if services is not None else available_services(loader)
    names.sort(key=lambda name: -_model_size(loader.search_paths, name))
    result = Result()
    result.written = render.write([render.render_root(out, formatted)])
    workers = max(1, min(len(names), jobs or os.cpu_count() or 1))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(_one, name, out, tuple(search_paths), formatted)
            for name in names
        ]
        for done, future in enumerate(as_completed(futures), 1):
            outcome = future.result()
            result.written += outcome.written
            result.unchanged += outcome.unchanged
            if outcome.report:
                result.reports.append(outcome.report)
            if outcome.error:
                result.failures[outcome.service] = outcome.error
            if progress:
                progress(done, len(names), outcome.service)
    result.written.sort()
    result.reports.sort(key=lambda report: report.service)
    return result


def cached_package(service: str) -> Path:
    """An output folder holding `service`'s package, generated (unformatted) on first use.

    Used by `botogen serve` for a service the project does not ship; keyed by the
    botocore version, and regenerated only when stale.
    """
    out = CACHE / "packages" / f"botocore-{botocore.__version__}" / "botogen_cache"
    if generate([service], out, check=True, formatted=False).stale:
        generate([service], out, formatted=False)
    return out


class Progress:
    """A plain-text progress bar on a stream: redrawn in place on a terminal, else a line
    every tenth of the way."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.perf_counter()
        self.tty = stream.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int, service: str) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        line = f"[{bar}] {done}/{total} {elapsed:5.1f} s  {service}"
        if self.tty:
            self.stream.write(f"\r{line:<80}" + ("\n" if done == total else ""))
        elif (tenth := 10 * done // max(total, 1)) != self.last_tenth:
            self.last_tenth = tenth
            self.stream.write(line + "\n")
        self.stream.flush()
