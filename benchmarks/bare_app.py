"""The baseline: a bare ASGI app answering DescribeOrganization's fixed body, nothing else."""

from __future__ import annotations

from typing import Any

BODY = (
    b'{"Organization":{"Id":"o-exampleorgid","Arn":"arn:aws:organizations::111111111111:'
    b'organization/o-exampleorgid","MasterAccountId":"111111111111",'
    b'"MasterAccountEmail":"bill@example.com"}}'
)
HEADERS = [
    (b"content-type", b"application/x-amz-json-1.1"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
