"""Trace an object from the console: through the real server, on cases the real scanner built."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
from api_helpers import ApiServer, console_sign_in, form_token
from case_console_samples import by_name, scan_case, write_pictures
from case_trace_samples import ROCKET, UPRIGHT, write_elsewhere, write_scene, write_wall
from PIL import Image

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.cases.tracing import Box

PASSWORD = "a long enough password"


@contextmanager
def _console(server: ApiServer, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=120) as client:
        console_sign_in(client, username, PASSWORD)
        yield client


def _events(server: ApiServer, action: str) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.actor, e.object, e.details) for e in server.api.audit_log.events()
            if e.action == action]  # fmt: skip


def _region(box: Box = ROCKET) -> dict[str, str]:
    return {"left": str(box.left), "top": str(box.top), "width": str(box.width),
            "height": str(box.height)}  # fmt: skip


@pytest.fixture
def cases(server: ApiServer, tmp_path: Path) -> dict[str, int]:
    """Case ``op-heron`` holds the scene and a bare wall; ``op-lark`` the rocket elsewhere among
    the console's sample photographs. Item ids by file stem."""
    api = server.api
    for name, role in (("ivy", StaffRole.INVESTIGATOR), ("ana", StaffRole.ANALYST),
                       ("sam", StaffRole.SUPERVISOR)):  # fmt: skip
        api.staff.create(name, PASSWORD, role)
    write_scene(tmp_path / "heron")
    write_wall(tmp_path / "heron")
    (tmp_path / "heron" / "notes.txt").write_text("not a picture\n")
    heron = scan_case(api, "op-heron", [tmp_path / "heron"], tmp_path / "heron.jsonl")
    write_pictures(tmp_path / "seized")
    write_elsewhere(tmp_path / "seized")
    lark = scan_case(api, "op-lark", [tmp_path / "seized"], tmp_path / "lark.jsonl")
    return {stem: item.id for case in (heron, lark) for stem, item in by_name(api, case).items()}


def test_the_item_page_links_to_tracing_and_the_page_starts_blurred(
    server: ApiServer, cases: dict[str, int]
) -> None:
    base = f"/console/cases/op-heron/items/{cases['scene']}"
    with _console(server, "ivy") as console:
        item = console.get(base)
        page = console.get(f"{base}/trace")
        revealed = console.get(f"{base}/trace?view=revealed")
        picture = console.get(f"{base}/picture?view=revealed")
    assert f'href="{base}/trace"' in item.text and "Trace an object" in item.text
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "require-trusted-types-for 'script'" in csp
    assert '<script src="/static/trace.js" defer></script>' in page.text
    # The upright size (the file is stored on its side), which the region is given in.
    width, height = UPRIGHT
    assert f'viewBox="0 0 {width} {height}"' in page.text
    assert re.search(rf'id="picture-width">{width}<.*id="picture-height">{height}<', page.text)
    assert "picture?view=blurred" in page.text and "picture?view=revealed" not in page.text
    assert 'id="reveal"' in page.text
    for name in ("left", "top", "width", "height"):
        assert re.search(rf'<input id="trace-{name}" name="{name}" type="number"', page.text)
    assert "picture?view=revealed" in revealed.text and 'id="blur"' in revealed.text
    with Image.open(io.BytesIO(picture.content)) as preview:
        assert preview.width > preview.height  # shown upright, as the region is given
    assert ("staff:ivy", "case:op-heron", "revealed") in {
        (actor, obj, d["view"]) for actor, obj, d in _events(server, "cases.media.view")
    }
    script = httpx.get(f"{server.base_url}/static/trace.js")
    assert script.status_code == 200 and "innerHTML" not in script.text


def test_the_trace_finds_the_object_in_the_other_case_and_not_the_unrelated_cat(
    server: ApiServer, cases: dict[str, int]
) -> None:
    base = f"/console/cases/op-heron/items/{cases['scene']}"
    with _console(server, "ivy") as console:
        page = console.get(f"{base}/trace")
        traced = console.post(f"{base}/trace", data={"csrf_token": form_token(page),
                                                     "view": "revealed", **_region()})
    assert traced.status_code == 200, traced.text
    hits = re.findall(r'<li class="trace-hit" id="hit-\d+">(.*?)</li>', traced.text, re.S)
    assert len(hits) == 1, traced.text
    (hit,) = hits
    elsewhere = cases["elsewhere"]
    assert f'href="/console/cases/op-lark/items/{elsewhere}"' in hit and "elsewhere.png" in hit
    verified = re.search(r"(\d+) verified keypoint pairs", hit)
    assert verified and int(verified.group(1)) >= 12
    # Shown in the blurred viewer, drawn at its own size.
    assert f"/console/cases/op-lark/items/{elsewhere}/picture?view=blurred" in hit
    assert 'viewBox="0 0 451 300"' in hit
    assert "cat.jpg" not in traced.text
    # The form keeps the region, drawn over the picture, and the view the investigator chose.
    assert 'value="250"' in traced.text and 'x="250" y="40" width="160" height="280"' in traced.text
    assert "picture?view=revealed" in traced.text
    (event,) = _events(server, "cases.trace")
    assert event[:2] == ("staff:ivy", "case:op-heron")
    details = event[2]
    assert details["region"] == [250, 40, 160, 280] and details["found"] == 1
    api = server.api
    assert details["path"] == by_name(api, api.cases.get("op-heron"))["scene"].path
    elsewhere_path = by_name(api, api.cases.get("op-lark"))["elsewhere"].path
    assert details["hits"] == [f"op-lark:{elsewhere_path}"]


