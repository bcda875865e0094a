"""Same-place linking benchmark: precision and recall of ``case links`` on views of one place.

Run: ``.venv/bin/python bench/same_place/run.py --seed 1 [--quick] [--out DIR]``. Every
benign corpus picture (bench/robustness/corpus.py) is a scene; each yields a plain view and
``--per-kind`` views per kind (perspective, occlusion, lighting, combined), all JPEG files.
They are hashed as ``case scan`` hashes and linked by the code behind ``case links``; peers:
SIFT brute force and PDQ distance. A second part runs on real multi-view photo sets. See
README.md.
"""

from __future__ import annotations

import os

# One thread per library: the machine is shared and timings are meant per core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # ``robustness``, ``same_place``

from hashwarden.cases.grouping import (  # noqa: E402
    NEAR_DUPLICATE_BITS,
    SAME_PLACE_CANDIDATES,
    SAME_PLACE_INLIERS,
    near_duplicate_pairs,
    same_place_pairs,
    stacks,
)
from robustness.corpus import load_corpus  # noqa: E402
from same_place import methods, metrics, report, views  # noqa: E402
from same_place.real_sets import load_real_sets  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = Path("/tmp/hashwarden-robustness-cache")
INLIER_SWEEP = (4, 6, 8, 10, 12, 14, 16, 18, 20, 25, 30, 40, 50, 70, 100, 150)
PDQ_SWEEP = tuple(-d for d in (10, 20, 31, 40, 50, 60, 70, 80, 90, 100, 110, 120))
#: SIFT has no shipped threshold; the same count as hashwarden's keeps the comparison plain.
SIFT_THRESHOLD = SAME_PLACE_INLIERS
SIFT_NEGATIVES = 15_000
QUICK_SCENES = 8


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SCENES} scenes only")
    parser.add_argument("--scenes", type=int, help="use at most this many scenes")
    parser.add_argument("--per-kind", type=int, default=2, help="views per edited kind")
    parser.add_argument("--sift-negatives", type=int, default=SIFT_NEGATIVES,
                        help="negative pairs sampled for the SIFT brute-force peer")
    parser.add_argument("--out", type=Path, help="default results/ (quick: under --cache)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    return parser.parse_args(argv)


def _methods(
    views_: Sequence[views.View], truth: metrics.Truth, sift_negatives: int, seed: int,
    timing: methods.Timing,
) -> tuple[list[report.MethodResult], list[str]]:
    """Every method's result on ``views_``, and lines describing the case-code checks."""
    items = methods.scan(views_, timing)
    scored = methods.hashwarden_scores(items, timing)
    stack_of = stacks(len(items), near_duplicate_pairs(items))
    # The hook must agree with what `case links` computes at the shipped threshold.
    shipped = {(p.a, p.b) for p in same_place_pairs(items, stack_of)}
    hooked = {key for key, n in scored.items()
              if n >= SAME_PLACE_INLIERS and stack_of[key[0]] != stack_of[key[1]]}
    assert shipped == hooked, "place_candidates disagrees with same_place_pairs"
    case_view = dict.fromkeys(shipped | methods.stacked_pairs(items), 1.0)
    chains = metrics.chained(len(items), case_view)

    sift = methods.Sift()
    sift.extract(views_, timing)
    offered = sorted(set(truth.positives) | set(metrics.sample_negatives(
        truth, sift_negatives, seed)))
    sift_scores = sift.scores(offered, timing)
    sampled = sum(truth.is_negative(key) for key in offered)
    pdq = metrics.pdq_scores(methods.pdq_hashes(items))
    results = [
        report.MethodResult(
            "hashwarden (case links)", metrics.Scores(truth, scored), SAME_PLACE_INLIERS,
            INLIER_SWEEP, f"LSH retrieval, {SAME_PLACE_CANDIDATES} candidates, ORB + RANSAC"),
        report.MethodResult(
            "hashwarden case view (links or stacks)", metrics.Scores(truth, case_view), 1.0,
            (1.0,), "what `case links` shows: same-place links plus near-duplicate stacks",
            "linked"),
        report.MethodResult(
            "hashwarden, by a chain of links", metrics.Scores(truth, chains), 1.0, (1.0,),
            "pairs joined through other views (links or stacks)", "linked"),
        report.MethodResult(
            "SIFT brute force", metrics.Scores(truth, sift_scores, sampled), SIFT_THRESHOLD,
            INLIER_SWEEP, ("every pair" if sampled == truth.negatives else
                           "all positives, a seeded sample of negatives")
            + "; ratio test 0.75, RANSAC homography"),
        report.MethodResult(
            "PDQ distance alone", metrics.Scores(truth, pdq), -NEAR_DUPLICATE_BITS, PDQ_SWEEP,
            "global descriptor, no verification", "PDQ distance"),
    ]
    lines = [f"- {len(items)} views; hashwarden verified {len(scored):,} retrieved pairs; "
             f"{len(shipped):,} links at {SAME_PLACE_INLIERS} inliers (same as "
             f"`same_place_pairs`, checked); {len(case_view) - len(shipped):,} pairs "
             "stacked as near-duplicates.",
             f"- SIFT scored {len(offered):,} pairs ({sampled:,} negatives)."]
    return results, lines


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    cv2.setNumThreads(1)
    out: Path = args.out or (args.cache / "same-place-quick" if args.quick else HERE / "results")
    corpus = load_corpus(args.cache, args.seed)
    for package in corpus.missing_packages:
        print(f"source missing: apt-get install -y --no-install-recommends {package}")
    scenes = [item.image for item in corpus.listed + corpus.distractors]
    limit = QUICK_SCENES if args.quick else args.scenes
    scenes = scenes[:limit] if limit else scenes
    all_views: list[views.View] = []
    for number, scene in enumerate(scenes):
        all_views += views.scene_views(scene, number, args.per_kind, args.seed)
    truth = metrics.truth_of(all_views)
    print(f"{len(scenes)} scenes, {len(all_views)} views, {len(truth.positives):,} positive "
          f"pairs, {truth.negatives:,} negative, {len(truth.excluded):,} left out (<30% shared)")
    timing = methods.Timing()
    synthetic, lines = _methods(all_views, truth, args.sift_negatives, args.seed, timing)
    synthetic_section = report.Section(
        f"Generated views of {len(scenes)} benign scenes", synthetic,
        metrics.positives_by(all_views, truth),
        [f"- {len(scenes)} scenes (bench/robustness corpus), {len(all_views)} views: "
         f"{len(truth.positives):,} positive pairs, {truth.negatives:,} negative pairs, "
         f"{len(truth.excluded):,} same-scene pairs sharing < 30% left out.", *lines])

    real = load_real_sets()
    real_truth = metrics.truth_of(real.views, windows=False)
    real_methods, real_lines = _methods(real.views, real_truth, 10**9, args.seed, timing)
    groups: dict[str, list[int]] = {}
    for position, (i, _) in enumerate(real_truth.positives):
        groups.setdefault(real.scene_names[real.views[i].scene], []).append(position)
    note = ("" if real.missing_package is None else
            f"- `{real.missing_package}` is not installed: only scikit-image's pair is used.")
    real_section = report.Section(
        "Real multi-view photo sets (opencv-doc sample data, scikit-image)", real_methods,
        groups, [f"- {len(real.views)} photos of {len(real.scene_names)} places: "
                 f"{len(real_truth.positives)} positive pairs, {real_truth.negatives} negative.",
                 *real_lines, note])

    out.mkdir(parents=True, exist_ok=True)
    elapsed = time.perf_counter() - started
    header = [
        "# Same-place linking benchmark results", "",
        f"Seed {args.seed}; {args.per_kind} views per edited kind; one core; "
        f"{elapsed:.0f} s in all.", "",
        "Timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timing.seconds.items()), "",
    ]
    sections = [synthetic_section, real_section]
    report.write_markdown(out / "results.md", header, sections)
    report.write_plot(out / "precision_recall.png", sections)
    summary = {
        section.title: {
            m.name: {"threshold": m.threshold, "recall": m.scores.at(m.threshold).recall.as_dict(),
                     "precision": m.scores.at(m.threshold).precision(),
                     "false_positives": m.scores.at(m.threshold).false_positives}
            for m in section.methods
        } for section in sections
    }
    (out / "results.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print((out / "results.md").read_text(encoding="utf-8"))
    print(f"wrote {out}/results.md, precision_recall.png, results.json in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
