"""`botogen serve`: a json-protocol service from its generated package, on uvicorn."""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import os
import select
import logging
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
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
from runtime.app import AwsJsonApp
from runtime.clock import Clock, FileClock, wall_clock
from runtime.packages import handler_package, skeleton_of

log = logging.getLogger("botogen")


@dataclass(frozen=True)
class ServeOptions:
    """What `botogen serve` was asked for; handler classes may read it (`from_options`)."""

    service: str
    host: str
    port: int
    #: SQLite file path or postgresql:// URL (None: the handler's default).
    db: str | None
    #: Known accounts and their credentials (the accounts file, or the development set,
    #: plus the seed's accounts).
    accounts: Accounts
    #: A JSON document of fixed state to load on start, if any.
    seed: str | None = None
    #: The business clock (wall clock, or a file tests rewrite).
    clock: Clock = wall_clock
    #: Organizations: members plus pending invitations allowed per organization (R19).
    account_limit: int = 10
    #: A `botogen generate --out` folder holding the service's package (else generated/).
    package_dir: str | None = None


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


def handler_class(spec: str | None, service: str, package: ModuleType) -> type:
    """`module:Class` if given; else `handlers.<service>.Handlers` when it exists;
    else the bare generated skeleton (every operation answers not-implemented)."""
    if spec:
        module_name, _, class_name = spec.partition(":")
        cls: type = getattr(
            importlib.import_module(module_name), class_name or "Handlers"
        )
        return cls
    handlers = handler_package(service)
    if handlers is None:
        return skeleton_of(package)
    found: type = handlers.Handlers
    return found


def build_app(
    options: ServeOptions, handlers: str | None = None, rate_limit: float = 0
) -> AwsJsonApp:
    package = service_package(options.service, options.package_dir)
    cls = handler_class(handlers, options.service, package)
    factory: Any = getattr(cls, "from_options", None)
    handler = factory(options) if factory else cls()
    return AwsJsonApp(
        package.SERVICE,
        package.OPERATIONS,
        handler,
        options.accounts,
        rate_limit=rate_limit,
    )


async def _when_started(server: uvicorn.Server, ready: Callable[[], None]) -> None:
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.01)
    ready()


async def _serve(
    app: AwsJsonApp, sock: socket.socket, ready: Callable[[], None]
) -> None:
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        access_log=False,
        server_header=False,
        proxy_headers=False,  # the caller is who signed the request, not a header
        log_config=None,
    )
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
    accounts = (
        load_accounts(Path(args.accounts)) if args.accounts else DEVELOPMENT_ACCOUNTS
    )
    seed = json.loads(Path(args.seed).read_text()) if args.seed else {}
    if seed.get("accounts"):
        seeded = accounts_from(seed, args.seed)
        accounts = Accounts(
            [*accounts, *(a for a in seeded if accounts.by_id(a.id) is None)]
        )
    options = ServeOptions(
        service=args.service,
        host=args.host,
        port=args.port,
        db=args.db,
        accounts=accounts,
        seed=args.seed,
        clock=FileClock(args.clock_file) if args.clock_file else wall_clock,
        account_limit=args.account_limit,
        package_dir=getattr(args, "package_dir", None),
    )
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
        app = build_app(options, args.handlers, args.rate_limit)
        # What is loaded by now (models, botocore, the handlers) lives as long as the
        # process: out of the collector's sight, full collections stay short.
        gc.freeze()
        uvloop.run(_serve(app, sock, ready))

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
