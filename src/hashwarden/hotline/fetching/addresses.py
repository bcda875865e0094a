"""Which IP addresses a fetch may reach: only public ones, in no special-purpose range."""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

# Refused whatever Python's flags say: the flags differ between Python versions, and some
# special-purpose ranges (multicast, site-local, 6to4, new documentation prefixes) count as
# "global" there. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
EXTRA_BLOCKED_NETWORKS: tuple[IPv4Network | IPv6Network, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        # ::/8 holds ::, ::1, IPv4-compatible and NAT64 64:ff9b::/96 (its IPv4 may be private).
        "::/8", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
        "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)  # fmt: skip


def is_public_address(address: IPAddress) -> bool:
    """True when ``address`` is globally routable and in no special-purpose range."""
    if isinstance(address, IPv6Address):
        if address.scope_id:
            return False
        mapped = address.ipv4_mapped
        if mapped is not None:
            return is_public_address(mapped)
        if address.is_site_local:
            return False
    if not address.is_global or (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    return not any(
        address.version == net.version and address in net for net in EXTRA_BLOCKED_NETWORKS
    )
