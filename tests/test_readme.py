"""The README's walk-through and typed-client snippet run as pasted, and print what the
README says they print (ids aside, which differ per run).

The walk-through's commands (`$ ...` lines) run in one bash session, with the README's own
shell functions, against a real server; only the endpoint is this test server's instead of
`make serve`'s port. Every output line must equal the README's, once ids are replaced by
placeholders.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support.server import ROOT, running_server

README = (ROOT / "README.md").read_text(encoding="utf-8")
ENDPOINT = "http://127.0.0.1:4566"
IDS = [
    (re.compile(r"\bo-[0-9a-z]{10}\b"), "<org>"),
    (re.compile(r"\bh-[0-9a-z]{32}\b"), "<handshake>"),
]


def _section(title: str) -> str:
    start = README.index(title)
    end = README.index("\n### ", start + len(title))
    return README[start:end]


def _blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block."""
    return re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S)


def _normalised(text: str) -> list[str]:
    for pattern, placeholder in IDS:
        text = pattern.sub(placeholder, text)
    return [line.rstrip() for line in text.strip().splitlines()]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("readme")
    with running_server(folder, "--db", str(folder / "walk.sqlite3")) as server:
        yield server.url


def test_the_walk_through_runs_as_pasted(server_url: str) -> None:
    blocks = _blocks(_section("### Walk-through"))
    setup = next(body for language, body in blocks if language == "sh")
    transcripts = [body for language, body in blocks if not language]
    script = [setup.replace(ENDPOINT, server_url)]
    expected: list[str] = []
    for transcript in transcripts:
        for line in transcript.splitlines():
            if line.startswith("$ "):
                command = line[2:]
                script.append(f"echo {_quoted('$ ' + command)}")
                script.append(f"{command} 2>&1")
            expected.append(line)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("AWS_PROFILE", None)
    ran = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert len(expected) > 15  # the whole walk-through, not an empty parse
    assert _normalised(ran.stdout) == _normalised("\n".join(expected)), ran.stderr


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def test_the_typed_client_snippet_runs_as_pasted(server_url: str) -> None:
    body = next(
        body
        for language, body in _blocks(_section("### The typed client"))
        if language == "python" and "boto3.client(" in body
    )
    ran = subprocess.run(
        [sys.executable, "-c", body.replace(ENDPOINT, server_url)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    # The last line is the not-found message the snippet's comment announces.
    assert ran.stdout.splitlines()[-1] == (
        "We can't find a handshake with the HandshakeId that you specified."
    )
