"""The base of generated typed clients: request models in, response models out.

A generated client wraps a boto3/botocore client (so signing, retries, endpoints and
credentials are botocore's). Each method takes the request model, or its members as
keyword arguments (typed, by their Python names; a keyword that names no member raises
TypeError, naming the closest), and returns the response model. A
`ClientError` whose code the model declares becomes the generated exception, its modeled
members filled in. Responses are parsed tolerantly: an enum value from a newer model does
not fail.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from botocore.exceptions import ClientError

from runtime.enums import tolerate_unknown_enum_values
from runtime.errors import ServiceError
from runtime.model import AwsModel

Response = TypeVar("Response", bound=AwsModel)


class TypedClient:
    #: botocore's name for the service.
    service_name: ClassVar[str]
    #: Error code -> generated exception class.
    errors: ClassVar[Mapping[str, type[ServiceError]]]

    def __init__(self, client: Any | None = None, **client_kwargs: Any) -> None:
        """Wrap `client`, or a new `boto3.client(service_name, **client_kwargs)`."""
        if client is None:
            import boto3

            client = boto3.client(self.service_name, **client_kwargs)
        elif client_kwargs:
            raise TypeError("pass either a client or arguments for a new one, not both")
        #: The wrapped botocore client.
        self.client = client

    @staticmethod
    def _params(
        request_type: type[AwsModel], request: AwsModel | None, members: dict[str, Any]
    ) -> dict[str, Any]:
        if request is None:
            request = request_type(**members)
        elif members:
            raise TypeError(
                "pass either a request model or keyword arguments, not both"
            )
        elif not isinstance(request, request_type):
            raise TypeError(
                f"expected {request_type.__name__}, got {type(request).__name__}"
            )
        params: dict[str, Any] = request.model_dump(by_alias=True, exclude_none=True)
        return params

    def _translate(self, error: ClientError) -> Exception:
        """The generated exception for a modeled error code, else the ClientError itself."""
        code = error.response.get("Error", {}).get("Code", "")
        cls = self.errors.get(code)
        if cls is None:
            unmodeled: Exception = error
            return unmodeled
        members = {
            name: error.response.get(wire, error.response["Error"].get(wire))
            for name, wire in cls.members.items()
        }
        translated: Exception = cls(error.response["Error"].get("Message"), **members)
        return translated

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        try:
            yield
        except ClientError as error:
            translated = self._translate(error)
            if translated is error:
                raise
            raise translated from error

    def _invoke(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        with self._translated_errors():
            response: dict[str, Any] = getattr(self.client, method)(**params)
        return response

    @staticmethod
    def _parse(response_type: type[Response], response: dict[str, Any]) -> Response:
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        with tolerate_unknown_enum_values():
            return response_type.model_validate(body)

    def _call(
        self,
        method: str,
        request_type: type[AwsModel],
        request: AwsModel | None,
        members: dict[str, Any],
        response_type: type[Response],
    ) -> Response:
        params = self._params(request_type, request, members)
        return self._parse(response_type, self._invoke(method, params))

    def _send(
        self,
        method: str,
        request_type: type[AwsModel],
        request: AwsModel | None,
        members: dict[str, Any],
    ) -> None:
        """An operation without output."""
        self._invoke(method, self._params(request_type, request, members))

    def _paginate(
        self,
        method: str,
        request_type: type[AwsModel],
        request: AwsModel | None,
        members: dict[str, Any],
        response_type: type[Response],
    ) -> Iterator[Response]:
        """Every page of a paginated operation (botocore's paginator follows the tokens)."""
        params = self._params(request_type, request, members)
        pages = self.client.get_paginator(method).paginate(**params)
        with self._translated_errors():
            for page in pages:
                yield self._parse(response_type, page)
