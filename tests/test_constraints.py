"""Every constraint of the Organizations model is enforced, table-driven from the model."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pydantic
import pytest

from codegen.patterns import translate
from generated.organizations import models
from runtime.patterns import compile_pattern

LENGTH_ERRORS = {"string_too_short", "string_too_long", "too_short", "too_long"}
RANGE_ERRORS = {"greater_than_equal", "less_than_equal"}


def member_errors(structure: str, member: str, value: Any) -> set[str]:
    """Error types pydantic reports for `member` when validating just that member."""
    model = getattr(models, structure)
    try:
        model.model_validate({member: value})
    except pydantic.ValidationError as error:
        return {e["type"] for e in error.errors() if e["loc"][:1] == (member,)}
    return set()


def sample(shape: dict[str, Any], size: int) -> Any:
    """A value of `size` characters (strings) or items (lists) for a shape."""
    if shape["type"] == "string":
        return "a" * size
    return ["a"] * size


def constrained_members(
    shapes: dict[str, Any], keys: tuple[str, ...]
) -> list[tuple[str, str, str]]:
    cases = []
    for name, shape in sorted(shapes.items()):
        if shape["type"] != "structure" or shape.get("exception"):
            continue
        for member, ref in sorted(shape["members"].items()):
            target = shapes[ref["shape"]]
            if any(k in target for k in keys) and "enum" not in target:
                cases.append((name, member, ref["shape"]))
    return cases


def test_length_bounds(org_shapes: dict[str, Any]) -> None:
    """At the bound no length error; one past it, the length error."""
    cases = [
        c
        for c in constrained_members(org_shapes, ("min", "max"))
        if org_shapes[c[2]]["type"] in ("string", "list")
    ]
    assert len(cases) > 50
    for structure, member, shape_name in cases:
        shape = org_shapes[shape_name]
        where = f"{structure}.{member} ({shape_name})"
        if "max" in shape:
            assert (
                not member_errors(structure, member, sample(shape, shape["max"]))
                & LENGTH_ERRORS
            ), where
            assert (
                member_errors(structure, member, sample(shape, shape["max"] + 1))
                & LENGTH_ERRORS
            ), where
        if shape.get("min", 0) > 0:
            assert (
                not member_errors(structure, member, sample(shape, shape["min"]))
                & LENGTH_ERRORS
            ), where
            assert (
                member_errors(structure, member, sample(shape, shape["min"] - 1))
                & LENGTH_ERRORS
            ), where


def test_value_ranges(org_shapes: dict[str, Any]) -> None:
    cases = [
        c
        for c in constrained_members(org_shapes, ("min", "max"))
        if org_shapes[c[2]]["type"] in ("integer", "long")
    ]
    assert cases, "Organizations has MaxResults 1-20"
    for structure, member, shape_name in cases:
        shape = org_shapes[shape_name]
        for bound, past, error in (
            (shape.get("min"), -1, "greater_than_equal"),
            (shape.get("max"), 1, "less_than_equal"),
        ):
            if bound is None:
                continue
            assert member_errors(structure, member, bound) == set(), (
                structure,
                member,
                bound,
            )
            assert member_errors(structure, member, bound + past) == {error}, (
                structure,
                member,
            )


def test_patterns_are_enforced(org_shapes: dict[str, Any]) -> None:
    cases = constrained_members(org_shapes, ("pattern",))
    assert len(cases) > 30
    rejected = 0
    for structure, member, shape_name in cases:
        # NUL characters: the model rejects them exactly when the pattern (searched, as AWS
        # does) finds no match. Most patterns reject them; unanchored ones that can match
        # an empty string accept anything.
        shape = org_shapes[shape_name]
        value = "\x00" * max(shape.get("min", 1), 1)
        rejects = compile_pattern(translate(shape["pattern"])).search(value) is None
        rejected += rejects
        errors = member_errors(structure, member, value)
        assert ("string_pattern_mismatch" in errors) == rejects, (structure, member)
    assert rejected > 20


def test_unknown_enum_values_fail(org_shapes: dict[str, Any]) -> None:
    cases = [
        (name, member, ref["shape"])
        for name, shape in sorted(org_shapes.items())
        if shape["type"] == "structure" and not shape.get("exception")
        for member, ref in sorted(shape["members"].items())
        if "enum" in org_shapes[ref["shape"]]
    ]
    assert len(cases) > 20
    for structure, member, shape_name in cases:
        good = org_shapes[shape_name]["enum"][0]
        assert member_errors(structure, member, good) == set(), (structure, member)
        assert member_errors(structure, member, "NOT_A_" + good) == {"enum"}, (
            structure,
            member,
        )


def test_required_members(org_shapes: dict[str, Any]) -> None:
    for name, shape in sorted(org_shapes.items()):
        if shape["type"] != "structure" or shape.get("exception"):
            continue
        required = set(shape.get("required", ()))
        try:
            getattr(models, name).model_validate({})
            missing: set[str] = set()
        except pydantic.ValidationError as error:
            missing = {e["loc"][0] for e in error.errors() if e["type"] == "missing"}
        assert missing == required, name


@pytest.mark.parametrize(
    "value, error",
    [
        ("bad", "string_pattern_mismatch"),
        ("h-UPPER12345", "string_pattern_mismatch"),
        ("h-" + "a" * 33, "string_too_long"),
        ("h-abcdefgh\n", "string_pattern_mismatch"),
        (12345678, "string_type"),
    ],
)
def test_bad_handshake_ids_fail_naming_the_member(value: Any, error: str) -> None:
    assert len("h-" + "a" * 33) == 35
    with pytest.raises(pydantic.ValidationError) as raised:
        models.DeclineHandshakeRequest.model_validate({"HandshakeId": value})
    [only] = raised.value.errors()
    assert only["loc"] == ("HandshakeId",)
    assert only["type"] == error


def test_good_handshake_id_by_alias_or_name() -> None:
    by_alias = models.DeclineHandshakeRequest.model_validate(
        {"HandshakeId": "h-examplehandshakeid111"}
    )
    by_name = models.DeclineHandshakeRequest(handshake_id="h-examplehandshakeid111")
    assert by_alias == by_name
    assert by_name.model_dump() == {"HandshakeId": "h-examplehandshakeid111"}


def test_timestamps_are_aware_and_dump_as_epoch_seconds() -> None:
    account = models.Account.model_validate(
        {"Id": "111111111111", "JoinedTimestamp": 1481830215.123}
    )
    assert (
        account.joined_timestamp is not None
        and account.joined_timestamp.tzinfo is not None
    )
    assert account.to_wire()["JoinedTimestamp"] == 1481830215.123
    with pytest.raises(pydantic.ValidationError):
        models.Account.model_validate(
            {"JoinedTimestamp": "2016-12-15T19:30:15"}
        )  # naive


def test_epoch_numbers_are_seconds_whatever_their_size() -> None:
    """pydantic alone takes numbers above 2e10 for milliseconds; AWS's are seconds (the
    year 9999 stays 9999), and a number outside Python's years is a datetime failure."""
    late = models.TerminateResponsibilityTransferRequest.model_validate(
        {"Id": "rt-12345678", "EndTimestamp": 253402300799}, context={"wire": True}
    )
    assert late.end_timestamp == datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
    for number in (253402300800, -62135596801, 1e20, 10**400):
        with pytest.raises(pydantic.ValidationError) as failed:
            models.TerminateResponsibilityTransferRequest.model_validate(
                {"Id": "rt-12345678", "EndTimestamp": number}, context={"wire": True}
            )
        assert [e["type"] for e in failed.value.errors()] == ["datetime_parsing"]


def test_unknown_members_are_ignored() -> None:
    request = models.DeclineHandshakeRequest.model_validate(
        {"HandshakeId": "h-12345678", "Extra": 1}
    )
    assert request.to_wire() == {"HandshakeId": "h-12345678"}
