"""Handshake throughput: botogen's DeclineHandshake and DescribeHandshake through the whole
stack, against moto's server and a bare uvicorn app, side by side in one run.

What each line measures (wrk, 32 connections, BENCH_WRK_THREADS threads (default 1),
BENCH_SECONDS each (default 5)):

- **botogen DeclineHandshake**: SigV4 verification, routing, validation, the business
  rules and a durable SQLite write (WAL) per request, each on a *distinct* OPEN invitation:
  the invitations are seeded before the server starts, and every request is signed in
  advance here (a SigV4 signature covers the body, so each body needs its own; they stay
  valid 15 minutes). A wrk Lua script cycles through the pre-signed requests, each wrk
  thread through its own share, so no invitation is declined twice; should wrk run out,
  it starts over and the repeats show up as non-2xx answers.
- **botogen DescribeHandshake**: the read path, one signed request repeated.
- **moto DescribeOrganization**: moto has no handshakes; its server answers this signed
  request (moto does not check signatures) after an organization is created. moto is
  installed (``moto[server]==5.2.5``) into this interpreter when it is missing.
- **bare uvicorn app**: an ASGI callable that answers every request with the bytes botogen
  answered DescribeHandshake with: the transport's ceiling on this machine.

All servers are one process each (uvloop + httptools for botogen and the bare app) on
127.0.0.1. Prints requests/s, p50, p99 and non-2xx per line, and the ratios; asserts
nothing. Needs wrk (``apt-get install wrk``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = 32
#: wrk threads (as bench_server.py: one by default, which leaves the other core of a small
#: machine to the server).
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", "1"))
#: Invitations seeded (and requests signed) per second of the Decline run: well above
#: what one server process declines a second here, so wrk never needs to start over.
DECLINES_PER_SECOND_CAP = 12000
MOTO = "moto[server]==5.2.5"
#: The bare app answers with the bytes in this file (set for its uvicorn process).
BARE_BODY_VARIABLE = "BENCH_HANDSHAKES_BARE_BODY"

# -- the bare app (imported by its own uvicorn process: stdlib only up here) --------------

_bare_body: bytes | None = None


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads the request, answers 200 with the fixed DescribeHandshake body."""
    global _bare_body
    if scope["type"] != "http":
        return
    if _bare_body is None:
        _bare_body = Path(os.environ[BARE_BODY_VARIABLE]).read_bytes()
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    headers = [
        (b"content-type", b"application/x-amz-json-1.1"),
        (b"content-length", str(len(_bare_body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _bare_body})


# -- wrk ------------------------------------------------------------------------------------

#: Cycles through pre-built raw requests (a file of requests separated by NUL bytes); wrk
#: thread i of n sends requests i, i+n, i+2n, ... Prints how often a thread started over.
CYCLE_LUA = r"""
local counter = 0
local threads = {}

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path, count = args[1], tonumber(args[2])
  local file = assert(io.open(path, "rb"))
  local data = file:read("*a")
  file:close()
  mine = {}
  local position, n = 1, 0
  while true do
    local stop = string.find(data, "\0", position, true)
    if not stop then break end
    if n % count == index then
      mine[#mine + 1] = string.sub(data, position, stop - 1)
    end
    n = n + 1
    position = stop + 1
  end
  sent = 0
  restarts = 0
end

function request()
  sent = sent + 1
  if sent > #mine then
    sent = 1
    restarts = restarts + 1
  end
  return mine[sent]
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("restarts")
  end
  io.write(string.format("restarts: %d\n", total))
end
"""


def wrk(
    url: str,
    folder: Path,
    script: str,
    *,
    args: Sequence[str] = (),
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Runs wrk with a Lua ``script`` (and its ``args``); the figures it printed."""
    lua = folder / "wrk.lua"
    lua.write_text(script)
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s"]
    command += ["--latency", "-s", str(lua)]
    for name, value in (headers or {}).items():
        if name.lower() not in ("content-length", "host"):
            command += ["-H", f"{name}: {value}"]
    command.append(url.rstrip("/") + "/")
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    restarts = re.search(r"restarts: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)

    def percentile(p: str) -> float:
        match = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", output)
        assert match is not None, output
        value, unit = match.groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    total = re.search(r"(\d+) requests in", output)
    return {
        "rps": float(found.group(1)),
        "p50": percentile("50"),
        "p99": percentile("99"),
        "non2xx": float(non2xx.group(1)) if non2xx else 0.0,
        "requests": float(total.group(1)) if total else 0.0,
        "restarts": float(restarts.group(1)) if restarts else 0.0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def static_lua(body: bytes) -> str:
    return f'wrk.method = "POST"\nwrk.body = {json.dumps(body.decode())}\n'


def raw_request(url: str, headers: dict[str, str], body: bytes) -> bytes:
    """The HTTP/1.1 request as it goes on the wire (Host as signed: host:port)."""
    host = url.split("://", 1)[1].rstrip("/")
    lines = ["POST / HTTP/1.1", f"Host: {host}"]
    lines += [
        f"{name}: {value}"
        for name, value in headers.items()
        if name.lower() not in ("host", "content-length")
    ]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# -- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, process: subprocess.Popen[Any], seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


@contextmanager
def process(command: list[str], port: int, **options: Any) -> Iterator[str]:
    started = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **options
    )
    try:
        wait_for_port(port, started)
        yield f"http://127.0.0.1:{port}"
    finally:
        started.terminate()
        try:
            started.wait(10)
        except subprocess.TimeoutExpired:
            started.kill()
            started.wait()


def bare_server(body_file: Path) -> Any:
    port = free_port()
    return process(
        [sys.executable, "-m", "uvicorn", "benchmarks.bench_handshakes:app", "--host", "127.0.0.1",
         "--port", str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
         "--log-level", "warning", "--lifespan", "off"],
        port, cwd=ROOT, env={**os.environ, BARE_BODY_VARIABLE: str(body_file)},
    )  # fmt: skip


def moto_server() -> Any:
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    return process(command, port, cwd=tempfile.gettempdir())


def ensure_tools() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        if shutil.which("wrk") is None:
            raise SystemExit("wrk is needed: apt-get install wrk")
    try:
        import moto  # noqa: F401
    except ImportError:
        print(f"installing {MOTO} (the benchmark's baseline) ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", MOTO], check=True)


# -- the runs ---------------------------------------------------------------------------------


@dataclass
class World:
    """The seeded database: OPEN invitations from one organization to one account."""

    folder: Path
    db: Path
    accounts_file: Path
    recipient: dict[str, str]
    #: Invitations the Decline run declines, one each.
    to_decline: list[str]
    #: The invitation the Describe run reads (left OPEN).
    described: str


def seeded_world(folder: Path, count: int) -> World:
    from support.load import (
        invite_entry,
        load_accounts,
        numbered_id,
        organization_entry,
        preload,
        write_json,
    )

    manager, recipient = load_accounts(2)
    now = datetime.now(timezone.utc)
    ids = [numbered_id("h-bench", n, 25) for n in range(count + 1)]
    organization = organization_entry(
        "o-benchorg01", manager["id"], now - timedelta(days=2)
    )
    invitations = [
        invite_entry(
            handshake_id, "o-benchorg01", recipient["id"], now - timedelta(days=1)
        )
        for handshake_id in ids
    ]
    accounts_file = write_json(
        folder / "accounts.json", {"accounts": [manager, recipient]}
    )
    seed_file = write_json(
        folder / "seed.json",
        {"organizations": [organization], "handshakes": invitations},
    )
    db = folder / "bench.sqlite3"
    started = time.perf_counter()
    preload(
        str(db), accounts_file, seed_file
    )  # what --seed does, once, before the runs
    print(
        f"seeded {len(ids)} OPEN invitations in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return World(folder, db, accounts_file, recipient, ids[:-1], ids[-1])


def run_botogen(world: World, results: dict[str, dict[str, Any]]) -> bytes:
    """The Describe and Decline runs; returns the DescribeHandshake answer's body."""
    from support.load import signed_request
    from support.raw import send
    from support.server import running_server

    args = ["--db", str(world.db), "--accounts", str(world.accounts_file)]
    with running_server(world.folder, *args, "--log-level", "warning") as server:
        read = {"HandshakeId": world.described}
        headers, body = signed_request(
            server.url, "DescribeHandshake", read, world.recipient
        )
        answer = send(server.url, "POST", "/", body, headers)
        assert answer.status == 200, (answer.status, answer.body)
        results["botogen DescribeHandshake"] = wrk(
            server.url, world.folder, static_lua(body), headers=headers
        )

        started = time.perf_counter()
        requests = world.folder / "declines.bin"
        with requests.open("wb") as out:
            for handshake_id in world.to_decline:
                signed, payload = signed_request(
                    server.url,
                    "DeclineHandshake",
                    {"HandshakeId": handshake_id},
                    world.recipient,
                )
                out.write(raw_request(server.url, signed, payload) + b"\0")
        print(
            f"signed {len(world.to_decline)} DeclineHandshake requests in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        results["botogen DeclineHandshake"] = wrk(
            server.url, world.folder, CYCLE_LUA, args=[str(requests), str(WRK_THREADS)]
        )
    return answer.body


def run_moto(folder: Path, results: dict[str, dict[str, Any]]) -> None:
    import boto3

    from support.load import signed_request

    account = {
        "access_key_id": "AKIATESTBENCHMOTO",
        "secret_access_key": "test-secret-moto",
    }
    with moto_server() as url:
        client = boto3.session.Session().client(
            "organizations",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id=account["access_key_id"],
            aws_secret_access_key=account["secret_access_key"],
        )
        client.create_organization(FeatureSet="ALL")
        headers, body = signed_request(url, "DescribeOrganization", {}, account)
        results["moto DescribeOrganization"] = wrk(
            url, folder, static_lua(body), headers=headers
        )


def run_bare(world: World, body: bytes, results: dict[str, dict[str, Any]]) -> None:
    from support.load import signed_request

    answer = world.folder / "describe-answer.json"
    answer.write_bytes(body)
    with bare_server(answer) as url:
        read = {"HandshakeId": world.described}
        headers, request = signed_request(
            url, "DescribeHandshake", read, world.recipient
        )
        results["bare uvicorn app"] = wrk(
            url, world.folder, static_lua(request), headers=headers
        )


def report(world: World, results: dict[str, dict[str, Any]]) -> None:
    from support.load import rows

    declined = rows(
        str(world.db), "SELECT COUNT(*) AS n FROM handshakes WHERE state = 'DECLINED'"
    )[0]["n"]
    print(
        f"\nHandshakes: wrk -t{WRK_THREADS} -c{CONNECTIONS}, {DURATION} s each, "
        "one server process each, 127.0.0.1"
    )
    for name, r in results.items():
        line = (
            f"  {name:28} {r['rps']:8.0f} req/s   p50 {r['p50']:7.2f} ms   "
            f"p99 {r['p99']:7.2f} ms   non-2xx {r['non2xx']:.0f}"
        )
        if r["socket_errors"]:
            line += f"   socket errors: {r['socket_errors']}"
        print(line)
    decline = results["botogen DeclineHandshake"]
    print(
        f"  DeclineHandshake: {decline['requests']:.0f} answers counted by wrk, {declined} "
        f"invitations DECLINED in the database (the difference: requests still in flight "
        f"when wrk stopped); {len(world.to_decline)} pre-signed, wrk started over "
        f"{decline['restarts']:.0f} times"
    )
    bare = results["bare uvicorn app"]["rps"]
    ratios: list[tuple[str, float, float | None]] = [
        (
            "Decline / moto",
            decline["rps"] / results["moto DescribeOrganization"]["rps"],
            15.0,
        ),
        ("Decline / bare", decline["rps"] / bare, None),
        ("Describe / bare", results["botogen DescribeHandshake"]["rps"] / bare, 0.40),
    ]
    for name, value, goal in ratios:
        shown = f"{value:.1f}x" if value >= 1 else f"{value:.0%}"
        if goal is None:
            print(f"  {name:16} = {shown:>6}")
            continue
        wanted = f"{goal:.0f}x" if goal >= 1 else f"{goal:.0%}"
        verdict = "met" if value >= goal else "not met"
        print(f"  {name:16} = {shown:>6}   (goal >= {wanted}: {verdict})")


def main() -> None:
    ensure_tools()
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        world = seeded_world(Path(tmp), DURATION * DECLINES_PER_SECOND_CAP)
        body = run_botogen(world, results)
        run_moto(world.folder, results)
        run_bare(world, body, results)
        report(world, results)


if __name__ == "__main__":
    main()
