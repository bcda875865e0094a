"""The fetcher's address rules: URLs refused before any connection, the address classifier."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv6Address

import pytest
from fetch_server import LOCAL, Serve, send, serving
from hypothesis import given
from hypothesis import strategies as st

from hashwarden.hotline.fetching import (
    EXTRA_BLOCKED_NETWORKS,
    FetchPolicy,
    FetchRefused,
    IPAddress,
    SafeFetcher,
    is_public_address,
)

STRICT = FetchPolicy(connect_timeout=0.5, read_timeout=1.0, total_timeout=3.0)


@pytest.fixture
def serve() -> Iterator[Serve]:
    yield from serving()


# --- Addresses refused before any connection ---------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "127.1", "2130706433", "0x7f.0.0.1", "0.0.0.0",
     "[::ffff:127.0.0.1]", "[::ffff:7f00:1]"],
)  # fmt: skip
def test_loopback_in_any_spelling_is_refused_without_connecting(serve: Serve, host: str) -> None:
    server = serve({"/": lambda h: send(h, b"secret", "text/plain")})
    with pytest.raises(FetchRefused, match="non-public address"):
        SafeFetcher(STRICT).fetch(f"http://{host}:{server.port}/")
    assert server.connections == 0


@pytest.mark.parametrize(
    "url",
    ["http://10.1.2.3/", "http://192.168.0.1:8080/", "http://172.16.5.4/",
     "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://[::1]/",
     "http://[fd00::1]/", "http://[fe80::1]/", "http://[::ffff:169.254.169.254]/",
     "http://224.0.0.1/", "http://[ff02::1]/", "http://[::]/", "https://[64:ff9b::a00:1]/",
     "http://[2002:a00:1::1]/", "http://255.255.255.255/"],
)  # fmt: skip
def test_private_and_special_addresses_are_refused(url: str) -> None:
    # A connection attempt would end as FetchFailed (refused or timed out), not FetchRefused.
    with pytest.raises(FetchRefused, match="non-public address"):
        SafeFetcher(STRICT).fetch(url)


def test_one_private_address_among_public_ones_refuses_the_host() -> None:
    fetcher = SafeFetcher(STRICT, resolver=lambda host, port: ["93.184.215.14", "10.0.0.5"])
    with pytest.raises(FetchRefused, match=r"mixed\.test resolves to a non-public .*10\.0\.0\.5"):
        fetcher.fetch("https://mixed.test/")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1:70/_stats",
     "javascript:alert(1)", "data:text/html,hi", "dict://127.0.0.1:11211/"],
)  # fmt: skip
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchRefused, match="scheme"):
        SafeFetcher(LOCAL).fetch(url)


def test_credentials_bad_ports_and_bad_hosts_are_refused(serve: Serve) -> None:
    server = serve({"/": lambda h: send(h, b"ok", "text/plain")})
    fetcher = SafeFetcher(LOCAL)
    for url in (
        f"http://user:pw@127.0.0.1:{server.port}/",
        f"http://user@127.0.0.1:{server.port}/",
    ):
        with pytest.raises(FetchRefused, match="credentials"):
            fetcher.fetch(url)
    for port in (0, 65536):
        with pytest.raises(FetchRefused, match="out of range"):
            fetcher.fetch(f"http://127.0.0.1:{port}/")
    for url in ("http://a b.test/", "http://xn--/", "http:///x"):
        with pytest.raises(FetchRefused, match="host"):
            fetcher.fetch(url)
    # Even where private addresses are allowed, a zone index (local interface) never is.
    with pytest.raises(FetchRefused, match="zone index"):
        fetcher.fetch("http://[fe80::1%25eth0]/")
    scoped = SafeFetcher(LOCAL, resolver=lambda host, port: ["fe80::1%lo"])
    with pytest.raises(FetchRefused, match="zone index"):
        scoped.fetch("http://scoped.test/")
    assert server.connections == 0


# --- The address classifier --------------------------------------------------------------------


def _flags_public(address: IPAddress) -> bool:
    """What the ipaddress module's own flags say, IPv4-mapped addresses judged as IPv4."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return _flags_public(address.ipv4_mapped)
    flags = (address.is_private, address.is_loopback, address.is_link_local,
             address.is_multicast, address.is_reserved, address.is_unspecified)  # fmt: skip
    if isinstance(address, IPv6Address) and address.is_site_local:
        return False
    return address.is_global and not any(flags)


def _in_extra_blocks(address: IPAddress) -> bool:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in EXTRA_BLOCKED_NETWORKS)


_addresses = st.one_of(
    st.ip_addresses(),
    st.ip_addresses(v=4).map(lambda v4: IPv6Address(f"::ffff:{v4}")),
    st.integers(0, 2**32 - 1).map(IPv4Address),
    st.integers(0, 2**128 - 1).map(IPv6Address),
)


@given(_addresses)
def test_the_classifier_agrees_with_the_ipaddress_flags(address: IPAddress) -> None:
    public = is_public_address(address)
    if public:  # never more permissive than the flags...
        assert _flags_public(address)
        v4 = address.ipv4_mapped if isinstance(address, IPv6Address) else address
        if isinstance(v4, IPv4Address):
            assert v4 not in ipaddress.ip_network("100.64.0.0/10")
            assert v4 not in ipaddress.ip_network("0.0.0.0/8")
    # ...and stricter only by the documented extra blocks.
    assert public == (_flags_public(address) and not _in_extra_blocks(address))


@pytest.mark.parametrize(
    ("address", "public"),
    [("8.8.8.8", True), ("93.184.215.14", True), ("2606:4700:4700::1111", True),
     ("::ffff:8.8.8.8", True), ("127.0.0.1", False), ("10.0.0.1", False),
     ("169.254.169.254", False), ("100.64.0.1", False), ("0.1.2.3", False),
     ("192.0.0.9", False), ("198.18.0.1", False), ("224.0.0.1", False), ("240.0.0.1", False),
     ("::1", False), ("::", False), ("::ffff:10.0.0.1", False), ("::ffff:127.0.0.1", False),
     ("64:ff9b::808:808", False), ("2002:808:808::1", False), ("2001:db8::1", False),
     ("fec0::1", False), ("fd12:3456::1", False), ("fe80::1%eth0", False), ("ff0e::1", False)],
)  # fmt: skip
def test_known_addresses(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public
