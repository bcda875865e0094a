"""Videos in lists and matching: the vPDQ rule through the store, the matcher and snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from hashwarden.core.lists.models import EntryData
from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.matcher import Matcher
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.media.models import MediaHashes
from hashwarden.snapshots.files import capture, open_index, write
from hashwarden.storage.list_store import SqlListStore
from video_samples import write_video


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MediaHashes]:
    folder = tmp_path_factory.mktemp("clips")
    made = {
        "listed": write_video(folder / "listed.mp4", seconds=6.0),
        "reencoded": write_video(folder / "reencoded.webm", seconds=6.0, codec="libvpx-vp9"),
        "first_half": write_video(folder / "half.mp4", seconds=3.0),
        "other": write_video(folder / "other.mp4", seconds=6.0, style=7),
    }
    return {name: hash_media(path) for name, path in made.items()}


@pytest.fixture
def service(store: SqlListStore, clips: dict[str, MediaHashes]) -> ListService:
    service = ListService(store)
    service.create_list("videos")
    data = EntryData(tuple(clips["listed"].signals()), external_id="V-1")
    service.add_entries("videos", [data])
    return service


def test_a_listed_video_is_stored_with_its_frames(service: ListService) -> None:
    (entry,) = service.entries("videos")
    assert sorted(s.type for s in entry.signals) == ["md5", "sha1", "sha256", "vpdq"]


def test_a_reencoded_copy_matches_by_vpdq_and_an_unrelated_video_does_not(
    service: ListService, store: SqlListStore, clips: dict[str, MediaHashes]
) -> None:
    matcher = Matcher(store)
    copy, other, same = matcher.match_media(
        [clips["reencoded"], clips["other"], clips["listed"]]
    )
    assert [(h.signal_type, h.external_id) for h in copy.hits] == [("vpdq", "V-1")]
    assert copy.hits[0].distance <= 20
    assert copy.perceptual_checked
    assert other.hits == []
    assert {h.signal_type for h in same.hits} == {"md5", "sha1", "sha256", "vpdq"}
    assert [h.distance for h in same.hits if h.signal_type == "vpdq"] == [0]


def test_a_clip_of_half_the_video_needs_a_looser_list_threshold(
    service: ListService, store: SqlListStore, clips: dict[str, MediaHashes]
) -> None:
    matcher = Matcher(store)
    assert matcher.match_media([clips["first_half"]])[0].hits == []
    service.update_list("videos", thresholds={"vpdq": 60})
    matcher.refresh()
    (outcome,) = matcher.match_media([clips["first_half"]])
    assert [h.signal_type for h in outcome.hits] == ["vpdq"]
    assert 20 < outcome.hits[0].distance <= 60


def test_removed_videos_stop_matching_and_snapshots_keep_videos(
    service: ListService, store: SqlListStore, clips: dict[str, MediaHashes], tmp_path: Path
) -> None:
    matcher = Matcher(store)
    write(capture(matcher.index), tmp_path / "snap")
    mapped = Matcher(store, index=open_index(tmp_path / "snap"))
    assert len(mapped.index.video) == 1
    assert [h.signal_type for h in mapped.match_media([clips["reencoded"]])[0].hits] == ["vpdq"]

    (entry,) = service.entries("videos")
    service.remove_entries("videos", [entry.id])
    for follower in (matcher, mapped):
        follower.refresh()
        assert follower.match_media([clips["reencoded"]])[0].hits == []
    assert len(mapped.index.video) == 0


def test_bare_vpdq_values_match_through_match_signals(
    service: ListService, store: SqlListStore, clips: dict[str, MediaHashes]
) -> None:
    signal = next(s for s in clips["reencoded"].signals() if s.type == "vpdq")
    outcome = Matcher(store).match_signals({"vpdq": [signal.value]})
    assert [h.signal_type for h in outcome.hits] == ["vpdq"]
