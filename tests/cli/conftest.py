"""Run the real ``hashwarden`` command in a subprocess against SQLite or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import Cli


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    env = dict(os.environ)
    env["HASHWARDEN_HOME"] = str(tmp_path / "home")
    env["HASHWARDEN_DATABASE_URL"] = database_url
    env["COLUMNS"] = "200"
    return Cli(env=env, cwd=tmp_path)
