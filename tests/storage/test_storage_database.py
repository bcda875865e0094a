"""Database configuration and the StorageError a locked, gone or read-only database gives."""

from __future__ import annotations

import os
import socket
import sqlite3
from pathlib import Path

import pytest
from storage_samples import entry

from hashwarden.config import database_url, hashwarden_home
from hashwarden.core.errors import StorageError
from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import HashList
from hashwarden.storage.database import create_engine
from hashwarden.storage.list_store import SqlListStore


def test_default_url_is_sqlite_in_created_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HASHWARDEN_DATABASE_URL", raising=False)
    home = tmp_path / "nested" / "home"
    monkeypatch.setenv("HASHWARDEN_HOME", str(home))
    assert database_url() == f"sqlite:///{home / 'hashwarden.db'}"
    assert home.is_dir()
    assert hashwarden_home() == home


def test_default_home_under_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("HASHWARDEN_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert hashwarden_home() == tmp_path / ".local" / "share" / "hashwarden"


def test_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HASHWARDEN_DATABASE_URL", "postgresql+psycopg://u@db.example/hw")
    assert database_url() == "postgresql+psycopg://u@db.example/hw"


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout=12.5)
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 12500}
    engine.dispose()


def test_locked_database(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    store = SqlListStore(create_engine(f"sqlite:///{path}", busy_timeout=0.2))
    store.create_list(HashList("l"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked"):
            store.apply("l", ListChanges(add=[entry(1)]))
        with pytest.raises(StorageError, match=str(path)):
            store.create_list(HashList("m"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.apply("l", ListChanges(add=[entry(1)]))
    assert store.count_entries("l") == 1


def test_locked_fresh_database_cannot_be_migrated(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE squatter (x INTEGER)")
    try:
        with pytest.raises(StorageError, match="locked"):
            SqlListStore(create_engine(f"sqlite:///{path}", busy_timeout=0.2))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_unreachable_postgres() -> None:
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{_closed_port()}/test"
    with pytest.raises(StorageError, match="unreachable") as caught:
        SqlListStore(create_engine(url, busy_timeout=2))
    assert "secret" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "folder" / "h.db"
    with pytest.raises(StorageError, match="cannot be opened"):
        SqlListStore(create_engine(f"sqlite:///{path}"))
    assert not path.parent.exists()


def test_read_only_database(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    SqlListStore(create_engine(f"sqlite:///{path}")).create_list(HashList("l"))
    store = SqlListStore(create_engine(f"sqlite:///file:{path}?mode=ro&uri=true"))
    assert store.get_list("l").name == "l"
    with pytest.raises(StorageError, match="read-only"):
        store.apply("l", ListChanges(add=[entry(1)]))


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError):
            SqlListStore(create_engine(f"sqlite:///{folder / 'h.db'}"))
    finally:
        folder.chmod(0o700)
