"""What handlers use of their model (`codegen.usage`), the pattern rule
(`codegen.widening`) and the levels the report gives with them (`codegen.changes`)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from codegen import changes, usage, widening

Print = dict[str, Any]


def _print(shapes: dict[str, Any], operations: dict[str, Any]) -> Print:
    return {
        "service": "example",
        "botocore_version": "1",
        "model_sha256": "0" * 64,
        "metadata": {},
        "operations": operations,
        "shapes": shapes,
    }


#: A small service: two operations, a request with a nested list of structures, an enum,
#: an error with a reason, a shape no handler touches.
MODEL = _print(
    {
        "GetThingRequest": {
            "type": "structure",
            "members": {
                "ThingId": {"target": "ThingId", "required": True},
                "Filter": {"target": "Filter"},
            },
        },
        "Filter": {
            "type": "structure",
            "members": {"Kind": {"target": "Kind"}, "Tags": {"target": "Tags"}},
        },
        "Tags": {"type": "list", "member": "Tag"},
        "Tag": {
            "type": "structure",
            "members": {"Key": {"target": "Text"}, "Value": {"target": "Text"}},
        },
        "GetThingResponse": {
            "type": "structure",
            "members": {"Thing": {"target": "Thing"}},
        },
        "Thing": {
            "type": "structure",
            "members": {
                "Id": {"target": "ThingId"},
                "Kind": {"target": "Kind"},
                "Type": {"target": "Text"},
            },
        },
        "ThingId": {"type": "string", "pattern": "^t-[a-z]{4,8}$"},
        "Kind": {"type": "string", "enum": ["SMALL", "LARGE", "us-east-1"]},
        "Text": {"type": "string", "max": 64},
        "Reason": {"type": "string", "enum": ["TOO_BIG", "TOO_SMALL"]},
        "BadThingException": {
            "type": "structure",
            "exception": True,
            "members": {
                "Message": {"target": "Text"},
                "Reason": {"target": "Reason"},
            },
        },
        "Unused": {"type": "string", "pattern": "^u$"},
        "DeleteThingRequest": {
            "type": "structure",
            "members": {"ThingId": {"target": "ThingId"}},
        },
    },
    {
        "GetThing": {
            "input": "GetThingRequest",
            "output": "GetThingResponse",
            "errors": ["BadThingException"],
        },
        "DeleteThing": {"input": "DeleteThingRequest", "errors": []},
    },
)

HANDLER = """\
from generated.example import shapes as S
from generated.example.errors import BadThingException
from generated.example.models import GetThingRequest, GetThingResponse, Thing
from generated.example.shapes import Kind, Reason as Why


class Operations:
    def get_thing(self, context, request: GetThingRequest) -> GetThingResponse:
        if request.filter and request.filter.kind == Kind.LARGE:
            raise BadThingException("too big", reason=Why.TOO_BIG)
        for tag in request.filter.tags:
            print(tag.key)
        fields = {"id": request.thing_id}
        fields["type_"] = "x"
        thing = Thing.model_construct(**fields, kind="SMALL")
        if thing.kind in ("LARGE", "us-east-1"):
            pass
        return GetThingResponse.model_construct(thing=thing)

    def helper(self, context, request):
        return S.Kind.US_EAST_1
