"""The case graph service: victims, offenders, places, edges, timelines, VICS case files."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hashwarden.cases.categories import CaseCategoryService
from hashwarden.cases.graph_models import (
    IDENTIFIED_AS,
    OFFENDER_IDENTIFIED,
    VICTIM_IDENTIFIED,
    Edge,
    Entity,
    EntityKind,
    ImportResult,
    NodeRef,
    NodeType,
    PlaceSuggestion,
)
from hashwarden.cases.grouping import SAME_PLACE_INLIERS
from hashwarden.cases.interfaces import CaseError, CaseGraphStore
from hashwarden.cases.models import Case, CaseItem, KnownMatch, LinkKind, ScannedItem, Series
from hashwarden.cases.places import PLACE_RADIUS_M, Fix, cluster_fixes, haversine_m
from hashwarden.cases.services import CASE_NAME, CaseService
from hashwarden.cases.vics_case import case_file
from hashwarden.cases.vics_case_read import read_case_file
from hashwarden.formats.vics_read import DEFAULT_PROFILE

_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")
#: VICS has one bit for "identified": an uncertain or machine-suggested edge does not set it.
IDENTIFIED_CONFIDENCE = 0.8
#: A GPS fix puts a photo within tens of metres: the same building, not yet the same room.
GPS_PLACE_CONFIDENCE = 0.6
GPS_PROVENANCE = "exif:gps"
SAME_PLACE_PROVENANCE = "suggested:same-place"


def _now() -> datetime:
    return datetime.now(UTC)


def _gps(item: CaseItem) -> tuple[float, float] | None:
    """A fix that can go on a map: both hemispheres known (unsigned ones are never guessed)."""
    gps = item.item.exif.get("gps")
    if not isinstance(gps, dict) or gps.get("hemisphere_known") is not True:
        return None
    lat, lon = gps.get("latitude"), gps.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    return None


class CaseGraphService:
    def __init__(self, cases: CaseService, store: CaseGraphStore,
                 clock: Callable[[], datetime] = _now, *,
                 categories: CaseCategoryService | None = None,
                 match: Callable[[Sequence[ScannedItem]], list[KnownMatch | None]] | None = None,
                 ) -> None:
        self.cases = cases
        self.store = store
        self.clock = clock
        #: Categories go into exports when given.
        self.categories = categories
        #: Imported items are matched against the lists when given, as scanned ones are.
        self.match = match

    # ------------------------------------------------------------------------- entities

    def add_entity(self, case: Case, kind: EntityKind, label: str, actor: str, notes: str = "",
                   latitude: float | None = None, longitude: float | None = None) -> Entity:
        label = label.strip()
        if not label or len(label) > 200:
            raise CaseError(f"a {kind.value} needs a label of 1 to 200 characters")
        if (latitude is None) != (longitude is None):
            raise CaseError("give both latitude and longitude, or neither")
        if latitude is not None and longitude is not None:
            if kind is not EntityKind.PLACE:
                raise CaseError("only places have coordinates")
            if not (math.isfinite(latitude) and -90 <= latitude <= 90
                    and math.isfinite(longitude) and -180 <= longitude <= 180):
                raise CaseError("latitude must be within -90..90 and longitude -180..180")
        return self.store.add_entity(case.id, kind, label, notes, actor, self.clock(),
                                     latitude, longitude)

    def entities(self, case: Case, kind: EntityKind | None = None) -> list[Entity]:
        return self.store.entities(case.id, kind)

    # ---------------------------------------------------------------------------- edges

    def resolve(self, case: Case, reference: str) -> NodeRef:
        """The node ``TYPE:NAME`` names: ``item:PATH``, ``series:NAME``, ``victim:LABEL``..."""
        prefix, _, key = reference.partition(":")
        try:
            node_type = NodeType(prefix)
        except ValueError:
            raise CaseError(
                f"{reference[:80]!r}: write TYPE:NAME, TYPE one of "
                + ", ".join(t.value for t in NodeType)
            ) from None
        found: str | None = None
        if node_type is NodeType.ITEM:
            found = key if any(i.path == key for i in self.cases.items(case)) else None
        elif node_type is NodeType.SERIES:
            found = next((str(s.id) for s in self.cases.series(case) if s.name == key), None)
        elif node_type is NodeType.CASE:
            found = next((str(c.id) for c in self.cases.cases() if c.name == key), None)
        else:
            found = next((str(e.id) for e in self.entities(case, EntityKind(node_type.value))
                          if e.label == key), None)
        if found is None:
            raise CaseError(f"case {case.name!r} has no {node_type.value} {key[:200]!r}")
        return NodeRef(node_type, found)

    def link(self, case: Case, source: str, target: str, kind: str, provenance: str,
             confidence: float = 1.0) -> Edge:
        if not _KIND.match(kind):
            raise CaseError(f"edge kind {kind[:60]!r}: lower-case letters, digits, '_' or '-'")
        if not (math.isfinite(confidence) and 0.0 <= confidence <= 1.0):
            raise CaseError("confidence must be between 0 and 1")
        a, b = self.resolve(case, source), self.resolve(case, target)
        if a == b:
            raise CaseError("an edge needs two different ends")
        edge = Edge(a, b, kind, provenance[:200], confidence, self.clock())
        self.store.save_edges(case.id, [edge])
        return edge

    def identified(self, case: Case) -> dict[int, tuple[bool, bool]]:
        """Item id -> (victim identified, offender identified), as VICS flags them: from the
        import's flags, or an investigator's confident ``identified_as`` edge to a victim or
        offender, on the item or on a series holding it."""
        marked: dict[NodeRef, list[bool]] = {}
        for edge in self.store.edges(case.id):
            if edge.suggested or edge.confidence < IDENTIFIED_CONFIDENCE:
                continue
            if edge.kind in (VICTIM_IDENTIFIED, OFFENDER_IDENTIFIED):
                marked.setdefault(edge.source, [False, False])[
                    edge.kind == OFFENDER_IDENTIFIED] = True
            elif edge.kind == IDENTIFIED_AS:
                for one, other in ((edge.source, edge.target), (edge.target, edge.source)):
                    if other.type in (NodeType.VICTIM, NodeType.OFFENDER):
                        marked.setdefault(one, [False, False])[
                            other.type is NodeType.OFFENDER] = True
        flags: dict[int, tuple[bool, bool]] = {}
        series_of = self._series_of(case)
        for item in self.cases.items(case):
            nodes = [NodeRef(NodeType.ITEM, item.path)] + [
                NodeRef(NodeType.SERIES, str(s)) for s, _ in series_of.get(item.id, ())]
            found = [marked.get(node, [False, False]) for node in nodes]
            victim, offender = any(f[0] for f in found), any(f[1] for f in found)
            if victim or offender:
                flags[item.id] = (victim, offender)
        return flags

    def _series_of(self, case: Case) -> dict[int, list[tuple[int, str]]]:
        found: dict[int, list[tuple[int, str]]] = {}
        for series in self.cases.series(case):
            for item_id in series.item_ids:
                found.setdefault(item_id, []).append((series.id, series.name))
        return found

    # ---------------------------------------------------------------------------- views

    def graph(self, case: Case, *, all_items: bool = False,
              suggestions: bool = False) -> dict[str, Any]:
        """Nodes and edges (with provenance and confidence) as one JSON document. Items appear
        when an edge or a series holds them, or with ``all_items``."""
        items = {i.path: i for i in self.cases.items(case)}
        by_id = {i.id: i for i in items.values()}
        cases = {str(c.id): c for c in self.cases.cases()}
        series = {str(s.id): s for s in self.cases.series(case)}
        entities = {str(e.id): e for e in self.entities(case)}
        edges = [self._member_edge(by_id[i], s) for s in series.values()
                 for i in s.item_ids if i in by_id]
        edges += self.store.edges(case.id)
        if suggestions:
            edges += [
                Edge(NodeRef(NodeType.ITEM, link.a), NodeRef(NodeType.ITEM, link.b),
                     "same_place", SAME_PLACE_PROVENANCE,
                     round(min(1.0, link.score / (2 * SAME_PLACE_INLIERS)), 3), self.clock())
                for link in self.cases.links(case, [LinkKind.SAME_PLACE])
            ]

        def node(ref: NodeRef) -> dict[str, Any]:
            record: dict[str, Any] = {"type": ref.type.value}
            if ref.type is NodeType.ITEM and ref.key in items:
                record |= {"label": ref.key, **_item_facts(items[ref.key])}
            elif ref.type is NodeType.SERIES and ref.key in series:
                found = series[ref.key]
                record |= {"label": found.name, "items": len(found.item_ids),
                           "created_by": found.created_by}
            elif ref.type is NodeType.CASE and ref.key in cases:
                record["label"] = cases[ref.key].name
            elif ref.key in entities:
                entity = entities[ref.key]
                record |= {"label": entity.label, "notes": entity.notes,
                           "created_by": entity.created_by}
                if entity.latitude is not None:
                    record |= {"latitude": entity.latitude, "longitude": entity.longitude}
            else:
                record |= {"label": "?" + ref.key, "missing": True}
            return {"id": f"{ref.type.value}:{record['label']}", **record}

        refs = [NodeRef(NodeType.CASE, str(case.id))]
        refs += [NodeRef(NodeType.SERIES, key) for key in series]
        refs += [e.node for e in entities.values()]
        refs += [NodeRef(NodeType.ITEM, path) for path in items] if all_items else []
        refs += [end for edge in edges for end in (edge.source, edge.target)]
        nodes = {ref: node(ref) for ref in dict.fromkeys(refs)}
        return {
            "case": case.name,
            "nodes": list(nodes.values()),
            "edges": [
                {"from": nodes[e.source]["id"], "to": nodes[e.target]["id"], "kind": e.kind,
                 "provenance": e.provenance, "confidence": e.confidence,
                 "created_at": e.created_at.isoformat()}
                for e in edges
            ],
        }

    @staticmethod
    def _member_edge(item: CaseItem, series: Series) -> Edge:
        return Edge(NodeRef(NodeType.ITEM, item.path), NodeRef(NodeType.SERIES, str(series.id)),
                    "member_of", series.created_by, 1.0, series.created_at)

    def timeline(self, case: Case) -> list[dict[str, Any]]:
        """Items with an EXIF capture time, in the order the cameras' clocks give."""
        places = {str(e.id): e.label for e in self.entities(case, EntityKind.PLACE)}
        taken_at: dict[str, list[str]] = {}
        for edge in self.store.edges(case.id):
            if (edge.source.type is NodeType.ITEM and edge.target.type is NodeType.PLACE
                    and edge.target.key in places):
                taken_at.setdefault(edge.source.key, []).append(places[edge.target.key])
        series_of = self._series_of(case)
        rows: list[tuple[datetime, str, dict[str, Any]]] = []
        for item in self.cases.items(case):
            raw = item.item.exif.get("taken_at")
            try:
                moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
            except ValueError:
                moment = None
            if moment is None:
                continue
            facts = _item_facts(item)
            facts.pop("taken_at", None)
            record = {"taken_at": raw, "path": item.path, **facts}
            record["series"] = sorted(name for _, name in series_of.get(item.id, ()))
            record["places"] = sorted(taken_at.get(item.path, ()))
            # EXIF times are camera-local and most files carry no offset: order by the clock
            # as the camera showed it, which is what an investigator reads off the pictures.
            rows.append((moment.replace(tzinfo=None), item.path, record))
        return [record for _, _, record in sorted(rows, key=lambda r: (r[0], r[1]))]

    # --------------------------------------------------------------------------- places

    def place_suggestions(self, case: Case,
                          radius_m: float = PLACE_RADIUS_M) -> list[PlaceSuggestion]:
        fixes = [Fix(i.path, *gps) for i in self.cases.items(case) if (gps := _gps(i))]
        places = [p for p in self.entities(case, EntityKind.PLACE) if p.latitude is not None]
        found = []
        for cluster in cluster_fixes(fixes, radius_m):
            near = sorted(
                (haversine_m(cluster.latitude, cluster.longitude, p.latitude or 0.0,
                             p.longitude or 0.0), p.label) for p in places
            )
            label = near[0][1] if near and near[0][0] <= radius_m else None
            found.append(PlaceSuggestion(cluster.latitude, cluster.longitude, cluster.radius_m,
                                         cluster.paths, label))
        return found

    def accept_places(self, case: Case, suggestions: Sequence[PlaceSuggestion],
                      actor: str) -> list[PlaceSuggestion]:
        """Create a place for each suggestion without one and link its items (``taken_at``)."""
        labels = {p.label: p for p in self.entities(case, EntityKind.PLACE)}
        accepted: list[PlaceSuggestion] = []
        edges: list[Edge] = []
        number = 0
        for suggestion in suggestions:
            if suggestion.place is None:
                number += 1
                while f"gps-{number}" in labels:
                    number += 1
                place = self.add_entity(
                    case, EntityKind.PLACE, f"gps-{number}", actor,
                    f"suggested from the EXIF GPS of {len(suggestion.paths)} item(s)",
                    round(suggestion.latitude, 7), round(suggestion.longitude, 7))
                labels[place.label] = place
                suggestion = PlaceSuggestion(suggestion.latitude, suggestion.longitude,
                                             suggestion.radius_m, suggestion.paths, place.label)
            place = labels[suggestion.place or ""]
            edges += [Edge(NodeRef(NodeType.ITEM, path), place.node, "taken_at", GPS_PROVENANCE,
                           GPS_PLACE_CONFIDENCE, self.clock()) for path in suggestion.paths]
            accepted.append(suggestion)
        self.store.save_edges(case.id, edges)
        return accepted

    # ------------------------------------------------------------------------ VICS files

    def export(self, case: Case, profile: str = DEFAULT_PROFILE) -> dict[str, Any]:
        """The case as a VICS 2.0 case file (a JSON document)."""
        series_of = {item: [name for _, name in names]
                     for item, names in self._series_of(case).items()}
        categories = self.categories.effective(case) if self.categories else {}
        return case_file(case, self.cases.items(case), series_of, self.identified(case),
                         self.store.other_hashes(case.id), profile, categories)

    def import_file(self, name: str, text: str, actor: str, source: str) -> ImportResult:
        """Read a VICS file into case ``name`` (created when missing); all or nothing."""
        items = read_case_file(text)  # every problem is found before the database is touched
        known = 0
        if self.match is not None:
            matches = self.match([imported.item for imported in items])
            items = [replace(imported, item=replace(imported.item, known=match))
                     for imported, match in zip(items, matches, strict=True)]
            known = sum(match is not None for match in matches)
        case = self.cases.store.get_case(name)
        if case is None and not CASE_NAME.match(name):
            raise CaseError(
                f"case name {name[:40]!r}: letters, digits, '.', '_' and '-', at most 100"
            )
        result = self.store.import_items(
            case.id if case else None,
            None if case else (name, f"imported from VICS file {source[:200]}"),
            items, actor, f"vics:{source}"[:200], self.clock(),
        )
        self.cases.restack(self.cases.get(name))
        return replace(result, known=known)


def _item_facts(item: CaseItem) -> dict[str, Any]:
    facts: dict[str, Any] = {"media_type": item.item.media_type, "stack": item.stack_id,
                             "known": item.item.known is not None}
    exif = item.item.exif
    camera = " ".join(str(exif[k]) for k in ("make", "model") if exif.get(k)).strip()
    if camera:
        facts["camera"] = camera
    if exif.get("serial"):
        facts["serial"] = exif["serial"]
    if exif.get("taken_at"):
        facts["taken_at"] = exif["taken_at"]
    if isinstance(exif.get("gps"), dict):
        facts["gps"] = exif["gps"]
    return facts
