"""Bulk-scan throughput: files/s of ``hashwarden scan`` with 1 and 2 Dask workers.

Makes (once, cached in bench/.cache/scan_jpegs_<count>) a folder of benign 1024x768 JPEGs cut from
scikit-image sample photographs with random crops, resizes, colour shifts and noise, then measures:

* ``single``: ``hash_media`` in a plain loop in this process (the per-core ceiling);
* ``dask-1`` and ``dask-2``: ``Scanner`` on a LocalCluster with 1 and 2 worker processes
  (cluster start-up timed separately, not counted in files/s);
* ``levels``: the single-process loop at each robust matching level (``off`` is what the
  figures above use; ``hashwarden scan`` defaults to ``standard``);
* ``case``: ``hashwarden case scan``'s work (EXIF, local features, matching, each batch saved
  to a SQLite case store) on 2 workers, against ``dask-2``.

Run heavy runs under the shared lock: ``flock /tmp/hw-bench.lock python bench/bench_scan.py``.
"""

# ruff: noqa: E402  (BLAS thread settings must be in the environment before numpy is imported)
from __future__ import annotations

import os

# One BLAS thread, as on a Dask worker: the per-core figure must not borrow the second core
# (and OpenBLAS threads slow PDQ's small matrix products down: 38 vs 64 files/s measured).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from hashwarden.core.media.hashing import hash_media
from hashwarden.core.robust.levels import RobustLevel
from hashwarden.scanning.executors import start_local_cluster
from hashwarden.scanning.runner import Scanner
from hashwarden.scanning.tasks import HashOptions

CACHE = Path(__file__).parent / ".cache"
SOURCES = (
    "astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry",
    "retina", "camera", "moon", "coins", "colorwheel",
)
SIZE = (1024, 768)


def sample_images() -> list[np.ndarray[Any, Any]]:
    import skimage.data

    images = []
    for name in SOURCES:
        pixels = np.asarray(getattr(skimage.data, name)())
        if pixels.ndim == 2:
            pixels = np.stack([pixels] * 3, axis=-1)
        images.append(pixels[..., :3].astype(np.uint8))
    return images


def make_corpus(count: int) -> list[Path]:
    """``count`` distinct JPEGs alone in a folder (cached: only missing files are made)."""
    folder = CACHE / f"scan_jpegs_{count}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"img{i:05}.jpg" for i in range(count)]
    missing = [p for p in paths if not p.exists()]
    if missing:
        sources = sample_images()
        for path in missing:
            rng = np.random.default_rng(int(path.stem[3:]))
            src = sources[int(rng.integers(len(sources)))]
            h, w = src.shape[:2]
            ch, cw = int(h * rng.uniform(0.5, 1.0)), int(w * rng.uniform(0.5, 1.0))
            top, left = int(rng.integers(h - ch + 1)), int(rng.integers(w - cw + 1))
            crop = src[top : top + ch, left : left + cw].astype(np.float64)
            crop = crop * rng.uniform(0.8, 1.2, 3) + rng.normal(0, 4, crop.shape)
            image = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8)).resize(
                SIZE, Image.Resampling.BILINEAR
            )
            image.save(path, format="JPEG", quality=int(rng.integers(75, 95)))
    return paths


def bench_single(paths: list[Path], robust: RobustLevel = RobustLevel.OFF) -> dict[str, float]:
    start = time.perf_counter()
    for path in paths:
        hash_media(path, require_image=False, robust=robust)
    elapsed = time.perf_counter() - start
    return {"files": len(paths), "seconds": round(elapsed, 2),
            "files_per_s": round(len(paths) / elapsed, 1)}


def bench_dask(folder: Path, workers: int, batch_size: int) -> dict[str, float]:
    from distributed import Client

    started = time.perf_counter()
    with start_local_cluster(workers) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        client.run(lambda: __import__("hashwarden.scanning.tasks"))  # warm imports
        startup = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            load = os.getloadavg()[0]
            start, cpu = time.perf_counter(), time.process_time()
            summary = Scanner(
                [folder], report=Path(tmp) / "r.jsonl", client=client, batch_size=batch_size,
                match=lambda hashes: [[] for _ in hashes],
            ).run()
            elapsed = time.perf_counter() - start
            driver_cpu = time.process_time() - cpu
    files = summary.progress.files_done
    return {"workers": workers, "files": files, "seconds": round(elapsed, 2),
            "files_per_s": round(files / elapsed, 1), "cluster_startup_s": round(startup, 2),
            # CPU the driver (walk, matching, report, checkpoint) took from the workers' cores.
            "driver_cpu_s": round(driver_cpu, 2),
            "loadavg_before": round(load, 2)}


def bench_case(folder: Path, workers: int, batch_size: int) -> dict[str, float]:
    """``case scan``: EXIF and local features in the workers, each batch saved to a case."""
    from distributed import Client

    from hashwarden.cases.services import CaseService, scanned_item
    from hashwarden.storage.case_store import SqlCaseStore
    from hashwarden.storage.database import create_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/case.db")
        service = CaseService(SqlCaseStore(engine))
        case = service.create("bench")

        def take_in(batch: Any) -> list[list[dict[str, object]]]:
            service.take_in(case, [scanned_item(hashes, None) for hashes in batch])
            return [[] for _ in batch]

        with start_local_cluster(workers) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
            client.run(lambda: __import__("hashwarden.scanning.tasks"))
            start = time.perf_counter()
            summary = Scanner(
                [folder], report=Path(tmp) / "r.jsonl", client=client, batch_size=batch_size,
                match=take_in, options=HashOptions(robust=RobustLevel.THOROUGH, exif=True),
            ).run()
            scanned = time.perf_counter() - start
        start = time.perf_counter()
        service.restack(case)
        restack = time.perf_counter() - start
        engine.dispose()
    files = summary.progress.files_done
    return {"workers": workers, "files": files, "seconds": round(scanned, 2),
            "files_per_s": round(files / scanned, 1), "restack_s": round(restack, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--single-files", type=int, default=300,
                        help="files hashed in the single-process loop")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()

    t0 = time.perf_counter()
    paths = make_corpus(args.files)
    corpus_s = time.perf_counter() - t0
    folder = paths[0].parent
    single = bench_single(paths[: args.single_files])
    runs = [bench_dask(folder, workers, args.batch_size) for workers in (1, 2)]
    levels = {level.value: bench_single(paths[: args.single_files], level)
              for level in RobustLevel}
    case = bench_case(folder, 2, args.batch_size)
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "corpus": {"files": len(paths), "size": list(SIZE),
                   "mean_bytes": int(sum(p.stat().st_size for p in paths) / len(paths)),
                   "prepare_s": round(corpus_s, 1)},
        "single_process": single,
        "dask": runs,
        "speedup_2_vs_1": round(runs[1]["files_per_s"] / runs[0]["files_per_s"], 2),
        "dask1_vs_single": round(runs[0]["files_per_s"] / single["files_per_s"], 2),
        "levels": levels,
        "case_scan": case,
        "case_vs_dask2": round(case["files_per_s"] / runs[1]["files_per_s"], 2),
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
