"""Effective policies at depth: DescribeEffectivePolicy for an account 5 OUs deep with 10
tag policies on each of its 7 levels (the root, five OUs, the account: 70 policies)
costs at most twice what it costs for an account directly under the root with 10
policies there (one level). The goal: deep/shallow <= 2x.

Two organizations in one database, seeded with fixed ids (`--seed`'s loader, run once
before the server starts, as `support.load.preload`): the policies (`policies`), their
attachments in order (`policy_attachments`), TAG_POLICY enabled. Every policy is its own
document of about 600 characters (five keys of its own, each with a tag key and values,
and an append to one key all policies share), so that the deep account's merge has 70
distinct documents to combine.

Each measured with wrk (32 connections, BENCH_SECONDS each, default 3; the two in turns,
shallow, deep, shallow, deep, ... for BENCH_ROUNDS rounds, default 3; medians), as the
management account asking about the account (`TargetId`), one server process, on SQLite
and on PostgreSQL. Prints req/s, p50, p99, non-2xx and the deep/shallow cost ratio
(shallow req/s over deep req/s) against the goal.

Then, in this process (no HTTP), where a request's time goes for each case: the path's
one query (`effective_store.path`), parsing the documents (first time, and from the
parsed-document cache), the merge and its rendering (`inheritance`; then answered from
the merged-answer cache, `effective.effective_content`), and the whole handler call (as
the server runs it: caches warm). Asserts nothing. Needs wrk.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
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
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
GOAL = 2.0
DEPTH = 5
PER_LEVEL = 10

DEEP, SHALLOW = "deep", "shallow"


def _content(label: str, level: int, n: int) -> str:
    """A tag policy of its own: five keys, and one append to the shared key."""
    import json

    body: dict[str, Any] = {
        f"{label}{level}p{n}k{k}": {
            "tag_key": {"@@assign": f"Key{level}{n}{k}"},
            "tag_value": {"@@assign": [f"v{level}", f"w{n}", f"x{k}"]},
        }
        for k in range(5)
    }
    body["costcenter"] = {"tag_value": {"@@append": [f"cc-{level}-{n}"]}}
    return json.dumps({"tags": body})


def world(folder: Path) -> tuple[Path, Path, dict[str, dict[str, Any]]]:
    """The accounts file, the seed file and, per organization, what the runs need."""
    from support.load import load_accounts, write_json

    accounts = load_accounts(4)
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
    for label, (manager, member), org_id, root_id in (
        (DEEP, accounts[:2], "o-benchdeep1", "r-bdep"),
        (SHALLOW, accounts[2:], "o-benchflat1", "r-bflt"),
    ):
        chain = [f"ou-{root_id[2:]}-{n:08d}" for n in range(DEPTH)]
        if label == SHALLOW:
            chain = []
        parent = root_id
        for depth, ou_id in enumerate(chain):
            seed["organizational_units"].append(
                {"id": ou_id, "organization_id": org_id, "parent_id": parent,
                 "name": f"Level {depth + 1}", "created": iso(depth)}
            )  # fmt: skip
            parent = ou_id
        seed["organizations"].append(
            {"id": org_id, "root_id": root_id, "management_account_id": manager["id"],
             "feature_set": "ALL", "created": iso(0),
             "enabled_policy_types": ["TAG_POLICY"],
             "members": [{"account_id": member["id"], "joined": iso(100),
                          "parent_id": parent}]}
        )  # fmt: skip
        levels = [root_id, *chain, member["id"]] if label == DEEP else [root_id]
        count = 0
        for level, target in enumerate(levels):
            for n in range(PER_LEVEL):
                count += 1
                policy_id = f"p-{label[:4]}{count:06d}"
                seed["policies"].append(
                    {"id": policy_id, "organization_id": org_id, "type": "TAG_POLICY",
                     "name": f"{label} {count}",
                     "content": _content(label, level, n), "created": iso(200)}
                )  # fmt: skip
                seed["policy_attachments"].append(
                    {"organization_id": org_id, "policy_id": policy_id,
                     "target_id": target, "attached": iso(300 + count)}
                )  # fmt: skip
        orgs[label] = {
            "manager": manager,
            "member": member["id"],
            "org_id": org_id,
            "policies": count,
            "levels": len(levels),
        }
    accounts_file = write_json(folder / "accounts.json", {"accounts": accounts})
    seed_file = write_json(folder / "seed.json", seed)
    return accounts_file, seed_file, orgs


def run_engine(engine: str, folder: Path) -> None:
    from support.databases import fresh_database
    from support.load import preload, signed_request
    from support.raw import send
    from support.server import running_server

    results: dict[str, list[dict[str, Any]]] = {}
    accounts_file, seed_file, orgs = world(folder)
    with fresh_database(engine, folder) as db:
        preload(db, accounts_file, seed_file)
        args = ["--db", db, "--accounts", str(accounts_file), "--log-level", "warning"]
        with running_server(folder, *args) as server:
            for _ in range(ROUNDS):
                for label in (SHALLOW, DEEP):
                    org = orgs[label]
                    params = {"PolicyType": "TAG_POLICY", "TargetId": org["member"]}
                    headers, body = signed_request(
                        server.url, "DescribeEffectivePolicy", params, org["manager"]
                    )
                    answer = send(server.url, "POST", "/", body, headers)
                    assert answer.status == 200, (answer.status, answer.body)
                    figures = wrk(server.url, folder, static_lua(body), headers=headers)
                    results.setdefault(label, []).append(figures)
        report(engine, results)
        breakdown(engine, db, accounts_file, orgs)


def _best(call: Callable[[], Any], repeat: int = 200) -> float:
    """The fastest of `repeat` calls, in microseconds (the machine is noisy)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best * 1e6


