"""Hostile and careless clients at the HTTP layer (runtime/http.py), over raw sockets.

Limits (header count and size, URL length), pipelining, chunked bodies and fuzzed bytes go
to a real `botogen serve`; the timeouts (slow heads, bodies that stop, idle connections)
to an in-process uvicorn server built by the same `server_config`, with short limits and
a trivial app, so that they take a second instead of the defaults' 10 or 30.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
import uvloop
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from runtime.http import (
    HttpLimits,
    LimitedHttpToolsProtocol,
    protocol_class,
    server_config,
)
from support.raw import CONTENT_TYPE, TARGET, signed_headers
from support.server import Server, running_with_accounts

Address = tuple[str, int]
JSON_TYPES = {"application/x-amz-json-1.0", "application/x-amz-json-1.1"}


# Raw HTTP: answers as they come off the socket.


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Received:
    answers: list[Answer] = field(default_factory=list)
    #: Bytes after the last complete answer (a partial answer).
    rest: bytes = b""
    #: The server closed the connection (end of stream, or reset).
    closed: bool = False
    seconds: float = 0.0
    #: Everything received.
    raw: bytes = b""


def parse_answers(
    data: bytes, head_request: bool = False
) -> tuple[list[Answer], bytes]:
    """The complete HTTP/1.1 answers in `data` (all with Content-Length), and the rest."""
    answers: list[Answer] = []
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return answers, data
        lines = data[:end].decode("latin-1").split("\r\n")
        version, status, *_ = lines[0].split(" ", 2)
        assert version == "HTTP/1.1", lines[0]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        assert "transfer-encoding" not in headers, headers
        length = 0 if head_request else int(headers["content-length"])
        if len(data) < end + 4 + length:
            return answers, data
        answers.append(Answer(int(status), headers, data[end + 4 : end + 4 + length]))
        data = data[end + 4 + length :]


def connect(address: Address, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection(address, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send_quietly(sock: socket.socket, data: bytes) -> bool:
    """Send; False when the server has already closed (that is allowed)."""
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def receive(
    sock: socket.socket,
    seconds: float,
    *,
    answers: int | None = None,
    head_request: bool = False,
) -> Received:
    """Read until the server closes, `answers` complete answers arrived, or `seconds`
    passed (then `closed` is False: the connection is still open)."""
    started = time.monotonic()
    deadline = started + seconds
    data = b""
    got = Received()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except OSError:  # reset
            got.closed = True
            break
        if not chunk:
            got.closed = True
            break
        data += chunk
        if answers is not None:
            done, _ = parse_answers(data, head_request)
            if len(done) >= answers:
                break
    got.seconds = time.monotonic() - started
    got.answers, got.rest = parse_answers(data, head_request)
    got.raw = data
    return got


def exchange(
    address: Address, data: bytes, seconds: float = 3.0, **kw: Any
) -> Received:
    with connect(address) as sock:
        send_quietly(sock, data)
        return receive(sock, seconds, **kw)


def assert_aws_error(answer: Answer, status: int, code: str | None = None) -> None:
    assert answer.status == status, answer
    assert answer.headers["content-type"] in JSON_TYPES, answer.headers
    document = answer.json()
    assert isinstance(document["__type"], str) and document["__type"], document
    assert isinstance(document["Message"], str)
    if code is not None:
        assert document["__type"] == code, document


def assert_refused(got: Received, status: int, code: str) -> None:
    """An AWS-shaped `status` answer and a closed connection, or just a closed one."""
    assert got.closed, got
    assert got.rest == b"", got
    assert len(got.answers) <= 1, got
    for answer in got.answers:
        assert_aws_error(answer, status, code)
        assert answer.headers["connection"] == "close"


def post(path: str = "/", headers: bytes = b"", body: bytes = b"{}") -> bytes:
    return (
        b"POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: %s\r\n%s"
        b"Content-Length: %d\r\n\r\n%s"
        % (path.encode(), CONTENT_TYPE.encode(), headers, len(body), body)
    )


# The real server.


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hostile")
    with running_with_accounts(folder) as running:
        yield running


def address_of(server: Server) -> Address:
    parts = urlsplit(server.url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def assert_alive(server: Server, within: float = 1.0) -> None:
    """A normal signed request (boto3) is answered, AWS-shaped, within `within` s."""
    client = server.client()
    started = time.monotonic()
    try:
        client.describe_organization()
    except ClientError as error:
        # A fresh account: AWSOrganizationsNotInUseException. Any modeled answer will do.
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] < 500, error
        assert not error.response["Error"]["Code"].isdigit(), error.response
    assert time.monotonic() - started < within


def signed_request(server: Server, operation: str = "DescribeOrganization") -> bytes:
    """A valid signed JSON 1.1 request, as raw bytes."""
    body = b"{}"
    headers = {"Content-Type": CONTENT_TYPE, "X-Amz-Target": f"{TARGET}.{operation}"}
    signed = signed_headers(
        server.url + "/", body, headers, "AKIATESTBILL", "test-secret-bill"
    )
    host = urlsplit(server.url).netloc
    lines = [b"POST / HTTP/1.1", f"Host: {host}".encode()]
    lines += [f"{name}: {value}".encode() for name, value in signed.items()]
    lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def test_a_signed_raw_request_is_answered(server: Server) -> None:
    got = exchange(address_of(server), signed_request(server), answers=1)
    assert len(got.answers) == 1 and got.rest == b""
    answer = got.answers[0]
    assert answer.status < 500 and answer.headers["content-type"] in JSON_TYPES
    assert "x-amzn-requestid" in answer.headers


def test_20000_copies_of_one_header_are_refused_at_once(server: Server) -> None:
    request = b"POST / HTTP/1.1\r\nHost: x\r\n" + b"X-Amz-Foo: bar\r\n" * 20_000
    started = time.monotonic()
    got = exchange(address_of(server), request + b"\r\n{}", seconds=5)
    assert time.monotonic() - started < 1.0  # sent, answered and closed
    assert_refused(got, 431, "RequestHeaderFieldsTooLargeException")
    assert_alive(server)


@pytest.mark.parametrize(
    "request_bytes, status, code",
    [
        pytest.param(
            post(headers=b"".join(b"X-H%d: v\r\n" % n for n in range(101))),
            431,
            "RequestHeaderFieldsTooLargeException",
            id="101-headers",
        ),
        pytest.param(
            post(headers=b"X-Big: " + b"v" * 65536 + b"\r\n"),
            431,
            "RequestHeaderFieldsTooLargeException",
            id="one-64KiB-header",
        ),
        pytest.param(
            post(
                headers=b"".join(b"X-H%d: %s\r\n" % (n, b"v" * 200) for n in range(90))
            ),
            431,
            "RequestHeaderFieldsTooLargeException",
            id="90-headers-of-200-bytes",
        ),
        pytest.param(
            post(path="/" + "a" * 80 * 1024),
            414,
            "RequestURITooLongException",
            id="80KiB-URL",
        ),
        pytest.param(
            b"POST /" + b"a" * 20000,
            414,
            "RequestURITooLongException",
            id="request-line-without-end",
        ),
        pytest.param(
            b"\r\n" * 20000,
            431,
            "RequestHeaderFieldsTooLargeException",
            id="line-ends-without-request",
        ),
        pytest.param(
            b"BREW /pot HTTP/1.1\r\n\r\n",
            400,
            "BadRequestException",
            id="unknown-method",
        ),
        pytest.param(
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),
            400,
            "BadRequestException",
            id="tls-hello",
        ),
    ],
)
def test_oversized_or_malformed_heads_are_refused(
    server: Server, request_bytes: bytes, status: int, code: str
) -> None:
    got = exchange(address_of(server), request_bytes, seconds=5)
    assert got.seconds < 1.0
    assert_refused(got, status, code)
    assert got.answers, "the answer arrives before the close"
    assert_alive(server)


def test_padding_counts_once_a_head_spans_reads(server: Server) -> None:
    """Whitespace llhttp skips is not collected, so within one read it costs nothing;
    across reads it counts towards the head's size like any other byte."""
    with connect(address_of(server)) as sock:
        send_quietly(sock, b"POST")
        for _ in range(40):
            if not send_quietly(sock, b" " * 1024):
                break
            time.sleep(0.002)
        send_quietly(sock, b"/ HTTP/1.1\r\n\r\n")
        got = receive(sock, 3)
    assert_refused(got, 431, "RequestHeaderFieldsTooLargeException")
    assert got.answers
    assert_alive(server)


