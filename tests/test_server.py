"""The server as a user starts it (the CLI), driven by real boto3 clients and raw HTTP."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from support.fixed_handlers import EXPLODES, MISSING
from support.raw import CONTENT_TYPE, call, send, signed_headers
from support.server import Server, running_server, running_with_accounts, write_accounts

HANDLERS = "support.fixed_handlers:FixedHandlers"
SECRET = "TOPSECRETNOTES"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    with running_with_accounts(
        folder, "--handlers", HANDLERS, db=str(folder / "db.sqlite")
    ) as running:
        yield running


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    return excinfo.value.response  # type: ignore[no-any-return]


#: InvalidInputException's Message per Reason: AWS's sentence, nothing more.
SENTENCES = {
    "INPUT_REQUIRED": "You must include a value for all required parameters.",
    "MAX_LENGTH_EXCEEDED": "You provided a string parameter that is longer than allowed.",
    "MIN_LENGTH_EXCEEDED": "You provided a string parameter that is shorter than allowed.",
    "MAX_VALUE_EXCEEDED": (
        "You provided a numeric parameter that has a larger value than allowed."
    ),
    "MIN_VALUE_EXCEEDED": (
        "You provided a numeric parameter that has a smaller value than allowed."
    ),
    "INVALID_PATTERN": "You provided a value that does not match the required pattern.",
    "INVALID_ENUM": "You specified an invalid value.",
}


# -- success and modeled errors -------------------------------------------------------------


def test_success_call_with_the_callers_account(server: Server) -> None:
    bill = server.client(0).describe_organization()
    susan = server.client(1).describe_organization()
    assert bill["Organization"]["MasterAccountId"] == "111111111111"
    assert susan["Organization"]["MasterAccountId"] == "222222222222"
    assert bill["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(bill["ResponseMetadata"]["RequestId"]) == 36


def test_timestamps_and_enums_reach_boto3_typed(server: Server) -> None:
    handshake = server.client(1).decline_handshake(
        HandshakeId="h-examplehandshakeid111"
    )["Handshake"]
    assert handshake["State"] == "DECLINED"
    assert handshake["RequestedTimestamp"] == datetime(
        2016, 11, 30, 19, 27, 58, tzinfo=timezone.utc
    )
    assert handshake["Parties"][0] == {"Id": "222222222222", "Type": "ACCOUNT"}


def test_modeled_error_is_the_botocore_exception_class(server: Server) -> None:
    client = server.client(1)
    with pytest.raises(client.exceptions.HandshakeNotFoundException) as raised:
        client.decline_handshake(HandshakeId=MISSING)
    response = error_of(raised)
    assert response["Error"]["Code"] == "HandshakeNotFoundException"
    assert "can't find a handshake" in response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


# -- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation, params, reason, member",
    [
        ("decline_handshake", {}, "INPUT_REQUIRED", "HandshakeId"),
        (
            "decline_handshake",
            {"HandshakeId": "h-" + "a" * 33},
            "MAX_LENGTH_EXCEEDED",
            "HandshakeId",
        ),
        ("decline_handshake", {"HandshakeId": "bad"}, "INVALID_PATTERN", "HandshakeId"),
        (
            "decline_handshake",
            {"HandshakeId": "h-UPPER12345"},
            "INVALID_PATTERN",
            "HandshakeId",
        ),
        (
            "list_handshakes_for_account",
            {"MaxResults": 0},
            "MIN_VALUE_EXCEEDED",
            "MaxResults",
        ),
        (
            "list_handshakes_for_account",
            {"MaxResults": 21},
            "MAX_VALUE_EXCEEDED",
            "MaxResults",
        ),
        (
            "list_handshakes_for_account",
            {"Filter": {"ActionType": "NOT_AN_ACTION"}},
            "INVALID_ENUM",
            "Filter.ActionType",
        ),
        (
            "create_organizational_unit",
            {"ParentId": "r-ab12", "Name": ""},
            "MIN_LENGTH_EXCEEDED",
            "Name",
        ),
    ],
)
def test_validation_errors_carry_the_reason(
    server: Server, operation: str, params: dict[str, Any], reason: str, member: str
) -> None:
    """The answer is the Reason and AWS's sentence alone; the member and the constraint
    go to the request's log line."""
    client = server.client(1, parameter_validation=False)
    with pytest.raises(client.exceptions.InvalidInputException) as raised:
        getattr(client, operation)(**params)
    response = error_of(raised)
    assert response["Reason"] == reason
    assert response["Error"]["Message"] == SENTENCES[reason]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    line = server.log_line(response["ResponseMetadata"]["RequestId"])
    assert "status=400 error=InvalidInputException" in line
    assert re.search(f"""why=(['"]){re.escape(member)}: Member must .*\\1""", line)


