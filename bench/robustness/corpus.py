"""Benign photo corpus: scikit-image samples and Debian wallpaper packages, deduplicated, split.

Decoding multi-megapixel wallpapers is the slow part, so every candidate is decoded once,
downscaled to ``MAX_SIDE`` and cached as PNG outside the repository (default under /tmp).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from hashwarden.core.pdq.hasher import pdq_hash_image

#: Long side after load-time downscaling: sharper than any hash needs, cheap to transform.
MAX_SIDE = 1024
#: Smaller sources (icons, 256 px pattern tiles) say little about photo matching.
MIN_SIDE = 300
MIN_FILE_BYTES = 20_000
MIN_LUMA_STD = 8.0
#: Same picture in several resolutions (or a re-encode): PDQ distance at most this.
DEDUP_PDQ_DISTANCE = 40
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
#: Bump when decoding or downscaling changes, so stale caches are not reused.
CACHE_VERSION = 2

#: Natural photographs bundled with scikit-image (no download). Left out on purpose: synthetic
#: ones (binary_blobs, checkerboard, colorwheel, horse, logo, shepp_logan_phantom), scans of text
#: (page, text), the tiny microaneurysms, and ``cat``, which is ``chelsea`` again.
SKIMAGE_PHOTOS = (
    "astronaut",
    "brick",
    "camera",
    "cell",
    "chelsea",
    "clock",
    "coffee",
    "coins",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "retina",
    "rocket",
    "stereo_motorcycle",
)


@dataclass(frozen=True)
class DebianSource:
    """A wallpaper package and the folders it installs images into."""

    package: str
    roots: tuple[str, ...]


DEBIAN_SOURCES = (
    DebianSource("mate-backgrounds", ("/usr/share/backgrounds/mate",)),
    DebianSource("gnome-backgrounds", ("/usr/share/backgrounds/gnome",)),
    DebianSource("plasma-workspace-wallpapers", ("/usr/share/wallpapers",)),
    DebianSource("palapeli-data", ("/usr/share/palapeli", "/usr/share/games/palapeli")),
)


@dataclass(eq=False)
class CorpusImage:
    """One decoded, downscaled RGB image and where it came from."""

    key: str
    source: str
    original_size: tuple[int, int]
    image: Image.Image
    pdq: str = ""
    quality: int = 0


@dataclass
class Corpus:
    """Deduplicated images split into a listed set and a distractor set."""

    listed: list[CorpusImage]
    distractors: list[CorpusImage]
    dropped_duplicates: int = 0
    missing_packages: list[str] = field(default_factory=list)
    per_source: dict[str, int] = field(default_factory=dict)


def _debian_files(source: DebianSource) -> list[Path]:
    files: list[Path] = []
    for root in source.roots:
        folder = Path(root)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            # Plasma's screenshot.* are previews of an image already in contents/images.
            if path.suffix.lower() not in IMAGE_SUFFIXES or path.stem == "screenshot":
                continue
            if path.is_symlink():  # Plasma links most resolutions to one file
                continue
            if path.is_file() and path.stat().st_size >= MIN_FILE_BYTES:
                files.append(path)
    return files


def _downscale(image: Image.Image) -> Image.Image:
    rgb = _flatten(image)
    if max(rgb.size) > MAX_SIDE:
        rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return rgb


def _flatten(image: Image.Image) -> Image.Image:
    """RGB; transparent wallpapers (MATE's white-on-alpha ones) are composited onto black.

    ``convert("RGB")`` would drop the alpha channel and leave some of them plain white.
    """
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _blank(image: Image.Image) -> bool:
    """Nearly uniform: no photo, and every hash without a quality gate collides on it."""
    return float(np.asarray(image.convert("L"), dtype=np.float32).std()) < MIN_LUMA_STD


def _skimage_arrays() -> Iterator[tuple[str, np.ndarray]]:
    from skimage import data

    for name in SKIMAGE_PHOTOS:
        loader = getattr(data, name, None)
        if loader is None:
            continue
        try:
            array = loader()
        except (OSError, ValueError, ModuleNotFoundError):
            continue  # a sample that needs a download this machine cannot make
        if isinstance(array, tuple):  # stereo pairs: the left view only
            array = array[0]
        yield name, np.asarray(array)


class _Cache:
    """Decoded candidates as PNG files plus a JSON manifest, keyed by path, size and mtime."""

    def __init__(self, root: Path) -> None:
        self.folder = root / f"corpus-v{CACHE_VERSION}-{MAX_SIDE}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.manifest_path = self.folder / "manifest.json"
        self.entries: dict[str, dict[str, object]] = {}
        if self.manifest_path.is_file():
            self.entries = json.loads(self.manifest_path.read_text())
        self.dirty = False

    def get(self, key: str, stamp: str) -> tuple[Image.Image, dict[str, object]] | None:
        entry = self.entries.get(key)
        if entry is None or entry.get("stamp") != stamp:
            return None
        path = self.folder / str(entry["file"])
        if not path.is_file():
            return None
        with Image.open(path) as stored:
            return stored.convert("RGB"), entry

    def put(self, key: str, stamp: str, image: Image.Image, meta: dict[str, object]) -> None:
        name = hashlib.sha256(key.encode()).hexdigest()[:20] + ".png"
        image.save(self.folder / name, optimize=False, compress_level=1)
        self.entries[key] = {"stamp": stamp, "file": name, **meta}
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.manifest_path.write_text(json.dumps(self.entries, indent=1, sort_keys=True))


def _candidates(cache: _Cache) -> tuple[list[CorpusImage], list[str], dict[str, str]]:
    """Every decodable candidate, the missing packages, and each candidate's file digest."""
    found: list[CorpusImage] = []
    digests: dict[str, str] = {}
    missing: list[str] = []
    for name, array in _skimage_arrays():
        key = f"scikit-image/{name}"
        stamp = f"skimage:{array.shape}:{hashlib.sha256(array.tobytes()).hexdigest()[:16]}"
        hit = cache.get(key, stamp)
        if hit is None:
            image = _downscale(Image.fromarray(array.astype(np.uint8)))
            size = (int(array.shape[1]), int(array.shape[0]))
            cache.put(key, stamp, image, {"size": list(size), "digest": stamp})
            hit = cache.get(key, stamp)
        assert hit is not None
        image, meta = hit
        found.append(CorpusImage(key, "scikit-image", _size(meta), image))
        digests[key] = str(meta["digest"])
    for source in DEBIAN_SOURCES:
        files = _debian_files(source)
        if not files:
            missing.append(source.package)
            continue
        for path in files:
            key = f"{source.package}:{path}"
            info = path.stat()
            stamp = f"file:{info.st_size}:{info.st_mtime_ns}"
            hit = cache.get(key, stamp)
            if hit is None:
                try:
                    with Image.open(path) as opened:
                        original = opened.size
                        image = _downscale(opened)
                except OSError:
                    continue
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                cache.put(key, stamp, image, {"size": list(original), "digest": digest})
                hit = cache.get(key, stamp)
            assert hit is not None
            image, meta = hit
            found.append(CorpusImage(key, source.package, _size(meta), image))
            digests[key] = str(meta["digest"])
    return found, missing, digests


def _size(meta: dict[str, object]) -> tuple[int, int]:
    size = meta["size"]
    assert isinstance(size, list)
    return int(size[0]), int(size[1])


def _deduplicate(images: list[CorpusImage], digests: dict[str, str]) -> list[CorpusImage]:
    """Keep the largest original of every group of identical files or PDQ-near copies."""
    parent = list(range(len(images)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bits = np.array(
        [np.unpackbits(np.frombuffer(bytes.fromhex(item.pdq), dtype=np.uint8)) for item in images]
    ).astype(bool)
    distances = (bits[:, None, :] != bits[None, :, :]).sum(axis=2)
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            same_file = digests[images[i].key] == digests[images[j].key]
            if same_file or distances[i, j] <= DEDUP_PDQ_DISTANCE:
                parent[root(j)] = root(i)
    families: dict[str, int] = {}
    for index, item in enumerate(images):
        first = families.setdefault(family(item.key), index)
        parent[root(index)] = root(first)
    best: dict[int, CorpusImage] = {}
    for index, item in enumerate(images):
        group = root(index)
        current = best.get(group)
        if current is None or _area(item) > _area(current):
            best[group] = item
    return sorted(best.values(), key=lambda item: item.key)


def family(key: str) -> str:
    """Variants of one artwork: a Plasma wallpaper folder, or a name without a light/dark mark.

    Plasma ships crops for other aspect ratios and a dark edition; GNOME and MATE ship light and
    dark pairs. They are too far apart in PDQ to merge, yet one of them on each side of the split
    would make a derived image count as a negative.
    """
    path = Path(key.split(":", 1)[-1])
    if "/wallpapers/" in key and "contents" in path.parts:
        return "plasma/" + path.parts[path.parts.index("contents") - 1]
    stem = re.sub(r"[-_](l|d|light|dark)$", "", path.stem, flags=re.IGNORECASE)
    return f"{key.split(':', 1)[0]}/{stem.lower()}"


def _area(item: CorpusImage) -> tuple[int, str]:
    # The key breaks ties, so the kept copy never depends on scan order.
    return item.original_size[0] * item.original_size[1], item.key


def split(images: Sequence[CorpusImage], seed: int) -> tuple[list[CorpusImage], list[CorpusImage]]:
    """Per source, shuffle by seed and alternate: both halves get every source.

    Each half is ordered round-robin over the sources, so any prefix (``--quick``) mixes them.
    """
    halves: tuple[list[list[CorpusImage]], list[list[CorpusImage]]] = ([], [])
    sources = sorted({item.source for item in images})
    for number, source in enumerate(sources):
        group = sorted((item for item in images if item.source == source), key=lambda i: i.key)
        order = np.random.default_rng([seed, 11, number]).permutation(len(group))
        picked: tuple[list[CorpusImage], list[CorpusImage]] = ([], [])
        for position, index in enumerate(order):
            # Odd-sized sources alternate which half gets the extra image.
            picked[(position + number) % 2].append(group[int(index)])
        halves[0].append(picked[0])
        halves[1].append(picked[1])
    return _round_robin(halves[0]), _round_robin(halves[1])


def _round_robin(groups: list[list[CorpusImage]]) -> list[CorpusImage]:
    longest = max((len(group) for group in groups), default=0)
    return [group[i] for i in range(longest) for group in groups if i < len(group)]


def load_corpus(cache_root: Path, seed: int, limit_listed: int | None = None) -> Corpus:
    """Scan, decode (cached), gate on size, deduplicate and split the corpus."""
    cache = _Cache(cache_root)
    found, missing, digests = _candidates(cache)
    cache.save()
    usable = [
        item for item in found if min(item.original_size) >= MIN_SIDE and not _blank(item.image)
    ]
    for item in usable:
        result = pdq_hash_image(item.image)
        item.pdq, item.quality = result.hex, result.quality
    unique = _deduplicate(usable, digests)
    listed, distractors = split(unique, seed)
    if limit_listed is not None:
        listed, distractors = listed[:limit_listed], distractors[:limit_listed]
    per_source: dict[str, int] = {}
    for item in unique:
        per_source[item.source] = per_source.get(item.source, 0) + 1
    return Corpus(listed, distractors, len(usable) - len(unique), missing, per_source)


def tile_count(target_pairs: int, n_listed: int, n_distractors: int) -> int:
    """Tiles needed so that (distractor images + tiles) x listed reaches ``target_pairs``."""
    return max(0, math.ceil(target_pairs / max(n_listed, 1)) - n_distractors)


def make_tile(distractors: Sequence[CorpusImage], index: int, seed: int) -> Image.Image:
    """Tile ``index``: a seeded 30-70% crop (per side) of a distractor, resized to 256-512 px."""
    rng = np.random.default_rng([seed, 17, index])
    source = distractors[int(rng.integers(len(distractors)))].image
    width, height = source.size
    crop_w = max(8, round(width * rng.uniform(0.3, 0.7)))
    crop_h = max(8, round(height * rng.uniform(0.3, 0.7)))
    left = int(rng.integers(0, width - crop_w + 1))
    top = int(rng.integers(0, height - crop_h + 1))
    tile = source.crop((left, top, left + crop_w, top + crop_h))
    # Hashes are scale-insensitive by design; smaller tiles keep 3M pairs affordable.
    long_side = int(rng.integers(256, 513))
    scale = long_side / max(crop_w, crop_h)
    size = (max(8, round(crop_w * scale)), max(8, round(crop_h * scale)))
    return tile.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
