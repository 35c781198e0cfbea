"""Finding skeletons and hand-written handlers (runtime/packages.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import generated.organizations
import handlers
from handlers.organizations import Handlers
from runtime.packages import handler_package, skeleton_of


def test_skeleton_and_handlers_of_organizations() -> None:
    assert skeleton_of(generated.organizations).__name__ == "OrganizationsSkeleton"
    package = handler_package("organizations")
    assert package is not None and package.Handlers is Handlers


def test_a_service_without_handlers() -> None:
    assert handler_package("sqs") is None


def test_a_missing_dependency_inside_handlers_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "no handlers" (which would serve the bare skeleton): the import error itself."""
    package = tmp_path / "brokensvc"
    package.mkdir()
    (package / "__init__.py").write_text("import a_module_that_is_not_installed\n")
    monkeypatch.setattr(handlers, "__path__", [*handlers.__path__, str(tmp_path)])
    with pytest.raises(ModuleNotFoundError) as raised:
        handler_package("brokensvc")
    assert raised.value.name == "a_module_that_is_not_installed"
