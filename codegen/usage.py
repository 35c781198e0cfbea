"""What the hand-written handlers of a service use of its model, read from their code.

The handlers of service `s` are the Python files under `handlers/<package>/` (any
depth). They are parsed (`ast`, nothing is imported) and every place that touches the
generated package `generated.<package>` is recorded with its file and line:

- **operations implemented**: a method of a class named as boto3 names the operation
  (`accept_handshake` for AcceptHandshake) that takes `(self, context, request)`;
- **shapes named**: a name imported from `generated.<package>` (or its `shapes`, `models`,
  `errors` modules, under any alias; or such a module imported and its attribute read)
  that is a shape's class, wherever the code uses it (import lines themselves are not
  uses);
- **enum values**: `ActionType.INVITE` (an enum shape's class, attribute read) is a use
  of the value `INVITE` of `ActionType`;
- **members written**: keyword arguments of a model or error built from its class
  (`Account.model_construct(state=...)`, `InvalidInputException(..., reason=...)`), the
  keys of a dict literal or a `name["key"] = ...` passed as `**name`;
- **members read**: attribute chains from a name annotated with a model class (a
  parameter, `x: Model = ...`), assigned from one, or bound by a `for` over a list of
  models, followed through the members' targets (`request.target.type_` reads
  `InviteAccountToOrganizationRequest.Target` and `HandshakeParty.Type`);
- **shapes constructed**: models built and errors raised by the code.

Python names are matched to model names as the generator makes them (`codegen.names`):
a class is its shape's name (a trailing `_` added against a clash is ignored), a field is
the member's boto3 name (`type_` is `Type`), an enum member is its value's UPPER_SNAKE
name. What the code does with plain strings (`row.state == "OPEN"`) is not seen.

`codegen.changes` classifies model changes with this (which operations are implemented,
which shapes their requests and responses reach, which enums the code names) and ties
each change that needs a look to these lines.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore import xform_name

from codegen.names import class_name, enum_member_name, method_name

#: The project root: `handlers/` is beside `codegen/`.
ROOT = Path(__file__).resolve().parent.parent
#: Modules of a generated package that define shapes.
_SHAPE_MODULES = ("shapes", "models", "errors")
#: Class attributes of a model that are not members.
_CONSTRUCTORS = frozenset({"model_construct", "model_validate"})


@dataclass(frozen=True, order=True)
class Use:
    """One place in the handlers' code."""

    #: Relative to the project root, with `/`: `handlers/organizations/documents.py`.
    path: str
    line: int
    #: What the code does there, in its words: `ActionType.INVITE`,
    #: `Account.model_construct(state=)`, `def accept_handshake`.
    what: str = field(compare=False)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where} {self.what}"


def _add(table: dict[Any, list[Use]], key: Any, use: Use) -> None:
    uses = table.setdefault(key, [])
    if use not in uses:
        uses.append(use)


@dataclass
class Usage:
    """Everything the handlers of one service use, each with where (module docstring)."""

    service: str = ""
    #: Operation -> the `def` of each handler method implementing it.
    operations: dict[str, list[Use]] = field(default_factory=dict)
    #: Shape -> places naming its class (uses of its members and values included).
    shapes: dict[str, list[Use]] = field(default_factory=dict)
    #: (shape, member) -> places reading or writing the member.
    members: dict[tuple[str, str], list[Use]] = field(default_factory=dict)
    #: (enum shape, value) -> places naming the value.
    values: dict[tuple[str, str], list[Use]] = field(default_factory=dict)
    #: Shapes whose models the code builds or whose errors it raises.
    constructed: set[str] = field(default_factory=set)
    #: Files read, relative to the project root.
    files: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files)


# -- matching Python names to model names ----------------------------------------------


def _bare(name: str) -> str:
    return name.rstrip("_")


def _field_key(member: str) -> str:
    """A member's field name as the generator makes it, before clash suffixes."""
    name = re.sub(r"\W", "_", xform_name(member)).lstrip("_")
    if not name or name[0].isdigit():
        name = "f_" + name
    return name


