"""Structure at scale: reading and changing the tree of a big organization costs at most
twice what it costs in a small one (the goal: big/small <= 2x).

Two organizations in one database, seeded with fixed ids (`--seed`'s loader, run once
before the server starts, as `support.load.preload`):

- **big**: 5,000 accounts (the management account included) and 500 OUs: 2,500 accounts
  under the root (with the management account), 2,000 in one big OU, one in each of 499 others (50 under the root, the
  rest one level down), and an empty OU that MoveAccount moves accounts into;
- **small**: 10 accounts and 2 OUs: 6 under the root, 4 in one OU, and the same empty
  OU for the moves.

Each measured with wrk (32 connections, BENCH_SECONDS each, default 3; the two
organizations in turns, small, big, small, big, ... for BENCH_ROUNDS rounds, default 2;
medians), as the management account, one server process, on SQLite and on PostgreSQL:

- `ListAccounts` (the first page, MaxResults 10: the small organization's all);
- `ListChildren` (ChildType ACCOUNT under the root, MaxResults 6: 2,501 children in
  big, 6 in small);
- `ListAccountsForParent` (the big OU, MaxResults 4: 2,000 accounts in big, 4 in small);

(pages of as many items in both, so that the ratio is what the organization's size
costs, not a longer page);
- `MoveAccount`: distinct moves signed in advance (as bench_handshakes.py does for
  declines): the accounts under the root move to the empty OU and back, account after
  account, so one account's next move is requested after every other account's; one run
  per organization (the moves change the tree). The small organization has only 6
  accounts to move for 32 connections: moves of one account can overtake each other
  there, and the one that finds the account already gone answers
  SourceParentNotFoundException (counted as non-2xx; the work is the same but the write).

Prints req/s, p50, p99, non-2xx per line and the big/small cost ratio (small req/s over
big req/s) per operation, against the goal. Asserts nothing. Needs wrk.
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
    CYCLE_LUA,
    WRK_THREADS,
    raw_request,
    static_lua,
    wrk,
)

DURATION = int(os.environ["BENCH_SECONDS"])
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
GOAL = 2.0
#: MoveAccount requests signed per organization (wrk starts over past them: non-2xx).
MOVES = int(os.environ.get("BENCH_MOVES", "40000"))

BIG, SMALL = "big", "small"


def _ou(root_id: str, n: int) -> str:
    return f"ou-{root_id[2:]}-{n:08d}"


def world(folder: Path) -> tuple[Path, Path, dict[str, dict[str, Any]]]:
    """The accounts file, the seed file and, per organization, what the runs need."""
    from support.load import load_accounts, write_json

    accounts = load_accounts(5010)
    created = datetime.now(timezone.utc) - timedelta(days=30)

    def iso(offset_ms: int) -> str:
        moment = created + timedelta(milliseconds=offset_ms)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    seed: dict[str, Any] = {"organizations": [], "organizational_units": []}
    orgs: dict[str, dict[str, Any]] = {}
    for label, members, org_id, root_id in (
        (BIG, accounts[:5000], "o-benchbig01", "r-bbig"),
        (SMALL, accounts[5000:], "o-benchsmall", "r-bsml"),
    ):
        manager, rest = members[0], members[1:]
        big_ou, move_ou = _ou(root_id, 0), _ou(root_id, 1)
        ous = [
            {"id": big_ou, "organization_id": org_id, "parent_id": root_id,
             "name": "Big", "created": iso(0)},
            {"id": move_ou, "organization_id": org_id, "parent_id": root_id,
             "name": "Moves", "created": iso(0)},
        ]  # fmt: skip
        if label == BIG:
            under_root, in_big, others = rest[:2500], rest[2500:4500], rest[4500:]
            for n in range(2, 501):  # 499 more OUs: 50 under the root, the rest below
                parent = root_id if n < 52 else _ou(root_id, 2 + (n - 52) % 50)
                ous.append(
                    {"id": _ou(root_id, n), "organization_id": org_id,
                     "parent_id": parent, "name": f"Unit {n}", "created": iso(n)}
                )  # fmt: skip
            placed = [(a, root_id) for a in under_root] + [(a, big_ou) for a in in_big]
            placed += [(a, _ou(root_id, 2 + i)) for i, a in enumerate(others)]
        else:
            under_root, in_big = rest[:5], rest[5:]
            placed = [(a, root_id) for a in under_root] + [(a, big_ou) for a in in_big]
        entry = {
            "id": org_id, "root_id": root_id, "management_account_id": manager["id"],
            "feature_set": "ALL", "created": iso(0),
            "members": [
                {"account_id": a["id"], "joined": iso(1000 + i), "parent_id": parent}
                for i, (a, parent) in enumerate(placed)
            ],
        }  # fmt: skip
        seed["organizations"].append(entry)
        seed["organizational_units"] += ous
        orgs[label] = {
            "manager": manager,
            "root": root_id,
            "big_ou": big_ou,
            "move_ou": move_ou,
            # The management account is under the root too and moves like the others.
            "movable": [manager["id"]] + [a["id"] for a in under_root],
            "ous": len(ous),
            "accounts": len(members),
        }
    accounts_file = write_json(folder / "accounts.json", {"accounts": accounts})
    seed_file = write_json(folder / "seed.json", seed)
    return accounts_file, seed_file, orgs


def moves(org: dict[str, Any], count: int) -> list[dict[str, str]]:
    """Request k moves account k mod n on its (k div n)-th hop: root → OU, OU → root..."""
    movable = org["movable"]
    there = (org["root"], org["move_ou"])
    return [
        {
            "AccountId": movable[k % len(movable)],
            "SourceParentId": there[(k // len(movable)) % 2],
            "DestinationParentId": there[(k // len(movable) + 1) % 2],
        }
        for k in range(count)
    ]


def run_engine(engine: str, folder: Path) -> dict[str, dict[str, list[dict[str, Any]]]]:
    from support.databases import fresh_database
    from support.load import preload, signed_request
    from support.raw import send
    from support.server import running_server

    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    accounts_file, seed_file, orgs = world(folder)
    with fresh_database(engine, folder) as db:
        started = time.perf_counter()
        preload(db, accounts_file, seed_file)
        print(
            f"{engine}: seeded 5,010 accounts, "
            f"{orgs[BIG]['ous'] + orgs[SMALL]['ous']} OUs in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        args = ["--db", db, "--accounts", str(accounts_file), "--log-level", "warning",
                "--account-limit", "10000"]  # fmt: skip
        with running_server(folder, *args) as server:

            def reads(org: dict[str, Any]) -> dict[str, dict[str, Any]]:
                """Pages of as many items in both organizations (the small one's
                whole listing), so that the ratio shows what the size costs."""
                return {
                    "ListAccounts": {"MaxResults": 10},
                    "ListChildren": {
                        "ParentId": org["root"],
                        "ChildType": "ACCOUNT",
                        "MaxResults": 6,
                    },
                    "ListAccountsForParent": {
                        "ParentId": org["big_ou"],
                        "MaxResults": 4,
                    },
                }

            for operation in reads(orgs[BIG]):
                for _ in range(ROUNDS):
                    for label in (SMALL, BIG):
                        org = orgs[label]
                        params = reads(org)[operation]
                        headers, body = signed_request(
                            server.url, operation, params, org["manager"]
                        )
                        answer = send(server.url, "POST", "/", body, headers)
                        assert answer.status == 200, (answer.status, answer.body)
                        figures = wrk(
                            server.url, folder, static_lua(body), headers=headers
                        )
                        results.setdefault(operation, {}).setdefault(label, []).append(
                            figures
                        )
            probe_headers, probe = signed_request(
                server.url, "MoveAccount", {}, orgs[SMALL]["manager"]
            )
            answer = send(server.url, "POST", "/", probe, probe_headers)
            if b"UnknownOperation" in answer.body or answer.status == 501:
                print(f"MoveAccount: not served ({answer.status}); not measured")
                return results
            for label in (SMALL, BIG):
                org = orgs[label]
                started = time.perf_counter()
                requests = folder / f"moves-{label}.bin"
                with requests.open("wb") as out:
                    for params in moves(org, MOVES):
                        signed, payload = signed_request(
                            server.url, "MoveAccount", params, org["manager"]
                        )
                        out.write(raw_request(server.url, signed, payload) + b"\0")
                print(
                    f"{engine}: signed {MOVES} MoveAccount requests ({label}) in "
                    f"{time.perf_counter() - started:.1f} s",
                    flush=True,
                )
                results.setdefault("MoveAccount", {})[label] = [
                    wrk(
                        server.url,
                        folder,
                        CYCLE_LUA,
                        args=[str(requests), str(WRK_THREADS)],
                    )
                ]
    return results


def report(engine: str, results: dict[str, dict[str, list[dict[str, Any]]]]) -> None:
    print(
        f"\nStructure, {engine}: wrk -t{WRK_THREADS} -c{CONNECTIONS}, {DURATION} s each, "
        f"medians of {ROUNDS} rounds (MoveAccount: one run), one server process"
    )
    for operation, by_label in results.items():
        median = {
            label: {
                key: statistics.median(run[key] for run in runs)
                for key in ("rps", "p50", "p99", "non2xx")
            }
            for label, runs in by_label.items()
        }
        for label in (SMALL, BIG):
            r = median[label]
            print(
                f"  {operation:22} {label:5} {r['rps']:8.0f} req/s   "
                f"p50 {r['p50']:7.2f} ms   p99 {r['p99']:7.2f} ms   "
                f"non-2xx {r['non2xx']:.0f}"
            )
        ratio = median[SMALL]["rps"] / median[BIG]["rps"]
        verdict = "met" if ratio <= GOAL else "NOT met"
        print(
            f"  {operation:22} big/small cost = {ratio:.2f}x   "
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
