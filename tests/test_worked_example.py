"""The worked example of the handshake spec: botocore's own DeclineHandshake example.

Bill (111111111111, bill@example.com, "Master Account") manages o-exampleorgid and has
invited Susan's account 222222222222 with notes; Susan declines h-examplehandshakeid111.
With that state loaded through ``--seed`` and the business clock (``--clock-file``) before
the invitation expires, the server's answer must be exactly the example's output in
`organizations/2016-11-28/examples-1.json`, field for field. Both storage engines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.loaders
import pytest
from botocore.utils import parse_timestamp

from support.raw import call
from support.server import running_server
from support.databases import fresh_database
from support.world import UTC, Actor, Clock, World, engine, fails_with

__all__ = ["engine"]

HANDSHAKE_ID = "h-examplehandshakeid111"
NOTES = "This is an invitation to Susan's account to join the Bill's organization."
#: Dummy keys for the example's people; never real credentials.
BILL = {
    "id": "111111111111",
    "name": "Master Account",
    "email": "bill@example.com",
    "access_key_id": "AKIATESTEXAMPLEBILL",
    "secret_access_key": "test-secret-example-bill",
}
SUSAN = {
    "id": "222222222222",
    "name": "Susan",
    "email": "susan@example.com",
    "access_key_id": "AKIATESTEXAMPLESUSAN",
    "secret_access_key": "test-secret-example-susan",
}
JUAN = {
    "id": "333333333333",
    "name": "Juan",
    "email": "juan@example.com",
    "access_key_id": "AKIATESTEXAMPLEJUAN",
    "secret_access_key": "test-secret-example-juan",
}
#: The server's own accounts file holds someone else: the example's people come from the seed.
BYSTANDER = {
    "id": "999999999999",
    "name": "Bystander",
    "email": "bystander@example.com",
    "access_key_id": "AKIATESTEXAMPLEBYSTANDER",
    "secret_access_key": "test-secret-example-bystander",
}

SEED = {
    "accounts": [BILL, SUSAN, JUAN],
    "organizations": [
        {
            "id": "o-exampleorgid",
            "management_account_id": BILL["id"],
            "feature_set": "ALL",
            "created": "2016-11-01T00:00:00Z",
            "members": [
                {
                    "account_id": JUAN["id"],
                    "joined_method": "INVITED",
                    "joined": "2016-11-02T00:00:00Z",
                }
            ],
        }
    ],
    "handshakes": [
        {
            "id": HANDSHAKE_ID,
            "organization_id": "o-exampleorgid",
            "action": "INVITE",
            "target": {"type": "ACCOUNT", "id": SUSAN["id"]},
            "notes": NOTES,
            "state": "OPEN",
            "requested": "2016-11-30T19:27:58Z",
        }
    ],
}
#: A moment after the invitation and before it expires (2016-12-15T19:27:58Z).
BEFORE_EXPIRY = datetime(2016, 12, 1, 9, 30, 0, tzinfo=UTC)


def example_output() -> dict[str, Any]:
    """botocore's DeclineHandshake example output, loaded by botocore's own loader."""
    examples = botocore.loaders.Loader().load_service_model(
        "organizations", "examples-1"
    )
    (example,) = examples["examples"]["DeclineHandshake"]
    assert example["input"] == {"HandshakeId": HANDSHAKE_ID}
    output: dict[str, Any] = example["output"]
    return output


def with_instants(value: Any, key: str = "") -> Any:
    """The example with its timestamps as aware datetimes, as boto3 returns them."""
    if isinstance(value, dict):
        return {k: with_instants(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [with_instants(item) for item in value]
    if key.endswith("Timestamp"):
        return parse_timestamp(value)
    return value


def with_epoch_seconds(value: Any, key: str = "") -> Any:
    """The example with its timestamps as epoch seconds, as the JSON 1.1 wire has them."""
    if isinstance(value, dict):
        return {k: with_epoch_seconds(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [with_epoch_seconds(item) for item in value]
    if key.endswith("Timestamp"):
        return parse_timestamp(value).timestamp()
    return value


def person(entry: dict[str, str], world: World) -> Actor:
    actor = Actor(**entry)
    actor.client = world.client(actor)
    return actor


@contextmanager
def example_server(folder: Path, db: str) -> Iterator[World]:
    """`botogen serve --seed example.json --clock-file clock.txt` on database ``db``."""
    accounts = folder / "accounts.json"
    accounts.write_text(json.dumps({"accounts": [BYSTANDER]}))
    seed = folder / "seed.json"
    seed.write_text(json.dumps(SEED))
    clock = Clock(folder / "clock.txt")
    clock.set(BEFORE_EXPIRY)
    with running_server(
        folder,
        "--accounts",
        str(accounts),
        "--db",
        db,
        "--seed",
        str(seed),
        "--clock-file",
        str(clock.path),
    ) as server:
        yield World(server, [], clock)


@pytest.fixture(scope="module")
def example(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"example-{engine}")
    with fresh_database(engine, folder) as db, example_server(folder, db) as world:
        yield world


@pytest.fixture(scope="module")
def declined(example: World) -> dict[str, Any]:
    """Susan's DeclineHandshake response (made once per server)."""
    susan = person(SUSAN, example)
    response: dict[str, Any] = susan.client.decline_handshake(HandshakeId=HANDSHAKE_ID)
    return response


