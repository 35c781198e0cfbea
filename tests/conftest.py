"""Shared fixtures: the botocore model the project generates from, and its package.

Every boto3 client of the test process checks the 200s it receives against the generated
output models (`support.server.install_strict_responses`); a response that broke its
model fails the test that received it, even if the test caught the exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from contextlib import ExitStack

import pytest

from codegen.source import ServiceModel, load
from support.server import RESPONSE_FAILURES, install_strict_responses
from support.world import SharedWorlds


def pytest_configure(config: pytest.Config) -> None:
    install_strict_responses()


@pytest.fixture(autouse=True)
def _responses_are_valid() -> Iterator[None]:
    """No response a boto3 client received during the test broke its output model."""
    seen = len(RESPONSE_FAILURES)
    yield
    broken = RESPONSE_FAILURES[seen:]
    assert not broken, "invalid responses:\n" + "\n".join(broken)


@pytest.fixture(scope="session")
def org_source() -> ServiceModel:
    """botocore's Organizations model, read through botocore's own loader."""
    return load("organizations")


@pytest.fixture(scope="session")
def org_shapes(org_source: ServiceModel) -> dict[str, Any]:
    shapes: dict[str, Any] = org_source.model["shapes"]
    return shapes


@pytest.fixture(scope="session")
def shared_worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedWorlds]:
    """The servers `support.world.world` hands out, one per engine, for the whole run."""
    with ExitStack() as stack:
        yield SharedWorlds(tmp_path_factory.mktemp("world"), stack)
