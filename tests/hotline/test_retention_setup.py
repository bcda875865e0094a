"""Retention set-up: the migration that starts the clocks, and the settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
from alembic import command
from sqlalchemy import Engine

from hashwarden.api.settings import ApiSettings
from hashwarden.core.errors import ConfigError
from hashwarden.hotline.retention import RetentionPolicy
from hashwarden.storage.database import write_transaction
from hashwarden.storage.migrate import alembic_config
from hashwarden.storage.report_store import SqlReportStore


def test_the_migration_starts_the_clocks_of_reports_closed_before_it(engine: Engine) -> None:
    config = alembic_config()
    with write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
    received = datetime(2026, 1, 5, tzinfo=UTC)
    with engine.begin() as connection:
        for reference, status in (("R-AAAA-AAAA", "closed"), ("R-BBBB-BBBB", "illegal")):
            connection.execute(sqlalchemy.text(
                "INSERT INTO reports (reference, kind, status, url, details, description, "
                "contact_email, language, received_at) VALUES (:reference, 'csam', :status, "
                "'https://h.test/', '{}', '', 'a@mail.test', 'en', :received)"
            ), {"reference": reference, "status": status,
                "received": received.replace(tzinfo=None)})  # fmt: skip
    before = datetime.now(UTC)
    store = SqlReportStore(engine)  # migrates to the newest revision
    closed = store.get("R-AAAA-AAAA")
    assert closed is not None and closed.timeline.closed_at is not None
    # Unknown closure times count from the migration: never erased earlier than the policy.
    assert closed.timeline.closed_at >= before - timedelta(seconds=5)
    still_open = store.get("R-BBBB-BBBB")
    assert still_open is not None and still_open.timeline.closed_at is None


def test_retention_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONTACT_DAYS", "REPORT_DAYS"):
        monkeypatch.delenv(f"HASHWARDEN_RETENTION_{name}", raising=False)
    monkeypatch.delenv("HASHWARDEN_PURGE_INTERVAL", raising=False)
    defaults = ApiSettings.from_env()
    assert defaults.retention == RetentionPolicy(30, 365) and defaults.purge_interval == 86400
    monkeypatch.setenv("HASHWARDEN_RETENTION_CONTACT_DAYS", "7")
    monkeypatch.setenv("HASHWARDEN_RETENTION_REPORT_DAYS", "730")
    monkeypatch.setenv("HASHWARDEN_PURGE_INTERVAL", "0")
    settings = ApiSettings.from_env()
    assert settings.retention == RetentionPolicy(7, 730) and settings.purge_interval == 0
    for bad in ("-1", "1.5", "a year"):
        monkeypatch.setenv("HASHWARDEN_RETENTION_REPORT_DAYS", bad)
        with pytest.raises(ConfigError, match="HASHWARDEN_RETENTION_REPORT_DAYS"):
            ApiSettings.from_env()
