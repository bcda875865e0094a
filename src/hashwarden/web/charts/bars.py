"""Stacked bar charts: one bar per category, one stacked segment per series."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .axes import _layout, _x_axis, _y_axis
from .scales import _plural, _Ticks, format_value
from .svg import (
    _LEGEND_CHARS,
    _MARGIN,
    PALETTE,
    _esc,
    _legend,
    _no_data,
    _one_line,
    _rect,
    _svg,
    _title_text,
)
from .validation import _check_size, _check_stacked, _check_title

_X_LABEL_CHARS = 16


def stacked_bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 640,
    height: int = 320,
) -> str:
    """Bars per category with one stacked segment per series (first series at the bottom).

    ``series`` maps a name to one non-negative value per category; at most ``MAX_SERIES``.
    Zero values draw no segment. No categories, no series or all zeros give a "No data" chart.
    """
    cats, names, rows = _check_stacked(categories, series)
    _check_title(title)
    _check_size(width=width, height=height)
    totals = [math.fsum(column) for column in zip(*rows, strict=True)] if rows else []
    if not totals or max(totals) == 0:
        return _no_data(title, width, height)

    body = [_title_text(title, width)]
    items = [
        (colour, name, _one_line(name, _LEGEND_CHARS))
        for colour, name in zip(PALETTE, names, strict=False)
    ]
    legend, legend_bottom = _legend(items, _MARGIN, 32, width - _MARGIN)
    body += legend
    ticks = _Ticks.cover(max(totals), target=5, integer=False)
    plot = _layout(width, height, legend_bottom + 8, ticks)
    body.append(plot.markup())
    body += _y_axis(plot, ticks, y_label)

    slot = plot.width / len(cats)
    bar_width = min(slot * 0.7, 48.0) if slot >= 4 else slot
    # A white edge separates touching segments, so each one contrasts with its neighbours;
    # skipped on thin bars, where it would hide the colour altogether.
    edge = ' stroke="#ffffff" stroke-width="1"' if len(names) > 1 and bar_width >= 6 else ""
    scale = plot.height / ticks.top
    body.append('<g class="bars">')
    for index, category in enumerate(cats):
        x = plot.x + index * slot + (slot - bar_width) / 2
        below = 0.0
        total_text = format_value(totals[index])
        for name, colour, row in zip(names, PALETTE, rows, strict=False):
            value = row[index]
            if value == 0:
                continue
            above = below + value
            tooltip = f"{category}, {name}: {format_value(value)} (total {total_text})"
            extra = f' data-series="{_esc(name)}" data-value="{value!r}"{edge}'
            body.append(
                _rect(
                    x, plot.bottom - above * scale, bar_width, value * scale, colour, tooltip, extra
                )
            )
            below = above
    body.append("</g>")
    labels = [
        (plot.x + (i + 0.5) * slot, _one_line(category, _X_LABEL_CHARS))
        for i, category in enumerate(cats)
    ]
    body += _x_axis(plot, (width, height), x_label, labels, slot)
    return _svg(width, height, title, _stacked_desc(cats, names, rows, totals), body)


def _stacked_desc(
    cats: list[str], names: list[str], rows: list[list[float]], totals: list[float]
) -> str:
    span = cats[0] if len(cats) == 1 else f"{cats[0]} to {cats[-1]}"
    per_series = "; ".join(
        f"{name} {format_value(math.fsum(row))}" for name, row in zip(names, rows, strict=True)
    )
    peak = max(range(len(totals)), key=lambda i: (totals[i], -i))
    return (
        f"Stacked bars for {_plural(len(cats), 'category', 'categories')}"
        f" ({span}) and {_plural(len(names), 'series', 'series')}."
        f" Totals: {per_series}; overall {format_value(math.fsum(totals))}."
        f" Highest: {cats[peak]} with {format_value(totals[peak])}."
    )
