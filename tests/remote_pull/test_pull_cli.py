"""``hashwarden pull ncmec`` run as a real command against the fake server (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ncmec_fake import PASSWORD, USER, EntryMaker, FakeNcmec
from pull_checks import LIST, assert_mirrors

from hashwarden.core.lists.services import ListService
from hashwarden.storage.database import create_engine
from hashwarden.storage.list_store import SqlListStore

SINCE, UNTIL, LATER = "2024-03-01T00:00:00Z", "2024-03-04T00:00:00Z", "2024-03-07T00:00:00Z"
SECRETS = (USER, PASSWORD)


@pytest.fixture
def lists(database_url: str) -> Iterator[ListService]:
    engine = create_engine(database_url)
    service = ListService(SqlListStore(engine))
    service.create_list(LIST)
    yield service
    engine.dispose()


@pytest.fixture
def env(database_url: str, tmp_path: Path, fake: FakeNcmec) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HASHWARDEN_NCMEC")}
    environment.update({
        "HASHWARDEN_HOME": str(tmp_path / "home"),
        "HASHWARDEN_DATABASE_URL": database_url,
        "HASHWARDEN_NCMEC_URL": fake.url,
        "HASHWARDEN_NCMEC_USER": USER,
        "HASHWARDEN_NCMEC_PASSWORD": PASSWORD,
        "COLUMNS": "200",
    })
    return environment


def pull(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hashwarden", "pull", "ncmec", "--list", LIST, *args],
        env=env, capture_output=True, text=True, timeout=120,
    )


def summary_of(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    summary: dict[str, Any] = json.loads(lines[0])
    return summary


def assert_no_secrets(*outputs: subprocess.CompletedProcess[str]) -> None:
    for done in outputs:
        for secret in SECRETS:
            assert secret not in done.stdout and secret not in done.stderr


def test_pull_prints_a_summary_and_the_next_run_resumes(
    fake: FakeNcmec, lists: ListService, env: dict[str, str]
) -> None:
    maker = EntryMaker(21)
    fake.entries = list(maker.batch(7, hours=(1, 40)))
    first = pull(env, "--since", SINCE, "--until", UNTIL)
    fake.entries += list(maker.batch(4, hours=(80, 100)))
    second = pull(env, "--until", LATER)

    one, two = summary_of(first), summary_of(second)
    assert one["list"] == LIST and one["url"] == fake.url
    assert (one["from"], one["to"], one["checkpoint"]) == (SINCE, UNTIL, UNTIL)
    assert (one["pages"], one["entries"], one["added"], one["deletions"]) == (3, 7, 7, 0)
    assert (two["from"], two["to"], two["checkpoint"]) == (UNTIL, LATER, LATER)
    assert (two["entries"], two["added"]) == (4, 4)
    assert "pages" in first.stderr and f"{LIST}: 3 pages, 7 entries" in first.stderr
    assert_mirrors(lists, LIST, fake.entries)
    assert_no_secrets(first, second)


def test_wrong_or_missing_credentials_give_a_clear_error_and_no_secret(
    fake: FakeNcmec, lists: ListService, env: dict[str, str], tmp_path: Path
) -> None:
    wrong = pull({**env, "HASHWARDEN_NCMEC_PASSWORD": "wrong-" + PASSWORD}, "--since", SINCE,
                 "--until", UNTIL)
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert "rejected the credentials (HTTP 401)" in wrong.stderr
    assert "wrong-" not in wrong.stderr

    missing = pull({k: v for k, v in env.items() if k != "HASHWARDEN_NCMEC_USER"})
    assert missing.returncode == 2
    assert "NCMEC credentials are not configured: set HASHWARDEN_NCMEC_USER" in missing.stderr

    secret = tmp_path / "ncmec-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    no_env_password = {k: v for k, v in env.items() if k != "HASHWARDEN_NCMEC_PASSWORD"}
    from_file = pull(no_env_password, "--password-file", str(secret), "--since", SINCE,
                     "--until", UNTIL)
    assert summary_of(from_file)["checkpoint"] == UNTIL
    assert_no_secrets(wrong, missing, from_file)
    assert lists.get_list(LIST).sequence == 0  # the fake holds no entries


def test_a_failed_pull_exits_non_zero_and_keeps_the_checkpoint(
    fake: FakeNcmec, lists: ListService, env: dict[str, str]
) -> None:
    fake.entries = list(EntryMaker(22).batch(8, hours=(1, 40)))
    fake.fail_pages = {3: 502}
    failed = pull(env, "--since", SINCE, "--until", UNTIL)
    assert failed.returncode == 2
    assert "failed after 4 attempts: HTTP 502" in failed.stderr

    fake.fail_pages = {}
    done = summary_of(pull(env, "--since", SINCE, "--until", UNTIL))
    assert (done["added"], done["checkpoint"]) == (8, UNTIL)
    assert_mirrors(lists, LIST, fake.entries)

