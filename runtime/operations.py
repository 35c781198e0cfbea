"""Descriptions of a service and its operations, as generated operation tables use them."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.errors import ServiceError
from runtime.model import AwsModel


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a service model."""

    #: The model's operation name (`SendMessage`), as `X-Amz-Target` carries it.
    name: str
    #: The handler method that serves it (`send_message`).
    method: str
    http_method: str
    http_uri: str
    #: Request model (`Empty` when the model declares no input).
    input: type[AwsModel]
    #: Response model, or None when the operation returns nothing.
    output: type[AwsModel] | None
    #: The errors the model says this operation may raise.
    errors: tuple[type[ServiceError], ...]


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """The metadata of a service model that serving and signing need."""

    #: botocore's name for the service (`sqs`).
    name: str
    service_id: str
    api_version: str
    protocol: str
    json_version: str | None
    target_prefix: str | None
    signing_name: str
    #: botocore release and SHA-256 of the model the package was generated from.
    botocore_version: str
    model_sha256: str
    #: The model's own `ValidationException` shape, if it has one (the default answer to
    #: invalid input; a service's `ErrorPolicy` may answer otherwise).
    validation_error: type[ServiceError] | None
    #: The model's one server fault (`fault` trait, status 500), if it has exactly one.
    internal_error: type[ServiceError] | None
    #: The model's throttling error (a shape coded `TooManyRequestsException`,
    #: `ThrottlingException` or `Throttling`), if any.
    throttling_error: type[ServiceError] | None
