"""The test-control API (`--admin`): health, reset, the business clock.

One SQLite server for the module (the tests put the clock back where they found it); its
own servers for the default (off), PostgreSQL's reset and `--workers 2`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from generated.organizations import OPERATIONS, SERVICE
from support.databases import fresh_database
from support.raw import Reply, send
from support.server import Server, running_with_accounts

#: The seed the reset must bring back: Bill's organization and its invitation to Susan.
SEED = {
    "organizations": [
        {
            "id": "o-exampleorgid",
            "management_account_id": "111111111111",
            "feature_set": "ALL",
            "created": "2016-11-01T00:00:00Z",
        }
    ],
    "handshakes": [
        {
            "id": "h-examplehandshakeid111",
            "organization_id": "o-exampleorgid",
            "action": "INVITE",
            "target": {"type": "ACCOUNT", "id": "222222222222"},
            "state": "OPEN",
            "requested": "2016-11-30T19:27:58Z",
        }
    ],
}
SEEDED_HANDSHAKE = "h-examplehandshakeid111"
#: A day after the seeded invitation was sent: it is still open.
DAY_AFTER = datetime(2016, 12, 1, 19, 27, 58, tzinfo=timezone.utc)


def admin(server: Server, method: str, path: str, body: Any = None) -> Reply:
    """A test-control request: unsigned, JSON."""
    raw = (
        b""
        if body is None
        else body if isinstance(body, bytes) else json.dumps(body).encode()
    )
    headers = {"Content-Type": "application/json"} if raw else {}
    return send(server.url, method, f"/_botogen/{path}", raw, headers)


def set_clock(server: Server, instant: datetime | None) -> dict[str, Any]:
    reply = admin(
        server,
        "POST",
        "clock",
        {"now": None if instant is None else instant.isoformat()},
    )
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"] == "application/json"
    document: dict[str, Any] = reply.json()
    return document


def start(folder: Path, db: str, *args: str) -> Any:
    seed = folder / "seed.json"
    seed.write_text(json.dumps(SEED))
    return running_with_accounts(folder, "--admin", "--seed", str(seed), *args, db=db)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("admin")
    with start(folder, str(folder / "db.sqlite3")) as running:
        yield running


@pytest.fixture
def wall_clock_after(server: Server) -> Iterator[Server]:
    yield server
    set_clock(server, None)


# -- off by default -------------------------------------------------------------------------


def test_off_by_default(tmp_path: Path) -> None:
    """Without --admin the paths are ordinary unknown paths: the protocol's 404."""
    with running_with_accounts(tmp_path, db=str(tmp_path / "db")) as server:
        for method, path in (("GET", "health"), ("POST", "reset"), ("POST", "clock")):
            reply = admin(
                server, method, path, {"now": None} if path == "clock" else None
            )
            assert reply.status == 404, (method, path, reply.body)
            assert reply.headers["content-type"] == "application/x-amz-json-1.1"
            assert reply.json()["__type"] == "UnknownOperationException"
        bill = server.client(0)
        bill.create_organization(FeatureSet="ALL")
        assert admin(server, "POST", "reset").status == 404
        bill.describe_organization()  # nothing was reset


# -- health -----------------------------------------------------------------------------------


def vars_of_handlers() -> set[str]:
    """Names the Organizations handler classes define themselves (not the skeleton's)."""
    from handlers.organizations import Handlers

    names: set[str] = set()
    for cls in Handlers.__mro__:
        if cls.__module__.startswith("handlers."):
            names |= set(vars(cls))
    return names


def test_health(server: Server) -> None:
    reply = admin(server, "GET", "health")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    health = reply.json()
    assert health["status"] == "running"
    assert health["service"] == SERVICE.name
    assert health["botocore"] == SERVICE.botocore_version
    assert health["operations"] == len(OPERATIONS)
    # The operations the handlers override: every one of the model's, today.
    implemented = [op for op in OPERATIONS.values() if op.method in vars_of_handlers()]
    assert health["implemented"] == len(implemented) == len(OPERATIONS)


def test_unknown_paths_and_methods(server: Server) -> None:
    reply = admin(server, "GET", "nothing-here")
    assert (reply.status, reply.json()["__type"]) == (404, "UnknownOperationException")
    for method, path in (("POST", "health"), ("GET", "reset"), ("DELETE", "clock")):
        reply = admin(server, method, path)
        assert reply.status == 405, (method, path)
        assert reply.json()["__type"] == "MethodNotAllowedException"


# -- reset --------------------------------------------------------------------------------------


