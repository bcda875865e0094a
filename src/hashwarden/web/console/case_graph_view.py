"""The case graph document (``CaseGraphService.graph``) as the console shows it: rows and a chart.

Pure: the JSON-like document in, table rows and SVG markup out. The chart puts this case in the
centre, people on the first ring, places, series and other cases on the second and items outside;
items are drawn most-connected first, up to ``MAX_DRAWN`` nodes in all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from hashwarden.web.charts.network import NetworkEdge, NetworkNode, network

#: Legend order: also the order of shapes and colours.
GROUPS = ("case", "victim", "offender", "place", "series", "item")
#: Past this the picture stops being readable; the lists below it still have everything.
MAX_DRAWN = 60
_RING = {"case": 2, "victim": 1, "offender": 1, "place": 2, "series": 2, "item": 3}
_ORDER = {group: index for index, group in enumerate(GROUPS)}
#: What is drawn first when not everything fits: people, places and series before other cases.
_PRIORITY = {"victim": 0, "offender": 1, "place": 2, "series": 3, "case": 4, "item": 5}


@dataclass(frozen=True, slots=True)
class NodeRow:
    id: str
    type: str
    label: str
    details: str
    #: The node's page in the console, if it has one.
    href: str = ""


@dataclass(frozen=True, slots=True)
class EdgeRow:
    source: str
    target: str
    kind: str
    provenance: str
    confidence: float
    created_at: str
    suggested: bool


def short_label(node: Mapping[str, Any]) -> str:
    """An item by its file name (the full path is in the tooltip and the list)."""
    label = str(node.get("label", ""))
    return PurePath(label).name or label if node.get("type") == "item" else label


def _details(node: Mapping[str, Any]) -> str:
    kind = node.get("type")
    parts: list[str] = []
    if kind == "item":
        parts += [str(node[k]) for k in ("camera", "serial", "taken_at") if node.get(k)]
        if node.get("known"):
            parts.append("known")
    elif kind == "series":
        parts.append(f"{node.get('items', 0)} item(s)")
    elif kind in ("victim", "offender", "place"):
        if node.get("latitude") is not None:
            parts.append(f"{node['latitude']:.6f}, {node['longitude']:.6f}")
        if node.get("notes"):
            parts.append(str(node["notes"]))
    if node.get("missing"):
        parts.append("no longer in the case")
    return "; ".join(parts)


def node_rows(document: Mapping[str, Any], item_ids: Mapping[str, int]) -> list[NodeRow]:
    """Every node, grouped by type in legend order, then by label."""
    case = str(document["case"])
    rows = []
    for node in document["nodes"]:
        kind, label = str(node["type"]), str(node["label"])
        href = ""
        if kind == "item" and label in item_ids:
            href = f"/console/cases/{case}/items/{item_ids[label]}"
        elif kind == "case":
            href = f"/console/cases/{label}"
        elif kind == "place":
            href = f"/console/cases/{case}/places"
        rows.append(NodeRow(str(node["id"]), kind, label, _details(node), href))
    return sorted(rows, key=lambda r: (_ORDER.get(r.type, len(GROUPS)), r.label))


def edge_rows(document: Mapping[str, Any]) -> list[EdgeRow]:
    return [
        EdgeRow(str(e["from"]), str(e["to"]), str(e["kind"]), str(e["provenance"]),
                float(e["confidence"]), str(e["created_at"])[:19].replace("T", " "),
                str(e["provenance"]).startswith("suggested:"))
        for e in document["edges"]
    ]


def _drawing_order(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """This case first, then entities and series, then items with the most edges."""
    degree: Counter[str] = Counter()
    for edge in document["edges"]:
        degree[edge["from"]] += 1
        degree[edge["to"]] += 1
    centre = f"case:{document['case']}"

    def rank(node: Mapping[str, Any]) -> tuple[int, int, int, str]:
        kind = str(node["type"])
        first = 0 if node["id"] == centre else 2 if kind == "item" else 1
        return (first, _PRIORITY.get(kind, len(GROUPS)), -degree[node["id"]], str(node["label"]))

    return sorted(document["nodes"], key=rank)


def graph_chart(document: Mapping[str, Any]) -> tuple[str, int]:
    """The SVG, and how many nodes it leaves out."""
    centre = f"case:{document['case']}"
    nodes = [
        NetworkNode(
            id=str(node["id"]),
            label=short_label(node),
            group=str(node["type"]) if node["type"] in _ORDER else "item",
            ring=0 if node["id"] == centre else _RING.get(str(node["type"]), 3),
            tooltip=f"{node['type']} {node['label']}"
            + (f" ({details})" if (details := _details(node)) else ""),
        )
        for node in _drawing_order(document)
    ]
    edges = [
        NetworkEdge(
            source=str(e["from"]), target=str(e["to"]), label=str(e["kind"]),
            tooltip=f"{e['from']} → {e['to']}: {e['kind']}, by {e['provenance']},"
            f" confidence {float(e['confidence']):.2f}",
            dashed=str(e["provenance"]).startswith("suggested:"),
            strength=float(e["confidence"]),
        )
        for e in document["edges"]
    ]
    title = f"Case graph of {document['case']}"
    svg = network(nodes, edges, groups=GROUPS, title=title, max_nodes=MAX_DRAWN)
    return svg, max(0, len(nodes) - MAX_DRAWN)
