"""Triage and assessment through the console: known media set aside, the rest blurred first."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from api_helpers import TEST_SETTINGS, ApiServer, console_sign_in, form_token, photo_bytes
from media_site import media_site
from PIL import Image

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.core.lists.models import EntryData, Signal
from hashwarden.core.media.hashing import hash_media
from hashwarden.hotline.models import ReportForm, ReportKind

PASSWORD = "a long enough password"
TRIAGE = dataclasses.replace(TEST_SETTINGS, triage_allow_private=True)


@pytest.fixture
def site() -> Iterator[str]:
    """A local site: a page showing two benign photos (one of them listed below)."""
    files = {
        "/page.html": (b'<html><body><img src="/a.jpg"><img src="b.jpg"></body></html>',
                       "text/html"),
        "/a.jpg": (photo_bytes(1), "image/jpeg"),
        "/b.jpg": (photo_bytes(2), "image/jpeg"),
    }  # fmt: skip
    with media_site(files) as served:
        yield served.base_url


def _image(response: httpx.Response) -> Image.Image:
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    return Image.open(io.BytesIO(response.content))


@pytest.mark.api_settings(TRIAGE)
def test_from_report_to_list_entry(server: ApiServer, site: str) -> None:
    api = server.api
    listed = hash_media(photo_bytes(1))
    assert listed.pdq is not None
    api.lists.create_list("known")
    api.lists.add_entries("known", [EntryData((Signal("md5", listed.md5),
                                                Signal("pdq", listed.pdq.hex)))])  # fmt: skip
    api.matcher.refresh()
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    reference = api.reports.submit(
        ReportForm(ReportKind.CSAM, url=f"{site}/page.html"), follow_up=False
    ).reference

    with httpx.Client(base_url=server.base_url, timeout=60) as console:
        console_sign_in(console, "ana", PASSWORD)
        page = console.get(f"/console/reports/{reference}")
        done = console.post(f"/console/reports/{reference}/triage",
                            data={"csrf_token": form_token(page)})  # fmt: skip
        assert done.status_code == 303
        page = console.get(f"/console/reports/{reference}")
        assert "2 items: 1 known" in page.text and "1 to assess" in page.text

        items = api.items.items(reference)
        known = next(i for i in items if i.state.value == "known")
        unknown = next(i for i in items if i.state.value == "unknown")
        assert known.source_url.endswith("/a.jpg") and not known.has_content
        assert unknown.source_url.endswith("/b.jpg") and unknown.has_content
        # Known material is never shown, whatever the URL says.
        assert console.get(f"/console/items/{known.id}").status_code == 404
        assert console.get(f"/console/items/{known.id}/preview?step=3").status_code == 404

        first = console.get(f"/console/items/{unknown.id}")
        assert 'id="reveal"' in first.text
        hidden = _image(console.get(f"/console/items/{unknown.id}/preview?step=0"))
        shown = _image(console.get(f"/console/items/{unknown.id}/preview?step=3"))
        assert hidden.mode == "L" and shown.mode == "RGB"
        # The first step is too blurred to make out: far less detail than the last one.
        detail = [np.abs(np.diff(np.asarray(im.convert("L"), dtype=float), axis=1)).mean()
                  for im in (hidden, shown)]  # fmt: skip
        assert detail[0] < detail[1] / 4

        revealed = console.get(f"/console/items/{unknown.id}?step=2")
        assessed = console.post(f"/console/items/{unknown.id}/assess", data={
            "csrf_token": form_token(revealed), "scheme": "iwf", "iwf.severity": "B",
            "list": "known",
        })  # fmt: skip
        assert assessed.status_code == 303, assessed.text

    after = api.items.item(unknown.id)
    assert after is not None and after.state.value == "assessed" and not after.has_content
    assert after.classification == {
        "scheme": "iwf", "answers": {"severity": "B"}, "illegal": True, "list": "known",
        "list_sequence": 2,
    }  # fmt: skip
    entries = list(api.lists.entries("known"))
    new = [e for e in entries if e.data.external_id == reference]
    assert len(new) == 1 and str(new[0].data.category) == "iwf:B"
    assert Signal("md5", hashlib.md5(photo_bytes(2)).hexdigest()) in new[0].signals
    actions = {e.action for e in api.audit_log.events()}
    assert {"reports.triage", "items.view", "items.assess"} <= actions


@pytest.mark.api_settings(dataclasses.replace(TRIAGE, exposure_limit_minutes=1e-9))
def test_past_the_daily_limit_previews_stay_blurred(server: ApiServer, site: str) -> None:
    api = server.api
    api.staff.create("ana", PASSWORD, StaffRole.ANALYST)
    reference = api.reports.submit(
        ReportForm(ReportKind.CSAM, url=f"{site}/b.jpg"), follow_up=False
    ).reference
    api.triage.triage(reference)
    (item,) = api.items.items(reference)
    with httpx.Client(base_url=server.base_url, timeout=60) as console:
        console_sign_in(console, "ana", PASSWORD)
        page = console.get(f"/console/items/{item.id}?step=3")
        assert "exposure limit" in page.text and 'id="reveal"' not in page.text
        assert _image(console.get(f"/console/items/{item.id}/preview?step=3")).mode == "L"
