"""The HTTP/1.1 layer of `botogen serve`: limits, so that no hostile or careless client can
stall, bloat or freeze the server before a request reaches the ASGI app.

uvicorn's httptools protocol parses requests with llhttp, which has no limit of its own:
it collects any number of header fields of any size, waits forever for the rest of a
request line, a header or a body, and queues every pipelined request it has parsed.
`LimitedHttpToolsProtocol` subclasses it (only its public callbacks) and enforces
`HttpLimits` while parsing, in time linear in the input and in memory bounded by the
limits (plus one socket read):

- `max_header_count` (100) header fields per request. AWS SDKs send about ten; a flood
  of fields (20,000 copies of one field used to hold the event loop, and every client,
  for seconds) stops at field 101.
- `max_header_bytes` (16 KiB) for all header fields together (name, colon, value, line
  end), of the order of common servers' defaults (Apache: 100 fields of up to 8 KiB;
  nginx: lines of up to 8 KiB, 32 KiB in all); a SigV4 request's headers take well under
  2 KiB. Fields are counted as they arrive, not once
  complete: a head that spans several reads is charged every byte of them (padding and
  line ends included), so a single huge field, or a flood of line ends, never grows past
  the limit (plus one read) in memory. The same bound applies to what a chunked body
  sends without data (trailer fields, which httptools also collects whole, and chunk
  framing), and trailer fields count towards the header count and size.
- `max_url_bytes` (8 KiB) for the request target (Apache's request line limit): an AWS
  JSON service is `POST /`, and the URL is counted as it arrives too.
- `header_timeout` (10 s): the whole request head (request line and header fields) must
  arrive within this time of its first byte (for a connection's first request: of the
  connection itself). A client sending its head one byte at a time ("slowloris") is
  answered 408 and closed; a connection that sends nothing is closed.
- `body_timeout` (30 s): the whole body must arrive within this time of the end of the
  head. Content-Length larger than what comes, or a chunked body that never ends: 408
  and closed. (A pipelined request's body counts from its own head too, and deadlines
  run while uvicorn holds reading back behind the answers before it: a client that
  pipelines behind slow answers can meet them. SDKs do not pipeline.)
- `keep_alive_timeout` (5 s, uvicorn's `timeout_keep_alive`): an idle connection between
  requests is closed.
- `max_pipelined` (16) requests parsed ahead of the one being answered: the rest of the
  input is not parsed, the queued ones are answered, then the connection is closed (HTTP
  clients resend the unanswered ones on a new connection). Without it every request in
  a read (thousands of tiny ones fit in one) was queued with its request state.
- After an error answer the connection is closed gracefully: the answer, then end of
  output, then up to `linger_bytes` (1 MiB) of whatever the client still sends is read
  and dropped for at most `linger_timeout` (2 s), so the client gets to read the answer
  instead of a connection reset.

The body itself is limited by the app (`runtime.app.App.max_body`, 8 MiB, answered 413
without reading further); uvicorn buffers at most 64 KiB of it ahead of the app. Once a
request is answered before its body has all arrived (413, 404, 405...), this layer stops
parsing that connection: the rest of the body is dropped as above, and the connection
closed. A chunked body of millions of tiny chunks costs one Python call per chunk but
stays under the app's cap, the body timeout and, after the answer, the linger limits.

What the answers look like. Limit errors are AWS-shaped JSON errors, with the service's
content type, an `x-amzn-RequestId` header and `connection: close`:

| what | answer |
|---|---|
| more than `max_header_count` fields, or more than `max_header_bytes` of them | 431 `RequestHeaderFieldsTooLargeException` |
| a URL longer than `max_url_bytes` | 414 `RequestURITooLongException` |
| a head or body slower than its timeout | 408 `RequestTimeoutException` (botocore's standard retry mode retries it) |
| a request llhttp cannot parse (uvicorn's plain-text 400) | 400 `BadRequestException` |

DECIDED: those four names, modelled on the app's 413 `RequestEntityTooLargeException`
(`Request` + the HTTP reason + `Exception`; 400 as API Gateway names it). An answer is
only written where it is the next answer the client expects: when the error is found
while earlier pipelined requests are still being answered it waits for them; when the
request in question already has its answer (an early 413, say) the connection is just
closed.

`server_config(app, limits)` is the `uvicorn.Config` that `botogen serve` runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("botogen.http")

#: The content type of the error answers, unless the app says otherwise.
DEFAULT_CONTENT_TYPE = b"application/x-amz-json-1.1"


@dataclass(frozen=True)
class HttpLimits:
    """What one connection may send, and how slowly (see the module docstring)."""

    #: Header fields in one request (431 past it).
    max_header_count: int = 100
    #: All header fields of one request, in bytes as received (431 past it).
    max_header_bytes: int = 16 * 1024
    #: The request target (URL), in bytes (414 past it).
    max_url_bytes: int = 8 * 1024
    #: Seconds for a request's head to arrive, from its first byte (or the connection).
    header_timeout: float = 10.0
    #: Seconds for a request's body to arrive, from the end of its head.
    body_timeout: float = 30.0
    #: Seconds an idle connection is kept between requests (uvicorn counts whole seconds).
    keep_alive_timeout: int = 5
    #: Requests parsed ahead of the one being answered on a connection.
    max_pipelined: int = 16
    #: After an error answer: seconds and bytes of input read and dropped before the close.
    linger_timeout: float = 2.0
    linger_bytes: int = 1024 * 1024

    def __post_init__(self) -> None:
        for name in (
            "max_header_count",
            "max_header_bytes",
            "max_url_bytes",
            "keep_alive_timeout",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"HttpLimits.{name} must be at least 1")
        for name in ("header_timeout", "body_timeout", "linger_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"HttpLimits.{name} must be positive")
        if self.max_pipelined < 0 or self.linger_bytes < 0:
            raise ValueError("HttpLimits.max_pipelined and linger_bytes must be >= 0")


@dataclass(frozen=True, slots=True)
class Refusal:
    """An error answer of this layer; status 0: close without one."""

    status: int
    code: str = ""
    message: str = ""


#: Close the connection without an answer.
CLOSE = Refusal(0)
BAD_REQUEST = Refusal(400, "BadRequestException", "The request is not valid HTTP/1.1.")


class RequestRefused(Exception):
    """Raised in a parser callback to stop parsing (llhttp then reports an error)."""


# Where the parser is in the current request.
IDLE, HEAD, BODY = 0, 1, 2
#: The request line apart from its URL (method, spaces, version, line end), in bytes.
REQUEST_LINE_SLACK = 64


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol under `limits` (see the module docstring).

    Use `protocol_class(limits)`: uvicorn builds one instance per connection from the
    class, so the limits are class attributes.
    """

    limits: ClassVar[HttpLimits] = HttpLimits()
    error_content_type: ClassVar[bytes] = DEFAULT_CONTENT_TYPE

    # Per connection (set in connection_made, which uvicorn calls before any data):
    #   stage: IDLE / HEAD / BODY, of the request being parsed.
    #   head_bytes, url_bytes, header_count, header_bytes: the current head's sizes.
    #   begun, completed: requests begun and completed during the current read.
    #   framing: bytes of the current body read since the last body data arrived.
    #   refusal: what a parser callback refused, before it raised RequestRefused.
    #   finished: parsing has stopped for good; input is dropped (up to linger_bytes).
    #   pending: the answer still to write once earlier answers are out.
    #   deadline: the armed timer (head, body or linger), if any.

    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        super().connection_made(transport)
        self.stage = IDLE
        self.head_bytes = 0
        self.url_bytes = 0
        self.header_count = 0
        self.header_bytes = 0
        self.begun = 0
        self.completed = 0
        self.refusal: Refusal | None = None
        self.finished = False
        self.pending: Refusal | None = None
        self.framing = 0
        self.dropped = 0
        self.deadline: asyncio.TimerHandle | None = None
        self.arm(self.limits.header_timeout, self.head_expired)

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.finished:
            self.dropped += len(data)
            if self.dropped > self.limits.linger_bytes:
                self.transport.close()
            return
        before = self.stage
        self.begun = self.completed = 0
        cycle = self.cycle
        buffered = len(cycle.body) if before == BODY else 0
        super().data_received(data)
        if self.finished:
            return
        stage = self.stage
        if stage == BODY:
            if before == BODY and self.begun == 0:
                # The same body throughout this read. Bytes that brought no body
                # data are framing: chunk sizes and extensions (skipped by llhttp) or
                # trailer fields (collected by httptools, reported only once whole).
                if len(cycle.body) > buffered:
                    self.framing = 0
                else:
                    self.framing += len(data)
                    if self.framing > self.limits.max_header_bytes:
                        self.refuse(self.framing_too_large())
                        return
            if self.deadline is None:
                self.arm(self.limits.body_timeout, self.body_expired)
            return
        if stage == HEAD:
            # All of this read is the current head's when the head began before it, or
            # began in it with only line ends before (llhttp skips those between
            # requests). A head that began right after an earlier request in the same
            # read is counted by its callbacks only; its next reads count in full.
            if self.begun == 0 or (self.begun == 1 and before == IDLE):
                self.head_bytes += len(data)
        elif self.completed == 0:  # IDLE, and nothing but line ends arrived
            self.head_bytes += len(data)
        else:
            return
        if (
            self.head_bytes - self.url_bytes - REQUEST_LINE_SLACK
            > self.limits.max_header_bytes
        ):
            self.refuse(self.headers_too_large())
            return
        if self.deadline is None:
            self.arm(self.limits.header_timeout, self.head_expired)

    # Parser callbacks (llhttp → httptools → here).

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.stage = HEAD
        self.begun += 1
        self.head_bytes = self.url_bytes = self.header_count = self.header_bytes = 0

    def on_url(self, url: bytes) -> None:
        # httptools reports the URL piece by piece as it arrives.
        self.url_bytes += len(url)
        if self.url_bytes > self.limits.max_url_bytes:
            self.stop_parsing(
                Refusal(
                    414,
                    "RequestURITooLongException",
                    f"The request URL exceeds {self.limits.max_url_bytes} bytes.",
                )
            )
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_count += 1
        self.header_bytes += len(name) + len(value) + 4
        if (
            self.header_count > self.limits.max_header_count
            or self.header_bytes > self.limits.max_header_bytes
        ):
            self.stop_parsing(self.headers_too_large())
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        cycle = self.cycle
        if (
            cycle is not None
            and not cycle.response_complete
            and len(self.pipeline) >= self.limits.max_pipelined
        ):
            # Parse no further ahead: answer what is queued, then close.
            self.stop_parsing(CLOSE)
        super().on_headers_complete()
        self.stage = BODY
        self.framing = 0
        self.disarm()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.stage = IDLE
        self.completed += 1
        self.head_bytes = self.url_bytes = 0
        self.disarm()
        if self.parser.should_upgrade():
            # The client asked to switch protocols (Upgrade, CONNECT); this server does
            # not: what follows on the connection is not HTTP. Answer, then close.
            self.refuse(CLOSE)

    # uvicorn's hooks.

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to input llhttp rejected (or a limit a callback refused)."""
        refusal, self.refusal = self.refusal or BAD_REQUEST, None
        self.refuse(refusal)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self.finished:
            if self.pending is not None and not self.answering():
                self.flush()
        elif self.stage == BODY and self.cycle.response_complete:
            # Answered before its body has all arrived (413, 404...): stop reading.
            self.refuse(CLOSE)
        elif self.deadline is not None and self.timeout_keep_alive_task is not None:
            # The next request has begun arriving: its head deadline applies, not the
            # idle timeout uvicorn has just armed.
            self.timeout_keep_alive_task.cancel()

    # Limits, refusals, deadlines.

    def headers_too_large(self) -> Refusal:
        limits = self.limits
        return Refusal(
            431,
            "RequestHeaderFieldsTooLargeException",
            f"The request has more than {limits.max_header_count} header fields or "
            f"more than {limits.max_header_bytes} bytes of them.",
        )

    def framing_too_large(self) -> Refusal:
        return Refusal(
            431,
            "RequestHeaderFieldsTooLargeException",
            f"The request's trailer fields (or chunk framing without data) exceed "
            f"{self.limits.max_header_bytes} bytes.",
        )

    def stop_parsing(self, refusal: Refusal) -> None:
        """In a parser callback: stop parsing; `send_400_response` then refuses."""
        self.refusal = refusal
        raise RequestRefused(refusal.code)

    def answering(self) -> bool:
        """Whether an earlier request's answer is still to be written in full."""
        if self.pipeline:
            return True
        cycle = self.cycle
        return (
            cycle is not None and not cycle.response_complete and not cycle.disconnected
        )

    def refuse(self, refusal: Refusal) -> None:
        """Stop parsing this connection; answer `refusal` when it is the next answer due
        (at once, or when the answers before it are out), then close gracefully."""
        if self.finished:
            return
        self.finished = True
        self.disarm()
        cycle = self.cycle
        if self.stage == BODY and cycle is not None:
            if cycle.response_started:
                # That request has (or is getting) its answer: another would be stray.
                refusal = CLOSE
            else:
                # Its app gets no more of the body and its answer goes nowhere (what
                # uvicorn does when the client goes away): this refusal answers it.
                cycle.disconnected = True
                cycle.message_event.set()
        if refusal.status:
            log.info(
                "%d %s from %s: %s",
                refusal.status,
                refusal.code,
                self.client,
                refusal.message,
            )
        self.pending = refusal
        if not self.answering():
            self.flush()

    def flush(self) -> None:
        """Write the pending answer, end the output, linger, close."""
        refusal, self.pending = self.pending, None
        transport = self.transport
        if refusal is None or transport.is_closing():
            return
        if refusal.status:
            transport.write(self.error_response(refusal))
        if transport.can_write_eof():
            transport.write_eof()
            self.flow.resume_reading()  # drop what still comes, instead of a reset
            self.arm(self.limits.linger_timeout, transport.close)
        else:
            transport.close()

    def error_response(self, refusal: Refusal) -> bytes:
        body = json.dumps(
            {"__type": refusal.code, "Message": refusal.message}, separators=(",", ":")
        ).encode()
        phrase = HTTPStatus(refusal.status).phrase
        head = [f"HTTP/1.1 {refusal.status} {phrase}\r\n".encode("ascii")]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: ",
            self.error_content_type,
            b"\r\ncontent-length: %d\r\n" % len(body),
            b"x-amzn-requestid: ",
            str(uuid.uuid4()).encode("ascii"),
            b"\r\nconnection: close\r\n\r\n",
            body,
        ]
        return b"".join(head)

    def arm(self, seconds: float, then: Callable[[], None]) -> None:
        self.disarm()
        self.deadline = self.loop.call_later(seconds, then)

    def disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def head_expired(self) -> None:
        self.deadline = None
        if self.stage == IDLE and self.head_bytes == 0:
            self.transport.close()  # nothing of a request came: nobody to answer
            return
        self.refuse(
            Refusal(
                408,
                "RequestTimeoutException",
                f"The request head did not arrive within "
                f"{self.limits.header_timeout:g} seconds.",
            )
        )

    def body_expired(self) -> None:
        self.deadline = None
        self.refuse(
            Refusal(
                408,
                "RequestTimeoutException",
                f"The request body did not arrive within "
                f"{self.limits.body_timeout:g} seconds.",
            )
        )


