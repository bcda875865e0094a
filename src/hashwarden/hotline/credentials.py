"""Reference numbers and follow-up passphrases, and the slow hash that keeps passphrases.

Passphrases are random Crockford base32 groups rather than words: the site speaks seven
languages and an English word list would suit one. 20 characters carry 100 bits; the same
alphabet reads aloud and types easily (no I, L, O, U; case and separators ignored).
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READS_AS = {"I": "1", "L": "1", "O": "0"}

#: argon2id, RFC 9106's second recommended setting (64 MiB, 3 passes): slow for a guesser,
#: about 0.1 s here for the reporter.
_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
#: Verified against when a reference has no passphrase, so both cases take the same time.
_DUMMY = _HASHER.hash("no passphrase")


def _groups(count: int, size: int) -> str:
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(count)
    )


def new_reference() -> str:
    """``R-XXXX-XXXX``: 40 random bits, shown to the reporter and quoted in any contact."""
    return "R-" + _groups(2, 4)


def new_passphrase() -> str:
    return _groups(5, 4)


def normalise(text: str) -> str:
    """What the reporter typed, in canonical form: upper case, look-alikes mapped, no separators."""
    return "".join(_READS_AS.get(ch, ch) for ch in text.upper() if ch.isalnum())


def canonical_reference(text: str) -> str:
    cleaned = normalise(text)
    if cleaned.startswith("R") and len(cleaned) == 9:
        return f"R-{cleaned[1:5]}-{cleaned[5:]}"
    return ""


def hash_passphrase(passphrase: str) -> str:
    return _HASHER.hash(normalise(passphrase))


def passphrase_matches(stored: str | None, passphrase: str) -> bool:
    """Constant work whether or not a hash exists, so timing tells nothing."""
    try:
        return _HASHER.verify(stored or _DUMMY, normalise(passphrase)) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
