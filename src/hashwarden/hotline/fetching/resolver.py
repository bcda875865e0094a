"""Resolving a host name to addresses, bounded by the fetch's total deadline."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable

from hashwarden.hotline.fetching.addresses import IPAddress
from hashwarden.hotline.fetching.errors import FetchFailed

#: Resolves ``(host, port)`` to address strings, as ``socket.getaddrinfo`` would.
Resolver = Callable[[str, int], Iterable[str]]


def getaddrinfo(host: str, port: int) -> list[str]:
    """The default :data:`Resolver`: the system's ``getaddrinfo``, TCP answers only."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def resolve(resolver: Resolver, host: str, port: int, deadline: float) -> list[IPAddress]:
    """Resolve in a daemon thread: getaddrinfo has no timeout of its own."""
    answers: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            answers.extend(resolver(host, port))
        except BaseException as exc:  # handed to the waiting thread
            errors.append(exc)

    worker = threading.Thread(target=run, name="hashwarden-fetch-dns", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise FetchFailed(f"resolving {host} took past the total time limit")
    if errors:
        raise FetchFailed(f"could not resolve {host}")
    addresses: list[IPAddress] = []
    for answer in answers:
        try:
            address = ipaddress.ip_address(answer)
        except ValueError:
            raise FetchFailed(f"resolver gave a malformed address for {host}") from None
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchFailed(f"{host} has no address")
    return addresses
