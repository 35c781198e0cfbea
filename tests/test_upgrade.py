"""Upgrades: the change report, a one-shape change's diff, and a real botocore upgrade.

The hermetic tests edit a copy of the Organizations model and feed it to the generator
through a search path (`--search-path`), with no network. The real upgrade installs an
older botocore from the package registry into ~/.cache/botogen (once) and generates with
it, then with the pinned one.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import gzip
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from botogen import check as check_command
from codegen import changes, drift, fingerprint, usage
from codegen.generate import CACHE, generate
from codegen.source import ServiceModel, load, make_loader

ROOT = Path(__file__).resolve().parent.parent
OLD_BOTOCORE = "1.40.0"
Model = dict[str, Any]


def write_model(root: Path, source: ServiceModel, model: Model) -> str:
    """A botocore data folder holding `model` as the service's model; its path."""
    folder = root / "data" / source.name / source.api_version
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "service-2.json").write_text(json.dumps(model), encoding="utf-8")
    return str(root / "data")


def edited(source: ServiceModel, edit: Callable[[Model], None]) -> Model:
    model = copy.deepcopy(source.model)
    edit(model)
    return model


def upgrade_edits(model: Model) -> None:
    """An operation added, a member made required, an enum value removed, a pattern
    changed, an operation removed with its two shapes."""
    shapes, operations = model["shapes"], model["operations"]
    operations["ArchiveHandshake"] = {
        "name": "ArchiveHandshake",
        "http": {"method": "POST", "requestUri": "/"},
        "input": {"shape": "ArchiveHandshakeRequest"},
        "output": {"shape": "ArchiveHandshakeResponse"},
        "errors": [{"shape": "HandshakeNotFoundException"}],
    }
    shapes["ArchiveHandshakeRequest"] = {
        "type": "structure",
        "required": ["HandshakeId"],
        "members": {"HandshakeId": {"shape": "HandshakeId"}},
    }
    shapes["ArchiveHandshakeResponse"] = {
        "type": "structure",
        "members": {"Handshake": {"shape": "Handshake"}},
    }
    shapes["InviteAccountToOrganizationRequest"]["required"].append("Notes")
    shapes["IAMUserAccessToBilling"]["enum"].remove("DENY")
    shapes["RoleName"]["pattern"] = "[\\w+=,.@-]{1,32}"
    del operations["DeclineHandshake"]
    del shapes["DeclineHandshakeRequest"], shapes["DeclineHandshakeResponse"]


#: Hand-written handlers for the hermetic tests, so that the report's levels and places
#: do not move with the project's own handlers (`fixed_handlers`).
FIXED_HANDLERS = """\
from generated.organizations.errors import HandshakeNotFoundException
from generated.organizations.models import (
    Handshake,
    InviteAccountToOrganizationRequest,
    InviteAccountToOrganizationResponse,
)
from generated.organizations.shapes import ActionType


class Operations:
    def invite_account_to_organization(
        self, context, request: InviteAccountToOrganizationRequest
    ):
        assert request.notes
        handshake = Handshake.model_construct(action=ActionType.INVITE)
        return InviteAccountToOrganizationResponse.model_construct(handshake=handshake)

    def decline_handshake(self, context, request):
        raise HandshakeNotFoundException("gone")
"""
OPS = "handlers/organizations/ops.py"


