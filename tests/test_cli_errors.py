"""Every user error of `botogen`, and of the Makefile targets that run it, ends the
command with one line naming what is wrong: `botogen: …` on stderr, exit status 2, no
traceback (`botogen.cli.UserError` and `main`). The real command runs for each case;
the serve cases stop before serving."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from support.server import ACCOUNTS, BOTOGEN, ROOT

#: Files the cases name, written into the folder the command runs in.
FILES = {
    "not.json": "{",
    "list.json": "[]",
    "accounts.json": json.dumps({"accounts": ACCOUNTS}),
    "accounts-empty.json": json.dumps({"accounts": []}),
    "accounts-bad-entry.json": json.dumps(
        {"accounts": [{**ACCOUNTS[0], "id": "12"}, *ACCOUNTS[1:]]}
    ),
    "accounts-missing-field.json": json.dumps(
        {"accounts": [{"id": "111111111111", "name": "Bill"}]}
    ),
    "seed-bad-id.json": json.dumps(
        {"handshakes": [{"id": "h-bad", "organization_id": "o-exampleorgid"}]}
    ),
    "seed-unknown-section.json": json.dumps({"handshakez": []}),
    "seed-unknown-account.json": json.dumps(
        {
            "organizations": [
                {"id": "o-exampleorgid", "management_account_id": "999999999999"}
            ]
        }
    ),
    "seed-entry-without-id.json": json.dumps(
        {"organizations": [{"management_account_id": "111111111111"}]}
    ),
    "seed-wrong-shape.json": json.dumps({"organizations": 5}),
    "config-unknown.json": json.dumps({"account_limt": 3}),
    "config-out-of-range.json": json.dumps({"account_limit": 0}),
    "not-a-database.sqlite3": "plain text, not SQLite",
    "a-file": "",
    "raising_handlers.py": 'raise RuntimeError("boom at import")\n',
    "plain_handlers.py": "class Handlers:\n    pass\n",
    "fingerprint-shapeless.json": json.dumps({"operations": {}}),
}


def case(
    *args: str, names: tuple[str, ...], id: str
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return id, args, names


#: (id, command line, what its one line must name).
CASES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # generate
    case(
        "generate",
        "nosuchservice",
        names=("'nosuchservice' is not a botocore service", "none close"),
        id="generate-unknown-service",
    ),
    case(
        "generate",
        "organizaton",
        names=("'organizaton' is not a botocore service", "did you mean organizations"),
        id="generate-misspelt-service",
    ),
    case("generate", "--all", names=("--all needs --out",), id="generate-all-no-out"),
    case(
        "generate",
        "--all",
        "--out",
        "out",
        "sqs",
        names=("--all takes no service names",),
        id="generate-all-and-names",
    ),
    case(
        "generate",
        "organizations",
        "--out",
        "a-file/out",
        names=("cannot write in a-file/out", "Not a directory"),
        id="generate-out-unwritable",
    ),
    case(
        "generate",
        "organizations",
        "--out",
        "a-file",
        names=("cannot write in a-file", "not a folder"),
        id="generate-out-a-file",
    ),
    case(
        "generate",
        "organizations",
        "--search-path",
        "no-such-folder",
        names=("--search-path no-such-folder", "not a folder"),
        id="generate-search-path-missing",
    ),
    case(
        "generate",
        "--all",
        "--out",
        "out",
        "--jobs",
        "0",
        names=("--jobs", "0 is out of range"),
        id="generate-jobs-0",
    ),
    # check
    case(
        "check",
        "nosuchservice",
        names=("'nosuchservice' is not a botocore service",),
        id="check-unknown-service",
    ),
    case(
        "check",
        "sqs",
        names=("sqs: not generated", "botogen generate sqs"),
        id="check-service-not-generated",
    ),
    case(
        "check",
        "--baseline",
        "missing.json",
        names=("--baseline missing.json", "No such file"),
        id="check-baseline-missing",
    ),
    case(
        "check",
        "--baseline",
        "not.json",
        names=("--baseline not.json", "not a JSON document"),
        id="check-baseline-not-json",
    ),
    case(
        "check",
        "--baseline",
        "fingerprint-shapeless.json",
        names=("--baseline fingerprint-shapeless.json", "not a model fingerprint"),
        id="check-baseline-not-a-fingerprint",
    ),
    case(
        "check",
        "--current",
        "list.json",
        names=("--current list.json", "not a model fingerprint"),
        id="check-current-not-a-fingerprint",
    ),
    # serve: the service and its handlers
    case(
        "serve",
        "--service",
        "lambda",
        names=("lambda uses the rest-json protocol", "AWS JSON 1.0/1.1 (json) only"),
        id="serve-protocol-not-spoken",
    ),
    case(
        "serve",
        "--service",
        "nosuchservice",
        names=("'nosuchservice' is not a botocore service",),
        id="serve-unknown-service",
    ),
    case(
        "serve",
        "--service",
        "sqs",
        "--package-dir",
        "no-such-folder",
        names=("--package-dir no-such-folder", "not a folder"),
        id="serve-package-dir-missing",
    ),
    case(
        "serve",
        "--handlers",
        "handlers.organizations:Nope",
        names=("handlers.organizations has no class 'Nope'", "Handlers"),
        id="serve-handlers-class-missing",
    ),
    case(
        "serve",
        "--handlers",
        "nosuchmodule:X",
        names=("--handlers nosuchmodule:X", "no module named 'nosuchmodule'"),
        id="serve-handlers-module-missing",
    ),
    case(
        "serve",
        "--handlers",
        "raising_handlers:Handlers",
        names=(
            "importing raising_handlers failed",
            "RuntimeError: boom at import",
            "raising_handlers.py, line 1",
        ),
        id="serve-handlers-module-raises",
    ),
    case(
        "serve",
        "--handlers",
        "plain_handlers:Handlers",
        names=("Handlers is not a subclass of OrganizationsSkeleton",),
        id="serve-handlers-not-the-skeletons",
    ),
    # serve: options
    case(
        "serve",
        "--workers",
        "0",
        names=("--workers", "0 is out of range"),
        id="workers-0",
    ),
    case(
        "serve",
        "--threads",
        "0",
        names=("--threads", "0 is out of range"),
        id="threads-0",
    ),
    case(
        "serve",
        "--header-timeout",
        "-1",
        names=("--header-timeout", "-1 is out of range"),
        id="header-timeout-negative",
    ),
    case(
        "serve",
        "--body-timeout",
        "0",
        names=("--body-timeout", "0 is out of range"),
        id="body-timeout-0",
    ),
    case(
        "serve",
        "--keep-alive-timeout",
        "-5",
        names=("--keep-alive-timeout", "-5 is out of range"),
        id="keep-alive-timeout-negative",
    ),
    case(
        "serve",
        "--rate-limit",
        "-1",
        names=("--rate-limit", "-1 is out of range"),
        id="rate-limit-negative",
    ),
    case(
        "serve",
        "--port",
        "70000",
        names=("--port", "70000", "0-65535"),
        id="port-70000",
    ),
    case("serve", "--port", "http", names=("--port", "'http'"), id="port-not-a-number"),
    case(
        "serve",
        "--account-limit",
        "many",
        names=("--account-limit", "'many'"),
        id="setting-not-a-number",
    ),
    case("serve", "--no-such-option", names=("--no-such-option",), id="unknown-option"),
    # serve: files
    *(
        case(
            "serve",
            option,
            "missing.json",
            names=("missing.json", "cannot read", "No such file"),
            id=f"{option[2:]}-missing",
        )
        for option in ("--accounts", "--seed", "--config")
    ),
    *(
        case(
            "serve",
            option,
            "not.json",
            names=("not.json", "JSON"),
            id=f"{option[2:]}-not-json",
        )
        for option in ("--accounts", "--seed", "--config")
    ),
    case(
        "serve",
        "--accounts",
        "list.json",
        names=("list.json", 'expected an object {"accounts": [...]}'),
        id="accounts-wrong-shape",
    ),
    case(
        "serve",
        "--accounts",
        "accounts-empty.json",
        names=("accounts-empty.json", "'accounts' is empty"),
        id="accounts-empty",
    ),
    case(
        "serve",
        "--accounts",
        "accounts-bad-entry.json",
        names=("accounts-bad-entry.json", "accounts[0]", "'12'"),
        id="accounts-entry-bad-id",
    ),
    case(
        "serve",
        "--accounts",
        "accounts-missing-field.json",
        names=("accounts[0]", "missing required field", "'email'"),
        id="accounts-entry-missing-field",
    ),
    case(
        "serve",
        "--seed",
        "list.json",
        names=("list.json", "expected a JSON object"),
        id="seed-wrong-shape",
    ),
    case(
        "serve",
        "--config",
        "list.json",
        names=("list.json", "expected a JSON object of settings"),
        id="config-wrong-shape",
    ),
    case(
        "serve",
        "--config",
        "config-unknown.json",
        names=("setting account_limt", "unknown setting"),
        id="config-unknown-setting",
    ),
    case(
        "serve",
        "--config",
        "config-out-of-range.json",
        names=("setting account_limit", "greater than or equal to 1"),
        id="config-setting-out-of-range",
    ),
    # serve: a seed the service refuses (read by the service's loader, after start)
    case(
        "serve",
        "--seed",
        "seed-bad-id.json",
        names=("seed: handshakes[0]", "'h-bad' is not a valid handshake id"),
        id="seed-entry-bad-id",
    ),
    case(
        "serve",
        "--seed",
        "seed-bad-id.json",
        "--workers",
        "2",
        names=("seed: handshakes[0]", "'h-bad' is not a valid handshake id"),
        id="seed-entry-bad-id-two-workers",
    ),
    case(
        "serve",
        "--seed",
        "seed-unknown-section.json",
        names=("seed: unknown section(s) 'handshakez'",),
        id="seed-unknown-section",
    ),
    case(
        "serve",
        "--seed",
        "seed-unknown-account.json",
        names=("organizations[0]", "'999999999999' is not a known account"),
        id="seed-entry-unknown-account",
    ),
    case(
        "serve",
        "--seed",
        "seed-entry-without-id.json",
        names=("seed: organizations[0]", "lacks 'id'"),
        id="seed-entry-without-id",
    ),
    case(
        "serve",
        "--seed",
        "seed-wrong-shape.json",
        names=("seed: not in the shape the service reads", "TypeError"),
        id="seed-section-not-a-list",
    ),
    # serve: the database
    case(
        "serve",
        "--db",
        "no-such-folder/db.sqlite3",
        names=("database no-such-folder/db.sqlite3", "no folder no-such-folder"),
        id="db-folder-missing",
    ),
    case(
        "serve",
        "--db",
        ".",
        names=("database .", "a folder, not a SQLite database file"),
        id="db-is-a-folder",
    ),
    case(
        "serve",
        "--db",
        "not-a-database.sqlite3",
        names=("database not-a-database.sqlite3", "file is not a database"),
        id="db-not-sqlite",
    ),
    case(
        "serve",
        "--db",
        "postgresql://botogen:secret@127.0.0.1:1/nodb",
        names=("database postgresql://botogen:***@127.0.0.1:1/nodb", "cannot connect"),
        id="db-postgres-unreachable",
    ),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every case runs in, with the files the cases name (no case writes)."""
    path = tmp_path_factory.mktemp("cli-errors")
    for name, text in FILES.items():
        (path / name).write_text(text)
    return path


