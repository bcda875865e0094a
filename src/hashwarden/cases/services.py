"""The case service: create cases, take in scanned items, stack near-duplicates, find links."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from hashwarden.cases.grouping import (
    SAME_PLACE_INLIERS,
    Pair,
    matching_pictures,
    near_duplicate_pairs,
    stacks,
)
from hashwarden.cases.interfaces import CaseError, CaseStore
from hashwarden.cases.known import best_known
from hashwarden.cases.linking import (
    LINK_CHUNK,
    LinkProgress,
    PlaceIndex,
    place_index,
    touching,
    verified_pairs,
)
from hashwarden.cases.models import (
    Case,
    CaseItem,
    CaseSummary,
    Link,
    LinkKind,
    ScannedItem,
    Series,
    Sighting,
)
from hashwarden.cases.tracing import Box, TraceHit, load_picture, region_of, trace
from hashwarden.core.matching.models import MatchOutcome
from hashwarden.core.media.models import MediaHashes
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.signals.vpdq import serialise

CASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def _now() -> datetime:
    return datetime.now(UTC)


def scanned_item(hashes: MediaHashes, outcome: MatchOutcome | None) -> ScannedItem:
    """A scan's result for one file as a case item: hashes, EXIF, features, best list hit."""
    vpdq = None
    if hashes.vpdq is not None and hashes.vpdq.frames:
        vpdq = serialise([(f.hash, f.quality, f.timestamp) for f in hashes.vpdq.frames])
    return ScannedItem(
        path=hashes.source,
        media_type=hashes.media_type,
        size=hashes.size,
        md5=hashes.md5,
        sha1=hashes.sha1,
        sha256=hashes.sha256,
        pdq=hashes.pdq.hex if hashes.pdq is not None else None,
        pdq_quality=hashes.pdq.quality if hashes.pdq is not None else 0,
        vpdq=vpdq,
        features=hashes.orb,
        exif=hashes.exif.as_json() if hashes.exif is not None else {},
        known=best_known(outcome),
    )


