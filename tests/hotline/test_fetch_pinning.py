"""The fetcher's DNS pinning: vetted addresses only, IDNA hosts, TLS names, resolver deadline."""

from __future__ import annotations

import datetime
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from fetch_server import LOCAL, Serve, send, serving

from hashwarden.hotline.fetching import FetchFailed, FetchPolicy, FetchRefused, SafeFetcher


@pytest.fixture
def serve() -> Iterator[Serve]:
    yield from serving()


# --- DNS pinning and IDNA -----------------------------------------------------------------------


def test_the_connection_goes_to_the_vetted_address_and_each_hop_is_resolved_again(
    serve: Serve,
) -> None:
    answers = iter([["127.0.0.1"], ["10.20.30.40"]])  # the second answer "rebinds"
    asked: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return next(answers)

    server = serve({"/": lambda h: send(h, b"first", "text/plain")})
    only_loopback = FetchPolicy(
        allow_private=True, address_allowed=lambda host, address, port: address.is_loopback
    )
    fetcher = SafeFetcher(only_loopback, resolver=resolver)
    # rebind.test exists in no DNS: this only works if httpx never resolves it itself.
    fetched = fetcher.fetch(f"http://rebind.test:{server.port}/")
    assert fetched.content == b"first"
    assert server.requests == [("/", f"rebind.test:{server.port}")]
    with pytest.raises(FetchRefused, match=r"10\.20\.30\.40"):
        fetcher.fetch(f"http://rebind.test:{server.port}/")
    assert asked == [("rebind.test", server.port)] * 2
    assert len(server.requests) == 1


def test_idna_hosts_are_resolved_and_sent_in_ascii(serve: Serve) -> None:
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    server = serve({"/": lambda h: send(h, b"ok", "text/plain")})
    SafeFetcher(LOCAL, resolver=resolver).fetch(f"http://Bücher.TEST:{server.port}/")
    assert asked == ["xn--bcher-kva.test"]
    assert server.requests == [("/", f"xn--bcher-kva.test:{server.port}")]


def _certificates(directory: Path, host: str) -> tuple[Path, Path]:
    """A throwaway CA and a server certificate for ``host``: (CA file, server cert+key file)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hashwarden test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, server_file = directory / "ca.pem", directory / "server.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server_file.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, server_file


def test_tls_uses_the_url_host_for_sni_and_the_certificate(serve: Serve, tmp_path: Path) -> None:
    ca_file, server_file = _certificates(tmp_path, "tls.test")
    server_names: list[str | None] = []
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(server_file)
    server_context.sni_callback = lambda sock, name, context: server_names.append(name)
    server = serve({"/": lambda h: send(h, b"over tls", "text/plain")})
    server.socket = server_context.wrap_socket(server.socket, server_side=True)

    fetcher = SafeFetcher(
        LOCAL,
        resolver=lambda host, port: ["127.0.0.1"],
        ssl_context=ssl.create_default_context(cafile=ca_file),
    )
    fetched = fetcher.fetch(f"https://tls.test:{server.port}/")
    assert fetched.content == b"over tls"
    assert server_names == ["tls.test"]
    assert server.requests == [("/", f"tls.test:{server.port}")]
    # Same address, other name: the certificate is checked against the URL's host, not the IP.
    with pytest.raises(FetchFailed, match="CERTIFICATE_VERIFY_FAILED"):
        fetcher.fetch(f"https://other.test:{server.port}/")
    assert len(server.requests) == 1


def test_a_resolver_that_hangs_hits_the_total_time_limit() -> None:
    release = threading.Event()

    def stuck(host: str, port: int) -> list[str]:
        release.wait(10)
        return ["127.0.0.1"]

    fetcher = SafeFetcher(FetchPolicy(allow_private=True, total_timeout=0.3), resolver=stuck)
    started = time.monotonic()
    try:
        with pytest.raises(FetchFailed, match="total time limit"):
            fetcher.fetch("http://slow-dns.test/")
    finally:
        release.set()
    assert time.monotonic() - started < 2
