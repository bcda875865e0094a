"""A ``SignalIndex`` as files: written once, then mapped by every process on the host.

Layout of a snapshot directory::

    meta.json          format, cursor, list names, counts
    pdq/*.npy          the PDQ segment (``MihSegment.save``)
    exact/*.npy        packed exact tables (``PackedExact.save``)
    owners/*.npy       label -> list and entry (``OwnerTable``)
    video/*.npy        vPDQ frame rows (video label, hash); rebuilt into a private index on open
    features/*.npy     ORB features (label, count, points, descriptors); likewise rebuilt

Taking a snapshot has two steps so the index's follower pauses only briefly: ``capture`` (cheap,
under the caller's lock: references to immutable arrays plus copies of the small overlays) and
``write`` (the expensive builds and the disk writes, without the lock).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hashwarden.core.index.array_files import load_array, save_array
from hashwarden.core.index.exact import ExactIndex
from hashwarden.core.index.exact_packed import Key, PackedExact
from hashwarden.core.index.pdq_index import PdqIndex
from hashwarden.core.index.pdq_segment import MihSegment
from hashwarden.core.index.video_index import VideoIndex
from hashwarden.core.matching.owners import OwnerTable
from hashwarden.core.matching.signal_index import SignalIndex
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.signals.registry import SIGNALS, SignalRegistry

FORMAT_VERSION = 3


_FEATURE_ARRAYS = ("labels", "counts", "points", "descriptors")


class SnapshotError(ValueError):
    """A snapshot directory that cannot be used (damaged, or from another version)."""


@dataclass(frozen=True)
class IndexCapture:
    cursor: int
    pdq_segment: MihSegment | None
    pdq_labels: npt.NDArray[np.int64]
    pdq_words: npt.NDArray[np.uint64]
    exact_base: PackedExact | None
    exact_dead: frozenset[int]
    exact_overlay: list[tuple[str, Key, int]]
    entry_of: npt.NDArray[np.int64]
    list_of: npt.NDArray[np.int32]
    list_names: tuple[str, ...]
    video_ids: npt.NDArray[np.int64]
    video_frames: npt.NDArray[np.uint8]
    feature_rows: tuple[npt.NDArray[np.generic], ...]


def capture(index: SignalIndex) -> IndexCapture:
    """Everything needed to write ``index`` later, taken while no change is being applied."""
    sole = index.pdq.sole_segment()
    if sole is not None:
        labels, words = np.zeros(0, np.int64), np.zeros((0, 4), np.uint64)
    else:
        # live() returns new arrays, or immutable segment arrays when nothing is dead.
        labels, words = index.pdq.live()
    base, dead, overlay = index.exact.capture()
    entry_of, list_of = index.owners.arrays()
    video_ids, video_frames = index.video.rows()
    return IndexCapture(
        cursor=index.cursor,
        pdq_segment=sole,
        pdq_labels=labels,
        pdq_words=words,
        exact_base=base,
        exact_dead=dead,
        exact_overlay=overlay,
        entry_of=entry_of,
        list_of=list_of,
        list_names=tuple(index.owners.list_names),
        video_ids=video_ids,
        video_frames=video_frames,
        feature_rows=index.features.rows(),
    )


def write(captured: IndexCapture, directory: Path) -> None:
    """Write a captured index into the empty or new ``directory``."""
    segment = captured.pdq_segment
    if segment is None:
        segment = MihSegment.build(captured.pdq_labels, captured.pdq_words)
    segment.save(directory / "pdq")
    exact = PackedExact.build(captured.exact_overlay, captured.exact_base, captured.exact_dead)
    exact.save(directory / "exact")
    owners = directory / "owners"
    owners.mkdir(parents=True, exist_ok=True)
    save_array(owners, "entry_of", captured.entry_of)
    save_array(owners, "list_of", captured.list_of)
    video = directory / "video"
    video.mkdir(parents=True, exist_ok=True)
    save_array(video, "ids", captured.video_ids)
    save_array(video, "frames", captured.video_frames)
    features = directory / "features"
    features.mkdir(parents=True, exist_ok=True)
    for name, rows in zip(_FEATURE_ARRAYS, captured.feature_rows, strict=True):
        save_array(features, name, rows)
    meta = {
        "format": FORMAT_VERSION,
        "cursor": captured.cursor,
        "list_names": list(captured.list_names),
        "pdq": len(segment),
        "exact": len(exact),
        "video_frames": len(captured.video_ids),
        "features": len(captured.feature_rows[0]),
    }
    (directory / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def read_meta(directory: Path) -> dict[str, object]:
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{directory}: unreadable snapshot ({exc})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        raise SnapshotError(f"{directory}: unknown snapshot format")
    return meta


def open_index(directory: Path, signals: SignalRegistry = SIGNALS) -> SignalIndex:
    """A ``SignalIndex`` over the snapshot's arrays, mapped so processes share them."""
    meta = read_meta(directory)
    try:
        segment = MihSegment.load(directory / "pdq")
        exact = PackedExact.load(directory / "exact")
        entry_of = load_array(directory / "owners", "entry_of", writable=True)
        list_of = load_array(directory / "owners", "list_of", writable=True)
        video = VideoIndex.from_rows(
            load_array(directory / "video", "ids"), load_array(directory / "video", "frames")
        )
        features = FeatureIndex.from_rows(
            *(load_array(directory / "features", name) for name in _FEATURE_ARRAYS)
        )
    except (OSError, ValueError, KeyError) as exc:
        raise SnapshotError(f"{directory}: damaged snapshot ({exc})") from exc
    names = meta.get("list_names")
    cursor = meta.get("cursor")
    if not isinstance(names, list) or not isinstance(cursor, int):
        raise SnapshotError(f"{directory}: damaged snapshot metadata")
    index = SignalIndex(
        signals,
        pdq=PdqIndex.over(segment),
        exact=ExactIndex(base=exact),
        owners=OwnerTable([str(n) for n in names], entry_of, list_of),
        video=video,
        features=features,
        cursor=cursor,
    )
    index.snapshot_name = directory.name
    return index
