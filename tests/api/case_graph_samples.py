"""A scanned case whose benign photographs carry EXIF cameras, times and GPS positions.

kitchen and hall are ~30 m apart in Sydney (one place suggestion), launch has a time but no GPS,
cat has an unsigned GPS fix (never placed) and no time, and coffee records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import skimage.data
from PIL import ExifTags, Image

from hashwarden.api.services import ApiServices
from hashwarden.cases.models import Case
from hashwarden.cases.services import scanned_item
from hashwarden.config import decode_limits
from hashwarden.core.media.models import MediaHashes
from hashwarden.scanning.runner import Scanner
from hashwarden.scanning.tasks import HashOptions

PASSWORD = "a long enough password"
DMS = tuple[float, float, float]


def photo(name: str) -> Image.Image:
    return Image.fromarray(np.asarray(getattr(skimage.data, name)())).convert("RGB")


def exif(taken: str | None, lat: DMS | None = None, *, model: str = "EOS 5D",
         serial: str = "", hemispheres: bool = True) -> Image.Exif:  # fmt: skip
    found = Image.Exif()
    found[ExifTags.Base.Make] = "Canon"
    found[ExifTags.Base.Model] = model
    details = found.get_ifd(ExifTags.IFD.Exif)
    if taken:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if serial:
        details[ExifTags.Base.BodySerialNumber] = serial
    if lat is not None:
        gps = found.get_ifd(ExifTags.IFD.GPSInfo)
        gps.update({ExifTags.GPS.GPSLatitude: lat, ExifTags.GPS.GPSLongitude: (151.0, 12.0, 30.0)})
        if hemispheres:
            gps.update({ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLongitudeRef: "E"})
    return found


def write_seized(folder: Path) -> dict[str, str]:
    """The seized folder: file stem -> path as the case stores it."""
    folder.mkdir(parents=True, exist_ok=True)
    photo("coffee").save(folder / "kitchen.jpg", quality=90, exif=exif(
        "2024:05:01 18:00:00", (33.0, 52.0, 10.0), serial="SN-4711"))
    photo("astronaut").save(folder / "hall.jpg", quality=90, exif=exif(
        "2024:05:01 09:30:00", (33.0, 52.0, 11.0), serial="SN-4711"))
    photo("rocket").save(folder / "launch.jpg", quality=90, exif=exif(
        "2024:04:30 23:59:00", model="EOS R6"))
    photo("chelsea").save(folder / "cat.jpg", quality=90, exif=exif(
        None, (12.0, 0.0, 0.0), hemispheres=False))
    photo("immunohistochemistry").save(folder / "slide.jpg", quality=90)
    return {path.stem: str(path) for path in folder.iterdir()}


def scan_case(api: ApiServices, name: str, roots: Sequence[Path], report: Path) -> Case:
    """Create case ``name`` and scan ``roots`` into it as ``hashwarden case scan`` does."""
    case = api.cases.create(name, "benign test photographs")

    def take_in(batch: Sequence[MediaHashes]) -> list[list[dict[str, object]]]:
        api.cases.take_in(case, [scanned_item(h, None) for h in batch])
        return [[] for _ in batch]

    options = HashOptions(limits=decode_limits(), exif=True)
    Scanner(list(roots), report=report, match=take_in, workers=0, options=options).run()
    api.cases.restack(case)
    return case