def test_heads_within_the_limits_pass(server: Server) -> None:
    address = address_of(server)
    near = [
        post(headers=b"".join(b"X-H%d: v\r\n" % n for n in range(96))),  # 100 in all
        post(headers=b"X-Big: " + b"v" * 15000 + b"\r\n"),
        post(path="/" + "a" * 8000),
    ]
    for request in near:
        got = exchange(address, request, answers=1)
        assert len(got.answers) == 1, got
        # Unsigned (or an unknown path): the app's own AWS-shaped answer, not the layer's.
        assert got.answers[0].status in (403, 404), got.answers[0]
        assert_aws_error(got.answers[0], got.answers[0].status)


def test_a_header_sent_in_many_packets_is_refused_past_the_limit(
    server: Server,
) -> None:
    with connect(address_of(server)) as sock:
        sent = 0
        head = b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: "
        send_quietly(sock, head)
        for _ in range(64):
            if not send_quietly(sock, b"v" * 1024):
                break
            sent += 1024
            time.sleep(0.002)
        got = receive(sock, 3)
    assert_refused(got, 431, "RequestHeaderFieldsTooLargeException")
    assert got.answers
    assert_alive(server)


def test_input_after_a_refusal_is_never_parsed(server: Server) -> None:
    """The rest of a refused request, and a valid request after it, get nothing."""
    with connect(address_of(server)) as sock:
        send_quietly(sock, b"POST / HTTP/1.1\r\n" + b"X-A: b\r\n" * 102)  # 101 complete
        first = receive(sock, 3, answers=1)
        assert [a.status for a in first.answers] == [431]
        send_quietly(sock, b"\r\n" + signed_request(server))
        rest = receive(sock, 3)
    assert rest.answers == [] and rest.rest == b""
    assert rest.closed