@pytest.fixture(scope="module")
def runs(folder: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every case's run, side by side (each is a fresh process: a second or so of
    imports). A serve case gets a database of its own unless it names one."""

    def run(id: str, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        if args[0] == "serve" and "--db" not in args:
            args = (*args, "--db", f"{id}.sqlite3")
        return botogen(folder, *args)

    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as pool:
        futures = {id: pool.submit(run, id, args) for id, args, _ in CASES}
    return {id: future.result() for id, future in futures.items()}


def botogen(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed `botogen` command, as a user runs it (the folder's modules, such
    as a `--handlers` module, importable)."""
    path = os.pathsep.join([str(ROOT), str(ROOT / "tests"), str(folder)])
    if args[0] == "serve" and "--port" not in args:
        args = (*args, "--port", "0")  # should a case start serving, not on 4566
    return subprocess.run(
        [str(BOTOGEN), *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": path},
        timeout=60,
    )


def one_line(run: subprocess.CompletedProcess[str]) -> str:
    """The one line a user error leaves on stderr; nothing on stdout."""
    assert "Traceback" not in run.stderr, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert run.stdout == ""  # in particular, never `listening on`
    return lines[0]


@pytest.mark.parametrize(
    "id, names", [(id, names) for id, _, names in CASES], ids=[id for id, _, _ in CASES]
)
def test_a_user_error_is_one_line(
    runs: dict[str, subprocess.CompletedProcess[str]], id: str, names: tuple[str, ...]
) -> None:
    line = one_line(runs[id])
    assert line.startswith("botogen: "), line
    for name in names:
        assert name in line, line


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use(folder: Path, taken_port: int, workers: str) -> None:
    """A second server on the same port (`make serve` twice) is one line."""
    line = one_line(
        botogen(folder, "serve", "--port", str(taken_port), "--workers", workers)
    )
    assert line == (
        f"botogen: cannot listen on 127.0.0.1:{taken_port}: Address already in use "
        f"(another server is listening there; --port 0 takes a free port)"
    )


def test_an_expected_error_shows_its_traceback_when_asked(folder: Path) -> None:
    """BOTOGEN_TRACEBACK=1: a loader's error shows where it was raised (a bug report)."""
    run = subprocess.run(
        [str(BOTOGEN), "serve", "--port", "0", "--seed", "seed-entry-without-id.json"],
        capture_output=True,
        text=True,
        cwd=folder,
        env={
            **os.environ,
            "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
            "BOTOGEN_TRACEBACK": "1",
        },
        timeout=60,
    )
    assert run.returncode != 0
    assert "Traceback" in run.stderr and "lacks 'id'" in run.stderr
    assert "seed.py" in run.stderr  # where it was raised


# -- the Makefile's targets ---------------------------------------------------------------


def make(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`make ARGS` in the project, as a user runs it (not as a sub-make)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    return subprocess.run(
        ["make", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**environment, **env},
        timeout=120,
    )


@pytest.fixture(scope="module")
def installed() -> None:
    """The targets depend on the installed virtualenv; a stale one would be reinstalled
    first, which is not what these tests are about."""
    if shutil.which("make") is None:
        pytest.skip("no make")
    if make("-q", ".venv/.installed").returncode != 0:
        pytest.skip(
            "the virtualenv is older than pyproject.toml: run `make setup` first"
        )


def test_upgrade_botocore_to_a_version_the_registry_lacks(installed: None) -> None:
    """One line, make's `$(error)` (nothing of pip's), before anything changed."""
    run = make("upgrade-botocore", "VERSION=9.9.9", PIP_RETRIES="0", PIP_TIMEOUT="10")
    assert run.returncode == 2, run.stderr
    assert re.fullmatch(
        r"Makefile:\d+: \*\*\* botocore/boto3 9\.9\.9 not both on the package registry"
        r"\.  Stop\.\n",
        run.stderr,
    ), run.stderr
    assert run.stdout == ""


def test_upgrade_botocore_without_a_version(installed: None) -> None:
    run = make("upgrade-botocore")
    assert run.returncode == 2
    assert re.fullmatch(
        r"Makefile:\d+: \*\*\* usage: make upgrade-botocore VERSION=x\.y\.z\.  Stop\.\n",
        run.stderr,
    ), run.stderr


def test_make_serve_twice(installed: None) -> None:
    """`make serve` while another server holds port 4566: botogen's one line, then
    make's own report of the failed recipe (GNU make always adds it)."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            other.bind(("127.0.0.1", 4566))
            other.listen()
        except OSError:
            pass  # another server has it already: the same situation
        run = make("serve")
    assert "Traceback" not in run.stderr
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert len(lines) == 2, run.stderr
    assert lines[0].startswith("botogen: cannot listen on 127.0.0.1:4566: "), lines
    assert "Address already in use" in lines[0]
    assert re.fullmatch(r"make: \*\*\* \[Makefile:\d+: serve\] Error 2", lines[1])
