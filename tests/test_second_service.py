"""Serving a second service's rules is a new folder: an SQS `handlers/sqs/` package, kept
outside the project (on PYTHONPATH), with its own settings, migration, error policy and
two operations, served by the unchanged `botogen serve --service sqs` and driven by boto3.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support.server import ROOT, register_package

SQS_HANDLERS = textwrap.dedent('''
    """A tiny SQS: CreateQueue and ListQueues, at most `queue_limit` queues."""

    from pydantic import Field

    from runtime.handler import ServiceHandler
    from runtime.service import ServiceDefinition, Settings
    from mypackages.sqs import SQSSkeleton
    from mypackages.sqs.errors import OverLimit
    from mypackages.sqs.models import CreateQueueResult, ListQueuesResult


    class SqsSettings(Settings):
        queue_limit: int = Field(100, ge=1, description="queues per account")


    class Handlers(ServiceHandler, SQSSkeleton):
        waits_only_on_storage = True

        def create_queue(self, context, request):
            url = f"https://sqs.{context.region}.example/{context.account_id}/{request.queue_name}"
            with self.transaction() as tx:
                count = tx.one("SELECT COUNT(*) AS n FROM queues WHERE account = ?", (context.account_id,))
                if count["n"] >= self.settings.queue_limit:
                    raise OverLimit(f"At most {self.settings.queue_limit} queues.")
                tx.execute("INSERT INTO queues (account, url) VALUES (?, ?)", (context.account_id, url))
            return CreateQueueResult.model_construct(queue_url=url)

        def list_queues(self, context, request):
            with self.transaction(write=False) as tx:
                rows = tx.all("SELECT url FROM queues WHERE account = ? ORDER BY url", (context.account_id,))
            return ListQueuesResult.model_construct(queue_urls=[row["url"] for row in rows])


    SERVICE = ServiceDefinition(
        name="sqs",
        handlers=Handlers,
        settings=SqsSettings,
        migrations=("CREATE TABLE queues (account TEXT NOT NULL, url TEXT PRIMARY KEY)",),
        default_db="sqs.sqlite3",
    )
    ''')


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the project with the generated package (`mypackages/sqs/`, as
    `botogen generate sqs --out` writes it) and the rules (`handlers/sqs/`)."""
    folder = tmp_path_factory.mktemp("outside")
    subprocess.run(
        [sys.executable, "-m", "botogen.cli", "generate", "sqs", "--no-format",
         "--out", str(folder / "mypackages")],
        check=True, capture_output=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    rules = folder / "handlers" / "sqs"
    rules.mkdir(parents=True)
    (rules / "__init__.py").write_text(SQS_HANDLERS)
    # The tests check every 200 against its output model: this one's.
    sys.path.insert(0, str(folder))
    register_package(importlib.import_module("mypackages.sqs"))
    return folder


def _serve(outside: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(outside)]),
    }
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("botogen")), "serve", "--service", "sqs",
         "--package-dir", str(outside / "mypackages"), "--port", "0",
         "--db", str(outside / "sqs.sqlite3"), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=outside,
    )  # fmt: skip


def test_a_second_service_is_a_new_folder(outside: Path) -> None:
    process = _serve(outside, "--queue-limit", "2")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening on "), (
            process.stderr.read() if process.stderr else ""
        )
        sqs = boto3.client(
            "sqs",
            endpoint_url=line.split()[-1],
            region_name="eu-west-1",
            aws_access_key_id="AKIDBILL1111EXAMPLE",
            aws_secret_access_key="bill-secret-key-example",
            config=Config(retries={"max_attempts": 1}),
        )
        first = sqs.create_queue(QueueName="orders")["QueueUrl"]
        assert first == "https://sqs.eu-west-1.example/111111111111/orders"
        sqs.create_queue(QueueName="invoices")
        # The service's own setting (a command-line option derived from its Settings).
        with pytest.raises(ClientError) as over:
            sqs.create_queue(QueueName="third")
        assert over.value.response["Error"]["Code"] == "OverLimit"
        assert sqs.list_queues()["QueueUrls"] == [
            "https://sqs.eu-west-1.example/111111111111/invoices",
            first,
        ]
        # An operation the folder does not implement: the skeleton's 501.
        with pytest.raises(ClientError) as missing:
            sqs.delete_queue(QueueUrl=first)
        assert missing.value.response["Error"]["Code"] == "NotImplemented"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_its_settings_are_its_own(outside: Path) -> None:
    """`botogen serve --service sqs --help` lists the folder's setting, not another
    service's."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(outside)])}
    help_text = subprocess.run(
        [str(Path(sys.executable).with_name("botogen")), "serve", "--service", "sqs",
         "--package-dir", str(outside / "mypackages"), "--help"],
        capture_output=True, text=True, env=env, cwd=outside, timeout=120,
    ).stdout  # fmt: skip
    assert "--queue-limit" in help_text
    assert "--account-limit" not in help_text
