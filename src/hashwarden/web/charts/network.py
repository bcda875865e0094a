"""A node-link diagram in concentric rings: one ring per kind of node, drawn on the server.

The layout is computed, not simulated: ring ``k`` holds its nodes evenly spaced by angle, and a
ring is made wide enough for its nodes' labels. The same input therefore always gives the same
picture (a force layout would move every node when one is added, and the investigator would lose
their bearings). Callers order nodes by importance; past ``max_nodes`` the rest are left out and
the chart says how many.
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
    CHAR_WIDTH,
    FONT_SIZE,
    MAX_SERIES,
    PALETTE,
    TICK_FONT_SIZE,
    _c,
    _esc,
    _one_line,
    _svg,
    _title_text,
)
from .validation import _check_title

#: Distance between rings, and the arc length each node of a ring needs for its mark and label.
RING_STEP = 120.0
NODE_SPACING = 30.0
LABEL_CHARS = 18
#: Above this many drawn edges their kinds stay in the tooltips: labels would pile up.
EDGE_LABELS_UP_TO = 24
_NODE_RADIUS = 8.0
_CENTRE_RADIUS = 12.0
_ARROW = 7.0
_LEGEND_ROW = 20


@dataclass(frozen=True, slots=True)
class NetworkNode:
    id: str
    label: str
    #: One of the chart's ``groups``: picks colour and shape, named in the legend.
    group: str
    #: 0 is the centre; empty rings take no room.
    ring: int
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class NetworkEdge:
    source: str
    target: str
    label: str
    tooltip: str = ""
    #: Drawn dashed: a machine's suggestion nobody confirmed.
    dashed: bool = False
    #: 0..1, drawn as line width (confidence).
    strength: float = 1.0


@dataclass(frozen=True, slots=True)
class Placed:
    node: NetworkNode
    x: float
    y: float
    angle: float
    radius: float


def ring_layout(nodes: Sequence[NetworkNode]) -> tuple[list[Placed], float]:
    """Positions around (0, 0), in input order, and the outermost ring's radius."""
    rings = sorted({node.ring for node in nodes})
    members = {ring: [n for n in nodes if n.ring == ring] for ring in rings}
    placed: dict[str, Placed] = {}
    radius = 0.0
    for index, ring in enumerate(rings):
        ring_nodes = members[ring]
        needed = len(ring_nodes) * NODE_SPACING / (2 * math.pi)
        # A lone first node is the centre; any other ring clears the one inside it.
        alone = index == 0 and len(ring_nodes) == 1
        radius = 0.0 if alone else max(radius + RING_STEP, needed)
        # Every other ring is turned by half a slot, so spokes from ring to ring do not overlap.
        turn = 0.5 * (index % 2)
        for position, node in enumerate(ring_nodes):
            angle = -math.pi / 2 + 2 * math.pi * (position + turn) / len(ring_nodes)
            placed[node.id] = Placed(node, radius * math.cos(angle), radius * math.sin(angle),
                                     angle, radius)
    return [placed[node.id] for node in nodes], radius


def network(
    nodes: Sequence[NetworkNode],
    edges: Sequence[NetworkEdge],
    *,
    groups: Sequence[str],
    title: str,
    max_nodes: int = 80,
) -> str:
    """The nodes in rings and the edges as arrows from source to target.

    ``groups`` names the kinds of node in legend order (at most ``MAX_SERIES``). Nodes past
    ``max_nodes`` are not drawn, nor are edges touching them; the chart counts both.
    """
    _check_title(title)
    if len(groups) > MAX_SERIES or len(set(groups)) != len(groups):
        raise ValueError(f"at most {MAX_SERIES} distinct groups (one per colour and shape)")
    style = {group: index for index, group in enumerate(groups)}
    if unknown := {n.group for n in nodes} - set(style):
        raise ValueError(f"nodes of groups not in the legend: {sorted(unknown)}")
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    unique = list({node.id: node for node in nodes}.values())
    shown = unique[:max_nodes]
    placed, outer = ring_layout(shown)
    where = {p.node.id: p for p in placed}
    drawn = [e for e in edges if e.source in where and e.target in where]
    left_nodes, left_edges = len(unique) - len(shown), len(edges) - len(drawn)

    # Labels run sideways from the marks: wide room left and right, a line above and below.
    reach = outer + _NODE_RADIUS + 6 + LABEL_CHARS * TICK_FONT_SIZE * CHAR_WIDTH
    rise = outer + _CENTRE_RADIUS + 2 * TICK_FONT_SIZE + 6
    width = int(max(480.0, 2 * (reach + _MARGIN)))
    legend, legend_bottom = _legend_marks(groups, width)
    note_room = 24 if left_nodes else 0
    height = int(legend_bottom + 2 * (rise + _MARGIN) + note_room)
    cx, cy = width / 2, legend_bottom + rise + _MARGIN

    body = [_title_text(title, width), *legend, '<g class="edges">']
    for edge in drawn:
        body.append(_edge(edge, where[edge.source], where[edge.target], cx, cy,
                          labelled=len(drawn) <= EDGE_LABELS_UP_TO))
    body += ["</g>", '<g class="nodes">']
    for spot in placed:
        body.append(_node(spot, style[spot.node.group], cx, cy))
    body.append("</g>")
    if left_nodes:
        body.append(
            f'<text class="left-out" x="{_MARGIN}" y="{_c(height - 8)}">'
            f"{_esc(_left_out(left_nodes, left_edges))}</text>"
        )
    return _svg(width, height, title, _desc(shown, groups, len(drawn), left_nodes, left_edges),
                body)


def _left_out(nodes: int, edges: int) -> str:
    return (f"{_plural(nodes, 'more node')} and {_plural(edges, 'edge')} not drawn:"
            " see the lists below.")


