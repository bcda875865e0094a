"""SqlAuditStore on SQLite and PostgreSQL: chained appends, batches, concurrency, tampering."""

from __future__ import annotations

import itertools
import multiprocessing

import pytest
from alembic import command
from audit_worker import append_events
from sqlalchemy import Engine, delete, select, update

from hashwarden.audit.chain import GENESIS, REASON_CONTENT, REASON_LINK, event_digest
from hashwarden.audit.models import AuditRecord
from hashwarden.audit.services import AuditLog
from hashwarden.core.errors import AuditError, StorageError
from hashwarden.core.lists.models import HashList
from hashwarden.storage import audit_store
from hashwarden.storage.account_tables import audit_events
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.database import write_transaction
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.migrate import alembic_config, current_revision, head_revision
from hashwarden.storage.token_store import SqlTokenStore


@pytest.fixture
def audit(engine: Engine) -> AuditLog:
    return AuditLog(SqlAuditStore(engine))


def _record(n: int, actor: str = "token:1:ci") -> AuditRecord:
    return AuditRecord(actor, "match", f"upload:{n}", {"n": n, "hits": [n, n + 1]})


def test_appends_form_a_chain_and_read_back_as_written(
    audit: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert audit.verify().ok and audit.verify().head_digest == GENESIS
    first = audit.record(AuditRecord("cli:ana", "tokens.create", "token:1", {"role": "admin"}))
    assert first.prev_digest == GENESIS
    batch = audit.record_many([_record(n) for n in range(6)])
    assert audit.record_many([]) == []
    last = audit.record(AuditRecord("cli:bo", "tokens.revoke", "token:1"))

    written = [first, *batch, last]
    ids = [event.id for event in written]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [e.prev_digest for e in written[1:]] == [e.digest for e in written[:-1]]
    assert all(event.digest == event_digest(event) for event in written)

    monkeypatch.setattr(audit_store, "PAGE", 3)  # read across several pages
    assert list(audit.events()) == written
    assert list(audit.events(after_id=ids[2], limit=4)) == written[3:7]
    assert list(audit.events(limit=0)) == []
    assert [e.id for e in audit.events(actor="cli:bo")] == [last.id]
    assert [e.id for e in audit.events(after_id=ids[3], actor="token:1:ci")] == ids[4:7]

    result = audit.verify()
    assert result.ok and result.checked == 8
    assert (result.last_id, result.head_digest) == (last.id, last.digest)


def test_invalid_records_are_refused_before_anything_is_written(audit: AuditLog) -> None:
    bad = [
        AuditRecord("", "match"),
        AuditRecord("a" * 201, "match"),
        AuditRecord("cli:ana", ""),
        AuditRecord("cli:ana", "match", details={"score": float("nan")}),
        AuditRecord("cli:ana", "match", details={"seen": {1, 2}}),
    ]
    for record in bad:
        with pytest.raises(AuditError):
            audit.record_many([_record(1), record])
    with pytest.raises(AuditError):
        list(audit.events(limit=-1))
    assert list(audit.events()) == []


_POISON = {
    "sqlite": [
        """CREATE TRIGGER poison BEFORE INSERT ON audit_events WHEN NEW.actor = 'poison'
        BEGIN SELECT RAISE(ABORT, 'poisoned event'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.actor = 'poison' THEN RAISE EXCEPTION 'poisoned event'; END IF;
        RETURN NEW; END $$""",
        """CREATE TRIGGER poison BEFORE INSERT ON audit_events
        FOR EACH ROW EXECUTE FUNCTION poison()""",
    ],
}


def test_a_batch_is_one_transaction_and_lost_ids_do_not_break_the_chain(
    audit: AuditLog, engine: Engine
) -> None:
    before = audit.record(_record(0))
    with engine.begin() as connection:
        for statement in _POISON[engine.dialect.name]:
            connection.exec_driver_sql(statement)
    with pytest.raises(StorageError, match="poisoned event"):
        audit.record_many([_record(1), _record(2), _record(3, actor="poison"), _record(4)])
    assert list(audit.events()) == [before]

    after = audit.record(_record(5))
    assert after.prev_digest == before.digest
    if engine.dialect.name == "postgresql":
        assert after.id > before.id + 1  # the rolled-back batch used up sequence values
    assert audit.verify().ok


def test_two_processes_appending_at_once_build_one_chain(
    audit: AuditLog, database_url: str
) -> None:
    count = 50
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [
        context.Process(target=append_events, args=(database_url, f"worker-{n}", count, start))
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0

    events = list(audit.events())
    assert len(events) == 2 * count
    # The workers really took turns, so each kept chaining onto the other's events.
    switches = sum(a.actor != b.actor for a, b in itertools.pairwise(events))
    assert switches > 1
    for n in range(2):
        mine = [event.details["n"] for event in events if event.actor == f"worker-{n}"]
        assert mine == list(range(count))
    result = audit.verify()
    assert result.ok and result.checked == 2 * count


def test_rows_changed_or_deleted_in_the_database_are_detected(
    audit: AuditLog, engine: Engine
) -> None:
    events = audit.record_many([_record(n) for n in range(5)])
    third, fourth = events[2], events[3]

    with engine.begin() as connection:
        connection.execute(
            update(audit_events)
            .where(audit_events.c.id == third.id)
            .values(details={"n": 2, "hits": []})
        )
    result = audit.verify()
    assert (result.broken_id, result.reason, result.checked) == (third.id, REASON_CONTENT, 2)

    # A careful forger also recomputes the altered row's digest: its successor still points
    # at the original one.
    forged = audit.events(after_id=events[1].id, limit=1)
    with engine.begin() as connection:
        connection.execute(
            update(audit_events)
            .where(audit_events.c.id == third.id)
            .values(digest=event_digest(next(forged)))
        )
    assert (audit.verify().broken_id, audit.verify().reason) == (fourth.id, REASON_LINK)

    with engine.begin() as connection:
        connection.execute(
            update(audit_events).where(audit_events.c.id == third.id).values(digest=third.digest)
        )
        connection.execute(
            update(audit_events).where(audit_events.c.id == third.id).values(details=third.details)
        )
    assert audit.verify().ok

    with engine.begin() as connection:
        connection.execute(delete(audit_events).where(audit_events.c.id == third.id))
        remaining = connection.scalar(select(audit_events.c.id).order_by(audit_events.c.id))
    assert remaining == events[0].id
    assert (audit.verify().broken_id, audit.verify().reason) == (fourth.id, REASON_LINK)


def test_opening_a_store_upgrades_an_older_database(engine: Engine) -> None:
    config = alembic_config()
    with write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    assert current_revision(engine) == "0001"
    SqlListStore(engine, migrate=False).create_list(HashList("kept"))

    audit = AuditLog(SqlAuditStore(engine))
    assert current_revision(engine) == head_revision()
    audit.record(_record(1))
    assert audit.verify().checked == 1
    assert SqlTokenStore(engine).all() == []
    assert [hash_list.name for hash_list in SqlListStore(engine).all_lists()] == ["kept"]
