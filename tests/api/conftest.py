"""A real hashwarden API server on a free local port, on each database backend."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from api_helpers import TEST_SETTINGS, ApiServer, free_port

from hashwarden.accounts.services import TokenService
from hashwarden.api.app import create_app
from hashwarden.api.body_limit import BodyLimit
from hashwarden.api.services import ApiServices
from hashwarden.audit.services import AuditLog
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.database import create_engine
from hashwarden.storage.token_store import SqlTokenStore


@pytest.fixture
def server(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[ApiServer]:
    """Settings: ``TEST_SETTINGS``, or those of an ``@pytest.mark.api_settings(...)`` marker.

    The index is mapped from snapshots in a fresh folder, as ``hashwarden serve`` runs it.
    """
    marker = request.node.get_closest_marker("api_settings")
    settings = marker.args[0] if marker else TEST_SETTINGS
    if not settings.index_dir:
        settings = dataclasses.replace(settings, index_dir=str(tmp_path / "index"))
    engine = create_engine(database_url)
    tokens = TokenService(SqlTokenStore(engine), AuditLog(SqlAuditStore(engine)))
    port = free_port()
    running = ApiServer(f"http://127.0.0.1:{port}", database_url, tokens)

    def open_services() -> ApiServices:
        opened = ApiServices.open(database_url, settings)
        running.services.append(opened)
        return opened

    app = BodyLimit(
        create_app(open_services),
        settings.max_json_bytes,
        settings.max_upload_bytes,
        settings.max_video_upload_bytes,
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    yield running
    for client in running._clients:
        client.close()
    uvicorn_server.should_exit = True
    thread.join(timeout=30)
    engine.dispose()