def test_pipelined_requests_are_answered_in_order(server: Server) -> None:
    requests = signed_request(server) * 3 + post("/nowhere")
    got = exchange(address_of(server), requests, answers=4)
    assert [a.status for a in got.answers[3:]] == [404]
    assert len(got.answers) == 4
    for answer in got.answers:
        assert answer.headers["content-type"] in JSON_TYPES
        assert answer.status < 500


def test_a_malformed_request_behind_pipelined_ones_is_answered_after_them(
    server: Server,
) -> None:
    requests = signed_request(server) * 2 + b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"
    got = exchange(address_of(server), requests, seconds=5)
    assert got.closed and got.rest == b""
    assert len(got.answers) == 3
    assert all(a.status < 500 for a in got.answers[:2])
    assert_aws_error(got.answers[2], 400, "BadRequestException")


def test_slow_clients_do_not_hold_up_others(server: Server) -> None:
    """20 connections sending their heads a byte at a time; a normal request meanwhile."""
    address = address_of(server)
    head = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: y\r\n"
    slow = [connect(address) for _ in range(20)]
    try:
        for position in range(6):
            for sock in slow:
                sock.sendall(head[position : position + 1])
            assert_alive(server)
            time.sleep(0.25)
        for sock in slow:  # still open: their heads are not late yet
            sock.settimeout(0.01)
            with pytest.raises(TimeoutError):
                sock.recv(1)
    finally:
        for sock in slow:
            sock.close()
    assert_alive(server)


def test_an_answer_before_the_body_stops_the_reading(server: Server) -> None:
    """404 comes before the body is read; the connection then closes: the client cannot
    make the server read (or buffer) the 20 MB it announced."""
    request = b"POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n"
    with connect(address_of(server)) as sock:
        send_quietly(sock, request + b"x" * 65536)
        pushed = 0
        for _ in range(400):
            if not send_quietly(sock, b"x" * 65536):
                break
            pushed += 65536
        got = receive(sock, 5)
    assert pushed < 20_000_000 - 65536
    assert got.closed and got.rest == b""
    assert_aws_error(got.answers[0], 404)
    assert_alive(server)


def chunked(chunks: Iterator[bytes] | list[bytes], end: bool = True) -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
    return body + (b"0\r\n\r\n" if end else b"")


CHUNKED_HEAD = (
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)