class _Model:
    """Names of the shapes of one or more fingerprints (old and new alike)."""

    def __init__(self, prints: Sequence[dict[str, Any]]) -> None:
        self.shapes: dict[str, dict[str, Any]] = {}
        for print_ in prints:
            for name, body in print_["shapes"].items():
                self.shapes.setdefault(name, body)
        self.operations: set[str] = {
            op for print_ in prints for op in print_["operations"]
        }
        self.classes: dict[str, str] = {}
        for name in sorted(self.shapes):
            self.classes.setdefault(_bare(class_name(name)), name)
            if self.shapes[name].get("exception"):
                self.classes.setdefault(_bare(class_name(f"{name}Model")), name)
        self.fields: dict[str, dict[str, str]] = {}
        self.enum_members: dict[str, dict[str, str]] = {}
        for print_ in prints:
            for name, body in print_["shapes"].items():
                fields = self.fields.setdefault(name, {})
                for member in body.get("members", {}):
                    fields.setdefault(_field_key(member), member)
                values = self.enum_members.setdefault(name, {})
                for value in body.get("enum", ()):
                    values.setdefault(_bare(enum_member_name(value, set())), value)
        self.methods = {method_name(op): op for op in sorted(self.operations)}

    def shape_of_class(self, python: str) -> str | None:
        return self.classes.get(_bare(python))

    def member(self, shape: str, python: str) -> str | None:
        return self.fields.get(shape, {}).get(_bare(python))

    def value(self, shape: str, python: str) -> str | None:
        return self.enum_members.get(shape, {}).get(_bare(python))

    def target(self, shape: str, member: str) -> str | None:
        body = self.shapes.get(shape, {})
        found = body.get("members", {}).get(member)
        return found["target"] if found else None

    def item(self, shape: str) -> str | None:
        """The item shape of a list."""
        member = self.shapes.get(shape, {}).get("member")
        return member if isinstance(member, str) else None

    def is_enum(self, shape: str) -> bool:
        return "enum" in self.shapes.get(shape, {})


# -- reading one file ------------------------------------------------------------------