class CaseService:
    def __init__(self, store: CaseStore, clock: Callable[[], datetime] = _now,
                 feature_index: Callable[[], FeatureIndex] = FeatureIndex) -> None:
        self.store = store
        self.clock = clock
        #: Makes the same-place index; a seam for counting its queries.
        self.feature_index = feature_index

    def create(self, name: str, description: str = "") -> Case:
        if not CASE_NAME.match(name):
            raise CaseError(
                f"case name {name[:40]!r}: letters, digits, '.', '_' and '-', at most 100"
            )
        if self.store.get_case(name) is not None:
            raise CaseError(f"a case named {name!r} exists already")
        return self.store.create_case(name, description, self.clock())

    def get(self, name: str) -> Case:
        case = self.store.get_case(name)
        if case is None:
            raise CaseError(f"no case named {name!r}")
        return case

    def cases(self) -> list[Case]:
        return self.store.cases()

    def take_in(self, case: Case, items: Sequence[ScannedItem]) -> None:
        self.store.save_items(case.id, items, self.clock())

    def items(self, case: Case) -> list[CaseItem]:
        return list(self.store.items(case.id))

    def item(self, case: Case, path: str) -> CaseItem | None:
        return self.store.item(case.id, path)

    def count(self, case: Case) -> int:
        """How many items the case has, without loading them."""
        return self.store.count_items(case.id)

    def restack(self, case: Case, progress: LinkProgress | None = None) -> list[CaseItem]:
        """Group near-duplicates into stacks and link the items not linked yet (after every
        scan or import); returns the updated items."""
        items = self.items(case)
        near = near_duplicate_pairs([i.item for i in items])
        groups = stacks(len(items), near)
        stack_of = {
            items[pos].id: items[root].id
            for pos, root in enumerate(groups)
            if items[pos].item.media_type != "other"  # an archive or a document: not a picture
        }
        self.store.set_stacks(case.id, stack_of)
        self._link(case, items, near, progress)
        return self.items(case)

    def link(self, case: Case, progress: LinkProgress | None = None) -> int:
        """Store the links of the items not linked yet; returns how many items were linked."""
        items = self.items(case)
        return self._link(case, items, near_duplicate_pairs([i.item for i in items]), progress)

    def forget_links(self, case: Case) -> None:
        """Forget the case's links: the next ``restack`` or ``link`` computes them all again."""
        self.store.forget_links(case.id)

    def _link(self, case: Case, items: Sequence[CaseItem], near: Sequence[Pair],
              progress: LinkProgress | None) -> int:  # fmt: skip
        position = {item.id: pos for pos, item in enumerate(items)}
        # An item saved since ``items`` was read waits for the next linking.
        pending = [position[i] for i in self.store.unlinked(case.id) if i in position]
        if not pending:
            return 0
        scanned = [i.item for i in items]
        place = None
        if any(scanned[p].features is not None for p in pending):  # an import brings none
            place = place_index(scanned, self.feature_index)
        near_of = touching(near, pending)
        if progress is not None:
            progress(0, len(pending))
        for start in range(0, len(pending), LINK_CHUNK):
            chunk = pending[start:start + LINK_CHUNK]
            pairs = {(p.a, p.b): p.score for position in chunk for p in near_of[position]}
            found = [Link(scanned[a].path, scanned[b].path, LinkKind.NEAR_DUPLICATE, score)
                     for (a, b), score in pairs.items()]  # fmt: skip
            if place is not None:
                found += self._place_links(case, scanned, place, chunk)
            self.store.save_links(case.id, [items[p].id for p in chunk], found, self.clock())
            if progress is not None:
                progress(start + len(chunk), len(pending))
        return len(pending)

    def _place_links(self, case: Case, scanned: Sequence[ScannedItem],
                     place: PlaceIndex, chunk: Sequence[int]) -> list[Link]:  # fmt: skip
        # A pair found already from its other end (an earlier chunk, a killed run) keeps the
        # better verification of the two, as the whole-case computation does.
        stored = {
            frozenset((link.a, link.b)): link.score
            for link in self.store.links(case.id, LinkKind.SAME_PLACE, apart=False,
                                         paths=[scanned[p].path for p in chunk])
        }
        links = []
        for (a, b), matched in verified_pairs(place, chunk).items():
            ends = (scanned[a].path, scanned[b].path)
            score = max(float(matched), stored.get(frozenset(ends), 0.0))
            if score >= SAME_PLACE_INLIERS:
                links.append(Link(*ends, LinkKind.SAME_PLACE, score))
        return links

    def summary(self, case: Case) -> CaseSummary:
        items = self.items(case)
        kinds = Counter(i.item.media_type for i in items)
        known_stacks = {i.stack_id for i in items if i.item.known is not None}
        cameras = Counter(
            " ".join(str(i.item.exif.get(k, "")) for k in ("make", "model")).strip() or "unknown"
            for i in items if i.item.media_type == "image"
        )
        return CaseSummary(
            case=case,
            items=len(items),
            images=kinds["image"],
            videos=kinds["video"],
            other=len(items) - kinds["image"] - kinds["video"],
            known=sum(i.item.known is not None for i in items),
            stacks=len({i.stack_id for i in items if i.stack_id is not None}),
            new=sum(i.item.media_type != "other" and i.stack_id not in known_stacks
                    for i in items),
            with_gps=sum("gps" in i.item.exif for i in items),
            cameras=dict(cameras.most_common()),
        )

    def create_series(self, case: Case, name: str, paths: Sequence[str], actor: str) -> Series:
        """A series of the items at ``paths`` and everything stacked with them."""
        items = self.items(case)
        by_path = {item.path: item for item in items}
        missing = [path for path in paths if path not in by_path]
        if missing:
            raise CaseError(f"not items of case {case.name!r}: {', '.join(missing[:5])}")
        if not name.strip():
            raise CaseError("a series needs a name")
        stacks_wanted = {by_path[p].stack_id for p in paths} - {None}
        chosen = {by_path[p].id for p in paths} | {
            item.id for item in items if item.stack_id in stacks_wanted
        }
        return self.store.create_series(case.id, name.strip(), actor, self.clock(), sorted(chosen))

    def series(self, case: Case) -> list[Series]:
        return self.store.series(case.id)

    def suggest_series(self, case: Case) -> list[list[str]]:
        """Groups of items that same-place links join (two stacks or more), largest first."""
        items = self.items(case)
        position = {item.path: pos for pos, item in enumerate(items)}
        links = list(self.links(case, [LinkKind.SAME_PLACE]))
        pairs = [Pair(position[link.a], position[link.b], link.score) for link in links]
        joined = stacks(len(items), pairs)
        groups: dict[int, list[str]] = {}
        for link in links:
            for path in (link.a, link.b):
                members = groups.setdefault(joined[position[path]], [])
                if path not in members:
                    members.append(path)
        return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g))

    def sightings(self, case: Case) -> list[Sighting]:
        """Series of earlier cases that this case's pictures belong to: is the series known?"""
        here = self.store.pictures(case.id)
        if not here:
            return []
        members = self.store.series_pictures(case.id)
        # One index over the members of every series, searched once with this case's pictures.
        # Members come by series, then item: each series' matches stay in (here, there) order.
        matched: dict[int, list[tuple[str, str, int]]] = {}
        for a, b, bits in matching_pictures(here, [m.picture for m in members]):
            there = members[b]
            matched.setdefault(there.series_id, []).append((here[a].path, there.picture.path, bits))
        names = {m.series_id: (m.case_name, m.series_name) for m in members}
        return [Sighting(*names[s], tuple(matched[s])) for s in names if s in matched]

    def trace(self, case: Case, path: str, box: Box, data: bytes) -> list[TraceHit]:
        """Every picture of every case that shows the object in ``box`` of ``path`` (whose
        bytes are ``data``)."""
        if self.item(case, path) is None:
            raise CaseError(f"{path!r} is not an item of case {case.name!r}")
        region = region_of(load_picture(data, path), box)
        everything = [(c.name, item) for c in self.cases() for item in self.items(c)]
        return [hit for hit in trace(region, everything)
                if not (hit.case_name == case.name and hit.path == path)]

    def links(self, case: Case, kinds: Sequence[LinkKind] = tuple(LinkKind)) -> Iterator[Link]:
        """Near-duplicate links (closest first), then same-place links between items of
        different stacks (most verified pairs first), as stored after the scans."""
        for kind in LinkKind:
            if kind in kinds:
                yield from self.store.links(case.id, kind)

    def item_links(self, case: Case, path: str) -> list[Link]:
        """The links of one item, found from either end, in the order of ``links``."""
        return [link for kind in LinkKind for link in self.store.links(case.id, kind, paths=[path])]

    def link_count(self, case: Case, kinds: Sequence[LinkKind]) -> int:
        return sum(self.store.count_links(case.id, kind) for kind in kinds)

    def link_page(self, case: Case, kinds: Sequence[LinkKind], offset: int,
                  limit: int) -> tuple[int, list[Link]]:  # fmt: skip
        """(total, links) of a page: same-place first, as near-duplicates are stacks already."""
        total = 0
        found: list[Link] = []
        for kind in (LinkKind.SAME_PLACE, LinkKind.NEAR_DUPLICATE):
            if kind not in kinds:
                continue
            count = self.store.count_links(case.id, kind)
            start, wanted = max(0, offset - total), limit - len(found)
            if wanted > 0 and start < count:
                found += self.store.links(case.id, kind, offset=start, limit=wanted)
            total += count
        return total, found