def test_pattern_message_is_the_aws_sentence(server: Server) -> None:
    client = server.client(
        1
    )  # botocore checks neither max nor pattern: the server does
    with pytest.raises(client.exceptions.InvalidInputException) as raised:
        client.decline_handshake(HandshakeId="bad")
    response = error_of(raised)
    assert response["Error"]["Message"] == (
        "You provided a value that does not match the required pattern."
    )
    assert response["Reason"] == "INVALID_PATTERN"
    line = server.log_line(response["ResponseMetadata"]["RequestId"])
    assert (
        "why='HandshakeId: Member must satisfy regular expression pattern: "
        "^h-[0-9a-z]{8,32}$'" in line
    )
    assert "'bad'" not in line and "=bad" not in line


def test_the_first_failure_by_rank_decides_the_reason(server: Server) -> None:
    """Required beats pattern: CreateOrganizationalUnit without ParentId and a bad Name."""
    client = server.client(0, parameter_validation=False)
    with pytest.raises(client.exceptions.InvalidInputException) as raised:
        client.create_organizational_unit(Name="x" * 200)
    assert error_of(raised)["Reason"] == "INPUT_REQUIRED"


def test_wrong_json_type_is_a_serialization_error(server: Server) -> None:
    reply = call(server.url, "DeclineHandshake", b'{"HandshakeId": 12345678}')
    assert reply.status == 400
    assert reply.json()["__type"] == "SerializationException"
    assert "HandshakeId" in reply.json()["Message"]


# -- protocol edges -------------------------------------------------------------------------


def test_unimplemented_operation(server: Server) -> None:
    with pytest.raises(ClientError) as raised:
        server.client(0).list_roots()
    response = error_of(raised)
    assert response["Error"]["Code"] == "NotImplemented"
    assert "ListRoots" in response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_malformed_json(server: Server) -> None:
    reply = call(server.url, "DeclineHandshake", b'{"HandshakeId": ')
    assert (reply.status, reply.json()["__type"]) == (400, "SerializationException")
    reply = call(server.url, "DeclineHandshake", b"[1, 2]")
    assert (reply.status, reply.json()["__type"]) == (400, "SerializationException")


@pytest.mark.parametrize(
    "target",
    [
        "AWSOrganizationsV20161128.NoSuchOperation",
        "DynamoDB_20120810.ListTables",
        "",
        "DescribeOrganization",
    ],
)
def test_unknown_target(server: Server, target: str) -> None:
    reply = call(server.url, "", b"{}", target=target)
    assert (reply.status, reply.json()["__type"]) == (400, "UnknownOperationException")


def test_empty_body_nulls_unknown_members_and_charset(server: Server) -> None:
    reply = call(server.url, "DescribeOrganization", b"")
    assert (
        reply.status == 200 and reply.json()["Organization"]["Id"] == "o-exampleorgid"
    )
    reply = call(
        server.url,
        "ListHandshakesForAccount",
        b'{"MaxResults": null, "NextToken": null, "SomethingNew": {"a": 1}}',
        content_type=CONTENT_TYPE + "; charset=utf-8",
    )
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"] == CONTENT_TYPE
    assert len(reply.json()["Handshakes"]) == 3
    assert reply.headers["x-amzn-requestid"]


def test_other_methods_and_paths(server: Server) -> None:
    body = b"{}"
    headers = {
        "Content-Type": CONTENT_TYPE,
        "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
    }
    reply = send(
        server.url,
        "GET",
        "/",
        b"",
        signed_headers(
            server.url + "/", b"", headers, "AKIATESTBILL", "test-secret-bill", "GET"
        ),
    )
    assert (reply.status, reply.json()["__type"]) == (405, "MethodNotAllowedException")
    assert reply.headers["allow"] == "POST"
    reply = send(
        server.url,
        "POST",
        "/elsewhere",
        body,
        signed_headers(
            server.url + "/elsewhere", body, headers, "AKIATESTBILL", "test-secret-bill"
        ),
    )
    assert (reply.status, reply.json()["__type"]) == (404, "UnknownOperationException")


def test_unexpected_failure_is_a_500_without_traceback(server: Server) -> None:
    reply = call(
        server.url, "DescribeHandshake", json.dumps({"HandshakeId": EXPLODES}).encode()
    )
    assert reply.status == 500
    body = reply.json()
    request_id = reply.headers["x-amzn-requestid"]
    assert body["__type"] == "ServiceException"
    assert request_id in body["Message"]
    assert (
        "Traceback" not in reply.body.decode()
        and "a bug in a handler" not in reply.body.decode()
    )
    log = server.log_text()
    assert "Traceback" in log and "a bug in a handler" in log and request_id in log


