"""A compact, sorted fingerprint of a service model, committed beside the generated code.

It keeps what a server's handlers depend on and drops the prose: per operation its input,
output and errors; per shape its type, members (target and required flag), list and map
targets, enum values, `min`/`max`/`pattern` and every other trait verbatim; documentation
only as short hashes, so that a text change is counted without being stored. The next
`botogen generate` compares the new model with it (`codegen.changes`), and `botogen check`
compares it with the one the hand-written handlers were written against (`codegen.drift`).

On disk it is JSON with sorted keys and one line per operation and per shape, so that a
model change in one shape changes one line of the file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from codegen.source import ServiceModel

#: The file beside each generated package's code.
FILENAME = "model.fingerprint.json"
#: Keys of a model entry that hold prose; kept only as a hash.
_DOC_KEYS = ("documentation", "documentationUrl")
#: Keys of a shape handled explicitly; every other key is kept verbatim as a trait.
_SHAPE_KEYS = frozenset(
    {*_DOC_KEYS, "members", "required", "enum", "member", "key", "value"}
)

Fingerprint = dict[str, Any]


def doc_hash(entry: dict[str, Any]) -> str | None:
    """A short hash of an entry's documentation, or None when it has none."""
    texts = [entry[key] for key in _DOC_KEYS if entry.get(key)]
    if not texts:
        return None
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:8]


def _with_doc(body: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    digest = doc_hash(entry)
    if digest:
        body["doc"] = digest
    return body


def _member(member: dict[str, Any], required: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"target": member["shape"]}
    if required:
        body["required"] = True
    for key, value in member.items():
        if key != "shape" and key not in _DOC_KEYS:
            body[key] = value
    return _with_doc(body, member)


def _shape(shape: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        key: value for key, value in shape.items() if key not in _SHAPE_KEYS
    }
    if "members" in shape:
        required = set(shape.get("required", ()))
        body["members"] = {
            name: _member(member, name in required)
            for name, member in shape["members"].items()
        }
    for key in ("member", "key", "value"):
        if key in shape:
            body[key] = shape[key]["shape"]
    if "enum" in shape:
        body["enum"] = sorted(shape["enum"])
    return _with_doc(body, shape)


def _operation(operation: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        key: value
        for key, value in operation.items()
        if key not in (*_DOC_KEYS, "name", "input", "output", "errors")
    }
    for key in ("input", "output"):
        if key in operation:
            body[key] = operation[key]["shape"]
    body["errors"] = sorted(error["shape"] for error in operation.get("errors", ()))
    return _with_doc(body, operation)


def fingerprint(source: ServiceModel) -> Fingerprint:
    """The fingerprint of a service model as botocore ships it."""
    model = source.model
    result: Fingerprint = {
        "service": source.name,
        "api_version": source.api_version,
        "botocore_version": source.botocore_version,
        "model_sha256": source.sha256,
        "metadata": model.get("metadata", {}),
        "operations": {
            name: _operation(op) for name, op in sorted(model["operations"].items())
        },
        "shapes": {
            name: _shape(shape) for name, shape in sorted(model["shapes"].items())
        },
    }
    return _with_doc(result, model)


def _line(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(", ", ": ")
    )


def dumps(print_: Fingerprint) -> str:
    """Sorted JSON, one line per top-level scalar, per operation and per shape."""
    lines = ["{"]
    keys = sorted(print_)
    for index, key in enumerate(keys):
        comma = "," if index < len(keys) - 1 else ""
        value = print_[key]
        if key in ("operations", "shapes"):
            entries = sorted(value.items())
            lines.append(f"  {_line(key)}: {{")
            lines += [
                f"    {_line(name)}: {_line(body)}"
                + ("," if i < len(entries) - 1 else "")
                for i, (name, body) in enumerate(entries)
            ]
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {_line(key)}: {_line(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def loads(text: str) -> Fingerprint:
    data: Fingerprint = json.loads(text)
    return data


def read(path: Path) -> Fingerprint | None:
    """The fingerprint stored at `path`, or None when there is none."""
    try:
        return loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
