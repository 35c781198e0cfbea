"""Python names for model names, with every reserved-name rule kept in one place."""

from __future__ import annotations

import builtins
import keyword
import re

from botocore import xform_name
from pydantic import BaseModel

#: Names the generated modules import or rely on at module level. A shape must not shadow
#: them (a shape named `Field` or `Pattern` exists in some services).
IMPORTED_NAMES = frozenset(
    {
        "Annotated", "Any", "ClassVar", "Enum", "Field", "Final", "Ge", "Iterator", "Le", "Literal",
        "Mapping", "MaxLen", "MinLen", "Sequence", "Strict", "StrEnum", "TYPE_CHECKING",
        "annotations", "overload",
        "AwsEnum", "AwsModel", "AwsUnion", "Blob", "Float", "Empty", "EpochTimestamp", "Iso8601Timestamp",
        "NotImplementedOperation", "Operation", "Pattern", "RequestContext",
        "Rfc822Timestamp", "SENSITIVE_CONFIG", "ServiceError", "ServiceInfo", "TypedClient",
        "OPERATIONS", "SERVICE",
    }
)  # fmt: skip

#: Top-level names a generated class or alias may not take.
RESERVED_TOP_LEVEL = (
    frozenset(keyword.kwlist) | frozenset(dir(builtins)) | IMPORTED_NAMES
)

#: Field names that would clash with Python or pydantic: keywords, builtins used in
#: annotations, every attribute of `BaseModel` (`json`, `copy`, `schema`, ...), and
#: `self`, since fields are the keyword parameters of a generated `__init__`.
RESERVED_FIELDS = (
    frozenset(keyword.kwlist)
    | frozenset(
        {"str", "int", "float", "bool", "bytes", "list", "dict", "type", "object"}
    )
    | {"self"}
    | frozenset(name for name in dir(BaseModel))
)


#: Attributes of `runtime.errors.ServiceError` and `Exception` that an error's members
#: must not overwrite (a member named `Code` exists in many services).
RESERVED_ERROR_FIELDS = frozenset(
    {
        "code", "http_status", "sender_fault", "message_member", "members", "message",
        "to_wire", "args", "with_traceback", "add_note",
    }
)  # fmt: skip


def _suffixed(name: str, taken: frozenset[str] | set[str]) -> str:
    while name in taken:
        name += "_"
    return name


def class_name(shape_name: str) -> str:
    """A module-level name for a shape: its model name unless that is reserved."""
    name = re.sub(r"\W", "_", shape_name)
    if name[0].isdigit():
        name = "_" + name
    # `__string` (rest-json models have many) would be name-mangled inside class bodies.
    if name.startswith("__"):
        name = "_" + name.lstrip("_")
    return _suffixed(name, RESERVED_TOP_LEVEL)


def field_name(member_name: str, module_names: frozenset[str], taken: set[str]) -> str:
    """The snake_case attribute for a member, as boto3 spells it (`botocore.xform_name`).

    It never equals a reserved name, a module-level name of the generated module (a field
    must not shadow the class it is annotated with) or another field of the same class.
    """
    # boto3 spells `ACLs` as `_acls`; pydantic refuses fields with a leading underscore.
    name = re.sub(r"\W", "_", xform_name(member_name)).lstrip("_")
    if not name or name[0].isdigit():
        name = "f_" + name
    return _suffixed(name, RESERVED_FIELDS | module_names | taken)


def method_name(operation_name: str) -> str:
    """The handler method for an operation, as boto3 names it (`decline_handshake`)."""
    return _suffixed(xform_name(operation_name), RESERVED_FIELDS)


def literal_name(shape_name: str) -> str:
    """The name of the `Literal` type of an enum's values (`State` -> `StateLiteral`)."""
    return class_name(f"{shape_name}Literal")


def enum_member_name(value: str, taken: set[str]) -> str:
    """An UPPER_SNAKE name for an enum value (`us-east-1` -> `US_EAST_1`)."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper() or "EMPTY"
    if name[0].isdigit():
        name = "_" + name
    return _suffixed(name, taken)
