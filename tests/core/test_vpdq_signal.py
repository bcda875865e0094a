"""The vPDQ signal type: accepted forms, the canonical value, the rule, and Meta's own code."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.signals.registry import SIGNALS
from hashwarden.core.signals.vpdq import VPDQ, frames_of, match_percentages, serialise
from vpdq_placeholder import provide_vpdq_module

provide_vpdq_module()
from threatexchange.extensions.vpdq.vpdq import VPDQSignal  # noqa: E402
from threatexchange.extensions.vpdq.vpdq_util import json_to_vpdq  # noqa: E402

A = "a" * 64
B = "b" * 64


def test_every_accepted_form_gives_one_canonical_value() -> None:
    canonical = serialise([(A, 100, 0.0), (B, 80, 1.0)])
    assert canonical == '["' + A + ',100,0.000","' + B + ',80,1.000"]'
    forms = [
        json.dumps([f"{A.upper()},100,0.0", f"{B},80,1"]),  # ThreatExchange's own strings
        json.dumps([{"frame": 0, "quality": 100, "hash": A, "timestamp": 0.0},
                    {"frame": 30, "quality": 80, "hash": B, "timestamp": 1.0}]),  # hash output
        f"0,100,{A},0.000\n30,80,{B},1.000\n",  # Meta's text rows
    ]  # fmt: skip
    for form in forms:
        assert VPDQ.parse(form) == canonical
    assert SIGNALS.parse("vpdq", canonical) == ("vpdq", canonical)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("[]", "at least one frame"),
        ("[1, 2]", "frame 1: expected a string"),
        ('["abc,100,0"]', "frame 1: hash must be 64 hex"),
        (json.dumps([f"{A},101,0"]), "quality must be 0-100"),
        (json.dumps([f"{A},100,-1"]), "timestamp"),
        (json.dumps([f"{A},100"]), "expected 'hash,quality,timestamp'"),
        ("[not json", "not valid JSON"),
        (f"0,100,{A}", "row 1: expected frame,quality,hash,timestamp"),
    ],
)
def test_bad_values_are_refused_with_the_reason(raw: str, message: str) -> None:
    with pytest.raises(InvalidSignalError, match=message):
        VPDQ.parse(raw)


def _flip(value: str, bits: int, rng: random.Random) -> str:
    number = int(value, 16)
    for bit in rng.sample(range(256), bits):
        number ^= 1 << bit
    return f"{number:064x}"


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shared=st.integers(0, 8), extra=st.integers(0, 6))
def test_the_rule_agrees_with_threatexchange(seed: int, shared: int, extra: int) -> None:
    """Our canonical values are valid ThreatExchange vPDQ and both rules decide alike."""
    rng = random.Random(seed)
    base = [f"{rng.getrandbits(256):064x}" for _ in range(shared + extra + 1)]
    quality = [rng.choice([100, 90, 60, 40]) for _ in base]
    first = [(h, q, float(i)) for i, (h, q) in enumerate(zip(base, quality, strict=True))]
    second = [
        (_flip(h, rng.choice([0, 10, 31, 32, 60]), rng), q, float(i))
        for i, (h, q) in enumerate(zip(base[:shared], quality, strict=False))
    ] + [(f"{rng.getrandbits(256):064x}", 100, 50.0 + i) for i in range(extra)]
    if not second:
        second = [(f"{rng.getrandbits(256):064x}", 100, 0.0)]
    ours_a, ours_b = serialise(first), serialise(second)
    assert VPDQSignal.validate_signal_str(ours_a) == ours_a
    assert [f.pdq_hex for f in json_to_vpdq(ours_a)] == [f[0] for f in first]
    query_pct, compared_pct = match_percentages(frames_of(ours_a), frames_of(ours_b))
    usable = any(q >= 50 for _, q, _ in first) and any(q >= 50 for _, q, _ in second)
    if not usable:  # ThreatExchange divides by zero there; hashwarden matches nothing
        assert (query_pct, compared_pct) == (0.0, 0.0)
        return
    for threshold in (50.0, 80.0):
        theirs = VPDQSignal.compare_hash(
            ours_a, ours_b, query_match_pct_thresh=threshold, compare_match_pct_thresh=threshold
        ).match
        assert (query_pct >= threshold and compared_pct >= threshold) == theirs
    assert VPDQ.distance(ours_a, ours_a) == 0