def test_susan_declines_the_example_handshake(declined: dict[str, Any]) -> None:
    """The worked example: Susan's DeclineHandshake returns the example's output, field for
    field (timestamps compared as instants, Parties and Resources in the example's order).
    """
    expected = with_instants(example_output())
    assert set(declined) == {"Handshake", "ResponseMetadata"}
    assert declined["Handshake"] == expected["Handshake"]
    assert declined["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_the_wire_body_is_the_example_output(
    example: World, declined: dict[str, Any]
) -> None:
    """On the wire (JSON 1.1, timestamps as epoch seconds), DescribeHandshake by Susan
    after her decline is the example's output, member for member."""
    reply = call(
        example.url,
        "DescribeHandshake",
        json.dumps({"HandshakeId": HANDSHAKE_ID}).encode(),
        key=SUSAN["access_key_id"],
        secret=SUSAN["secret_access_key"],
    )
    assert reply.status == 200, reply.body
    assert reply.json() == with_epoch_seconds(example_output())


def test_everyone_concerned_sees_the_example_handshake(
    example: World, declined: dict[str, Any]
) -> None:
    """Bill (the sender) and Susan (the recipient) read the same declined handshake in
    DescribeHandshake and in their lists (R12, R21, R22); Bill cannot decline it (R10).
    """
    expected = with_instants(example_output())["Handshake"]
    bill, susan = person(BILL, example), person(SUSAN, example)
    for actor in (bill, susan):
        assert (
            actor.client.describe_handshake(HandshakeId=HANDSHAKE_ID)["Handshake"]
            == expected
        )
    assert bill.client.list_handshakes_for_organization()["Handshakes"] == [expected]
    assert susan.client.list_handshakes_for_account()["Handshakes"] == [expected]
    fails_with(
        "AccessDeniedException", bill.client.decline_handshake, HandshakeId=HANDSHAKE_ID
    )
    fails_with(
        "HandshakeAlreadyInStateException",
        susan.client.decline_handshake,
        HandshakeId=HANDSHAKE_ID,
    )


def test_the_seed_is_loaded_once_and_survives_a_restart(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The seed gives the example's state before the decline (the handshake OPEN, Juan a
    member); restarting with the same seed leaves the database alone (still DECLINED).
    """
    folder = tmp_path_factory.mktemp(f"example-restart-{engine}")
    expected = with_instants(example_output())["Handshake"]
    with fresh_database(engine, folder) as db:
        with example_server(folder, db) as world:
            bill, susan = person(BILL, world), person(SUSAN, world)
            before = susan.client.describe_handshake(HandshakeId=HANDSHAKE_ID)[
                "Handshake"
            ]
            assert before == {**expected, "State": "OPEN"}
            organization = bill.client.describe_organization()["Organization"]
            assert organization["Id"] == "o-exampleorgid"
            assert organization["MasterAccountEmail"] == BILL["email"]
            assert organization["FeatureSet"] == "ALL"
            accounts = bill.client.list_accounts()["Accounts"]
            assert {a["Id"] for a in accounts} == {BILL["id"], JUAN["id"]}
            assert (
                susan.client.decline_handshake(HandshakeId=HANDSHAKE_ID)["Handshake"]
                == expected
            )
        with example_server(folder, db) as world:
            susan = person(SUSAN, world)
            after = susan.client.describe_handshake(HandshakeId=HANDSHAKE_ID)[
                "Handshake"
            ]
            assert after == expected
            bill = person(BILL, world)
            accounts = bill.client.list_accounts()["Accounts"]
            assert {a["Id"] for a in accounts} == {BILL["id"], JUAN["id"]}
