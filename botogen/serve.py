"""`botogen serve`: a json-protocol service from its generated package, on uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import difflib
import errno
import gc
import importlib
import logging
import os
import pkgutil
import select
import shutil
import signal
import socket
import sqlite3
import sys
import tempfile
import traceback
import urllib.parse
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import uvicorn
import uvloop

from botogen.cli import (
    USER_ERROR,
    OneLineParser,
    UserError,
    require_services,
    user_error_message,
)
from runtime.accounts import (
    DEVELOPMENT_ACCOUNTS,
    Accounts,
    accounts_from,
    load_accounts,
)
from runtime.app import App
from runtime.jsonfile import read_object
from runtime.assemble import ServeOptions, assemble, database_target
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

#: The wire protocol the server speaks (`runtime.jsonproto`: AWS JSON 1.0 and 1.1).
SPOKEN = "json"


def service_package(service: str, package_dir: str | None = None) -> ModuleType:
    """The service's generated package: from `package_dir` (a `botogen generate --out`
    folder) when given, else `generated.<service>`, else one generated on first use
    into ~/.cache/botogen (unformatted; `codegen.generate.cached_package`)."""
    name = service.replace("-", "_")
    if package_dir is None:
        try:
            return _servable(service, importlib.import_module(f"generated.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"generated.{name}":
                raise
        _require_servable_model(service)  # before generating a package for nothing
        from codegen.build import GenerationError
        from codegen.generate import cached_package

        try:
            package_dir = str(cached_package(service))
        except GenerationError as error:
            raise UserError(f"cannot generate {service!r}: {error}") from None
    root = Path(package_dir).resolve()
    if not root.is_dir():
        raise UserError(f"--package-dir {package_dir}: not a folder")
    if str(root.parent) not in sys.path:
        sys.path.insert(0, str(root.parent))
    try:
        return _servable(service, importlib.import_module(f"{root.name}.{name}"))
    except ModuleNotFoundError as error:
        if error.name not in (root.name, f"{root.name}.{name}"):
            raise
        raise UserError(
            f"no package for {service!r} in {root} "
            f"(botogen generate {service} --out {root})"
        ) from None


def _not_spoken(service: str, protocol: str) -> str:
    return (
        f"{service} uses the {protocol} protocol; botogen serve speaks AWS JSON 1.0/1.1 "
        f"({SPOKEN}) only"
    )


def _servable(service: str, package: ModuleType) -> ModuleType:
    """`package`, unless its service speaks a protocol the server does not."""
    protocol = package.SERVICE.protocol
    if protocol != SPOKEN:
        raise UserError(_not_spoken(service, protocol))
    return package


def _require_servable_model(service: str) -> None:
    """UserError unless `service` is a botocore service whose protocol the server
    speaks (read from the model, as `codegen.build` does)."""
    from codegen.source import make_loader

    require_services([service])
    metadata = make_loader().load_service_model(service, "service-2")["metadata"]
    protocol = metadata.get("protocol") or metadata["protocols"][0]
    if protocol != SPOKEN:
        raise UserError(_not_spoken(service, protocol))


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
        raise UserError(
            f"name the service to serve with --service NAME (services with "
            f"handlers: {listed})"
        )
    return found[0]


def definition_for(
    service: str, package: ModuleType, handlers: str | None = None
) -> ServiceDefinition:
    """`handlers.<service>.SERVICE` (else the bare skeleton), its handler class replaced
    by `module:Class` when one is given."""
    skeleton = skeleton_of(package)
    definition = load_definition(service, skeleton)
    if handlers:
        definition = replace(definition, handlers=handler_class(handlers, skeleton))
    return definition


def handler_class(spec: str, skeleton: type) -> type:
    """The class `MODULE:CLASS` names (CLASS defaults to `Handlers`); UserError when
    the module does not import or the class is missing or not one of the skeleton's."""
    module_name, _, class_name = spec.partition(":")
    class_name = class_name or "Handlers"
    where = f"--handlers {spec}"
    if not module_name:
        raise UserError(f"{where}: expected MODULE:CLASS")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if module_name == missing or module_name.startswith(f"{missing}."):
            raise UserError(
                f"{where}: no module named {missing!r} (is its folder on PYTHONPATH?)"
            ) from None
        raise UserError(f"{where}: importing {module_name} failed: {_describe(error)}")
    except Exception as error:  # the module's own code raised: its error, in one line
        raise UserError(
            f"{where}: importing {module_name} failed: {_describe(error)}"
        ) from None
    cls = getattr(module, class_name, None)
    if cls is None:
        candidates = [
            name
            for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, skeleton)
        ]
        close = difflib.get_close_matches(class_name, candidates, n=3, cutoff=0.0)
        hint = f" (it has {', '.join(close)})" if close else ""
        raise UserError(f"{where}: {module_name} has no class {class_name!r}{hint}")
    if not (isinstance(cls, type) and issubclass(cls, skeleton)):
        raise UserError(
            f"{where}: {class_name} is not a subclass of {skeleton.__name__}, the "
            f"service's generated skeleton"
        )
    return cls


