"""Investigators' case pages through the real server, on a case the real scanner built."""

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
from case_console_samples import CATEGORY, KNOWN, by_name, scan_case, write_pictures
from PIL import Image, ImageFilter

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.hotline.models import ReportForm, ReportKind
from video_samples import write_video

PASSWORD = "a long enough password"


@contextmanager
def _console(server: ApiServer, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        console_sign_in(client, username, PASSWORD)
        yield client


def _text(page: httpx.Response, element_id: str) -> str:
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</(?:table|dl|ul|p|div)>',
                      page.text, re.S)  # fmt: skip
    assert found, f"no element {element_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def _events(server: ApiServer, prefix: str) -> list[tuple[str, str, str, dict[str, object]]]:
    return [(e.actor, e.action, e.object, e.details) for e in server.api.audit_log.events()
            if e.action.startswith(prefix)]  # fmt: skip


def _sharpness(jpeg: bytes) -> float:
    grey = Image.open(io.BytesIO(jpeg)).convert("L")
    edges = np.asarray(grey.filter(ImageFilter.FIND_EDGES), dtype=np.float64)
    return float(edges[2:-2, 2:-2].std())  # the filter's own frame is an edge everywhere


@pytest.fixture
def seized(server: ApiServer, tmp_path: Path) -> dict[str, int]:
    """Case ``op-lark`` scanned from benign photographs; item ids by file stem."""
    api = server.api
    for name, role in (("ivy", StaffRole.INVESTIGATOR), ("ana", StaffRole.ANALYST),
                       ("sam", StaffRole.SUPERVISOR)):  # fmt: skip
        api.staff.create(name, PASSWORD, role)
    write_pictures(tmp_path / "seized")
    case = scan_case(api, "op-lark", [tmp_path / "seized"], tmp_path / "scan.jsonl")
    return {stem: item.id for stem, item in by_name(api, case).items()}


def test_case_pages_are_for_investigators_and_hotline_pages_are_not(
    server: ApiServer, seized: dict[str, int]
) -> None:
    reference = server.api.reports.submit(
        ReportForm(ReportKind.CSAM, url="https://host.test/a"), follow_up=False
    ).reference
    item = seized["left"]
    case_paths = ["/console/cases", "/console/cases/op-lark", "/console/cases/op-lark/links",
                  f"/console/cases/op-lark/items/{item}",
                  f"/console/cases/op-lark/items/{item}/picture?view=revealed"]  # fmt: skip
    for who in ("ana", "sam"):
        with _console(server, who) as console:
            assert 'href="/console/cases"' not in console.get("/console").text
            for path in case_paths:
                refused = console.get(path)
                assert refused.status_code == 403, (who, path)
                assert "Only for investigators" in refused.text
                assert not refused.headers["content-type"].startswith("image/")
    hotline_paths = ["/console?status=all", f"/console/reports/{reference}", "/console/review",
                     "/console/dashboard", "/console/team", "/console/items/1"]  # fmt: skip
    with _console(server, "ivy") as console:
        landing = console.get("/console", follow_redirects=True)
        assert landing.url.path == "/console/cases"
        assert 'href="/console/cases"' in landing.text
        assert 'href="/console/review"' not in landing.text  # no hotline links in the menu
        for path in hotline_paths:
            refused = console.get(path)
            assert refused.status_code == 403, path
            assert "Only for hotline staff" in refused.text
            assert reference not in refused.text
        form = console.get("/console/cases")
        posted = console.post(f"/console/reports/{reference}/status",
                              data={"csrf_token": form_token(form), "status": "closed"})
        assert posted.status_code == 403
        # Signing out works for every role.
        console.post("/console/logout", data={"csrf_token": form_token(form)})
        assert console.get("/console/cases").status_code == 303
    with httpx.Client(base_url=server.base_url) as anonymous:
        gone = anonymous.get("/console/cases/op-lark")
        assert gone.status_code == 303 and gone.headers["location"] == "/console/login"
    refusals = {(actor, obj) for actor, _, obj, _ in _events(server, "console.refused")}
    assert ("staff:ana", f"page:/console/cases/op-lark/items/{item}/picture") in refusals
    assert ("staff:ivy", f"page:/console/reports/{reference}") in refusals
    assert _events(server, "cases.") == []  # nothing of the case was shown to anyone


