"""M9 for the operations of part 1 that change state: botocore's examples-1.json, field for
field, through real boto3 clients, on both engines.

Each example runs on the examples' world as its description tells it: Bill (111111111111)
manages o-exampleorgid, whose root is r-examplerootid111; 222222222222 and 333333333333
are members under the root; ou-examplerootid111-exampleouid111 is an empty OU (for
UpdateOrganizationalUnit and DeleteOrganizationalUnit). The server is started with
`--admin` and the world is reset (`POST /_botogen/reset`: state deleted, the seed loaded
again) before every example, so that each one starts from the same state. For
CreateOrganization, Bill is in no organization (a second server, without the seed).

The ids the server generates itself (C1: random) are not the examples' ids:
CreateOrganization's `o-exampleorgid`, CreateAccount's request id and
CreateOrganizationalUnit's OU id are compared after the example's id is replaced by the
one we generated (`support.examples.renamed`), everywhere in the example, ARNs included.
Operations without an output shape answer `{}` (C7), which is what an example without
an output shows.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.databases import fresh_database
from support.examples import call, examples, mismatches, renamed
from support.server import organizations_client, running_server
from support.world import engine

__all__ = ["engine"]

ORG = "o-exampleorgid"
ROOT = "r-examplerootid111"
OU = "ou-examplerootid111-exampleouid111"


def _account(number: str, name: str, email: str) -> dict[str, str]:
    """Dummy keys for the examples' people; never real credentials."""
    return {
        "id": number * 12,
        "name": name,
        "email": email,
        "access_key_id": f"AKIATESTWRITES{number * 3}",
        "secret_access_key": f"test-secret-writes-{number}",
    }


BILL = _account("1", "Master Account", "bill@example.com")
ALICE = _account("2", "Developer Account", "alice@example.com")
JUAN = _account("3", "Test Account", "juan@example.com")
SEED: dict[str, Any] = {
    "accounts": [BILL, ALICE, JUAN],
    "organizations": [
        {
            "id": ORG,
            "root_id": ROOT,
            "management_account_id": BILL["id"],
            "created": "2016-12-15T19:30:15Z",
            "members": [
                {"account_id": ALICE["id"], "joined": "2016-12-15T21:02:21Z"},
                {"account_id": JUAN["id"], "joined": "2016-12-15T21:03:15Z"},
            ],
        }
    ],
    "organizational_units": [
        {"id": OU, "organization_id": ORG, "parent_id": ROOT, "name": "Accounting",
         "created": "2016-12-15T20:00:00Z"},
    ],  # fmt: skip
}

#: Who calls each example: Bill, except LeaveOrganization ("your member account").
CALLER = {"LeaveOrganization": ALICE}
#: The members of an example's output holding an id the server generates.
GENERATED = {
    "CreateOrganization": ("Organization", "Id"),
    "CreateAccount": ("CreateAccountStatus", "Id"),
    "CreateOrganizationalUnit": ("OrganizationalUnit", "Id"),
}
IN_THE_ORGANIZATION = (
    "DescribeOrganization",
    "CreateAccount",
    "CreateOrganizationalUnit",
    "UpdateOrganizationalUnit",
    "DeleteOrganizationalUnit",
    "MoveAccount",
    "RemoveAccountFromOrganization",
    "LeaveOrganization",
)


def _server_args(
    folder: Path, engine: str, accounts: list[dict[str, str]], seed: dict[str, Any]
) -> Any:
    (folder / "accounts.json").write_text(json.dumps({"accounts": accounts}))
    (folder / "seed.json").write_text(json.dumps(seed))
    args = ["--accounts", str(folder / "accounts.json"), "--admin"]
    args += ["--seed", str(folder / "seed.json")]
    return args


@pytest.fixture(scope="module")
def seeded(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The examples' organization (the URL of a server with `--admin`)."""
    folder: Path = tmp_path_factory.mktemp(f"writes-{engine}")
    args = _server_args(folder, engine, SEED["accounts"], SEED)
    with (
        fresh_database(engine, folder) as db,
        running_server(folder, *args, "--db", db) as server,
    ):
        yield server.url


@pytest.fixture(scope="module")
def standalone(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bill in no organization (for CreateOrganization)."""
    folder: Path = tmp_path_factory.mktemp(f"writes-standalone-{engine}")
    args = _server_args(folder, engine, [BILL], {"accounts": [BILL]})
    with (
        fresh_database(engine, folder) as db,
        running_server(folder, *args, "--db", db) as server,
    ):
        yield server.url


def _reset(url: str) -> None:
    request = urllib.request.Request(f"{url}/_botogen/reset", data=b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert json.loads(answer.read()) == {"reset": True}


def _generated(operation: str, expected: Any, actual: Any) -> dict[str, str]:
    """The example's generated id and ours, for `renamed`."""
    if operation not in GENERATED:
        return {}
    outer, member = GENERATED[operation]
    return {expected[outer][member]: actual[outer][member]}


def _check(url: str, operation: str, example: dict[str, Any]) -> None:
    _reset(url)
    client = organizations_client(url, CALLER.get(operation, BILL))
    actual = call(client, operation, example.get("input"))
    expected = example.get("output") or {}
    expected = renamed(expected, _generated(operation, expected, actual))
    assert mismatches(expected, actual) == []
    if not expected:
        assert actual == {}, "C7: no output shape answers {}"


@pytest.mark.parametrize(
    ("operation", "index", "example"),
    examples(IN_THE_ORGANIZATION),
    ids=[f"{op}-{index}" for op, index, _ in examples(IN_THE_ORGANIZATION)],
)
def test_m9_write_examples(
    seeded: str, operation: str, index: int, example: dict[str, Any]
) -> None:
    """The example's output, field for field, from the examples' organization (M8, M9)."""
    _check(seeded, operation, example)


@pytest.mark.parametrize(
    ("index", "example"),
    [(index, example) for _, index, example in examples(["CreateOrganization"])],
)
def test_m9_create_organization_examples(
    standalone: str, index: int, example: dict[str, Any]
) -> None:
    """CreateOrganization's two examples (ALL, CONSOLIDATED_BILLING), field for field,
    Bill starting in no organization each time (M9, O1, O3)."""
    _check(standalone, "CreateOrganization", example)


def test_m9_writes_did_what_the_examples_say(seeded: str) -> None:
    """The examples' effects, read back: MoveAccount put 333333333333 under the OU;
    RemoveAccountFromOrganization and LeaveOrganization made the account standalone;
    DeleteOrganizationalUnit removed the OU (A15–A17, U5)."""
    bill = organizations_client(seeded, BILL)
    _reset(seeded)
    bill.move_account(AccountId=JUAN["id"], SourceParentId=ROOT, DestinationParentId=OU)
    assert bill.list_parents(ChildId=JUAN["id"])["Parents"] == [
        {"Id": OU, "Type": "ORGANIZATIONAL_UNIT"}
    ]
    _reset(seeded)
    bill.remove_account_from_organization(AccountId=JUAN["id"])
    organizations_client(seeded, ALICE).leave_organization()
    listed = [a["Id"] for a in bill.list_accounts()["Accounts"]]
    assert listed == [BILL["id"]]
    _reset(seeded)
    bill.delete_organizational_unit(OrganizationalUnitId=OU)
    assert (
        bill.list_organizational_units_for_parent(ParentId=ROOT)["OrganizationalUnits"]
        == []
    )
