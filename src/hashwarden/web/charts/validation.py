"""Checks on the caller's arguments: values, titles, sizes, labels, parts and series."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

from .svg import MAX_SERIES

# Keeps sums and scaled coordinates finite; far beyond any count or duration on a dashboard.
MAX_VALUE = 1e15


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, not {number!r}")
    if number < 0:
        raise ValueError(f"{what} must not be negative, not {number!r}")
    if number > MAX_VALUE:
        raise ValueError(f"{what} must be at most {MAX_VALUE:g}, not {number!r}")
    return number


def _check_title(title: str) -> None:
    # The title is the chart's accessible name, which WCAG requires to be present.
    if not isinstance(title, str) or not title.strip():
        raise ValueError("title must be a non-blank string: it is the chart's accessible name")


def _check_size(**dimensions: int) -> None:
    for name, value in dimensions.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 120 <= value <= 8000:
            raise ValueError(f"{name} must be an integer from 120 to 8000, not {value!r}")


def _check_labels(labels: Sequence[str], what: str) -> list[str]:
    if isinstance(labels, str):
        raise ValueError(f"{what} must be a sequence of strings, not a string")
    out = list(labels)
    for label in out:
        if not isinstance(label, str):
            raise ValueError(f"{what} must be strings, not {label!r}")
    return out


def _check_parts(parts: Mapping[str, float]) -> tuple[list[str], list[float]]:
    names = _check_labels(list(parts), "part names")
    if len(names) > MAX_SERIES:
        raise ValueError(f"at most {MAX_SERIES} parts (one per palette colour); group the rest")
    return names, [_number(parts[name], f"part {name!r}") for name in names]


def _check_stacked(
    categories: Sequence[str], series: Mapping[str, Sequence[float]]
) -> tuple[list[str], list[str], list[list[float]]]:
    cats = _check_labels(categories, "categories")
    names = _check_labels(list(series), "series names")
    if len(names) > MAX_SERIES:
        raise ValueError(
            f"at most {MAX_SERIES} series (one per palette colour); group the rest as 'other'"
        )
    rows: list[list[float]] = []
    for name in names:
        values = series[name]
        if isinstance(values, str | bytes) or len(values) != len(cats):
            raise ValueError(f"series {name!r} needs one value per category ({len(cats)})")
        rows.append([_number(v, f"series {name!r} value") for v in values])
    return cats, names, rows
