"""Behaviour the spec leaves open, as we decided it (DECIDED in handlers/organizations)."""

from __future__ import annotations

import base64
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from support.server import running_server
from support.world import World, engine, fails_with, sent, serving, world

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
