"""`botogen check`: the real Organizations handlers against an edited model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import handlers.organizations
from codegen import drift, fingerprint
from codegen.source import ServiceModel, load, make_loader
from generated.organizations import OrganizationsSkeleton
from handlers.organizations.transfers import TransferOperations
from test_upgrade import edited, upgrade_edits, write_model

HANDLERS = "handlers.organizations.service.Handlers"
#: An operation of one resource class (`TransferOperations`): every operation of the
#: model is implemented, so the coverage of the handler classes without that one (nor
#: `Handlers`, which composes it) lists it as not implemented.
TRANSFER = "TerminateResponsibilityTransfer"
#: Where the two operations the upgrade edits touch are defined (their resource modules).
DECLINE = "handlers.organizations.handshakes.HandshakeOperations.decline_handshake"
INVITE = (
    "handlers.organizations.invitations.InvitationOperations"
    ".invite_account_to_organization"
)


@pytest.fixture(scope="module")
def classes() -> list[type]:
    return drift.handler_classes(handlers.organizations, OrganizationsSkeleton)


def _edited_print(
    tmp_path: Path, source: ServiceModel, edit: object = upgrade_edits
) -> fingerprint.Fingerprint:
    data = write_model(tmp_path, source, edited(source, edit))  # type: ignore[arg-type]
    return fingerprint.fingerprint(load(source.name, make_loader([data])))


def test_the_handlers_are_discovered(classes: list[type]) -> None:
    names = [f"{c.__module__}.{c.__qualname__}" for c in classes]
    assert HANDLERS in names
    assert "handlers.organizations.base.OrganizationsBase" in names
    assert "handlers.organizations.handshakes.HandshakeOperations" in names


def test_no_drift_against_the_model_they_were_written_for(
    org_source: ServiceModel, classes: list[type]
) -> None:
    current = fingerprint.fingerprint(org_source)
    assert drift.find_drift(current, current, classes, OrganizationsSkeleton) == []


def test_drift_names_the_affected_handlers(
    tmp_path: Path, org_source: ServiceModel, classes: list[type]
) -> None:
    baseline = fingerprint.fingerprint(org_source)
    current = _edited_print(tmp_path, org_source)
    found = drift.find_drift(baseline, current, classes, OrganizationsSkeleton)
    named = [(d.method, d.operation, d.reason) for d in found]
    assert (
        DECLINE,
        "DeclineHandshake",
        "operation removed from the model",
    ) in named
    assert (
        INVITE,
        "InviteAccountToOrganization",
        "request: `InviteAccountToOrganizationRequest.Notes` newly required",
    ) in named
    # The other edits (an enum value of CreateAccount's request, RoleName's pattern)
    # touch only the account-creating handlers, if there are any.
    others = [d for d in found if d.method not in (DECLINE, INVITE)]
    assert all(
        d.operation in ("CreateAccount", "CreateGovCloudAccount")
        and (
            "`IAMUserAccessToBilling` value removed" in d.reason
            or "`RoleName`" in d.reason
        )
        for d in others
    ), others


def test_a_shared_shape_reaches_requests_and_responses(
    tmp_path: Path, org_source: ServiceModel, classes: list[type]
) -> None:
    def narrow(model: dict[str, object]) -> None:
        shapes = model["shapes"]
        assert isinstance(shapes, dict)
        shapes["HandshakeId"]["pattern"] = "^h-[0-9a-z]{8,16}$"

    baseline = fingerprint.fingerprint(org_source)
    current = _edited_print(tmp_path, org_source, narrow)
    found = drift.find_drift(baseline, current, classes, OrganizationsSkeleton)
    sides = {(d.method.rsplit(".", 1)[1], d.reason.split(":")[0]) for d in found}
    assert ("decline_handshake", "request") in sides
    assert ("decline_handshake", "response") in sides  # Handshake.Id
    assert ("list_handshakes_for_account", "response") in sides
    assert (
        "list_handshakes_for_account",
        "request",
    ) in sides  # Filter.ParentHandshakeId
    assert not any(name == "create_organization" for name, _ in sides)
    assert not any(name == "list_accounts" for name, _ in sides)


def test_a_method_without_an_operation_drifts_without_a_baseline(
    org_source: ServiceModel,
) -> None:
    class Stale(OrganizationsSkeleton):
        def frobnicate_handshake(self, context: object, request: object) -> None:
            """An operation that no longer exists."""

    current = fingerprint.fingerprint(org_source)
    [found] = drift.find_drift(None, current, [Stale], OrganizationsSkeleton)
    assert found.method.endswith("Stale.frobnicate_handshake")


def test_coverage(org_source: ServiceModel, classes: list[type]) -> None:
    current = fingerprint.fingerprint(org_source)
    row = drift.coverage("organizations", current, classes, OrganizationsSkeleton)
    assert {"DeclineHandshake", "AttachPolicy", TRANSFER} <= set(row.implemented)
    assert not row.not_implemented
    assert len(row.implemented) == len(org_source.model["operations"])
    fewer = [c for c in classes if not issubclass(c, TransferOperations)]
    row = drift.coverage("organizations", current, fewer, OrganizationsSkeleton)
    assert TRANSFER in row.not_implemented
    assert len(row.implemented) + len(row.not_implemented) == len(
        org_source.model["operations"]
    )


def test_botogen_check_exits_non_zero_naming_the_methods(
    tmp_path: Path, org_source: ServiceModel
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(fingerprint.dumps(fingerprint.fingerprint(org_source)))
    current = tmp_path / "current.json"
    current.write_text(fingerprint.dumps(_edited_print(tmp_path, org_source)))
    botogen = [sys.executable, "-m", "botogen.cli", "check", "organizations"]
    run = subprocess.run(
        [
            *botogen,
            "--baseline",
            str(baseline),
            "--current",
            str(current),
            "--coverage",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith(
        "organizations: the model changed since the handlers were accepted: botocore "
    )
    # One line per breaking or review change, each with the handler code it touches.
    end = lines.index(
        "organizations: fix what these lines name (every place: "
        "generated/organizations/CHANGES.md), then "
        "`botogen check --accept organizations`"
    )
    listed = lines[1:end]
    report = drift.unacknowledged(
        fingerprint.read(baseline),  # type: ignore[arg-type]
        fingerprint.read(current),  # type: ignore[arg-type]
    )
    assert len(listed) == len(report.pending) >= 6
    assert all(line.startswith(("  breaking  ", "  review    ")) for line in listed)
    assert any(
        line.startswith(
            "  breaking  `DeclineHandshake` removed (implemented): "
            "handlers/organizations/handshakes.py:"
        )
        for line in listed
    )
    assert any(
        line.startswith(
            "  breaking  `InviteAccountToOrganizationRequest.Notes` newly required "
            "(request of InviteAccountToOrganization): "
            "handlers/organizations/invitations.py:"
        )
        for line in listed
    )
    assert "handler drift: none" in lines
    assert any(line.split()[:2] == ["implemented", TRANSFER] for line in lines)

    clean = subprocess.run(
        [*botogen, "--baseline", str(baseline), "--current", str(baseline)],
        capture_output=True,
        text=True,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.startswith(
        "organizations: the handlers are accepted against this model\n"
        "handler drift: none\n"
    )
