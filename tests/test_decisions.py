"""Behaviour the spec leaves open, as we decided it (DECIDED in handlers/organizations)."""

from __future__ import annotations

import base64
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from support.server import running_server
from support.world import (
    World,
    dummy_accounts,
    engine,
    fails_with,
    in_process,
    open_store,
    sent,
    serving,
    world,
)

__all__ = ["engine", "world"]


def test_an_organization_cannot_invite_its_own_accounts(world: World) -> None:
    """Its management account and its members are already in: ALREADY_IN_AN_ORGANIZATION,
    and no place of the account limit is taken."""
    org = world.organization(members=1)
    for target in (org.manager, org.members[0]):
        error = fails_with(
            "HandshakeConstraintViolationException",
            org.manager.client.invite_account_to_organization,
            Target=target.target(),
        )
        assert error["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
    error = fails_with(
        "HandshakeConstraintViolationException",
        org.manager.client.invite_account_to_organization,
        Target=org.members[0].target("EMAIL"),
    )
    assert error["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
    assert all(
        h["Action"] != "INVITE" or h["State"] != "OPEN" for h in sent(org).values()
    )


def test_page_tokens_reveal_nothing_readable(world: World) -> None:
    org = world.organization()
    ids = [world.invite(org, world.account())["Id"] for _ in range(3)]
    page = org.manager.client.list_handshakes_for_organization(MaxResults=1)
    token = page["NextToken"]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert not any(handshake_id.encode() in raw for handshake_id in ids)
    assert b"[" not in raw[18:] or b"h-" not in raw  # no JSON position in clear
    # and it still pages
    following = org.manager.client.list_handshakes_for_organization(
        MaxResults=1, NextToken=token
    )
    assert following["Handshakes"][0]["Id"] != page["Handshakes"][0]["Id"]


def test_a_read_persists_expiry(tmp_path: Path) -> None:
    """R6: DescribeHandshake of a handshake past its expiry stores EXPIRED (not only shows
    it). Checked in the SQLite file; PostgreSQL runs the same code."""
    with serving(tmp_path, "sqlite", clock=True) as world:
        org = world.organization()
        susan = world.account()
        start = world.clock.now()
        handshake = world.invite(org, susan)["Id"]
        world.clock.set(start + timedelta(days=16))
        described = susan.client.describe_handshake(HandshakeId=handshake)
        assert described["Handshake"]["State"] == "EXPIRED"
        with sqlite3.connect(tmp_path / "botogen.sqlite3") as connection:
            row = connection.execute(
                "SELECT state, state_changed_at, expires_at FROM handshakes WHERE id = ?",
                (handshake,),
            ).fetchone()
        assert row[0] == "EXPIRED" and row[1] == row[2]


def test_a_seed_with_a_bad_id_stops_the_server_naming_it(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        '{"organizations": [{"id": "o-short", "management_account_id": "111111111111"}]}'
    )
    with pytest.raises(RuntimeError) as failed:
        with running_server(tmp_path, "--seed", str(seed)):
            pass
    assert "organizations[0]" in str(failed.value) and "'o-short'" in str(failed.value)


# -- InvalidInputException's message (organizations.md C6, R8) ------------------------------


@pytest.mark.parametrize(
    ("kind", "collection", "reason", "message"),
    [
        ("required", False, "INPUT_REQUIRED", "You must include a value for all required parameters."),
        ("max_length", False, "MAX_LENGTH_EXCEEDED", "You provided a string parameter that is longer than allowed."),
        ("max_length", True, "MAX_LENGTH_EXCEEDED", "You provided a list that is longer than allowed."),
        ("min_length", False, "MIN_LENGTH_EXCEEDED", "You provided a string parameter that is shorter than allowed."),
        ("min_length", True, "MIN_LENGTH_EXCEEDED", "You provided a list that is shorter than allowed."),
        ("max_value", False, "MAX_VALUE_EXCEEDED", "You provided a numeric parameter that has a larger value than allowed."),
        ("min_value", False, "MIN_VALUE_EXCEEDED", "You provided a numeric parameter that has a smaller value than allowed."),
        ("pattern", False, "INVALID_PATTERN", "You provided a value that does not match the required pattern."),
        ("enum", False, "INVALID_ENUM", "You specified an invalid value."),
        ("invalid", False, "INVALID_ENUM", "You specified an invalid value."),
    ],
)  # fmt: skip
def test_invalid_input_is_the_reason_and_its_sentence_only(
    kind: str, collection: bool, reason: str, message: str
) -> None:
    """C6: the Reason of the failure and AWS's sentence for it, nothing more (no member,
    no constraint). DECIDED: a list says "list"; a value refused for another reason is
    INVALID_ENUM, "You specified an invalid value."."""
    from generated.organizations import SERVICE as MODEL
    from handlers.organizations.errors import OrganizationsErrors
    from runtime.validation import Failure

    failure = Failure("Some.Member", kind, "Member must be something", collection)
    error = OrganizationsErrors(MODEL).invalid_input([failure])
    assert error.to_wire() == {"Message": message, "Reason": reason}
    assert error.code == "InvalidInputException" and error.http_status == 400


def test_the_first_failure_decides_the_reason() -> None:
    """R8: the runtime orders the failures (required, then length/range, then pattern,
    then enum); the policy answers for the first one."""
    from generated.organizations import SERVICE as MODEL
    from handlers.organizations.errors import OrganizationsErrors
    from runtime.validation import Failure

    errors = OrganizationsErrors(MODEL)
    answer = errors.invalid_input(
        [Failure("A", "pattern", "p"), Failure("B", "required", "r")]
    )
    assert answer.to_wire()["Reason"] == "INVALID_PATTERN"
    assert errors.invalid_token().to_wire() == {
        "Message": "The NextToken you provided is not valid for this request.",
        "Reason": "INVALID_NEXT_TOKEN",
    }
    assert errors.busy().code == "ConcurrentModificationException"
    assert errors.throttled().code == "TooManyRequestsException"
    fault = errors.internal("req-1")
    assert fault.code == "ServiceException" and "req-1" in str(fault)


# -- outputs are answered as stored, not validated again --------------------------------------


def test_stored_data_a_newer_model_would_refuse_is_still_answered(
    tmp_path: Path,
) -> None:
    """Responses are built without validation (documents.py): a manager's name longer
    than AccountName allows, an invited email longer than HandshakePartyId allows, a tag
    value outside TagValue's pattern and a JoinedMethod the model does not list — as a
    tightened model would find them in an existing database — are answered, not a 500.
    """
    from pydantic import ValidationError

    from generated.organizations.models import (
        DescribeHandshakeRequest,
        DescribeHandshakeResponse,
        ListAccountsRequest,
        ListAccountsResponse,
        ListHandshakesForAccountRequest,
        ListHandshakesForOrganizationRequest,
        ListTagsForResourceRequest,
    )
    from handlers.organizations import store
    from runtime.jsonproto import dump_response

    long_name = "Management " + "x" * 200  # AccountName: at most 128
    long_email = "r" * 60 + "@example.com"  # HandshakePartyId: at most 64
    notes = "n" * 2000
    accounts = dummy_accounts(3)
    accounts[0]["name"] = long_name
    accounts[2]["email"] = long_email
    manager, member, recipient = (entry["id"] for entry in accounts)
    seed = {
        "organizations": [
            {
                "id": "o-storedrows1",
                "management_account_id": manager,
                "created": "2030-01-01T00:00:00Z",
                "members": [{"account_id": member, "joined": "2030-01-02T00:00:00Z"}],
            }
        ],
        "handshakes": [
            {
                "id": "h-storedrows1",
                "organization_id": "o-storedrows1",
                "action": "INVITE",
                "target": {"type": "EMAIL", "id": long_email},
                "notes": notes,
                "requested": "2030-01-03T00:00:00Z",
                "expires": "2999-01-01T00:00:00Z",
            }
        ],
    }
    with in_process(str(tmp_path / "stored.sqlite3"), accounts, seed) as served:
        with served.database.transaction() as tx:
            tags = '[{"Key": "team", "Value": "not <allowed> by TagValue!"}]'
            store.join(tx, member, "o-storedrows1", "TRANSFERRED", 1893542400000, tags)
        handler, context = served.handler, served.context

        described = handler.describe_handshake(
            context(recipient), DescribeHandshakeRequest(handshake_id="h-storedrows1")
        )
        body = dump_response(described)
        assert long_email.encode() in body and long_name.encode() in body
        assert notes.encode() in body
        with pytest.raises(ValidationError):  # what validating it again would have done
            DescribeHandshakeResponse.model_validate_json(body)
        for listed in (
            handler.list_handshakes_for_account(
                context(recipient), ListHandshakesForAccountRequest()
            ),
            handler.list_handshakes_for_organization(
                context(manager), ListHandshakesForOrganizationRequest()
            ),
        ):
            assert long_email.encode() in dump_response(listed)

        accounts_page = dump_response(
            handler.list_accounts(context(manager), ListAccountsRequest())
        )
        assert long_name.encode() in accounts_page
        assert b'"JoinedMethod":"TRANSFERRED"' in accounts_page
        with pytest.raises(ValidationError):
            ListAccountsResponse.model_validate_json(accounts_page)

        tagged = handler.list_tags_for_resource(
            context(manager), ListTagsForResourceRequest(resource_id=member)
        )
        assert b"not <allowed> by TagValue!" in dump_response(tagged)


# -- provisionable accounts (organizations.md M2) ---------------------------------------------


def test_a_provisionable_account_signs_once_it_exists(
    engine: str, tmp_path: Path
) -> None:
    """M2: an accounts-file entry marked provisionable does not exist at start (R1 leaves
    it out of the accounts table) and its keys are unknown; once its account row exists
    (what CreateAccount will write; here through the store), its keys work."""
    from botocore.exceptions import ClientError

    from handlers.organizations import store

    entries = dummy_accounts(2)
    future = {
        "id": "977777777777",
        "name": "Created Later",
        "email": "created-later@example.com",
        "access_key_id": "AKIATESTPROVISIONABLE",
        "secret_access_key": "test-secret-provisionable",
        "provisionable": True,
    }
    with serving(tmp_path, engine, accounts=[*entries, future]) as world:
        assert world.db is not None
        client = world.client_for_keys(
            future["access_key_id"],
            future["secret_access_key"],
            retries={"total_max_attempts": 1},
        )
        with pytest.raises(ClientError) as unknown:
            client.list_handshakes_for_account()
        assert unknown.value.response["Error"]["Code"] == "UnrecognizedClientException"
        with open_store(world.db) as database:
            with database.transaction(write=False) as tx:
                assert store.account(tx, database, future["id"]) is None
                assert store.account(tx, database, entries[0]["id"]) is not None
            with database.transaction() as tx:
                store.upsert_accounts(
                    tx, [(future["id"], future["name"], future["email"])]
                )
        assert client.list_handshakes_for_account()["Handshakes"] == []
        fails_with("AWSOrganizationsNotInUseException", client.describe_organization)


# -- storage ---------------------------------------------------------------------------------


def test_the_page_token_secret_survives_the_move_to_botogen_meta(
    tmp_path: Path,
) -> None:
    """Migration 2 moves the page-token secret from the service's old `meta` table to the
    runtime's `botogen_meta` and drops `meta`: tokens issued before the upgrade stay
    valid."""
    from handlers.organizations.schema import MIGRATIONS
    from runtime.database import open_database

    path = str(tmp_path / "old.sqlite3")
    old = open_database(path, MIGRATIONS[:1])
    with old.transaction() as tx:
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('page-token-secret', ?)",
            ("ab" * 32,),
        )
    old.close()
    with open_store(path) as database:
        with database.transaction(write=False) as tx:
            assert "meta" not in database.tables(tx)
            row = tx.one(
                "SELECT value FROM botogen_meta WHERE key = 'page-token-secret'"
            )
        assert row is not None and row["value"] == "ab" * 32


def test_a_seed_naming_an_unknown_account_is_refused(tmp_path: Path) -> None:
    """A seed's organizations may only hold accounts the server knows (a provisionable
    account does not exist yet, M2): anything else stops the start, naming it."""
    seed = {
        "organizations": [
            {"id": "o-unknownacct", "management_account_id": "955555555555"}
        ]
    }
    with pytest.raises(ValueError) as refused:
        with in_process(str(tmp_path / "seed.sqlite3"), dummy_accounts(1), seed):
            pass
    assert "organizations[0]" in str(refused.value)
    assert "'955555555555'" in str(refused.value)
