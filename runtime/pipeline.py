"""The request pipeline: what happens to a request between its bytes and its answer.

    receive (runtime.app, on the event loop: limits, timeouts, body size)
      → authenticate (SigV4: the caller is whoever verifiably signed)
      → throttle (per account)
      → route (the protocol: which operation)
      → decode (the protocol: body → the operation's input model, validated)
      → handle (the service's handler method, with a RequestContext)
      → encode (the protocol: response model → bytes; or the error → its envelope)

`Pipeline.run` is the steps after receive. It is synchronous and runs on a worker thread
(`runtime.app`), so a handler that waits for a lock or a slow database delays its own
request only. When the handler can tell when it would wait (`reads_first`, see
`runtime.handler`), `run_reads_first(request)` runs it where nothing may wait — on the
event loop itself where transactions that need not wait cost only CPU (`reads_inline`),
else on the readers' threads — and hands back what is left to do (for the writers'
threads) the moment the handler would wait (`runtime.database.WouldWait`), before it has
changed anything. It never raises: every failure becomes an AWS-shaped `Reply` — the
service's own error, not-implemented (501), or, for anything unexpected, the model's
server fault with the request id, whose traceback goes to the error log only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from runtime.accounts import Signers
from runtime.context import RequestContext
from runtime.database import WouldWait, never_waiting
from runtime.errors import CommonError, NotImplementedOperation, ServiceError
from runtime.model import AwsModel
from runtime.operations import Operation
from runtime.protocol import Received, WireProtocol
from runtime.service import ErrorPolicy
from runtime.sigv4 import AuthError, Caller, verify
from runtime.throttle import RateLimiter
from runtime.validation import InvalidRequest

error_log = logging.getLogger("botogen.error")


@dataclass(slots=True)
class Reply:
    """An answer, and what the access log says about it."""

    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    operation: str = "-"
    account: str = "-"
    #: The error code answered, "-" for a success.
    error: str = "-"
    #: For the log only: why (the member and constraint that failed, ...).
    detail: str = ""
    #: None: the protocol's content type.
    content_type: bytes | None = None


@dataclass(slots=True)
class Resume:
    """A decoded request: its handle and encode steps, still to run (on a thread where
    waiting is allowed, when a read that never waits found it would)."""

    pipeline: Pipeline
    operation: Operation
    context: RequestContext
    model: AwsModel

    def __call__(self) -> Reply:
        return self.pipeline.handled(self.operation, self.context, self.model)


class Pipeline:
    """The steps after receive, for one service (see the module docstring)."""

    def __init__(
        self,
        *,
        protocol: WireProtocol,
        operations: Mapping[str, Operation],
        handler: object,
        signers: Signers,
        errors: ErrorPolicy,
        signing_name: str,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.protocol = protocol
        self.handler = handler
        self.signers = signers
        self.errors = errors
        self.signing_name = signing_name
        self.limiter = limiter
        #: Whether `run_reads_first` may be tried, and where (module docstring).
        self.reads_first = bool(getattr(handler, "reads_first", False))
        self.reads_inline = bool(getattr(handler, "reads_inline", False))
        self.writes_serial = bool(getattr(handler, "writes_serial", False))
        self.methods: dict[str, Callable[[RequestContext, AwsModel], Any]] = {
            name: getattr(handler, operation.method)
            for name, operation in operations.items()
        }

    def error_reply(
        self,
        error: ServiceError,
        operation: str = "-",
        account: str = "-",
        detail: str = "",
    ) -> Reply:
        return Reply(
            error.http_status,
            self.protocol.encode_error(error),
            error.headers,
            operation,
            account,
            error.code,
            detail,
        )

    # -- the steps ------------------------------------------------------------------------

    def authenticate(self, request: Received) -> Caller:
        return verify(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=request.body,
            accounts=self.signers,
            service=self.signing_name,
        )

    def throttle(self, caller: Caller) -> None:
        if self.limiter is not None and not self.limiter.allow(caller.account.id):
            raise self.errors.throttled()

    def handle(
        self, operation: Operation, context: RequestContext, request: AwsModel
    ) -> AwsModel | None:
        answer: AwsModel | None = self.methods[operation.name](context, request)
        return answer

    def run(self, request: Received) -> Reply:
        """Every step after receive; never raises."""
        decoded = self.decoded(request)
        if isinstance(decoded, Reply):
            return decoded
        return decoded()

    def run_reads_first(self, request: Received) -> Reply | Callable[[], Reply]:
        """`run` where nothing may wait; what is left to do when it would (authentication
        may read too: who may sign)."""
        decoded: Reply | Resume | None = None
        try:
            with never_waiting():
                decoded = self.decoded(request)
                if isinstance(decoded, Reply):
                    return decoded
                return decoded()
        except WouldWait:
            if decoded is None:
                return partial(self.run, request)
            assert isinstance(decoded, Resume)
            return decoded

    def decoded(self, request: Received) -> Reply | Resume:
        """The steps up to decode: the error reply, or what is left to do."""
        try:
            caller = self.authenticate(request)
        except AuthError as error:
            return self.error_reply(
                CommonError(error.code, error.message, error.status)
            )
        account = caller.account.id
        name = "-"
        try:
            self.throttle(caller)
            operation = self.protocol.route(request)
            name = operation.name
            try:
                model = self.protocol.decode(operation, request)
            except InvalidRequest as invalid:
                detail = "; ".join(map(str, invalid.failures))
                answer = self.errors.invalid_input(invalid.failures)
                return self.error_reply(answer, name, account, detail)
        except ServiceError as error:
            return self.error_reply(error, name, account, str(error))
        context = RequestContext(
            account, caller.principal_arn, caller.region, request.request_id
        )
        return Resume(self, operation, context, model)

    def handled(
        self, operation: Operation, context: RequestContext, model: AwsModel
    ) -> Reply:
        """The handle and encode steps; never raises (but `WouldWait`)."""
        name, account = operation.name, context.account_id
        try:
            response = self.handle(operation, context, model)
            body = self.protocol.encode(operation, response)
        except ServiceError as error:
            return self.error_reply(error, name, account, str(error))
        except NotImplementedOperation as error:
            return self.error_reply(
                CommonError("NotImplemented", str(error), 501), name, account
            )
        except Exception as error:
            error_log.error(
                "%s failed, request_id=%s", name, context.request_id, exc_info=error
            )
            fault = self.errors.internal(context.request_id)
            return self.error_reply(fault, name, account, type(error).__name__)
        return Reply(200, body, (), name, account)
