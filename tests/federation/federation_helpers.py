"""Real instances for the federation tests: ``hashwarden`` processes, an in-thread server, and a
tampering HTTP proxy that flips one byte of each feed page it relays."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy

from hashwarden.accounts.models import Role
from hashwarden.accounts.services import TokenService
from hashwarden.api.services import ApiServices
from hashwarden.audit.services import AuditLog
from hashwarden.federation.keys import KeyService
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.database import create_engine
from hashwarden.storage.token_store import SqlTokenStore


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def random_md5s(count: int, seed: int) -> list[str]:
    rng = __import__("random").Random(seed)
    return [f"{rng.getrandbits(128):032x}" for _ in range(count)]


def entries_body(md5s: list[str], notes: str = "benign synthetic entry") -> dict[str, Any]:
    return {"entries": [{"signals": [{"type": "md5", "value": v}], "notes": notes} for v in md5s]}


@dataclass
class Publisher:
    """The in-process publishing server (fixture ``publisher``)."""

    base_url: str
    database_url: str
    tokens: TokenService
    keys: KeyService
    services: list[ApiServices]

    def token(self, role: Role, *lists: str) -> str:
        return self.tokens.create(f"t {role}", role, actor="test", granted_lists=lists).secret

    @property
    def api(self) -> ApiServices:
        return self.services[0]


@dataclass
class Instance:
    """One hashwarden installation: its home, its database, its CLI and (maybe) its server."""

    home: Path
    database_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            HASHWARDEN_HOME=str(self.home),
            HASHWARDEN_DATABASE_URL=self.database_url,
            COLUMNS="200",
            **self.extra_env,
        )
        return env

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:  # noqa: E501
        done = subprocess.run(
            [sys.executable, "-m", "hashwarden", *args],
            env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if check and done.returncode != 0:
            raise AssertionError(
                f"hashwarden {' '.join(args)} exited {done.returncode}\n"
                f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
            )
        return done

    def records(self, *args: str) -> list[dict[str, Any]]:
        out = self.cli(*args).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def token(self, role: str, *lists: str) -> str:
        """A fresh token of ``role``, issued straight into this instance's database."""
        engine = create_engine(self.database_url)
        try:
            tokens = TokenService(SqlTokenStore(engine), AuditLog(SqlAuditStore(engine)))
            issued = tokens.create(
                f"t-{secrets.token_hex(3)}", Role(role), actor="test", granted_lists=lists
            )
            return issued.secret
        finally:
            engine.dispose()

    def serve(self) -> None:
        """Start ``hashwarden serve`` (on the same port again after a ``stop``)."""
        self.port = self.port or free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hashwarden", "serve", "--port", str(self.port),
             "--log-level", "warning"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "hashwarden serve exited"
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("hashwarden serve did not become ready")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def scalar(self, sql: str, **params: Any) -> Any:
        engine = sqlalchemy.create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return connection.execute(sqlalchemy.text(sql), params).scalar()
        finally:
            engine.dispose()

    def md5s(self, list_name: str) -> list[str]:
        """The live md5 values of a list, straight from the database, sorted."""
        engine = sqlalchemy.create_engine(self.database_url)
        query = sqlalchemy.text(
            "SELECT s.value FROM entry_signals s JOIN hash_lists l ON l.id = s.list_id "
            "WHERE l.name = :name AND s.removed_seq IS NULL AND s.signal_type = 'md5'"
        )
        try:
            with engine.connect() as connection:
                found = connection.execute(query, {"name": list_name}).scalars()
                return sorted(str(value) for value in found)
        finally:
            engine.dispose()


@dataclass
class Proxy:
    url: str
    #: Flip a byte of feed pages while set; relay them unchanged otherwise.
    tamper: bool = True
    #: Feed paths whose page was altered.
    altered: list[str] = field(default_factory=list)


class _Tamper(BaseHTTPRequestHandler):
    upstream = ""
    proxy: Proxy
    #: Offset from the end of the page of the byte to flip (inside the last change line).
    flip_from_end = 20

    def do_GET(self) -> None:
        relayed = ("authorization", "accept")
        headers = {k: v for k, v in self.headers.items() if k.lower() in relayed}
        response = httpx.get(self.upstream + self.path, headers=headers, timeout=30)
        body = bytearray(response.content)
        is_feed = self.path.split("?")[0].endswith("/feed")
        if is_feed and self.proxy.tamper and len(body) > self.flip_from_end:
            body[-self.flip_from_end] ^= 0x01
            self.proxy.altered.append(self.path)
        self.send_response(response.status_code)
        self.send_header("Content-Type", response.headers.get("content-type", "text/plain"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(bytes(body))

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@contextmanager
def tampering_proxy(upstream: str, *, tamper: bool = True) -> Iterator[Proxy]:
    """A real HTTP proxy on a free port that flips one bit of each feed page it relays."""
    proxy = Proxy("", tamper)
    handler = type("Tamper", (_Tamper,), {"upstream": upstream, "proxy": proxy})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
