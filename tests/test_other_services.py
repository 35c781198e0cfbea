"""Other services generate too: each package imports and validates its own examples.

`botogen generate sqs dynamodb lambda s3 ec2 sts iam kinesis --no-format --out DIR`, run as
a user would (unformatted: formatting is tested on Organizations, and black would spend
minutes here on code that is only imported); only Organizations is committed.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

from codegen.source import load

SERVICES = ("sqs", "dynamodb", "lambda", "s3", "ec2", "sts", "iam", "kinesis")
PACKAGE = "other_services_generated"

# The examples of botocore 1.44.8 that break their own model, by the rule they break and
# the pydantic error type that proves it. Listed, never skipped: the test fails if one of
# them starts to validate or another starts to fail.
NUMBER_AS_STRING = ("an integer written as a string (XML-style example)", "int_type")
BOOLEAN_AS_STRING = ("a boolean written as a string (XML-style example)", "bool_type")
NOT_IN_ENUM = ("a value that is not in the shape's enum", "enum")
TOO_SHORT = ("a string shorter than the shape's min", "string_too_short")
NAIVE_TIME = ("a timestamp without a time zone", "timezone_aware")
BREAKS_THE_MODEL: dict[tuple[str, str, int, str], tuple[str, str]] = {
    ("lambda", "UpdateEventSourceMapping", 0, "input"): TOO_SHORT,
    ("lambda", "UpdateEventSourceMapping", 0, "output"): TOO_SHORT,
    ("s3", "CompleteMultipartUpload", 0, "input"): NUMBER_AS_STRING,
    ("s3", "DeleteObjects", 1, "output"): BOOLEAN_AS_STRING,
    ("s3", "GetObject", 0, "output"): NUMBER_AS_STRING,
    ("s3", "GetObject", 1, "output"): NUMBER_AS_STRING,
    ("s3", "HeadObject", 0, "output"): NUMBER_AS_STRING,
    ("s3", "ListMultipartUploads", 1, "input"): NUMBER_AS_STRING,
    ("s3", "ListMultipartUploads", 1, "output"): NUMBER_AS_STRING,
    ("s3", "ListObjects", 0, "input"): NUMBER_AS_STRING,
    ("s3", "ListObjectsV2", 0, "input"): NUMBER_AS_STRING,
    ("s3", "ListObjectsV2", 0, "output"): NUMBER_AS_STRING,
    ("s3", "ListParts", 0, "output"): NUMBER_AS_STRING,
    ("s3", "UploadPart", 0, "input"): NUMBER_AS_STRING,
    ("s3", "UploadPartCopy", 0, "input"): NUMBER_AS_STRING,
    ("s3", "UploadPartCopy", 1, "input"): NUMBER_AS_STRING,
    ("ec2", "CreateImage", 0, "input"): NUMBER_AS_STRING,
    ("ec2", "CreateNetworkInterface", 0, "output"): NOT_IN_ENUM,
    ("ec2", "DescribeInstanceAttribute", 1, "output"): BOOLEAN_AS_STRING,
    ("ec2", "DescribeInternetGateways", 0, "output"): NOT_IN_ENUM,
    ("ec2", "DescribeMovingAddresses", 0, "output"): NOT_IN_ENUM,
    ("ec2", "DescribeSpotPriceHistory", 0, "input"): NAIVE_TIME,
    ("ec2", "ModifySpotFleetRequest", 1, "input"): NOT_IN_ENUM,
}


@pytest.fixture(scope="module")
def generated_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("other")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "botogen.cli",
            "generate",
            *SERVICES,
            # Unformatted: black would take minutes and these packages are only imported.
            "--no-format",
            "--out",
            str(root / PACKAGE),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    sys.path.insert(0, str(root))
    return root


def _package(service: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{service.replace('-', '_')}")


@pytest.mark.parametrize("service", SERVICES)
def test_package_imports_and_covers_the_model(
    generated_root: Path, service: str
) -> None:
    package = _package(service)
    source = load(service)
    assert set(package.OPERATIONS) == set(source.model["operations"])
    assert package.SERVICE.protocol == source.model["metadata"]["protocol"]


@pytest.mark.parametrize("service", SERVICES)
def test_examples_validate(generated_root: Path, service: str) -> None:
    package = _package(service)
    examples: dict[str, list[dict[str, Any]]] = (load(service).examples or {}).get(
        "examples", {}
    )
    broken: dict[tuple[str, str, int, str], set[str]] = {}
    checked = 0
    for operation, cases in sorted(examples.items()):
        entry = package.OPERATIONS[operation]
        for index, example in enumerate(cases):
            for part, model in (("input", entry.input), ("output", entry.output)):
                if part not in example or model is None:
                    continue
                checked += 1
                try:
                    model.model_validate(example[part])
                except pydantic.ValidationError as error:
                    broken[(service, operation, index, part)] = {
                        e["type"] for e in error.errors()
                    }
    expected = {
        key: rule for key, rule in BREAKS_THE_MODEL.items() if key[0] == service
    }
    assert set(broken) == set(expected)
    for key, (reason, error_type) in expected.items():
        assert error_type in broken[key], f"{key} should break the model with {reason}"
    if examples:
        assert checked > len(broken)
