"""Arbitrary bodies, headers and targets: every answer is AWS-shaped, never a traceback."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generated.organizations
from generated.organizations import OPERATIONS, SERVICE
from runtime.accounts import Account, Accounts
from runtime.app import App
from runtime.assemble import ServeOptions, assemble
from support.asgi import HOST, call, signed
from support.fixed_handlers import fixed_definition

ACCOUNT = Account("111111111111", "Bill", "bill@example.com", "AKIAFUZZ", "fuzz-secret")


def fixed_app(**options: Any) -> App:
    """Organizations (its error policy) answered by the fixed handlers, in-process."""
    return assemble(
        generated.organizations,
        fixed_definition(),
        ServeOptions(accounts=Accounts([ACCOUNT]), **options),
    )


APP = fixed_app()
TARGETS = [f"{SERVICE.target_prefix}.{name}" for name in OPERATIONS]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
member_names = st.sampled_from(
    [
        "HandshakeId",
        "MaxResults",
        "NextToken",
        "Filter",
        "Target",
        "Notes",
        "Name",
        "ParentId",
        "Tags",
    ]
)
bodies = st.one_of(
    st.binary(max_size=200),
    st.dictionaries(member_names | st.text(max_size=10), json_values, max_size=5).map(
        lambda d: json.dumps(d).encode()
    ),
)
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.sampled_from(TARGETS) | header_values,
    body=bodies,
    extra=st.dictionaries(
        st.sampled_from(["content-type", "x-amz-date", "authorization", "x-custom"]),
        header_values,
        max_size=3,
    ),
    sign=st.booleans(),
    method=st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]),
    path=st.sampled_from(["/", "/", "/x"]),
)
def test_every_answer_is_aws_shaped(
    target: str, body: bytes, extra: dict[str, str], sign: bool, method: str, path: str
) -> None:
    if sign:
        headers = signed(ACCOUNT, target, body, method=method, path=path)
    else:
        headers = {
            "host": HOST,
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": target,
            **extra,
        }
    status, _, raw = call(APP, method, path, headers, body)
    text = raw.decode()
    assert "Traceback" not in text and 'File "' not in text
    document = json.loads(text)
    assert isinstance(document, dict)
    if not sign:  # only a verified signature gets through
        assert status != 200
    if status == 200:
        assert "__type" not in document
        return
    assert status in {400, 403, 404, 405, 413, 500, 501}, (status, document)
    assert isinstance(document["__type"], str) and document["__type"]
    assert isinstance(document.get("Message", document.get("message", "")), str)
    if status == 500:
        assert document["__type"] == "ServiceException"


@pytest.mark.parametrize("whole", [True, False])
def test_a_body_over_the_limit_is_413_and_reading_stops(whole: bool) -> None:
    """Whole or in pieces, a body over `max_body` is refused, read no further than that."""
    app = fixed_app(max_body=10)
    if whole:
        messages = [{"type": "http.request", "body": b"x" * 16, "more_body": False}]
    else:
        messages = [
            {"type": "http.request", "body": b"x" * 8, "more_body": True}
            for _ in range(4)
        ]
    reads_needed = 1 if whole else 2  # 16 bytes: over 10, the rest never asked for
    received: list[int] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        received.append(1)
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "raw_path": b"/",
             "query_string": b"", "headers": []}  # fmt: skip
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["__type"] == "RequestEntityTooLargeException"
    assert len(received) == reads_needed
