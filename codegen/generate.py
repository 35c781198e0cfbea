"""Generates service packages: the entry point the command line calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codegen import render
from codegen.build import build_service
from codegen.source import ServiceModel, load, make_loader

#: The folder the project ships: `generated/` beside `codegen/`.
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "generated"
#: What `make generate` regenerates.
SHIPPED = ("organizations",)


@dataclass
class Result:
    written: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    unchanged: int = 0


def rendered_files(sources: Sequence[ServiceModel], out: Path) -> list[render.Rendered]:
    items = [render.render_root(out)]
    for source in sources:
        items += render.render_service(build_service(source), out)
    return items


def generate(
    services: Sequence[str],
    out: Path = DEFAULT_OUT,
    *,
    check: bool = False,
    search_paths: Sequence[str] = (),
) -> Result:
    """Regenerate `services` into `out`, or with `check` only list the stale files."""
    loader = make_loader(search_paths)
    items = rendered_files([load(name, loader) for name in services], out)
    result = Result()
    if check:
        result.stale = [item.path for item in render.stale(items)]
        result.unchanged = len(items) - len(result.stale)
        for service in services:
            result.stale += _extra_files(out / service.replace("-", "_"), items)
    else:
        result.written = render.write(items)
        result.unchanged = len(items) - len(result.written)
    return result


def _extra_files(package: Path, items: list[render.Rendered]) -> list[Path]:
    """Python files in a generated package that a fresh run would not produce."""
    expected = {item.path for item in items}
    return sorted(p for p in package.glob("*.py") if p not in expected)
