"""The ASGI application that serves one json-protocol service from its generated package.

Request flow: method/path check → body → SigV4 (the caller's account comes from the
verified credentials) → `X-Amz-Target` routing through the operation table → validation
into the request model → the handler method → the response model as JSON. Every failure
leaves as an AWS-shaped error; an unexpected one as the model's server fault (500) with
the request id, its traceback only in the log.

Answers outside the model (documented here, chosen to look like AWS):
- a path other than `/` → 404 `UnknownOperationException`; a method other than POST → 405
  `MethodNotAllowedException` with `Allow: POST`;
- an operation no handler implements → 501 `NotImplemented` (botocore does not retry it);
- a body over `max_body` bytes → 413 `RequestEntityTooLargeException`;
- more than `rate_limit` requests per second from one account (when set) → the model's
  throttling error (Organizations: TooManyRequestsException, 400), which botocore retries.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from runtime import jsonproto
from runtime.accounts import Accounts
from runtime.context import RequestContext
from runtime.errors import CommonError, NotImplementedOperation, ServiceError
from runtime.operations import Operation, ServiceInfo
from runtime.sigv4 import AuthError, verify
from runtime.throttle import RateLimiter
from runtime.validation import to_service_error

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

access_log = logging.getLogger("botogen.access")
error_log = logging.getLogger("botogen.error")


@dataclass(slots=True)
class _Reply:
    status: int
    body: bytes
    operation: str = "-"
    account: str = "-"
    extra_headers: tuple[tuple[bytes, bytes], ...] = ()


_ID_RANDOM = os.urandom(10).hex()
#: Request ids: UUID-shaped (version 4), a random part per process and a counter.
_ID_PREFIX = (
    f"{_ID_RANDOM[:8]}-{_ID_RANDOM[8:12]}-4{_ID_RANDOM[12:15]}-{_ID_RANDOM[15:19]}-"
)
_ID_COUNTER = itertools.count()


def _request_id() -> str:
    """Unique per process and cheaper than `uuid4()` on every request."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER) % 16**12:012x}"


