"""A loopback HTTP server for the fetcher's tests, and the policy that lets it be reached."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hashwarden.hotline.fetching import FetchPolicy

Route = Callable[["Handler"], None]
Serve = Callable[[dict[str, Route]], "Server"]
#: Lets the fetcher reach the loopback servers, with short timeouts.
LOCAL = FetchPolicy(allow_private=True, connect_timeout=1.0, read_timeout=2.0, total_timeout=5.0)


class Server(ThreadingHTTPServer):
    """A loopback server that counts connections and records each request's path and Host."""

    daemon_threads = True
    block_on_close = False  # handlers stuck in a slow route must not hold up teardown

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes = routes
        self.connections = 0
        self.requests: list[tuple[str, str | None]] = []
        self.stop = threading.Event()

    def verify_request(self, request: object, client_address: object) -> bool:
        self.connections += 1
        return True

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Host")))
        route = self.server.routes.get(self.path.split("?", 1)[0])
        try:
            if route is None:
                send(self, b"not found", "text/plain", status=404)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher hung up on purpose (size cap, timeout)

    def log_message(self, format: str, *args: object) -> None:
        pass


def send(
    handler: BaseHTTPRequestHandler,
    body: bytes,
    content_type: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def redirect(location: str, status: int = 302) -> Route:
    return lambda handler: send(handler, b"", "text/plain", status, {"Location": location})


def serving() -> Iterator[Serve]:
    """Body of a ``serve`` fixture: starts servers on demand, stops them all afterwards."""
    servers: list[Server] = []

    def start(routes: dict[str, Route]) -> Server:
        server = Server(routes)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop.set()
        server.shutdown()
        server.server_close()
