"""Shared fixtures: the botocore model the project generates from, and its package."""

from __future__ import annotations

from typing import Any

import pytest

from codegen.source import ServiceModel, load


@pytest.fixture(scope="session")
def org_source() -> ServiceModel:
    """botocore's Organizations model, read through botocore's own loader."""
    return load("organizations")


@pytest.fixture(scope="session")
def org_shapes(org_source: ServiceModel) -> dict[str, Any]:
    shapes: dict[str, Any] = org_source.model["shapes"]
    return shapes