def test_a_supervisor_creates_an_investigator_account(server: ApiServer) -> None:
    server.api.staff.create("sam", PASSWORD, StaffRole.SUPERVISOR)
    with _console(server, "sam") as console:
        team = console.get("/console/team")
        assert '<option value="investigator">' in team.text
        created = console.post("/console/team", data={
            "csrf_token": form_token(team), "username": "ivy", "role": "investigator",
            "password": PASSWORD,
        })  # fmt: skip
        assert created.status_code == 303
    user = server.api.staff.user("ivy")
    assert user is not None and user.role is StaffRole.INVESTIGATOR


def test_the_case_list_and_the_case_start_from_what_is_new(
    server: ApiServer, seized: dict[str, int]
) -> None:
    with _console(server, "ivy") as console:
        listing = console.get("/console/cases")
        row = _text(listing, "case-op-lark")
        # 6 items: 1 known (coffee), 5 new of which full and full-again are one stack.
        assert row.startswith("op-lark benign test photographs 6 5 1 5 6 0 0 0"), row
        new = console.get("/console/cases/op-lark")
        stacks = console.get("/console/cases/op-lark?show=stacks")
        known = console.get("/console/cases/op-lark?show=known")
    assert new.status_code == 200 and new.headers["cache-control"] == "no-store"
    rows = re.findall(r'<tr id="item-(\d+)">', new.text)
    stack = min(seized["full"], seized["full-again"])  # its first item stands for a stack
    # One row per new picture: the two copies of the astronaut are one.
    assert [int(r) for r in rows] == sorted([seized["left"], seized["right"], stack, seized["cat"]])
    assert f'href="/console/cases/op-lark/items/{seized["left"]}"' in new.text
    assert "New (4)" in new.text and "Known to the lists (1)" in new.text
    full = _text(stacks, f"item-{stack}")
    assert "full" in full and " 1 " in f" {full} " and full.endswith("new")
    assert re.findall(r'<tr id="item-(\d+)">', known.text) == [str(seized["coffee"])]
    assert CATEGORY in known.text and KNOWN.list_name in known.text
    views = _events(server, "cases.view")
    assert [(actor, obj, details["section"]) for actor, _, obj, details in views] == [
        ("staff:ivy", "case:op-lark", "new"), ("staff:ivy", "case:op-lark", "stacks"),
        ("staff:ivy", "case:op-lark", "known"),
    ]


def test_the_item_page_shows_hashes_exif_match_stack_and_links(
    server: ApiServer, seized: dict[str, int]
) -> None:
    case = server.api.cases.get("op-lark")
    items = by_name(server.api, case)
    server.api.cases.create_series(case, "hallway", [items["left"].path], "staff:ivy")
    with _console(server, "ivy") as console:
        full = console.get(f"/console/cases/op-lark/items/{seized['full']}")
        left = console.get(f"/console/cases/op-lark/items/{seized['left']}")
        coffee = console.get(f"/console/cases/op-lark/items/{seized['coffee']}")
        elsewhere = console.get(f"/console/cases/nope/items/{seized['full']}")
    assert full.status_code == 200
    assert items["full"].item.sha256 in full.text and items["full"].item.md5 in full.text
    assert items["full"].item.pdq is not None and items["full"].item.pdq in full.text
    assert "full-again.jpg" in _text(full, "stack")
    assert "near-duplicate" in _text(full, "links")
    assert "same-place" in _text(left, "links") and "right.jpg" in _text(left, "links")
    assert _text(left, "series") == "hallway" and "In no series" in _text(full, "series")
    assert 'id="picture"' in left.text and "view=blurred" in left.text
    assert "view=revealed" not in left.text and 'id="reveal"' in left.text
    assert CATEGORY in _text(coffee, "known") and "No list knows" in _text(full, "known")
    with _console(server, "ivy") as console:
        cat = console.get(f"/console/cases/op-lark/items/{seized['cat']}")
    assert "Benign Camera Co" in _text(cat, "exif") and "Model 7" in _text(cat, "exif")
    assert "No EXIF facts" in _text(full, "exif")
    assert elsewhere.status_code == 404
    viewed = {(d["path"], d["view"]) for _, _, _, d in _events(server, "cases.item.view")}
    assert (items["left"].path, "blurred") in viewed


