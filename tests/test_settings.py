"""A service's settings on the command line: one option per setting of its `Settings`,
`--config FILE` for the same, the command line winning; a bad one stops the server with
one line."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support.server import BOTOGEN, ROOT, Server, running_with_accounts

ENV = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}


def botogen(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BOTOGEN), *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env=ENV,
        timeout=120,
    )


def test_help_lists_the_services_settings(tmp_path: Path) -> None:
    run = botogen(tmp_path, "serve", "--help")
    assert run.returncode == 0, run.stderr
    assert "--account-limit VALUE" in run.stdout
    assert "--daily-invitations VALUE" in run.stdout
    assert "(default: 10)" in run.stdout and "(default: 20)" in run.stdout
    bare = botogen(tmp_path, "serve", "--service", "sqs", "--help")
    assert bare.returncode == 0, bare.stderr
    assert "--account-limit" not in bare.stdout  # derived from the service, not fixed
    assert "--rate-limit" in bare.stdout


# -- values from the file and the command line, seen in the rules they drive ---------------


def _invite(bill: Any, email: str) -> tuple[str, str]:
    """InviteAccountToOrganization by email: ("OK", handshake id) or (code, reason)."""
    try:
        answer = bill.invite_account_to_organization(
            Target={"Id": email, "Type": "EMAIL"}
        )
    except bill.exceptions.HandshakeConstraintViolationException as error:
        return "refused", error.response["Reason"]
    return "OK", answer["Handshake"]["Id"]


def _serve_with(folder: Path, config: dict[str, Any], *args: str) -> Any:
    path = folder / "settings.json"
    path.write_text(json.dumps(config))
    return running_with_accounts(folder, "--config", str(path), *args)


def _organization(server: Server) -> Any:
    bill = server.client(0)
    bill.create_organization(FeatureSet="ALL")
    return bill


def test_the_file_sets_the_account_limit_and_the_command_line_the_quota(
    tmp_path: Path,
) -> None:
    """File: account_limit 2, daily_invitations 2; command line: --daily-invitations 3."""
    with _serve_with(
        tmp_path,
        {"account_limit": 2, "daily_invitations": 2},
        "--daily-invitations",
        "3",
    ) as server:
        bill = _organization(server)
        outcome, first = _invite(bill, "a@example.com")
        assert outcome == "OK"
        # Bill and one pending invitation: the file's limit of 2 (not the default 10).
        assert _invite(bill, "b@example.com") == (
            "refused",
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
        )
        bill.cancel_handshake(HandshakeId=first)
        outcome, second = _invite(bill, "b@example.com")
        assert outcome == "OK"
        bill.cancel_handshake(HandshakeId=second)
        # A third invitation today: the command line's 3 won over the file's 2.
        outcome, third = _invite(bill, "c@example.com")
        assert outcome == "OK"
        bill.cancel_handshake(HandshakeId=third)
        # ... and it is 3, not the default 20.
        assert _invite(bill, "d@example.com") == (
            "refused",
            "HANDSHAKE_RATE_LIMIT_EXCEEDED",
        )


def test_the_file_sets_the_quota_and_the_command_line_the_account_limit(
    tmp_path: Path,
) -> None:
    """File: account_limit 5, daily_invitations 1; command line: --account-limit 2."""
    with _serve_with(
        tmp_path,
        {"account_limit": 5, "daily_invitations": 1},
        "--account-limit",
        "2",
    ) as server:
        bill = _organization(server)
        outcome, first = _invite(bill, "a@example.com")
        assert outcome == "OK"
        assert _invite(bill, "b@example.com") == (
            "refused",
            "ACCOUNT_NUMBER_LIMIT_EXCEEDED",
        )
        bill.cancel_handshake(HandshakeId=first)
        assert _invite(bill, "b@example.com") == (
            "refused",
            "HANDSHAKE_RATE_LIMIT_EXCEEDED",
        )


# -- refused at start: exit status and one line -------------------------------------------


@pytest.mark.parametrize(
    "config, args, names",
    [
        ({"account_limt": 3}, [], ["account_limt", "unknown setting"]),
        ({"account_limit": 0}, [], ["account_limit", "greater than or equal to 1"]),
        ({"daily_invitations": "many"}, [], ["daily_invitations"]),
        ({"account_limit": 3}, ["--daily-invitations", "0"], ["daily_invitations"]),
        ([1, 2], [], ["settings.json", "JSON object"]),
        ("not json", [], ["settings.json", "not valid JSON"]),
        (None, ["--account-limit", "-1"], ["account_limit", "greater than or equal"]),
    ],
)
def test_a_bad_setting_stops_the_server_with_one_line(
    tmp_path: Path, config: Any, args: list[str], names: list[str]
) -> None:
    command = ["serve", "--port", "0", "--db", str(tmp_path / "db.sqlite3"), *args]
    if config is not None:
        path = tmp_path / "settings.json"
        path.write_text(config if isinstance(config, str) else json.dumps(config))
        command += ["--config", str(path)]
    run = botogen(tmp_path, *command)
    assert run.returncode != 0
    assert run.stdout == ""  # never listened
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("botogen: ")
    assert "Traceback" not in run.stderr
    for name in names:
        assert name in lines[0]
    assert not (tmp_path / "db.sqlite3").exists()  # refused before anything was opened


def test_a_missing_config_file(tmp_path: Path) -> None:
    run = botogen(
        tmp_path, "serve", "--port", "0", "--config", str(tmp_path / "absent.json")
    )
    assert run.returncode != 0
    assert run.stderr.count("\n") == 1 and "absent.json" in run.stderr
    assert "cannot read" in run.stderr
