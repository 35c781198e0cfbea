"""Starts `botogen serve` as a user would: the CLI, on a free 127.0.0.1 port.

And checks every answer boto3 clients get in tests: the server builds its responses
without validating them (`model_construct`), so every 200 that any boto3 client of the
test process receives is validated here, strictly, against the generated output model
of its operation (`install_strict_responses`, called by conftest.py for every botocore
session, and `strict_responses` for one client). A response that breaks its model fails
the call (`InvalidResponse`) and, in case something swallowed that, the test
(`conftest.py` checks `RESPONSE_FAILURES` after each test).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import botocore.handlers
import pydantic
from botocore.config import Config

#: Worker threads of a test server (`botogen serve --threads`; the default is 16).
TEST_THREADS = 4
ROOT = Path(__file__).resolve().parents[2]
BOTOGEN = Path(sys.executable).with_name("botogen")

#: Dummy accounts for tests: never real credentials.
ACCOUNTS = [
    {"id": "111111111111", "name": "Master Account", "email": "bill@example.com",
     "access_key_id": "AKIATESTBILL", "secret_access_key": "test-secret-bill"},
    {"id": "222222222222", "name": "Susan", "email": "susan@example.com",
     "access_key_id": "AKIATESTSUSAN", "secret_access_key": "test-secret-susan"},
    {"id": "333333333333", "name": "Juan", "email": "juan@example.com",
     "access_key_id": "AKIATESTJUAN", "secret_access_key": "test-secret-juan"},
]  # fmt: skip


# -- every 200 validated against its output model, client side ------------------------------

#: Generated packages by botocore service name, besides `generated.<service>`: packages
#: generated elsewhere by a test (`register_package`).
_PACKAGES: dict[str, ModuleType] = {}
#: Every response that failed the check, for conftest.py (a test that caught the
#: exception still fails).
RESPONSE_FAILURES: list[str] = []
_FAILURES_LOCK = threading.Lock()
#: Marks a call's context once its response was checked (a client may have the handler
#: twice: from its session and from `strict_responses`).
_CHECKED = "botogen_response_checked"
#: Validation context for bodies off the wire (blobs are base64, timestamps epoch).
_WIRE = {"wire": True}


class InvalidResponse(AssertionError):
    """A 200 whose body is not a valid instance of the operation's output model."""


def register_package(package: ModuleType) -> None:
    """Validate responses of `package.SERVICE.name` with this generated package."""
    _PACKAGES[package.SERVICE.name] = package


def _package(service: str) -> ModuleType | None:
    found = _PACKAGES.get(service)
    if found is not None:
        return found
    try:
        return importlib.import_module(f"generated.{service.replace('-', '_')}")
    except ModuleNotFoundError:
        return None


def _fail(message: str) -> InvalidResponse:
    with _FAILURES_LOCK:
        RESPONSE_FAILURES.append(message)
    return InvalidResponse(message)


def check_response(
    http_response: Any, model: Any, context: dict[str, Any] | None = None, **_: Any
) -> None:
    """botocore `after-call` handler: a 200's raw body must validate, strictly, into the
    operation's generated output model (`{}` for an operation without output)."""
    if context is not None:
        if context.get(_CHECKED):
            return
        context[_CHECKED] = True
    if http_response.status_code != 200:
        return
    service, name = model.service_model.service_name, model.name
    body: bytes = http_response.content
    package = _package(service)
    if package is None:
        raise _fail(
            f"{service}.{name}: no generated package to check the response against "
            f"(support.server.register_package)"
        )
    operation = package.OPERATIONS.get(name)
    if operation is None:
        raise _fail(f"{service}.{name}: not an operation of {package.__name__}")
    if operation.output is None:
        if json.loads(body or b"{}") != {}:
            raise _fail(f"{service}.{name}: has no output, answered {body[:200]!r}")
        return
    try:
        operation.output.model_validate_json(body, context=_WIRE)
    except pydantic.ValidationError as error:
        raise _fail(
            f"{service}.{name}: the 200 response breaks {operation.output.__name__}: "
            f"{error}\nbody: {body[:2000]!r}"
        ) from None