@pytest.fixture
def fixed_handlers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`FIXED_HANDLERS` as the only handlers of Organizations (codegen.usage.ROOT)."""
    root = tmp_path / "project"
    (root / OPS).parent.mkdir(parents=True)
    (root / OPS).write_text(FIXED_HANDLERS)
    monkeypatch.setattr(usage, "ROOT", root)
    return root


EXPECTED = [
    ("operations", "ArchiveHandshake", "added", "", ""),
    ("operations", "DeclineHandshake", "removed", "", "breaking"),
    ("shapes", "ArchiveHandshakeRequest", "added", "structure", ""),
    ("shapes", "ArchiveHandshakeResponse", "added", "structure", ""),
    ("shapes", "DeclineHandshakeRequest", "removed", "structure", "breaking"),
    ("shapes", "DeclineHandshakeResponse", "removed", "structure", "breaking"),
    (
        "members",
        "InviteAccountToOrganizationRequest.Notes",
        "newly required",
        "",
        "breaking",
    ),
    ("enum values", "IAMUserAccessToBilling", "value removed", "DENY", "breaking"),
    # A narrower repetition is not provably looser; no handler uses RoleName: review.
    (
        "constraints",
        "RoleName",
        "changed",
        'pattern "[\\\\w+=,.@-]{1,64}" → "[\\\\w+=,.@-]{1,32}"',
        "review",
    ),
]
#: Why each change needs a look, and where the handlers touch it.
EXPECTED_TIES = {
    "DeclineHandshake": ("implemented", [f"{OPS}:18"]),
    "DeclineHandshakeRequest": ("request of DeclineHandshake", [f"{OPS}:18"]),
    "DeclineHandshakeResponse": ("response of DeclineHandshake", [f"{OPS}:18"]),
    "InviteAccountToOrganizationRequest.Notes": (
        "request of InviteAccountToOrganization",
        [f"{OPS}:14", f"{OPS}:11"],
    ),
    "IAMUserAccessToBilling": ("no handler uses it", []),
    "RoleName": ("not provably looser; no handler uses it", []),
}


def _tuples(report: changes.Report) -> list[tuple[str, str, str, str, str]]:
    return [(c.category, c.subject, c.kind, c.detail, c.level) for c in report.changes]


def test_the_report_lists_exactly_the_edits(
    tmp_path: Path, org_source: ServiceModel, fixed_handlers: Path
) -> None:
    out = tmp_path / "gen"
    first = generate(["organizations"], out, formatted=False)
    assert first.reports == []  # nothing to compare with yet
    assert not (out / "organizations" / changes.FILENAME).exists()

    data = write_model(tmp_path, org_source, edited(org_source, upgrade_edits))
    result = generate(["organizations"], out, search_paths=[data], formatted=False)
    [report] = result.reports
    assert _tuples(report) == EXPECTED
    assert {
        c.subject: (c.reason, [u.where for u in c.uses]) for c in report.pending
    } == EXPECTED_TIES
    assert report.summary() == (
        "9 changes: **5 breaking**, **1 to review**; "
        "documentation changed in 0 places"
    )
    assert report.docs_changed == 0
    log = out / "organizations" / changes.FILENAME
    assert log in result.written
    text = log.read_text()
    assert text.startswith("# Model changes: organizations\n")
    assert "**breaking** `DeclineHandshake` removed (implemented)" in text
    assert f"  - {OPS}:18 `def decline_handshake (Operations)`" in text
    assert "Handlers: `handlers/organizations/` (1 files, 2 operations" in text
    assert "- `ArchiveHandshake` added" in text
    assert "**breaking** `IAMUserAccessToBilling` value removed: DENY" in text

    # Nothing changed since: no new section, no file rewritten.
    stamps = {p: p.stat().st_mtime_ns for p in (out / "organizations").iterdir()}
    again = generate(["organizations"], out, search_paths=[data], formatted=False)
    assert again.written == [] and again.reports == []
    assert stamps == {
        p: p.stat().st_mtime_ns for p in (out / "organizations").iterdir()
    }

    # Back to the installed model: the newest section comes first.
    generate(["organizations"], out, formatted=False)
    sections = [line for line in log.read_text().splitlines() if line.startswith("## ")]
    assert len(sections) == 2
    newest = log.read_text().split("\n## ")[1]
    assert (
        "`ArchiveHandshake` removed" in newest and "`DeclineHandshake` added" in newest
    )


def test_the_cli_prints_the_report(tmp_path: Path, org_source: ServiceModel) -> None:
    out = tmp_path / "gen"
    data = write_model(tmp_path, org_source, edited(org_source, upgrade_edits))
    botogen = [sys.executable, "-m", "botogen.cli", "generate", "--no-format"]
    subprocess.run([*botogen, "--out", str(out)], check=True, capture_output=True)
    run = subprocess.run(
        [*botogen, "--out", str(out), "--search-path", data],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "organizations: the model changed" in run.stdout
    # The project's own handlers: the request's Notes is read by the invitation handler.
    assert "9 changes: **" in run.stdout
    assert "**breaking** `InviteAccountToOrganizationRequest.Notes` newly required" in (
        run.stdout
    )
    assert "  - handlers/organizations/invitations.py:" in run.stdout


def test_no_change_writes_no_report(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    generate(["organizations"], out, formatted=False)
    again = generate(["organizations"], out, formatted=False)
    assert again.written == [] and again.reports == []
    assert not (out / "organizations" / changes.FILENAME).exists()


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(
        before.splitlines(), after.splitlines(), n=0, lineterm=""
    )
    return [
        line
        for line in diff
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


#: Lines that name the model a file came from: every file's header (README) and the
#: service metadata's `model_sha256`.
_IDENTITY = ("# Model SHA-256: ", "# botogen-digest: ", '    model_sha256="')


def test_a_one_shape_change_changes_only_that_shape(
    tmp_path: Path, org_source: ServiceModel
) -> None:
    """The regenerated diff: the shape's own lines, the lines naming the model (hash,
    digest), the fingerprint's shape line and hash line, and the new report."""
    out = tmp_path / "gen"
    package = out / "organizations"
    generate(["organizations"], out)  # formatted, as the project ships it
    before = {p: p.read_text() for p in sorted(package.iterdir())}

    def widen(model: Model) -> None:
        model["shapes"]["HandshakeId"]["pattern"] = "^h-[0-9a-z]{8,40}$"

    data = write_model(tmp_path, org_source, edited(org_source, widen))
    result = generate(["organizations"], out, search_paths=[data])
    after = {p: p.read_text() for p in sorted(package.iterdir())}
    assert set(after) - set(before) == {package / changes.FILENAME}
    changed: dict[str, list[str]] = {}
    for path, text in before.items():
        lines = [
            line
            for line in _changed_lines(text, after[path])
            if not line[1:].startswith(_IDENTITY)
        ]
        if lines:
            changed[path.name] = lines
    assert sorted(changed) == [fingerprint.FILENAME, "shapes.py"]
    assert changed["shapes.py"] == [
        '-    str, Strict(), MaxLen(34), Pattern(r"^h-[0-9a-z]{8,32}\\Z", "^h-[0-9a-z]{8,32}$")',
        '+    str, Strict(), MaxLen(34), Pattern(r"^h-[0-9a-z]{8,40}\\Z", "^h-[0-9a-z]{8,40}$")',
    ]
    print_lines = changed[fingerprint.FILENAME]
    assert len(print_lines) == 4  # the model hash and the shape, before and after
    assert all(
        line[1:].startswith(('  "model_sha256"', '    "HandshakeId"'))
        for line in print_lines
    )
    # Every file names the model, so each is rewritten; nothing else in the folder is.
    assert {p.name for p in result.written} <= set(
        after_names := {p.name for p in after}
    )
    assert changes.FILENAME in after_names
    [report] = result.reports
    # A wider repetition provably accepts every old id: a loosening (codegen.widening).
    assert _tuples(report) == [
        (
            "constraints",
            "HandshakeId",
            "loosened",
            'pattern "^h-[0-9a-z]{8,32}$" → "^h-[0-9a-z]{8,40}$"',
            "",
        )
    ]


