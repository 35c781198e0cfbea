"""botocore's JSON-protocol compliance cases, run in reverse through our server codec.

botocore's cases check a *client*: `input` cases serialize `params` into a request body,
`output` cases parse a response body into `result` (or into an error). A server does the
opposite, so each case runs backwards here:

- input: our server parses `serialized.body` with `runtime.jsonproto.parse_request` into
  the request model that our generator made from the case's own shapes; the model's
  content must equal `params`.
- output: the response model is built from `result`, serialized with
  `jsonproto.dump_response`, and **botocore's own parser** must turn those bytes back into
  `result`. The body must also keep the JSON protocol's wire forms (timestamps in the
  shape's format, base64 blobs, special floats as strings, no nulls, modeled members only).
- errors: the exception the runtime would raise is serialized with `jsonproto.dump_error`
  at its own HTTP status; botocore's parser (plus the modeled-error pass botocore's client
  makes) must give back the case's code, message and modeled members.

Every suite's shapes are generated in-memory with our generator (`codegen.build` →
`codegen.render`) into a temporary package. Cases that do not apply to a server are listed
in NOT_APPLICABLE with the reason (they show as skipped with that reason); cases that fail
because of a bug in our code are in KNOWN_BUGS as strict xfails, so that they fail the
suite once the bug is fixed. `test_every_case_is_accounted_for` keeps both lists honest.

The data: botocore's `tests/unit/protocols/` files, found by `support.protocol_data`
(the shared peer-test folder beside the project, else the pinned botocore's sdist).
"""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import math
import re
import sys
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any

import botocore.model
import botocore.parsers
import pydantic
import pytest
from botocore.model import Shape

from codegen import render
from codegen.build import build_service
from codegen.source import ServiceModel
from runtime import jsonproto
from runtime.errors import CommonError, ServiceError
from support.protocol_data import protocol_tests

# -- the data ----------------------------------------------------------------------------

DATA = protocol_tests()

#: file tag -> (path under the data folder, direction)
FILES = {
    "json-in": ("input/json.json", "input"),
    "json-out": ("output/json.json", "output"),
    "json10-in": ("input/json_1_0.json", "input"),
    "json10-out": ("output/json_1_0.json", "output"),
    "json10qc-in": ("input/json_1_0-query-compatible.json", "input"),
    "json10qc-out": ("output/json_1_0-query-compatible.json", "output"),
    "legacy-in": ("legacy/input/json.json", "input"),
    "legacy-out": ("legacy/output/json.json", "output"),
}

#: Below this many cases that really run, the module has lost its point.
MIN_APPLICABLE = 150


@dataclass
class Suite:
    package: str  # python-safe name of the generated package
    metadata: dict[str, Any]
    shapes: dict[str, Any]
    #: operation name in our model -> the case's `given` (with `http` filled in)
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def model(self) -> dict[str, Any]:
        return {
            "version": "2.0",
            "metadata": self.metadata,
            "operations": self.operations,
            "shapes": self.shapes,
            "documentation": "",
        }


@dataclass
class Case:
    #: "<file tag>:<case id>"; legacy cases have no id: "<file tag>:<suite slug>#<n>"
    key: str
    direction: str  # "input" or "output"
    suite: Suite
    operation: str
    data: dict[str, Any]

    @property
    def is_error(self) -> bool:
        return "errorCode" in self.data


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")


def _load_cases() -> list[Case]:
    if DATA is None:
        return []
    cases = []
    for tag, (path, direction) in FILES.items():
        for index, raw in enumerate(
            json.loads((DATA / path).read_text(encoding="utf-8"))
        ):
            suite = Suite(
                package=f"{tag.replace('-', '_')}_{index:02d}",
                metadata=raw["metadata"],
                shapes=raw["shapes"],
            )
            given_names: dict[str, str] = {}  # canonical JSON of a `given` -> op name
            for number, data in enumerate(raw["cases"]):
                given = {"http": {"method": "POST", "requestUri": "/"}, **data["given"]}
                canonical = json.dumps(given, sort_keys=True)
                if canonical not in given_names:
                    name = given["name"]
                    while name in suite.operations:  # same name, different definition
                        name += "X"
                    given_names[canonical] = name
                    suite.operations[name] = {**given, "name": name}
                case_id = data.get("id") or f"{_slug(raw['description'])}#{number}"
                cases.append(
                    Case(
                        f"{tag}:{case_id}",
                        direction,
                        suite,
                        given_names[canonical],
                        data,
                    )
                )
    return cases


