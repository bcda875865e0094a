"""Video hashing (vPDQ) on one core: hashwarden vs Meta's ``vpdq`` package, side by side.

Run: ``.venv/bin/python bench/bench_video.py [--quick] [--runs 3] [--cpu N]``.

Videos. Two benign synthetic clips are encoded once with PyAV and cached under
``bench/.cache/video``: a slow pan and zoom across scikit-image sample images (astronaut, coffee,
chelsea, rocket; a hard cut every 2.5 s), H.264 (libx264, else MPEG-4 Part 2), yuv420p, 30 fps,
10 s, at 1280x720 and 1920x1080. The pan/zoom path comes from a seeded generator and the encoder
runs single-threaded, so the files are the same on every machine with the same FFmpeg.

Method. Each measurement is a fresh subprocess (this script with ``--worker``) that pins itself
to one CPU with ``os.sched_setaffinity`` before importing anything, then times the hashing call
alone (``time.perf_counter`` around it; interpreter start-up and imports are excluded) and its
CPU time. Decoding is single-threaded for both tools: hashwarden is called with ``threads=1``
(its FFmpeg decoder threads); vpdq sets its decoder's ``thread_count = 0`` (auto) with slice
threading, and FFmpeg's auto count is ``av_cpu_count()``, which honours the affinity mask, so it
also decodes on one thread; vpdq's own hashing threads are set with ``thread_count=1`` (its
default, ``std::thread::hardware_concurrency()``, ignores the mask). Two modes: one hash per
second (``seconds_per_hash=1``; both tools hash every 30th frame of a 30 fps video) and every
frame. Runs are interleaved (run 1 of every tool and mode, then run 2, ...); the table shows the
median of ``--runs`` runs: hashed frames per second, the multiple of real time (video duration /
wall time) and hashwarden's speed as a ratio to vpdq's. ``cpu/wall`` well below 1.0 means the
core was shared with something else; the busy share of each CPU is sampled from ``/proc/stat``
before timing and printed, and the least busy CPU is used unless ``--cpu`` says otherwise.

Agreement. For each video and mode, the Hamming distance between the two tools' hashes of each
frame both hashed (joined on frame number): mean and max, over all such frames and over frames
where both qualities are >= 50.

Prints a Markdown table, then one JSON document. If ``vpdq`` is not installed, hashwarden's rows
are still measured and the output says how to install vpdq (it is not a project dependency).
"""

from __future__ import annotations

import os

# One core: set before numpy/BLAS load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache" / "video"
SOURCES = ("astronaut", "coffee", "chelsea", "rocket")
SIZES = ((1280, 720), (1920, 1080))
FPS = 30
SECONDS = 10
SEED = 20240601
MODES = {"1 per second": 1.0, "every frame": 0.0}
TOOLS = ("vpdq", "hashwarden")
QUALITY_MIN = 50
VPDQ_INSTALL = (
    "vpdq is not installed (it is not a project dependency). To compare, install FFmpeg's "
    "development files and build it: apt-get install -y pkg-config cmake g++ libavcodec-dev "
    "libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavdevice-dev "
    "libavfilter-dev && .venv/bin/pip install vpdq"
)


# ---------------------------------------------------------------------------- test videos


def _codec() -> str:
    import av

    try:
        av.codec.Codec("libx264", "w")
    except Exception:  # PyAV built without libx264
        return "mpeg4"
    return "libx264"