def test_an_answer_that_cannot_be_serialized_is_a_500_too(server: Server) -> None:
    reply = call(
        server.url,
        "DescribeAccount",
        json.dumps({"AccountId": "111111111111"}).encode(),
    )
    assert (reply.status, reply.json()["__type"]) == (500, "ServiceException")
    assert reply.headers["x-amzn-requestid"] in reply.json()["Message"]
    assert "Traceback" not in reply.body.decode()
    assert "DescribeAccount failed" in server.log_text()


def test_one_log_line_per_request_without_sensitive_values(server: Server) -> None:
    client = server.client(0, parameter_validation=False)
    with pytest.raises(
        ClientError
    ):  # not implemented: the request is still parsed and logged
        client.invite_account_to_organization(
            Target={"Id": "222222222222", "Type": "ACCOUNT"}, Notes=SECRET
        )
    with pytest.raises(ClientError):  # invalid: a sensitive member too long
        client.invite_account_to_organization(
            Target={"Id": SECRET * 10, "Type": "ACCOUNT"}
        )
    log = server.log_text()
    lines = [line for line in log.splitlines() if "InviteAccountToOrganization" in line]
    assert len(lines) == 2
    assert all(
        "account=111111111111" in line and "request_id=" in line for line in lines
    )
    assert "status=501" in lines[0] and "status=400" in lines[1]
    assert SECRET not in log


@pytest.mark.parametrize(
    "operation, params, error, why",
    [
        # A sensitive member too long: its length, never its value.
        (
            "invite_account_to_organization",
            {
                "Target": {"Id": "TARGETMARK" * 10, "Type": "ACCOUNT"},
                "Notes": "NOTEMARK",
            },
            "InvalidInputException",
            "'Target.Id: Member must have length less than or equal to 64'",
        ),
        # A sensitive member that breaks its pattern: the pattern, not the value (the
        # log line quotes `why` with repr: backslashes doubled).
        (
            "create_account",
            {"Email": "EMAILMARK-without-at", "AccountName": "NAMEMARK"},
            "InvalidInputException",
            "'Email: Member must satisfy regular expression pattern: "
            "[^\\\\s@]+@[^\\\\s@]+\\\\.[^\\\\s@]+'",
        ),
        (
            "decline_handshake",
            {"HandshakeId": "h-VALUEMARK"},
            "InvalidInputException",
            "'HandshakeId: Member must satisfy regular expression pattern: "
            "^h-[0-9a-z]{8,32}$'",
        ),
        # The wrong JSON type for a sensitive member: which member, not what was sent.
        (
            "invite_account_to_organization",
            {"Target": {"Id": ["TARGETMARK"], "Type": "ACCOUNT"}},
            "SerializationException",
            "'Unexpected value type for Target.Id: Input should be a valid string.'",
        ),
    ],
)
def test_a_failed_validation_is_logged_by_member_and_constraint(
    server: Server, operation: str, params: dict[str, Any], error: str, why: str
) -> None:
    """The request's log line: the error code, the member and the constraint; neither the
    answer nor the log ever holds a value that was sent."""
    client = server.client(0, parameter_validation=False)
    with pytest.raises(ClientError) as raised:
        getattr(client, operation)(**params)
    response = error_of(raised)
    assert response["Error"]["Code"] == error
    line = server.log_line(response["ResponseMetadata"]["RequestId"])
    assert f"status=400 error={error} " in line
    assert line.endswith(f" why={why}"), line
    marks = ("TARGETMARK", "NOTEMARK", "EMAILMARK", "NAMEMARK", "VALUEMARK")
    answer = json.dumps(response["Error"])
    assert not [mark for mark in marks if mark in answer or mark in server.log_text()]


# -- SigV4 -------------------------------------------------------------------------------


def test_missing_authorization(server: Server) -> None:
    headers = {
        "Content-Type": CONTENT_TYPE,
        "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
    }
    reply = send(server.url, "POST", "/", b"{}", headers)
    assert (reply.status, reply.json()["__type"]) == (
        403,
        "MissingAuthenticationTokenException",
    )


def _client(server: Server, key: str, secret: str) -> Any:
    return boto3.client(
        "organizations",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}),
    )


