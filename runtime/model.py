"""Base classes for the pydantic models that `codegen` generates."""

from __future__ import annotations

import difflib
import functools
import inspect
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

#: For models that contain a `sensitive` member anywhere below them: validation errors
#: then carry no input value. pydantic reads this setting from the model being validated,
#: not from the nested one, so the generator sets it on every model that reaches a
#: sensitive member (the rest of the configuration is inherited from AwsModel).
SENSITIVE_CONFIG = ConfigDict(hide_input_in_errors=True)


class AwsModel(BaseModel):
    """A structure of an AWS service model.

    - fields are snake_case with the wire (model) names as aliases; either is accepted on
      input and dumps use the wire names;
    - unknown members are ignored by validation (`model_validate`, nested dicts), as AWS
      servers do; a constructor call with an unknown keyword raises TypeError instead;
    - schemas are built on first use, which keeps importing a large service cheap;
    - a member given as `None` (JSON `null`) is an absent member, as AWS reads it;
    - NaN and infinities dump as the strings the AWS JSON protocols use.
    """

    # Written out here (not a shared constant) so that the pydantic mypy plugin sees
    # `validate_by_name` and accepts construction by field name.
    model_config = ConfigDict(
        ser_json_inf_nan="strings",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="ignore",
        defer_build=True,
    )

    def __init__(self, /, **data: Any) -> None:
        """Build and validate the model from keyword arguments, the fields' Python names
        (the wire names work too; type checkers know only the Python names).

        A keyword that names no field raises TypeError, naming the closest field: a
        misspelled keyword would otherwise be ignored like an unknown wire member.
        """
        if not _keywords(type(self)).issuperset(data):
            raise TypeError(_unknown_keyword(type(self), data))
        super().__init__(**data)

    # Tells pydantic that this `__init__` does only what its own does: validation
    # (`model_validate`, nested models) then never calls it, and keeps ignoring unknown
    # members.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    # pydantic's own signature (set on creating the class, and again once a deferred
    # schema is built) would name the parameters by their wire names.
    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.__signature__ = _SIGNATURE  # type: ignore[assignment]

    @classmethod
    def __pydantic_on_complete__(cls) -> None:
        super().__pydantic_on_complete__()
        cls.__signature__ = _SIGNATURE  # type: ignore[assignment]

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict) and None in data.values():
            return {key: value for key, value in data.items() if value is not None}
        return data

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict a JSON-protocol service sends: wire names, no `None` members."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


@functools.cache
def _keywords(model: type[AwsModel]) -> frozenset[str]:
    """The keywords `model(...)` takes: its fields' Python names and wire names."""
    fields = model.model_fields
    return frozenset(fields) | {f.alias for f in fields.values() if f.alias}


class _PythonNamesSignature:
    """`inspect.signature(Model)` (and so `help`): the keywords by their Python names,
    as type checkers read the generated `__init__`; computed on first use."""

    def __get__(self, instance: object, owner: type[AwsModel]) -> inspect.Signature:
        if instance is not None:  # as pydantic's: a class attribute only
            raise AttributeError("__signature__")
        return _signature(owner)


_SIGNATURE = _PythonNamesSignature()


@functools.cache
def _signature(model: type[AwsModel]) -> inspect.Signature:
    return inspect.Signature(
        [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if field.is_required() else None,
                annotation=field.annotation,
            )
            for name, field in model.model_fields.items()
        ],
        return_annotation=None,
    )


def _unknown_keyword(model: type[AwsModel], data: dict[str, Any]) -> str:
    """`Tag has no field 'kye'; did you mean 'key'?` for the first unknown keyword."""
    name = next(key for key in data if key not in _keywords(model))
    fields = model.model_fields
    # Compared without case, with both names of each field: `queueurl`, `QueueURL` and
    # `queue_Url` all lead to `queue_url`.
    spellings: dict[str, str] = {}
    for field_name, field in fields.items():
        spellings.setdefault(field_name.lower(), field_name)
        if field.alias:
            spellings.setdefault(field.alias.lower(), field_name)
    close = difflib.get_close_matches(name.lower(), spellings, n=1)
    if close:
        suggestion = spellings[close[0]]
        return f"{model.__name__} has no field {name!r}; did you mean {suggestion!r}?"
    if not fields:
        return f"{model.__name__} has no fields, got {name!r}"
    return f"{model.__name__} has no field {name!r}; its fields: {', '.join(fields)}"


class AwsUnion(AwsModel):
    """A structure with the `union` trait: exactly one member must be set."""

    @model_validator(mode="after")
    def _exactly_one_member(self) -> AwsUnion:
        chosen = [
            name for name in type(self).model_fields if getattr(self, name) is not None
        ]
        if len(chosen) != 1:
            names = ", ".join(
                field.alias or name for name, field in type(self).model_fields.items()
            )
            raise ValueError(f"exactly one of {names} must be set, got {len(chosen)}")
        return self


class Empty(AwsModel):
    """The request of an operation whose model declares no input."""
