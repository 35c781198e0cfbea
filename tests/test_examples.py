"""botocore's own Organizations examples validate into the models and dump back unchanged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pydantic

from generated.organizations import OPERATIONS
from runtime.types import parse_timestamp_text

#: Examples that break the model itself, with the rule they break. Empty today: every
#: example of the pinned botocore validates. Add (operation, part) -> reason when an
#: upgrade brings one; never skip silently.
BREAKS_THE_MODEL: dict[tuple[str, str], str] = {}


def instant(value: Any) -> float:
    """A timestamp as epoch seconds, from an ISO 8601 string or a number."""
    if isinstance(value, (int, float)):
        return float(value)
    parsed = parse_timestamp_text(value)
    assert isinstance(parsed, datetime), value
    return parsed.timestamp()


def normalise(value: Any, shape_name: str, shapes: dict[str, Any]) -> Any:
    """The example's JSON with timestamps as instants, walked along the model's shapes."""
    shape = shapes[shape_name]
    kind = shape["type"]
    if value is None:
        return None
    if kind == "timestamp":
        return instant(value)
    if kind == "structure":
        return {
            key: normalise(item, shape["members"][key]["shape"], shapes)
            for key, item in value.items()
            if key in shape["members"]
        }
    if kind == "list":
        return [normalise(item, shape["member"]["shape"], shapes) for item in value]
    if kind == "map":
        return {
            k: normalise(v, shape["value"]["shape"], shapes) for k, v in value.items()
        }
    return value


def _cases(source: Any) -> list[tuple[str, int, str]]:
    return [
        (operation, index, part)
        for operation, examples in sorted(source.examples["examples"].items())
        for index, example in enumerate(examples)
        for part in ("input", "output")
        if part in example
    ]


def test_examples_exist(org_source: Any) -> None:
    # 72 inputs and outputs today; a loader mistake would make the test below vacuous.
    assert len(_cases(org_source)) > 60


def test_every_example_round_trips(org_source: Any, org_shapes: dict[str, Any]) -> None:
    failures = []
    broke: set[tuple[str, str]] = set()
    for operation, index, part in _cases(org_source):
        example = org_source.examples["examples"][operation][index][part]
        op = org_source.model["operations"][operation]
        entry = OPERATIONS[operation]
        model_class = entry.input if part == "input" else entry.output
        shape_name = op[part]["shape"] if part in op else None
        if model_class is None or shape_name is None:
            assert (
                not example
            ), f"{operation} has no {part} shape but its example has one"
            continue
        try:
            parsed = model_class.model_validate(example)
        except pydantic.ValidationError as error:
            broke.add((operation, part))
            if (operation, part) not in BREAKS_THE_MODEL:
                failures.append(f"{operation}[{index}].{part}: {error}")
            continue
        dumped = parsed.to_wire()
        assert normalise(dumped, shape_name, org_shapes) == normalise(
            example, shape_name, org_shapes
        ), f"{operation}[{index}].{part} does not dump back to the example"
    assert not failures, "\n".join(failures)
    # A listed example that validates now is a stale entry: the list must stay exact.
    assert set(BREAKS_THE_MODEL) <= broke, set(BREAKS_THE_MODEL) - broke
