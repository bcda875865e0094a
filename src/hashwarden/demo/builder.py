"""The demo: a block list built from bundled benign images, and edited copies to screen.

The bundled images (scikit-image sample data, no copyright restrictions) stand in for listed
material; nothing here is or resembles abusive content.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PIL import Image, ImageOps

from hashwarden.core.errors import ListNotFoundError
from hashwarden.core.lists.models import Category, EntryData
from hashwarden.core.lists.services import ImportSummary, ListService
from hashwarden.core.media.hashing import hash_media

DEMO_LIST = "demo-known"
LISTED = ("astronaut", "coffee", "chelsea", "rocket")
UNLISTED = ("hubble_deep_field", "retina")


@dataclass(frozen=True, slots=True)
class DemoUpload:
    path: Path
    #: What was done to the original, for the demo's table.
    edit: str
    #: Whether a correct matcher reports it.
    expect_match: bool


def bundled_image(name: str) -> Path:
    resource = resources.files("hashwarden.demo") / "images" / f"{name}.jpg"
    with resources.as_file(resource) as path:
        return Path(path)


def ensure_demo_list(service: ListService) -> ImportSummary:
    """Create the demo list if needed and (re-)add the listed images; idempotent."""
    try:
        service.get_list(DEMO_LIST)
    except ListNotFoundError:
        service.create_list(
            DEMO_LIST,
            description="Benign sample images standing in for known material (demo only)",
            classification_scheme="demo",
        )
    entries = []
    for name in LISTED:
        hashes = hash_media(bundled_image(name), name=f"{name}.jpg")
        entries.append(
            EntryData(
                signals=tuple(hashes.signals()),
                category=Category("demo", "known-test-image"),
                source="hashwarden-demo",
                external_id=name,
                added_by="demo",
            )
        )
    return service.add_entries(DEMO_LIST, entries, actor="demo")


def write_demo_uploads(folder: Path) -> list[DemoUpload]:
    """Edited copies of listed images (which must match) and unlisted ones (which must not)."""
    folder.mkdir(parents=True, exist_ok=True)
    uploads: list[DemoUpload] = []
    for name in LISTED:
        with Image.open(bundled_image(name)) as opened:
            original = opened.convert("RGB")
        edits = {
            "recompressed": (original, {"quality": 45}),
            "resized-60pct": (
                original.resize((original.width * 3 // 5, original.height * 3 // 5)), {}
            ),
            "mirrored": (ImageOps.mirror(original), {}),
            "rotated-90": (original.rotate(90, expand=True), {}),
        }
        for edit, (image, save_options) in edits.items():
            path = folder / f"{name}-{edit}.jpg"
            image.save(path, quality=save_options.get("quality", 90))
            uploads.append(DemoUpload(path, edit, expect_match=True))
    for name in UNLISTED:
        path = folder / f"{name}-unlisted.jpg"
        with Image.open(bundled_image(name)) as opened:
            opened.convert("RGB").save(path, quality=90)
        uploads.append(DemoUpload(path, "not in the list", expect_match=False))
    flat = folder / "blank-low-quality.png"
    Image.new("RGB", (320, 240), (200, 200, 200)).save(flat)
    uploads.append(DemoUpload(flat, "flat image: PDQ quality too low", expect_match=False))
    return uploads
