"""Matching media and bare signals against every list: thresholds, variants, allow lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.lists.interfaces import SignalDelta
from hashwarden.core.lists.models import Entry, HashList, ListKind
from hashwarden.core.matching.models import Hit, MatchOutcome
from hashwarden.core.matching.signal_index import RawHit, SignalIndex
from hashwarden.core.media.models import MediaHashes, Variant
from hashwarden.core.signals.orb import ORB
from hashwarden.core.signals.pdq import PDQ, PDQ_MIN_QUALITY
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry
from hashwarden.core.signals.vpdq import VPDQ, VPDQ_MIN_QUALITY, serialise, usable_hashes


class MatchSource(Protocol):
    """The part of a list store the matcher reads."""

    def all_lists(self) -> list[HashList]: ...
    def signal_changes_since(self, cursor: int) -> SignalDelta: ...
    def latest_signal_cursor(self) -> int: ...
    def get_entries(self, entry_ids: Sequence[int]) -> dict[int, Entry]: ...


@dataclass(frozen=True, slots=True)
class _Query:
    """One value to look up, tagged with the item it belongs to."""

    item: int
    signal_type: str
    value: str
    variant: str = Variant.ORIGINAL


#: Canonical signal values by type, as ``Matcher.parse_signals`` returns them.
ParsedSignals = Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class PendingChanges:
    lists: list[HashList]
    deltas: list[SignalDelta]
    cursor: int


class Matcher:
    """Holds the index; ``refresh`` follows the store, ``match_*`` answer queries."""

    def __init__(
        self,
        source: MatchSource,
        signals: SignalRegistry = SIGNALS,
        index: SignalIndex | None = None,
    ) -> None:
        """Match against ``index`` (default: a new, empty one), brought up to date first."""
        self._source = source
        self._signals = signals
        self.index = index if index is not None else SignalIndex(signals)
        self._lists: dict[str, HashList] = {}
        self.refresh()

    def refresh(self) -> int:
        """Pull list settings and signal changes; returns the number of signal changes applied."""
        return self.apply(self.pending())

    def pending(self, since: int | None = None) -> PendingChanges:
        """Read what changed since ``since`` (default: the index's cursor), without applying it.

        Servers call this outside their index lock and ``apply`` inside it, so matches never
        wait for the database.
        """
        lists = self._source.all_lists()
        deltas: list[SignalDelta] = []
        cursor = self.index.cursor if since is None else since
        while True:
            delta = self._source.signal_changes_since(cursor)
            cursor = max(cursor, delta.cursor)
            if not delta.added and not delta.removed_signal_ids:
                return PendingChanges(lists, deltas, cursor)
            deltas.append(delta)

    def apply(self, pending: PendingChanges, index: SignalIndex | None = None) -> int:
        """Apply what ``pending`` read to ``index`` (default: the matcher's own).

        Returns the number of signal changes applied.
        """
        target = self.index if index is None else index
        if index is None:
            self._lists = {hash_list.name: hash_list for hash_list in pending.lists}
        applied = 0
        for delta in pending.deltas:
            target.apply(delta)
            applied += len(delta.added) + len(delta.removed_signal_ids)
        target.cursor = max(target.cursor, pending.cursor)
        return applied

    @property
    def lists(self) -> dict[str, HashList]:
        return dict(self._lists)

    def match_media(self, items: Sequence[MediaHashes], lists: Sequence[str] | None = None,
                    ) -> list[MatchOutcome]:
        outcomes = [MatchOutcome() for _ in items]
        queries: list[_Query] = []
        for i, media in enumerate(items):
            for signal in media.exact_signals():
                queries.append(_Query(i, signal.type, signal.value))
            queries.extend(self._pdq_queries(i, media, outcomes[i]))
            queries.extend(self._video_queries(i, media, outcomes[i]))
            if media.orb is not None:
                queries.append(_Query(i, ORB.name, media.orb, Variant.FEATURES))
        return self._run(queries, outcomes, lists)

    def match_signals(self, signals: Mapping[str, Sequence[str]],
                      lists: Sequence[str] | None = None) -> MatchOutcome:
        """Match bare signal values (already canonical) as one item."""
        return self.match_parsed([self.parse_signals(signals)], lists)[0]

    def parse_signals(self, signals: Mapping[str, Sequence[str]]) -> ParsedSignals:
        """Canonical values per registered type; raises ``InvalidSignalError`` on a bad one."""
        parsed: dict[str, list[str]] = {}
        for type_name, values in signals.items():
            signal_type = self._signals.get(type_name)
            if not signal_type.shareable:
                # Local features are computed from uploads here; taking them as bare values
                # would invite costly lookups with forged ones.
                raise InvalidSignalError(f"{signal_type.name} is matched from uploaded media only")
            parsed.setdefault(signal_type.name, []).extend(signal_type.parse(v) for v in values)
        return parsed

    def match_parsed(self, items: Sequence[ParsedSignals],
                     lists: Sequence[str] | None = None) -> list[MatchOutcome]:
        """Match several items' parsed signals in one index pass (one outcome per item).

        Servers batch concurrent requests through this: the index's fixed cost per search call
        is then paid once per batch instead of once per request.
        """
        outcomes = [MatchOutcome() for _ in items]
        queries: list[_Query] = []
        for item, parsed in enumerate(items):
            for type_name, values in parsed.items():
                queries.extend(_Query(item, type_name, value) for value in values)
                if type_name in (PDQ.name, VPDQ.name, ORB.name) and values:
                    outcomes[item].perceptual_checked = True
        return self._run(queries, outcomes, lists)

    def _pdq_queries(self, item: int, media: MediaHashes, outcome: MatchOutcome) -> list[_Query]:
        if media.pdq is None:
            return []
        if media.pdq.quality < PDQ_MIN_QUALITY:
            outcome.notes.append(
                f"pdq quality {media.pdq.quality} < {PDQ_MIN_QUALITY}: not matched perceptually"
            )
            return []
        outcome.perceptual_checked = True
        variants = list(zip(Variant.DIHEDRAL, media.pdq_dihedral, strict=False)) or [
            (Variant.ORIGINAL, media.pdq.hex)
        ]
        if media.pdq_exif is not None and media.pdq_exif.quality >= PDQ_MIN_QUALITY:
            variants.append((Variant.EXIF, media.pdq_exif.hex))
        # Repaired views (core.robust) only ever come with a usable quality.
        variants.extend((name, view.hex) for name, view in media.pdq_views)
        return [_Query(item, PDQ.name, value, variant) for variant, value in variants]

    def _video_queries(
        self, item: int, media: MediaHashes, outcome: MatchOutcome
    ) -> list[_Query]:
        if media.vpdq is None:
            return []
        frames = [(f.hash, f.quality, f.timestamp) for f in media.vpdq.frames]
        if not frames or not usable_hashes(frames):
            outcome.notes.append(
                f"no video frame of quality >= {VPDQ_MIN_QUALITY}: not matched perceptually"
            )
            return []
        outcome.perceptual_checked = True
        return [_Query(item, VPDQ.name, serialise(frames))]

    def _run(self, queries: list[_Query], outcomes: list[MatchOutcome],
             lists: Sequence[str] | None) -> list[MatchOutcome]:
        wanted = set(lists) if lists is not None else None
        raw: list[tuple[_Query, RawHit]] = []
        by_type: dict[str, list[_Query]] = {}
        for query in queries:
            by_type.setdefault(query.signal_type, []).append(query)
        for type_name, typed in by_type.items():
            values = [query.value for query in typed]
            if type_name == PDQ.name:
                candidates = self.index.search_pdq(values, self._max_threshold(PDQ.name))
            elif type_name == VPDQ.name:
                candidates = self.index.search_video(values)
            elif type_name == ORB.name:
                candidates = self.index.search_features(values)
            else:
                candidates = self.index.search_exact(type_name, values)
            raw.extend((typed[hit.query], hit) for hit in candidates)

        owners = {hit.label: self.index.owner(hit.label) for _, hit in raw}
        entry_ids = sorted({owner[1] for owner in owners.values() if owner is not None})
        entries = self._source.get_entries(entry_ids) if entry_ids else {}

        best: dict[tuple[int, str, int, str], Hit] = {}
        for query, found in raw:
            owner = owners[found.label]
            if owner is None:
                continue
            list_name, entry_id = owner
            hash_list = self._lists.get(list_name)
            entry = entries.get(entry_id)
            if hash_list is None or entry is None or entry.is_removed:
                continue
            # Allow lists apply whichever block lists the caller asked for.
            if wanted is not None and list_name not in wanted and hash_list.kind is ListKind.BLOCK:
                continue
            threshold = self._threshold(hash_list, query.signal_type)
            if found.distance > threshold:
                continue
            hit = _make_hit(hash_list, entry, query, found.distance)
            key = (query.item, list_name, entry_id, query.signal_type)
            current = best.get(key)
            if current is None or _better(hit, current):
                best[key] = hit

        for (item, *_), hit in sorted(best.items(), key=lambda kv: (kv[0], kv[1].distance)):
            outcome = outcomes[item]
            if hit.list_kind is ListKind.ALLOW:
                outcome.allowed.append(hit)
            else:
                outcome.hits.append(hit)
        for outcome in outcomes:
            if outcome.allowed and outcome.hits:
                outcome.suppressed, outcome.hits = outcome.hits, []
        return outcomes

    def _threshold(self, hash_list: HashList, type_name: str) -> int:
        return hash_list.threshold_for(type_name, self._signals.get(type_name).default_threshold)

    def _max_threshold(self, type_name: str) -> int:
        default = self._signals.get(type_name).default_threshold
        return max((self._threshold(h, type_name) for h in self._lists.values()), default=default)


def _make_hit(hash_list: HashList, entry: Entry, query: _Query, distance: int) -> Hit:
    # Feature values are local-only (signals.orb) and long: a hit names the type, not them.
    local = query.signal_type == ORB.name
    matched = "" if local else _matched_value(entry, query, distance)
    category = entry.data.category
    return Hit(
        list_name=hash_list.name,
        list_kind=hash_list.kind,
        entry_id=entry.id,
        signal_type=query.signal_type,
        matched_value=matched,
        query_value="" if local else query.value,
        distance=distance,
        category=str(category) if category is not None else None,
        source=entry.data.source,
        external_id=entry.data.external_id,
        variant=query.variant,
    )


def _matched_value(entry: Entry, query: _Query, distance: int) -> str:
    """The entry's stored value that produced the hit (an entry may carry several PDQs)."""
    candidates = [s.value for s in entry.signals if s.type == query.signal_type]
    if query.signal_type == VPDQ.name:
        # An entry holds one video; its frames are the listed value.
        return candidates[0] if candidates else query.value
    if query.signal_type != PDQ.name:
        return query.value
    for value in candidates:
        if PDQ.distance(value, query.value) == distance:
            return value
    return candidates[0] if candidates else query.value


def _better(new: Hit, old: Hit) -> bool:
    """Prefer the smaller distance; on a tie the un-transformed pixels."""
    if new.distance != old.distance:
        return new.distance < old.distance
    return new.variant == Variant.ORIGINAL and old.variant != Variant.ORIGINAL