# -- a real upgrade, between two botocore releases of the package registry ----------------


def _install_botocore(version: str) -> Path:
    """botocore `version` in ~/.cache/botogen/releases/ (downloaded once)."""
    target = CACHE / "releases" / f"botocore-{version}"
    marker = target / ".complete"
    if not marker.exists():
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                str(target),
                f"botocore=={version}",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if run.returncode != 0:
            pytest.skip(
                f"cannot install botocore=={version}: {run.stderr.strip()[-300:]}"
            )
        marker.touch()
    return target


def _raw_model(data: Path, service: str) -> Model:
    """The service's newest model read straight from the JSON file, no botocore."""
    folder = sorted((data / service).iterdir())[-1]
    plain = folder / "service-2.json"
    if plain.exists():
        model: Model = json.loads(plain.read_text())
    else:
        model = json.loads(gzip.decompress((folder / "service-2.json.gz").read_bytes()))
    return model


def _direct_counts(old: Model, new: Model) -> Counter[tuple[str, str]]:
    """Change counts computed straight from the two JSON models."""
    counts: Counter[tuple[str, str]] = Counter()
    oo, no = old["operations"], new["operations"]
    counts["operations", "added"] = len(set(no) - set(oo))
    counts["operations", "removed"] = len(set(oo) - set(no))
    for name in set(oo) & set(no):
        before = {e["shape"] for e in oo[name].get("errors", [])}
        after = {e["shape"] for e in no[name].get("errors", [])}
        counts["errors", "error added"] += len(after - before)
        counts["errors", "error removed"] += len(before - after)
    os_, ns = old["shapes"], new["shapes"]
    counts["shapes", "added"] = len(set(ns) - set(os_))
    counts["shapes", "removed"] = len(set(os_) - set(ns))
    for name in set(os_) & set(ns):
        a, b = os_[name], ns[name]
        am, bm = a.get("members", {}), b.get("members", {})
        req_a, req_b = set(a.get("required", [])), set(b.get("required", []))
        counts["members", "removed"] += len(set(am) - set(bm))
        counts["members", "added"] += len(
            {m for m in set(bm) - set(am) if m not in req_b}
        )
        counts["members", "added, required"] += len(
            {m for m in set(bm) - set(am) if m in req_b}
        )
        both = set(am) & set(bm)
        counts["members", "newly required"] += len(
            {m for m in both if m in req_b - req_a}
        )
        counts["members", "no longer required"] += len(
            {m for m in both if m in req_a - req_b}
        )
        if "enum" in a and "enum" in b:
            counts["enum values", "value added"] += len(set(b["enum"]) - set(a["enum"]))
            counts["enum values", "value removed"] += len(
                set(a["enum"]) - set(b["enum"])
            )
    return counts


