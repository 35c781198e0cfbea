"""Generator and model benchmarks: prints figures, asserts nothing.

- wall time of `botogen generate organizations`, into an empty folder (cold: black runs)
  and again over its own output (warm: nothing changed, nothing formatted);
- time to import `generated.organizations` in a fresh interpreter, less the interpreter's
  own start-up, median of several runs;
- validating a DeclineHandshakeRequest: our pydantic model against botocore's
  ParamValidator on the same input, side by side in one process.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def bench_generate() -> None:
    botogen = [
        sys.executable,
        "-m",
        "botogen.cli",
        "generate",
        "organizations",
        "--out",
    ]
    cold, warm = [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as out:
            cold.append(_wall([*botogen, out]))
            warm.append(_wall([*botogen, out]))
    print(
        f"generate organizations, cold (empty folder): {min(cold):6.2f} s   (goal < 2 s)"
    )
    print(f"generate organizations, warm (no change):    {min(warm):6.2f} s")


def bench_import() -> None:
    bare = [_wall([sys.executable, "-c", "pass"]) for _ in range(RUNS)]
    full = [
        _wall([sys.executable, "-c", "import generated.organizations"])
        for _ in range(RUNS)
    ]
    models = [
        _wall([sys.executable, "-c", "import generated.organizations.models"])
        for _ in range(RUNS)
    ]
    base = statistics.median(bare)
    print(
        f"import generated.organizations:              {1000 * (statistics.median(full) - base):6.0f} ms"
        "   (goal < 150 ms; interpreter start-up subtracted)"
    )
    print(
        f"import generated.organizations.models:       {1000 * (statistics.median(models) - base):6.0f} ms"
    )


def bench_validation() -> None:
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    from generated.organizations.models import DeclineHandshakeRequest

    shape = (
        get_session()
        .get_service_model("organizations")
        .operation_model("DeclineHandshake")
        .input_shape
    )
    params = {"HandshakeId": "h-examplehandshakeid111"}
    validator = ParamValidator()
    assert not validator.validate(params, shape).has_errors()
    DeclineHandshakeRequest.model_validate(params)  # build the deferred schema first

    number = 20_000
    ours = min(
        timeit.repeat(
            lambda: DeclineHandshakeRequest.model_validate(params),
            number=number,
            repeat=5,
        )
    )
    theirs = min(
        timeit.repeat(
            lambda: validator.validate(params, shape), number=number, repeat=5
        )
    )
    ours_us, theirs_us = 1e6 * ours / number, 1e6 * theirs / number
    print(
        f"validate DeclineHandshakeRequest (pydantic, every constraint): {ours_us:6.2f} µs/call"
    )
    print(
        f"botocore ParamValidator (required/type/min only):              {theirs_us:6.2f} µs/call"
    )
    print(f"ratio ParamValidator / ours: {theirs_us / ours_us:.1f}x")


if __name__ == "__main__":
    bench_generate()
    bench_import()
    bench_validation()
