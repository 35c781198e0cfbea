"""`botogen serve`: a json-protocol service from its generated package, on uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import gc
import importlib
import json
import logging
import os
import pkgutil
import select
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import uvicorn
import uvloop

from runtime.accounts import (
    DEVELOPMENT_ACCOUNTS,
    Accounts,
    accounts_from,
    load_accounts,
)
from runtime.app import App
from runtime.assemble import ServeOptions, assemble
from runtime.http import HttpLimits, server_config
from runtime.service import (
    ServiceDefinition,
    Settings,
    build_settings,
    load_definition,
    read_config,
)
from runtime.packages import skeleton_of

log = logging.getLogger("botogen")


def service_package(service: str, package_dir: str | None = None) -> ModuleType:
    """The service's generated package: from `package_dir` (a `botogen generate --out`
    folder) when given, else `generated.<service>`, else one generated on first use
    into ~/.cache/botogen (unformatted; `codegen.generate.cached_package`)."""
    name = service.replace("-", "_")
    if package_dir is None:
        try:
            return importlib.import_module(f"generated.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"generated.{name}":
                raise
        from codegen.generate import cached_package

        try:
            package_dir = str(cached_package(service))
        except Exception as error:  # not a botocore service, say
            raise SystemExit(f"botogen: cannot generate {service!r}: {error}") from None
    root = Path(package_dir).resolve()
    if str(root.parent) not in sys.path:
        sys.path.insert(0, str(root.parent))
    try:
        return importlib.import_module(f"{root.name}.{name}")
    except ModuleNotFoundError:
        raise SystemExit(
            f"botogen: no package for {service!r} in {root} "
            f"(botogen generate {service} --out {root})"
        ) from None


def default_service() -> str:
    """The service `botogen serve` serves when `--service` is not given: the one package
    under `handlers/` that exports a `SERVICE` definition. Exits with one line if there
    is not exactly one."""
    try:
        root = importlib.import_module("handlers")
    except ModuleNotFoundError:
        root = None
    found = []
    for info in pkgutil.iter_modules(root.__path__ if root else []):
        if not info.ispkg:
            continue
        module = importlib.import_module(f"handlers.{info.name}")
        definition = getattr(module, "SERVICE", None)
        if isinstance(definition, ServiceDefinition):
            found.append(definition.name)
    if len(found) != 1:
        listed = ", ".join(sorted(found)) or "none"
        raise SystemExit(
            f"botogen: name the service to serve with --service NAME (services with "
            f"handlers: {listed})"
        )
    return found[0]


def definition_for(
    service: str, package: ModuleType, handlers: str | None = None
) -> ServiceDefinition:
    """`handlers.<service>.SERVICE` (else the bare skeleton), its handler class replaced
    by `module:Class` when one is given."""
    definition = load_definition(service, skeleton_of(package))
    if handlers:
        module_name, _, class_name = handlers.partition(":")
        cls: type = getattr(
            importlib.import_module(module_name), class_name or "Handlers"
        )
        definition = replace(definition, handlers=cls)
    return definition


# -- settings as command-line options -------------------------------------------------------


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_setting_options(parser: argparse.ArgumentParser, settings: type[Settings]) -> None:
    """One option per setting of the service (`account_limit` → `--account-limit`)."""
    group = parser.add_argument_group(
        "service settings", "also settable in --config FILE; the command line wins"
    )
    for name, field in settings.model_fields.items():
        kinds: dict[Any, Callable[[str], Any]] = {int: int, float: float}
        kind = kinds.get(field.annotation, str)
        if field.annotation is bool:
            group.add_argument(
                _option(name),
                dest=f"setting__{name}",
                action=argparse.BooleanOptionalAction,
                default=None,
                help=f"{field.description or name} (default: {field.default})",
            )
            continue
        group.add_argument(
            _option(name),
            dest=f"setting__{name}",
            type=kind,
            default=None,
            metavar="VALUE",
            help=f"{field.description or name} (default: {field.default})",
        )


def settings_given(args: argparse.Namespace) -> dict[str, Any]:
    prefix = "setting__"
    return {
        key[len(prefix) :]: value
        for key, value in vars(args).items()
        if key.startswith(prefix) and value is not None
    }


def peek_service(argv: list[str]) -> tuple[str, str | None, str | None]:
    """`--service` (else `default_service()`), `--package-dir` and `--handlers` of a
    serve command line, before the full parse (the service's settings become options)."""
    peek = argparse.ArgumentParser(add_help=False)
    peek.add_argument("--service")
    peek.add_argument("--package-dir")
    peek.add_argument("--handlers")
    known, _ = peek.parse_known_args(argv)
    return known.service or default_service(), known.package_dir, known.handlers


# -- running --------------------------------------------------------------------------------


def _read_seed(path: str) -> dict[str, Any]:
    try:
        document: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise SystemExit(f"botogen: {path}: cannot read: {error.strerror or error}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SystemExit(f"botogen: {path}: not a JSON document: {error}")
    if not isinstance(document, dict):
        raise SystemExit(f"botogen: {path}: a seed is a JSON object")
    return document


def options_from(
    args: argparse.Namespace, definition: ServiceDefinition, package: ModuleType
) -> ServeOptions:
    """The runtime's options from the command line; exits with one line on bad input."""
    try:
        accounts = (
            load_accounts(Path(args.accounts)) if args.accounts else DEVELOPMENT_ACCOUNTS
        )
        seed = _read_seed(args.seed) if args.seed else None
        if seed and seed.get("accounts"):
            seeded = accounts_from(seed, args.seed)
            accounts = Accounts(
                [*accounts, *(a for a in seeded if accounts.by_id(a.id) is None)]
            )
        layers = (read_config(args.config) if args.config else {}, settings_given(args))
        build_settings(definition.settings, *layers)  # fail now, with one line
    except ValueError as error:
        raise SystemExit(f"botogen: {error}") from None
    if args.rate_limit < 0:
        raise SystemExit("botogen: --rate-limit must not be negative")
    clock_file = args.clock_file
    if args.admin and clock_file is None:
        # The test-control API moves the business clock through a file that every
        # server process reads; it starts empty (the wall clock).
        folder = Path(tempfile.mkdtemp(prefix="botogen-clock-"))
        clock_file = str(folder / "clock")
        atexit.register(shutil.rmtree, folder, True)
    return ServeOptions(
        db=args.db,
        accounts=accounts,
        seed=seed,
        settings=layers,
        clock_file=clock_file,
        rate_limit=args.rate_limit,
        admin=args.admin,
        threads=args.threads,
        health={
            "botocore": package.SERVICE.botocore_version,
            "operations": len(package.OPERATIONS),
        },
    )


async def _when_started(server: uvicorn.Server, ready: Callable[[], None]) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.01)
    ready()


async def _serve(
    app: App, sock: socket.socket, ready: Callable[[], None], limits: HttpLimits
) -> None:
    # Header/URL limits and read timeouts at the HTTP layer (runtime/http.py).
    config = server_config(app, limits)
    server = uvicorn.Server(config)
    started = asyncio.create_task(_when_started(server, ready))
    await server.serve(sockets=[sock])
    started.cancel()


def run(args: Any) -> int:
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s",
        stream=sys.stderr,
    )
    package = service_package(args.service, getattr(args, "package_dir", None))
    definition = definition_for(args.service, package, args.handlers)
    options = options_from(args, definition, package)
    try:
        limits = HttpLimits(
            header_timeout=args.header_timeout,
            body_timeout=args.body_timeout,
            keep_alive_timeout=args.keep_alive_timeout,
        )
    except ValueError as error:
        raise SystemExit(f"botogen: {error}") from None
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    host, port = args.host, sock.getsockname()[1]

    def announce() -> None:
        print(f"listening on http://{host}:{port}", flush=True)

    def serve(ready: Callable[[], None]) -> None:
        # uvicorn stops gracefully on SIGTERM/SIGINT and then re-raises the signal; these
        # handlers turn that into a clean exit (status 0) instead of death by signal.
        for stop in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop, _exit_cleanly)
        app = assemble(package, definition, options)
        # What is loaded by now (models, botocore, the handlers) lives as long as the
        # process: out of the collector's sight, full collections stay short.
        gc.freeze()
        try:
            uvloop.run(_serve(app, sock, ready, limits))
        finally:
            app.close()

    workers = getattr(args, "workers", 1)
    if workers <= 1:
        serve(announce)
        return 0
    return prefork(workers, serve, announce)