def strict_responses(client: Any) -> Any:
    """`client`, with every 200 it receives checked (`check_response`)."""
    client.meta.events.register(
        "after-call", check_response, unique_id="botogen-strict-responses"
    )
    return client


def install_strict_responses() -> None:
    """Every botocore session created from now on (boto3's included) checks the 200s of
    every client it makes."""
    spec = ("after-call", check_response, botocore.handlers.REGISTER_LAST)
    if spec not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(spec)


# -- servers ------------------------------------------------------------------------------


def organizations_client(url: str, account: dict[str, Any], **config: Any) -> Any:
    """A strict (`strict_responses`) boto3 Organizations client with `account`'s keys
    (an accounts-file entry), pointed at `url`, no retries."""
    return strict_responses(
        boto3.client(
            "organizations",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=account["access_key_id"],
            aws_secret_access_key=account["secret_access_key"],
            config=Config(retries={"max_attempts": 1}, **config),
        )
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def client(self, account: int = 0, **config: Any) -> Any:
        """A boto3 Organizations client for ACCOUNTS[account], pointed at this server."""
        return organizations_client(self.url, ACCOUNTS[account], **config)

    def log_text(self) -> str:
        return self.log.read_text()

    def log_line(self, request_id: str) -> str:
        """The access-log line of one request (written just after its answer is sent)."""
        deadline = time.monotonic() + 5
        while True:
            lines = [
                line
                for line in self.log_text().splitlines()
                if f" request_id={request_id}" in line and "botogen.access" in line
            ]
            if lines:
                assert len(lines) == 1, lines
                return lines[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"no access-log line for request {request_id}")
            time.sleep(0.02)


def write_accounts(folder: Path) -> Path:
    path = folder / "accounts.json"
    path.write_text(json.dumps({"accounts": ACCOUNTS}))
    return path


@contextmanager
def running_server(folder: Path, *args: str) -> Iterator[Server]:
    """`botogen serve --port 0 ...`; waits for its `listening on` line; SIGTERM at the end.

    Unless `args` say otherwise, `--threads TEST_THREADS`: on PostgreSQL a server holds up
    to two connections per thread (readers and writers, `runtime.app`), and the servers
    of parallel test processes share one PostgreSQL's 100."""
    log = folder / "server.log"
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    if "--threads" not in args:
        args = ("--threads", str(TEST_THREADS), *args)
    command = [str(BOTOGEN), "serve", "--host", "127.0.0.1", "--port", "0", *args]
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=env,
            cwd=folder,
        )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening on "):
            process.kill()
            raise RuntimeError(f"server did not start: {line!r}\n{log.read_text()}")
        yield Server(line.split()[-1], process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def running_with_accounts(
    folder: Path, *args: str, db: str | None = None
) -> ContextManager[Server]:
    """`running_server` with the test `ACCOUNTS` and a database: `db`, or a SQLite
    file `db.sqlite3` in `folder`."""
    return running_server(
        folder,
        "--accounts",
        str(write_accounts(folder)),
        "--db",
        db if db is not None else str(folder / "db.sqlite3"),
        *args,
    )


class Incarnations:
    """The servers started one after the other on the database: one folder (and log)
    each, at most one running."""

    def __init__(self, folder: Path, args: list[str]) -> None:
        self.folder = folder
        self.args = args
        self.logs: list[Path] = []
        self._running: ExitStack | None = None

    def start(self) -> Server:
        assert self._running is None
        home = self.folder / f"server-{len(self.logs) + 1}"
        home.mkdir()
        self.logs.append(home / "server.log")
        with ExitStack() as stack:
            server = stack.enter_context(running_server(home, *self.args))
            self._running = stack.pop_all()
        return server

    def kill(self, server: Server) -> None:
        """SIGKILL: no shutdown, no checkpoint, whatever transaction is under way."""
        server.process.kill()
        server.process.wait(10)
        self.close()

    def close(self) -> None:
        if self._running is not None:
            self._running.close()  # SIGTERM, if it still runs
            self._running = None