def test_a_chunked_body_of_many_tiny_chunks(server: Server) -> None:
    """300,000 one-byte chunks: parsed in bounded memory, answered (here 403, unsigned),
    and the server stays responsive meanwhile."""
    body = chunked([b"{", *([b" "] * 299_998), b"}"])
    with connect(address_of(server)) as sock:
        done = threading.Event()

        def push() -> None:
            for start in range(0, len(body), 256 * 1024):
                if not send_quietly(
                    sock, CHUNKED_HEAD * (start == 0) + body[start : start + 256 * 1024]
                ):
                    break
            done.set()

        pusher = threading.Thread(target=push)
        pusher.start()
        assert_alive(server, within=2.0)
        got = receive(sock, 20, answers=1)
        pusher.join(20)
    assert done.is_set()
    assert len(got.answers) == 1, got
    assert_aws_error(got.answers[0], 403)
    assert_alive(server)


def test_a_chunked_body_past_the_cap_is_answered_413_and_closed(server: Server) -> None:
    chunk = b"%x\r\n%s\r\n" % (4096, b" " * 4096)
    with connect(address_of(server)) as sock:
        stop = threading.Event()

        def push() -> None:
            send_quietly(sock, CHUNKED_HEAD)
            for _ in range(16 * 256):  # 16 MiB, twice the cap
                if stop.is_set() or not send_quietly(sock, chunk * 16):
                    return

        pusher = threading.Thread(target=push)
        pusher.start()
        got = receive(sock, 10)
        stop.set()
        pusher.join(10)
    assert got.closed and got.rest == b"", got
    assert len(got.answers) == 1
    assert_aws_error(got.answers[0], 413, "RequestEntityTooLargeException")
    assert_alive(server)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"zz\r\n{}\r\n0\r\n\r\n", id="not-hex"),
        pytest.param(b"ffffffffffffffffffff\r\n{}", id="size-overflow"),
        pytest.param(b"2\r\n{}XX0\r\n\r\n", id="no-line-end-after-data"),
        pytest.param(b"-2\r\n{}\r\n0\r\n\r\n", id="negative"),
    ],
)
def test_invalid_chunked_encodings_are_answered_400(
    server: Server, body: bytes
) -> None:
    got = exchange(address_of(server), CHUNKED_HEAD + body, seconds=5)
    assert_refused(got, 400, "BadRequestException")
    assert got.answers
    assert_alive(server)


@pytest.mark.parametrize(
    "length", [b"99999999999999999999999", b"-1", b"1e3", b"0x10", b"5, 6"]
)
def test_invalid_content_lengths_are_answered_400(
    server: Server, length: bytes
) -> None:
    request = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n{}" % length
    got = exchange(address_of(server), request, seconds=5)
    assert_refused(got, 400, "BadRequestException")
    assert_alive(server)


