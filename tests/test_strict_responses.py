"""The tests' own check of every response: a 200 whose body breaks the generated output
model fails the call that received it, whichever way the boto3 client was made.

A canned HTTP server answers what each test puts in `ANSWERS`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support.server import RESPONSE_FAILURES, InvalidResponse, strict_responses

#: Operation -> (status, body) the canned server answers.
ANSWERS: dict[str, tuple[int, bytes]] = {}
ORGANIZATION = (
    b'{"Organization": {"Id": "o-exampleorgid", "FeatureSet": "ALL",'
    b' "MasterAccountId": "111111111111"}}'
)


class _Canned(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        operation = self.headers["x-amz-target"].rsplit(".", 1)[-1]
        status, body = ANSWERS[operation]
        self.send_response(status)
        self.send_header("content-type", "application/x-amz-json-1.1")
        self.send_header("content-length", str(len(body)))
        self.send_header("x-amzn-requestid", "canned")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def expected_failures() -> Iterator[list[str]]:
    """The failures the test provokes, taken out of `RESPONSE_FAILURES` afterwards (else
    conftest would fail the test for them)."""
    seen = len(RESPONSE_FAILURES)
    provoked: list[str] = []
    yield provoked
    provoked.extend(RESPONSE_FAILURES[seen:])
    del RESPONSE_FAILURES[seen:]


def _plain(url: str) -> Any:
    """A client made the way any test might, without `support.server`'s help."""
    return boto3.session.Session().client(
        "organizations",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIATESTCANNED",
        aws_secret_access_key="test-secret-canned",
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.mark.parametrize("make", [_plain, lambda url: strict_responses(_plain(url))])
def test_a_valid_answer_passes(url: str, make: Any) -> None:
    ANSWERS["DescribeOrganization"] = (200, ORGANIZATION)
    answer = make(url).describe_organization()
    assert answer["Organization"]["Id"] == "o-exampleorgid"


@pytest.mark.parametrize(
    "body, why",
    [
        (b'{"Organization": {"Id": "not-an-organization-id"}}', "pattern"),
        (b'{"Organization": {"Id": 5}}', "string"),
        (b'{"Organization": {"FeatureSet": "SOME"}}', "enum"),
        (b'{"Organization": {"AvailablePolicyTypes": [{"Type": 1}]}}', "Type"),
    ],
)
def test_an_answer_that_breaks_its_model_fails_the_call(
    url: str, body: bytes, why: str, expected_failures: list[str]
) -> None:
    ANSWERS["DescribeOrganization"] = (200, body)
    with pytest.raises(InvalidResponse) as raised:
        _plain(url).describe_organization()
    message = str(raised.value)
    assert "organizations.DescribeOrganization" in message and why in message


def test_a_failure_caught_by_the_test_is_still_recorded(
    url: str, expected_failures: list[str]
) -> None:
    ANSWERS["DescribeOrganization"] = (200, b'{"Organization": {"Id": "x"}}')
    try:
        _plain(url).describe_organization()
    except Exception:  # a careless test
        pass
    assert len(RESPONSE_FAILURES) >= 1  # conftest fails the test on it


def test_an_operation_without_output_answers_an_empty_object(
    url: str, expected_failures: list[str]
) -> None:
    ANSWERS["DeleteOrganization"] = (200, b"{}")
    _plain(url).delete_organization()
    ANSWERS["DeleteOrganization"] = (200, b'{"Deleted": true}')
    with pytest.raises(InvalidResponse) as raised:
        _plain(url).delete_organization()
    assert "has no output" in str(raised.value)


def test_errors_are_not_output(url: str) -> None:
    ANSWERS["DescribeOrganization"] = (
        400,
        b'{"__type": "AWSOrganizationsNotInUseException", "Message": "No."}',
    )
    with pytest.raises(ClientError):
        _plain(url).describe_organization()
