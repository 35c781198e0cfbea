"""Calling an ASGI app in-process, with requests signed by botocore's own SigV4 signer."""

from __future__ import annotations

import asyncio
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from runtime.accounts import Account

HOST = "testserver"


def signed(
    account: Account,
    target: str,
    body: bytes,
    *,
    service: str = "organizations",
    content_type: str = "application/x-amz-json-1.1",
    method: str = "POST",
    path: str = "/",
) -> dict[str, str]:
    """The headers of `POST /` (or `method` `path`) with `body`, signed with
    `account`'s keys."""
    request = AWSRequest(
        method=method,
        url=f"http://{HOST}{path}",
        data=body,
        headers={"host": HOST, "content-type": content_type, "x-amz-target": target},
    )
    SigV4Auth(
        Credentials(account.access_key_id, account.secret_access_key),
        service,
        "us-east-1",
    ).add_auth(request)
    return {k.lower(): v for k, v in request.headers.items()}


def call(
    app: Any,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    *,
    chunk: int | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request through `app`: (status, headers, body); `chunk` splits the body."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in headers.items()
        ],
    }
    pieces = (
        [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
        if chunk
        else [body]
    )
    messages = [
        {"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1}
        for i, piece in enumerate(pieces)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, answer = sent
    answer_headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in start["headers"]
    }
    return start["status"], answer_headers, answer["body"]
