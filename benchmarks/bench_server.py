"""Server throughput: botogen's whole stack against a bare uvicorn app, side by side.

Both run as uvicorn (uvloop + httptools) on 127.0.0.1. botogen answers DescribeOrganization
through the whole stack: the HTTP limits, SigV4 verified, routed by X-Amz-Target, the
request validated, the Organizations handler reading the caller and its organization from
SQLite, the response serialized. The bare app answers every request with a fixed
DescribeOrganization body (`benchmarks/bare_app.py`); both receive the same signed request
bytes. Both servers are up together and
wrk (32 connections) drives them in turns: bare, botogen, bare, botogen, ... for
BENCH_ROUNDS rounds (default 3) of BENCH_SECONDS each (default 4). Each round gives a
ratio of two runs made seconds apart, so a slow spell of a noisy machine hits both sides;
the figures printed are the medians over the rounds (and the spread of the ratios).
Once with one process each, once with two (`--workers 2`). Asserts nothing.
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

DURATION = int(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
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


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median throughput."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    body = b"{}"
    base = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSOrganizationsV20161128.DescribeOrganization",
    }
    print(
        f"DescribeOrganization, {CONNECTIONS} connections, wrk -t{THREADS}, "
        f"{ROUNDS} rounds of {DURATION} s per server, taken in turns"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for workers in (1, 2):
            runs: dict[str, list[dict[str, float]]] = {"bare": [], "botogen": []}
            database = folder / f"bench-{workers}.sqlite3"
            with running_server(
                folder, "--accounts", str(write_accounts(folder)), "--log-level", "warning",
                "--db", str(database), "--workers", str(workers),
            ) as server, bare_server(workers) as bare_url:  # fmt: skip
                client = server.client(0)
                client.create_organization(FeatureSet="ALL")
                answer = client.describe_organization()
                print(
                    f"  ({workers} proc) botogen answers {answer['Organization']['Id']}"
                )
                account = ACCOUNTS[0]
                headers = signed_headers(
                    server.url + "/",
                    body,
                    base,
                    account["access_key_id"],
                    account["secret_access_key"],
                )
                time.sleep(1.0)
                for _ in range(ROUNDS):
                    runs["bare"].append(wrk(bare_url, headers, body, folder))
                    runs["botogen"].append(wrk(server.url, headers, body, folder))
            ratios = sorted(
                ours["rps"] / bare["rps"]
                for bare, ours in zip(runs["bare"], runs["botogen"])
            )
            for name, label in (("bare", "bare uvicorn app"), ("botogen", "botogen")):
                r = median_run(runs[name])
                errors = sum(run["errors"] for run in runs[name])
                print(
                    f"  {label}, {workers} proc{'s' if workers > 1 else ''}: "
                    f"{r['rps']:9.0f} req/s   p50 {r['p50']:6.2f} ms   "
                    f"p99 {r['p99']:6.2f} ms   non-2xx {errors:.0f}"
                )
            print(
                f"  {workers} proc: botogen / bare = {ratios[len(ratios) // 2]:.0%} "
                f"(rounds: {', '.join(f'{r:.0%}' for r in ratios)})   (goal >= 50%)"
            )


if __name__ == "__main__":
    main()
