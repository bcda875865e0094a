"""The case pages read the links stored after each scan: no matching per request, and an item
shows a link found from its partner's side."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from api_helpers import ApiServer, console_sign_in
from case_console_samples import by_name, photo, scan_case, write_pictures

from hashwarden.accounts.staff_models import StaffRole
from hashwarden.cases.services import scanned_item
from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.feature_index import FeatureIndex
from hashwarden.core.robust.levels import RobustLevel

PASSWORD = "a long enough password"


def _no_matching() -> FeatureIndex:
    raise AssertionError("a page asked for feature matching")


def _text(page: httpx.Response, element_id: str) -> str:
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</(?:ul|p)>', page.text, re.S)
    assert found, f"no element {element_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_pages_show_links_stored_by_a_later_scan_from_either_end(
    server: ApiServer, tmp_path: Path
) -> None:
    api = server.api
    api.staff.create("ivy", PASSWORD, StaffRole.INVESTIGATOR)
    write_pictures(tmp_path / "seized")
    case = scan_case(api, "op-wren", [tmp_path / "seized"], tmp_path / "scan.jsonl")
    # A second scan brings a third framing of the scene: only its own features are queried,
    # so its link with left.jpg is found from its side, never from left.jpg's.
    astronaut = photo("astronaut")
    width, height = astronaut.size
    middle = tmp_path / "later" / "middle.jpg"
    middle.parent.mkdir()
    astronaut.crop((int(width * 0.15), 0, int(width * 0.85), height)).save(middle, quality=90)
    hashes = hash_media(middle.read_bytes(), name=str(middle), robust=RobustLevel.THOROUGH,
                        exif=True)
    api.cases.take_in(case, [scanned_item(hashes, None)])
    api.cases.restack(case)
    items = by_name(api, case)
    api.cases.feature_index = _no_matching  # from here on, pages may only read
    with httpx.Client(base_url=server.base_url, timeout=60) as console:
        console_sign_in(console, "ivy", PASSWORD)
        left = console.get(f"/console/cases/op-wren/items/{items['left'].id}")
        links = console.get("/console/cases/op-wren/links?kind=same-place")
        everything = console.get("/console/cases/op-wren/links")
    assert left.status_code == links.status_code == everything.status_code == 200
    shown = _text(left, "links")
    assert re.search(r"same-place \([\d.]+\) with \S*/middle\.jpg", shown)
    assert re.search(r"same-place \([\d.]+\) with \S*/right\.jpg", shown)
    assert f'/console/cases/op-wren/items/{items["middle"].id}"' in left.text
    pairs = re.findall(r'<section class="case-link" id="link-\d+".*?</section>', links.text, re.S)
    assert any("/left.jpg<" in html and "/middle.jpg<" in html for html in pairs)
    assert all("Near-duplicate" not in html for html in pairs)
    assert everything.text.count('class="case-link"') == len(pairs) + 1  # and full/full-again