class _Scanner(ast.NodeVisitor):
    def __init__(self, model: _Model, package: str, path: str, usage: Usage) -> None:
        self.model = model
        self.package = package
        self.path = path
        self.usage = usage
        #: Local name -> shape, for names imported from the generated package.
        self.imported: dict[str, str] = {}
        #: Local name of an imported generated module.
        self.modules: set[str] = set()
        #: Per function scope: variable -> shape of the model it holds.
        self.typed: list[dict[str, str]] = [{}]
        #: Per function scope: variable -> keys (with lines) of the dict it holds.
        self.dicts: list[dict[str, list[tuple[str, int]]]] = [{}]
        self.classes: list[str] = []

    def use(self, line: int, what: str) -> Use:
        return Use(self.path, line, what)

    # -- imports ------------------------------------------------------------------------

    def _generated(self, module: str) -> str | None:
        """'' for the package itself, the module name for one of its shape modules."""
        prefix = f"generated.{self.package}"
        if module == prefix:
            return ""
        if module.startswith(prefix + "."):
            return module[len(prefix) + 1 :]
        return None

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = self._generated(node.module or "") if node.level == 0 else None
        if module is None:
            return
        for alias in node.names:
            local = alias.asname or alias.name
            if module == "" and alias.name in _SHAPE_MODULES:
                self.modules.add(local)
                continue
            shape = self.model.shape_of_class(alias.name)
            if shape is not None and module in ("", *_SHAPE_MODULES):
                self.imported[local] = shape

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            module = self._generated(alias.name)
            if module in _SHAPE_MODULES and alias.asname:
                self.modules.add(alias.asname)

    # -- resolving expressions ------------------------------------------------------------

    def class_shape(self, node: ast.expr) -> str | None:
        """The shape whose class `node` names, if it names one."""
        if isinstance(node, ast.Name):
            return self.imported.get(node.id)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in self.modules
        ):
            return self.model.shape_of_class(node.attr)
        return None

    def variable(self, name: str) -> str | None:
        for scope in reversed(self.typed):
            if name in scope:
                return scope[name]
        return None

    def annotation_shape(self, node: ast.expr | None) -> str | None:
        """`Model`, `Model | None`, `Optional[Model]`, `"Model"`: the model's shape."""
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self.annotation_shape(node.left) or self.annotation_shape(node.right)
        if isinstance(node, ast.Subscript) and getattr(node.value, "id", "") in (
            "Optional",
        ):
            return self.annotation_shape(node.slice)
        shape = self.class_shape(node)
        if shape and not self.model.is_enum(shape):
            return shape
        return None

    def value_shape(self, node: ast.expr) -> str | None:
        """The shape of the model an expression evaluates to, as far as it is known;
        reading a chain of members records each member read."""
        if isinstance(node, ast.Name):
            return self.variable(node.id)
        if isinstance(node, ast.Attribute):
            owner = self.value_shape(node.value)
            if owner is None:
                return None
            member = self.model.member(owner, node.attr)
            if member is None:
                return None
            _add(
                self.usage.members,
                (owner, member),
                self.use(node.lineno, f"{_source(node)} reads {owner}.{member}"),
            )
            return self.model.target(owner, member)
        if isinstance(node, ast.Call):
            return self.constructed_shape(node)
        if isinstance(node, ast.Subscript):
            container = self.value_shape(node.value)
            return self.model.item(container) if container else None
        return None

    def constructed_shape(self, node: ast.Call) -> str | None:
        func = node.func
        shape = self.class_shape(func)
        if shape is None and isinstance(func, ast.Attribute):
            if func.attr in _CONSTRUCTORS:
                shape = self.class_shape(func.value)
        if shape is None or self.model.is_enum(shape):
            return None
        return shape

    # -- scopes ---------------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.function(node)

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        if self.classes and node.name in self.model.methods:
            names = [a.arg for a in arguments]
            if names[1:3] == ["context", "request"]:
                op = self.model.methods[node.name]
                _add(
                    self.usage.operations,
                    op,
                    self.use(node.lineno, f"def {node.name} ({self.classes[-1]})"),
                )
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        scope: dict[str, str] = {}
        for argument in arguments:
            if argument.annotation is not None:
                self.visit(argument.annotation)
                shape = self.annotation_shape(argument.annotation)
                if shape:
                    scope[argument.arg] = shape
        if node.returns is not None:
            self.visit(node.returns)
        self.typed.append(scope)
        self.dicts.append({})
        classes, self.classes = self.classes, []
        for statement in node.body:
            self.visit(statement)
        self.classes = classes
        self.typed.pop()
        self.dicts.pop()

    # -- statements that bind names --------------------------------------------------------

    def bind(self, target: ast.expr, shape: str | None) -> None:
        if isinstance(target, ast.Name):
            if shape:
                self.typed[-1][target.id] = shape
            else:
                self.typed[-1].pop(target.id, None)

    def remember_dict(self, target: ast.expr, value: ast.expr | None) -> None:
        if not isinstance(target, ast.Name):
            return
        if isinstance(value, ast.Dict):
            self.dicts[-1][target.id] = [
                (key.value, key.lineno)
                for key in value.keys
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            ]
        else:
            self.dicts[-1].pop(target.id, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        shape = self.value_shape_quiet(node.value)
        for target in node.targets:
            self.visit(target)
            self.bind(target, shape)
            self.remember_dict(target, node.value)
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and isinstance(target.slice, ast.Constant)
                and isinstance(target.slice.value, str)
            ):
                keys = self.dicts[-1].get(target.value.id)
                if keys is not None:
                    keys.append((target.slice.value, target.lineno))

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
        shape = self.annotation_shape(node.annotation)
        if shape is None and node.value is not None:
            shape = self.value_shape_quiet(node.value)
        self.bind(node.target, shape)
        self.remember_dict(node.target, node.value)

    def value_shape_quiet(self, node: ast.expr) -> str | None:
        """`value_shape` of an expression the visit has read already (a read recorded
        twice is kept once)."""
        return self.value_shape(node)

    def loop(self, target: ast.expr, iterable: ast.expr) -> None:
        container = self.value_shape_quiet(iterable)
        item = self.model.item(container) if container else None
        self.bind(target, item)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.loop(node.target, node.iter)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.visit(node.iter)
        self.loop(node.target, node.iter)
        for condition in node.ifs:
            self.visit(condition)

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        for generator in node.generators:
            self.visit_comprehension(generator)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)

    visit_ListComp = _comprehension
    visit_SetComp = _comprehension
    visit_GeneratorExp = _comprehension
    visit_DictComp = _comprehension

    # -- expressions ----------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        shape = self.imported.get(node.id)
        if shape is not None and isinstance(node.ctx, ast.Load):
            _add(self.usage.shapes, shape, self.use(node.lineno, node.id))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        owner = self.class_shape(node.value)
        if owner is not None and self.model.is_enum(owner):
            value = self.model.value(owner, node.attr)
            if value is not None:
                use = self.use(node.lineno, f"{owner}.{node.attr}")
                _add(self.usage.values, (owner, value), use)
                _add(self.usage.shapes, owner, use)
                return
        shape = self.class_shape(node)
        if shape is not None:
            _add(self.usage.shapes, shape, self.use(node.lineno, _source(node)))
            return
        if isinstance(node.value, (ast.Name, ast.Attribute)):
            self.value_shape(node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        shape = self.constructed_shape(node)
        if shape is not None:
            self.usage.constructed.add(shape)
            kind = "raise" if self.model.shapes.get(shape, {}).get("exception") else ""
            call = f"{_source(node.func)}(...)"
            _add(
                self.usage.shapes,
                shape,
                self.use(node.lineno, f"{kind} {call}".strip()),
            )
            for keyword in node.keywords:
                for key, line in self.keyword_names(keyword):
                    member = self.model.member(shape, key)
                    if member is not None:
                        _add(
                            self.usage.members,
                            (shape, member),
                            self.use(line, f"{call} sets {shape}.{member}"),
                        )
                        target = self.model.target(shape, member)
                        if keyword.arg is not None and target:
                            self.literal_values(target, keyword.value)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        """`party.type_ == "ACCOUNT"`, `x.state in ("OPEN", "REQUESTED")`: a member of an
        enum type compared with its values written as strings."""
        operands = [node.left, *node.comparators]
        for index, operand in enumerate(operands):
            if isinstance(operand, (ast.Name, ast.Attribute)):
                shape = self.value_shape(operand)
                if shape is not None and self.model.is_enum(shape):
                    for other in operands[:index] + operands[index + 1 :]:
                        self.literal_values(shape, other)
        self.generic_visit(node)

    def literal_values(self, enum: str, node: ast.expr) -> None:
        """String constants in `node` (alone or in a tuple, list or set) that are values
        of `enum`."""
        if not self.model.is_enum(enum):
            return
        items = (
            node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
        )
        known = set(self.model.enum_members.get(enum, {}).values())
        for item in items:
            if isinstance(item, ast.Constant) and item.value in known:
                use = self.use(item.lineno, f"{enum} value {item.value!r}")
                _add(self.usage.values, (enum, item.value), use)
                _add(self.usage.shapes, enum, use)

    def keyword_names(self, keyword: ast.keyword) -> Iterator[tuple[str, int]]:
        if keyword.arg is not None:
            yield keyword.arg, keyword.value.lineno
            return
        value = keyword.value
        if isinstance(value, ast.Dict):
            for key in value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield key.value, key.lineno
        elif isinstance(value, ast.Name):
            for scope in reversed(self.dicts):
                if value.id in scope:
                    yield from scope[value.id]
                    return


def _source(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


# -- a service's handlers ---------------------------------------------------------------


def handler_folder(service: str) -> Path | None:
    """Where the service's handlers are: the project's `handlers/<package>/`, or else a
    `handlers/<package>/` elsewhere on the import path, as the runtime finds it (the
    `handlers` package extends its path); None when there is none. Nothing of the
    service's package is imported."""
    package = service.replace("-", "_")
    local = ROOT / "handlers" / package
    if local.is_dir():
        return local
    try:
        spec = importlib.util.find_spec(f"handlers.{package}")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or ()) if spec else []
    return Path(locations[0]) if locations else None


def handler_files(service: str, root: Path | None = None) -> list[Path]:
    """The service's handler files: `handlers/<package>/**.py` under `root`, or where
    `handler_folder` finds them."""
    if root is not None:
        folder: Path | None = root / "handlers" / service.replace("-", "_")
    else:
        folder = handler_folder(service)
    if folder is None or not folder.is_dir():
        return []
    return sorted(
        path for path in folder.rglob("*.py") if "__pycache__" not in path.parts
    )


def scan(
    service: str,
    prints: Iterable[dict[str, Any] | None],
    root: Path | None = None,
    files: Sequence[Path] | None = None,
) -> Usage:
    """What the service's handlers (`handler_files`) use of the model (module
    docstring); `prints` are the fingerprints whose shapes give the names (old and new
    alike). Places are shown relative to `root` (default: the project) when inside it.
    """
    usage = Usage(service)
    paths = handler_files(service, root) if files is None else list(files)
    if not paths:
        return usage
    base = (root or ROOT).resolve()
    model = _Model([p for p in prints if p])
    package = service.replace("-", "_")
    for path in paths:
        try:
            shown = path.resolve().relative_to(base).as_posix()
        except ValueError:
            shown = path.as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        _Scanner(model, package, shown, usage).visit(tree)
        usage.files.append(shown)
    for uses in (
        *usage.operations.values(),
        *usage.shapes.values(),
        *usage.members.values(),
        *usage.values.values(),
    ):
        uses.sort()
    return usage


# -- what the implemented operations reach -------------------------------------------------


def _targets(body: dict[str, Any]) -> Iterator[str]:
    for member in body.get("members", {}).values():
        yield member["target"]
    for key in ("member", "key", "value"):
        if key in body:
            yield body[key]


def reachable(shapes: dict[str, Any], start: str | None) -> set[str]:
    """Every shape reachable from `start` (itself included) through members and items."""
    seen: set[str] = set()
    todo = [start] if start else []
    while todo:
        name = todo.pop()
        if name in seen or name not in shapes:
            continue
        seen.add(name)
        todo.extend(_targets(shapes[name]))
    return seen


@dataclass
class Reach:
    """Which shapes the handlers depend on, across an old and a new fingerprint."""

    #: Shape -> implemented operations whose request reaches it.
    requests: dict[str, set[str]] = field(default_factory=dict)
    #: Shape -> implemented operations whose response reaches it.
    responses: dict[str, set[str]] = field(default_factory=dict)
    #: Shapes the handlers emit: reached by a response, or by a model they build.
    emitted: set[str] = field(default_factory=set)
    #: Shapes the handlers use at all: requests, emitted, or named in the code.
    used: set[str] = field(default_factory=set)


def reach(usage: Usage, prints: Sequence[dict[str, Any]]) -> Reach:
    found = Reach()
    for print_ in prints:
        shapes = print_["shapes"]
        for op in usage.operations:
            body = print_["operations"].get(op)
            if body is None:
                continue
            for part, table in (("input", found.requests), ("output", found.responses)):
                for shape in reachable(shapes, body.get(part)):
                    table.setdefault(shape, set()).add(op)
        for shape in usage.constructed:
            found.emitted |= reachable(shapes, shape)
    found.emitted |= set(found.responses)
    found.used = set(found.requests) | found.emitted | set(usage.shapes)
    return found