def test_unknown_access_key(server: Server) -> None:
    with pytest.raises(ClientError) as raised:
        _client(server, "AKIANOBODY", "whatever").describe_organization()
    response = error_of(raised)
    assert response["Error"]["Code"] == "UnrecognizedClientException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_wrong_secret(server: Server) -> None:
    with pytest.raises(ClientError) as raised:
        _client(server, "AKIATESTBILL", "not-bills-secret").describe_organization()
    assert error_of(raised)["Error"]["Code"] == "InvalidSignatureException"


def test_tampered_body_and_header(server: Server) -> None:
    body = b'{"HandshakeId": "h-examplehandshakeid111"}'
    headers = {
        "Content-Type": CONTENT_TYPE,
        "X-Amz-Target": "AWSOrganizationsV20161128.DeclineHandshake",
    }
    signed = signed_headers(
        server.url + "/", body, headers, "AKIATESTSUSAN", "test-secret-susan"
    )
    assert send(server.url, "POST", "/", body, signed).status == 200
    tampered = body.replace(b"111", b"222")
    reply = send(server.url, "POST", "/", tampered, signed)
    assert (reply.status, reply.json()["__type"]) == (403, "InvalidSignatureException")
    other_target = {
        **signed,
        "X-Amz-Target": "AWSOrganizationsV20161128.DescribeHandshake",
    }
    reply = send(server.url, "POST", "/", body, other_target)
    assert (reply.status, reply.json()["__type"]) == (403, "InvalidSignatureException")


@pytest.mark.parametrize(
    "skew, message",
    # AWS's own words: a date in the past has expired, one in the future is not yet current.
    [
        (timedelta(minutes=-20), "Signature expired"),
        (timedelta(minutes=20), "Signature not yet current"),
    ],
)
def test_signature_expired(server: Server, skew: timedelta, message: str) -> None:
    signed_at = datetime.now(timezone.utc).replace(tzinfo=None) + skew
    with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
        with pytest.raises(ClientError) as raised:
            server.client(0).describe_organization()
    response = error_of(raised)
    assert response["Error"]["Code"] == "InvalidSignatureException"
    assert response["Error"]["Message"].startswith(message)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_small_skew_is_accepted(server: Server) -> None:
    signed_at = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=10)
    with mock.patch("botocore.auth.get_current_datetime", return_value=signed_at):
        assert (
            server.client(0).describe_organization()["Organization"]["Id"]
            == "o-exampleorgid"
        )


def test_default_accounts_file_free_start(tmp_path: Path) -> None:
    """Without --accounts, the documented development set (Bill's keys) works."""
    from runtime.accounts import DEVELOPMENT_ACCOUNTS

    bill = DEVELOPMENT_ACCOUNTS.by_id("111111111111")
    assert bill is not None
    with running_server(tmp_path, "--handlers", HANDLERS) as running:
        client = _client(running, bill.access_key_id, bill.secret_access_key)
        assert (
            client.describe_organization()["Organization"]["MasterAccountId"]
            == "111111111111"
        )


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    with running_server(
        tmp_path, "--handlers", HANDLERS, "--accounts", str(write_accounts(tmp_path))
    ) as running:
        process = running.process
    assert process.returncode == 0


def test_workers_share_the_port_and_stop_together(tmp_path: Path) -> None:
    """`--workers 2`: two processes answer on one port; SIGTERM stops both, exit 0."""
    accounts = str(write_accounts(tmp_path))
    with running_server(
        tmp_path, "--handlers", HANDLERS, "--accounts", accounts, "--workers", "2"
    ) as running:
        children = Path(
            f"/proc/{running.process.pid}/task/{running.process.pid}/children"
        )
        workers = [int(pid) for pid in children.read_text().split()]
        assert len(workers) == 2
        results = [running.client(i % 3).describe_organization() for i in range(40)]
        assert {r["Organization"]["MasterAccountId"] for r in results} == {
            "111111111111",
            "222222222222",
            "333333333333",
        }
        # Request ids are unique across the processes too (a forked worker does not
        # repeat its parent's), and UUIDs of version 4.
        ids = [r["ResponseMetadata"]["RequestId"] for r in results]
        assert len(set(ids)) == len(ids)
        assert all(
            (uuid.UUID(i).version, uuid.UUID(i).variant) == (4, uuid.RFC_4122)
            for i in ids
        )
        answered = set(re.findall(r"botogen\.access\[(\d+)\]", running.log_text()))
        assert answered == {str(pid) for pid in workers}  # both answered
        process = running.process
    assert process.returncode == 0
    for pid in workers:
        assert (
            not Path(f"/proc/{pid}").exists()
            or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )
