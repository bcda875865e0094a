"""Real multi-view photo sets shipped by packages: OpenCV's sample data and scikit-image.

``opencv-doc`` (Debian) installs OpenCV's sample images, among them the classic multi-view
pairs: the Graffiti wall from two angles (Mikolajczyk's viewpoint set), two aerial shots, a
Leuven street, a Middlebury stereo pair, optical-flow frame pairs, and a stereo calibration
series (one office, a chessboard held in 13 places, two cameras). scikit-image bundles the
Middlebury motorcycle stereo pair. Files are read as they are shipped (a case scan reads the
file's bytes); other sample photos from the same folder are single-view distractors.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from same_place.views import View, Window

OPENCV_PACKAGE = "opencv-doc"
OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
#: Scene name -> files showing it (all pairs within a scene are positives).
OPENCV_SCENES: dict[str, tuple[str, ...]] = {
    "graffiti wall (viewpoint)": ("graf1.png", "graf3.png"),
    "aerial city": ("aero1.jpg", "aero3.jpg"),
    "Leuven street": ("leuvenA.jpg", "leuvenB.jpg"),
    "books on a floor (stereo)": ("left.jpg", "right.jpg"),
    "aloe (Middlebury stereo)": ("aloeL.jpg", "aloeR.jpg"),
    "basketball (flow frames)": ("basketball1.png", "basketball2.png"),
    "rubber whale (flow frames)": ("rubberwhale1.png", "rubberwhale2.png"),
    "Suzanne (rendered, 2 views)": ("Blender_Suzanne1.jpg", "Blender_Suzanne2.jpg"),
    "office with chessboard (stereo calibration)": tuple(
        f"{side}{number:02d}.jpg" for side in ("left", "right")
        for number in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14)
    ),
}
#: Single photos of other places: negatives only.
OPENCV_SINGLES = ("building.jpg", "home.jpg", "fruits.jpg", "baboon.jpg", "board.jpg",
                  "stuff.jpg", "smarties.png", "butterfly.jpg", "orange.jpg", "apple.jpg",
                  "starry_night.jpg", "sudoku.png")
_NO_WINDOW = Window(0.0, 0.0, 1.0, 1.0)


@dataclass
class RealSet:
    views: list[View]
    scene_names: list[str]
    missing_package: str | None


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def load_real_sets() -> RealSet:
    """Every installed multi-view set; ``missing_package`` names OpenCV's when it is absent."""
    views: list[View] = []
    names: list[str] = []
    missing = None if OPENCV_DATA.is_dir() else OPENCV_PACKAGE
    if missing is None:
        for name, files in OPENCV_SCENES.items():
            present = [OPENCV_DATA / f for f in files if (OPENCV_DATA / f).is_file()]
            if len(present) < 2:
                continue
            names.append(name)
            views += [View(len(names) - 1, "real", _NO_WINDOW, p.read_bytes()) for p in present]
        for single in OPENCV_SINGLES:
            path = OPENCV_DATA / single
            if path.is_file():
                names.append(f"single: {single}")
                views.append(View(len(names) - 1, "real", _NO_WINDOW, path.read_bytes()))
    from skimage import data

    left, right, _ = data.stereo_motorcycle()  # type: ignore[no-untyped-call]
    names.append("motorcycle (Middlebury stereo, scikit-image)")
    views += [View(len(names) - 1, "real", _NO_WINDOW, _png(side)) for side in (left, right)]
    return RealSet(views, names, missing)
