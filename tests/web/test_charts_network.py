"""The ring-layout graph and the latitude/longitude plane: layout, caps, escaping, validation."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest

from hashwarden.web.charts.geo import GeoPoint, geo_scatter
from hashwarden.web.charts.network import NetworkEdge, NetworkNode, network, ring_layout
from hashwarden.web.console.case_graph_view import GROUPS, MAX_DRAWN, graph_chart, node_rows

SVG = "{http://www.w3.org/2000/svg}"


def _nodes(count: int) -> list[NetworkNode]:
    return [NetworkNode("case:c", "c", "case", 0)] + [
        NetworkNode(f"item:{n}", f"<i{n}>", "item", 3) for n in range(count)
    ]


def test_rings_are_concentric_evenly_spaced_and_wide_enough() -> None:
    nodes = [*_nodes(100), NetworkNode("victim:V1", "V1", "victim", 1)]
    placed, outer = ring_layout(nodes)
    centre, *items, victim = placed
    assert (centre.x, centre.y) == (0.0, 0.0)
    # The empty ring 2 takes no room; ring 1 is one step out, the items' ring as wide as needed.
    assert math.hypot(victim.x, victim.y) == pytest.approx(120)
    assert outer == pytest.approx(max(240, 100 * 30 / (2 * math.pi)))
    assert all(math.hypot(p.x, p.y) == pytest.approx(outer) for p in items)
    gaps = {round(math.dist((a.x, a.y), (b.x, b.y)), 6) for a, b in itertools.pairwise(items)}
    assert len(gaps) == 1 and gaps.pop() >= 29.9


def test_the_chart_caps_nodes_says_so_and_is_deterministic() -> None:
    nodes = _nodes(30)
    edges = [NetworkEdge(f"item:{n}", "case:c", "in", dashed=n % 2 == 0, strength=0.5)
             for n in range(30)]  # fmt: skip
    svg = network(nodes, edges, groups=("case", "item"), title="A & B", max_nodes=11)
    assert svg == network(nodes, edges, groups=("case", "item"), title="A & B", max_nodes=11)
    root = ET.fromstring(svg)  # well-formed XML, labels escaped
    drawn = root.findall(f".//{SVG}g[@class='node']")
    assert len(drawn) == 11
    assert len(root.findall(f".//{SVG}g[@class='edge']")) == 10
    assert "20 more nodes and 20 edges not drawn" in svg
    assert root.find(f"{SVG}title").text == "A & B"  # type: ignore[union-attr]
    assert "&lt;i0&gt;" in svg and "<i0>" not in svg
    assert svg.count('stroke-dasharray="5 4"') == 5
    with pytest.raises(ValueError, match="groups not in the legend"):
        network(nodes, edges, groups=("case",), title="t")
    with pytest.raises(ValueError, match="non-blank"):
        network(nodes, edges, groups=("case", "item"), title=" ")


def test_the_case_graph_document_draws_this_case_in_the_centre() -> None:
    document = {
        "case": "c", "edges": [
            {"from": "item:/a/1.jpg", "to": "victim:V1", "kind": "depicts",
             "provenance": "staff:ivy", "confidence": 0.9, "created_at": "2024-01-01T00:00:00"},
        ], "nodes": [
            {"id": "item:/a/1.jpg", "type": "item", "label": "/a/1.jpg", "camera": "Canon"},
            {"id": "victim:V1", "type": "victim", "label": "V1", "notes": "n"},
            {"id": "case:c", "type": "case", "label": "c"},
            {"id": "case:other", "type": "case", "label": "other"},
        ] + [{"id": f"item:/b/{n}", "type": "item", "label": f"/b/{n}"} for n in range(70)],
    }  # fmt: skip
    svg, left_out = graph_chart(document)
    assert left_out == 74 - MAX_DRAWN
    nodes = re.findall(r'data-node="([^"]+)"', svg)
    # The centre first, then entities and other cases, then the item that has an edge.
    assert nodes[:4] == ["case:c", "victim:V1", "case:other", "item:/a/1.jpg"]
    assert ">1.jpg</text>" in svg and "item /a/1.jpg (Canon)" in svg
    rows = node_rows(document, {"/a/1.jpg": 5})
    assert [r.type for r in rows[:3]] == ["case", "case", "victim"]
    assert next(r for r in rows if r.label == "/a/1.jpg").href == "/console/cases/c/items/5"
    assert GROUPS[0] == "case"


def test_points_keep_their_distances_and_cross_the_antimeridian() -> None:
    svg = geo_scatter([GeoPoint("east", -16.0, 179.999, "place"),
                       GeoPoint("west", -16.0, -179.999, "place")],
                      groups=("place",), title="Fiji")  # fmt: skip
    circles = [(float(c.get("cx", "")), float(c.get("cy", "")))
               for c in ET.fromstring(svg).iter(f"{SVG}circle")]  # fmt: skip
    # ~200 m apart, so both are near the middle, not at opposite ends of the world.
    assert abs(circles[0][0] - circles[1][0]) < 300 and circles[0][1] == circles[1][1]
    assert "No data" in geo_scatter([], groups=("place",), title="none")
    with pytest.raises(ValueError, match="WGS 84"):
        geo_scatter([GeoPoint("x", 91, 0, "place")], groups=("place",), title="t")
