"""The AWS JSON 1.0/1.1 codec: request bodies into models, models and errors into bodies.

Driven entirely by the generated models: no per-operation code.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError

from runtime.errors import CommonError, ServiceError
from runtime.model import AwsModel

#: Validation context for bodies off the wire (blobs arrive base64-encoded).
WIRE = {"wire": True}


def content_type(json_version: str | None) -> bytes:
    return f"application/x-amz-json-{json_version or '1.1'}".encode()


def _without_nulls(value: Any) -> Any:
    """A JSON `null` member is an absent member."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def parse_request(model: type[AwsModel], body: bytes) -> AwsModel:
    """Validate a request body; an empty body is `{}`.

    Raises SerializationException for a body that is not a JSON object, and
    pydantic's ValidationError for one that breaks the model.
    """
    if not body.strip():
        body = b"{}"
    try:  # the fast path: pydantic reads the bytes itself
        return model.model_validate_json(body, context=WIRE)
    except ValidationError:
        pass
    # The slow path tells malformed JSON from invalid input, and nulls from values.
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise CommonError(
            "SerializationException", f"Malformed JSON body: {error.msg}."
        ) from None
    if not isinstance(data, dict):
        raise CommonError(
            "SerializationException", "The request body must be a JSON object."
        ) from None
    return model.model_validate(_without_nulls(data), context=WIRE)


def dump_response(response: AwsModel | None) -> bytes:
    """The response body: wire names, absent members left out; `{}` for no output."""
    if response is None:
        return b"{}"
    # The model's serializer writes bytes directly (model_dump_json would make a str).
    body: bytes = response.__pydantic_serializer__.to_json(
        response, by_alias=True, exclude_none=True
    )
    return body


def dump_error(error: ServiceError) -> bytes:
    """`{"__type": "<Code>", "Message": "...", <modeled members>}`."""
    return orjson.dumps({"__type": error.code, **error.to_wire()})
