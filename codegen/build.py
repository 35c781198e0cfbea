"""Builds the intermediate representation (`codegen.ir`) from a botocore service model."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from codegen import ir
from codegen.docs import html_to_text
from codegen.names import (
    RESERVED_ERROR_FIELDS,
    class_name,
    enum_member_name,
    field_name,
    literal_name,
    method_name,
)
from codegen.patterns import UnsupportedPattern, translate
from codegen.source import ServiceModel

Shape = dict[str, Any]

#: Timestamp formats on the wire when the shape does not say (botocore's serializers).
_DEFAULT_TIMESTAMP = {
    "json": "unixTimestamp",
    "rest-json": "unixTimestamp",
    "query": "iso8601",
    "ec2": "iso8601",
    "rest-xml": "iso8601",
    "smithy-rpc-v2-cbor": "unixTimestamp",
}
_TIMESTAMP_TYPES = {
    "unixTimestamp": "EpochTimestamp",
    "iso8601": "Iso8601Timestamp",
    "rfc822": "Rfc822Timestamp",
}
_SCALARS = {
    "string": "str",
    "character": "str",  # a legacy type botocore reads as a string
    "integer": "int",
    "long": "int",
    "boolean": "bool",
}


#: Where each name a generated module may use comes from, grouped as imports are sorted.
_EXTERNAL: tuple[dict[str, str], ...] = (
    {
        "Iterator": "collections.abc",
        "Mapping": "collections.abc",
        "Sequence": "collections.abc",
        "Annotated": "typing",
        "Any": "typing",
        "Final": "typing",
        "Literal": "typing",
        "TYPE_CHECKING": "typing",
        "overload": "typing",
    },
    {
        "Ge": "annotated_types",
        "Le": "annotated_types",
        "MaxLen": "annotated_types",
        "MinLen": "annotated_types",
        "Field": "pydantic",
        "Strict": "pydantic",
    },
    {
        "RequestContext": "runtime.context",
        "TypedClient": "runtime.client",
        "AwsEnum": "runtime.enums",
        "NotImplementedOperation": "runtime.errors",
        "ServiceError": "runtime.errors",
        "AwsModel": "runtime.model",
        "AwsUnion": "runtime.model",
        "Empty": "runtime.model",
        "SENSITIVE_CONFIG": "runtime.model",
        "Operation": "runtime.operations",
        "ServiceInfo": "runtime.operations",
        "Blob": "runtime.types",
        "Float": "runtime.types",
        "EpochTimestamp": "runtime.types",
        "Iso8601Timestamp": "runtime.types",
        "Pattern": "runtime.types",
        "Rfc822Timestamp": "runtime.types",
    },
)
_STRING_LITERAL = re.compile(r"""r?"(?:[^"\\]|\\.)*"|r?'(?:[^'\\]|\\.)*'""")


def _words(code: Iterable[str]) -> set[str]:
    """The identifiers used in some annotations or expressions, string literals left out."""
    return {
        word
        for text in code
        for word in re.findall(r"\w+", _STRING_LITERAL.sub("", text))
    }


class GenerationError(Exception):
    """The model holds something the generator cannot honour faithfully."""


def _literal(value: str) -> str:
    """A Python string literal for `value`: raw when that keeps a regex readable."""
    if (
        "\\" in value
        and value.isprintable()
        and '"' not in value
        and not value.endswith("\\")
    ):
        return f'r"{value}"'
    return repr(value)


def _class_prefix(service_id: str) -> str:
    """`SSO Admin` -> `SSOAdmin`: the prefix of the service's class names."""
    words = re.findall(r"[0-9A-Za-z]+", service_id)
    prefix = "".join(word[0].upper() + word[1:] for word in words)
    return prefix if prefix[:1].isalpha() else "Service" + prefix


def _or_none(reference: str) -> str:
    """`X | None`, inside the quotes of a forward reference (`"X" | None` is a TypeError
    at run time: module-level aliases are evaluated)."""
    if reference.startswith('"'):
        return f'"{reference[1:-1]} | None"'
    return f"{reference} | None"


def _number(value: int | float) -> str:
    return repr(int(value)) if float(value).is_integer() else repr(value)


