"""The ASGI application: receive a request within limits, run the pipeline off the event
loop, send the answer.

The event loop is shared by every client, so nothing that waits or burns CPU per request
runs on it unbounded. It only reads the request (the body up to `max_body` bytes: a
larger one is answered 413 `RequestEntityTooLargeException` without reading further; the
HTTP layer, `runtime.http`, limits headers and read times), builds a `Received`, and
hands it to `runtime.pipeline.Pipeline.run` on a pool of worker threads; a handler
waiting for a storage lock, a slow database round trip or a large body's parsing holds
up its own request only. `threads` bounds how many requests are in the pipeline at once
per pool; more wait for a free thread while the loop goes on serving I/O.

When the handler can tell when it would wait (`Pipeline.reads_first`), a request runs
first where nothing may wait: on the loop itself when its transactions cost only CPU and
the body is small (SQLite: reads, and writes whose locks are free), else on the readers'
pool; it moves to the writers' pool the moment it would wait. So requests queued behind
a lock never hold up the others. Where the database has one writer anyway (SQLite), the
writers' pool is one thread: those requests queue in order instead of contending for the
lock and the interpreter.

With `admin` set, paths under `/_botogen/` are the test-control API (`runtime.admin`);
without it they are ordinary unknown paths.

Every request leaves one access-log line: operation, account, status, error code, why
(for a failed validation: the member and the constraint, never the value), duration and
request id.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from runtime.errors import CommonError
from runtime.pipeline import Pipeline, Reply
from runtime.protocol import Received

if TYPE_CHECKING:
    from runtime.admin import Admin

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

access_log = logging.getLogger("botogen.access")

#: Bodies up to this size may be read on the event loop (parsing them takes well under a
#: millisecond); larger ones always go to a worker thread.
INLINE_BODY = 64 * 1024
#: Paths of the test-control API.
ADMIN_PREFIX = "/_botogen/"


def _id_prefix() -> str:
    """A random UUID-shaped prefix (version 4, RFC 4122 variant) for one process."""
    random = os.urandom(10).hex()
    variant = "89ab"[int(random[15], 16) & 3]
    return f"{random[:8]}-{random[8:12]}-4{random[12:15]}-{variant}{random[16:19]}-"


#: Request ids: UUID-shaped, a random part per process and a counter.
_ID_PREFIX = _id_prefix()
_ID_COUNTER = itertools.count()


def _new_process() -> None:
    """A forked server process (`--workers N`) must not repeat its parent's ids."""
    global _ID_PREFIX, _ID_COUNTER
    _ID_PREFIX = _id_prefix()
    _ID_COUNTER = itertools.count()


os.register_at_fork(after_in_child=_new_process)


def _request_id() -> str:
    """Unique per process and cheaper than `uuid4()` on every request."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER) % 16**12:012x}"


def request_headers(raw_headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Headers by lower-case name, a repeated header's values joined by commas (in time
    linear in their number)."""
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in raw_headers
    }
    if len(headers) == len(raw_headers):
        return headers
    values: dict[str, list[str]] = {}
    for raw_name, raw_value in raw_headers:
        values.setdefault(raw_name.decode("latin-1").lower(), []).append(
            raw_value.decode("latin-1")
        )
    return {name: ",".join(found) for name, found in values.items()}


class App:
    """Serves one service: `pipeline` on `threads` worker threads."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        max_body: int = 8 * 1024 * 1024,
        threads: int = 16,
        admin: Admin | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.protocol = pipeline.protocol
        self.max_body = max_body
        self.admin = admin
        #: Requests that may wait (for a lock, a round trip); and, when the handler can
        #: tell, reads that never wait and do not fit on the event loop.
        writers = 1 if pipeline.writes_serial else threads
        self.writers = ThreadPoolExecutor(writers, thread_name_prefix="botogen-writer")
        self.readers = ThreadPoolExecutor(threads, thread_name_prefix="botogen-reader")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id()
        reply = await self._answer(scope, receive, request_id)
        headers = [
            (b"content-type", reply.content_type or self.protocol.content_type),
            (b"content-length", b"%d" % len(reply.body)),
            (b"x-amzn-requestid", request_id.encode()),
            *reply.headers,
        ]
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": headers}
        )
        await send({"type": "http.response.body", "body": reply.body})
        if not access_log.isEnabledFor(logging.INFO):
            return
        access_log.info(
            "%s account=%s status=%d error=%s duration_ms=%.2f request_id=%s%s",
            reply.operation,
            reply.account,
            reply.status,
            reply.error,
            1000 * (time.perf_counter() - started),
            request_id,
            f" why={reply.detail!r}" if reply.detail else "",
        )

    async def _answer(self, scope: Scope, receive: Receive, request_id: str) -> Reply:
        request = Received(
            scope["method"],
            scope.get("raw_path", b"/").decode("latin-1") or "/",
            scope.get("query_string", b"").decode("latin-1"),
            {},
            b"",
            request_id,
        )
        admin = self.admin is not None and request.path.startswith(ADMIN_PREFIX)
        if not admin:
            refused = self.protocol.endpoint_error(request)
            if refused is not None:
                return self.pipeline.error_reply(refused)
        body = await self._body(receive)
        if body is None:
            return self.pipeline.error_reply(
                CommonError(
                    "RequestEntityTooLargeException",
                    f"The request body exceeds {self.max_body} bytes.",
                    413,
                )
            )
        request.body = body
        request.headers = request_headers(scope["headers"])
        loop = asyncio.get_running_loop()
        if admin:
            assert self.admin is not None
            return await loop.run_in_executor(self.writers, self.admin.run, request)
        pipeline = self.pipeline
        if not pipeline.reads_first:
            return await loop.run_in_executor(self.writers, pipeline.run, request)
        if pipeline.reads_inline and len(body) <= INLINE_BODY:
            outcome = pipeline.run_reads_first(request)
        else:
            outcome = await loop.run_in_executor(
                self.readers, pipeline.run_reads_first, request
            )
        if isinstance(outcome, Reply):
            return outcome
        return await loop.run_in_executor(self.writers, outcome)

    async def _body(self, receive: Receive) -> bytes | None:
        """The whole body, or None once it exceeds `max_body` (reading stops there)."""
        message = await receive()
        chunk: bytes = message.get("body", b"")
        if not message.get("more_body", False):
            return chunk if len(chunk) <= self.max_body else None
        chunks, size = [chunk], len(chunk)
        while message.get("more_body", False):
            if size > self.max_body:
                return None
            message = await receive()
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks) if size <= self.max_body else None

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        self.writers.shutdown(wait=True, cancel_futures=True)
        self.readers.shutdown(wait=True, cancel_futures=True)
