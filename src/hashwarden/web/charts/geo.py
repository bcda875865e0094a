"""Points on a plain latitude/longitude plane: where places lie relative to each other.

No map tiles: a tile server would learn which places an investigation looks at, and the console
has no network anyway. Longitudes are scaled by the cosine of the mean latitude so that distances
look the same both ways (right for the few kilometres a case usually spans; across the
antimeridian the points are shifted to one side first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .scales import _plural
from .svg import (
    _MARGIN,
    AXIS_COLOUR,
    BACKGROUND,
    GRID_COLOUR,
    MAX_SERIES,
    PALETTE,
    TICK_FONT_SIZE,
    _c,
    _esc,
    _legend,
    _no_data,
    _one_line,
    _svg,
    _title_text,
)
from .validation import _check_size, _check_title

#: The smallest span shown, in degrees (~200 m): a single point still gets a sensible frame.
MIN_SPAN = 0.002
_LABEL_CHARS = 16


@dataclass(frozen=True, slots=True)
class GeoPoint:
    label: str
    latitude: float
    longitude: float
    #: One of the chart's ``groups`` (colour and legend entry).
    group: str
    tooltip: str = ""


def _unwrapped(points: Sequence[GeoPoint]) -> list[float]:
    """Longitudes moved by 360 where that makes the set narrower (points across 180°)."""
    lons = [p.longitude for p in points]
    shifted = [lon + 360 if lon < 0 else lon for lon in lons]
    return shifted if max(shifted) - min(shifted) < max(lons) - min(lons) else lons


def geo_scatter(
    points: Sequence[GeoPoint],
    *,
    groups: Sequence[str],
    title: str,
    width: int = 560,
    height: int = 400,
) -> str:
    """Each point as a mark with its label; the frame's corners say its latitudes/longitudes."""
    _check_title(title)
    _check_size(width=width, height=height)
    if len(groups) > MAX_SERIES:
        raise ValueError(f"at most {MAX_SERIES} groups")
    for point in points:
        if point.group not in groups:
            raise ValueError(f"point group {point.group!r} is not in groups")
        if not (math.isfinite(point.latitude) and -90 <= point.latitude <= 90
                and math.isfinite(point.longitude) and -180 <= point.longitude <= 180):
            raise ValueError(f"not a WGS 84 position: {point.latitude!r}, {point.longitude!r}")
    if not points:
        return _no_data(title, width, height)

    lons = _unwrapped(points)
    lats = [p.latitude for p in points]
    squeeze = max(0.05, math.cos(math.radians((max(lats) + min(lats)) / 2)))
    span = max(MIN_SPAN, max(lats) - min(lats), (max(lons) - min(lons)) * squeeze) * 1.25
    mid_lat, mid_lon = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2

    items = [(PALETTE[i], g, _one_line(g, 28)) for i, g in enumerate(groups)]
    legend, legend_bottom = _legend(items, _MARGIN, 32, width - _MARGIN)
    top, bottom = legend_bottom + 8, height - 28
    left, right = _MARGIN + 8, width - _MARGIN - 8
    scale = min(right - left, bottom - top) / span
    cx, cy = (left + right) / 2, (top + bottom) / 2

    def x_of(lon: float) -> float:
        return cx + (lon - mid_lon) * squeeze * scale

    def y_of(lat: float) -> float:
        return cy - (lat - mid_lat) * scale

    half_w, half_h = (right - left) / 2 / scale, (bottom - top) / 2 / scale
    body = [_title_text(title, width), *legend,
            f'<rect class="plot" x="{_c(left)}" y="{_c(top)}" width="{_c(right - left)}"'
            f' height="{_c(bottom - top)}" fill="none" stroke="{GRID_COLOUR}"/>',
            f'<text class="corner" x="{_c(left)}" y="{_c(height - 10)}"'
            f' font-size="{TICK_FONT_SIZE}" fill="{AXIS_COLOUR}">'
            f"bottom left {_esc(_corner(mid_lat - half_h, mid_lon - half_w / squeeze))}</text>",
            f'<text class="corner" x="{_c(right)}" y="{_c(height - 10)}" text-anchor="end"'
            f' font-size="{TICK_FONT_SIZE}" fill="{AXIS_COLOUR}">'
            f"top right {_esc(_corner(mid_lat + half_h, mid_lon + half_w / squeeze))}</text>",
            '<g class="points">']
    for point, lon in zip(points, lons, strict=True):
        x, y = x_of(lon), y_of(point.latitude)
        colour = PALETTE[list(groups).index(point.group)]
        anchor, dx = ("end", -8) if x > (left + right) / 2 else ("start", 8)
        body.append(
            f'<g class="point" data-group="{_esc(point.group)}">'
            f"<title>{_esc(point.tooltip or point.label)}</title>"
            f'<circle cx="{_c(x)}" cy="{_c(y)}" r="6" fill="{colour}" stroke="{BACKGROUND}"'
            f' stroke-width="1.5"/>'
            f'<text x="{_c(x + dx)}" y="{_c(y + 4)}" text-anchor="{anchor}"'
            f' font-size="{TICK_FONT_SIZE}" stroke="{BACKGROUND}" stroke-width="3"'
            f' paint-order="stroke">{_esc(_one_line(point.label, _LABEL_CHARS))}</text></g>'
        )
    body.append("</g>")
    desc = (f"{_plural(len(points), 'point')} on a latitude/longitude plane about "
            f"{span * 111:.1f} km across, centred on {_corner(mid_lat, mid_lon)}.")
    return _svg(width, height, title, desc, body)


def _corner(lat: float, lon: float) -> str:
    lon = (lon + 180) % 360 - 180
    return f"{lat:.5f}, {lon:.5f}"
