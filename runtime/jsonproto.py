"""The AWS JSON 1.0/1.1 wire protocol: routing, request bodies into models, models and
errors into bodies. Driven entirely by the generated models: no per-operation code.

`AwsJsonProtocol` implements `runtime.protocol.WireProtocol`:

- the endpoint is `POST /` (another path → 404 `UnknownOperationException`, another
  method → 405 `MethodNotAllowedException` with `Allow: POST`; DECIDED, AWS-shaped);
- `X-Amz-Target: <TargetPrefix>.<Operation>` routes (unknown → 400
  `UnknownOperationException`);
- the body is parsed once, strictly (RFC 8259: no `NaN`/`Infinity`, numbers that fit a
  double, nesting at most 1,024 levels — orjson's limits), anywhere in the document, known
  member or not; anything else, or a body that is not a JSON object, is 400
  `SerializationException`; then it is validated into the input model: a wrong JSON type
  is `SerializationException`, broken constraints are `InvalidRequest` for the service's
  error policy; a JSON `null` member is an absent member; a string with U+0000 anywhere
  in the body is a pattern failure too (DECIDED, `runtime.validation.NUL_CONSTRAINT`);
- responses are the handler's model dumped by wire name, `None` members left out. They
  are not validated again here (`runtime.pipeline` can, for tests).
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from runtime.errors import CommonError, ServiceError
from runtime.model import AwsModel
from runtime.operations import Operation, ServiceInfo
from runtime.protocol import Received
from runtime.validation import InvalidRequest, failures, nul_failures, type_error

#: Validation context for bodies off the wire (blobs arrive base64-encoded).
WIRE = {"wire": True}


def content_type(json_version: str | None) -> bytes:
    return f"application/x-amz-json-{json_version or '1.1'}".encode()


def parse_request(model: type[AwsModel], body: bytes) -> AwsModel:
    """Parse (once) and validate a request body; an empty body is `{}`.

    Raises SerializationException (a `ServiceError`) for a body that is not a JSON
    object or has a wrong JSON type, and `InvalidRequest` for one that breaks the model's
    constraints.
    """
    if not body.strip():
        data: Any = {}
    else:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise CommonError(
                "SerializationException", f"Malformed JSON body: {error.msg}."
            ) from None
        if not isinstance(data, dict):
            raise CommonError(
                "SerializationException", "The request body must be a JSON object."
            )
    try:
        request = model.model_validate(data, context=WIRE)
    except ValidationError as error:
        wrong_type = type_error(error)
        if wrong_type is not None:
            raise CommonError("SerializationException", wrong_type) from None
        raise InvalidRequest(failures(error)) from None
    # JSON writes U+0000 only as an escape: a body without one needs no walk.
    if b"\\u0000" in body:
        found = nul_failures(data)
        if found:
            raise InvalidRequest(found)
    return request


def dump_response(response: AwsModel | None) -> bytes:
    """The response body: wire names, absent members left out; `{}` for no output.

    Handlers may build responses with `model_construct` (no validation), so the
    serializer is told not to warn about values it was not promised.
    """
    if response is None:
        return b"{}"
    body: bytes = response.__pydantic_serializer__.to_json(
        response, by_alias=True, exclude_none=True, warnings=False
    )
    return body


def dump_error(error: ServiceError) -> bytes:
    """`{"__type": "<Code>", "Message": "...", <modeled members>}`."""
    return orjson.dumps({"__type": error.code, **error.to_wire()})


class AwsJsonProtocol:
    """AWS JSON 1.0 / 1.1 for one service (`runtime.protocol.WireProtocol`)."""

    def __init__(self, service: ServiceInfo, operations: dict[str, Operation]) -> None:
        if service.protocol != "json":
            raise ValueError(
                f"{service.name} uses the {service.protocol} protocol, not json"
            )
        self.content_type = content_type(service.json_version)
        prefix = f"{service.target_prefix}."
        self._routes = {prefix + name: op for name, op in operations.items()}

    def endpoint_error(self, request: Received) -> ServiceError | None:
        if request.path != "/":
            return CommonError("UnknownOperationException", "No such resource.", 404)
        if request.method != "POST":
            error = CommonError(
                "MethodNotAllowedException",
                f"Method {request.method[:16]} is not allowed.",
                405,
            )
            error.headers = ((b"allow", b"POST"),)
            return error
        return None

    def route(self, request: Received) -> Operation:
        target = request.headers.get("x-amz-target", "")
        operation = self._routes.get(target)
        if operation is None:
            raise CommonError(
                "UnknownOperationException", f"Unknown operation {target[:128]!r}."
            )
        return operation

    def decode(self, operation: Operation, request: Received) -> AwsModel:
        return parse_request(operation.input, request.body)

    def encode(self, operation: Operation, response: AwsModel | None) -> bytes:
        return dump_response(response)

    def encode_error(self, error: ServiceError) -> bytes:
        return dump_error(error)