class _Builder:
    def __init__(self, source: ServiceModel) -> None:
        self.source = source
        self.meta: dict[str, Any] = source.model["metadata"]
        self.shapes: dict[str, Shape] = source.model["shapes"]
        self.protocol: str = self.meta.get("protocol") or self.meta["protocols"][0]
        # Exception shapes that some member refers to also need a plain model.
        self.error_models = {
            member["shape"]
            for shape in self.shapes.values()
            for member in shape.get("members", {}).values()
            if self.shapes[member["shape"]].get("exception")
        }
        self.names = self._assign_names()
        self.module_names = frozenset(self.names.values())
        self.module_of = {shape: self._module(shape) for shape in self.names}
        self.key_of = {name: key for key, name in self.names.items()}

    # -- naming ---------------------------------------------------------------------------

    def _assign_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for shape_name in sorted(self.shapes):
            names[shape_name] = class_name(shape_name)
        for shape_name in sorted(self.error_models):
            names[f"{shape_name}#model"] = class_name(f"{shape_name}Model")
        taken: dict[str, str] = {}
        for key, name in sorted(names.items()):
            while name in taken:
                name += "_"
            taken[name] = key
            names[key] = name
        # Named after the shapes' own names, so that they never take a shape's name.
        for shape_name in sorted(self.shapes):
            if self._is_enum(shape_name):
                name = literal_name(shape_name)
                while name in taken:
                    name += "_"
                taken[name] = f"{shape_name}#literal"
                names[f"{shape_name}#literal"] = name
        return names

    def _is_enum(self, shape_name: str) -> bool:
        shape = self.shapes[shape_name]
        return (
            "enum" in shape
            and not shape.get("exception")
            and shape["type"] != "structure"
        )

    def _module(self, key: str) -> str:
        if key.endswith("#literal"):  # an enum's values
            return "shapes"
        shape = self.shapes.get(key)
        if shape is None:  # an exception shape's plain model
            return "models"
        if shape.get("exception"):
            return "errors"
        if shape["type"] in ("structure", "list", "map"):
            return "models"
        return "shapes"

    def _type_name(self, shape_name: str) -> str:
        """The name a member annotation uses for a shape."""
        if self.shapes[shape_name].get("exception"):
            return self.names[f"{shape_name}#model"]
        return self.names[shape_name]

    # -- sensitivity ----------------------------------------------------------------------

    def _sensitive(self, shape_name: str, seen: frozenset[str] = frozenset()) -> bool:
        """The value itself is secret: a sensitive shape, or a container of secrets."""
        shape = self.shapes[shape_name]
        if shape.get("sensitive"):
            return True
        if shape_name in seen:
            return False
        seen = seen | {shape_name}
        if shape["type"] == "list":
            return self._sensitive(shape["member"]["shape"], seen)
        if shape["type"] == "map":
            return self._sensitive(shape["key"]["shape"], seen) or self._sensitive(
                shape["value"]["shape"], seen
            )
        return False

    def _hides_input(self) -> set[str]:
        """Shapes from which a sensitive value can be reached."""
        edges: dict[str, set[str]] = {}
        for name, shape in self.shapes.items():
            targets = [m["shape"] for m in shape.get("members", {}).values()]
            targets += [
                shape[k]["shape"] for k in ("member", "key", "value") if k in shape
            ]
            edges[name] = set(targets)
        hiding = {name for name, shape in self.shapes.items() if shape.get("sensitive")}
        changed = True
        while changed:
            changed = False
            for name, reached in edges.items():
                if name not in hiding and reached & hiding:
                    hiding.add(name)
                    changed = True
        return hiding

    # -- annotations ----------------------------------------------------------------------

    def _reference(self, shape_name: str, from_module: str, quote: bool) -> str:
        name = self._type_name(shape_name)
        key = (
            f"{shape_name}#model"
            if self.shapes[shape_name].get("exception")
            else shape_name
        )
        if quote and self.module_of[key] == from_module:
            return f'"{name}"'
        return name

    def _defined_later(self, shape_name: str, owner: str) -> bool:
        """Whether models.py defines `shape_name`'s type at or after class `owner`."""
        shape = self.shapes[shape_name]
        key = f"{shape_name}#model" if shape.get("exception") else shape_name
        return self.module_of[key] == "models" and self._type_name(shape_name) >= owner

    def _names_later(self, code: str, owner: str) -> bool:
        """Whether `code` names a class or alias that models.py defines at or after
        class `owner` (models.py is in name order)."""
        return any(
            word >= owner and self.module_of.get(self.key_of.get(word, "")) == "models"
            for word in _words([code])
        )

    def _constraints(self, shape: Shape, *, length: bool) -> list[str]:
        parts: list[str] = []
        if length:
            if "min" in shape and shape["min"] > 0:
                parts.append(f"MinLen({_number(shape['min'])})")
            if "max" in shape:
                parts.append(f"MaxLen({_number(shape['max'])})")
        else:
            if "min" in shape:
                parts.append(f"Ge({_number(shape['min'])})")
            if "max" in shape:
                parts.append(f"Le({_number(shape['max'])})")
        return parts

    def _alias_annotation(self, shape_name: str) -> str:
        shape = self.shapes[shape_name]
        kind = shape["type"]
        parts: list[str]
        if kind in (
            "float",
            "double",
        ):  # strict, and "NaN"/"Infinity" as JSON sends them
            parts = ["Float", *self._constraints(shape, length=False)]
        elif kind == "string":
            parts = ["str", "Strict()", *self._constraints(shape, length=True)]
            if "pattern" in shape:
                try:
                    source = translate(shape["pattern"])
                except UnsupportedPattern as error:
                    raise GenerationError(
                        f"{self.source.name}: shape {shape_name}: pattern "
                        f"{shape['pattern']!r} cannot be honoured: {error}"
                    ) from error
                model = shape["pattern"]
                arguments = _literal(source) + (
                    "" if source == model else f", {_literal(model)}"
                )
                parts.append(f"Pattern({arguments})")
        elif kind in _SCALARS:
            parts = [
                _SCALARS[kind],
                "Strict()",
                *self._constraints(shape, length=False),
            ]
        elif kind == "timestamp":
            fmt = shape.get("timestampFormat") or _DEFAULT_TIMESTAMP.get(
                self.protocol, "unixTimestamp"
            )
            return _TIMESTAMP_TYPES[fmt]
        elif kind == "blob":
            parts = ["Blob", *self._constraints(shape, length=True)]
        elif kind == "list":
            item = self._reference(shape["member"]["shape"], "models", quote=True)
            if shape.get("sparse"):
                item = _or_none(item)
            parts = [f"list[{item}]", *self._constraints(shape, length=True)]
        elif kind == "map":
            key = self._reference(shape["key"]["shape"], "models", quote=True)
            value = self._reference(shape["value"]["shape"], "models", quote=True)
            if shape.get("sparse"):
                value = _or_none(value)
            parts = [f"dict[{key}, {value}]", *self._constraints(shape, length=True)]
        elif kind == "structure" and shape.get("document"):
            return "Any"
        else:
            raise GenerationError(
                f"{self.source.name}: shape {shape_name}: type {kind!r}"
            )
        if len(parts) == 1:
            return parts[0]
        return f"Annotated[{', '.join(parts)}]"

    def _parameter(self, shape_name: str) -> str:
        """The type of a keyword parameter for a member of this shape: its annotation,
        except that an enum also takes its values (`State | StateLiteral`), and so does
        a list or map of enums (then a `Sequence` or `Mapping`, which a list of the
        enum alone also matches)."""
        if self._is_enum(shape_name):
            return (
                f"{self._type_name(shape_name)} | {self.names[f'{shape_name}#literal']}"
            )
        if self._takes_literals(shape_name):
            shape = self.shapes[shape_name]
            sparse = " | None" if shape.get("sparse") else ""
            if shape["type"] == "list":
                return f"Sequence[{self._parameter(shape['member']['shape'])}{sparse}]"
            key = self._parameter(shape["key"]["shape"])
            value = self._parameter(shape["value"]["shape"])
            return f"Mapping[{key}, {value}{sparse}]"
        return self._type_name(shape_name)

    def _takes_literals(self, shape_name: str) -> bool:
        """An enum, or a list or map with an enum somewhere inside (not in a structure)."""
        shape = self.shapes[shape_name]
        if self._is_enum(shape_name):
            return True
        if shape["type"] == "list":
            return self._takes_literals(shape["member"]["shape"])
        if shape["type"] == "map":
            return self._takes_literals(shape["key"]["shape"]) or self._takes_literals(
                shape["value"]["shape"]
            )
        return False

    # -- shapes ---------------------------------------------------------------------------

    def _doc(self, shape: Shape | dict[str, Any], width: int = 80) -> str:
        text = html_to_text(shape.get("documentation"), width)
        if shape.get("deprecated"):
            note = shape.get("deprecatedMessage") or "This is deprecated."
            text = f"Deprecated: {note}" + (f"\n\n{text}" if text else "")
        return text

    def _fields(
        self,
        shape_name: str,
        shape: Shape,
        module: str,
        reserved: frozenset[str] = frozenset(),
        owner: str | None = None,
    ) -> tuple[ir.Field, ...]:
        """The members of a structure or error shape, in model order.

        In models.py (`owner` is the class being defined) annotations are evaluated when
        the class is created, so one naming a class or alias defined later in the module
        (or the class itself) is written as a string, whole: `"HandshakeResources | None"`.
        Only those: evaluating string annotations is what importing a module of pydantic
        models spends most of its time on.
        """
        required = set(shape.get("required", ()))
        taken: set[str] = set(reserved)
        fields = []
        for wire, member in shape.get("members", {}).items():
            name = field_name(wire, self.module_names, taken)
            taken.add(name)
            if "timestampFormat" in member:  # a member may override its shape's format
                annotation = parameter = _TIMESTAMP_TYPES[member["timestampFormat"]]
            else:
                annotation = self._reference(member["shape"], module, quote=False)
                parameter = self._parameter(member["shape"])
            if wire not in required:
                annotation = f"{annotation} | None"
                parameter = f"{parameter} | None"
            if owner is not None and self._defined_later(member["shape"], owner):
                annotation = f'"{annotation}"'
            # The `__init__` of models.py runs only under TYPE_CHECKING, but is read as if
            # it ran: what the module defines later is quoted there too.
            init_parameter = parameter
            if owner is not None and self._names_later(parameter, owner):
                init_parameter = f'"{parameter}"'
            fields.append(
                ir.Field(
                    name=name,
                    wire=wire,
                    annotation=annotation,
                    parameter=parameter,
                    init_parameter=init_parameter,
                    required=wire in required,
                    sensitive=self._sensitive(member["shape"]),
                    doc=self._doc(member, 72),
                )
            )
        return tuple(fields)

    def _structure(self, shape_name: str, key: str, hiding: set[str]) -> ir.Structure:
        shape = self.shapes[shape_name]
        union = shape.get("union") or shape.get("eventstream")
        return ir.Structure(
            name=self.names[key],
            shape=shape_name,
            doc=self._doc(shape, 76),
            base="AwsUnion" if union else "AwsModel",
            fields=self._fields(shape_name, shape, "models", owner=self.names[key]),
            hides_input=shape_name in hiding,
        )

    def _error(self, shape_name: str) -> ir.ErrorClass:
        shape = self.shapes[shape_name]
        error = shape.get("error", {})
        fault = bool(shape.get("fault"))
        members = shape.get("members", {})
        message_member = next((m for m in members if m.lower() == "message"), None)
        fields = tuple(
            field
            for field in self._fields(
                shape_name, shape, "errors", RESERVED_ERROR_FIELDS
            )
            if field.wire != message_member
        )
        return ir.ErrorClass(
            name=self.names[shape_name],
            shape=shape_name,
            doc=self._doc(shape, 76),
            code=error.get("code", shape_name),
            http_status=error.get("httpStatusCode", 500 if fault else 400),
            sender_fault=error.get("senderFault", not fault),
            message_member=message_member,
            fields=fields,
        )

    def _enum(self, shape_name: str) -> ir.EnumDef:
        shape = self.shapes[shape_name]
        taken: set[str] = set()
        values = []
        for value in shape["enum"]:
            name = enum_member_name(value, taken)
            taken.add(name)
            values.append(ir.EnumValue(name=name, value=_literal(value)))
        return ir.EnumDef(
            name=self.names[shape_name],
            shape=shape_name,
            doc=self._doc(shape, 76),
            values=tuple(values),
            literal=self.names[f"{shape_name}#literal"],
            literal_annotation=f"Literal[{', '.join(v.value for v in values)}]",
        )

    # -- what the runtime answers with --------------------------------------------------

    @staticmethod
    def _validation_error(errors: list[ir.ErrorClass]) -> str | None:
        """The model's own `ValidationException` (Smithy's standard code), if it has one.

        A service whose invalid-input error is another shape says so in its handlers
        folder (`runtime.service.ErrorPolicy`): the generator does not guess."""
        named = [e.name for e in errors if e.code == "ValidationException"]
        return named[0] if named else None

    @staticmethod
    def _throttling_error(errors: list[ir.ErrorClass]) -> str | None:
        """The model's own throttling error, by the codes AWS uses for one."""
        codes = ("TooManyRequestsException", "ThrottlingException", "Throttling")
        found = [e.name for e in errors if e.code in codes]
        return found[0] if found else None

    @staticmethod
    def _internal_error(errors: list[ir.ErrorClass]) -> str | None:
        """The model's server fault, when it has exactly one."""
        faults = [e.name for e in errors if e.http_status == 500]
        return faults[0] if len(faults) == 1 else None

    # -- operations -----------------------------------------------------------------------

    def _operation(
        self,
        name: str,
        op: dict[str, Any],
        inputs: dict[str, tuple[ir.Field, ...]],
    ) -> ir.OperationDef:
        http = op.get("http", {})
        doc = self._doc(op, 72)
        summary = doc.split("\n\n")[0]
        paginators = (self.source.paginators or {}).get("pagination", {})
        errors = tuple(self.names[e["shape"]] for e in op.get("errors", ()))
        if errors:
            listed = "\n".join(f"- {error}" for error in errors)
            doc = f"{doc}\n\nErrors:\n{listed}" if doc else f"Errors:\n{listed}"
        request = self.names[op["input"]["shape"]] if "input" in op else "Empty"
        return ir.OperationDef(
            name=name,
            method=method_name(name),
            http_method=http.get("method", "POST"),
            http_uri=http.get("requestUri", "/"),
            input=request,
            output=self.names[op["output"]["shape"]] if "output" in op else None,
            parameters=inputs.get(request, ()),
            errors=errors,
            doc=doc,
            summary=summary,
            paginated=name in paginators,
        )

    # -- the service ----------------------------------------------------------------------

    def _imports(self, module: str, used: set[str]) -> ir.Imports:
        external = tuple(
            tuple(
                (source, tuple(sorted(n for n in used if group.get(n) == source)))
                for source in sorted({group[n] for n in used if n in group})
            )
            for group in _EXTERNAL
        )
        siblings: dict[str, set[str]] = {
            "shapes": set(),
            "models": set(),
            "errors": set(),
        }
        for name in used:
            key = self.key_of.get(name)
            if key is not None and self.module_of[key] != module:
                siblings[self.module_of[key]].add(name)
        return ir.Imports(
            external=tuple(group for group in external if group),
            shapes=tuple(sorted(siblings["shapes"])),
            models=tuple(sorted(siblings["models"])),
            errors=tuple(sorted(siblings["errors"])),
        )

    def build(self) -> ir.Service:
        hiding = self._hides_input()
        scalars: list[ir.Alias | ir.EnumDef] = []
        models: list[ir.Structure | ir.Alias] = []
        errors: list[ir.ErrorClass] = []
        for shape_name in sorted(self.shapes):
            shape = self.shapes[shape_name]
            if shape.get("exception"):
                errors.append(self._error(shape_name))
                if shape_name in self.error_models:
                    models.append(
                        self._structure(shape_name, f"{shape_name}#model", hiding)
                    )
            elif shape["type"] == "structure" and not shape.get("document"):
                models.append(self._structure(shape_name, shape_name, hiding))
            elif "enum" in shape:
                scalars.append(self._enum(shape_name))
            else:
                alias = ir.Alias(
                    name=self.names[shape_name],
                    shape=shape_name,
                    annotation=self._alias_annotation(shape_name),
                    doc=self._doc(shape, 80),
                )
                (models if self.module_of[shape_name] == "models" else scalars).append(
                    alias
                )
        models.sort(key=lambda item: item.name)
        scalars.sort(key=lambda item: item.name)
        errors.sort(key=lambda item: item.name)

        structures = [item for item in models if isinstance(item, ir.Structure)]
        inputs = {s.name: s.fields for s in structures}
        operations = [
            self._operation(name, op, inputs)
            for name, op in sorted(self.source.model["operations"].items())
        ]
        shapes_used = _words(a.annotation for a in scalars if isinstance(a, ir.Alias))
        if any(isinstance(item, ir.EnumDef) for item in scalars):
            shapes_used |= {"AwsEnum", "Literal"}
        models_used = _words(
            [f.annotation for s in structures for f in s.fields]
            + [f.parameter for s in structures for f in s.fields]
            + [a.annotation for a in models if isinstance(a, ir.Alias)]
        ) | {s.base for s in structures}
        if any(s.fields for s in structures):
            models_used |= {"Field", "TYPE_CHECKING"}
        if any(s.hides_input for s in structures):
            models_used.add("SENSITIVE_CONFIG")
        errors_used = _words(f.annotation for e in errors for f in e.fields) | {
            "ServiceError"
        }
        requests = {o.input for o in operations} | {
            o.output for o in operations if o.output
        }
        skeleton_used = requests | {"RequestContext", "NotImplementedOperation"}
        table_used = requests | {e for o in operations for e in o.errors}
        table_used |= {"Final", "Mapping", "Operation", "ServiceInfo"}
        client_used = requests | {e.name for e in errors} | {"TypedClient"}
        client_used |= _words(f.parameter for o in operations for f in o.parameters)
        if any(o.parameters for o in operations):
            client_used |= {"Any", "overload"}
        if any(o.paginated and o.output for o in operations):
            client_used.add("Iterator")
        validation_error = self._validation_error(errors)
        internal_error = self._internal_error(errors)
        throttling_error = self._throttling_error(errors)
        table_used |= {
            n for n in (validation_error, internal_error, throttling_error) if n
        }
        title = self.meta.get("serviceFullName", self.source.name)
        doc = self._doc(self.source.model, 76)
        return ir.Service(
            name=self.source.name,
            package=self.source.name.replace("-", "_"),
            class_prefix=_class_prefix(self.meta.get("serviceId") or self.source.name),
            service_id=self.meta.get("serviceId", self.source.name),
            api_version=self.source.api_version,
            protocol=self.protocol,
            json_version=self.meta.get("jsonVersion"),
            target_prefix=self.meta.get("targetPrefix"),
            signing_name=self.meta.get(
                "signingName", self.meta.get("endpointPrefix", "")
            ),
            botocore_version=self.source.botocore_version,
            model_sha256=self.source.sha256,
            validation_error=validation_error,
            internal_error=internal_error,
            throttling_error=throttling_error,
            doc=doc,
            package_doc=(
                f"{title} ({self.source.name} {self.source.api_version}), generated by botogen."
                + (f"\n\n{doc}" if doc else "")
            ),
            skeleton_doc=(
                f"Handlers for every operation of {title}.\n\n"
                "Subclass it and override the operations you implement. An operation that is\n"
                "not overridden raises NotImplementedOperation, which the server answers with\n"
                "an AWS-shaped error."
            ),
            scalars=tuple(scalars),
            models=tuple(models),
            errors=tuple(errors),
            operations=tuple(operations),
            shapes_imports=self._imports("shapes", shapes_used),
            models_imports=self._imports("models", models_used),
            errors_imports=self._imports("errors", errors_used),
            skeleton_imports=self._imports("skeleton", skeleton_used),
            operations_imports=self._imports("operations", table_used),
            client_imports=self._imports("client", client_used),
        )


def build_service(source: ServiceModel) -> ir.Service:
    """The IR of one service model; raises GenerationError for what cannot be honoured."""
    return _Builder(source).build()
