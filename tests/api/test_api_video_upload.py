"""Video uploads to ``/v1/match/media``: hashed (vPDQ), matched, spooled to disk only when large."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from api_helpers import TEST_SETTINGS, ApiServer

from hashwarden.accounts.models import Role
from hashwarden.core.media.hashing import hash_media
from video_samples import write_video

# Settings are fixed when the module loads (the server fixture reads them from a marker).
SPOOL = Path(tempfile.gettempdir()) / f"hashwarden-test-spool-{os.getpid()}"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("clips")
    return write_video(folder / "clip.mp4", seconds=3.0, width=320, height=240).read_bytes()


def _list_md5(server: ApiServer, md5: str) -> None:
    curator = server.client(Role.CURATOR)
    assert curator.post("/v1/lists", json={"name": "known"}).status_code == 201
    entry = {
        "signals": [{"type": "md5", "value": md5}],
        "category": {"scheme": "iwf", "value": "A"},
    }
    assert curator.post("/v1/lists/known/entries", json={"entries": [entry]}).is_success
    server.api.matcher.refresh()


def test_a_video_upload_is_hashed_and_its_digest_matched(server: ApiServer, clip: bytes) -> None:
    _list_md5(server, hashlib.md5(clip).hexdigest())
    response = server.client(Role.PLATFORM).post(
        "/v1/match/media", files={"file": ("clip.mp4", clip, "video/mp4")}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["signals"]["media_type"] == "video"
    assert [frame["frame"] for frame in body["signals"]["vpdq"]] == [0, 10, 20]
    assert all(frame["quality"] == 100 for frame in body["signals"]["vpdq"])
    assert [hit["signal_type"] for hit in body["matches"]] == ["md5"]


SPOOLING = dataclasses.replace(
    TEST_SETTINGS,
    max_upload_bytes=4096,
    max_video_upload_bytes=2 * 1024 * 1024,
    upload_spool_dir=str(SPOOL),
)


@pytest.fixture
def spool() -> Path:
    SPOOL.mkdir(exist_ok=True)
    for left in SPOOL.iterdir():
        left.unlink()
    return SPOOL


@pytest.mark.api_settings(SPOOLING)
def test_large_videos_go_through_a_temporary_file_that_is_deleted(
    server: ApiServer, clip: bytes, spool: Path
) -> None:
    assert len(clip) > SPOOLING.max_upload_bytes
    platform = server.client(Role.PLATFORM)
    for body in (
        {"files": {"file": ("clip.mp4", clip, "video/mp4")}},
        {"content": clip, "headers": {"Content-Type": "video/mp4"}},
    ):
        response = platform.post("/v1/match/media", **body)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        assert response.json()["signals"]["media_type"] == "video"
        assert list(spool.iterdir()) == []

    # Past the in-memory limit only videos are accepted; nothing else touches the disk.
    other = platform.post("/v1/match/media", files={"file": ("a.bin", b"\0" * 10_000)})
    assert other.status_code == 413
    assert list(spool.iterdir()) == []


@pytest.mark.api_settings(dataclasses.replace(SPOOLING, max_video_upload_bytes=8192))
def test_a_video_over_its_limit_is_refused_and_nothing_is_left(
    server: ApiServer, clip: bytes, spool: Path
) -> None:
    response = server.client(Role.PLATFORM).post(
        "/v1/match/media", files={"file": ("clip.mp4", clip, "video/mp4")}
    )
    assert response.status_code == 413
    assert list(spool.iterdir()) == []


@pytest.mark.api_settings(SPOOLING)
def test_a_broken_video_is_a_clear_error_and_its_spool_is_deleted(
    server: ApiServer, clip: bytes, spool: Path
) -> None:
    broken = clip[:40] + b"\0" * 6000  # an MP4 header, then nothing decodable
    response = server.client(Role.PLATFORM).post(
        "/v1/match/media", files={"file": ("broken.mp4", broken, "video/mp4")}
    )
    assert response.status_code == 422
    assert "broken.mp4" in response.json()["detail"]
    assert list(spool.iterdir()) == []


def test_videos_listed_through_the_api_match_uploads_and_bare_values(
    server: ApiServer, tmp_path: Path
) -> None:
    listed = hash_media(write_video(tmp_path / "listed.mp4", seconds=4.0))
    copy = write_video(tmp_path / "copy.webm", seconds=4.0, codec="libvpx-vp9").read_bytes()
    vpdq = next(s.value for s in listed.signals() if s.type == "vpdq")
    curator = server.client(Role.CURATOR)
    assert curator.post("/v1/lists", json={"name": "videos"}).status_code == 201
    entry = {"signals": [{"type": "vpdq", "value": vpdq}], "external_id": "V-9"}
    assert curator.post("/v1/lists/videos/entries", json={"entries": [entry]}).is_success
    server.api.matcher.refresh()

    platform = server.client(Role.PLATFORM)
    uploaded = platform.post("/v1/match/media", files={"file": ("copy.webm", copy)})
    assert uploaded.status_code == 200, uploaded.text
    hits = uploaded.json()["matches"]
    assert [(h["signal_type"], h["external_id"]) for h in hits] == [("vpdq", "V-9")]
    assert hits[0]["distance"] <= 20
    assert "matched_value" not in hits[0]

    bare = platform.post("/v1/match", json={"signals": {"vpdq": [vpdq]}})
    assert bare.status_code == 200, bare.text
    assert [h["distance"] for h in bare.json()["matches"]] == [0]
