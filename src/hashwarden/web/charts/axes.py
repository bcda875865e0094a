"""The plot area of bar charts and histograms, and their value (y) and category (x) axes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .scales import _Ticks
from .svg import (
    _MARGIN,
    AXIS_COLOUR,
    CHAR_WIDTH,
    FONT_SIZE,
    GRID_COLOUR,
    TICK_FONT_SIZE,
    _c,
    _esc,
    _one_line,
    _text_width,
)

_MIN_PLOT = 40


@dataclass(frozen=True)
class _Plot:
    x: float
    y: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def markup(self) -> str:
        return (
            f'<rect class="plot-area" x="{_c(self.x)}" y="{_c(self.y)}"'
            f' width="{_c(self.width)}" height="{_c(self.height)}" fill="none"/>'
        )


def _layout(width: int, height: int, top: float, ticks: _Ticks) -> _Plot:
    label_width = max(_text_width(ticks.label(i), TICK_FONT_SIZE) for i in range(ticks.count + 1))
    left = 24 + label_width + 8  # rotated axis title, tick labels, tick marks
    plot = _Plot(left, top, width - left - _MARGIN, height - 44 - top)
    if plot.width < _MIN_PLOT or plot.height < _MIN_PLOT:
        raise ValueError(f"a {width}x{height} chart leaves no room to plot; make it larger")
    return plot


def _y_axis(plot: _Plot, ticks: _Ticks, y_label: str) -> list[str]:
    out = ['<g class="y-axis">']
    for i in range(ticks.count + 1):
        y = plot.bottom - plot.height * i / ticks.count
        out.append(
            f'<g class="y-tick"><line x1="{_c(plot.x)}" x2="{_c(plot.x + plot.width)}"'
            f' y1="{_c(y)}" y2="{_c(y)}" stroke="{GRID_COLOUR}"/>'
            f'<text x="{_c(plot.x - 6)}" y="{_c(y + 4)}" text-anchor="end"'
            f' font-size="{TICK_FONT_SIZE}">{_esc(ticks.label(i))}</text></g>'
        )
    chars = int(plot.height / (FONT_SIZE * CHAR_WIDTH))
    out.append(
        f'<text class="axis-title" transform="rotate(-90)" x="{_c(-(plot.y + plot.height / 2))}"'
        f' y="14" text-anchor="middle">{_esc(_one_line(y_label, chars))}</text>'
    )
    out.append("</g>")
    return out


def _x_axis(
    plot: _Plot,
    size: tuple[int, int],
    x_label: str,
    labels: Sequence[tuple[float, str]],
    slot: float,
) -> list[str]:
    """Baseline, thinned tick labels (so estimated widths never overlap) and the axis title."""
    width, height = size
    out = [
        '<g class="x-axis">',
        f'<line x1="{_c(plot.x)}" x2="{_c(plot.x + plot.width)}" y1="{_c(plot.bottom)}"'
        f' y2="{_c(plot.bottom)}" stroke="{AXIS_COLOUR}"/>',
    ]
    if labels:
        widest = max(_text_width(text, TICK_FONT_SIZE) for _, text in labels)
        every = max(1, math.ceil((widest + 8) / slot))
        right_of_last = -math.inf
        for x, text in labels[::every]:
            # Edge labels shift inwards rather than spill out of the viewBox; one shifted
            # into its neighbour is left out.
            half = _text_width(text, TICK_FONT_SIZE) / 2
            text_x = max(half + 2, min(x, width - half - 2))
            if text_x - half < right_of_last + 4:
                continue
            right_of_last = text_x + half
            out.append(
                f'<g class="x-tick"><line x1="{_c(x)}" x2="{_c(x)}" y1="{_c(plot.bottom)}"'
                f' y2="{_c(plot.bottom + 4)}" stroke="{AXIS_COLOUR}"/>'
                f'<text x="{_c(text_x)}" y="{_c(plot.bottom + 17)}" text-anchor="middle"'
                f' font-size="{TICK_FONT_SIZE}">{_esc(text)}</text></g>'
            )
    chars = int(plot.width / (FONT_SIZE * CHAR_WIDTH))
    out.append(
        f'<text class="axis-title" x="{_c(plot.x + plot.width / 2)}" y="{height - 8}"'
        f' text-anchor="middle">{_esc(_one_line(x_label, chars))}</text>'
    )
    out.append("</g>")
    return out
