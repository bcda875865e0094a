"""Benign synthetic test media for the scanner tests (random-noise and gradient images only)."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np
from PIL import Image


def image_bytes(seed: int, size: tuple[int, int] = (96, 64), fmt: str = "JPEG") -> bytes:
    rng = np.random.default_rng(seed)
    width, height = size
    gradient = np.linspace(0, 255, width, dtype=np.float64)[None, :, None]
    noise = rng.integers(0, 160, (height, width, 3))
    pixels = np.clip(gradient * rng.random(3) + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt)
    return out.getvalue()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def make_tree(root: Path) -> Path:
    """``root`` with images in nested folders, a text file, a corrupt JPEG and odd names."""
    (root / "a" / "deep").mkdir(parents=True)
    (root / "b").mkdir()
    (root / "a" / "one.jpg").write_bytes(image_bytes(1))
    (root / "a" / "deep" / "two.png").write_bytes(image_bytes(2, fmt="PNG"))
    (root / "b" / "three.jpg").write_bytes(image_bytes(3))
    (root / "b" / "notes.txt").write_text("not an image\n")
    (root / "b" / "broken.jpg").write_bytes(image_bytes(4)[:200])
    (root / "with space.jpg").write_bytes(image_bytes(5))
    (root / "new\nline.jpg").write_bytes(image_bytes(6))
    (root / os.fsdecode(b"latin1-\xe9t\xe9.jpg")).write_bytes(image_bytes(7))
    return root
