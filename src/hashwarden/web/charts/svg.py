"""SVG building blocks shared by every chart: palette, colours and font sizes, text escaping
and shortening, coordinates, the ``role="img"`` frame with its ``<title>`` and ``<desc>``,
the "No data" chart, the legend and the bar rectangle."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence

# Okabe-Ito order (distinguishable under the common colour-vision deficiencies); the orange
# is darkened and sky blue and yellow are left out because in their original tones they
# fall below the 3:1 contrast against white that WCAG 1.4.11 asks of graphical objects.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue, 5.2:1
    "#D55E00",  # vermillion, 3.9:1
    "#009E73",  # bluish green, 3.4:1
    "#CC79A7",  # reddish purple, 3.1:1
    "#000000",  # black, 21:1
    "#A8640A",  # darkened orange, 4.7:1
)
MAX_SERIES = len(PALETTE)
BACKGROUND = "#ffffff"
TEXT_COLOUR = "#1a1a1a"  # 17:1 on white
AXIS_COLOUR = "#595959"  # 7:1 on white
GRID_COLOUR = "#d9d9d9"  # decorative only: values are read from ticks and tooltips
MARKER_COLOUR = "#000000"

FONT_FAMILY = "system-ui, sans-serif"
FONT_SIZE = 12
TICK_FONT_SIZE = 11
TITLE_FONT_SIZE = 14
# Average glyph width as a share of the font size: the server cannot measure text, so label
# thinning and legend wrapping use this (slightly generous) estimate.
CHAR_WIDTH = 0.6

_MARGIN = 12
_SWATCH = 12
_LEGEND_ROW = 18
_LEGEND_CHARS = 28

# Characters XML 1.0 forbids even escaped (control characters, lone surrogates, U+FFFE/F).
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- text ------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    """Escape for both text nodes and double-quoted attributes, in HTML and in XML."""
    return html.escape(_XML_INVALID.sub("\ufffd", str(text)), quote=True)


def _one_line(text: str, max_chars: int) -> str:
    """Collapse whitespace and shorten with an ellipsis; the full text stays in tooltips."""
    text = " ".join(str(text).split())
    if len(text) <= max_chars:
        return text
    return text[: max(1, max_chars - 1)] + "…"


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _c(value: float) -> str:
    """A coordinate: two decimals are far below a pixel and keep the output compact."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# --- SVG frame -------------------------------------------------------------------------------


def _svg(width: int, height: int, title: str, desc: str, body: Sequence[str]) -> str:
    content = "\n".join(body)
    # Ids derive from the content: stable across renders, distinct between different charts
    # on one page (two identical charts share ids, which then point to identical text).
    digest = hashlib.sha256(f"{_esc(title)}\0{_esc(desc)}\0{content}".encode()).hexdigest()[:12]
    ident = f"hw-chart-{digest}"
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="hw-chart" role="img"'
            f' width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
            f' aria-labelledby="{ident}-title" aria-describedby="{ident}-desc"'
            f' font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
            f'<title id="{ident}-title">{_esc(title)}</title>',
            f'<desc id="{ident}-desc">{_esc(desc)}</desc>',
            # An opaque background keeps the contrast ratios true on any page colour.
            f'<rect class="background" width="{width}" height="{height}" fill="{BACKGROUND}"/>',
            content,
            "</svg>",
        ]
    )


def _title_text(title: str, width: int) -> str:
    chars = int((width - 2 * _MARGIN) / (TITLE_FONT_SIZE * CHAR_WIDTH))
    return (
        f'<text class="chart-title" x="{_MARGIN}" y="20" font-size="{TITLE_FONT_SIZE}"'
        f' font-weight="bold">{_esc(_one_line(title, chars))}</text>'
    )


def _no_data(title: str, width: int, height: int) -> str:
    body = [
        _title_text(title, width),
        f'<text class="no-data" x="{_c(width / 2)}" y="{_c(height / 2 + 10)}"'
        f' text-anchor="middle">No data</text>',
    ]
    return _svg(width, height, title, "No data to show.", body)


def _legend(
    items: Sequence[tuple[str, str, str]], x0: float, y0: float, max_x: float
) -> tuple[list[str], float]:
    """Entries of (colour, full label, shown label) wrapped into rows; returns the markup and
    the y below the last row. The full label is the entry's tooltip."""
    out = ['<g class="legend">']
    x, y = x0, y0
    for colour, label, shown in items:
        item_width = _SWATCH + 6 + _text_width(shown, FONT_SIZE) + 16
        if x > x0 and x + item_width > max_x:
            x, y = x0, y + _LEGEND_ROW
        out.append(
            f'<g class="legend-item"><title>{_esc(label)}</title>'
            f'<rect x="{_c(x)}" y="{_c(y)}" width="{_SWATCH}" height="{_SWATCH}"'
            f' fill="{colour}"/>'
            f'<text x="{_c(x + _SWATCH + 6)}" y="{_c(y + 10)}">{_esc(shown)}</text></g>'
        )
        x += item_width
    out.append("</g>")
    return out, y + _LEGEND_ROW


def _rect(
    x: float, y: float, width: float, height: float, fill: str, tooltip: str, extra: str = ""
) -> str:
    return (
        f'<rect class="bar" x="{_c(x)}" y="{_c(y)}" width="{_c(width)}" height="{_c(height)}"'
        f' fill="{fill}"{extra}><title>{_esc(tooltip)}</title></rect>'
    )
