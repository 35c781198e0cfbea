"""Every botocore service: `botogen generate --all`, each package imports, each example
that exists validates, except the ones listed in tests/data/ (examples that break their
own model, with the pydantic error types that prove it).

The whole run is heavy (~2 minutes on 2 cores): it runs with `make test-all-services`
(BOTOGEN_ALL_SERVICES=1) and is skipped otherwise. Serving a json-protocol service from
a package generated elsewhere is light and always runs.

`python tests/test_all_services.py --record` rewrites the data file from a fresh run.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pydantic
import pytest

ROOT = Path(__file__).resolve().parent.parent
BREAKING = (
    Path(__file__).resolve().parent / "data" / "examples_breaking_their_model.json"
)
PACKAGE = "all_services_generated"
#: Services per checking process: keeps each process's memory bounded.
CHUNK = 40


def check_services(root: Path, services: list[str]) -> dict[str, Any]:
    """Import each service's package (and its client) and validate its examples.

    Returns {"imported": [...], "import_errors": {service: error}, "checked": n,
    "broken": {"service/operation/index/part": [pydantic error types]}}.
    """
    from codegen.source import load, make_loader

    sys.path.insert(0, str(root))
    loader = make_loader()
    outcome: dict[str, Any] = {
        "imported": [],
        "import_errors": {},
        "checked": 0,
        "broken": {},
    }
    for service in services:
        name = f"{PACKAGE}.{service.replace('-', '_')}"
        try:
            package = importlib.import_module(name)
            importlib.import_module(f"{name}.client")
        except Exception as error:  # listed, the others go on
            outcome["import_errors"][service] = f"{type(error).__name__}: {error}"
            continue
        outcome["imported"].append(service)
        examples = (load(service, loader).examples or {}).get("examples", {})
        for operation, cases in sorted(examples.items()):
            entry = package.OPERATIONS.get(operation)
            if entry is None:
                outcome["broken"][f"{service}/{operation}"] = ["unknown operation"]
                continue
            for index, example in enumerate(cases):
                for part, model in (("input", entry.input), ("output", entry.output)):
                    if part not in example or model is None:
                        continue
                    outcome["checked"] += 1
                    try:
                        model.model_validate(example[part])
                    except pydantic.ValidationError as error:
                        key = f"{service}/{operation}/{index}/{part}"
                        outcome["broken"][key] = sorted(
                            {e["type"] for e in error.errors()}
                        )
    return outcome


def generate_and_check(root: Path) -> dict[str, Any]:
    """`botogen generate --all`, then every package checked in parallel processes."""
    from codegen.source import available_services, make_loader

    subprocess.run(
        [
            sys.executable,
            "-m",
            "botogen.cli",
            "generate",
            "--all",
            "--out",
            str(root / PACKAGE),
        ],
        check=True,
        cwd=ROOT,
        timeout=900,
    )
    services = available_services(make_loader())
    chunks = [services[i : i + CHUNK] for i in range(0, len(services), CHUNK)]

    def run(chunk: list[str]) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, __file__, "--check", str(root), *chunk],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=900,
        )
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    total: dict[str, Any] = {
        "services": services,
        "imported": [],
        "import_errors": {},
        "checked": 0,
        "broken": {},
    }
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for part in pool.map(run, chunks):
            total["imported"] += part["imported"]
            total["import_errors"].update(part["import_errors"])
            total["checked"] += part["checked"]
            total["broken"].update(part["broken"])
    return total


@pytest.mark.skipif(
    os.environ.get("BOTOGEN_ALL_SERVICES") != "1",
    reason="heavy: run with `make test-all-services`",
)
def test_every_service_generates_imports_and_validates_its_examples(
    tmp_path: Path,
) -> None:
    total = generate_and_check(tmp_path)
    assert total["import_errors"] == {}
    assert sorted(total["imported"]) == total["services"]
    expected = json.loads(BREAKING.read_text())
    assert total["broken"] == expected
    assert total["checked"] > 10 * len(expected)


def test_a_json_service_is_served_from_a_package_generated_elsewhere(
    tmp_path: Path,
) -> None:
    """`botogen serve --service NAME --package-dir DIR`: the skeleton answers every
    operation not-implemented, and input is validated first."""
    import boto3
    import botocore.config
    import botocore.exceptions

    from support.server import running_server

    out = tmp_path / "elsewhere"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "botogen.cli",
            "generate",
            "sqs",
            "--no-format",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with running_server(
        tmp_path, "--service", "sqs", "--package-dir", str(out)
    ) as server:
        client = boto3.client(
            "sqs",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="AKIDBILL1111EXAMPLE",
            aws_secret_access_key="bill-secret-key-example",
            config=botocore.config.Config(
                parameter_validation=False, retries={"max_attempts": 1}
            ),
        )
        with pytest.raises(botocore.exceptions.ClientError) as missing:
            client.list_queues()
        assert missing.value.response["Error"]["Code"] == "NotImplemented"
        with pytest.raises(botocore.exceptions.ClientError) as invalid:
            client.create_queue()
        # SQS has no invalid-input error of its own: Smithy's ValidationException, its
        # message naming the member and the constraint, and the request's log line too.
        error = invalid.value.response["Error"]
        assert error["Code"] == "ValidationException"
        assert error["Message"] == (
            "1 validation error detected: Value at 'QueueName' failed to satisfy "
            "constraint: Member must not be null"
        )
        request_id = invalid.value.response["ResponseMetadata"]["RequestId"]
        line = server.log_line(request_id)
        assert (
            "CreateQueue account=111111111111 status=400 error=ValidationException"
            in line
        )
        assert line.endswith(" why='QueueName: Member must not be null'")
        with pytest.raises(botocore.exceptions.ClientError) as wrong_type:
            client.create_queue(QueueName=["SECRETQUEUE"])
        error = wrong_type.value.response["Error"]
        assert error["Code"] == "SerializationException"
        assert "SECRETQUEUE" not in error["Message"] + server.log_text()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(check_services(Path(sys.argv[2]), sys.argv[3:])))
    elif sys.argv[1:2] == ["--record"]:
        import tempfile

        sys.path.insert(0, str(ROOT))
        with tempfile.TemporaryDirectory() as folder:
            found = generate_and_check(Path(folder))
        assert found["import_errors"] == {}, found["import_errors"]
        BREAKING.parent.mkdir(exist_ok=True)
        BREAKING.write_text(
            json.dumps(found["broken"], indent=1, sort_keys=True) + "\n"
        )
        print(
            f"{len(found['broken'])} examples break their model; {found['checked']} checked"
        )
    else:
        raise SystemExit(__doc__)