def test_region_errors_are_clear_pages(server: ApiServer, cases: dict[str, int]) -> None:
    base = f"/console/cases/op-heron/items/{cases['scene']}"
    with _console(server, "ivy") as console:
        token = form_token(console.get(f"{base}/trace"))

        def post(path: str, region: tuple[int | str, ...]) -> httpx.Response:
            fields = dict(zip(("left", "top", "width", "height"), map(str, region), strict=True))
            return console.post(path, data={"csrf_token": token, **fields})

        outside = post(f"{base}/trace", (600, 300, 100, 100))
        small = post(f"{base}/trace", (10, 10, 10, 100))
        words = post(f"{base}/trace", ("left", -1, 100, 100))
        export_outside = post(f"{base}/trace/export", (600, 300, 100, 100))
        wall = f"/console/cases/op-heron/items/{cases['wall']}"
        flat = post(f"{wall}/trace", (20, 20, 200, 150))
    for page in (outside, small, words, export_outside, flat):
        assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
        assert 'id="trace-form"' in page.text  # the form again, to correct the region
    assert "lies outside the 640x427 picture" in outside.text
    assert "lies outside" in export_outside.text
    assert "Width must be at least 24 pixels" in small.text
    assert 'id="trace-width-error"' in small.text and 'aria-invalid="true"' in small.text
    assert "Left must be a whole number" in words.text and "Top cannot be negative" in words.text
    assert "0 distinctive points" in flat.text and 'id="hits"' not in flat.text
    # Only the trace that ran is logged; refused regions searched nothing.
    assert [d["found"] for _, _, d in _events(server, "cases.trace")] == [0]
    assert _events(server, "cases.trace.export") == []


def test_the_export_shows_only_the_object_and_is_logged(
    server: ApiServer, cases: dict[str, int]
) -> None:
    base = f"/console/cases/op-heron/items/{cases['scene']}"
    with _console(server, "ivy") as console:
        token = form_token(console.get(f"{base}/trace"))
        exported = console.post(f"{base}/trace/export", data={"csrf_token": token, **_region()})
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "image/png"
    assert exported.headers["cache-control"] == "no-store"
    disposition = exported.headers["content-disposition"]
    assert disposition == f'attachment; filename="appeal-op-heron-item-{cases["scene"]}.png"'
    with Image.open(io.BytesIO(exported.content)) as appeal:
        assert appeal.format == "PNG" and appeal.size == UPRIGHT
        pixels = np.asarray(appeal.convert("RGB")).astype(int)
    left, top, right, bottom = ROCKET.corners()
    outside = np.ones(pixels.shape[:2], dtype=bool)
    outside[top:bottom, left:right] = False
    assert (pixels[outside] == 128).all()
    inside = pixels[top:bottom, left:right]
    assert inside.std() > 20 and not (inside == 128).all()  # the rocket, upright and sharp
    (event,) = _events(server, "cases.trace.export")
    assert event[:2] == ("staff:ivy", "case:op-heron")
    assert event[2]["region"] == [250, 40, 160, 280]


def test_forms_need_their_token_and_investigators(
    server: ApiServer, cases: dict[str, int]
) -> None:
    base = f"/console/cases/op-heron/items/{cases['scene']}"
    with _console(server, "ivy") as console:
        for path in (f"{base}/trace", f"{base}/trace/export"):
            forged = console.post(path, data=_region())
            assert forged.status_code == 400 and "form expired" in forged.text
            wrong = console.post(path, data={"csrf_token": "x" * 43, **_region()})
            assert wrong.status_code == 400
    for who in ("ana", "sam"):
        with _console(server, who) as console:
            token = form_token(console.get("/console"))
            refused = [console.get(f"{base}/trace")] + [
                console.post(path, data={"csrf_token": token, **_region()})
                for path in (f"{base}/trace", f"{base}/trace/export")
            ]
            for response in refused:
                assert response.status_code == 403 and "Only for investigators" in response.text
                assert not response.headers["content-type"].startswith("image/")
    assert _events(server, "cases.trace") == [] and _events(server, "cases.trace.export") == []
    refusals = {(actor, obj) for actor, obj, _ in _events(server, "console.refused")}
    assert ("staff:sam", f"page:{base}/trace/export") in refusals


def test_missing_media_and_non_pictures_are_said_so(
    server: ApiServer, cases: dict[str, int], tmp_path: Path
) -> None:
    (tmp_path / "heron" / "scene.jpg").unlink()  # the seized disk moved on
    base = f"/console/cases/op-heron/items/{cases['scene']}"
    with _console(server, "ivy") as console:
        page = console.get(f"{base}/trace")
        token = form_token(page)
        traced = console.post(f"{base}/trace", data={"csrf_token": token, **_region()})
        exported = console.post(f"{base}/trace/export", data={"csrf_token": token, **_region()})
        nothing = console.get("/console/cases/op-heron/items/99999/trace")
        notes = console.get(f"/console/cases/op-heron/items/{cases['notes']}/trace")
        notes_item = console.get(f"/console/cases/op-heron/items/{cases['notes']}")
    assert page.status_code == 200 and 'id="media-missing"' in page.text
    assert 'id="trace-form"' not in page.text
    for response in (traced, exported):
        assert response.status_code == 404 and "not available" in response.text
        assert response.headers["content-type"].startswith("text/html")
    assert nothing.status_code == 404 and "No such item" in nothing.text
    assert notes.status_code == 400 and "Only pictures can be traced" in notes.text
    assert notes_item.status_code == 200 and "/trace" not in notes_item.text
    assert _events(server, "cases.trace") == []
