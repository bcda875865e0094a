"""The in-memory index over every live signal of every list, following the store's changes.

Labels are the store's signal ids. Per label only the owning list and entry are kept, in flat
NumPy arrays (12 bytes per signal, ``OwnerTable``) rather than Python objects, so memory stays
flat at millions of hashes; entry details are fetched from the store for the few labels that hit.

An index is either built in memory from the store's changes, or opened over a snapshot
(``index_files``) whose arrays every worker process maps and shares; changes since the snapshot
then sit in small private overlays (``overlay_size``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from hashwarden.core.index.exact import ExactIndex
from hashwarden.core.index.pdq_index import PdqIndex, pdq_hex_to_bytes
from hashwarden.core.index.video_index import VideoIndex
from hashwarden.core.lists.interfaces import IndexedSignal, SignalDelta
from hashwarden.core.matching.owners import OwnerTable
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.features import deserialise, feature_score
from hashwarden.core.signals.orb import ORB
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry
from hashwarden.core.signals.vpdq import (
    VPDQ,
    VPDQ_FRAME_DISTANCE,
    distance_of,
    frames_of,
    usable_hashes,
)


@dataclass(frozen=True, slots=True)
class RawHit:
    """A label found for query ``query``; distance is 0 for exact types (vPDQ: see signals)."""

    query: int
    label: int
    distance: int


class SignalIndex:
    def __init__(
        self,
        signals: SignalRegistry = SIGNALS,
        *,
        pdq: PdqIndex | None = None,
        exact: ExactIndex | None = None,
        owners: OwnerTable | None = None,
        video: VideoIndex | None = None,
        features: FeatureIndex | None = None,
        cursor: int = 0,
    ) -> None:
        self._signals = signals
        self.pdq = pdq if pdq is not None else PdqIndex()
        self.exact = exact if exact is not None else ExactIndex()
        #: vPDQ values by label (the signal id): their usable frame hashes.
        self.video = video if video is not None else VideoIndex()
        #: ORB features of pictures listed from pixels, by label (``core.robust``).
        self.features = features if features is not None else FeatureIndex()
        self.owners = owners if owners is not None else OwnerTable()
        self.cursor = cursor
        #: Identifies the snapshot this index was opened over, if any.
        self.snapshot_name = ""

    def __len__(self) -> int:
        return len(self.pdq) + len(self.exact) + len(self.video) + len(self.features)

    def overlay_size(self) -> int:
        """Changes held privately on top of a shared snapshot (0 for an in-memory index)."""
        return self.pdq.overlay_size() + self.exact.overlay_size()

    def apply(self, delta: SignalDelta) -> None:
        """Apply a store delta: removals first, so a re-added signal id ends up live."""
        if delta.removed_signal_ids:
            self._remove(delta.removed_signal_ids)
        if delta.added:
            self._add(delta.added)
        self.cursor = max(self.cursor, delta.cursor)

    def owner(self, label: int) -> tuple[str, int] | None:
        """(list name, entry id) of a live label."""
        return self.owners.get(label)

    def search_pdq(self, hexes: Sequence[str], threshold: int) -> list[RawHit]:
        if not hexes or len(self.pdq) == 0:
            return []
        found = self.pdq.search(pdq_hex_to_bytes(hexes), threshold)
        return [
            RawHit(int(q), int(label), int(dist))
            for q, label, dist in zip(found.query, found.label, found.distance, strict=True)
        ]

    def search_video(self, values: Sequence[str]) -> list[RawHit]:
        """Every indexed video sharing a frame with a queried vPDQ value.

        ``distance`` is the vPDQ distance (``100 - min(percentages)``, see ``signals.vpdq``).
        """
        hits: list[RawHit] = []
        if not len(self.video):
            return hits
        for query, value in enumerate(values):
            hashes = usable_hashes(frames_of(value))
            for found in self.video.candidates(hashes, distance=VPDQ_FRAME_DISTANCE):
                distance = distance_of(found.query_match_percent, found.compared_match_percent)
                hits.append(RawHit(query, found.video_id, distance))
        return hits

    def search_features(self, values: Sequence[str]) -> list[RawHit]:
        """Listed pictures whose ORB features a query's verify against (``signals.orb``)."""
        hits: list[RawHit] = []
        if not len(self.features):
            return hits
        for query, value in enumerate(values):
            for label, matched in self.features.verified(deserialise(value)):
                hits.append(RawHit(query, label, feature_score(matched)))
        return hits

    def search_exact(self, signal_type: str, values: Sequence[str]) -> list[RawHit]:
        if not values:
            return []
        return [RawHit(q, label, 0) for q, label in self.exact.search(signal_type, list(values))]

    def _add(self, added: Iterable[IndexedSignal]) -> None:
        pdq_labels: list[int] = []
        pdq_values: list[str] = []
        exact: dict[str, tuple[list[int], list[str]]] = {}
        videos: list[tuple[int, list[str]]] = []
        for item in added:
            self._remember(item)
            signal_type = self._signals.get(item.signal.type)
            if signal_type.name == ORB.name:
                self.features.add(item.signal_id, deserialise(item.signal.value))
            elif signal_type.name == VPDQ.name:
                videos.append((item.signal_id, usable_hashes(frames_of(item.signal.value))))
            elif signal_type.is_exact():
                labels, values = exact.setdefault(signal_type.name, ([], []))
                labels.append(item.signal_id)
                values.append(item.signal.value)
            else:
                pdq_labels.append(item.signal_id)
                pdq_values.append(item.signal.value)
        if pdq_labels:
            self.pdq.add(np.asarray(pdq_labels, dtype=np.int64), pdq_hex_to_bytes(pdq_values))
        for type_name, (labels, values) in exact.items():
            self.exact.add(np.asarray(labels, dtype=np.int64), type_name, values)
        if videos:
            self.video.add_many(videos)

    def _remove(self, signal_ids: Sequence[int]) -> None:
        labels = np.asarray(signal_ids, dtype=np.int64)
        self.pdq.remove(labels)
        self.exact.remove(labels)
        self.video.remove(labels.tolist())
        self.features.remove(labels.tolist())
        self.owners.clear(labels)

    def _remember(self, item: IndexedSignal) -> None:
        self.owners.set(item.signal_id, item.list_name, item.entry_id)
