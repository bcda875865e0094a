"""A publishing hashwarden server in this process (uvicorn in a thread, its own SQLite file)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from federation_helpers import Publisher, free_port

from hashwarden.accounts.services import TokenService
from hashwarden.api.app import create_app
from hashwarden.api.services import ApiServices
from hashwarden.api.settings import ApiSettings
from hashwarden.audit.services import AuditLog
from hashwarden.federation.keys import KeyService
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.database import create_engine
from hashwarden.storage.key_store import SqlKeyStore
from hashwarden.storage.token_store import SqlTokenStore

SETTINGS = ApiSettings(follow_interval=0.2, audit_flush_interval=0.05)


@pytest.fixture
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Publisher]:
    url = f"sqlite:///{tmp_path_factory.mktemp('publisher') / 'hashwarden.db'}"
    engine = create_engine(url)
    tokens = TokenService(SqlTokenStore(engine), AuditLog(SqlAuditStore(engine)))
    port = free_port()
    opened: list[ApiServices] = []

    def open_services() -> ApiServices:
        services = ApiServices.open(url, SETTINGS)
        opened.append(services)
        return services

    config = uvicorn.Config(
        create_app(open_services), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the publisher did not start")
        time.sleep(0.02)
    keys = KeyService(SqlKeyStore(engine, migrate=False))
    yield Publisher(f"http://127.0.0.1:{port}", url, tokens, keys, opened)
    server.should_exit = True
    thread.join(timeout=30)
    engine.dispose()
