"""`botogen`: generate service packages from botocore's models, and serve them."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def _generate(args: argparse.Namespace) -> int:
    from codegen.build import GenerationError
    from codegen.generate import DEFAULT_OUT, SHIPPED, generate

    if args.all:
        if not args.out or args.services or args.check:
            print(
                "botogen: --all needs --out DIR and no service names", file=sys.stderr
            )
            return 2
        return _generate_all(args)
    services = args.services or list(SHIPPED)
    out = Path(args.out) if args.out else DEFAULT_OUT
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
        print(f"botogen: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    if args.check:
        if result.stale:
            print("stale generated files (run `make generate`):", file=sys.stderr)
            for path in result.stale:
                print(f"  {path}", file=sys.stderr)
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

    return run(args)


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
    package = service_package(service, package_dir)
    add_setting_options(serve, definition_for(service, package, handlers).settings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="botogen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser(
        "generate", help="generate packages from botocore's models"
    )
    gen.add_argument(
        "services", nargs="*", help="botocore service names (default: organizations)"
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
        "--jobs", type=int, metavar="N", help="--all: worker processes (default: cores)"
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
    serve.add_argument("--service", default="organizations")
    serve.add_argument(
        "--package-dir",
        metavar="DIR",
        help="a `generate --out` folder holding the service's package (default: "
        "generated/, else generated on first use into ~/.cache/botogen)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=4566, help="0 takes a free port")
    serve.add_argument("--db", help="database (SQLite file path or postgresql:// URL)")
    serve.add_argument(
        "--accounts", help="accounts JSON file (default: the development set)"
    )
    serve.add_argument(
        "--workers",
        type=int,
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
        type=float,
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
        type=int,
        default=16,
        metavar="N",
        help="worker threads per process: requests in the pipeline at once",
    )
    serve.add_argument(
        "--admin",
        action="store_true",
        help="enable the test-control API under /_botogen/ (reset, clock, health)",
    )
    serve.add_argument(
        "--handlers",
        metavar="MODULE:CLASS",
        help="handler class (default: handlers.<service>.Handlers, else the bare skeleton)",
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
