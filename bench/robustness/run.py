"""Robustness benchmark: recall per edit at global thresholds fixed by pairwise FPR.

Run: ``.venv/bin/python bench/robustness/run.py [--quick] [--seed 1] [--out DIR]``.
Listed images are edited by every transform case (positives: each edit vs its own reference);
distractor images and seeded distractor tiles are scored against every listed reference
(negatives, with edited listed images vs the other references). See README.md.
"""

from __future__ import annotations

import os

# One thread per library: the machine is shared and timings are meant per core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

from rich.console import Console  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # makes ``robustness`` importable

from robustness import corpus as corpus_mod  # noqa: E402
from robustness import (  # noqa: E402
    harness,
    plots,
    report,
)
from robustness import methods as methods_mod  # noqa: E402
from robustness.transforms import all_cases  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = Path("/tmp/hashwarden-robustness-cache")
FULL_PAIRS = 3_000_000
QUICK_PAIRS = 30_000
QUICK_LISTED = 12
#: ~16 ms a query (local features verified against the references): 50k queries give 2.2M
#: negative pairs with the edits (two false positives allowed at 1e-6) in about 13 minutes.
THOROUGH_MAX_NEGATIVES = 50_000
QUICK_THOROUGH_MAX_NEGATIVES = 1_000

console = Console()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small corpus and few tiles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, help="results folder (default results/; with --quick, under --cache)"
    )
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help="decoded-corpus cache (not in the repo)"
    )
    parser.add_argument(
        "--pairs", type=int, help="target distractor x listed pairs (default 3M; quick 30k)"
    )
    names = ", ".join(methods_mod.ALL_METHOD_NAMES)
    parser.add_argument("--methods", default="", help=f"comma-separated subset of: {names}")
    parser.add_argument(
        "--thorough-max-negatives",
        type=int,
        help=f"distractor queries for hashwarden-thorough, the slowest method "
        f"(default {THOROUGH_MAX_NEGATIVES:,}; 0 = all)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass
    out: Path = args.out or (args.cache / "results-quick" if args.quick else HERE / "results")
    target_pairs = args.pairs or (QUICK_PAIRS if args.quick else FULL_PAIRS)

    console.print(f"corpus: scanning and decoding (cache {args.cache}) ...")
    corpus = corpus_mod.load_corpus(args.cache, args.seed, QUICK_LISTED if args.quick else None)
    for package in corpus.missing_packages:
        hint = f"apt-get install -y --no-install-recommends {package}"
        console.print(f"[yellow]source missing: {hint}[/yellow]")
    listed = [item.image for item in corpus.listed]
    tiles = corpus_mod.tile_count(target_pairs, len(listed), len(corpus.distractors))
    negative_queries = len(corpus.distractors) + tiles
    console.print(
        f"corpus: {len(corpus.listed)} listed, {len(corpus.distractors)} distractor images, "
        f"{tiles} tiles, {corpus.dropped_duplicates} duplicates dropped; "
        f"{negative_queries * len(listed):,} distractor x listed pairs"
    )
    selected = [name.strip() for name in args.methods.split(",") if name.strip()]
    cap = args.thorough_max_negatives
    default_cap = QUICK_THOROUGH_MAX_NEGATIVES if args.quick else THOROUGH_MAX_NEGATIVES
    cap = default_cap if cap is None else (cap or None)
    methods, skipped = methods_mod.build_methods(selected, cap)
    for message in skipped:
        console.print(f"[yellow]{message}[/yellow]")
    if not methods:
        console.print("[red]no method could be set up[/red]")
        return 1
    console.print("methods: " + ", ".join(method.name for method in methods))
    cases = all_cases()
    runs = [harness.MethodRun(method) for method in methods]
    phase = time.perf_counter()
    harness.prepare_references(runs, listed)
    harness.score_edits(console, runs, listed, cases, args.seed)
    console.print(f"edits scored in {time.perf_counter() - phase:.0f} s")
    phase = time.perf_counter()
    harness.score_negatives(console, runs, corpus.distractors, tiles, args.seed)
    console.print(f"negatives scored in {time.perf_counter() - phase:.0f} s")
    for run in runs:
        spent = run.hash_seconds + run.lookup_seconds
        console.print(f"  {run.method.name}: {spent:.0f} s hashing and lookups")

    results = report.build_results(
        runs=runs,
        corpus=corpus,
        cases=cases,
        tiles=tiles,
        seed=args.seed,
        quick=args.quick,
        target_pairs=target_pairs,
        skipped=skipped,
    )
    out.mkdir(parents=True, exist_ok=True)
    written = report.write(results, out)
    written += plots.write(results, out)
    console.print(f"done in {time.perf_counter() - started:.0f} s; wrote:")
    for path in written:
        console.print(f"  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