CASES = _load_cases()

# -- what does not apply, and what is broken ---------------------------------------------

HEADERS_ONLY = (
    "checks only the request line and headers a client sends (the case has no body); "
    "routing by X-Amz-Target is runtime/app.py's job, not the codec's"
)
HOST_PREFIX = "endpoint trait: the client prepends a host prefix; a server never sees it in the body"
HOST_WITH_PATH = "client-side URL building for a custom endpoint that has a path"
COMPRESSION = (
    "requestcompression trait: the case checks the client's Content-Encoding header and has "
    "no body to parse (the runtime does not gunzip request bodies; no Organizations "
    "operation has the trait)"
)
QUERY_MODE_HEADER = "the client must send x-amzn-query-mode: a header, no body"
TOKEN_AUTOFILL = (
    "the client generates an idempotency token the caller left out; a server only ever "
    "sees a filled-in token (case #0 of the suite parses one)"
)
EVENT_STREAM = (
    "RPC event streams (application/vnd.amazon.eventstream framing) are supported by "
    "neither the runtime nor the generator"
)
QUERY_COMPAT_CODE = (
    "awsQueryCompatible custom error code: AWS sends the shape name in __type and "
    "'Customized;Sender' in the x-amzn-query-error header; the runtime has no such header "
    "(dump_error yields only a body) and puts the query code in __type instead"
)
UNMODELED_ERROR_MEMBERS = (
    "the body carries members OtherExceptionShape does not model (Code, Message): the case "
    "checks that a client prefers __type over a stray Code; a model-driven server cannot "
    "produce that body"
)


def _client_only(same_as: str) -> str:
    return (
        "client-side tolerance of a response our server never sends; in reverse the case "
        f"is the same as {same_as}"
    )


def _foo_error_variant(same_as: str) -> str:
    return (
        "client-side reading of another spelling of the error code (X-Amzn-Errortype "
        "header, `code` member, namespace or URI suffix); our server only writes "
        f"`__type: FooError`, so in reverse the case is the same as {same_as}"
    )