def _frame_boxes(rng_seed: int, count: int, width: int, height: int, aspect: float) -> list:
    """Crop boxes (x0, y0, x1, y1) in source pixels: a slow zoom and pan, seeded."""
    import numpy as np

    rng = np.random.default_rng(rng_seed)
    zoom_start, zoom_end = rng.uniform(0.80, 0.95), rng.uniform(0.55, 0.75)
    if rng.random() < 0.5:
        zoom_start, zoom_end = zoom_end, zoom_start
    fx0, fy0, fx1, fy1 = rng.uniform(0.0, 1.0, size=4)
    boxes = []
    for i in range(count):
        t = i / max(1, count - 1)
        t = t * t * (3 - 2 * t)  # ease in and out
        zoom = zoom_start + (zoom_end - zoom_start) * t
        box_w = min(width, height * aspect) * zoom
        box_h = box_w / aspect
        x0 = (fx0 + (fx1 - fx0) * t) * (width - box_w)
        y0 = (fy0 + (fy1 - fy0) * t) * (height - box_h)
        boxes.append((x0, y0, x0 + box_w, y0 + box_h))
    return boxes


def build_video(size: tuple[int, int]) -> Path:
    """The cached test video at ``size``, encoded on first use."""
    import av
    import numpy as np
    from PIL import Image
    from skimage import data

    codec = _codec()
    width, height = size
    path = CACHE / f"pan_{width}x{height}_{FPS}fps_{SECONDS}s_{codec}.mp4"
    if path.exists() and path.stat().st_size > 0:
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.mp4")
    frames_per_shot = FPS * SECONDS // len(SOURCES)
    with av.open(str(partial), mode="w") as container:
        options = {"crf": "20", "preset": "medium"} if codec == "libx264" else {}
        stream = container.add_stream(codec, rate=FPS, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.thread_count = 1  # deterministic output
        if codec != "libx264":
            stream.bit_rate = 8_000_000
        for shot, name in enumerate(SOURCES):
            image = Image.fromarray(np.asarray(getattr(data, name)())).convert("RGB")
            boxes = _frame_boxes(SEED + shot, frames_per_shot, *image.size, width / height)
            for box in boxes:
                pixels = image.resize(size, Image.Resampling.BICUBIC, box=box)
                frame = av.VideoFrame.from_image(pixels).reformat(format="yuv420p")
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    partial.rename(path)
    return path


# ---------------------------------------------------------------------------- worker


def _load_of_cpus(seconds: float = 1.0) -> dict[int, float]:
    """Busy share (0..1) of each CPU over ``seconds``, from /proc/stat."""

    def snapshot() -> dict[int, tuple[int, int]]:
        out = {}
        with Path("/proc/stat").open() as stat:
            for line in stat:
                name, *fields = line.split()
                if name.startswith("cpu") and name != "cpu":
                    ticks = [int(v) for v in fields]
                    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
                    out[int(name[3:])] = (sum(ticks), idle)
        return out

    first = snapshot()
    time.sleep(seconds)
    second = snapshot()
    busy = {}
    for cpu, (total, idle) in second.items():
        d_total = total - first[cpu][0]
        d_idle = idle - first[cpu][1]
        busy[cpu] = round(1.0 - d_idle / d_total, 3) if d_total else 0.0
    return busy


def worker(tool: str, video: Path, seconds_per_hash: float, cpu: int) -> None:
    """One measured run, in its own process; prints one JSON line."""
    os.sched_setaffinity(0, {cpu})
    if tool == "vpdq":
        import vpdq

        def run() -> list[tuple[int, int, str, float]]:
            features = vpdq.computeHash(
                str(video), seconds_per_hash=seconds_per_hash, thread_count=1
            )
            return [(f.frame_number, f.quality, f.hex, f.timestamp) for f in features]

        decoder = "FFmpeg thread_count=0 (auto = av_cpu_count() = 1 under the mask), slice"
    else:
        from hashwarden.core.video import hash_video

        kwargs: dict[str, object] = {}
        if "threads" in inspect.signature(hash_video).parameters:
            kwargs["threads"] = 1
        decoder = "threads=1" if kwargs else "FFmpeg default (no threads argument)"

        def run() -> list[tuple[int, int, str, float]]:
            result = hash_video(
                video,
                every_frame=seconds_per_hash == 0,
                seconds_per_hash=seconds_per_hash or 1.0,
                **kwargs,
            )
            return [(f.frame, f.quality, f.hash, f.timestamp) for f in result.frames]

    wall0, cpu0 = time.perf_counter(), time.process_time()
    frames = run()
    wall, cpu_time = time.perf_counter() - wall0, time.process_time() - cpu0
    print(
        json.dumps(
            {
                "tool": tool,
                "wall": wall,
                "cpu": cpu_time,
                "frames": frames,
                "affinity": sorted(os.sched_getaffinity(0)),
                "decoder": decoder,
            }
        )
    )


# ---------------------------------------------------------------------------- driver


@dataclass
class Sample:
    wall: float
    cpu: float
    frames: list


def spawn(tool: str, video: Path, seconds_per_hash: float, cpu: int) -> Sample | str:
    """A worker's sample, or its error text."""
    command = [
        sys.executable,
        __file__,
        "--worker",
        tool,
        str(video),
        str(seconds_per_hash),
        str(cpu),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return Sample(report["wall"], report["cpu"], report["frames"])


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def agreement(ours: list, theirs: list) -> dict[str, object]:
    mine = {row[0]: row for row in ours}
    ref = {row[0]: row for row in theirs}
    common = sorted(mine.keys() & ref.keys())
    dist = [hamming(mine[n][2], ref[n][2]) for n in common]
    good = [
        d
        for n, d in zip(common, dist, strict=True)
        if mine[n][1] >= QUALITY_MIN and ref[n][1] >= QUALITY_MIN
    ]
    return {
        "frames_both": len(common),
        "only_hashwarden": len(mine.keys() - ref.keys()),
        "only_vpdq": len(ref.keys() - mine.keys()),
        "mean": round(statistics.fmean(dist), 3) if dist else None,
        "max": max(dist) if dist else None,
        "frames_both_q50": len(good),
        "mean_q50": round(statistics.fmean(good), 3) if good else None,
        "max_q50": max(good) if good else None,
        "identical": sum(d == 0 for d in dist),
    }


def _fmt(value: object, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per tool and mode (median)")
    parser.add_argument("--quick", action="store_true", help="720p only, one run")
    parser.add_argument("--cpu", type=int, help="CPU to pin workers to (default: least busy)")
    parser.add_argument(
        "--worker", nargs=4, metavar=("TOOL", "VIDEO", "SPH", "CPU"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        tool, video, sph, cpu = args.worker
        worker(tool, Path(video), float(sph), int(cpu))
        return

    runs = 1 if args.quick else args.runs
    sizes = SIZES[:1] if args.quick else SIZES
    videos = {size: build_video(size) for size in sizes}
    has_vpdq = importlib.util.find_spec("vpdq") is not None
    tools = TOOLS if has_vpdq else TOOLS[1:]
    busy_before = _load_of_cpus()
    cpu = (
        args.cpu
        if args.cpu is not None
        else min(os.sched_getaffinity(0), key=lambda c: busy_before.get(c, 0.0))
    )
    load_before = os.getloadavg()

    samples: dict[tuple, list[Sample]] = {}
    errors: dict[tuple, str] = {}
    for _ in range(runs):
        for size, video in videos.items():
            for mode, sph in MODES.items():
                for tool in tools:
                    key = (size, mode, tool)
                    if key in errors:
                        continue
                    got = spawn(tool, video, sph, cpu)
                    if isinstance(got, str):
                        errors[key] = got
                    else:
                        samples.setdefault(key, []).append(got)
    load_after = os.getloadavg()

    rows = []
    for size in sizes:
        for mode in MODES:
            for tool in tools:
                key = (size, mode, tool)
                row: dict[str, object] = {
                    "video": f"{size[0]}x{size[1]}",
                    "mode": mode,
                    "tool": tool,
                }
                if key in errors:
                    row["error"] = errors[key]
                else:
                    runs_of = samples[key]
                    wall = statistics.median(s.wall for s in runs_of)
                    hashed = len(runs_of[0].frames)
                    row.update(
                        runs=len(runs_of),
                        wall_s=round(wall, 4),
                        walls=[round(s.wall, 4) for s in runs_of],
                        cpu_over_wall=round(statistics.median(s.cpu / s.wall for s in runs_of), 3),
                        frames_hashed=hashed,
                        hashed_fps=round(hashed / wall, 2),
                        realtime_x=round(SECONDS / wall, 3),
                    )
                rows.append(row)
    by_key = {(r["video"], r["mode"], r["tool"]): r for r in rows}
    for row in rows:
        base = by_key.get((row["video"], row["mode"], "vpdq"))
        if row["tool"] == "hashwarden" and base and "wall_s" in base and "wall_s" in row:
            row["speed_vs_vpdq"] = round(base["wall_s"] / row["wall_s"], 3)

    agree = []
    if has_vpdq:
        for size in sizes:
            for mode in MODES:
                ours = samples.get((size, mode, "hashwarden"))
                theirs = samples.get((size, mode, "vpdq"))
                if ours and theirs:
                    agree.append(
                        {
                            "video": f"{size[0]}x{size[1]}",
                            "mode": mode,
                            **agreement(ours[0].frames, theirs[0].frames),
                        }
                    )

    print(
        f"vPDQ hashing on one core (CPU {cpu}), median of {runs} run(s), "
        f"{SECONDS} s {FPS} fps H.264 ({_codec()}) videos"
    )
    print(
        f"CPU busy share before timing: {busy_before}; load average before "
        f"{load_before[0]:.2f}, after {load_after[0]:.2f} ({os.cpu_count()} CPUs)\n"
    )
    if not has_vpdq:
        print(f"NOTE: {VPDQ_INSTALL}\n")
    print(
        "| video | mode | tool | frames hashed | wall s | hashed frames/s | x real time "
        "| speed vs vpdq | cpu/wall |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['video']} | {r['mode']} | {r['tool']} | error: {r['error']} |||||")
            continue
        print(
            f"| {r['video']} | {r['mode']} | {r['tool']} | {r['frames_hashed']} | "
            f"{r['wall_s']:.3f} | {r['hashed_fps']:.1f} | {r['realtime_x']:.2f} | "
            f"{_fmt(r.get('speed_vs_vpdq'), '.2f')} | {r['cpu_over_wall']:.2f} |"
        )
    if agree:
        print("\nAgreement, hashwarden vs vpdq (Hamming bits, frames joined on frame number)\n")
        print(
            "| video | mode | frames both | only hw / only vpdq | identical | mean | max "
            "| frames q>=50 | mean q>=50 | max q>=50 |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for a in agree:
            print(
                f"| {a['video']} | {a['mode']} | {a['frames_both']} | {a['only_hashwarden']} / "
                f"{a['only_vpdq']} | {a['identical']} | {_fmt(a['mean'], '.2f')} | "
                f"{_fmt(a['max'], 'd')} | {a['frames_both_q50']} | "
                f"{_fmt(a['mean_q50'], '.2f')} | {_fmt(a['max_q50'], 'd')} |"
            )
    blob = {
        "benchmark": "video_vpdq",
        "method": {
            "runs": runs,
            "cpu": cpu,
            "pinned": "os.sched_setaffinity per subprocess",
            "timed": "hashing call only",
            "fps": FPS,
            "seconds": SECONDS,
            "codec": _codec(),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "busy_before": busy_before,
            "loadavg_before": load_before,
            "loadavg_after": load_after,
        },
        "videos": {f"{s[0]}x{s[1]}": str(p) for s, p in videos.items()},
        "vpdq_installed": has_vpdq,
        "results": rows,
        "agreement": agree,
    }
    if not has_vpdq:
        blob["note"] = VPDQ_INSTALL
    print("\n" + json.dumps(blob, indent=2))


if __name__ == "__main__":
    main()
