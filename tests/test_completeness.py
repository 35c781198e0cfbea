"""Everything in the Organizations model has its generated counterpart, and no more."""

from __future__ import annotations

import inspect
from enum import StrEnum
from typing import Any

from codegen.names import method_name
from generated.organizations import OPERATIONS, SERVICE, OrganizationsSkeleton
from generated.organizations import errors, models, shapes
from runtime.errors import ServiceError
from runtime.model import AwsModel, Empty


def _defined_in(module: Any, base: type) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(module).items()
        if inspect.isclass(value)
        and issubclass(value, base)
        and value.__module__ == module.__name__
    }


def test_model_counts_from_the_model_itself(
    org_source: Any, org_shapes: dict[str, Any]
) -> None:
    operations = org_source.model["operations"]
    structures = {
        name
        for name, shape in org_shapes.items()
        if shape["type"] == "structure"
        and not shape.get("exception")
        and not shape.get("document")
    }
    enums = {name for name, shape in org_shapes.items() if "enum" in shape}
    exceptions = {name for name, shape in org_shapes.items() if shape.get("exception")}

    # The figures design.md quotes, so that a silently shrunken model is noticed too.
    assert (len(operations), len(org_shapes), len(exceptions)) == (63, 275, 50)

    assert set(_defined_in(models, AwsModel)) == structures
    assert set(_defined_in(shapes, StrEnum)) == enums
    assert set(_defined_in(errors, ServiceError)) == exceptions
    methods = {
        name
        for name, value in vars(OrganizationsSkeleton).items()
        if inspect.isfunction(value)
    }
    assert methods == {method_name(name) for name in operations}
    assert set(OPERATIONS) == set(operations)


def test_every_named_scalar_and_list_shape_has_a_name(
    org_shapes: dict[str, Any],
) -> None:
    for name, shape in org_shapes.items():
        module = models if shape["type"] in ("structure", "list", "map") else shapes
        if shape.get("exception"):
            module = errors
        assert hasattr(module, name), f"{name} missing from {module.__name__}"


def test_operation_table_matches_the_model(org_source: Any) -> None:
    for name, op in org_source.model["operations"].items():
        entry = OPERATIONS[name]
        assert entry.name == name
        assert entry.method == method_name(name)
        assert (entry.http_method, entry.http_uri) == (
            op["http"]["method"],
            op["http"]["requestUri"],
        )
        expected_input = op["input"]["shape"] if "input" in op else Empty.__name__
        assert entry.input.__name__ == expected_input
        assert (entry.output.__name__ if entry.output else None) == op.get(
            "output", {}
        ).get("shape")
        assert [e.__name__ for e in entry.errors] == [
            e["shape"] for e in op.get("errors", ())
        ]
        assert callable(getattr(OrganizationsSkeleton, entry.method))


def test_service_metadata(org_source: Any) -> None:
    meta = org_source.model["metadata"]
    assert SERVICE.target_prefix == meta["targetPrefix"] == "AWSOrganizationsV20161128"
    assert SERVICE.protocol == "json" and SERVICE.json_version == "1.1"
    assert SERVICE.model_sha256 == org_source.sha256
    assert SERVICE.botocore_version == org_source.botocore_version


def test_exceptions_carry_code_status_and_typed_members(
    org_shapes: dict[str, Any],
) -> None:
    for name, cls in _defined_in(errors, ServiceError).items():
        shape = org_shapes[name]
        assert cls.code == name
        assert cls.http_status == (500 if shape.get("fault") else 400)
        assert cls.sender_fault is not bool(shape.get("fault"))
        extra = {m for m in shape["members"] if m != "Message"}
        assert set(cls.members.values()) == extra
    error = errors.InvalidInputException(
        "bad input", reason=shapes.InvalidInputExceptionReason.INVALID_PATTERN
    )
    assert isinstance(error, Exception) and str(error) == "bad input"
    assert error.to_wire() == {"Message": "bad input", "Reason": "INVALID_PATTERN"}
    assert errors.HandshakeNotFoundException("gone").to_wire() == {"Message": "gone"}


def test_unimplemented_skeleton_method_raises_not_implemented() -> None:
    from runtime.context import RequestContext
    from runtime.errors import NotImplementedOperation

    context = RequestContext(
        "111111111111", "arn:aws:iam::111111111111:root", "us-east-1", "r"
    )
    request = models.DeclineHandshakeRequest(handshake_id="h-12345678")
    try:
        OrganizationsSkeleton().decline_handshake(context, request)
    except NotImplementedOperation as error:
        assert error.operation == "DeclineHandshake"
    else:
        raise AssertionError("the skeleton method should raise")


def test_recursive_handshake_resource() -> None:
    resource = models.HandshakeResource.model_validate(
        {
            "Type": "ORGANIZATION",
            "Value": "o-exampleorgid",
            "Resources": [{"Type": "MASTER_EMAIL", "Value": "bill@example.com"}],
        }
    )
    assert resource.resources is not None
    assert resource.resources[0].type_ is shapes.HandshakeResourceType.MASTER_EMAIL
    assert resource.to_wire()["Resources"][0] == {
        "Type": "MASTER_EMAIL",
        "Value": "bill@example.com",
    }
