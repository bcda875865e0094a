"""The test server handle, benign images and hash helpers for the API tests."""

from __future__ import annotations

import io
import re
import socket
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import numpy as np
from PIL import Image

from hashwarden.accounts.models import Role
from hashwarden.accounts.services import TokenService
from hashwarden.api.services import ApiServices
from hashwarden.api.settings import ApiSettings

TEST_SETTINGS = ApiSettings(
    max_json_bytes=256 * 1024,
    max_upload_bytes=2 * 1024 * 1024,
    max_video_upload_bytes=8 * 1024 * 1024,
    max_signals_per_request=500,
    follow_interval=0.1,
    audit_flush_interval=0.05,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ApiServer:
    base_url: str
    database_url: str
    tokens: TokenService
    services: list[ApiServices] = field(default_factory=list)
    #: Headers the schema fuzzer sends (an admin token).
    fuzz_headers: dict[str, str] = field(default_factory=dict)
    _clients: list[httpx.Client] = field(default_factory=list)

    def token(
        self, role: Role, lists: tuple[str, ...] = (), expires_in: timedelta | None = None
    ) -> str:
        issued = self.tokens.create(
            f"test {role}", role, actor="test", granted_lists=lists, expires_in=expires_in
        )
        return issued.secret

    def client(self, role: Role | None = None, *, secret: str | None = None) -> httpx.Client:
        headers = {}
        if role is not None or secret is not None:
            headers["Authorization"] = f"Bearer {secret or self.token(role)}"  # type: ignore[arg-type]
        client = httpx.Client(base_url=self.base_url, headers=headers, timeout=30)
        self._clients.append(client)
        return client

    @property
    def api(self) -> ApiServices:
        """The server's own services (same process), e.g. to flush the audit buffer."""
        return self.services[0]



def photo_bytes(seed: int, size: tuple[int, int] = (320, 240), fmt: str = "JPEG") -> bytes:
    """A benign, detailed image (smooth random colour blobs) as encoded bytes."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize(size, Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=90)
    return buffer.getvalue()


def flip_bits(pdq_hex: str, count: int) -> str:
    """``pdq_hex`` with its lowest ``count`` bits inverted."""
    value = int(pdq_hex, 16) ^ ((1 << count) - 1)
    return f"{value:064x}"


def form_token(page: httpx.Response) -> str:
    """The CSRF token a server-rendered form carries."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def console_sign_in(client: httpx.Client, username: str, password: str, code: str = "") -> None:
    """Sign ``client`` in to the analyst console (its cookies then hold the session)."""
    login = client.get("/console/login")
    done = client.post("/console/login", data={
        "csrf_token": form_token(login), "username": username, "password": password,
        "code": code,
    })  # fmt: skip
    assert done.status_code == 303, done.text
