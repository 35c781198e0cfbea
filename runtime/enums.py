"""The base of generated enums: strict on a server, tolerant in a client.

A server rejects a value its model does not list. A client must not crash on a response
from a newer model that added a value: inside `tolerate_unknown_enum_values()` an unknown
value becomes a pseudo-member of the enum (its name and value are the string) instead of
a validation error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any, cast

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

_TOLERANT: ContextVar[bool] = ContextVar(
    "botogen_tolerate_unknown_enum_values", default=False
)


class AwsEnum(StrEnum):
    """An enum of a service model.

    In JSON a member is its string (a `StrEnum` member *is* one): pydantic is told to
    write it as such rather than look up `.value` through Python for each member.
    """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = dict(handler(source))
        schema["serialization"] = core_schema.to_string_ser_schema(when_used="json")
        return cast(core_schema.CoreSchema, schema)

    @classmethod
    def _missing_(cls, value: Any) -> AwsEnum | None:
        if not (_TOLERANT.get() and isinstance(value, str)):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member


@contextmanager
def tolerate_unknown_enum_values() -> Iterator[None]:
    token = _TOLERANT.set(True)
    try:
        yield
    finally:
        _TOLERANT.reset(token)
