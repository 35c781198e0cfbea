"""Reading the JSON files a server is configured with (accounts, seeds, settings).

One function, one set of messages: each names the file and what is wrong with it
(`ValueError`, which the command line shows as one line).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_object(
    path: str | Path, what: str, shape: str = "a JSON object"
) -> dict[str, Any]:
    """The JSON object in the file at `path` (`what` names the kind of file in errors,
    `shape` what its content should be)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValueError(
            f"{path}: cannot read {what}: {error.strerror or error}"
        ) from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: {what} is not UTF-8: {error.reason}") from None
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}: not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected {shape}")
    return document