def protocol_class(
    limits: HttpLimits = HttpLimits(), content_type: bytes = DEFAULT_CONTENT_TYPE
) -> type[LimitedHttpToolsProtocol]:
    """A `LimitedHttpToolsProtocol` for `limits`, its error answers of `content_type`."""

    class Limited(LimitedHttpToolsProtocol):
        pass

    Limited.limits = limits
    Limited.error_content_type = content_type
    return Limited


def server_config(
    app: Callable[..., Any], limits: HttpLimits = HttpLimits()
) -> uvicorn.Config:
    """The uvicorn configuration `botogen serve` runs `app` with, under `limits`.

    The error answers take the app's content type when it has one
    (`app.protocol.content_type`, as `runtime.app.App`), else JSON 1.1's. WebSocket
    upgrades are off: the service speaks HTTP only, and every connection stays under
    these limits.
    """
    content_type = getattr(getattr(app, "protocol", None), "content_type", None)
    if not isinstance(content_type, bytes):
        content_type = DEFAULT_CONTENT_TYPE
    return uvicorn.Config(
        app,
        loop="uvloop",
        http=protocol_class(limits, content_type),
        ws="none",
        lifespan="off",
        access_log=False,
        server_header=False,
        proxy_headers=False,  # the caller is who signed the request, not a header
        log_config=None,
        timeout_keep_alive=limits.keep_alive_timeout,
    )
