"""PDQ throughput per core: hashwarden (exact, fast) vs python-threatexchange, pdqhash, decode.

Run: ``.venv/bin/python bench/bench_pdq.py [--quick]``. Builds benign JPEGs (scikit-image sample
images resized to 1024x768 and 3000x2000) under ``bench/.cache/pdq``, then times each method in
interleaved rounds on one thread and prints the median images per second, the ratio to
python-threatexchange, and how far the fast mode's hashes drift from the exact ones.
"""

from __future__ import annotations

import os

# One core: set before numpy/BLAS load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from hashwarden.core.media.decode import open_image  # noqa: E402
from hashwarden.core.media.hashing import FAST_MIN_SIDE, hash_media  # noqa: E402
from hashwarden.core.pdq.hasher import pdq_hash_image  # noqa: E402
from hashwarden.core.pdq.hexbits import bits_to_hex, hamming_distance  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache" / "pdq"
SOURCES = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field",
           "immunohistochemistry", "retina", "camera")  # fmt: skip
SIZES = ((1024, 768), (3000, 2000))


def build_images(count: int) -> dict[tuple[int, int], list[Path]]:
    from skimage import data

    CACHE.mkdir(parents=True, exist_ok=True)
    built: dict[tuple[int, int], list[Path]] = {}
    for size in SIZES:
        paths = []
        for name in SOURCES[:count]:
            path = CACHE / f"{name}_{size[0]}x{size[1]}.jpg"
            if not path.exists():
                pixels = np.asarray(getattr(data, name)())
                image = Image.fromarray(pixels).convert("RGB")
                image = image.resize(size, Image.Resampling.BICUBIC)
                image.save(path, format="JPEG", quality=90)
            paths.append(path)
        built[size] = paths
    return built


def _decode_only(path: Path) -> object:
    with Image.open(path) as image:
        image.load()
        return image.mode


def _hashwarden_exact(path: Path) -> str:
    return pdq_hash_image(open_image(path, str(path)).image).hex


def _hashwarden_fast(path: Path) -> str:
    decoded = open_image(path, str(path), draft_min_side=FAST_MIN_SIDE)
    return pdq_hash_image(decoded.image).hex


def _hashwarden_pipeline(path: Path) -> str:
    hashes = hash_media(path)
    assert hashes.pdq is not None
    return hashes.pdq.hex


def _pdqhash(path: Path) -> str:
    import pdqhash

    with Image.open(path) as image:
        vector, _quality = pdqhash.compute(np.asarray(image.convert("RGB")))
    return bits_to_hex(np.asarray(vector, dtype=bool)[::-1])


def _threatexchange(path: Path) -> str:
    from threatexchange.signal_type.pdq.signal import PdqSignal

    return str(PdqSignal.hash_from_file(path))


METHODS: dict[str, Callable[[Path], object]] = {
    "decode only (Pillow)": _decode_only,
    "python-threatexchange": _threatexchange,
    "pdqhash (Pillow + C++)": _pdqhash,
    "hashwarden exact": _hashwarden_exact,
    "hashwarden exact + md5/sha + 8 dihedral": _hashwarden_pipeline,
    "hashwarden fast (JPEG draft)": _hashwarden_fast,
}
BASELINE = "python-threatexchange"


def measure(paths: list[Path], rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in METHODS}
    for method in METHODS.values():  # warm-up: imports, caches
        method(paths[0])
    for _ in range(rounds):
        for name, method in METHODS.items():
            start = time.perf_counter()
            for path in paths:
                method(path)
            samples[name].append(len(paths) / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in samples.items()}


def agreement(paths: list[Path]) -> tuple[int, list[int], list[int]]:
    """(bit-identical exact vs pdqhash, exact-vs-pdqhash distances, fast-vs-exact distances)."""
    exact = [_hashwarden_exact(path) for path in paths]
    reference = [_pdqhash(path) for path in paths]
    fast = [_hashwarden_fast(path) for path in paths]
    identical = sum(a == b for a, b in zip(exact, reference, strict=True))
    ref_dist = [hamming_distance(a, b) for a, b in zip(exact, reference, strict=True)]
    drift = [hamming_distance(a, b) for a, b in zip(exact, fast, strict=True)]
    return identical, ref_dist, drift


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer images and rounds")
    args = parser.parse_args()
    count, rounds = (3, 3) if args.quick else (len(SOURCES), 5)
    images = build_images(count)
    print(f"PDQ throughput, images/s on one core (median of {rounds} interleaved rounds)")
    for size, paths in images.items():
        rates = measure(paths, rounds)
        base = rates[BASELINE]
        print(f"\n{size[0]}x{size[1]} JPEG, {len(paths)} images")
        print(f"  {'method':42s} {'img/s':>8s} {'vs threatexchange':>18s}")
        for name, rate in rates.items():
            print(f"  {name:42s} {rate:8.1f} {rate / base:17.2f}x")
        identical, ref_dist, drift = agreement(paths)
        print(f"  exact vs pdqhash: {identical}/{len(paths)} bit-identical "
              f"(max distance {max(ref_dist)})")  # fmt: skip
        print(f"  fast vs exact drift: max {max(drift)} bits, mean {statistics.mean(drift):.2f}")


if __name__ == "__main__":
    main()