def _desc(shown: Sequence[NetworkNode], groups: Sequence[str], edges: int, left_nodes: int,
          left_edges: int) -> str:
    counts = [f"{sum(n.group == g for n in shown)} {g}" for g in groups
              if any(n.group == g for n in shown)]
    text = (f"Graph of {_plural(len(shown), 'node')} ({', '.join(counts) or 'none'}) and "
            f"{_plural(edges, 'edge')}, in rings around the centre.")
    if left_nodes:
        text += " " + _left_out(left_nodes, left_edges)
    return text


def _shape(index: int, x: float, y: float, r: float, colour: str) -> str:
    """Each group has its own shape as well as colour: colour alone must not carry meaning."""
    stroke = f' fill="{colour}" stroke="{BACKGROUND}" stroke-width="1.5"'
    if index == 1:
        return f'<circle cx="{_c(x)}" cy="{_c(y)}" r="{_c(r)}"{stroke}/>'
    if index == 0:
        side = 2 * r * 0.85
        return (f'<rect x="{_c(x - side / 2)}" y="{_c(y - side / 2)}" width="{_c(side)}"'
                f' height="{_c(side)}"{stroke}/>')
    corners = {2: (4, 0.0), 3: (3, -math.pi / 2), 4: (6, 0.0), 5: (5, -math.pi / 2)}
    count, start = corners.get(index, (4, 0.0))
    points = " ".join(
        f"{_c(x + r * 1.15 * math.cos(start + 2 * math.pi * k / count))},"
        f"{_c(y + r * 1.15 * math.sin(start + 2 * math.pi * k / count))}"
        for k in range(count)
    )
    return f'<polygon points="{points}"{stroke}/>'


def _node(spot: Placed, index: int, cx: float, cy: float) -> str:
    node = spot.node
    radius = _CENTRE_RADIUS if spot.radius == 0 else _NODE_RADIUS
    x, y = cx + spot.x, cy + spot.y
    label = _one_line(node.label, LABEL_CHARS)
    if spot.radius == 0:
        lx, ly, anchor = x, y + radius + TICK_FONT_SIZE + 4, "middle"
    else:
        cos, sin = math.cos(spot.angle), math.sin(spot.angle)
        gap = radius + 5
        lx, ly = x + gap * cos, y + gap * sin + TICK_FONT_SIZE * (0.35 + 0.5 * sin)
        anchor = "start" if cos > 0.2 else "end" if cos < -0.2 else "middle"
    return (
        f'<g class="node" data-node="{_esc(node.id)}" data-group="{_esc(node.group)}">'
        f"<title>{_esc(node.tooltip or node.label)}</title>"
        f"{_shape(index, x, y, radius, PALETTE[index])}"
        f'<text x="{_c(lx)}" y="{_c(ly)}" text-anchor="{anchor}"'
        f' font-size="{TICK_FONT_SIZE}">{_esc(label)}</text></g>'
    )


def _edge(edge: NetworkEdge, a: Placed, b: Placed, cx: float, cy: float, *,
          labelled: bool) -> str:
    x1, y1, x2, y2 = cx + a.x, cy + a.y, cx + b.x, cy + b.y
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    start = _CENTRE_RADIUS if a.radius == 0 else _NODE_RADIUS
    end = (_CENTRE_RADIUS if b.radius == 0 else _NODE_RADIUS) + 2
    sx, sy, ex, ey = x1 + ux * start, y1 + uy * start, x2 - ux * end, y2 - uy * end
    strength = min(1.0, max(0.0, edge.strength))
    dash = ' stroke-dasharray="5 4"' if edge.dashed else ""
    # The arrowhead: a small triangle whose tip touches the target's mark.
    bx, by = ex - ux * _ARROW, ey - uy * _ARROW
    head = (f"{_c(ex)},{_c(ey)} {_c(bx - uy * _ARROW / 2)},{_c(by + ux * _ARROW / 2)} "
            f"{_c(bx + uy * _ARROW / 2)},{_c(by - ux * _ARROW / 2)}")
    parts = [
        f'<g class="edge" data-kind="{_esc(edge.label)}">'
        f"<title>{_esc(edge.tooltip or edge.label)}</title>",
        f'<line x1="{_c(sx)}" y1="{_c(sy)}" x2="{_c(bx)}" y2="{_c(by)}" stroke="{AXIS_COLOUR}"'
        f' stroke-width="{_c(1 + 1.5 * strength)}"{dash}/>',
        f'<polygon points="{head}" fill="{AXIS_COLOUR}"/>',
    ]
    if labelled:
        parts.append(
            f'<text x="{_c((sx + ex) / 2)}" y="{_c((sy + ey) / 2 - 3)}" text-anchor="middle"'
            f' font-size="{TICK_FONT_SIZE - 1}" stroke="{BACKGROUND}" stroke-width="3"'
            f' paint-order="stroke">{_esc(_one_line(edge.label, 20))}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _legend_marks(groups: Sequence[str], width: int) -> tuple[list[str], float]:
    out = ['<g class="legend">']
    x, y = float(_MARGIN), 34.0
    for index, group in enumerate(groups):
        shown = _one_line(group, 20)
        item_width = 16 + 6 + len(shown) * FONT_SIZE * CHAR_WIDTH + 16
        if x > _MARGIN and x + item_width > width - _MARGIN:
            x, y = float(_MARGIN), y + _LEGEND_ROW
        out.append(
            f'<g class="legend-item">{_shape(index, x + 7, y + 6, 6, PALETTE[index])}'
            f'<text x="{_c(x + 20)}" y="{_c(y + 10)}">{_esc(shown)}</text></g>'
        )
        x += item_width
    out.append("</g>")
    return out, y + _LEGEND_ROW + 4
