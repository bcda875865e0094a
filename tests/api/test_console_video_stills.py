"""Video items in the console: a strip of still frames, revealed step by step, never played."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
from api_helpers import TEST_SETTINGS, ApiServer, console_sign_in, form_token
from media_site import media_site
from PIL import Image

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.core.lists.models import EntryData, Signal
from hashwarden.core.media.hashing import hash_media
from hashwarden.hotline.items import Item
from hashwarden.hotline.models import ReportForm, ReportKind
from hashwarden.web.console import stills
from video_samples import write_video

PASSWORD = "a long enough password"
TRIAGE = dataclasses.replace(TEST_SETTINGS, triage_allow_private=True)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Two benign test-pattern videos (different scenes), 4 s at 10 frames a second."""
    folder = tmp_path_factory.mktemp("clips")
    return {
        f"/{name}.mp4": write_video(Path(folder / f"{name}.mp4"), seconds=4, rate=10,
                                    width=320, height=240, style=style).read_bytes()
        for name, style in (("clip", 1), ("listed", 2))
    }  # fmt: skip


@pytest.fixture
def site(clips: dict[str, bytes]) -> Iterator[str]:
    with media_site({path: (body, "video/mp4") for path, body in clips.items()}) as served:
        yield served.base_url


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Stills are cached per process; each test starts from the decoding.
    stills.CACHE.clear()


def _triaged(server: ApiServer, url: str) -> Item:
    api = server.api
    reference = api.reports.submit(ReportForm(ReportKind.CSAM, url=url), follow_up=False)
    api.triage.triage(reference.reference)
    (item,) = api.items.items(reference.reference)
    return item


def _image(response: httpx.Response) -> Image.Image:
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    return Image.open(io.BytesIO(response.content))


def _detail(image: Image.Image) -> float:
    return float(np.abs(np.diff(np.asarray(image.convert("L"), dtype=float), axis=1)).mean())


@pytest.mark.api_settings(TRIAGE)
def test_a_video_is_shown_as_stills_through_the_steps(server: ApiServer, site: str) -> None:
    api = server.api
    api.lists.create_list("hotline")
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    item = _triaged(server, f"{site}/clip.mp4")
    assert item.state.value == "unknown" and item.media_type == "video" and item.has_content

    with httpx.Client(base_url=server.base_url, timeout=60) as console:
        console_sign_in(console, "ana", PASSWORD)
        page = console.get(f"/console/items/{item.id}")
        assert page.status_code == 200
        # Stills only: nothing plays, moves or sounds.
        assert "<video" not in page.text and "autoplay" not in page.text
        assert 'id="preview"' not in page.text
        sources = re.findall(r'<img id="still-\d" src="([^"]+)"', page.text)
        assert sources == [f"/console/items/{item.id}/stills/{i}?step=0" for i in range(6)]
        # Spread over the 4 s: the middles of six equal parts.
        times = re.findall(r'alt="Still \d of 6, at (\d:[\d.]+), step 1 of 4', page.text)
        assert times == ["0:00.3", "0:01.0", "0:01.6", "0:02.3", "0:03.0", "0:03.6"]

        hidden = [_image(console.get(src)) for src in sources]
        assert {im.mode for im in hidden} == {"L"}
        shown = [_image(console.get(f"/console/items/{item.id}/stills/{i}?step=3"))
                 for i in range(6)]  # fmt: skip
        assert {im.mode for im in shown} == {"RGB"} and shown[0].size == (320, 240)
        # Six different moments of the video, each too blurred to make out at first.
        assert len({im.tobytes() for im in shown}) == 6
        for blurred, clear in zip(hidden, shown, strict=True):
            assert _detail(blurred) < _detail(clear) / 4
        # The steps in between, as for images.
        assert _image(console.get(f"/console/items/{item.id}/stills/0?step=2")).mode == "L"
        assert console.get(f"/console/items/{item.id}/stills/6?step=0").status_code == 404
        assert console.get(f"/console/items/{item.id}/preview?step=0").status_code == 415

        # Revealing counts exposure the same way: from the first step past blurred.
        assert api.exposure.today("ana") == timedelta(0)
        revealed = console.get(f"/console/items/{item.id}?step=1")
        assert f"/console/items/{item.id}/stills/0?step=1" in revealed.text
        assert api.exposure.today("ana") > timedelta(0)
        assessed = console.post(f"/console/items/{item.id}/assess", data={
            "csrf_token": form_token(revealed), "scheme": "iwf", "iwf.severity": "C",
            "list": "hotline",
        })  # fmt: skip
        assert assessed.status_code == 303, assessed.text
        # The decision deletes the media; its stills go with it.
        assert console.get(f"/console/items/{item.id}/stills/0?step=0").status_code == 404
        assert len(stills.CACHE) == 0
        assert "<img" not in console.get(f"/console/items/{item.id}").text

    after = api.items.item(item.id)
    assert after is not None and after.state.value == "assessed" and not after.has_content
    (entry,) = api.lists.entries("hotline")
    assert Signal("md5", item.signals["md5"]) in entry.signals
    views = [e for e in api.audit_log.events() if e.action == "items.view"]
    assert len(views) == 3


@pytest.mark.api_settings(TRIAGE)
def test_a_listed_video_is_never_shown(
    server: ApiServer, site: str, clips: dict[str, bytes]
) -> None:
    api = server.api
    api.lists.create_list("known")
    listed = hash_media(clips["/listed.mp4"])
    api.lists.add_entries("known", [EntryData((Signal("md5", listed.md5),))])
    api.matcher.refresh()
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    item = _triaged(server, f"{site}/listed.mp4")
    assert item.state.value == "known" and not item.has_content
    with httpx.Client(base_url=server.base_url, timeout=60) as console:
        console_sign_in(console, "ana", PASSWORD)
        assert console.get(f"/console/items/{item.id}").status_code == 404
        assert console.get(f"/console/items/{item.id}/stills/0?step=3").status_code == 404
    assert len(stills.CACHE) == 0


@pytest.mark.api_settings(dataclasses.replace(TRIAGE, exposure_limit_minutes=1e-9))
def test_past_the_daily_limit_stills_stay_blurred(server: ApiServer, site: str) -> None:
    server.api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    item = _triaged(server, f"{site}/clip.mp4")
    with httpx.Client(base_url=server.base_url, timeout=60) as console:
        console_sign_in(console, "ana", PASSWORD)
        page = console.get(f"/console/items/{item.id}?step=3")
        assert "exposure limit" in page.text and 'id="reveal"' not in page.text
        assert "/stills/0?step=0" in page.text
        assert _image(console.get(f"/console/items/{item.id}/stills/0?step=3")).mode == "L"


def test_stills_need_a_signed_in_analyst(server: ApiServer) -> None:
    with httpx.Client(base_url=server.base_url, timeout=60) as anonymous:
        response = anonymous.get("/console/items/1/stills/0?step=3")
    assert response.status_code in (303, 401, 403)
    assert response.headers.get("content-type") != "image/jpeg"