def test_pictures_are_blurred_on_the_server_until_revealed_and_every_view_is_logged(
    server: ApiServer, seized: dict[str, int]
) -> None:
    base = f"/console/cases/op-lark/items/{seized['cat']}"
    with _console(server, "ivy") as console:
        default = console.get(f"{base}/picture")
        blurred = console.get(f"{base}/picture?view=blurred")
        revealed = console.get(f"{base}/picture?view=revealed")
        page = console.get(f"{base}?view=revealed")
    for response in (default, blurred, revealed):
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["cache-control"] == "no-store"
    assert default.content == blurred.content != revealed.content
    with Image.open(io.BytesIO(blurred.content)) as small:
        assert small.mode == "L" and max(small.size) <= 640  # grey and scaled down
    with Image.open(io.BytesIO(revealed.content)) as sharp:
        assert sharp.mode == "RGB"
    assert _sharpness(blurred.content) < _sharpness(revealed.content) / 4
    assert "view=revealed" in page.text and 'id="blur"' in page.text
    cat = by_name(server.api, server.api.cases.get("op-lark"))["cat"].path
    media = [(actor, obj, d["path"], d["view"])
             for actor, _, obj, d in _events(server, "cases.media.view")]  # fmt: skip
    assert media == [("staff:ivy", "case:op-lark", cat, view)
                     for view in ("blurred", "blurred", "revealed")]  # fmt: skip


def test_the_links_page_draws_the_matched_regions(
    server: ApiServer, seized: dict[str, int]
) -> None:
    with _console(server, "ivy") as console:
        page = console.get("/console/cases/op-lark/links")
        assert page.status_code == 200
        sections = dict(re.findall(
            r'<section class="case-link" id="link-(\d+)".*?(<h2.*?)</section>', page.text, re.S
        ))  # fmt: skip
        # The two framings of one scene: linked by place, though PDQ sees two pictures.
        (number,) = [n for n, html in sections.items() if "/left.jpg<" in html
                     and "/right.jpg<" in html]  # fmt: skip
        revealed = console.get(f"/console/cases/op-lark/links?reveal={number}")
    crops = sections[number]
    assert "Same place" in crops
    svgs = re.findall(r"<svg .*?</svg>", crops, re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert "picture?view=blurred" in svg
        assert len(re.findall(r'<circle class="matched-point"', svg)) >= 20
        assert 'class="matched-hull"' in svg and 'class="matched-box"' in svg
    near = [html for html in sections.values() if "Near-duplicate" in html]
    assert len(near) == 1 and "/full.jpg<" in near[0] and "/full-again.jpg<" in near[0]
    assert "matched-point" not in near[0]
    assert not any("cat.jpg" in html or "coffee.jpg" in html for html in sections.values())
    assert revealed.text.count("picture?view=revealed") == 2
    logged = [d for _, _, _, d in _events(server, "cases.links.view")]
    assert logged[0]["view"] == "blurred" and logged[1]["view"] == "revealed"
    shown = logged[1]["revealed"]
    assert isinstance(shown, list) and {Path(p).name for p in shown} == {"left.jpg", "right.jpg"}


def test_missing_media_are_said_so_not_a_server_error(
    server: ApiServer, seized: dict[str, int], tmp_path: Path
) -> None:
    (tmp_path / "seized" / "left.jpg").unlink()  # the seized disk moved on
    base = f"/console/cases/op-lark/items/{seized['left']}"
    with _console(server, "ivy") as console:
        page = console.get(base)
        picture = console.get(f"{base}/picture?view=revealed")
        links = console.get("/console/cases/op-lark/links")
    assert page.status_code == 200
    assert "not available" in _text(page, "media-missing") and 'id="picture"' not in page.text
    assert picture.status_code == 404 and "not available" in picture.text
    assert picture.headers["cache-control"] == "no-store"
    assert links.status_code == 200 and "media-missing" in links.text
    attempts = [d["view"] for _, _, _, d in _events(server, "cases.media.view")]
    assert attempts == ["revealed"]


def test_a_video_shows_its_first_still_blurred_until_revealed(
    server: ApiServer, tmp_path: Path
) -> None:
    server.api.staff.create("ivy", PASSWORD, StaffRole.INVESTIGATOR)
    (tmp_path / "seized").mkdir()
    write_video(tmp_path / "seized" / "clip.mp4", seconds=2, rate=10, width=160, height=120,
                style=4)  # fmt: skip
    case = scan_case(server.api, "op-wren", [tmp_path / "seized"], tmp_path / "scan.jsonl")
    (clip,) = server.api.cases.items(case)
    assert clip.item.media_type == "video"
    base = f"/console/cases/op-wren/items/{clip.id}"
    with _console(server, "ivy") as console:
        page = console.get(base)
        blurred = console.get(f"{base}/picture")
        revealed = console.get(f"{base}/picture?view=revealed")
    assert "first still of the video" in page.text and "<video" not in page.text
    assert re.search(r"<dt>vPDQ</dt><dd>[1-9]\d* frame hashes</dd>", page.text)
    for response in (blurred, revealed):
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert _sharpness(blurred.content) < _sharpness(revealed.content)
