"""A list with one benign photo and configured actions; a local webhook receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from api_helpers import ApiServer, free_port, photo_bytes

from hashwarden.accounts.models import Role
from hashwarden.core.media.hashing import hash_media

WEBHOOK_SECRET = "receiver-secret-0123456789"


def listed_with_actions(
    server: ApiServer, actions: list[str], *, name: str = "known", seed: int = 1, **extra: str
) -> dict[str, object]:
    """Create list ``name`` holding one benign photo, with ``actions``; returns its hashes."""
    hashes = hash_media(photo_bytes(seed))
    assert hashes.pdq is not None
    curator = server.client(Role.CURATOR)
    assert curator.post("/v1/lists", json={"name": name}).status_code == 201
    entry = {
        "signals": [{"type": "md5", "value": hashes.md5}, {"type": "pdq", "value": hashes.pdq.hex}],
        "category": {"scheme": "iwf", "value": "A"},
    }
    added = curator.post(f"/v1/lists/{name}/entries", json={"entries": [entry]})
    assert added.status_code == 200, added.text
    configured = curator.put(f"/v1/lists/{name}/actions", json={"actions": actions, **extra})
    assert configured.status_code == 200, configured.text
    server.api.matcher.refresh()
    [entry_id] = [e["id"] for e in curator.get(f"/v1/lists/{name}/entries").json()["entries"]]
    return {"md5": hashes.md5, "pdq": hashes.pdq.hex, "entry_id": entry_id}


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on a free local port answering ``statuses`` in turn (then 200)."""

    statuses: list[int]
    received: list[Received] = field(default_factory=list)
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/hashwarden"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                receiver.received.append(Received(time.monotonic(), headers, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def deliveries(client: httpx.Client, list_name: str = "known") -> list[dict[str, object]]:
    response = client.get("/v1/webhooks/deliveries", params={"list": list_name})
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()["deliveries"]
    return found
