"""Axis ticks, percentages that sum to 100 and number formatting for labels and tooltips."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from .validation import MAX_VALUE, _number

# --- number text -----------------------------------------------------------------------------


def format_value(value: float) -> str:
    """A number for people: thousands separators, at most two decimals, no trailing zeros."""
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 0.01:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def _with_unit(value: float, unit: str) -> str:
    return f"{format_value(value)} {unit}" if unit else format_value(value)


def _plural(count: int, noun: str, plural: str = "") -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {plural or noun + 's'}"


def _percent(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}%"


# --- scales ----------------------------------------------------------------------------------


def _decimal(units: int, exponent: int) -> float:
    """``units * 10**exponent`` rounded once, so 3 x 0.1 is exactly the float 0.3."""
    return float(units * 10**exponent) if exponent >= 0 else units / 10**-exponent


def _nice_step(raw: float, *, integer: bool) -> tuple[int, int]:
    """The smallest step of the form (1, 2 or 5) x 10**n not below ``raw``."""
    if raw <= 0 or (integer and raw <= 1):
        return 1, 0
    # Clamped so subnormal maxima still get a representable, non-zero step.
    exponent = max(-300, math.floor(math.log10(raw)))
    for mantissa in (1, 2, 5):
        if _decimal(mantissa, exponent) >= raw:
            return mantissa, exponent
    return 1, exponent + 1


@dataclass(frozen=True)
class _Ticks:
    mantissa: int
    exponent: int
    count: int  # ticks run 0 .. count steps

    @classmethod
    def cover(cls, max_value: float, *, target: int, integer: bool) -> _Ticks:
        mantissa, exponent = _nice_step(max_value / max(1, target), integer=integer)
        step = _decimal(mantissa, exponent)
        count = max(1, math.ceil(max_value / step))
        # The division may be off by one ulp either way; settle on the exact cover.
        while count > 1 and _decimal((count - 1) * mantissa, exponent) >= max_value:
            count -= 1
        while _decimal(count * mantissa, exponent) < max_value:
            count += 1
        return cls(mantissa, exponent, count)

    def value(self, index: int) -> float:
        return _decimal(index * self.mantissa, self.exponent)

    @property
    def top(self) -> float:
        return self.value(self.count)

    def values(self) -> list[float]:
        return [self.value(i) for i in range(self.count + 1)]

    def label(self, index: int) -> str:
        value = self.value(index)
        if self.exponent >= -6 and self.top < MAX_VALUE:
            return f"{value:,.{max(0, -self.exponent)}f}"
        return f"{value:.3g}"


def nice_ticks(max_value: float, *, target: int = 5, integer: bool = False) -> list[float]:
    """Axis ticks from 0 in steps of 1, 2 or 5 x 10**n, about ``target`` of them, covering
    ``max_value``; ``integer`` keeps the step at least 1 (for counts)."""
    return _Ticks.cover(_number(max_value, "max_value"), target=target, integer=integer).values()


def rounded_percentages(values: Sequence[float], *, decimals: int = 0) -> list[float]:
    """Shares of the total in percent, rounded so they sum to exactly 100.

    Largest-remainder rounding on exact fractions: ties go to the earlier value, so the result
    is deterministic. All zeros (or no values) give all zeros.
    """
    if not 0 <= decimals <= 4:
        raise ValueError(f"decimals must be from 0 to 4, not {decimals!r}")
    exact = [Fraction(_number(v, "value")) for v in values]
    total = sum(exact, Fraction(0))
    if total == 0:
        return [0.0] * len(exact)
    units = 100 * 10**decimals
    shares = [v * units / total for v in exact]
    floors = [math.floor(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[: units - sum(floors)]:
        floors[i] += 1
    return [f / 10**decimals for f in floors]
