"""Descriptions of a service and its operations, as generated operation tables use them."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.errors import ServiceError
from runtime.model import AwsModel


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a service model."""

    #: The model's operation name (`DeclineHandshake`), as `X-Amz-Target` carries it.
    name: str
    #: The handler method that serves it (`decline_handshake`).
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

    #: botocore's name for the service (`organizations`).
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
    #: The modeled error that reports invalid input (Organizations: InvalidInputException),
    #: and the member of it that carries a Reason; None when the model has none.
    validation_error: type[ServiceError] | None
    validation_reason: str | None
    #: The modeled server fault (Organizations: ServiceException), if the model has one.
    internal_error: type[ServiceError] | None
    #: The modeled throttling error (Organizations: TooManyRequestsException), if any.
    throttling_error: type[ServiceError] | None
