"""Where botocore's protocol compliance cases come from.

1. `$BOTOGEN_PROTOCOL_TESTS`, if set;
2. `../shared/peer-tests/botocore-protocols/` beside the project (the team's copy);
3. else the sdist of the pinned botocore from the package registry, downloaded once into
   `~/.cache/botogen/` (it ships `tests/unit/protocols/`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import botocore

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "peer-tests" / "botocore-protocols"
CACHE = (
    Path.home() / ".cache" / "botogen" / f"botocore-{botocore.__version__}-protocols"
)


def _usable(folder: Path) -> bool:
    return (folder / "input" / "json.json").is_file()


def _from_sdist() -> Path | None:
    if _usable(CACHE):
        return CACHE
    with tempfile.TemporaryDirectory() as tmp:
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             f"botocore=={botocore.__version__}", "-d", tmp],
            capture_output=True, timeout=300,
        )  # fmt: skip
        archives = list(Path(tmp).glob("botocore-*.tar.gz"))
        if download.returncode != 0 or not archives:
            return None
        prefix = f"botocore-{botocore.__version__}/tests/unit/protocols/"
        with tarfile.open(archives[0]) as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.startswith(prefix):
                    target = CACHE / member.name[len(prefix) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = archive.extractfile(member)
                    assert source is not None
                    target.write_bytes(source.read())
    return CACHE if _usable(CACHE) else None


def protocol_tests() -> Path | None:
    override = os.environ.get("BOTOGEN_PROTOCOL_TESTS")
    if override and _usable(Path(override)):
        return Path(override)
    if _usable(SHARED):
        return SHARED
    return _from_sdist()
