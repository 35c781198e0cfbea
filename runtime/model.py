"""Base classes for the pydantic models that `codegen` generates."""

from __future__ import annotations

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
    - unknown members are ignored, as AWS servers do;
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

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict) and None in data.values():
            return {key: value for key, value in data.items() if value is not None}
        return data

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict a JSON-protocol service sends: wire names, no `None` members."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


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