def _joined(raw_headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Request headers by lower-case name, a repeated header's values joined by commas."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in raw_headers:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class AwsJsonApp:
    """Serves `operations` of `service` with `handler` (a subclass of the generated skeleton)."""

    def __init__(
        self,
        service: ServiceInfo,
        operations: Mapping[str, Operation],
        handler: object,
        accounts: Accounts,
        *,
        clock: Callable[[], datetime] = _utcnow,
        max_body: int = 8 * 1024 * 1024,
        rate_limit: float = 0,
    ) -> None:
        if service.protocol != "json":
            raise ValueError(
                f"{service.name} uses the {service.protocol} protocol, not json"
            )
        self.service = service
        self.handler = handler
        self.accounts = accounts
        self.clock = clock
        self.max_body = max_body
        self.limiter = RateLimiter(rate_limit) if rate_limit > 0 else None
        self.content_type = jsonproto.content_type(service.json_version)
        prefix = f"{service.target_prefix}."
        # X-Amz-Target value -> (operation, bound handler method, is it a coroutine?)
        self.routes: dict[str, tuple[Operation, Callable[..., Any], bool]] = {}
        for name, operation in operations.items():
            method = getattr(handler, operation.method)
            self.routes[prefix + name] = (
                operation,
                method,
                inspect.iscoroutinefunction(method),
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id()
        message = await receive()
        if message.get("more_body", False):
            body = await self._rest_of_body(message, receive)
        else:
            body = message.get("body", b"")
        outcome = self._dispatch(scope, body, request_id)
        reply = outcome if isinstance(outcome, _Reply) else await outcome
        headers = [
            (b"content-type", self.content_type),
            (b"content-length", b"%d" % len(reply.body)),
            (b"x-amzn-requestid", request_id.encode()),
        ]
        if reply.extra_headers:
            headers.extend(reply.extra_headers)
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": headers}
        )
        await send({"type": "http.response.body", "body": reply.body})
        access_log.info(
            "%s account=%s status=%d duration_ms=%.2f request_id=%s",
            reply.operation,
            reply.account,
            reply.status,
            1000 * (time.perf_counter() - started),
            request_id,
        )

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _rest_of_body(self, first: dict[str, Any], receive: Receive) -> bytes:
        """The body of a request that arrives in several messages; reading stops once it
        exceeds `max_body` (its length then tells)."""
        chunks, size, message = [], 0, first
        while True:
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if size > self.max_body or not message.get("more_body", False):
                return b"".join(chunks)
            message = await receive()

    def _throttled(self) -> ServiceError:
        message = "You have sent too many requests in too short a period of time. Try again later."
        cls = self.service.throttling_error
        return cls(message) if cls else CommonError("ThrottlingException", message)

    def _error(self, error: ServiceError, **fields: Any) -> _Reply:
        return _Reply(error.http_status, jsonproto.dump_error(error), **fields)

    def _dispatch(
        self, scope: Scope, body: bytes, request_id: str
    ) -> _Reply | Awaitable[_Reply]:
        """Everything up to the handler's answer; an awaitable when the handler is async."""
        if scope["path"] != "/":
            return self._error(
                CommonError(
                    "UnknownOperationException",
                    f"No such resource: {scope['path']}",
                    404,
                )
            )
        if scope["method"] != "POST":
            return self._error(
                CommonError(
                    "MethodNotAllowedException",
                    f"Method {scope['method']} is not allowed.",
                    405,
                ),
                extra_headers=((b"allow", b"POST"),),
            )
        if len(body) > self.max_body:
            return self._error(
                CommonError(
                    "RequestEntityTooLargeException",
                    f"The request body exceeds {self.max_body} bytes.",
                    413,
                )
            )
        raw_headers = scope["headers"]
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in raw_headers
        }
        if len(headers) != len(raw_headers):
            headers = _joined(raw_headers)
        try:
            caller = verify(
                method="POST",
                path=scope.get("raw_path", b"/").decode("latin-1") or "/",
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=headers,
                body=body,
                accounts=self.accounts,
                now=self.clock(),
                service=self.service.signing_name,
            )
        except AuthError as error:
            return self._error(CommonError(error.code, error.message, error.status))
        account = caller.account.id
        if self.limiter is not None and not self.limiter.allow(account):
            return self._error(self._throttled(), account=account)
        route = self.routes.get(headers.get("x-amz-target", ""))
        if route is None:
            target = headers.get("x-amz-target", "")
            return self._error(
                CommonError(
                    "UnknownOperationException", f"Unknown operation {target!r}."
                ),
                account=account,
            )
        operation, method, is_async = route
        try:
            request = jsonproto.parse_request(operation.input, body)
        except ValidationError as error:
            return self._error(
                to_service_error(error, self.service),
                operation=operation.name,
                account=account,
            )
        except ServiceError as error:
            return self._error(error, operation=operation.name, account=account)
        context = RequestContext(
            account, caller.principal_arn, caller.region, request_id
        )
        if is_async:
            return self._answer_async(method(context, request), operation, context)
        try:
            answer = jsonproto.dump_response(method(context, request))
        except Exception as error:
            return self._failure(error, operation, context)
        return _Reply(200, answer, operation.name, account)

    async def _answer_async(
        self, pending: Awaitable[Any], operation: Operation, context: RequestContext
    ) -> _Reply:
        try:
            answer = jsonproto.dump_response(await pending)
        except Exception as error:
            return self._failure(error, operation, context)
        return _Reply(200, answer, operation.name, context.account_id)

    def _failure(
        self, error: Exception, operation: Operation, context: RequestContext
    ) -> _Reply:
        """The reply to a handler that raised: its modeled error, not-implemented, or
        (anything else) the model's server fault, the traceback only in the log."""
        account = context.account_id
        if isinstance(error, ServiceError):
            return self._error(error, operation=operation.name, account=account)
        if isinstance(error, NotImplementedOperation):
            return self._error(
                CommonError("NotImplemented", str(error), 501),
                operation=operation.name,
                account=account,
            )
        error_log.error(
            "%s failed, request_id=%s",
            operation.name,
            context.request_id,
            exc_info=error,
        )
        fault = self.service.internal_error
        message = f"An internal error occurred. Request id: {context.request_id}."
        return self._error(
            fault(message) if fault else CommonError("InternalFailure", message, 500),
            operation=operation.name,
            account=account,
        )
