"""Starts `botogen serve` as a user would: the CLI, on a free 127.0.0.1 port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

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


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def client(self, account: int = 0, **config: Any) -> Any:
        """A boto3 Organizations client for ACCOUNTS[account], pointed at this server."""
        entry = ACCOUNTS[account]
        return boto3.client(
            "organizations",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=entry["access_key_id"],
            aws_secret_access_key=entry["secret_access_key"],
            config=Config(retries={"max_attempts": 1}, **config),
        )

    def log_text(self) -> str:
        return self.log.read_text()


def write_accounts(folder: Path) -> Path:
    path = folder / "accounts.json"
    path.write_text(json.dumps({"accounts": ACCOUNTS}))
    return path


@contextmanager
def running_server(folder: Path, *args: str) -> Iterator[Server]:
    """`botogen serve --port 0 ...`; waits for its `listening on` line; SIGTERM at the end."""
    log = folder / "server.log"
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
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
