"""The intermediate representation that templates render.

Everything a template needs is computed here, in Python: names, annotations, imports,
wrapped documentation. Templates only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Alias:
    """A named type for a non-structure shape: a scalar, list or map."""

    name: str
    shape: str
    annotation: str
    doc: str


@dataclass(frozen=True)
class EnumValue:
    name: str
    value: str


@dataclass(frozen=True)
class EnumDef:
    name: str
    shape: str
    doc: str
    values: tuple[EnumValue, ...]
    #: The name of the `Literal` type of its values, and that type.
    literal: str
    literal_annotation: str


@dataclass(frozen=True)
class Field:
    """A member of a structure or error shape."""

    name: str
    wire: str
    annotation: str
    #: Its type as a keyword parameter of the typed client: the annotation, where an
    #: enum also takes its values (`HandshakeState | HandshakeStateLiteral`).
    parameter: str
    #: The same in the class's `__init__` (quoted when it names a class defined later).
    init_parameter: str
    required: bool
    sensitive: bool
    doc: str


@dataclass(frozen=True)
class Structure:
    name: str
    shape: str
    doc: str
    base: str
    fields: tuple[Field, ...]
    #: Some member below it is `sensitive`: validation errors must not show input values.
    hides_input: bool


@dataclass(frozen=True)
class ErrorClass:
    name: str
    shape: str
    doc: str
    code: str
    http_status: int
    sender_fault: bool
    #: Wire name of the message member, or None when the shape has none.
    message_member: str | None
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class OperationDef:
    name: str
    method: str
    http_method: str
    http_uri: str
    input: str
    output: str | None
    #: The input's members, the typed client's keyword parameters.
    parameters: tuple[Field, ...]
    errors: tuple[str, ...]
    doc: str
    #: First paragraph of the documentation, for the typed client.
    summary: str
    #: botocore has a paginator for it.
    paginated: bool


@dataclass(frozen=True)
class Imports:
    """What one generated module imports, every list sorted."""

    #: Groups (standard library, third party, runtime) of (module, names) pairs.
    external: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...]
    #: Names taken from the sibling modules of the generated package.
    shapes: tuple[str, ...]
    models: tuple[str, ...]
    errors: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    name: str
    #: The generated package's name (`organizations`, `dynamodb`, `sso_admin`).
    package: str
    #: Prefix of service-level class names (`Organizations` -> `OrganizationsSkeleton`).
    class_prefix: str
    service_id: str
    api_version: str
    protocol: str
    json_version: str | None
    target_prefix: str | None
    signing_name: str
    botocore_version: str
    model_sha256: str
    #: Error classes the runtime answers with by default (`runtime.service.ErrorPolicy`):
    #: the model's `ValidationException`, its one server fault, its throttling error.
    validation_error: str | None
    internal_error: str | None
    throttling_error: str | None
    doc: str
    #: Docstrings of the package and of the skeleton class.
    package_doc: str
    skeleton_doc: str
    #: shapes.py: scalar aliases and enums, sorted by name.
    scalars: tuple[Alias | EnumDef, ...]
    #: models.py: structures and container aliases, sorted by name.
    models: tuple[Structure | Alias, ...]
    errors: tuple[ErrorClass, ...]
    operations: tuple[OperationDef, ...]
    shapes_imports: Imports
    models_imports: Imports
    errors_imports: Imports
    skeleton_imports: Imports
    operations_imports: Imports
    client_imports: Imports
