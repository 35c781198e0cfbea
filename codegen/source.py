"""Reads service models through the installed botocore's own loader."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import botocore
import botocore.exceptions
from botocore.loaders import Loader


@dataclass(frozen=True)
class ServiceModel:
    """A service model as botocore ships it, with what identifies its origin."""

    name: str
    api_version: str
    model: dict[str, Any]
    examples: dict[str, Any] | None
    paginators: dict[str, Any] | None
    botocore_version: str
    #: SHA-256 of the model's canonical JSON (sorted keys), independent of compression.
    sha256: str


def make_loader(search_paths: Sequence[str] = ()) -> Loader:
    """botocore's loader; `search_paths` come first (models edited in tests, say)."""
    return Loader(extra_search_paths=list(search_paths))


def available_services(loader: Loader) -> list[str]:
    return sorted(loader.list_available_services("service-2"))


def _optional(
    loader: Loader, service: str, kind: str, api_version: str
) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = loader.load_service_model(service, kind, api_version)
    except botocore.exceptions.DataNotFoundError:
        return None
    return data


def load(service: str, loader: Loader | None = None) -> ServiceModel:
    loader = loader or make_loader()
    api_version = loader.determine_latest_version(service, "service-2")
    model: dict[str, Any] = loader.load_service_model(service, "service-2", api_version)
    canonical = json.dumps(
        model, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return ServiceModel(
        name=service,
        api_version=api_version,
        model=model,
        examples=_optional(loader, service, "examples-1", api_version),
        paginators=_optional(loader, service, "paginators-1", api_version),
        botocore_version=botocore.__version__,
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
    )
