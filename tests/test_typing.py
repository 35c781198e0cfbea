"""Typed constructors and the typed client, for type checkers and at run time.

Both mypy (the project's configuration: strict, with the pydantic plugin) and pyright
read the files of `tests/typing_snippets/`: every `ok_*.py` must pass, every `bad_*.py`
must fail on its marked line with the message it expects (see the folder's README). Each
checker runs once over all of them.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from codegen import ir
from codegen.build import build_service
from codegen.source import ServiceModel
from generated.organizations import OrganizationsClient
from generated.organizations.models import (
    DeclineHandshakeRequest,
    Handshake,
    HandshakeParty,
    ListAccountsRequest,
    ListCreateAccountStatusRequest,
)
from generated.organizations.shapes import CreateAccountState, HandshakePartyType

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "tests" / "typing_snippets"
OK = sorted(SNIPPETS.glob("ok_*.py"))
BAD = sorted(SNIPPETS.glob("bad_*.py"))
#: Checked by pyright with the snippets: what users of the generated code open.
PYRIGHT_CLEAN = ["generated", "runtime/model.py", "runtime/client.py"]


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    line: int
    message: str


@dataclass(frozen=True)
class Expected:
    line: int
    messages: dict[str, str]


def expected(path: Path) -> Expected:
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = [n for n, line in enumerate(lines, 1) if line.endswith("# <- error")]
    assert len(marked) == 1, f"{path.name}: mark exactly one line with '# <- error'"
    messages = {
        match[1]: match[2].strip()
        for line in lines
        if (match := re.match(r"# expect (mypy|pyright): (.+)", line))
    }
    assert messages.keys() == {"mypy", "pyright"}, f"{path.name}: say what to expect"
    return Expected(marked[0], messages)


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def mypy() -> list[Diagnostic]:
    result = _run([sys.executable, "-m", "mypy", *(str(p) for p in OK + BAD)])
    diagnostics = [
        Diagnostic((ROOT / match[1]).resolve(), int(match[2]), match[3])
        for match in re.finditer(r"^(.+?):(\d+): error: (.*)$", result.stdout, re.M)
    ]
    assert diagnostics or result.returncode == 0, result.stdout + result.stderr
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return diagnostics


@pytest.fixture(scope="module")
def pyright() -> list[Diagnostic]:
    if importlib.util.find_spec("pyright") is None:
        pytest.skip("pyright is not installed (a dev dependency: make setup)")
    files = [*PYRIGHT_CLEAN, *(str(p) for p in OK + BAD)]
    # --outputjson: machine-readable, and the wrapper then looks for no newer version.
    result = _run([sys.executable, "-m", "pyright", "--outputjson", *files])
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"pyright did not run:\n{result.stdout}\n{result.stderr}")
    return [
        Diagnostic(
            Path(item["file"]).resolve(),
            item["range"]["start"]["line"] + 1,
            item["message"],
        )
        for item in report["generalDiagnostics"]
        if item["severity"] == "error"
    ]


CHECKERS = ["mypy", "pyright"]


def _diagnostics(request: pytest.FixtureRequest, checker: str) -> list[Diagnostic]:
    found: list[Diagnostic] = request.getfixturevalue(checker)
    return found


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("path", OK, ids=lambda p: p.name)
def test_accepts(request: pytest.FixtureRequest, checker: str, path: Path) -> None:
    errors = [d for d in _diagnostics(request, checker) if d.path == path]
    assert errors == []


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_rejects(request: pytest.FixtureRequest, checker: str, path: Path) -> None:
    expect = expected(path)
    errors = [d for d in _diagnostics(request, checker) if d.path == path]
    assert errors, f"{checker} accepted {path.name}"
    assert {d.line for d in errors} == {expect.line}, errors
    assert any(expect.messages[checker] in d.message for d in errors), errors


def test_pyright_accepts_the_generated_code(request: pytest.FixtureRequest) -> None:
    errors = [
        d
        for d in _diagnostics(request, "pyright")
        if not d.path.is_relative_to(SNIPPETS)
    ]
    assert errors == []


# -- at run time --------------------------------------------------------------------------


def test_an_unknown_keyword_names_the_closest_field() -> None:
    with pytest.raises(TypeError) as misspelled:
        HandshakeParty(id="222222222222", type="ACCOUNT")  # type: ignore[call-arg]
    assert str(misspelled.value) == (
        "HandshakeParty has no field 'type'; did you mean 'type_'?"
    )
    with pytest.raises(TypeError, match="'handshakeid'; did you mean 'handshake_id'"):
        DeclineHandshakeRequest(
            handshake_id="h-examplehandshakeid111",
            handshakeid="x",  # type: ignore[call-arg]
        )
    # Wire names count as spellings of the field too.
    with pytest.raises(TypeError, match="'HandshakeID'; did you mean 'handshake_id'"):
        DeclineHandshakeRequest(HandshakeID="h-1234567890")  # type: ignore[call-arg]
    with pytest.raises(TypeError) as far:
        ListAccountsRequest(zzz=1)  # type: ignore[call-arg]
    assert str(far.value) == (
        "ListAccountsRequest has no field 'zzz'; its fields: next_token, max_results"
    )


def test_the_keyword_check_comes_before_validation() -> None:
    # Not "Type: Field required", which names a word the caller never typed.
    with pytest.raises(TypeError, match="did you mean 'type_'"):
        HandshakeParty(id="222222222222", type="ACCOUNT")  # type: ignore[call-arg]


def test_validation_by_wire_name_still_ignores_unknown_members() -> None:
    body = {"HandshakeId": "h-examplehandshakeid111", "SomethingNew": 1}
    assert DeclineHandshakeRequest.model_validate(body) == DeclineHandshakeRequest(
        handshake_id="h-examplehandshakeid111"
    )
    as_json = json.dumps(body)
    assert DeclineHandshakeRequest.model_validate_json(as_json).handshake_id == (
        "h-examplehandshakeid111"
    )
    # Nested structures are validated, not constructed: unknown members are ignored.
    handshake = Handshake.model_validate(
        {"Parties": [{"Id": "222222222222", "Type": "ACCOUNT", "Extra": True}]}
    )
    assert handshake.parties == [
        HandshakeParty(id="222222222222", type_=HandshakePartyType.ACCOUNT)
    ]


def test_names_and_aliases_both_validate() -> None:
    by_alias = DeclineHandshakeRequest.model_validate({"HandshakeId": "h-12345678"})
    by_name = DeclineHandshakeRequest.model_validate({"handshake_id": "h-12345678"})
    assert by_alias == by_name
    # At run time the constructor takes wire names too (type checkers do not).
    by_wire_name = DeclineHandshakeRequest(HandshakeId="h-12345678")  # type: ignore
    assert by_wire_name == by_name


def test_dumps_and_schema_use_wire_names() -> None:
    request = DeclineHandshakeRequest(handshake_id="h-examplehandshakeid111")
    assert request.model_dump() == {"HandshakeId": "h-examplehandshakeid111"}
    assert request.to_wire() == {"HandshakeId": "h-examplehandshakeid111"}
    schema = DeclineHandshakeRequest.model_json_schema()
    assert list(schema["properties"]) == ["HandshakeId"]
    assert schema["required"] == ["HandshakeId"]


def test_enum_members_take_the_enum_or_its_values() -> None:
    party = HandshakeParty(id="222222222222", type_="ACCOUNT")
    assert party.type_ is HandshakePartyType.ACCOUNT
    assert "222222222222" not in repr(party)  # still sensitive
    states = ListCreateAccountStatusRequest(
        states=["IN_PROGRESS", CreateAccountState.FAILED]
    )
    assert states.states == [CreateAccountState.IN_PROGRESS, CreateAccountState.FAILED]
    with pytest.raises(ValueError):
        HandshakeParty(id="222222222222", type_="PERSON")  # type: ignore[arg-type]


def test_the_runtime_signature_uses_python_names() -> None:
    signature = inspect.signature(HandshakeParty)
    assert list(signature.parameters) == ["id", "type_"]
    assert all(p.kind is p.KEYWORD_ONLY for p in signature.parameters.values())
    optional = inspect.signature(ListAccountsRequest).parameters["max_results"]
    assert optional.default is None


def test_the_typed_client_checks_keywords_before_sending() -> None:
    with pytest.raises(TypeError, match="did you mean 'handshake_id'"):
        OrganizationsClient._params(
            DeclineHandshakeRequest, None, {"handshake_idd": "h-12345678"}
        )
    params = OrganizationsClient._params(
        DeclineHandshakeRequest, None, {"handshake_id": "h-12345678"}
    )
    assert params == {"HandshakeId": "h-12345678"}


# -- the generator ------------------------------------------------------------------------


def _service(shapes: dict[str, object]) -> ir.Service:
    model = {
        "metadata": {"protocol": "json", "serviceId": "Demo", "apiVersion": "2020"},
        "operations": {
            "Act": {"name": "Act", "input": {"shape": "ActRequest"}},
        },
        "shapes": shapes,
    }
    return build_service(ServiceModel("demo", "2020", model, None, None, "0", "0" * 64))


def test_parameters_of_enums_and_containers_of_enums() -> None:
    service = _service(
        {
            "ActRequest": {
                "type": "structure",
                "required": ["Kind"],
                "members": {
                    "Kind": {"shape": "Kind"},
                    "Kinds": {"shape": "Kinds"},
                    "ByKind": {"shape": "ByKind"},
                    "Name": {"shape": "Name"},
                },
            },
            "Kind": {"type": "string", "enum": ["A", "B"]},
            "KindLiteral": {"type": "string"},  # a shape takes the name first
            "Kinds": {"type": "list", "member": {"shape": "Kind"}},
            "ByKind": {
                "type": "map",
                "key": {"shape": "Kind"},
                "value": {"shape": "Name"},
            },
            "Name": {"type": "string"},
        }
    )
    (request,) = [m for m in service.models if isinstance(m, ir.Structure)]
    assert [(f.name, f.parameter) for f in request.fields] == [
        ("kind", "Kind | KindLiteral_"),
        ("kinds", "Sequence[Kind | KindLiteral_] | None"),
        ("by_kind", "Mapping[Kind | KindLiteral_, Name] | None"),
        ("name", "Name | None"),
    ]
    (enum,) = [s for s in service.scalars if isinstance(s, ir.EnumDef)]
    assert (enum.literal, enum.literal_annotation) == (
        "KindLiteral_",
        "Literal['A', 'B']",
    )
    (operation,) = service.operations
    assert operation.parameters == request.fields
