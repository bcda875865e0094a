"""A real case for the console tests: benign scikit-image photographs scanned by the scanner.

Two framings of one scene (a same-place link), a recompressed copy (a near-duplicate, one
stack), an unrelated cat, and a picture a list "knows" (its scan result carries the list match,
as the matcher's would).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image

from hashwarden.api.services import ApiServices
from hashwarden.cases.models import Case, CaseItem, KnownMatch
from hashwarden.cases.services import scanned_item
from hashwarden.config import decode_limits
from hashwarden.core.media.models import MediaHashes
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.scanning.runner import Scanner
from hashwarden.scanning.tasks import HashOptions

CATEGORY = "A1 sample category"
MAKE, MODEL = 0x010F, 0x0110
KNOWN = KnownMatch("iwf-sample", 7, "pdq", 0, CATEGORY)


def photo(name: str) -> Image.Image:
    return Image.fromarray(np.asarray(getattr(skimage.data, name)())).convert("RGB")


def write_pictures(folder: Path) -> dict[str, Path]:
    """The seized folder: name -> file."""
    folder.mkdir(parents=True, exist_ok=True)
    astronaut = photo("astronaut")
    width, height = astronaut.size
    pictures = {
        "left": (astronaut.crop((0, 0, int(width * 0.7), height)), 90),
        "right": (astronaut.crop((int(width * 0.3), 0, width, height)), 90),
        "full": (astronaut, 90),
        "full-again": (astronaut, 70),
        "cat": (photo("chelsea"), 90),
        "coffee": (photo("coffee"), 90),
    }
    files = {}
    for name, (image, quality) in pictures.items():
        files[name] = folder / f"{name}.jpg"
        exif = Image.Exif()
        if name == "cat":  # the camera, as EXIF records it
            exif[MAKE], exif[MODEL] = "Benign Camera Co", "Model 7"
        image.save(files[name], quality=quality, exif=exif)
    return files


def scan_case(api: ApiServices, name: str, roots: Sequence[Path], report: Path,
              known: Sequence[str] = ("coffee.jpg",)) -> Case:  # fmt: skip
    """Create case ``name`` and scan ``roots`` into it as ``hashwarden case scan`` does."""
    case = api.cases.create(name, "benign test photographs")

    def take_in(batch: Sequence[MediaHashes]) -> list[list[dict[str, object]]]:
        items = [scanned_item(h, None) for h in batch]
        items = [dataclasses.replace(i, known=KNOWN) if Path(i.path).name in known else i
                 for i in items]  # fmt: skip
        api.cases.take_in(case, items)
        return [[] for _ in batch]

    options = HashOptions(limits=decode_limits(), robust=RobustLevel.THOROUGH, exif=True)
    Scanner(list(roots), report=report, match=take_in, workers=0, options=options).run()
    api.cases.restack(case)
    return case


def by_name(api: ApiServices, case: Case) -> dict[str, CaseItem]:
    return {Path(item.path).stem: item for item in api.cases.items(case)}
