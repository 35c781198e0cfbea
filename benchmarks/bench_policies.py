"""Policies at scale: listing the targets of a policy attached to 1,000 targets costs at
most twice what it costs for a policy attached to 10 (the goal: big/small <= 2x).

Two organizations in one database, seeded with fixed ids (`--seed`'s loader, run once
before the server starts, as `support.load.preload`), each with one customer SCP
attached to every one of its targets, and FullAWSAccess to every target too (so that
the attachments table holds other policies' rows between them):

- **big**: 900 accounts (the management account included) and 99 OUs under the root:
  with the root, 1,000 targets;
- **small**: 6 accounts and 3 OUs: with the root, 10 targets.

ListTargetsForPolicy of the customer SCP, the first page (MaxResults 10: the small
policy's whole listing), as the management account, one server process, on SQLite and
on PostgreSQL; wrk, 32 connections, BENCH_SECONDS each (default 3), the two
organizations in turns (small, big, ...) for BENCH_ROUNDS rounds (default 2), medians.
A page is one query through `attachments_by_policy` with the targets' names joined in
(`policy_store.targets_of_policy`), so the ratio shows whether the listing's cost grows
with the number of targets.

Prints req/s, p50, p99 and non-2xx per line and the big/small cost ratio (small req/s
over big req/s) against the goal. Asserts nothing. Needs wrk.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("BENCH_SECONDS", "3")  # read by bench_handshakes' wrk()

from benchmarks.bench_handshakes import (  # noqa: E402
    CONNECTIONS,
    WRK_THREADS,
    static_lua,
    wrk,
)

DURATION = int(os.environ["BENCH_SECONDS"])
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
GOAL = 2.0
PAGE = 10
CONTENT = '{"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}'

BIG, SMALL = "big", "small"
#: (label, accounts, OUs, organization id, root id, policy id)
SHAPES = (
    (BIG, 900, 99, "o-benchpolbig", "r-pbig", "p-benchbig001"),
    (SMALL, 6, 3, "o-benchpolsml", "r-psml", "p-benchsml001"),
)


def world(folder: Path) -> tuple[Path, Path, dict[str, dict[str, Any]]]:
    """The accounts file, the seed file and, per organization, what the runs need."""
    from support.load import load_accounts, write_json

    accounts = load_accounts(sum(shape[1] for shape in SHAPES))
    created = datetime.now(timezone.utc) - timedelta(days=30)

    def iso(offset_ms: int) -> str:
        moment = created + timedelta(milliseconds=offset_ms)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    seed: dict[str, Any] = {
        "organizations": [],
        "organizational_units": [],
        "policies": [],
        "policy_attachments": [],
    }
    orgs: dict[str, dict[str, Any]] = {}
    taken = 0
    for label, count, ou_count, org_id, root_id, policy_id in SHAPES:
        members = accounts[taken : taken + count]
        taken += count
        manager = members[0]
        ous = [f"ou-{root_id[2:]}-{n:08d}" for n in range(ou_count)]
        seed["organizational_units"] += [
            {"id": ou, "organization_id": org_id, "parent_id": root_id,
             "name": f"Unit {n}", "created": iso(n)}
            for n, ou in enumerate(ous)
        ]  # fmt: skip
        seed["organizations"].append(
            {"id": org_id, "root_id": root_id, "management_account_id": manager["id"],
             "created": iso(0),
             "members": [{"account_id": a["id"], "joined": iso(1000 + i)}
                         for i, a in enumerate(members[1:])]}
        )  # fmt: skip
        seed["policies"].append(
            {"id": policy_id, "organization_id": org_id,
             "type": "SERVICE_CONTROL_POLICY", "name": "Everywhere",
             "content": CONTENT}
        )  # fmt: skip
        for target in [root_id, *ous, *(a["id"] for a in members)]:
            for attached in ("p-FullAWSAccess", policy_id):
                seed["policy_attachments"].append(
                    {"organization_id": org_id, "policy_id": attached,
                     "target_id": target}
                )  # fmt: skip
        orgs[label] = {
            "manager": manager,
            "policy": policy_id,
            "targets": 1 + len(ous) + len(members),
        }
    accounts_file = write_json(folder / "accounts.json", {"accounts": accounts})
    seed_file = write_json(folder / "seed.json", seed)
    return accounts_file, seed_file, orgs


def run_engine(engine: str, folder: Path) -> dict[str, list[dict[str, Any]]]:
    from support.databases import fresh_database
    from support.load import preload, signed_request
    from support.raw import send
    from support.server import running_server

    results: dict[str, list[dict[str, Any]]] = {}
    accounts_file, seed_file, orgs = world(folder)
    with fresh_database(engine, folder) as db:
        started = time.perf_counter()
        preload(db, accounts_file, seed_file)
        print(
            f"{engine}: seeded {orgs[BIG]['targets']} and {orgs[SMALL]['targets']}"
            f" targets, two attachments each, in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        args = ["--db", db, "--accounts", str(accounts_file), "--log-level", "warning",
                "--account-limit", "10000"]  # fmt: skip
        with running_server(folder, *args) as server:
            for _ in range(ROUNDS):
                for label in (SMALL, BIG):
                    org = orgs[label]
                    params = {"PolicyId": org["policy"], "MaxResults": PAGE}
                    headers, body = signed_request(
                        server.url, "ListTargetsForPolicy", params, org["manager"]
                    )
                    answer = send(server.url, "POST", "/", body, headers)
                    assert answer.status == 200, (answer.status, answer.body)
                    assert answer.body.count(b'"TargetId"') == PAGE, answer.body
                    figures = wrk(server.url, folder, static_lua(body), headers=headers)
                    results.setdefault(label, []).append(figures)
    return results


def report(engine: str, results: dict[str, list[dict[str, Any]]]) -> None:
    print(
        f"\nPolicies, {engine}: wrk -t{WRK_THREADS} -c{CONNECTIONS}, {DURATION} s each, "
        f"medians of {ROUNDS} rounds, one server process"
    )
    median = {
        label: {
            key: statistics.median(run[key] for run in runs)
            for key in ("rps", "p50", "p99", "non2xx")
        }
        for label, runs in results.items()
    }
    for label, targets in ((SMALL, 10), (BIG, 1000)):
        r = median[label]
        print(
            f"  ListTargetsForPolicy {label:5} ({targets:5} targets) {r['rps']:8.0f} "
            f"req/s   p50 {r['p50']:7.2f} ms   p99 {r['p99']:7.2f} ms   "
            f"non-2xx {r['non2xx']:.0f}"
        )
    ratio = median[SMALL]["rps"] / median[BIG]["rps"]
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(
        f"  ListTargetsForPolicy big/small cost = {ratio:.2f}x   "
        f"(goal <= {GOAL:.0f}x: {verdict})"
    )


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    engines = sys.argv[1:] or ["sqlite", "postgresql"]
    for engine in engines:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                results = run_engine(engine, Path(tmp))
            except BaseException as error:  # pytest.skip: PostgreSQL unreachable
                if type(error).__name__ != "Skipped":
                    raise
                print(f"{engine}: skipped ({error})")
                continue
            report(engine, results)


if __name__ == "__main__":
    main()