def _describe(error: BaseException) -> str:
    """`Type: message (file, line N)`, the line being where it was raised."""
    text = f"{type(error).__name__}: {error}"
    frames = traceback.extract_tb(error.__traceback__)
    if frames and not isinstance(error, SyntaxError):  # a SyntaxError names its line
        text += f" ({frames[-1].filename}, line {frames[-1].lineno})"
    return text


# -- settings as command-line options -------------------------------------------------------


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_setting_options(
    parser: argparse.ArgumentParser, settings: type[Settings]
) -> None:
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
    serve command line, before the full parse (the service's settings become options).
    """
    peek = OneLineParser(prog="botogen serve", add_help=False)
    peek.add_argument("--service")
    peek.add_argument("--package-dir")
    peek.add_argument("--handlers")
    known, _ = peek.parse_known_args(argv)
    return known.service or default_service(), known.package_dir, known.handlers


# -- running --------------------------------------------------------------------------------


def _read_seed(path: str) -> dict[str, Any]:
    try:
        return read_object(path, "the seed")
    except ValueError as error:
        raise UserError(str(error)) from None


def options_from(
    args: argparse.Namespace, definition: ServiceDefinition, package: ModuleType
) -> ServeOptions:
    """The runtime's options from the command line; exits with one line on bad input."""
    try:
        accounts = (
            load_accounts(Path(args.accounts))
            if args.accounts
            else DEVELOPMENT_ACCOUNTS
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
        raise UserError(str(error)) from None
    if args.rate_limit < 0:
        raise UserError("--rate-limit must not be negative")
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
        raise UserError(str(error)) from None
    sock = listen(args.host, args.port)
    target = database_target(definition, options)
    if target is not None:
        check_database(target)
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


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on `host`:`port`; UserError (one line) when it cannot be had."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        reason = error.strerror or str(error)
        if error.errno == errno.EADDRINUSE:
            reason += " (another server is listening there; --port 0 takes a free port)"
        raise UserError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.set_inheritable(True)
    return sock


def _redacted(url: str) -> str:
    """`url` without its password."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def check_database(target: str) -> None:
    """UserError (one line) when the database at `target` cannot be opened: a
    PostgreSQL server that does not answer or refuses the login; a SQLite file in a
    missing folder, a folder, a file that is not a SQLite database. Opens nothing that
    stays open, creates nothing."""
    if target.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg
        except ImportError:
            raise UserError(
                f"database {_redacted(target)}: PostgreSQL needs psycopg (pip install "
                f"psycopg)"
            ) from None
        try:
            psycopg.connect(target, connect_timeout=10).close()
        except psycopg.Error as error:
            raise UserError(
                f"database {_redacted(target)}: cannot connect: {error}"
            ) from None
        return
    path = Path(target)
    if path.is_dir():
        raise UserError(f"database {target}: a folder, not a SQLite database file")
    if not path.parent.is_dir():
        raise UserError(f"database {target}: no folder {path.parent}")
    if not path.exists():
        return  # created on start
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            connection.execute("PRAGMA schema_version")
    except sqlite3.Error as error:
        raise UserError(f"database {target}: cannot open: {error}") from None


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
    #: A worker that stops on a user error (a seed the service refuses, say) writes its
    #: one line here; the parent raises the first as a UserError once all stopped.
    errors_read, errors_write = os.pipe()
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker
            os.close(ready_read)
            os.close(errors_read)
            os.set_blocking(errors_write, False)  # a full pipe: others have reported
            code = 0

            def signal_ready() -> None:
                os.write(ready_write, b".")

            try:
                serve(signal_ready)
            except BaseException as error:
                code = _worker_failed(error, errors_write)
            os._exit(code)
        children.append(pid)
    os.close(ready_write)
    os.close(errors_write)

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
        signals = os.read(ready_read, 64) if readable else None
        if signals:
            ready += len(signals)
        elif signals == b"" or any(
            os.waitpid(child, os.WNOHANG)[0] for child in children
        ):  # every worker has exited (end of file), or one died before it was ready
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
    with os.fdopen(errors_read, "rb") as reported:  # every writer has exited
        first = reported.readline().decode("utf-8", "replace").strip()
    if first and ready < workers:
        raise UserError(first)
    return 0 if ready == workers and not any(codes) else 1


def _worker_failed(error: BaseException, errors: int) -> int:
    """A worker's exit status for what stopped it; a user error's line goes to the
    parent through `errors` (a write of at most PIPE_BUF bytes is never interleaved)."""
    message = user_error_message(error)
    if message is not None:
        try:
            os.write(errors, (message + "\n").encode()[: select.PIPE_BUF])
        except BlockingIOError:
            pass
        return USER_ERROR
    if isinstance(error, SystemExit):
        return error.code if isinstance(error.code, int) else 1
    log.error("worker failed", exc_info=error)
    return 1
