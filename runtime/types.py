"""Annotated building blocks that generated type aliases are made of."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    GetCoreSchemaHandler,
    PlainSerializer,
    Strict,
)
from pydantic_core import PydanticCustomError, core_schema

from runtime.patterns import compile_pattern


class Pattern:
    """Constrains a string to an AWS `pattern`, with AWS's meaning.

    `source` is the pattern already translated by `codegen.patterns.translate` (ECMA/Java
    dialect, search semantics, ASCII `\\d`/`\\w`); `model` is the pattern as the service
    model writes it (when it differs), used in error messages. The regex is compiled on
    first use.
    """

    __slots__ = ("source", "model")

    def __init__(self, source: str, model: str | None = None) -> None:
        self.source = source
        self.model = source if model is None else model

    def __repr__(self) -> str:
        return f"Pattern({self.model!r})"

    def __get_pydantic_core_schema__(
        self, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        source, model = self.source, self.model

        def check(value: str) -> str:
            if compile_pattern(source).search(value) is None:
                raise PydanticCustomError(
                    "string_pattern_mismatch",
                    "String should match pattern '{pattern}'",
                    {"pattern": model},
                )
            return value

        return core_schema.no_info_after_validator_function(check, handler(source_type))


def _epoch_seconds(value: datetime) -> int | float:
    seconds = round(value.timestamp(), 3)
    return int(seconds) if seconds.is_integer() else seconds


def _iso8601(value: datetime) -> str:
    return (
        value.astimezone(timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _rfc822(value: datetime) -> str:
    return format_datetime(value.astimezone(timezone.utc), usegmt=True)


def parse_timestamp_text(value: Any) -> Any:
    """Timestamps in text: every ISO 8601 form Python reads (the basic `20170228T1215Z`
    that AWS examples use included) and RFC 822 (`Thu, 15 Dec 2016 01:19:41 GMT`).
    Anything else is left for pydantic to judge (epoch numbers, or an error)."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError):
            pass
    return value


def _epoch_seconds_or_text(value: Any) -> Any:
    """Epoch numbers are seconds, whatever their size: pydantic alone reads a number
    above 2e10 as milliseconds, so every instant from the year 2603 on, sent as AWS
    sends it, would land in the 1970s. Out of Python's range (before the year 1, after
    9999): pydantic's own `datetime_parsing` failure. Text: `parse_timestamp_text`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise PydanticCustomError(
                "datetime_parsing",
                "Input should be a valid datetime, {error}",
                {"error": "the epoch seconds are out of range"},
            ) from None
    return parse_timestamp_text(value)


_ParsedTimestamp = Annotated[AwareDatetime, BeforeValidator(_epoch_seconds_or_text)]

#: Timestamps are timezone-aware datetimes; on input they accept epoch seconds (int or
#: fraction) and ISO 8601. In JSON they dump in the format the shape (or its protocol) uses.
EpochTimestamp = Annotated[
    _ParsedTimestamp, PlainSerializer(_epoch_seconds, when_used="json")
]
Iso8601Timestamp = Annotated[
    _ParsedTimestamp, PlainSerializer(_iso8601, when_used="json")
]
Rfc822Timestamp = Annotated[
    _ParsedTimestamp, PlainSerializer(_rfc822, when_used="json")
]


_SPECIAL_FLOATS = {
    "NaN": float("nan"),
    "Infinity": float("inf"),
    "-Infinity": float("-inf"),
}


def _special_float(value: Any) -> Any:
    """JSON has no NaN or infinities: AWS JSON protocols send them as these strings."""
    if isinstance(value, str) and value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    return value


#: A float or double shape: strict (a string is not a number), save for the special values.
Float = Annotated[float, Strict(), BeforeValidator(_special_float)]


def _blob_from_input(value: Any, info: core_schema.ValidationInfo) -> bytes:
    """bytes as they are; a str as boto3 takes it (UTF-8 text), or, when validating a
    JSON body off the wire (`context={"wire": True}`), as the base64 the protocol sends.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        if not (info.context or {}).get("wire"):
            return value.encode("utf-8")
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise PydanticCustomError(
                "blob_base64", "Blob should be valid base64"
            ) from None
    raise PydanticCustomError("blob_type", "Blob should be bytes or a string")


class _BlobCodec:
    """Bytes in Python; a base64 string in JSON (as the JSON protocols send blobs)."""

    def __get_pydantic_core_schema__(
        self, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_plain_validator_function(
            _blob_from_input,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value: base64.b64encode(value).decode("ascii"), when_used="json"
            ),
        )


Blob = Annotated[bytes, _BlobCodec()]
