"""The AWS CLI and the generated typed client against the running server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generated.organizations import OrganizationsClient
from generated.organizations.errors import (
    HandshakeNotFoundException,
    InvalidInputException,
)
from generated.organizations.models import (
    DeclineHandshakeRequest,
    DeclineHandshakeResponse,
    DescribeOrganizationResponse,
    ListHandshakesForAccountResponse,
)
from generated.organizations.shapes import HandshakeState, InvalidInputExceptionReason
from support.fixed_handlers import MISSING, PAGED
from support.server import ACCOUNTS, Server, running_server, write_accounts

AWS = Path(sys.executable).with_name("aws")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("clients")
    with running_server(
        folder, "--accounts", str(write_accounts(folder)),
        "--handlers", "support.fixed_handlers:FixedHandlers",
    ) as running:  # fmt: skip
        yield running


def aws(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCOUNTS[1]["access_key_id"],
        "AWS_SECRET_ACCESS_KEY": ACCOUNTS[1]["secret_access_key"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    }
    return subprocess.run(
        [
            str(AWS),
            "organizations",
            *args,
            "--endpoint-url",
            server.url,
            "--output",
            "json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_aws_cli_success(server: Server) -> None:
    result = aws(
        server, "decline-handshake", "--handshake-id", "h-examplehandshakeid111"
    )
    assert result.returncode == 0, result.stderr
    handshake = json.loads(result.stdout)["Handshake"]
    assert handshake["State"] == "DECLINED"
    assert handshake["Parties"][0]["Id"] == "222222222222"


def test_aws_cli_modeled_error(server: Server) -> None:
    result = aws(server, "decline-handshake", "--handshake-id", MISSING)
    assert result.returncode == 255  # AWS CLI v1: 255 for a service error
    assert "(HandshakeNotFoundException)" in result.stderr
    assert "DeclineHandshake" in result.stderr


def test_aws_cli_validation_error(server: Server) -> None:
    result = aws(server, "decline-handshake", "--handshake-id", "bad")
    assert result.returncode == 255  # AWS CLI v1: 255 for a service error
    assert "(InvalidInputException)" in result.stderr
    assert "does not match the required pattern" in result.stderr


# -- the generated typed client -----------------------------------------------------------


@pytest.fixture()
def typed(server: Server) -> OrganizationsClient:
    return OrganizationsClient(server.client(1))


def test_typed_client_returns_models(typed: OrganizationsClient) -> None:
    organization = typed.describe_organization()
    assert isinstance(organization, DescribeOrganizationResponse)
    assert organization.organization is not None
    assert organization.organization.master_account_id == "222222222222"
    by_model = typed.decline_handshake(
        DeclineHandshakeRequest(handshake_id="h-examplehandshakeid111")
    )
    by_keywords = typed.decline_handshake(handshake_id="h-examplehandshakeid111")
    assert isinstance(by_model, DeclineHandshakeResponse)
    assert (
        by_model.handshake is not None
        and by_model.handshake.state is HandshakeState.DECLINED
    )
    assert by_model == by_keywords


def test_typed_client_raises_generated_exceptions(typed: OrganizationsClient) -> None:
    with pytest.raises(HandshakeNotFoundException) as missing:
        typed.decline_handshake(handshake_id=MISSING)
    assert "can't find a handshake" in str(missing.value)
    # The request model validates before sending; a raw client reaches the server's check.
    raw = OrganizationsClient.__new__(OrganizationsClient)
    raw.client = typed.client
    with pytest.raises(InvalidInputException) as invalid:
        raw._invoke("decline_handshake", {"HandshakeId": "h-" + "a" * 33})
    assert invalid.value.reason == InvalidInputExceptionReason.MAX_LENGTH_EXCEEDED


def test_typed_client_validates_before_sending(typed: OrganizationsClient) -> None:
    import pydantic

    with pytest.raises(pydantic.ValidationError):
        typed.decline_handshake(handshake_id="bad")


def test_typed_client_paginates(typed: OrganizationsClient) -> None:
    pages = list(typed.paginate_list_handshakes_for_account())
    assert all(isinstance(page, ListHandshakesForAccountResponse) for page in pages)
    assert [len(page.handshakes or []) for page in pages] == [3, 3, 1]
    assert [h.id for page in pages for h in page.handshakes or []] == PAGED


def test_typed_client_tolerates_enum_values_from_a_newer_model() -> None:
    response: dict[str, Any] = {
        "Handshake": {"Id": "h-12345678", "State": "SOMETHING_NEW", "Action": "INVITE"},
        "ResponseMetadata": {"RequestId": "r"},
    }
    parsed = OrganizationsClient._parse(DeclineHandshakeResponse, response)
    assert parsed.handshake is not None and parsed.handshake.state == "SOMETHING_NEW"
    assert (
        parsed.handshake.action is not None
        and parsed.handshake.action.value == "INVITE"
    )
    with pytest.raises(Exception):  # a server (no tolerance) still rejects it
        DeclineHandshakeResponse.model_validate(response)
