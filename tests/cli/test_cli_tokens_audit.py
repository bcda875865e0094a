"""``hashwarden tokens ...`` and ``hashwarden audit ...`` through the real command, on SQLite."""

from __future__ import annotations

import getpass
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from cli_helpers import Cli


@pytest.fixture
def sqlite_cli(tmp_path: Path) -> Cli:
    env = dict(os.environ)
    env["HASHWARDEN_HOME"] = str(tmp_path / "home")
    env["HASHWARDEN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'hashwarden.db'}"
    env["COLUMNS"] = "200"
    return Cli(env=env, cwd=tmp_path)


def test_tokens_and_audit_through_the_command_line(sqlite_cli: Cli, tmp_path: Path) -> None:
    cli = sqlite_cli
    actor = f"cli:{getpass.getuser()}"
    created = cli(
        "tokens", "create", "--name", "upload scanner", "--role", "platform", "--expires-in", "30d"
    )
    [issued] = created.records()
    assert set(issued) == {"id", "name", "role", "token"}
    assert (issued["name"], issued["role"]) == ("upload scanner", "platform")
    secret = issued["token"]
    assert secret.startswith("hw_")
    assert "not shown again" in created.stderr and secret not in created.stderr

    [feed] = cli(
        "tokens",
        "create",
        "--name",
        "partner",
        "--role",
        "subscriber",
        "--list",
        "known",
        "--list",
        "ncmec",
    ).records()

    database = tmp_path / "hashwarden.db"
    with sqlite3.connect(database) as connection:
        stored = dict(connection.execute("SELECT id, secret_digest FROM api_tokens"))
    assert stored[issued["id"]] == hashlib.sha256(secret.encode()).hexdigest()

    listed = cli("tokens", "ls")
    assert secret not in listed.stdout and "token" not in listed.records()[0]
    by_id = {token["id"]: token for token in listed.records()}
    assert by_id[feed["id"]]["granted_lists"] == ["known", "ncmec"]
    assert by_id[issued["id"]]["expires_at"] is not None and by_id[issued["id"]]["active"]
    assert by_id[issued["id"]]["created_by"] == actor

    revoked = cli("tokens", "revoke", str(issued["id"]))
    assert "revoked token" in revoked.stderr
    after = {token["id"]: token for token in cli("tokens", "ls").records()}
    assert after[issued["id"]]["revoked_at"] is not None and not after[issued["id"]]["active"]

    events = cli("audit", "ls").records()
    assert [(e["action"], e["object"], e["actor"]) for e in events] == [
        ("tokens.create", f"token:{issued['id']}", actor),
        ("tokens.create", f"token:{feed['id']}", actor),
        ("tokens.revoke", f"token:{issued['id']}", actor),
    ]
    assert events[0]["details"] == {
        "name": "upload scanner",
        "role": "platform",
        "expires_at": by_id[issued["id"]]["expires_at"],
    }
    page = cli("audit", "ls", "--after", str(events[0]["id"]), "--limit", "1", "--actor", actor)
    assert [e["id"] for e in page.records()] == [events[1]["id"]]
    assert f"--after {events[1]['id']}" in page.stderr

    [summary] = cli("audit", "verify").records()
    assert summary["intact"] and summary["events"] == 3
    assert summary["head_digest"] == events[-1]["digest"]

    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE audit_events SET details = ? WHERE id = ?",
            ('{"name": "upload scanner", "role": "admin"}', events[1]["id"]),
        )
    broken = cli("audit", "verify", check=False)
    assert broken.returncode == 1
    assert f"broken at event {events[1]['id']}" in broken.stderr
    assert "altered" in broken.stderr
    assert broken.records() == [
        {
            "intact": False,
            "events_before": 1,
            "broken_id": events[1]["id"],
            "reason": broken.records()[0]["reason"],
        }
    ]


def test_refused_requests_exit_2_and_log_nothing(sqlite_cli: Cli) -> None:
    cli = sqlite_cli
    cases = [
        (["--name", "p", "--role", "platform", "--list", "known"], "only subscriber"),
        (["--name", "s", "--role", "subscriber"], "at least one granted list"),
        (["--name", "x", "--role", "platform", "--expires-in", "5w"], "30d"),
    ]
    for args, message in cases:
        result = cli("tokens", "create", *args, check=False)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert result.stdout == ""
    missing = cli("tokens", "revoke", "42", check=False)
    assert missing.returncode == 2 and "no API token with id 42" in missing.stderr
    [summary] = cli("audit", "verify").records()
    assert summary == {"intact": True, "events": 0, "last_id": None, "head_digest": "0" * 64}
