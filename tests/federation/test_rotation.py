"""Following key rotations: endorsement chains, and everything that must not be followed."""

from __future__ import annotations

import base64
import itertools

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hashwarden.federation.envelope import key_id, raw_public_key
from hashwarden.federation.errors import UntrustedKeyError
from hashwarden.federation.rotation import MAX_CHAIN, PublishedKey, endorse, follow, published_keys


def _key() -> tuple[Ed25519PrivateKey, str, str]:
    private = Ed25519PrivateKey.generate()
    raw = raw_public_key(private)
    return private, key_id(raw), base64.b64encode(raw).decode()


def _chain(length: int) -> tuple[list[tuple[Ed25519PrivateKey, str, str]], dict[str, PublishedKey]]:
    keys = [_key() for _ in range(length)]
    published = {keys[0][1]: PublishedKey(keys[0][1], keys[0][2])}
    for (old, old_id, _), (_, new_id, new_public) in itertools.pairwise(keys):
        endorsement = endorse(old, old_id, new_id, new_public)
        published[new_id] = PublishedKey(new_id, new_public, old_id, endorsement)
    return keys, published


def test_a_chain_of_rotations_leads_back_to_the_pinned_key() -> None:
    keys, published = _chain(4)
    added = follow(keys[3][1], [keys[0][2]], published)
    assert added == [keys[1][2], keys[2][2], keys[3][2]]
    assert follow(keys[3][1], [keys[2][2]], published) == [keys[3][2]]


def test_the_keys_document_is_read_leniently() -> None:
    _keys, published = _chain(2)
    document = {
        "keys": [
            {"key_id": k.key_id, "public_key": k.public_key, "endorsed_by": k.endorsed_by or None,
             "endorsement": k.endorsement or None}
            for k in published.values()
        ] + [{"key_id": 5}, "junk"]
    }  # fmt: skip
    assert published_keys(document) == published
    assert published_keys(["not", "a", "document"]) == {}


def test_what_is_not_followed() -> None:
    keys, published = _chain(3)
    stranger = _key()
    with pytest.raises(UntrustedKeyError, match="not among the publisher's keys"):
        follow("feedfacefeedface", [keys[0][2]], published)
    # Endorsed by a key that is not trusted and leads nowhere trusted.
    with pytest.raises(UntrustedKeyError, match="not endorsed by a key"):
        follow(keys[2][1], [stranger[2]], published)
    # A forged endorsement: signed by a stranger in the old key's name.
    forged = endorse(stranger[0], keys[1][1], keys[2][1], keys[2][2])
    tampered = {**published, keys[2][1]: PublishedKey(keys[2][1], keys[2][2], keys[1][1], forged)}
    with pytest.raises(UntrustedKeyError, match="does not verify"):
        follow(keys[2][1], [keys[0][2]], tampered)
    # A key id that does not belong to the public key served with it.
    lying = {**published, keys[2][1]: PublishedKey(keys[2][1], stranger[2], keys[1][1], "x")}
    with pytest.raises(UntrustedKeyError, match="does not match"):
        follow(keys[2][1], [keys[0][2]], lying)


def test_endorsement_loops_end() -> None:
    a, b = _key(), _key()
    looped = {
        a[1]: PublishedKey(a[1], a[2], b[1], endorse(b[0], b[1], a[1], a[2])),
        b[1]: PublishedKey(b[1], b[2], a[1], endorse(a[0], a[1], b[1], b[2])),
    }
    with pytest.raises(UntrustedKeyError, match=f"more than {MAX_CHAIN} rotations"):
        follow(a[1], [_key()[2]], looped)