NOT_APPLICABLE: dict[str, str] = {
    # input/json.json
    "json-in:sends_requests_to_slash": HEADERS_ONLY,
    "json-in:includes_x_amz_target_and_content_type": HEADERS_ONLY,
    "json-in:AwsJson11EndpointTrait": HOST_PREFIX,
    "json-in:AwsJson11EndpointTraitWithHostLabel": HOST_PREFIX,
    "json-in:AwsJson11HostWithPath": HOST_WITH_PATH,
    "json-in:SDKAppliedContentEncoding_awsJson1_1": COMPRESSION,
    "json-in:SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1": COMPRESSION,
    # input/json_1_0.json
    "json10-in:AwsJson10EndpointTrait": HOST_PREFIX,
    "json10-in:AwsJson10EndpointTraitWithHostLabel": HOST_PREFIX,
    "json10-in:AwsJson10HostWithPath": HOST_WITH_PATH,
    "json10-in:SDKAppliedContentEncoding_awsJson1_0": COMPRESSION,
    "json10-in:SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_0": COMPRESSION,
    # input/json_1_0-query-compatible.json
    "json10qc-in:QueryCompatibleAwsJson10CborSendsQueryModeHeader": QUERY_MODE_HEADER,
    # legacy/input/json.json
    "legacy-in:idempotency-token-auto-fill#1": TOKEN_AUTOFILL,
    "legacy-in:endpoint-host-trait-static-prefix#0": HOST_PREFIX,
    "legacy-in:endpoint-host-trait-static-prefix#1": HOST_PREFIX,
    # output/json.json
    "json-out:handles_unexpected_json_output": _client_only(
        "handles_empty_output_shape"
    ),
    "json-out:json_1_1_service_responds_with_no_payload": _client_only(
        "handles_empty_output_shape"
    ),
    "json-out:AwsJson11DeserializeIgnoreType": _client_only(
        "AwsJson11DeserializeStructureUnionValue"
    ),
    "json-out:AwsJson11StructuresDontDeserializeNullValues": _client_only(
        "parses_operations_with_empty_json_bodies"
    ),
    **{
        f"json-out:AwsJson11FooError{variant}": _foo_error_variant(
            "AwsJson11FooErrorWithDunderType"
        )
        for variant in (
            "UsingXAmznErrorType",
            "UsingXAmznErrorTypeWithUri",
            "UsingXAmznErrorTypeWithUriAndNamespace",
            "UsingCode",
            "UsingCodeAndNamespace",
            "UsingCodeUriAndNamespace",
            "WithDunderTypeAndNamespace",
            "WithDunderTypeUriAndNamespace",
        )
    },
    # output/json_1_0.json
    "json10-out:AwsJson10HandlesUnexpectedJsonOutput": _client_only(
        "AwsJson10HandlesEmptyOutputShape"
    ),
    "json10-out:AwsJson10ServiceRespondsWithNoPayload": _client_only(
        "AwsJson10HandlesEmptyOutputShape"
    ),
    "json10-out:AwsJson10DeserializeIgnoreType": _client_only(
        "AwsJson10DeserializeStructureUnionValue"
    ),
    "json10-out:AwsJson10DeserializeAllowNulls": _client_only(
        "AwsJson10DeserializeStructureUnionValue"
    ),
    **{
        f"json10-out:AwsJson10FooError{variant}": _foo_error_variant(
            "AwsJson10FooErrorWithDunderType"
        )
        for variant in (
            "UsingXAmznErrorType",
            "UsingXAmznErrorTypeWithUri",
            "UsingXAmznErrorTypeWithUriAndNamespace",
            "UsingCode",
            "UsingCodeAndNamespace",
            "UsingCodeUriAndNamespace",
            "WithDunderTypeAndNamespace",
            "WithDunderTypeUriAndNamespace",
        )
    },
    # output/json_1_0-query-compatible.json
    "json10qc-out:QueryCompatibleAwsJson10CustomCodeError": QUERY_COMPAT_CODE,
    # legacy/output/json.json
    "legacy-out:lists#1": (
        "client-side tolerance of a malformed response (nulls in non-sparse lists, objects "
        "where the model says string); a server that keeps its model cannot send it"
    ),
    "legacy-out:ignores-extra-data#0": _client_only(
        "json-out:handles_empty_output_shape"
    ),
    "legacy-out:rpc-json-event-stream#0": EVENT_STREAM,
    "legacy-out:modeled-exceptions#1": UNMODELED_ERROR_MEMBERS,
}

KNOWN_BUGS: dict[str, str] = {
    # Empty: the bugs these cases found (special floats, nested error members, a member
    # named `Code`, the `character` type, member-level timestampFormat) are fixed.
}


def _param(case: Case) -> Any:
    marks = []
    if case.key in NOT_APPLICABLE:
        marks.append(
            pytest.mark.skip(reason=f"not applicable: {NOT_APPLICABLE[case.key]}")
        )
    elif case.key in KNOWN_BUGS:
        marks.append(
            pytest.mark.xfail(strict=True, reason=f"known bug: {KNOWN_BUGS[case.key]}")
        )
    return pytest.param(case, id=case.key, marks=marks)


INPUT_CASES = [_param(c) for c in CASES if c.direction == "input"]
OUTPUT_CASES = [_param(c) for c in CASES if c.direction == "output" and not c.is_error]
ERROR_CASES = [_param(c) for c in CASES if c.direction == "output" and c.is_error]

# -- the generated packages --------------------------------------------------------------

ROOT_PACKAGE = "botogen_protocol_cases"


@dataclass
class Generated:
    """One suite's generated package, or why it could not be generated."""

    package: ModuleType | None = None
    error: Exception | None = None


@pytest.fixture(scope="module")
def generated(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Generated]]:
    """Generates, in one pass, a package for every suite that has a case to run."""
    root = tmp_path_factory.mktemp("protocol_cases")
    out = root / ROOT_PACKAGE
    suites = {c.suite.package: c.suite for c in CASES if c.key not in NOT_APPLICABLE}
    results: dict[str, Generated] = {}
    items = [render.render_root(out)]
    for name, suite in sorted(suites.items()):
        source = ServiceModel(
            name=name,
            api_version="2020-01-01",
            model=suite.model(),
            examples=None,
            paginators=None,
            botocore_version="test",
            sha256="0" * 64,
        )
        try:
            items += render.render_service(build_service(source), out)
        except Exception as error:  # reported by every case of the suite
            results[name] = Generated(error=error)
    render.write(items)
    sys.path.insert(0, str(root))
    try:
        for name in suites:
            if name not in results:
                try:
                    module = importlib.import_module(f"{ROOT_PACKAGE}.{name}")
                    results[name] = Generated(package=module)
                except Exception as error:
                    results[name] = Generated(error=error)
        yield results
    finally:
        sys.path.remove(str(root))