def test_an_upgrade_request_is_answered_then_closed(server: Server) -> None:
    request = (
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    got = exchange(address_of(server), request + post(), seconds=5)
    assert got.closed and got.rest == b""
    assert len(got.answers) == 1  # the request after it is not HTTP any more
    assert_aws_error(got.answers[0], 405)


# Fuzzing: raw bytes and mutations of a valid signed request.

LINE_END = st.sampled_from([b"\n", b"\r", b"\r\r\n", b"\n\r", b"", b"\r\n\r\n"])
HUGE_NUMBER = st.one_of(
    st.integers(min_value=0, max_value=10**30).map(lambda n: str(n).encode()),
    st.sampled_from(
        [b"18446744073709551616", b"-1", b"+5", b"0x2", b"2 2", b"", b"1" * 400]
    ),
)
CHUNK_SIZE = st.one_of(
    st.integers(min_value=0, max_value=2**70).map(lambda n: b"%x" % n),
    st.sampled_from([b"", b"-1", b"g", b"2;ext=" + b"x" * 100, b"2 ", b" 2", b"0x2"]),
)


@st.composite
def mutations(draw: st.DrawFn, request: bytes) -> bytes:
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    kind = draw(
        st.sampled_from(
            [
                "truncate",
                "duplicate-line",
                "line-end",
                "content-length",
                "chunked",
                "insert",
                "flip",
                "drop-line",
                "pipeline",
            ]
        )
    )
    if kind == "truncate":
        return request[: draw(st.integers(0, len(request) - 1))]
    if kind == "duplicate-line":
        at = draw(st.integers(0, len(lines) - 1))
        times = draw(st.integers(1, 150))
        lines[at + 1 : at + 1] = [lines[at]] * times
    elif kind == "drop-line":
        del lines[draw(st.integers(0, len(lines) - 1))]
    elif kind == "line-end":
        joined = draw(LINE_END).join(lines) if draw(st.booleans()) else None
        if joined is None:
            at = draw(st.integers(0, len(lines) - 2))
            lines[at] = lines[at] + draw(LINE_END) + lines.pop(at + 1)
        else:
            return joined + draw(LINE_END) * 2 + body
    elif kind == "content-length":
        lines = [ln for ln in lines if not ln.lower().startswith(b"content-length")]
        lines.append(b"Content-Length: " + draw(HUGE_NUMBER))
    elif kind == "chunked":
        lines = [ln for ln in lines if not ln.lower().startswith(b"content-length")]
        lines.append(b"Transfer-Encoding: chunked")
        pieces = draw(
            st.lists(
                st.tuples(CHUNK_SIZE, st.binary(max_size=20), LINE_END), max_size=6
            )
        )
        body = b"".join(size + b"\r\n" + data + end for size, data, end in pieces)
        body += draw(
            st.sampled_from([b"0\r\n\r\n", b"", b"0\r\nX: y\r\n\r\n", b"0\r\n"])
        )
    elif kind == "insert":
        data = b"\r\n".join(lines) + b"\r\n\r\n" + body
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    elif kind == "flip":
        flipped = bytearray(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        for _ in range(draw(st.integers(1, 4))):
            flipped[draw(st.integers(0, len(flipped) - 1))] = draw(st.integers(0, 255))
        return bytes(flipped)
    elif kind == "pipeline":
        return request * draw(st.integers(2, 30))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def assert_well_answered(got: Received) -> None:
    """Every answer is JSON: 2xx/4xx, or an AWS-shaped error; no partial answer is left
    behind a closed connection."""
    for answer in got.answers:
        assert answer.headers.get("content-type") in JSON_TYPES, answer
        document = answer.json()
        assert isinstance(document, dict), answer
        if answer.status >= 300:
            assert isinstance(document.get("__type"), str), answer
        assert answer.status < 500 or "__type" in document, answer
    if got.closed:
        assert got.rest == b"", got


@pytest.fixture(scope="module")
def valid_request(server: Server) -> bytes:
    return signed_request(server)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_fuzzed_bytes_get_json_answers_or_a_close(
    server: Server, valid_request: bytes, data: st.DataObject
) -> None:
    payload = data.draw(
        st.one_of(st.binary(min_size=1, max_size=2048), mutations(valid_request)),
        label="payload",
    )
    address = address_of(server)
    with connect(address) as sock:
        send_quietly(sock, payload)
        # An answer comes at once, or the input was an incomplete request (the server
        # waits for the rest, as the timeout tests show, until its deadline): then this
        # client gives up after a short while.
        got = receive(sock, 0.25, head_request=payload.startswith(b"HEAD"))
        if got.answers and not got.closed:
            got.seconds = 0
    assert_well_answered(got)
    event(
        "closed" if got.closed else "answered" if got.answers else "waiting for more",
    )
    event("statuses: " + ",".join(sorted({str(a.status) for a in got.answers})))
    # Still serving: an unsigned request is refused, AWS-shaped, at once.
    check = exchange(address, post(), seconds=2, answers=1)
    assert len(check.answers) == 1, check
    assert_aws_error(check.answers[0], 403)


def test_the_server_survived_the_fuzzing(server: Server) -> None:
    assert_alive(server)
    assert "Traceback" not in server.log_text()


# Timeouts, on an in-process server with short limits.

SHORT = HttpLimits(
    header_timeout=1.0, body_timeout=1.0, keep_alive_timeout=1, linger_timeout=0.5
)


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads the whole body; answers its size as JSON (`/slow`: half a second later)."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/slow":
        await asyncio.sleep(0.5)
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = json.dumps({"size": size}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/x-amz-json-1.1"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


@contextmanager
def limited_server(limits: HttpLimits = SHORT) -> Iterator[Address]:
    """`server_config(echo, limits)` served by uvicorn on uvloop, in a thread."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    address = sock.getsockname()
    config = server_config(echo, limits)
    config.timeout_graceful_shutdown = 2
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=uvloop.run, args=(server.serve(sockets=[sock]),), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.01)
    try:
        yield address
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def short() -> Iterator[Address]:
    with limited_server() as address:
        yield address


def drip(sock: socket.socket, data: bytes, every: float, seconds: float) -> Received:
    """Send `data` a byte at a time, `every` seconds, reading meanwhile, until the server
    closes or `seconds` passed."""
    started = time.monotonic()
    collected = b""
    closed = False
    for position in range(len(data)):
        if time.monotonic() - started > seconds:
            break
        if not send_quietly(sock, data[position : position + 1]):
            break  # closed: what it sent before is still to be read
        part = receive(sock, every)
        collected += part.raw
        if part.closed:
            closed = True
            break
    if not closed:
        rest = receive(sock, max(0.0, seconds - (time.monotonic() - started)))
        collected += rest.raw
        closed = rest.closed
    got = Received(closed=closed, seconds=time.monotonic() - started, raw=collected)
    got.answers, got.rest = parse_answers(collected)
    return got


def test_slowloris_head_is_answered_408_and_closed(short: Address) -> None:
    with connect(short) as sock:
        got = drip(sock, post(headers=b"X-Slow: yes\r\n"), every=0.5, seconds=5)
    assert 0.9 <= got.seconds < 2.0, got
    assert_refused(got, 408, "RequestTimeoutException")
    assert got.answers


def test_a_connection_that_sends_nothing_is_closed(short: Address) -> None:
    with connect(short) as sock:
        got = receive(sock, 5)
    assert got.closed and got.answers == [] and got.rest == b""
    assert 0.9 <= got.seconds < 2.0


def test_the_head_deadline_counts_from_its_first_byte_on_a_kept_connection(
    short: Address,
) -> None:
    with connect(short) as sock:
        first = exchange_on(sock, post())
        assert [a.status for a in first.answers] == [200]
        time.sleep(0.6)  # idle, under the keep-alive timeout
        send_quietly(sock, b"POST / HTTP/1.1\r\nHo")
        got = receive(sock, 5)
    assert 0.9 <= got.seconds < 2.0, got
    assert_refused(got, 408, "RequestTimeoutException")


def exchange_on(sock: socket.socket, data: bytes) -> Received:
    send_quietly(sock, data)
    return receive(sock, 3, answers=1)


def test_a_head_begun_during_an_answer_gets_its_head_deadline() -> None:
    """The next head starts arriving while the answer before it is being computed: once
    that answer is out, the head's deadline runs, not the shorter idle timeout."""
    limits = HttpLimits(header_timeout=2.0, keep_alive_timeout=1, linger_timeout=0.5)
    with limited_server(limits) as address, connect(address) as sock:
        send_quietly(sock, post("/slow") + b"POST / HTTP/1.1\r\nHo")
        got = receive(sock, 5)
    assert 1.9 <= got.seconds < 3.0, got
    assert [a.status for a in got.answers] == [200, 408]
    assert_aws_error(got.answers[1], 408, "RequestTimeoutException")
    assert got.closed


def test_a_body_that_stops_midway_is_answered_408_and_closed(short: Address) -> None:
    with connect(short) as sock:
        send_quietly(
            sock, b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a"'
        )
        got = receive(sock, 5)
    assert 0.9 <= got.seconds < 2.0, got
    assert_refused(got, 408, "RequestTimeoutException")
    assert got.answers


def test_a_chunked_body_that_never_ends_is_answered_408(short: Address) -> None:
    with connect(short) as sock:
        send_quietly(sock, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        got = drip(sock, b"1\r\na\r\n" * 20, every=0.05, seconds=5)
    assert 0.9 <= got.seconds < 2.0, got
    assert_refused(got, 408, "RequestTimeoutException")


def test_an_idle_kept_connection_is_closed(short: Address) -> None:
    with connect(short) as sock:
        first = exchange_on(sock, post())
        assert [a.status for a in first.answers] == [200]
        got = receive(sock, 5)
    assert got.closed and got.answers == [] and got.rest == b""
    assert 0.9 <= got.seconds < 2.5


def test_a_flood_of_pipelined_requests_is_cut_short(short: Address) -> None:
    """1,000 requests in one write: at most `max_pipelined` wait behind the one being
    answered; those are answered, then the connection is closed."""
    got = exchange(short, post(body=b"") * 1000, seconds=5)
    assert got.closed and got.rest == b""
    assert 1 <= len(got.answers) <= SHORT.max_pipelined + 1 < 1000
    assert all(a.status == 200 for a in got.answers)


def test_timeouts_do_not_stop_other_clients(short: Address) -> None:
    slow = [connect(short) for _ in range(20)]
    try:
        for sock in slow:
            sock.sendall(b"POST / HTTP/1.1\r\n")
        started = time.monotonic()
        got = exchange(short, post(), answers=1)
        assert [a.status for a in got.answers] == [200]
        assert time.monotonic() - started < 1.0
        for sock in slow:
            assert_refused(receive(sock, 3), 408, "RequestTimeoutException")
    finally:
        for sock in slow:
            sock.close()


# The module itself.


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError):
        HttpLimits(max_header_count=0)
    with pytest.raises(ValueError):
        HttpLimits(header_timeout=0)
    assert HttpLimits().max_header_count == 100


def test_the_config_keeps_the_serving_choices() -> None:
    limits = HttpLimits(keep_alive_timeout=7)
    config = server_config(echo, limits)
    assert config.loop == "uvloop"
    assert config.lifespan == "off"
    assert config.ws == "none"
    assert (
        not config.access_log and not config.server_header and not config.proxy_headers
    )
    assert config.log_config is None
    assert config.timeout_keep_alive == 7
    assert isinstance(config.http, type)
    assert issubclass(config.http, LimitedHttpToolsProtocol)
    assert config.http.limits is limits


def test_the_protocol_overrides_only_public_names() -> None:
    """It uses uvicorn's protocol through public callbacks: nothing `_`-prefixed is
    overridden, and its own state does not shadow uvicorn's attributes."""
    cls = protocol_class()
    own = {
        name
        for klass in cls.__mro__
        if issubclass(klass, LimitedHttpToolsProtocol)
        for name in vars(klass)
        if not name.startswith("__")
    }
    assert not any(name.startswith("_") for name in own), own
    overridden = own & set(dir(HttpToolsProtocol))
    assert overridden <= {
        "connection_made",
        "connection_lost",
        "data_received",
        "on_message_begin",
        "on_url",
        "on_header",
        "on_headers_complete",
        "on_message_complete",
        "on_response_complete",
        "send_400_response",
    }, overridden
    assigned = re.compile(r"self\.(\w+)(?:\s*:[^=\n]+)?\s*=[^=]")
    theirs = set(assigned.findall(inspect.getsource(HttpToolsProtocol)))
    mine = set(assigned.findall(inspect.getsource(LimitedHttpToolsProtocol)))
    assert "transport" in theirs and "stage" in mine
    assert not mine & (theirs | set(dir(HttpToolsProtocol))), mine & theirs


def test_a_huge_trailer_field_is_refused(server: Server) -> None:
    """Trailer fields after a chunked body are collected whole by httptools: they count
    like header fields, and one that never ends is refused past the header limit."""
    with connect(address_of(server)) as sock:
        send_quietly(sock, CHUNKED_HEAD + b"2\r\n{}\r\n0\r\nX-Trailer: ")
        for _ in range(64):
            if not send_quietly(sock, b"v" * 1024):
                break
            time.sleep(0.002)
        got = receive(sock, 3)
    assert_refused(got, 431, "RequestHeaderFieldsTooLargeException")
    assert got.answers
    assert_alive(server)


def test_trailer_fields_count_as_header_fields(server: Server) -> None:
    trailers = b"".join(b"X-T%d: v\r\n" % n for n in range(150))
    got = exchange(
        address_of(server), CHUNKED_HEAD + b"2\r\n{}\r\n0\r\n" + trailers + b"\r\n"
    )
    assert_refused(got, 431, "RequestHeaderFieldsTooLargeException")
    assert got.answers