def _exit_cleanly(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def prefork(
    workers: int,
    serve: Callable[[Callable[[], None]], None],
    announce: Callable[[], None],
) -> int:
    """Run `serve` in `workers` forked processes sharing the listening socket.

    Each worker builds its own app (its own database connection) after the fork; the
    kernel spreads connections among them. The parent announces once every worker is
    ready, forwards SIGTERM/SIGINT to them and exits 0 when they all stopped cleanly; a
    worker that dies before it is ready stops the others (exit 1).
    """
    ready_read, ready_write = os.pipe()
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker
            os.close(ready_read)
            code = 0

            def signal_ready() -> None:
                os.write(ready_write, b".")

            try:
                serve(signal_ready)
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException:
                logging.getLogger("botogen").exception("worker failed")
                code = 1
            os._exit(code)
        children.append(pid)
    os.close(ready_write)

    def stop_all(signum: int = signal.SIGTERM, frame: Any = None) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    ready = 0
    while ready < workers:
        readable, _, _ = select.select([ready_read], [], [], 0.1)
        if readable:
            ready += len(os.read(ready_read, 64))
        elif any(os.waitpid(child, os.WNOHANG)[0] for child in children):
            stop_all()
            break
    else:
        announce()
    codes = []
    for child in children:
        while True:
            try:
                _, status = os.waitpid(child, 0)
                break
            except InterruptedError:
                continue
            except ChildProcessError:
                status = 0
                break
        codes.append(os.waitstatus_to_exitcode(status))
    return 0 if ready == workers and not any(codes) else 1