def _package(generated: dict[str, Generated], case: Case) -> ModuleType:
    result = generated[case.suite.package]
    if result.error is not None:
        raise result.error
    assert result.package is not None
    return result.package


_BOTOCORE_MODELS: dict[str, botocore.model.ServiceModel] = {}


def _botocore_model(case: Case) -> botocore.model.ServiceModel:
    suite = case.suite
    if suite.package not in _BOTOCORE_MODELS:
        _BOTOCORE_MODELS[suite.package] = botocore.model.ServiceModel(
            suite.model(), service_name=suite.package
        )
    return _BOTOCORE_MODELS[suite.package]


# -- comparing values as the cases mean them ----------------------------------------------

_SPECIAL_FLOATS = {"NaN", "Infinity", "-Infinity"}


def _instant(value: Any) -> float:
    """A timestamp as epoch seconds to the millisecond, whatever form it is in."""
    if isinstance(value, bool):
        raise AssertionError(f"timestamp expected, got {value!r}")
    if isinstance(value, (int, float)):
        return round(float(value), 3)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = parsedate_to_datetime(value)
    assert isinstance(value, datetime), f"timestamp expected, got {value!r}"
    assert value.tzinfo is not None, f"timestamp without a time zone: {value!r}"
    return round(value.timestamp(), 3)


