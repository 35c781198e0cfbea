"""Members with the `sensitive` trait never show in repr, str or validation errors."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from generated.organizations import models

SECRET = "TOPSECRETVALUE"


def sensitive_members(shapes: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, member, shapes[ref["shape"]])
        for name, shape in sorted(shapes.items())
        if shape["type"] == "structure" and not shape.get("exception")
        for member, ref in sorted(shape["members"].items())
        if shapes[ref["shape"]].get("sensitive")
    ]


def valid_secret(shape: dict[str, Any]) -> str:
    size = max(shape.get("min", 0), len(SECRET))
    return (SECRET * 10)[:size] if size <= shape.get("max", size) else SECRET


def test_the_model_has_sensitive_members(org_shapes: dict[str, Any]) -> None:
    assert (
        len({shape_name for shape_name, s in org_shapes.items() if s.get("sensitive")})
        == 7
    )
    assert len(sensitive_members(org_shapes)) >= 7


def test_absent_from_repr_and_str(org_shapes: dict[str, Any]) -> None:
    for structure, member, shape in sensitive_members(org_shapes):
        model = getattr(models, structure)
        # Constructed without validation: other members may be required.
        instance = model.model_construct(**{_field(model, member): valid_secret(shape)})
        assert getattr(instance, _field(model, member)).startswith(SECRET[:4])
        assert SECRET not in repr(instance), (structure, member)
        assert SECRET not in str(instance), (structure, member)


def _field(model: type[pydantic.BaseModel], wire: str) -> str:
    return next(name for name, f in model.model_fields.items() if f.alias == wire)


def test_absent_from_validation_errors(org_shapes: dict[str, Any]) -> None:
    for structure, member, shape in sensitive_members(org_shapes):
        model = getattr(models, structure)
        bad_values: list[Any] = [{"nested": SECRET}, [SECRET]]
        if "max" in shape:
            bad_values.append(SECRET * (shape["max"] // len(SECRET) + 2))
        for value in bad_values:
            with pytest.raises(pydantic.ValidationError) as raised:
                model.model_validate({member: value})
            assert SECRET not in str(raised.value), (structure, member)
            assert SECRET not in repr(raised.value), (structure, member)


def test_a_secret_in_a_nested_structure_stays_hidden() -> None:
    """The handshake's NOTES resource value is sensitive; errors elsewhere must not leak it."""
    document = {
        "Handshake": {
            "Id": "not-a-handshake-id",
            "Resources": [{"Type": "NOTES", "Value": SECRET}],
        }
    }
    with pytest.raises(pydantic.ValidationError) as raised:
        models.DeclineHandshakeResponse.model_validate(document)
    assert "Handshake.Id" in str(raised.value)
    assert SECRET not in str(raised.value)
    valid = models.DeclineHandshakeResponse.model_validate(
        {"Handshake": {"Resources": [{"Type": "NOTES", "Value": SECRET}]}}
    )
    assert SECRET not in repr(valid) and SECRET not in str(valid)
    assert valid.to_wire()["Handshake"]["Resources"][0]["Value"] == SECRET


def test_missing_member_error_does_not_echo_a_secret_sibling() -> None:
    """A `missing` error's input is the whole object, secrets included, unless hidden."""
    with pytest.raises(pydantic.ValidationError) as raised:
        models.InviteAccountToOrganizationRequest.model_validate({"Notes": SECRET})
    assert "Target" in str(raised.value)
    assert SECRET not in str(raised.value)
