"""Server throughput: botogen's whole stack against a bare uvicorn app, side by side.

Both run as one uvicorn process (uvloop + httptools) on 127.0.0.1 and answer
DescribeOrganization with the same fixed body; botogen also verifies the SigV4 signature,
routes by X-Amz-Target, validates the request and serializes the response model. wrk
drives each with 32 connections for the same duration, one after the other, in one run.
Prints requests/s, p50 and p99 and the ratio; asserts nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.raw import signed_headers  # noqa: E402
from support.server import ACCOUNTS, running_server, write_accounts  # noqa: E402

DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = 32
THREADS = int(os.environ.get("BENCH_WRK_THREADS", "1"))


@contextmanager
def bare_server(workers: int = 1) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app", "--host", "127.0.0.1",
         "--port", "0", "--loop", "uvloop", "--http", "httptools", "--no-access-log",
         "--log-level", "info", "--lifespan", "off", "--workers", str(workers)],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        for line in process.stderr:
            found = re.search(r"running on (http://\S+)", line)
            if found:
                yield found.group(1)
                break
    finally:
        process.terminate()
        process.wait()


def wrk(
    url: str, headers: dict[str, str], body: bytes, folder: Path
) -> dict[str, float]:
    script = folder / "request.lua"
    script.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(body.decode())}\n')
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        if name.lower() not in ("content-length", "host"):
            command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url + "/"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": rps,
        "p50": percentile("50"),
        "p99": percentile("99"),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    body = b"{}"
    base = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = {}
        for workers in (1, 2):
            with bare_server(workers) as url:
                time.sleep(1.0)
                results[f"bare uvicorn app, {workers} proc"] = wrk(
                    url, base, body, folder
                )
            with running_server(
                folder, "--accounts", str(write_accounts(folder)), "--log-level", "warning",
                "--handlers", "support.fixed_handlers:FixedHandlers",
                "--workers", str(workers),
            ) as server:  # fmt: skip
                account = ACCOUNTS[0]
                headers = signed_headers(
                    server.url + "/",
                    body,
                    base,
                    account["access_key_id"],
                    account["secret_access_key"],
                )
                time.sleep(0.5)
                results[f"botogen, {workers} proc"] = wrk(
                    server.url, headers, body, folder
                )
    print(
        f"DescribeOrganization, {CONNECTIONS} connections, {DURATION} s each, wrk -t{THREADS}"
    )
    for name, r in results.items():
        print(
            f"  {name:32} {r['rps']:9.0f} req/s   p50 {r['p50']:6.2f} ms   "
            f"p99 {r['p99']:6.2f} ms   non-2xx {r['errors']:.0f}"
        )
    for workers in (1, 2):
        ours = results[f"botogen, {workers} proc"]["rps"]
        bare = results[f"bare uvicorn app, {workers} proc"]["rps"]
        print(f"  {workers} proc: botogen / bare = {ours / bare:.0%}   (goal >= 50%)")


if __name__ == "__main__":
    main()
