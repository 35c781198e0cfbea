"""The JSON codec's request side (`runtime.jsonproto.parse_request`): one parse, and the
runtime's own failures, never pydantic's: `InvalidRequest` (the constraints, for the
service's error policy) or a SerializationException `CommonError` (what JSON cannot say
or the model cannot take)."""

from __future__ import annotations

import pydantic
import pytest

from generated.organizations.models import (
    CreateOrganizationalUnitRequest,
    DeclineHandshakeRequest,
    InviteAccountToOrganizationRequest,
    ListHandshakesForAccountRequest,
)
from runtime.errors import CommonError
from runtime.jsonproto import parse_request
from runtime.model import AwsModel
from runtime.validation import Failure, InvalidRequest, nul_failures


def test_a_valid_body() -> None:
    request = parse_request(
        DeclineHandshakeRequest, b'{"HandshakeId": "h-examplehandshakeid111"}'
    )
    assert isinstance(request, DeclineHandshakeRequest)
    assert request.handshake_id == "h-examplehandshakeid111"


@pytest.mark.parametrize("body", [b"", b"   ", b"{}", b'{"MaxResults": null}'])
def test_empty_bodies_and_nulls_are_absent_members(body: bytes) -> None:
    request = parse_request(ListHandshakesForAccountRequest, body)
    assert request.max_results is None


@pytest.mark.parametrize(
    "model, body, failures",
    [
        (
            DeclineHandshakeRequest,
            b'{"HandshakeId": "bad"}',
            [
                Failure(
                    "HandshakeId",
                    "pattern",
                    "Member must satisfy regular expression pattern: ^h-[0-9a-z]{8,32}$",
                )
            ],
        ),
        (
            DeclineHandshakeRequest,
            b"{}",
            [Failure("HandshakeId", "required", "Member must not be null")],
        ),
        (
            ListHandshakesForAccountRequest,
            b'{"MaxResults": 0}',
            [
                Failure(
                    "MaxResults",
                    "min_value",
                    "Member must have value greater than or equal to 1",
                )
            ],
        ),
        (
            InviteAccountToOrganizationRequest,
            b'{"Target": {"Id": "111111111111", "Type": "ACCOUNT"}, "Tags": []}',
            None,  # an empty list is fine: no failure at all
        ),
    ],
)
def test_broken_constraints_are_invalid_requests(
    model: type[AwsModel], body: bytes, failures: list[Failure] | None
) -> None:
    if failures is None:
        parse_request(model, body)
        return
    with pytest.raises(InvalidRequest) as raised:
        parse_request(model, body)
    assert raised.value.failures == failures
    assert not isinstance(raised.value, pydantic.ValidationError)


def test_failures_come_in_the_order_a_service_reports_them() -> None:
    """Required first, then length, then pattern (CreateOrganizationalUnit: no ParentId,
    a Name too long)."""
    with pytest.raises(InvalidRequest) as raised:
        parse_request(
            CreateOrganizationalUnitRequest, b'{"Name": "' + b"x" * 200 + b'"}'
        )
    assert [(f.path, f.kind) for f in raised.value.failures] == [
        ("ParentId", "required"),
        ("Name", "max_length"),
    ]


@pytest.mark.parametrize(
    "body, words",
    [
        (b'{"HandshakeId": 12345678}', ["HandshakeId"]),
        (b'{"HandshakeId": ["h-examplehandshakeid111"]}', ["HandshakeId"]),
        (b'{"HandshakeId": "h-examplehandshakeid111"', ["Malformed JSON"]),
        (b"[]", ["JSON object"]),
        (b'"h-examplehandshakeid111"', ["JSON object"]),
        (b"null", ["JSON object"]),
        (b'{"HandshakeId": NaN}', ["Malformed JSON"]),
        (b'{"x": 1e999, "HandshakeId": "h-examplehandshakeid111"}', ["Malformed JSON"]),
        (b"\xff\xfe{}", ["Malformed JSON"]),
    ],
)
def test_what_json_or_the_model_cannot_take_is_a_serialization_error(
    body: bytes, words: list[str]
) -> None:
    with pytest.raises(CommonError) as raised:
        parse_request(DeclineHandshakeRequest, body)
    error = raised.value
    assert (error.code, error.http_status) == ("SerializationException", 400)
    for word in words:
        assert word in str(error)
    assert "12345678" not in str(error)  # the value itself is never echoed


def test_nul_failures_name_every_member_holding_u0000() -> None:
    """DECIDED (`NUL_CONSTRAINT`): every string or key holding U+0000 is a pattern
    failure at its wire path; other strings, numbers and nesting are not."""
    data = {
        "Name": "a\x00",
        "Tags": [{"Key": "k", "Value": "v"}, {"Key": "\x00", "Value": "v"}],
        "Map": {"\x00key": 1},
        "Deep": [[[["fine"]]]],
    }
    found = nul_failures(data)
    assert [(f.path, f.kind) for f in found] == [
        ("Name", "pattern"),
        ("Tags[1].Key", "pattern"),
        ("Map", "pattern"),
    ]
    assert nul_failures({"Name": "a\\u0000"}) == []