def breakdown(
    engine: str, db: str, accounts_file: Path, orgs: dict[str, dict[str, Any]]
) -> None:
    """Where the time of one DescribeEffectivePolicy goes, in this process."""
    import json

    import generated.organizations
    from generated.organizations.models import DescribeEffectivePolicyRequest
    from handlers.organizations import SERVICE, effective, effective_store, store
    from handlers.organizations.inheritance import merge, render
    from handlers.organizations.policy_json import parse_object
    from runtime.accounts import load_accounts as read_accounts_file
    from runtime.context import RequestContext
    from runtime.database import open_database
    from runtime.handler import Environment
    from runtime.service import build_settings

    database = open_database(db, SERVICE.migrations)
    try:
        handler = SERVICE.handlers(
            Environment(
                database,
                read_accounts_file(accounts_file),
                build_settings(SERVICE.settings),
                SERVICE.errors(generated.organizations.SERVICE),
            )
        )
        print(f"\nIn-process breakdown, {engine} (best of 200, microseconds):")
        for label in (SHALLOW, DEEP):
            org = orgs[label]
            with database.transaction(write=False) as tx:
                account = store.account(tx, database, org["member"])
                row = store.organization(tx, database, org["org_id"])
                assert account is not None and row is not None

                def query() -> list[Any]:
                    return effective_store.path(
                        tx, row["id"], row["root_id"], account, "TAG_POLICY"
                    )

                rows = query()
                query_us = _best(query)
            contents = [r["content"] for r in rows if r["content"] is not None]
            parse_us = _best(lambda: [parse_object(c) for c in contents], 50)
            cached_us = _best(
                lambda: [effective._document("TAG_POLICY", c) for c in contents]
            )
            levels: dict[int, list[Any]] = {}
            for r in rows:
                if r["content"] is not None:
                    levels.setdefault(r["level"], []).append(json.loads(r["content"]))
            documents = [levels.get(level, []) for level in range(max(levels) + 1)]
            merge_us = _best(lambda: render(merge(documents)))
            stored = tuple(
                tuple(
                    r["content"] for r in rows if r["level"] == level and r["content"]
                )
                for level in range(max(levels) + 1)
            )
            effective.effective_content("TAG_POLICY", stored)
            hit_us = _best(lambda: effective.effective_content("TAG_POLICY", stored))
            request = DescribeEffectivePolicyRequest(
                policy_type="TAG_POLICY", target_id=org["member"]
            )
            context = RequestContext(
                org["manager"]["id"], "arn:aws:iam::root", "us-east-1", "bench"
            )
            call_us = _best(lambda: handler.describe_effective_policy(context, request))
            print(
                f"  {label:8} {org['policies']:3} policies, {org['levels']} levels: "
                f"path query {query_us:7.0f}   parse {parse_us:7.0f} "
                f"(cached {cached_us:5.0f})   merge+render {merge_us:7.0f} "
                f"(cached {hit_us:4.0f})   whole handler {call_us:6.0f}"
            )
    finally:
        database.close()


def report(engine: str, results: dict[str, list[dict[str, Any]]]) -> None:
    print(
        f"\nEffective policies, {engine}: wrk -t{WRK_THREADS} -c{CONNECTIONS}, "
        f"{DURATION} s each, medians of {ROUNDS} rounds, one server process"
    )
    median = {
        label: {
            key: statistics.median(run[key] for run in runs)
            for key in ("rps", "p50", "p99", "non2xx")
        }
        for label, runs in results.items()
    }
    for label in (SHALLOW, DEEP):
        r = median[label]
        print(
            f"  DescribeEffectivePolicy {label:8} {r['rps']:8.0f} req/s   "
            f"p50 {r['p50']:7.2f} ms   p99 {r['p99']:7.2f} ms   "
            f"non-2xx {r['non2xx']:.0f}"
        )
    ratio = median[SHALLOW]["rps"] / median[DEEP]["rps"]
    rounds = ", ".join(
        f"{s['rps'] / d['rps']:.2f}x" for s, d in zip(results[SHALLOW], results[DEEP])
    )
    verdict = "met" if ratio <= GOAL else "NOT met"
    print(
        f"  deep/shallow cost = {ratio:.2f}x (rounds {rounds})   "
        f"(goal <= {GOAL:.0f}x: {verdict})"
    )


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    engines = sys.argv[1:] or ["sqlite", "postgresql"]
    for engine in engines:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                run_engine(engine, Path(tmp))
            except BaseException as error:  # pytest.skip: PostgreSQL unreachable
                if type(error).__name__ != "Skipped":
                    raise
                print(f"{engine}: skipped ({error})")


if __name__ == "__main__":
    main()
