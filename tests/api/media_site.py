"""A local web site for console tests: fixed files at fixed paths, over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class MediaSite:
    def __init__(self, files: Mapping[str, tuple[bytes, str]]) -> None:
        #: Path -> (body, content type); any other path answers 404.
        self.files = dict(files)
        #: When set, the files are served with this status (e.g. 404 once taken down).
        self.status: int | None = None
        self.base_url = ""

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


@contextmanager
def media_site(files: Mapping[str, tuple[bytes, str]]) -> Iterator[MediaSite]:
    site = MediaSite(files)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = site.files.get(self.path)
            body, kind = found if found is not None else (b"", "text/plain")
            status = 404 if found is None else site.status or 200
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
