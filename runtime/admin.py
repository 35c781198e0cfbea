"""The test-control API: health, reset, the business clock. Off unless `--admin`.

What test suites get from moto's `/moto-api/reset` and LocalStack's
`/_localstack/health`, under `/_botogen/`, JSON in and out (`application/json`):

| request | answer |
|---|---|
| `GET /_botogen/health` | `{"status": "running", "service": ..., "botocore": ..., "operations": N, "implemented": M}` |
| `POST /_botogen/reset` | every row of the service's state deleted, then the start-up work and the seed run again: `{"reset": true}` |
| `GET /_botogen/clock` | `{"now": "<ISO 8601>", "set": true/false}` (false: the wall clock runs) |
| `POST /_botogen/clock` with `{"now": "2016-11-30T19:27:58Z"}` | the business clock stops at that instant (for every server process); `{"now": null}` lets the wall clock run again |

DECIDED: no authentication (the API exists only when the server was started with
`--admin`, meant for a test server on the loopback interface, as moto's and LocalStack's);
errors are `{"__type": ..., "Message": ...}` with 400/404/405. A clock request needs a
business clock file (`--clock-file`, or the one `botogen serve --admin` makes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from runtime.clock import FileClock, parse_instant
from runtime.pipeline import Reply
from runtime.protocol import Received

JSON = b"application/json"


@dataclass(frozen=True)
class Admin:
    """The test-control API of one server process."""

    #: Facts `health` reports.
    health: dict[str, Any]
    #: Deletes all state and runs the start-up work again.
    reset: Callable[[], None]
    clock: FileClock | None
    #: The business clock as handlers read it.
    now: Callable[[], Any]

    def run(self, request: Received) -> Reply:
        route = (request.method, request.path.split("?")[0])
        try:
            if route == ("GET", "/_botogen/health"):
                return _json(200, {"status": "running", **self.health})
            if route == ("POST", "/_botogen/reset"):
                self.reset()
                return _json(200, {"reset": True})
            if route == ("GET", "/_botogen/clock"):
                return self._clock_reply()
            if route == ("POST", "/_botogen/clock"):
                return self._set_clock(request.body)
        except ValueError as error:
            return _error(400, "ValidationException", str(error))
        known = {"/_botogen/health", "/_botogen/reset", "/_botogen/clock"}
        if route[1] in known:
            return _error(405, "MethodNotAllowedException", "Method not allowed.")
        return _error(404, "UnknownOperationException", "No such test-control path.")

    def _clock_reply(self) -> Reply:
        fixed = self.clock is not None and self.clock.is_set()
        return _json(200, {"now": self.now().isoformat(), "set": fixed})

    def _set_clock(self, body: bytes) -> Reply:
        if self.clock is None:
            raise ValueError("this server has no business clock file to set")
        try:
            document = orjson.loads(body or b"{}")
        except orjson.JSONDecodeError:
            raise ValueError("the body must be a JSON object") from None
        if not isinstance(document, dict) or "now" not in document:
            raise ValueError('expected {"now": "<ISO 8601 instant>" or null}')
        value = document["now"]
        if value is not None and not isinstance(value, str):
            raise ValueError('"now" must be an ISO 8601 string or null')
        self.clock.set(None if value is None else parse_instant(value, "now"))
        return self._clock_reply()


def _json(status: int, document: dict[str, Any]) -> Reply:
    return Reply(status, orjson.dumps(document), operation="admin", content_type=JSON)


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(
        status,
        orjson.dumps({"__type": code, "Message": message}),
        operation="admin",
        error=code,
        content_type=JSON,
    )
