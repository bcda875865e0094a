"""Server-rendered SVG charts and matching data tables for the analyst dashboard.

Every function is pure and returns markup that is safe to embed in an HTML page: all text is
escaped (labels may come from user data), there is no script, no inline ``style`` attribute
(a strict Content-Security-Policy would block it) and no external resource. Each chart is a
``role="img"`` SVG named by its ``<title>`` and summarised by its ``<desc>``; every bar or
segment carries a ``<title>`` tooltip with its exact value, and the ``*_table`` helpers render
the same numbers as an HTML table for everyone. The page can size charts with CSS, for example
``.hw-chart { max-width: 100%; height: auto; }``.

Output is deterministic: the same input gives byte-identical markup.
"""

from __future__ import annotations

from .bars import stacked_bars
from .histogram import MAX_BINS, histogram
from .scales import format_value, nice_ticks, rounded_percentages
from .share import share_bar
from .svg import _LEGEND_CHARS as _LEGEND_CHARS  # the tests check legend shortening
from .svg import (
    AXIS_COLOUR,
    BACKGROUND,
    CHAR_WIDTH,
    FONT_FAMILY,
    FONT_SIZE,
    GRID_COLOUR,
    MARKER_COLOUR,
    MAX_SERIES,
    PALETTE,
    TEXT_COLOUR,
    TICK_FONT_SIZE,
    TITLE_FONT_SIZE,
)
from .tables import data_table, histogram_table, share_table, stacked_bars_table
from .validation import MAX_VALUE

__all__ = [
    "AXIS_COLOUR",
    "BACKGROUND",
    "CHAR_WIDTH",
    "FONT_FAMILY",
    "FONT_SIZE",
    "GRID_COLOUR",
    "MARKER_COLOUR",
    "MAX_BINS",
    "MAX_SERIES",
    "MAX_VALUE",
    "PALETTE",
    "TEXT_COLOUR",
    "TICK_FONT_SIZE",
    "TITLE_FONT_SIZE",
    "data_table",
    "format_value",
    "histogram",
    "histogram_table",
    "nice_ticks",
    "rounded_percentages",
    "share_bar",
    "share_table",
    "stacked_bars",
    "stacked_bars_table",
]