"""


@pytest.fixture
def scanned(tmp_path: Path) -> usage.Usage:
    path = tmp_path / "handlers" / "example" / "ops.py"
    path.parent.mkdir(parents=True)
    path.write_text(HANDLER)
    return usage.scan("example", [MODEL], root=tmp_path)


def _where(uses: list[usage.Use]) -> list[int]:
    return [use.line for use in uses]


def test_what_the_code_uses_with_its_lines(scanned: usage.Usage) -> None:
    path = "handlers/example/ops.py"
    assert scanned.files == [path]
    # `get_thing(self, context, request)` implements GetThing; `helper` nothing.
    assert {op: _where(uses) for op, uses in scanned.operations.items()} == {
        "GetThing": [8]
    }
    # Enum values, under an alias, through a module, and written as strings where a
    # member or a comparison has the enum's type.
    assert {key: _where(uses) for key, uses in scanned.values.items()} == {
        ("Kind", "LARGE"): [9, 16],
        ("Kind", "SMALL"): [15],
        ("Kind", "us-east-1"): [16, 21],
        ("Reason", "TOO_BIG"): [10],
    }
    members = {key: _where(uses) for key, uses in scanned.members.items()}
    assert members == {
        ("GetThingRequest", "Filter"): [9, 11],
        ("Filter", "Kind"): [9],
        ("Filter", "Tags"): [11],
        ("Tag", "Key"): [12],  # the loop variable is a Tag
        ("GetThingRequest", "ThingId"): [13],
        ("Thing", "Id"): [13],  # a dict's keys, passed as **fields
        ("Thing", "Type"): [14],  # ... and a key added later (`type_` is Type)
        ("Thing", "Kind"): [15, 16],
        ("BadThingException", "Reason"): [10],
        ("GetThingResponse", "Thing"): [18],
    }
    assert scanned.constructed == {"Thing", "GetThingResponse", "BadThingException"}
    # Import lines are not uses.
    assert all(use.line > 4 for uses in scanned.shapes.values() for use in uses)
    assert _where(scanned.shapes["BadThingException"]) == [10]
    assert scanned.shapes["BadThingException"][0].what == "raise BadThingException(...)"


def test_reach_follows_the_implemented_operations(scanned: usage.Usage) -> None:
    reached = usage.reach(scanned, [MODEL])
    assert set(reached.requests) == {
        "GetThingRequest",
        "ThingId",
        "Filter",
        "Kind",
        "Tags",
        "Tag",
        "Text",
    }
    assert "Thing" in reached.emitted and "Reason" in reached.emitted
    assert "DeleteThingRequest" not in reached.used
    assert "Unused" not in reached.used


def _edited(edit: Any) -> Print:
    new = copy.deepcopy(MODEL)
    edit(new["shapes"], new["operations"])
    new["model_sha256"] = "1" * 64
    return new


def _levels(report: changes.Report) -> list[tuple[str, str, str, str]]:
    return [(c.subject, c.kind, c.detail, c.level) for c in report.changes]


def test_levels_follow_what_the_handlers_use(scanned: usage.Usage) -> None:
    def edit(shapes: dict[str, Any], operations: dict[str, Any]) -> None:
        shapes["Kind"]["enum"].append("HUGE")  # named by the code: review
        shapes["Reason"]["enum"].append("ODD")  # named (as Why): review
        shapes["Unused"]["pattern"] = "^v$"  # not provably looser, unused: review
        shapes["ThingId"]["pattern"] = "^t-[a-z]{4,6}$"  # narrower, used: breaking
        shapes["Text"]["max"] = 128  # loosened
        operations["GetThing"]["errors"].append("GoneException")  # implemented
        operations["DeleteThing"]["errors"].append("GoneException")  # not implemented
        shapes["GetThingRequest"]["members"]["Limit"] = {"target": "Text"}  # parameter
        shapes["Thing"]["members"]["Size"] = {"target": "Text"}  # emitted
        shapes["DeleteThingRequest"]["members"]["Force"] = {"target": "Text"}
        del shapes["GetThingRequest"]["members"]["ThingId"]["required"]

    report = changes.compare(MODEL, _edited(edit), scanned)
    assert _levels(report) == [
        ("DeleteThing", "error added", "GoneException", ""),
        ("GetThing", "error added", "GoneException", "review"),
        ("DeleteThingRequest.Force", "added", "", ""),
        ("GetThingRequest.Limit", "added", "", "review"),
        ("GetThingRequest.ThingId", "no longer required", "", "review"),
        ("Thing.Size", "added", "", "review"),
        ("Kind", "value added", "HUGE", "review"),
        ("Reason", "value added", "ODD", "review"),
        (
            "Text",
            "loosened",
            "max 64 → 128",
            "",
        ),
        (
            "ThingId",
            "changed",
            'pattern "^t-[a-z]{4,8}$" → "^t-[a-z]{4,6}$"',
            "breaking",
        ),
        ("Unused", "changed", 'pattern "^u$" → "^v$"', "review"),
    ]
    by_subject = {(c.subject, c.detail): c for c in report.changes}
    # The new Kind value is tied to the lines naming Kind's values, the most alike
    # first (LARGE, then SMALL, then the region-like value), then the member reads.
    kind = by_subject["Kind", "HUGE"]
    assert kind.reason == "the handlers name Kind"
    assert _where(list(kind.uses))[:4] == [9, 16, 15, 21]
    assert {9, 15, 16} <= set(_where(list(kind.uses)))
    # The error added to GetThing is tied to its handler method.
    assert _where(list(by_subject["GetThing", "GoneException"].uses)) == [8]
    thing_id = by_subject["ThingId", 'pattern "^t-[a-z]{4,8}$" → "^t-[a-z]{4,6}$"']
    assert thing_id.reason == "not provably looser; request of GetThing"
    assert 13 in _where(list(thing_id.uses))  # `request.thing_id`
    assert report.counts() == "11 changes: **1 breaking**, **7 to review**"


def test_without_handlers_only_the_kinds_decide() -> None:
    def edit(shapes: dict[str, Any], operations: dict[str, Any]) -> None:
        shapes["Kind"]["enum"].append("HUGE")
        shapes["Kind"]["enum"].remove("SMALL")
        shapes["ThingId"]["pattern"] = "^t-[a-z]{4,6}$"
        shapes["Unused"]["pattern"] = "^u$|^v$"
        operations["GetThing"]["errors"].append("GoneException")

    report = changes.compare(MODEL, _edited(edit))
    assert [(c.subject, c.kind, c.level) for c in report.changes] == [
        ("GetThing", "error added", ""),
        ("Kind", "value added", ""),
        ("Kind", "value removed", "breaking"),
        ("ThingId", "changed", "review"),
        ("Unused", "loosened", ""),
    ]
    assert all(c.uses == () for c in report.changes)
    assert report.handlers_line() == "No hand-written handlers (`handlers/example/`)."


# -- the pattern rule --------------------------------------------------------------------

TAGGABLE_OLD = (
    r"^(r-[0-9a-z]{4,32})|(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})"
    r"|(^p-[0-9a-zA-Z_]{8,128})|(^rp-[0-9a-zA-Z_]{4,128})$"
)
TAGGABLE_NEW = (
    r"^(r-[0-9a-z]{4,32})|(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})"
    r"|(^p-[0-9a-zA-Z_]{8,128})|(^rp-[0-9a-zA-Z_]{4,128})|(^rt-[0-9a-zA-Z_]{8,32})$"
)

LOOSER = [
    (TAGGABLE_OLD, TAGGABLE_NEW),  # botocore 1.40.0 → 1.44.8
    ("A", "A|B"),
    ("(A)|(B)", "(A)|(B)|(C)"),
    ("a|b", "b|a|c"),
    ("^h-[0-9a-z]{8,32}$", "^h-[0-9a-z]{8,40}$"),
    ("x{3}", "x{2,}"),
    ("a+", "a*"),
    ("a+?", "a*"),
    ("^a$", "a"),
    ("(?!x)a", "a"),
    ("^(a|b)$", "^(a|b|c)$"),
    ("ab", "(ab|c)"),
    ("a{2}", "(a{2}|b)"),
    ("", "a?"),
]
NOT_PROVED = [
    (TAGGABLE_NEW, TAGGABLE_OLD),
    ("A|B", "A"),
    ("^h-[0-9a-z]{8,32}$", "^h-[0-9a-z]{8,16}$"),
    (r"[\w+=,.@-]{1,64}", r"[\w+=,.@-]{1,32}"),
    ("a", "^a$"),
    ("a*", "a+"),
    ("a++", "a*+"),  # possessive: compared exactly
    (r"(a)\1", r"(a|b)\1"),  # a backreference: compared exactly
    ("a", "(?!x)a"),
    ("[a-z]", "[a-z0-9]"),  # classes are compared as text
    ("(?i)a", "a"),
    (r"a\$", "a"),  # an escaped dollar is not an anchor
    ("ab", "a"),
    ("(a", "(a|b"),  # does not parse
]


@pytest.mark.parametrize(("old", "new"), LOOSER)
def test_looser_patterns(old: str, new: str) -> None:
    assert widening.loosens(old, new)


@pytest.mark.parametrize(("old", "new"), NOT_PROVED)
def test_patterns_not_proved_looser(old: str, new: str) -> None:
    assert not widening.loosens(old, new)


def test_looser_means_every_old_match_still_matches() -> None:
    """The rule is sound on every case above: each string of a small alphabet up to
    five long that the old pattern matches (search and full match), the new one does."""
    alphabet = ["", "a", "b", "c", "x", "h-", "0"]
    strings = {""}
    for _ in range(3):
        strings |= {s + t for s in strings for t in alphabet}
    for old, new in LOOSER:
        old_re, new_re = re.compile(old), re.compile(new)
        for text in strings:
            if old_re.search(text):
                assert new_re.search(text), (old, new, text)
            if old_re.fullmatch(text):
                assert new_re.fullmatch(text), (old, new, text)


def test_handlers_outside_the_project_are_read_where_the_runtime_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `handlers/<service>/` folder elsewhere on the import path joins `handlers`."""
    import handlers

    folder = tmp_path / "handlers" / "example"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "ops.py").write_text(HANDLER)
    monkeypatch.setattr(handlers, "__path__", [*handlers.__path__, str(folder.parent)])
    assert usage.handler_folder("example") == folder
    found = usage.scan("example", [MODEL])
    assert found.files == [
        (folder / "__init__.py").as_posix(),
        (folder / "ops.py").as_posix(),
    ]
    assert set(found.operations) == {"GetThing"}
    assert usage.scan("no-such-service", [MODEL]).files == []
