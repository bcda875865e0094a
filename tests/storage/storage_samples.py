"""Benign sample hash values for storage tests (digests of counters, nothing else)."""

from __future__ import annotations

import hashlib

from hashwarden.core.lists.models import Category, EntryData, Signal


def md5(n: int) -> Signal:
    return Signal("md5", hashlib.md5(f"sample-{n}".encode()).hexdigest())


def sha1(n: int) -> Signal:
    return Signal("sha1", hashlib.sha1(f"sample-{n}".encode()).hexdigest())


def pdq(n: int) -> Signal:
    return Signal("pdq", hashlib.sha256(f"pdq-{n}".encode()).hexdigest())


def entry(n: int, *extra: Signal, category: str | None = None, notes: str = "") -> EntryData:
    return EntryData(
        signals=(md5(n), *extra),
        category=Category("iwf", category) if category else None,
        notes=notes,
    )
