"""Renders the IR through the templates, formats with black, and writes or checks files.

Every file carries a digest line: the hash of what the templates rendered (before black)
and the hash of the file's own content. A re-run whose rendering is unchanged, over a file
nobody edited, skips black altogether; `--check` needs no black at all.

Files may also be written unformatted (`formatted=False`, what `generate --all` does by
default): the templates' own output, valid and readable Python whose long lines black
would have wrapped. The render hash records which, so switching re-writes the files.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import black
import jinja2
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from codegen import ir

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Generated file -> template, in the order files are written.
FILES = {
    "shapes.py": "shapes.py.j2",
    "models.py": "models.py.j2",
    "errors.py": "errors.py.j2",
    "skeleton.py": "skeleton.py.j2",
    "operations.py": "operations.py.j2",
    "client.py": "client.py.j2",
    "__init__.py": "__init__.py.j2",
}
_DIGEST = "# botogen-digest: "
_BLACK_MODE = Mode(target_versions={TargetVersion.PY311})
#: Part of every render hash, so that a black upgrade reformats everything.
_FORMATTER = f"black {version('black')}"
#: The same, for files written as the templates rendered them.
_UNFORMATTED = "unformatted"
#: Below this many lines a file is formatted in-process rather than in a worker.
_PARALLEL_LINES = 2000


def docstring(text: str, indent: int) -> str:
    """A triple-quoted docstring literal for plain `text` at `indent` columns."""
    if not text:
        return ""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    lines = text.split("\n")
    if len(lines) == 1 and indent + len(text) + 6 <= 88:
        return f'"""{text}"""'
    pad = " " * indent
    rest = "\n".join(pad + line if line else "" for line in lines[1:])
    return f'"""{lines[0]}\n{rest}\n{pad}"""' if rest else f'"""{lines[0]}\n{pad}"""'


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["docstring"] = docstring
    env.filters["pyrepr"] = repr
    env.tests["enum_def"] = lambda item: isinstance(item, ir.EnumDef)
    env.tests["structure"] = lambda item: isinstance(item, ir.Structure)
    return env


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _split_digest(text: str) -> tuple[str | None, str | None, str]:
    """(render hash, content hash, text without the digest line) of a generated file."""
    lines = text.split("\n")
    for index, line in enumerate(lines[:6]):
        if line.startswith(_DIGEST):
            fields = dict(part.split("=", 1) for part in line[len(_DIGEST) :].split())
            rest = "\n".join(lines[:index] + lines[index + 1 :])
            return fields.get("render"), fields.get("content"), rest
    return None, None, text


def _with_digest(formatted: str, render_hash: str) -> str:
    """Insert the digest line after the header comment block."""
    lines = formatted.split("\n")
    at = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    digest = f"{_DIGEST}render={render_hash} content={_hash(formatted)}"
    return "\n".join(lines[:at] + [digest] + lines[at:])


def is_fresh(existing: str, render_hash: str) -> bool:
    """The file was produced from this very rendering and not edited since."""
    recorded_render, recorded_content, rest = _split_digest(existing)
    return recorded_render == render_hash and recorded_content == _hash(rest)


@dataclass(frozen=True)
class Rendered:
    """One generated file before formatting."""

    path: Path
    source: str
    render_hash: str
    #: Formatted with black (else written as rendered).
    formatted: bool = True


def _rendered(path: Path, source: str, formatted: bool) -> Rendered:
    formatter = _FORMATTER if formatted else _UNFORMATTED
    return Rendered(path, source, _hash(f"{formatter}\n{source}"), formatted)


def render_service(
    service: ir.Service, out: Path, formatted: bool = True
) -> list[Rendered]:
    env = _environment()
    package = out / service.package
    return [
        _rendered(
            package / filename,
            env.get_template(template).render(service=service),
            formatted,
        )
        for filename, template in FILES.items()
    ]


def render_root(out: Path, formatted: bool = True) -> Rendered:
    """The `__init__.py` of the output folder itself."""
    source = (
        '"""Packages generated by botogen, one per service. Do not edit by hand."""\n'
    )
    return _rendered(out / "__init__.py", source, formatted)


def _format(item: Rendered) -> str:
    if not item.formatted:
        return _with_digest(item.source, item.render_hash)
    try:
        formatted = black.format_str(item.source, mode=_BLACK_MODE)
    except InvalidInput as error:  # a template bug: show where
        raise RuntimeError(f"{item.path}: rendered source is not valid Python: {error}")
    return _with_digest(formatted, item.render_hash)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def stale(items: Iterable[Rendered]) -> list[Rendered]:
    """The files that are missing, edited, or rendered differently now."""
    return [item for item in items if condition(item) is not None]


def condition(item: Rendered) -> str | None:
    """Why the file of `item` must be written again: "missing", "edited" (its content
    no longer matches its own digest: someone changed it by hand), "stale" (the model,
    the templates or black changed what it renders to); None when it is fresh."""
    text = _read(item.path)
    if text is None:
        return "missing"
    recorded_render, recorded_content, rest = _split_digest(text)
    if recorded_content != _hash(rest):
        return "edited"
    if recorded_render != item.render_hash:
        return "stale"
    return None


#: The first line of every file the generator writes.
GENERATED_MARK = "# Generated by botogen"


def generated_by_us(path: Path) -> bool:
    """Whether `path` is a file the generator wrote (its first line says so)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline().startswith(GENERATED_MARK)
    except (OSError, UnicodeDecodeError):
        return False


def write_file(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; a source file is not
    os.replace(tmp, path)


def write(items: list[Rendered], jobs: int | None = None) -> list[Path]:
    """Format and write every stale file; returns the paths written.

    Large files are formatted in worker processes, side by side; small ones in-process.
    """
    todo = stale(items)
    big = [
        item
        for item in todo
        if item.formatted and item.source.count("\n") >= _PARALLEL_LINES
    ]
    small = [item for item in todo if item not in big]
    texts: dict[Path, str] = {}
    workers = min(len(big), jobs or os.cpu_count() or 1)
    if workers > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {item.path: pool.submit(_format, item) for item in big}
            for item in small:
                texts[item.path] = _format(item)
            texts.update({path: future.result() for path, future in futures.items()})
    else:
        texts.update({item.path: _format(item) for item in todo})
    for item in todo:
        write_file(item.path, texts[item.path])
    return [item.path for item in todo]