def _reset_removes_what_calls_made(server: Server) -> None:
    juan, susan, bill = server.client(2), server.client(1), server.client(0)
    set_clock(server, DAY_AFTER)
    try:
        juan.create_organization(FeatureSet="ALL")
        declined = susan.decline_handshake(HandshakeId=SEEDED_HANDSHAKE)
        assert declined["Handshake"]["State"] == "DECLINED"
        invited = bill.invite_account_to_organization(
            Target={"Id": "someone@example.com", "Type": "EMAIL"}
        )["Handshake"]["Id"]

        reply = admin(server, "POST", "reset")
        assert reply.status == 200 and reply.json() == {"reset": True}

        # What the calls made is gone ...
        with pytest.raises(juan.exceptions.AWSOrganizationsNotInUseException):
            juan.describe_organization()
        with pytest.raises(bill.exceptions.HandshakeNotFoundException):
            bill.describe_handshake(HandshakeId=invited)
        # ... the seed's state is as the seed says (the decline undone) ...
        handshake = susan.describe_handshake(HandshakeId=SEEDED_HANDSHAKE)["Handshake"]
        assert handshake["State"] == "OPEN"
        organization = bill.describe_organization()["Organization"]
        assert organization["Id"] == "o-exampleorgid"
        # ... and every account still signs and exists (Juan can create again).
        assert juan.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        accounts = {a["Id"] for a in juan.list_accounts()["Accounts"]}
        assert accounts == {"333333333333"}
    finally:
        set_clock(server, None)
    assert admin(server, "POST", "reset").status == 200


def test_reset_keeps_accounts_and_the_seed(server: Server) -> None:
    _reset_removes_what_calls_made(server)


def test_reset_on_postgresql(tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as db, start(tmp_path, db) as server:
        _reset_removes_what_calls_made(server)


# -- the business clock -----------------------------------------------------------------------


def test_the_clock_moves_the_business_clock(wall_clock_after: Server) -> None:
    server = wall_clock_after
    reply = admin(server, "GET", "clock")
    assert reply.status == 200
    wall = reply.json()
    assert wall["set"] is False
    drift = datetime.fromisoformat(wall["now"]) - datetime.now(timezone.utc)
    assert abs(drift) < timedelta(seconds=5)

    assert set_clock(server, DAY_AFTER) == {"now": DAY_AFTER.isoformat(), "set": True}
    assert admin(server, "GET", "clock").json() == {
        "now": DAY_AFTER.isoformat(),
        "set": True,
    }
    bill = server.client(0)
    sent = bill.invite_account_to_organization(
        Target={"Id": "later@example.com", "Type": "EMAIL"}
    )["Handshake"]
    assert sent["State"] == "OPEN"
    assert sent["RequestedTimestamp"] == DAY_AFTER
    assert (
        bill.describe_handshake(HandshakeId=sent["Id"])["Handshake"]["State"] == "OPEN"
    )

    set_clock(server, DAY_AFTER + timedelta(days=16))  # past the 15-day lifetime
    after = bill.describe_handshake(HandshakeId=sent["Id"])["Handshake"]
    assert after["State"] == "EXPIRED"

    back = set_clock(server, None)
    assert back["set"] is False
    assert abs(
        datetime.fromisoformat(back["now"]) - datetime.now(timezone.utc)
    ) < timedelta(seconds=5)


@pytest.mark.parametrize(
    "body, why",
    [
        (b"not json", "JSON object"),
        (b"[]", "now"),
        (b"{}", "now"),
        (b'{"later": "2016-12-01T00:00:00Z"}', "now"),
        (b'{"now": 5}', "ISO 8601"),
        (b'{"now": "yesterday"}', "ISO 8601"),
        (b'{"now": "2016-12-01T00:00:00"}', "time zone"),
        (b'{"now": "99999-12-01T00:00:00Z"}', "ISO 8601"),
    ],
)
def test_bad_clock_bodies_are_400_json(server: Server, body: bytes, why: str) -> None:
    before = admin(server, "GET", "clock").json()["set"]
    reply = admin(server, "POST", "clock", body)
    assert reply.status == 400, reply.body
    assert reply.headers["content-type"] == "application/json"
    document = reply.json()
    assert document["__type"] == "ValidationException"
    assert why in document["Message"]
    assert admin(server, "GET", "clock").json()["set"] == before  # nothing moved


# -- several server processes ------------------------------------------------------------------


def test_two_workers_share_the_clock_and_the_reset(tmp_path: Path) -> None:
    """The clock set through one process is the clock of the other; so is a reset."""
    with start(tmp_path, str(tmp_path / "db.sqlite3"), "--workers", "2") as server:
        set_clock(server, DAY_AFTER)
        answers = [admin(server, "GET", "clock").json() for _ in range(40)]
        assert all(a == {"now": DAY_AFTER.isoformat(), "set": True} for a in answers)
        pids = set(re.findall(r"botogen\.access\[(\d+)\]: admin ", server.log_text()))
        assert len(pids) == 2, "both processes should have answered"
        # The business clock as the handlers of both processes see it.
        bill = server.client(0)
        sent = bill.invite_account_to_organization(
            Target={"Id": "x@example.com", "Type": "EMAIL"}
        )["Handshake"]
        assert sent["RequestedTimestamp"] == DAY_AFTER
        set_clock(server, DAY_AFTER + timedelta(days=16))
        states = {
            server.client(0).describe_handshake(HandshakeId=sent["Id"])["Handshake"][
                "State"
            ]
            for _ in range(10)
        }
        assert states == {"EXPIRED"}
        assert admin(server, "POST", "reset").status == 200
        for _ in range(10):
            with pytest.raises(bill.exceptions.HandshakeNotFoundException):
                server.client(0).describe_handshake(HandshakeId=sent["Id"])
