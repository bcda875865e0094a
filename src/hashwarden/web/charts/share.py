"""Share bars: a 100% horizontal bar split into parts, with values and percentages."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .axes import _Plot
from .scales import _percent, format_value, rounded_percentages
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
from .validation import _check_parts, _check_size, _check_title


def share_bar(
    parts: Mapping[str, float], *, title: str, width: int = 640, decimals: int = 0
) -> str:
    """A 100% horizontal bar split by ``parts`` with a legend of values and percentages.

    Percentages are rounded to ``decimals`` places and always sum to 100; segment widths use
    the exact shares. No parts or a zero total give a "No data" chart.
    """
    names, values = _check_parts(parts)
    shares = rounded_percentages(values, decimals=decimals)
    _check_title(title)
    _check_size(width=width)
    total = math.fsum(values)
    if total == 0:
        return _no_data(title, width, 80)

    bar = _Plot(_MARGIN, 32, width - 2 * _MARGIN, 28)
    numbers = [
        f": {format_value(value)} ({_percent(share, decimals)})"
        for value, share in zip(values, shares, strict=True)
    ]
    # Only the name is shortened: the numbers are the point of the legend.
    items = [
        (colour, name + tail, _one_line(name, _LEGEND_CHARS) + tail)
        for colour, name, tail in zip(PALETTE, names, numbers, strict=False)
    ]
    legend, legend_bottom = _legend(items, _MARGIN, bar.bottom + 12, width - _MARGIN)
    height = math.ceil(legend_bottom + 4)
    body = [_title_text(title, width), bar.markup(), '<g class="bars">']
    below = 0.0
    total_text = format_value(total)
    for name, colour, value, share in zip(names, PALETTE, values, shares, strict=False):
        if value == 0:
            continue
        x0 = bar.x + bar.width * below / total
        below += value
        x1 = bar.x + bar.width * below / total
        tooltip = f"{name}: {format_value(value)} of {total_text} ({_percent(share, decimals)})"
        extra = (
            f' data-series="{_esc(name)}" data-value="{value!r}" data-percent="{share!r}"'
            f' stroke="#ffffff" stroke-width="1"'
        )
        body.append(_rect(x0, bar.y, x1 - x0, bar.height, colour, tooltip, extra))
    body.append("</g>")
    body += legend
    desc = f"{'; '.join(full for _, full, _ in items)}. Total {total_text}."
    return _svg(width, height, title, desc, body)
