"""Several processes on one database: sequences stay unique, a killed import leaves no trace."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from storage_samples import entry

from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import HashList
from hashwarden.storage.list_store import SqlListStore

WORKER = Path(__file__).with_name("storage_worker.py")


def _worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_concurrent_processes_never_share_a_sequence(
    store: SqlListStore, database_url: str
) -> None:
    store.create_list(HashList("shared"))
    rounds = 25
    workers = [_worker("append", database_url, "shared", str(rounds), f"w{n}") for n in range(2)]
    # The test process writes too, from a thread, to a second list and to the shared one.
    store.create_list(HashList("side"))

    def side_writer() -> None:
        for n in range(rounds):
            store.apply("side" if n % 2 else "shared", ListChanges(add=[entry(10_000 + n)]))

    thread = threading.Thread(target=side_writer)
    thread.start()
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    thread.join()

    changes = store.changes_since("shared", 0, limit=100_000)
    sequences = [change.sequence for change in changes]
    expected = 2 * rounds * 3 + (rounds + 1) // 2
    assert sequences == list(range(1, expected + 1))
    assert store.get_list("shared").sequence == expected
    # Each transaction's three entries got consecutive sequence numbers.
    by_actor = [change for change in changes if change.entry.data.signals]
    assert len({change.entry.id for change in by_actor}) == expected
    feed = store.signal_changes_since(0)
    assert len(feed.added) == expected + rounds // 2


def _import_is_writing(engine: Engine, tag: str) -> bool:
    """True once the worker is inside its write transaction and has written rows."""
    if engine.dialect.name == "postgresql":
        query = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = :tag AND backend_xid IS NOT NULL"
        )
        with engine.connect() as connection:
            return bool(connection.execute(query, {"tag": tag}).scalar())
    path = Path(str(engine.url.database))
    wal = path.with_name(path.name + "-wal")
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        # Locked: the worker holds the write lock; uncommitted pages spill into the WAL.
        return wal.exists() and wal.stat().st_size > 4_000_000
    finally:
        probe.close()


@pytest.mark.slow
def test_killed_import_leaves_list_unchanged(
    store: SqlListStore, engine: Engine, database_url: str
) -> None:
    store.create_list(HashList("big"))
    store.apply("big", ListChanges(add=[entry(1)]))
    before = (store.get_list("big"), list(store.entries("big")), store.signal_changes_since(0))

    tag = f"hw-kill-{uuid.uuid4().hex[:12]}"
    worker_url = database_url
    if engine.dialect.name == "postgresql":
        tagged = make_url(database_url).update_query_dict({"application_name": tag})
        worker_url = tagged.render_as_string(hide_password=False)
    worker = _worker("import", worker_url, "big", "200000")
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "importing"
    deadline = time.monotonic() + 120
    while not _import_is_writing(engine, tag):
        assert worker.poll() is None, "import finished before it could be killed"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.05)
    time.sleep(0.3)
    assert worker.poll() is None, "import finished before it could be killed"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    reopened = SqlListStore(engine)
    after = (
        reopened.get_list("big"),
        list(reopened.entries("big")),
        reopened.signal_changes_since(0),
    )
    assert after == before
    assert reopened.changes_since("big", 1) == []
    reopened.apply("big", ListChanges(add=[entry(2)]))
    assert reopened.count_entries("big") == 2
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