def _float(value: Any) -> float | str:
    if isinstance(value, str):
        assert value in _SPECIAL_FLOATS, f"float expected, got {value!r}"
        return value
    assert isinstance(value, (int, float)) and not isinstance(value, bool), repr(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def canon(shape: Shape | None, value: Any) -> Any:
    """`value` in one comparable form, read by the botocore shape.

    Timestamps become instants (epoch numbers, ISO/RFC 822 text and aware datetimes alike),
    blobs bytes (text in the cases is the decoded UTF-8 content), special floats their
    names, documents canonical JSON (so that `true` and `1` differ). Type mix-ups fail.
    """
    if shape is None:  # no input/output shape: nothing may come back
        assert value in (None, {}), f"no shape, but got {value!r}"
        return {}
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return json.dumps(value, sort_keys=True)
        assert isinstance(value, dict), f"{shape.name}: object expected, got {value!r}"
        unknown = set(value) - set(shape.members)
        assert (
            not unknown
        ), f"{shape.name}: members outside the model: {sorted(unknown)}"
        return {
            name: canon(member, value[name])
            for name, member in shape.members.items()
            if value.get(name) is not None
        }
    if kind == "list":
        assert isinstance(value, list), f"{shape.name}: list expected, got {value!r}"
        return [canon(shape.member, item) for item in value]
    if kind == "map":
        assert isinstance(value, dict), f"{shape.name}: map expected, got {value!r}"
        return {canon(shape.key, k): canon(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        return _instant(value)
    if kind == "blob":
        if isinstance(value, str):
            return value.encode("utf-8")
        assert isinstance(value, (bytes, bytearray)), f"blob expected, got {value!r}"
        return bytes(value)
    if kind in ("float", "double"):
        return _float(value)
    if kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), repr(value)
        return int(value)
    if kind == "boolean":
        assert isinstance(value, bool), f"boolean expected, got {value!r}"
        return value
    if kind in ("string", "character"):
        assert isinstance(value, str), f"string expected, got {value!r}"
        return str(value)  # an enum member becomes its value
    raise AssertionError(f"unexpected shape type {kind}")


def handler_values(shape: Shape | None, value: Any) -> Any:
    """A case's `result` as a handler would write it in Python: special floats as floats.

    Everything else stays as the case has it: the models take epoch numbers for timestamps
    and text for blobs, as boto3 does.
    """
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and not shape.is_document_type:
        return {
            k: handler_values(shape.members[k], v) if k in shape.members else v
            for k, v in value.items()
        }
    if kind == "list":
        return [handler_values(shape.member, item) for item in value]
    if kind == "map":
        return {k: handler_values(shape.value, v) for k, v in value.items()}
    if kind in ("float", "double") and isinstance(value, str):
        return float(value)
    return value


# -- the JSON protocol's wire forms --------------------------------------------------------


def wire_problems(shape: Shape | None, value: Any, path: str = "$") -> list[str]:
    """What in a JSON body (already json.loads-ed) breaks the JSON protocol's forms."""
    if shape is None:
        return [] if value == {} else [f"{path}: no shape, but {value!r}"]
    if value is None:
        return [f"{path}: null (the JSON protocols leave absent members out)"]
    kind = shape.type_name
    problems: list[str] = []
    if kind == "structure":
        if shape.is_document_type:
            return []
        if not isinstance(value, dict):
            return [f"{path}: object expected, got {value!r}"]
        names = {m.serialization.get("name", n): m for n, m in shape.members.items()}
        for key, item in value.items():
            if key not in names:
                problems.append(f"{path}.{key}: not a member of {shape.name}")
            else:
                problems += wire_problems(names[key], item, f"{path}.{key}")
    elif kind in ("list", "map"):
        items: list[tuple[Any, Any]]
        if kind == "list" and isinstance(value, list):
            items, inner = list(enumerate(value)), shape.member
        elif kind == "map" and isinstance(value, dict):
            items, inner = list(value.items()), shape.value
        else:
            return [f"{path}: {kind} expected, got {value!r}"]
        for key, item in items:
            if item is None and shape.metadata.get("sparse"):
                continue
            problems += wire_problems(inner, item, f"{path}[{key!r}]")
    elif kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", "unixTimestamp")
        if fmt == "unixTimestamp":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                problems.append(
                    f"{path}: epoch seconds expected ({fmt}), got {value!r}"
                )
        elif not isinstance(value, str):
            problems.append(f"{path}: {fmt} text expected, got {value!r}")
        elif fmt == "iso8601":
            try:
                if datetime.fromisoformat(value).tzinfo is None:
                    problems.append(f"{path}: ISO 8601 without a zone: {value!r}")
            except ValueError:
                problems.append(f"{path}: not ISO 8601: {value!r}")
        elif fmt == "rfc822":
            try:
                parsedate_to_datetime(value)
            except (TypeError, ValueError):
                problems.append(f"{path}: not an RFC 822 date: {value!r}")
            if not value.endswith("GMT"):
                problems.append(f"{path}: RFC 822 date not in GMT: {value!r}")
    elif kind == "blob":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            problems.append(f"{path}: base64 text expected, got {value!r}")
    elif kind in ("float", "double"):
        if isinstance(value, str):
            if value not in _SPECIAL_FLOATS:
                problems.append(f"{path}: number expected, got {value!r}")
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: number expected, got {value!r}")
        elif math.isnan(value) or math.isinf(value):
            problems.append(f"{path}: bare {value!r} (send it as a string)")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: integer expected, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: boolean expected, got {value!r}")
    elif not isinstance(value, str):
        problems.append(f"{path}: string expected, got {value!r}")
    return problems


def _headers(case: Case) -> dict[str, str]:
    """What runtime/app.py sends with every answer."""
    version = case.suite.metadata.get("jsonVersion")
    return {
        "content-type": jsonproto.content_type(version).decode(),
        "x-amzn-requestid": "protocol-test-request",
    }


# -- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", INPUT_CASES)
def test_request_body_parses_to_params(
    generated: dict[str, Generated], case: Case
) -> None:
    operation = _package(generated, case).OPERATIONS[case.operation]
    shape = _botocore_model(case).operation_model(case.operation).input_shape
    body = case.data["serialized"]["body"].encode("utf-8")

    request = jsonproto.parse_request(operation.input, body)

    got = request.model_dump(by_alias=True, exclude_none=True)
    assert canon(shape, got) == canon(shape, case.data["params"])


@pytest.mark.parametrize("case", OUTPUT_CASES)
def test_response_round_trips_through_botocore(
    generated: dict[str, Generated], case: Case
) -> None:
    operation = _package(generated, case).OPERATIONS[case.operation]
    shape = _botocore_model(case).operation_model(case.operation).output_shape
    result = case.data["result"]
    if operation.output is None:
        assert shape is None and result == {}
        response = None
    else:
        response = operation.output.model_validate(handler_values(shape, result))

    body = jsonproto.dump_response(response)

    parsed = botocore.parsers.JSONParser().parse(
        {"body": body, "headers": _headers(case), "status_code": 200}, shape
    )
    parsed.pop("ResponseMetadata")
    assert canon(shape, parsed) == canon(shape, result)
    assert wire_problems(shape, json.loads(body)) == []


def _error_class(package: ModuleType, code: str) -> type[ServiceError] | None:
    errors = importlib.import_module(f"{package.__name__}.errors")
    found = [
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, ServiceError)
        and cls.__module__ == errors.__name__
        and cls.code == code
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


def _exception(
    package: ModuleType, case: Case, error_shape: Shape | None
) -> ServiceError:
    """The exception a handler raises for the case: typed members, its message."""
    code, status = case.data["errorCode"], case.data["response"]["status_code"]
    members = dict(case.data["error"])
    cls = _error_class(package, code)
    if cls is None:  # a code outside the model
        assert not members, members
        return CommonError(code, case.data.get("errorMessage", ""), status)
    message = case.data.get("errorMessage")
    if cls.message_member is not None and cls.message_member in members:
        message = members.pop(cls.message_member)
    hints = typing.get_type_hints(cls)
    attribute = {wire: name for name, wire in cls.members.items()}
    assert set(members) <= set(attribute), (set(members), cls.members)
    assert error_shape is not None
    kwargs = {
        attribute[wire]: pydantic.TypeAdapter(hints[attribute[wire]]).validate_python(
            handler_values(error_shape.members[wire], value)
        )
        for wire, value in members.items()
    }
    return cls(message, **kwargs)


@pytest.mark.parametrize("case", ERROR_CASES)
def test_error_round_trips_through_botocore(
    generated: dict[str, Generated], case: Case
) -> None:
    package = _package(generated, case)
    service = _botocore_model(case)
    output_shape = service.operation_model(case.operation).output_shape
    error_shape = service.shape_for_error_code(case.data["errorCode"])
    error = _exception(package, case, error_shape)

    body = jsonproto.dump_error(error)

    assert error.http_status == case.data["response"]["status_code"]
    response = {
        "body": body,
        "headers": _headers(case),
        "status_code": error.http_status,
    }
    parser = botocore.parsers.JSONParser()
    parsed = parser.parse(response, output_shape)
    # botocore's client makes a second pass with the modeled error's own shape
    # (Endpoint._add_modeled_error_fields); the same here.
    modeled = service.shape_for_error_code(parsed["Error"]["Code"])
    if modeled is not None:
        parsed.update(parser.parse(response, modeled))
    parsed.pop("ResponseMetadata")
    assert parsed.pop("Error") == {
        "Code": case.data["errorCode"],
        "Message": case.data.get("errorMessage", ""),
    }
    if error_shape is None:
        assert parsed == {}
    else:
        assert canon(error_shape, parsed) == canon(error_shape, case.data["error"])
    wire = json.loads(body)
    assert isinstance(wire.pop("__type"), str)
    if error_shape is not None:
        assert wire_problems(error_shape, wire) == []
    else:
        assert set(wire) <= {"Message", "message"}, wire


def test_every_case_is_accounted_for() -> None:
    assert DATA is not None, (
        "botocore's protocol test files were not found: not in ../shared, and the "
        "pinned botocore's sdist could not be downloaded; set BOTOGEN_PROTOCOL_TESTS"
    )
    keys = [c.key for c in CASES]
    assert len(keys) == len(set(keys)), "case keys must be unique"
    assert not set(NOT_APPLICABLE) - set(keys), "stale NOT_APPLICABLE entries"
    assert not set(KNOWN_BUGS) - set(keys), "stale KNOWN_BUGS entries"
    assert not set(NOT_APPLICABLE) & set(KNOWN_BUGS)
    for case in CASES:
        if case.direction == "input" and case.key not in NOT_APPLICABLE:
            assert "body" in case.data["serialized"], f"{case.key} has no body to parse"
    applicable = [k for k in keys if k not in NOT_APPLICABLE]
    assert len(applicable) >= MIN_APPLICABLE, len(applicable)
