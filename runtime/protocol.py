"""The boundary between the request pipeline and a wire protocol.

`runtime.pipeline` knows requests only as `Received` (what arrived, already within the
receive limits) and asks the service's `WireProtocol` four things: is this the
protocol's endpoint at all, which operation is it (route), what is its input (decode
and validate into the operation's input model), and what bytes answer it (encode a
response model, or an error). AWS JSON 1.0/1.1 (`runtime.jsonproto.AwsJsonProtocol`)
implements it; the REST and query protocols could, behind the same four calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from runtime.errors import ServiceError
from runtime.model import AwsModel
from runtime.operations import Operation


@dataclass(slots=True)
class Received:
    """One request as it arrived."""

    method: str
    #: The path exactly as received, still percent-encoded, without the query.
    path: str
    #: The raw query string, without `?`.
    query: str
    #: Header names lower-cased; a repeated header's values joined with `,`.
    headers: dict[str, str]
    body: bytes
    request_id: str


class WireProtocol(Protocol):
    #: The `Content-Type` of every answer.
    content_type: bytes

    def endpoint_error(self, request: Received) -> ServiceError | None:
        """The error for a request that is not for this protocol's endpoint at all
        (wrong path or method), checked before authentication; None if it is."""

    def route(self, request: Received) -> Operation:
        """The operation the request calls; raises `ServiceError` if none."""

    def decode(self, operation: Operation, request: Received) -> AwsModel:
        """The request's input model. Raises `ServiceError` for a body the protocol
        cannot read, `runtime.validation.InvalidRequest` for broken constraints."""

    def encode(self, operation: Operation, response: AwsModel | None) -> bytes:
        """The body of a successful answer."""

    def encode_error(self, error: ServiceError) -> bytes:
        """The body of an error answer (status and headers come from the error)."""