def _direct_docs(old: Model, new: Model) -> int:
    def doc(entry: dict[str, Any]) -> tuple[Any, Any]:
        return entry.get("documentation"), entry.get("documentationUrl")

    count = int(doc(old) != doc(new))
    for kind in ("operations", "shapes"):
        for name in set(old[kind]) & set(new[kind]):
            a, b = old[kind][name], new[kind][name]
            count += doc(a) != doc(b)
            for member in set(a.get("members", {})) & set(b.get("members", {})):
                count += doc(a["members"][member]) != doc(b["members"][member])
    return count


@dataclass(frozen=True)
class RealUpgrade:
    out: Path
    old_root: Path
    report: changes.Report


@pytest.fixture(scope="module")
def real_upgrade(tmp_path_factory: pytest.TempPathFactory) -> RealUpgrade:
    """Organizations generated with botocore 1.40.0, then regenerated with the pinned
    botocore: the report, classified against the project's own handlers."""
    service = "organizations"
    old_root = _install_botocore(OLD_BOTOCORE)
    out = tmp_path_factory.mktemp("real") / "gen"
    env = {**os.environ, "PYTHONPATH": str(old_root)}
    subprocess.run(
        [sys.executable, "-m", "botogen.cli", "generate", service, "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    recorded = fingerprint.read(out / service / fingerprint.FILENAME)
    assert recorded and recorded["botocore_version"] == OLD_BOTOCORE
    (out.parent / "old.json").write_text(fingerprint.dumps(recorded))

    result = generate([service], out)
    [report] = result.reports
    return RealUpgrade(out, old_root, report)


def test_a_real_upgrade_reports_what_the_models_say(real_upgrade: RealUpgrade) -> None:
    service = "organizations"
    out, report = real_upgrade.out, real_upgrade.report
    assert (report.old_version, report.new_version) == (
        OLD_BOTOCORE,
        load(service).botocore_version,
    )

    new_data = Path(make_loader().search_paths[-1])
    old = _raw_model(real_upgrade.old_root / "botocore" / "data", service)
    new = _raw_model(new_data, service)
    counted = Counter((c.category, c.kind) for c in report.changes)
    direct = _direct_counts(old, new)
    assert {key: counted[key] for key in direct} == dict(direct)
    assert sum(direct.values()) > 0, "pick releases whose models differ"
    print({f"{category}: {kind}": n for (category, kind), n in direct.items() if n})
    assert report.docs_changed == _direct_docs(old, new)
    assert (out / service / changes.FILENAME).read_text().count("\n## ") == 1


def _code(use: usage.Use) -> str:
    """The line of handler code a use points at."""
    return (ROOT / use.path).read_text().splitlines()[use.line - 1]


def _lines_matching(pattern: str) -> set[str]:
    """`path:line` of every handler line of Organizations matching `pattern`."""
    found = set()
    for path in usage.handler_files("organizations"):
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            if re.search(pattern, text):
                found.add(f"{path.relative_to(ROOT).as_posix()}:{number}")
    return found


def _one(
    report: changes.Report, subject: str, kind: str, detail: str
) -> changes.Change:
    [found] = [
        c
        for c in report.changes
        if (c.subject, c.kind, c.detail) == (subject, kind, detail)
    ]
    return found


def test_a_real_upgrade_is_classified_against_the_handlers(
    real_upgrade: RealUpgrade,
) -> None:
    """1.40.0 → 1.44.8: nothing breaks the handlers; what they use is to review, tied to
    the lines that use it."""
    report = real_upgrade.report
    print(report.summary())
    for change in report.pending:
        print(change.line(), [use.where for use in change.uses[:3]])
    assert len(report.changes) == 101
    assert report.breaking == ()
    assert report.summary().startswith("101 changes: none breaking, **")

    # A pattern that gained an alternative (and moved its `$` onto it) is looser.
    taggable = [c for c in report.changes if c.subject == "TaggableResourceId"]
    assert [(c.kind, c.level) for c in taggable] == [("loosened", "")]

    # A new value of an enum the handlers branch on and emit: every line naming one of
    # ActionType's values is tied to it, and every tie reads or names an action type.
    action = _one(report, "ActionType", "value added", "TRANSFER_RESPONSIBILITY")
    assert action.level == "review"
    assert action.reason == "the handlers name ActionType"
    ties = {use.where for use in action.uses}
    assert _lines_matching(r"\bActionType\.[A-Z_]+") <= ties
    assert all("action" in _code(use).lower() for use in action.uses)

    # A new error of an implemented operation: tied to its handler method.
    for error in (
        "ConstraintViolationException",
        "MasterCannotLeaveOrganizationException",
    ):
        added = _one(report, "AcceptHandshake", "error added", error)
        assert added.level == "review"
        assert added.reason == "AcceptHandshake is implemented"
        assert [_code(use).strip() for use in added.uses] == ["def accept_handshake("]

    # MANAGEMENT_* beside the MASTER_* values the handlers emit: the most alike first,
    # the value's own line (transfer handshakes emit it, X4), and the MASTER_* lines
    # before the lines of values that share nothing with it (NOTES).
    master = _lines_matching(r"HandshakeResourceType\.MASTER_")
    notes = _lines_matching(r"HandshakeResourceType\.NOTES\b")
    assert len(master) >= 2 and notes
    for value in ("MANAGEMENT_ACCOUNT", "MANAGEMENT_EMAIL", "MANAGEMENT_NAME"):
        added = _one(report, "HandshakeResourceType", "value added", value)
        assert added.level == "review"
        places = [use.where for use in added.uses]
        assert places[0] in _lines_matching(rf"HandshakeResourceType\.{value}\b")
        assert max(places.index(line) for line in master) < min(
            places.index(line) for line in notes
        )

    # A new value is to review exactly when some handler line names its enum (values of
    # enums no handler names are nothing to do: `tests/test_usage.py` has such a case;
    # with all 63 operations implemented every enum that gained a value here is named).
    for change in report.changes:
        if change.kind == "value added":
            named = bool(_lines_matching(rf"\b{change.subject}\b"))
            assert (change.level == "review") is named, change.line()

    # The report written beside the code lists the places under each change.
    text = (real_upgrade.out / "organizations" / changes.FILENAME).read_text()
    assert "- **review** `ActionType` value added: TRANSFER_RESPONSIBILITY (" in text
    first = action.uses[0]
    assert f"  - {first.where} `{first.what}`" in text


def test_check_fails_until_the_real_upgrade_is_accepted(
    real_upgrade: RealUpgrade,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The workflow: `botogen check` fails, one line per change to look at; `--accept`
    records the new model as the handlers' baseline; `check` passes."""
    accepted = tmp_path / "model.fingerprint.json"
    accepted.write_text((real_upgrade.out.parent / "old.json").read_text())
    monkeypatch.setattr(drift, "baseline_path", lambda handlers: accepted)
    current = str(real_upgrade.out / "organizations" / fingerprint.FILENAME)

    def check(accept: bool = False) -> tuple[int, list[str]]:
        args = argparse.Namespace(
            services=["organizations"],
            coverage=False,
            accept=accept,
            baseline=None,
            current=current,
        )
        status = check_command.run(args)
        return status, capsys.readouterr().out.splitlines()

    status, lines = check()
    assert status == 1
    report = real_upgrade.report
    assert lines[0] == (
        "organizations: the model changed since the handlers were accepted: botocore "
        f"1.40.0 (`{report.old_sha256[:12]}`) → {report.new_version} "
        f"(`{report.new_sha256[:12]}`), {report.counts().replace('**', '')}"
    )
    listed = lines[1 : 1 + len(report.pending)]
    assert listed == [check_command.change_line(c) for c in report.pending]
    assert any(
        line.startswith(
            "  review    `ActionType` value added: TRANSFER_RESPONSIBILITY (the "
            "handlers name ActionType): handlers/organizations/"
        )
        for line in listed
    )
    assert lines[1 + len(report.pending)].endswith(
        "then `botogen check --accept organizations`"
    )

    status, lines = check(accept=True)
    assert status == 0
    assert lines[0].startswith(f"organizations: {len(report.changes)} changes: ")
    assert accepted.read_text() == Path(current).read_text()

    status, lines = check()
    assert status == 0
    assert lines[0] == "organizations: the handlers are accepted against this model"


def _print(shapes: dict[str, Any], operations: dict[str, Any] | None = None) -> Model:
    return {
        "service": "example",
        "botocore_version": "1",
        "model_sha256": "0" * 64,
        "metadata": {},
        "operations": operations or {},
        "shapes": shapes,
    }


def test_breaking_marks_follow_the_rules() -> None:
    old = _print(
        {
            "Name": {"type": "string", "min": 1, "max": 64, "pattern": "^a"},
            "Size": {"type": "integer", "max": 10},
            "Kind": {"type": "string", "enum": ["A", "B"]},
            "Alias": {"type": "string", "min": 1, "max": 64, "pattern": "^a"},
            "Box": {
                "type": "structure",
                "members": {
                    "Name": {"target": "Name", "required": True},
                    "Size": {"target": "Size"},
                    "Other": {"target": "Kind"},
                },
            },
        }
    )
    new = _print(
        {
            "Name": {"type": "string", "min": 3, "max": 128},
            "Size": {"type": "long", "max": 5},
            "Kind": {"type": "string", "enum": ["A", "B", "C"]},
            "Alias": {"type": "string", "min": 1, "max": 64, "pattern": "^a"},
            "Box": {
                "type": "structure",
                "members": {
                    "Name": {"target": "Alias"},
                    "Size": {"target": "Size", "required": True, "box": True},
                    "Other": {"target": "Name"},
                },
            },
        }
    )
    # A member retargeted to a shape defined alike (Name -> Alias) is a renaming.
    assert _tuples(changes.compare(old, new)) == [
        ("shapes", "Size", "type changed", "integer → long", "breaking"),
        ("members", "Box.Name", "no longer required", "", ""),
        ("members", "Box.Name", "type changed", "Name → Alias", ""),
        ("members", "Box.Other", "type changed", "Kind → Name", "breaking"),
        ("members", "Box.Size", "newly required", "", "breaking"),
        ("enum values", "Kind", "value added", "C", ""),
        ("constraints", "Name", "loosened", "max 64 → 128", ""),
        ("constraints", "Name", "loosened", 'pattern "^a" → (none)', ""),
        ("constraints", "Name", "tightened", "min 1 → 3", "breaking"),
        ("constraints", "Size", "tightened", "max 10 → 5", "breaking"),
        ("traits", "Box.Size", "box changed", "(none) → true", ""),
    ]
