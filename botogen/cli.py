"""`botogen`: generate service packages from botocore's models, and serve them.

A mistake of the user's (a name, a file, an option, a port in use) ends the command with
one line, `botogen: <what is wrong>`, on stderr and exit status 2, never a traceback:
it is raised as `UserError` where it is found, and `main` also turns the errors a
loader raises for bad input (OSError, ValueError, LookupError) into that line. Exit
status 1 is a result (stale files, handler drift, services that failed to generate).
Anything else is a bug and shows its traceback (`BOTOGEN_TRACEBACK=1` shows it for the
errors above too).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import NoReturn

#: The exit status of a user error (argparse's too).
USER_ERROR = 2


def one_line(text: str) -> str:
    """`text` with its line breaks and runs of blanks made single spaces."""
    return " ".join(text.split())


class UserError(SystemExit):
    """Something the user gave is wrong: `main` prints `botogen: <message>` as one line
    on stderr and exits with status 2.

    A `SystemExit` (its code is that line), so that it passes through code that catches
    `Exception` and still ends the program with its one line when raised outside `main`.
    """

    def __init__(self, message: str) -> None:
        self.message = one_line(message)
        super().__init__(f"botogen: {self.message}")


def user_error_message(error: BaseException) -> str | None:
    """The one line for an error the user caused, or None for anything else (a bug).

    Besides `UserError`, the errors loaders raise for bad input: OSError (a file, a
    port), ValueError (a file's content, a setting), LookupError (not KeyError or
    IndexError, which are bugs).
    """
    if isinstance(error, UserError):
        return error.message
    if isinstance(error, OSError):
        reason = error.strerror or str(error) or type(error).__name__
        return one_line(f"{error.filename}: {reason}" if error.filename else reason)
    if isinstance(error, ValueError) or (
        isinstance(error, LookupError) and not isinstance(error, (KeyError, IndexError))
    ):
        return one_line(str(error)) or type(error).__name__
    return None


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its usage errors as one `botogen: ` line (status 2) too."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{message}; see `{self.prog} --help`")


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An option's type: a whole number from `low` (to `high`)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number"
            ) from None
        if value < low or (high is not None and value > high):
            allowed = f"{low}-{high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value} is out of range ({allowed})")
        return value

    return parse


def _amount(positive: bool) -> Callable[[str], float]:
    """An option's type: a finite number, greater than 0 (`positive`) or not negative."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            allowed = "greater than 0" if positive else "0 or more"
            raise argparse.ArgumentTypeError(f"{text} is out of range ({allowed})")
        return value

    return parse


def require_services(names: Iterable[str], search_paths: Sequence[str] = ()) -> None:
    """UserError naming the first of `names` that is not a botocore service, with the
    closest service names."""
    from codegen.source import available_services, make_loader

    loader = make_loader(search_paths)
    known: list[str] | None = None
    for name in names:
        if known is None:
            known = available_services(loader)
        if name not in known:
            raise UserError(unknown_service(name, known))


def unknown_service(name: str, known: Sequence[str]) -> str:
    import botocore

    close = difflib.get_close_matches(name, known, n=3)
    hint = (
        f"did you mean {' or '.join(close)}?"
        if close
        else f"botocore {botocore.__version__} has {len(known)} services, none close"
    )
    return f"{name!r} is not a botocore service ({hint})"


def _require_folders(option: str, folders: Iterable[str]) -> None:
    for folder in folders:
        if not Path(folder).is_dir():
            raise UserError(f"{option} {folder}: not a folder")


