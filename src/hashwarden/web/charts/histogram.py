"""Histograms: binning of values, bars per bin and an optional marker line."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from .axes import _layout, _x_axis, _y_axis
from .scales import _plural, _Ticks, _with_unit, format_value
from .svg import (
    _MARGIN,
    MARKER_COLOUR,
    PALETTE,
    _c,
    _esc,
    _no_data,
    _rect,
    _svg,
    _title_text,
)
from .validation import _check_size, _check_title, _number

MAX_BINS = 500


@dataclass(frozen=True)
class _Binned:
    edges: list[float]
    counts: list[int]
    below: int  # values under the first edge (explicit bins only)
    above: int  # values over the last edge (explicit bins only)


def _bin(values: Sequence[float], bins: int | Sequence[float]) -> tuple[list[float], _Binned]:
    checked = [_number(v, "value") for v in values]
    if isinstance(bins, bool):
        raise ValueError("bins must be a count or a sequence of edges")
    if isinstance(bins, int):
        if not 1 <= bins <= MAX_BINS:
            raise ValueError(f"bins must be from 1 to {MAX_BINS}, not {bins}")
        # Equal bins from 0 with a round width (so at most ``bins`` of them): ages and
        # durations start at zero and read best on round edges.
        step = _Ticks.cover(max(checked, default=0.0), target=bins, integer=False)
        edges = step.values()
    else:
        edges = [_number(edge, "bin edge") for edge in bins]
        if not 2 <= len(edges) <= MAX_BINS + 1:
            raise ValueError(f"bins needs from 2 to {MAX_BINS + 1} edges, not {len(edges)}")
        if any(b <= a for a, b in pairwise(edges)):
            raise ValueError("bin edges must be strictly increasing")
    counts = [0] * (len(edges) - 1)
    below = above = 0
    for value in checked:
        if value < edges[0]:
            below += 1
        elif value > edges[-1]:
            above += 1
        else:
            # Bins are half-open [lo, hi) except the last, which includes its upper edge.
            counts[min(bisect_right(edges, value) - 1, len(counts) - 1)] += 1
    return checked, _Binned(edges, counts, below, above)


def _bin_range(binned: _Binned, index: int, unit: str, *, long: bool) -> str:
    lo, hi = binned.edges[index], binned.edges[index + 1]
    if not long:
        return f"{format_value(lo)}–{_with_unit(hi, unit)}"
    last = index == len(binned.counts) - 1
    return f"{format_value(lo)} to {'' if last else 'under '}{_with_unit(hi, unit)}"


def _bin_x(edges: list[float], value: float) -> float | None:
    """Position in bin units (bins are drawn equally wide); None outside the edges."""
    if not edges[0] <= value <= edges[-1]:
        return None
    index = min(bisect_right(edges, value) - 1, len(edges) - 2)
    lo, hi = edges[index], edges[index + 1]
    return index + (value - lo) / (hi - lo)


def histogram(
    values: Sequence[float],
    *,
    bins: int | Sequence[float],
    title: str,
    x_label: str,
    unit: str,
    marker: float | None = None,
    marker_label: str = "Median",
    y_label: str = "Count",
    width: int = 640,
    height: int = 320,
) -> str:
    """Counts of ``values`` per bin, with an optional labelled marker line (e.g. the median).

    ``bins`` is either a count (equal bins from 0 with a round width, at most that many) or
    explicit increasing edges; with edges, bins are drawn equally wide whatever their span
    (so log-like buckets such as 0, 1, 4, 24, 168 h stay readable) and values outside the
    edges are reported in a note instead of dropped silently. No values give "No data".
    """
    checked, binned = _bin(values, bins)
    checked_marker = None if marker is None else _number(marker, "marker")
    _check_title(title)
    _check_size(width=width, height=height)
    if not checked:
        return _no_data(title, width, height)

    body = [_title_text(title, width)]
    top = 32.0
    note = _outside_note(binned, unit)
    if note:
        body.append(f'<text class="note" x="{_MARGIN}" y="{_c(top + 6)}">{_esc(note)}</text>')
        top += 18
    marker_text = ""
    if checked_marker is not None:
        marker_text = f"{marker_label}: {_with_unit(checked_marker, unit)}"
        top += 18  # room for the marker's label above the plot
    ticks = _Ticks.cover(max(binned.counts), target=5, integer=True)
    plot = _layout(width, height, top, ticks)
    body.append(plot.markup())
    body += _y_axis(plot, ticks, y_label)

    slot = plot.width / len(binned.counts)
    gap = 1.0 if slot >= 3 else 0.0  # a hairline between touching bars
    scale = plot.height / ticks.top
    body.append('<g class="bars">')
    for index, count in enumerate(binned.counts):
        if count == 0:
            continue
        tooltip = f"{_bin_range(binned, index, unit, long=False)}: {_plural(count, 'value')}"
        body.append(
            _rect(
                plot.x + index * slot + gap / 2,
                plot.bottom - count * scale,
                slot - gap,
                count * scale,
                PALETTE[0],
                tooltip,
                f' data-value="{count}"',
            )
        )
    body.append("</g>")
    labels = [(plot.x + i * slot, format_value(edge)) for i, edge in enumerate(binned.edges)]
    body += _x_axis(plot, (width, height), x_label, labels, slot)

    if checked_marker is not None:
        position = _bin_x(binned.edges, checked_marker)
        if position is None:
            marker_text += " (outside the chart)"
            body.append(
                f'<text class="marker-label" x="{_c(plot.x)}" y="{_c(plot.y - 6)}">'
                f"{_esc(marker_text)}</text>"
            )
        else:
            x = plot.x + position * slot
            # The label sits on the side with more room, so it stays inside the chart.
            anchor, dx = ("start", 4) if x < plot.x + plot.width / 2 else ("end", -4)
            body.append(
                f'<g class="marker"><title>{_esc(marker_text)}</title>'
                f'<line x1="{_c(x)}" x2="{_c(x)}" y1="{_c(plot.y)}" y2="{_c(plot.bottom)}"'
                f' stroke="{MARKER_COLOUR}" stroke-width="2" stroke-dasharray="6 3"'
                f' data-value="{checked_marker!r}"/>'
                f'<text class="marker-label" x="{_c(x + dx)}" y="{_c(plot.y - 6)}"'
                f' text-anchor="{anchor}">{_esc(marker_text)}</text></g>'
            )
    desc = _histogram_desc(checked, binned, unit, marker_text, note)
    return _svg(width, height, title, desc, body)


def _outside_note(binned: _Binned, unit: str) -> str:
    parts = []
    if binned.below:
        parts.append(f"{_plural(binned.below, 'value')} below {_with_unit(binned.edges[0], unit)}")
    if binned.above:
        parts.append(f"{_plural(binned.above, 'value')} above {_with_unit(binned.edges[-1], unit)}")
    return f"Not shown: {' and '.join(parts)}." if parts else ""


def _histogram_desc(
    values: list[float], binned: _Binned, unit: str, marker_text: str, note: str
) -> str:
    peak = max(range(len(binned.counts)), key=lambda i: (binned.counts[i], -i))
    text = (
        f"Histogram of {_plural(len(values), 'value')} from {format_value(min(values))}"
        f" to {_with_unit(max(values), unit)} in {_plural(len(binned.counts), 'bin')}."
        f" Largest bin: {_bin_range(binned, peak, unit, long=True)}"
        f" with {_plural(binned.counts[peak], 'value')}."
    )
    if marker_text:
        text += f" {marker_text}."
    if note:
        text += f" {note}"
    return text
