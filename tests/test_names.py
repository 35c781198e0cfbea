"""Reserved-name rules, kept in one place (codegen/names.py)."""

from __future__ import annotations

import pytest

from codegen.names import class_name, enum_member_name, field_name, method_name


@pytest.mark.parametrize(
    "shape, expected",
    [
        ("Handshake", "Handshake"),
        ("float", "float_"),  # a builtin
        ("Field", "Field_"),  # a name the generated modules import
        ("__string", "_string"),  # would be name-mangled inside class bodies
        ("__stringMin10Max2048", "_stringMin10Max2048"),
        ("3DModel", "_3DModel"),
    ],
)
def test_class_names(shape: str, expected: str) -> None:
    assert class_name(shape) == expected


@pytest.mark.parametrize(
    "member, module, expected",
    [
        ("HandshakeId", frozenset(), "handshake_id"),
        ("Type", frozenset(), "type_"),  # a builtin used in annotations
        ("Schema", frozenset(), "schema_"),  # a BaseModel attribute
        ("ModelConfig", frozenset(), "model_config_"),
        ("ACLs", frozenset(), "acls"),  # boto3 says `_acls`; pydantic refuses `_`
        ("string", frozenset({"string"}), "string_"),  # never shadow a module name
    ],
)
def test_field_names(member: str, module: frozenset[str], expected: str) -> None:
    assert field_name(member, module, set()) == expected


def test_field_names_never_repeat_in_one_class() -> None:
    taken: set[str] = set()
    first = field_name("FooBar", frozenset(), taken)
    taken.add(first)
    assert field_name("FOOBar", frozenset(), taken) == first + "_"


def test_method_and_enum_names() -> None:
    assert method_name("DeclineHandshake") == "decline_handshake"
    assert enum_member_name("us-east-1", set()) == "US_EAST_1"
    assert enum_member_name("1", set()) == "_1"
    assert enum_member_name("", set()) == "EMPTY"
    assert enum_member_name("a-b", {"A_B"}) == "A_B_"
