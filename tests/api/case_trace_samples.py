"""Pictures that share one object, for tracing it from the console.

The scene is scikit-image's rocket, stored turned on its side with an EXIF orientation that puts
it upright again: the region is given in the upright picture's pixels, as the viewer shows it.
Elsewhere, in another case, the same rocket appears smaller over the cat photograph; the plain cat
(``write_pictures``) shares nothing with it.
"""

from __future__ import annotations

from pathlib import Path

from case_console_samples import photo
from PIL import Image

from hashwarden.cases.tracing import Box

#: The rocket itself in the upright scene (640 x 427), not the sky around it.
ROCKET = Box(250, 40, 160, 280)
UPRIGHT = (640, 427)
ORIENTATION = 0x0112


def write_scene(folder: Path) -> Path:
    """The scene, stored rotated a quarter turn with EXIF orientation 6 (rotate to view)."""
    folder.mkdir(parents=True, exist_ok=True)
    rocket = photo("rocket")
    assert rocket.size == UPRIGHT
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    scene = folder / "scene.jpg"
    rocket.transpose(Image.Transpose.ROTATE_90).save(scene, quality=92, exif=exif)
    return scene


def write_elsewhere(folder: Path) -> Path:
    """The rocket at three quarters of its size, pasted over the cat photograph."""
    folder.mkdir(parents=True, exist_ok=True)
    other = photo("chelsea")
    rocket = photo("rocket").crop(ROCKET.corners())
    other.paste(rocket.resize((rocket.width * 3 // 4, rocket.height * 3 // 4)), (20, 10))
    elsewhere = folder / "elsewhere.png"
    other.save(elsewhere)
    return elsewhere


def write_wall(folder: Path) -> Path:
    """A flat painted wall: no detail at all to trace."""
    wall = folder / "wall.png"
    Image.new("RGB", (320, 240), (150, 160, 170)).save(wall)
    return wall
