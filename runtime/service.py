"""A service as the unit of extension: what `handlers/<service>/` declares to the runtime.

`botogen serve --service NAME` serves the generated package `generated.NAME` with the
definition that `handlers.NAME` exports as `SERVICE` (a `ServiceDefinition`); a service
without a handlers folder gets `ServiceDefinition.bare(...)`: the generated skeleton, no
storage, no settings, every operation validated and then answered not-implemented.

A definition says:

- `handlers`: the handler class (the generated skeleton, or a `runtime.handler.ServiceHandler`
  subclass that also subclasses the skeleton and overrides operations);
- `settings`: a `Settings` subclass, the service's knobs with their defaults (limits,
  delays); `botogen serve` turns each field into a command-line option (`account_limit` →
  `--account-limit`) and reads them from `--config FILE` too (command line wins);
- `migrations`: the SQL scripts of its tables, applied in order on start (`runtime.database`);
- `errors`: its `ErrorPolicy`, the errors it answers for the runtime's generic failures
  (invalid input, throttling, a storage lock that cannot be had, a bad page token, a fault).

The start-up work (accounts the service must know, seeds) and which provisionable accounts
may sign are methods of the handler class (`runtime.handler.ServiceHandler`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from runtime.errors import CommonError, ServiceError
from runtime.jsonfile import read_object
from runtime.operations import ServiceInfo
from runtime.packages import handler_package
from runtime.validation import Failure, smithy_message

__all__ = [
    "ErrorPolicy",
    "ServiceDefinition",
    "Settings",
    "load_definition",
    "read_config",
]


class Settings(BaseModel):
    """A service's settings: fields with defaults and a description each.

    Subclasses declare fields (`int`, `float`, `str` or `bool`); values are checked
    (`Field(ge=...)` and the like) when the server starts. Unknown names are refused.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorPolicy:
    """The errors a service answers for the runtime's generic failures.

    The defaults are AWS's common errors, or the model's own class when its generated
    metadata names one (`ServiceInfo.validation_error` is a shape coded
    `ValidationException`, `throttling_error` the model's throttling error,
    `internal_error` its one server fault). A service overrides what it answers
    differently (a model whose invalid-input error carries a reason member, say).
    """

    #: What `errors` is bound to: the service's generated metadata.
    info: ServiceInfo

    def __init__(self, info: ServiceInfo) -> None:
        self.info = info

    def invalid_input(self, failures: Sequence[Failure]) -> ServiceError:
        """A request that breaks the model's constraints (`failures` is never empty)."""
        message = smithy_message(failures)
        cls = self.info.validation_error
        return (
            cls(message)
            if cls is not None
            else CommonError("ValidationException", message)
        )

    def throttled(self) -> ServiceError:
        message = "Rate exceeded"
        cls = self.info.throttling_error
        return (
            cls(message)
            if cls is not None
            else CommonError("ThrottlingException", message)
        )

    def busy(self) -> ServiceError:
        """A storage lock that could not be had in time (another request holds it)."""
        return CommonError(
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
            503,
        )

    def invalid_token(self) -> ServiceError:
        """A `NextToken` this server did not issue for this listing."""
        return self.invalid_input(
            [
                Failure(
                    "NextToken", "invalid", "Member must be a token this listing issued"
                )
            ]
        )

    def internal(self, request_id: str) -> ServiceError:
        message = f"An internal error occurred. Request id: {request_id}."
        cls = self.info.internal_error
        return (
            cls(message)
            if cls is not None
            else CommonError("InternalFailure", message, 500)
        )


@dataclass(frozen=True)
class ServiceDefinition:
    """Everything the runtime and the command line need to know about one service."""

    #: botocore's name of the service (`sqs`).
    name: str
    #: The handler class.
    handlers: type
    settings: type[Settings] = Settings
    migrations: tuple[str, ...] = ()
    errors: type[ErrorPolicy] = ErrorPolicy
    #: Where state lives when `--db` is not given (None: the service keeps no state).
    default_db: str | None = None

    @classmethod
    def bare(cls, name: str, skeleton: type) -> ServiceDefinition:
        """A service without hand-written handlers: the generated skeleton alone."""
        return cls(name=name, handlers=skeleton)

    @property
    def stateful(self) -> bool:
        return bool(self.migrations)


def load_definition(service: str, skeleton: type) -> ServiceDefinition:
    """The definition `handlers.<service>` exports as `SERVICE`, else the bare one."""
    module = handler_package(service)
    if module is None:
        return ServiceDefinition.bare(service, skeleton)
    definition = getattr(module, "SERVICE", None)
    if not isinstance(definition, ServiceDefinition):
        raise LookupError(
            f"{module.__name__} must export SERVICE, a runtime.service.ServiceDefinition"
        )
    return definition


def read_config(path: str | Path) -> dict[str, Any]:
    """A settings file: one JSON object, setting name → value."""
    return read_object(path, "the settings file", "a JSON object of settings")


def build_settings(cls: type[Settings], *layers: Mapping[str, Any]) -> Settings:
    """`cls` from its defaults overlaid with each layer in turn (later layers win);
    ValueError names the setting that is unknown or out of range."""
    values: dict[str, Any] = {}
    for layer in layers:
        values.update(layer)
    try:
        return cls(**values)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        problem = (
            "unknown setting" if first["type"] == "extra_forbidden" else first["msg"]
        )
        raise ValueError(f"setting {name}: {problem}") from None