def _require_writable(folder: Path) -> None:
    """UserError unless files can be written in `folder` (created when missing)."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"cannot write in {folder}: not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UserError(
            f"cannot write in {folder}: {error.strerror or error}"
        ) from None


#: The first line of a generated package's `__init__.py` names its botocore service.
_GENERATED_FROM = re.compile(r"# Generated by botogen from botocore \S+: (\S+) ")


def generated_services(folder: Path) -> list[str]:
    """The botocore services whose packages are in `folder` (read from each package's
    header line, so a stale or broken package is still found)."""
    found = []
    for init in sorted(folder.glob("*/__init__.py")):
        with init.open(encoding="utf-8") as lines:
            match = _GENERATED_FROM.match(lines.readline())
        if match:
            found.append(match.group(1))
    return found


def _generate(args: argparse.Namespace) -> int:
    from codegen.build import GenerationError
    from codegen.generate import DEFAULT_OUT, check_report, generate

    _require_folders("--search-path", args.search_path)
    if args.all:
        if not args.out:
            raise UserError("--all needs --out DIR, the folder to generate into")
        if args.services or args.check:
            raise UserError("--all takes no service names and no --check")
        _require_writable(Path(args.out))
        return _generate_all(args)
    services = args.services or generated_services(DEFAULT_OUT)
    if not services:
        raise UserError(f"no packages in {DEFAULT_OUT}: name the services to generate")
    require_services(services, args.search_path)
    out = Path(args.out) if args.out else DEFAULT_OUT
    if not args.check:
        _require_writable(out)
    formatted = True if args.format is None else args.format
    started = time.perf_counter()
    try:
        result = generate(
            services,
            out,
            check=args.check,
            search_paths=args.search_path,
            formatted=formatted,
        )
    except GenerationError as error:
        raise UserError(str(error)) from None
    elapsed = time.perf_counter() - started
    if args.check:
        if result.problems:
            print(
                "generated files are not as `make generate` leaves them:",
                file=sys.stderr,
            )
            for line in check_report(result):
                print(line, file=sys.stderr)
            return 1
        print(
            f"{', '.join(services)}: {result.unchanged} files fresh ({elapsed:.2f} s)"
        )
        return 0
    for report in result.reports:
        print(f"{report.service}: the model changed\n")
        print(report.markdown())
    print(
        f"{', '.join(services)}: {len(result.written)} files written, "
        f"{result.unchanged} unchanged ({elapsed:.2f} s)"
    )
    for path in result.written:
        print(f"  wrote {path}")
    for path in result.removed:
        print(f"  removed {path} (no longer generated)")
    return 0


def _generate_all(args: argparse.Namespace) -> int:
    """`generate --all`: unformatted unless --format (black would take 10-15 minutes)."""
    from codegen.generate import Progress, generate_all

    started = time.perf_counter()
    result = generate_all(
        Path(args.out),
        search_paths=args.search_path,
        formatted=bool(args.format),
        jobs=args.jobs,
        progress=Progress(sys.stderr),
    )
    elapsed = time.perf_counter() - started
    for report in result.reports:
        print(
            f"{report.service}: the model changed: "
            f"{report.summary().replace('**', '')} (CHANGES.md)"
        )
    for service, reason in sorted(result.failures.items()):
        print(f"FAILED {service}: {reason}", file=sys.stderr)
    print(
        f"every service: {len(result.written)} files written, {result.unchanged} "
        f"unchanged, {len(result.failures)} failed ({elapsed:.1f} s)"
    )
    return 1 if result.failures else 0


def _check(args: argparse.Namespace) -> int:
    from botogen.check import run

    _check_arguments(args)
    return run(args)


def _check_arguments(args: argparse.Namespace) -> None:
    """What `botogen check` would otherwise take in silence or report on stdout: a
    name that is not a service or not generated, a fingerprint file that is not one."""
    from codegen import fingerprint
    from codegen.generate import DEFAULT_OUT, package_dir

    for option in ("--baseline", "--current"):
        path = getattr(args, option[2:])
        if path:
            _read_fingerprint(option, Path(path))
    require_services(args.services)
    for service in args.services:
        package = f"generated.{service.replace('-', '_')}"
        current = package_dir(DEFAULT_OUT, service) / fingerprint.FILENAME
        if importlib.util.find_spec(package) is None or (
            not args.current and not current.is_file()
        ):
            raise UserError(
                f"{service}: not generated in {DEFAULT_OUT} (botogen generate {service})"
            )


def _read_fingerprint(option: str, path: Path) -> None:
    """UserError unless `path` holds a model fingerprint (`botogen generate` writes
    them: a JSON object with the model's operations and shapes)."""
    from codegen.fingerprint import FILENAME

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(
            f"{option} {path}: cannot read: {error.strerror or error}"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{option} {path}: not a JSON document: {error}") from None
    if not (
        isinstance(document, dict)
        and isinstance(document.get("operations"), dict)
        and isinstance(document.get("shapes"), dict)
    ):
        raise UserError(
            f"{option} {path}: not a model fingerprint (a JSON object with "
            f"'operations' and 'shapes', as in generated/<service>/{FILENAME})"
        )


def _serve(args: argparse.Namespace) -> int:
    from botogen.serve import run

    return run(args)


def _add_service_settings(serve: argparse.ArgumentParser, argv: list[str]) -> None:
    """The served service's settings become options of `serve`."""
    from botogen.serve import (
        add_setting_options,
        definition_for,
        peek_service,
        service_package,
    )

    service, package_dir, handlers = peek_service(argv)
    serve.set_defaults(service=service)  # discovered when --service is not given
    package = service_package(service, package_dir)
    add_setting_options(serve, definition_for(service, package, handlers).settings)


def main(argv: Sequence[str] | None = None) -> int:
    """The `botogen` command; a user error is one line on stderr and status 2."""
    try:
        return _main(argv)
    except (UserError, OSError, ValueError, LookupError) as error:
        message = user_error_message(error)
        if message is None or (
            os.environ.get("BOTOGEN_TRACEBACK") and not isinstance(error, UserError)
        ):
            raise
        sys.stdout.flush()
        print(f"botogen: {message}", file=sys.stderr, flush=True)
        return USER_ERROR


def _main(argv: Sequence[str] | None) -> int:
    parser = OneLineParser(prog="botogen", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser(
        "generate", help="generate packages from botocore's models"
    )
    gen.add_argument(
        "services",
        nargs="*",
        help="botocore service names (default: those whose packages are in the "
        "project's generated/)",
    )
    gen.add_argument("--out", help="output folder (default: the project's generated/)")
    gen.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 naming stale files"
    )
    gen.add_argument(
        "--search-path",
        action="append",
        default=[],
        metavar="DIR",
        help="extra botocore data folder searched before the installed models",
    )
    gen.add_argument(
        "--all",
        action="store_true",
        help="every service of the installed botocore, in parallel (needs --out)",
    )
    gen.add_argument(
        "--format",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="format with black (default: yes, except with --all: see the README)",
    )
    gen.add_argument(
        "--jobs",
        type=_whole(1),
        metavar="N",
        help="--all: worker processes (default: cores)",
    )
    gen.set_defaults(run=_generate)

    check = commands.add_parser(
        "check",
        help="hand-written handlers the model has moved away from, and coverage",
    )
    check.add_argument(
        "services",
        nargs="*",
        help="services (default: the shipped ones and every handlers package)",
    )
    check.add_argument(
        "--coverage",
        action="store_true",
        help="list every operation as implemented or not implemented",
    )
    check.add_argument(
        "--accept",
        action="store_true",
        help="record the current fingerprint as the one the handlers match",
    )
    check.add_argument(
        "--baseline",
        metavar="FILE",
        help="fingerprint the handlers were written against "
        "(default: handlers/<service>/model.fingerprint.json)",
    )
    check.add_argument(
        "--current",
        metavar="FILE",
        help="fingerprint of the model now (default: generated/<service>/...)",
    )
    check.set_defaults(run=_check)

    serve = commands.add_parser(
        "serve", help="serve a json-protocol service on 127.0.0.1"
    )
    serve.add_argument(
        "--service",
        help="botocore service name (default: the one service with hand-written "
        "handlers, handlers/<service>/ exporting SERVICE)",
    )
    serve.add_argument(
        "--package-dir",
        metavar="DIR",
        help="a `generate --out` folder holding the service's package (default: "
        "generated/, else generated on first use into ~/.cache/botogen)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--port", type=_whole(0, 65535), default=4566, help="0 takes a free port"
    )
    serve.add_argument("--db", help="database (SQLite file path or postgresql:// URL)")
    serve.add_argument(
        "--accounts", help="accounts JSON file (default: the development set)"
    )
    serve.add_argument(
        "--workers",
        type=_whole(1),
        default=1,
        metavar="N",
        help="server processes sharing the port, each with its own database connection",
    )
    serve.add_argument(
        "--seed", metavar="FILE", help="JSON document of fixed state to load on start"
    )
    serve.add_argument(
        "--clock-file",
        metavar="FILE",
        help="business clock: the ISO 8601 instant in FILE, re-read per request (tests)",
    )
    serve.add_argument(
        "--rate-limit",
        type=_amount(positive=False),
        default=0,
        metavar="N",
        help="requests per second per account (fractions work); past it the service's throttling error (0: off)",
    )
    serve.add_argument(
        "--config",
        metavar="FILE",
        help="JSON object of the service's settings (see 'service settings' below)",
    )
    serve.add_argument(
        "--threads",
        type=_whole(1),
        default=16,
        metavar="N",
        help="worker threads per process: requests in the pipeline at once",
    )
    serve.add_argument(
        "--header-timeout",
        type=_amount(positive=True),
        default=10.0,
        metavar="SECONDS",
        help="a request's head must arrive within this time of its first byte",
    )
    serve.add_argument(
        "--body-timeout",
        type=_amount(positive=True),
        default=30.0,
        metavar="SECONDS",
        help="a request's body must arrive within this time of its head",
    )
    serve.add_argument(
        "--keep-alive-timeout",
        type=_whole(1),
        default=5,
        metavar="SECONDS",
        help="an idle kept-alive connection is closed after this time",
    )
    serve.add_argument(
        "--admin",
        action="store_true",
        help="enable the test-control API under /_botogen/ (reset, clock, health)",
    )
    serve.add_argument(
        "--handlers",
        metavar="MODULE:CLASS",
        help="handler class (default: the one handlers/<service>/ declares in SERVICE, "
        "else the bare skeleton)",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    serve.set_defaults(run=_serve)
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["serve"]:
        _add_service_settings(serve, arguments[1:])
    args = parser.parse_args(arguments)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
