"""Turn the harness's distance matrices into ``results.json`` (raw numbers) and ``results.md``."""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from robustness import metrics
from robustness.corpus import Corpus
from robustness.harness import MethodRun
from robustness.markdown import render
from robustness.transforms import Case

PACKAGES = ("numpy", "pillow", "imagehash", "perception", "opencv-contrib-python-headless")


def fpr_key(target: float) -> str:
    """JSON key of a target FPR: ``1e-06``."""
    return f"{target:.0e}"


def _negatives(run: MethodRun) -> dict[str, NDArray[np.float32]]:
    """Negative distances by kind; edited listed images exclude their own reference."""
    n = run.edited.shape[1]
    off_diagonal = ~np.eye(n, dtype=bool)
    empty = np.zeros(0, np.float32)
    return {
        "edited listed vs other listed": run.edited[:, off_diagonal].ravel(),
        "distractor images": np.concatenate([r.ravel() for r in run.distractor_rows] or [empty]),
        "distractor tiles": np.concatenate([r.ravel() for r in run.tile_rows] or [empty]),
    }


def _rejected_share(rows: NDArray[np.float32]) -> float | None:
    """Share of queries (rows) that can match nothing: every distance is ``inf``."""
    if rows.shape[0] == 0:
        return None
    return float(np.mean(np.all(np.isinf(rows), axis=1)))


def _rates(
    positives: NDArray[np.float32],
    threshold: float | None,
    labels: Sequence[str],
    groups: dict[str, list[int]],
) -> dict[str, Any]:
    """Recall per case and per summary group at one threshold."""
    return {
        "cases": {
            label: metrics.recall(positives[i], threshold).as_dict()
            for i, label in enumerate(labels)
        },
        "groups": {
            name: metrics.recall(positives[indices], threshold).as_dict()
            for name, indices in groups.items()
            if indices
        },
    }


def _closest_negatives(
    run: MethodRun, corpus: Corpus, labels: Sequence[str], count: int = 10
) -> list[dict[str, Any]]:
    """The ``count`` closest negative pairs and what they were: where false matches come from."""
    listed = [item.key for item in corpus.listed]
    n = len(listed)
    edited = run.edited.copy()
    edited[:, np.arange(n), np.arange(n)] = np.inf  # own reference: a positive
    pairs: list[tuple[float, str, str]] = []
    for flat in np.argsort(edited, axis=None, kind="stable")[:count]:
        case, image, ref = (int(i) for i in np.unravel_index(int(flat), edited.shape))
        query = f"{labels[case]} of {listed[image]}"
        pairs.append((float(edited[case, image, ref]), query, listed[ref]))
    distractor_count = sum(rows.shape[0] for rows in run.distractor_rows)
    no_rows = np.zeros((0, n), np.float32)
    rows = np.concatenate(run.distractor_rows + run.tile_rows or [no_rows])
    for flat in np.argsort(rows, axis=None, kind="stable")[:count]:
        row, column = divmod(int(flat), n)
        if row < distractor_count:
            query = f"distractor {corpus.distractors[row].key}"
        else:
            query = f"tile {row - distractor_count} (make_tile index)"
        pairs.append((float(rows[row, column]), query, listed[column]))
    pairs.sort(key=lambda pair: pair[0])
    return [
        {"distance": distance, "query": query, "reference": reference}
        for distance, query, reference in pairs[:count]
        if math.isfinite(distance)
    ]


def _method_results(
    run: MethodRun, corpus: Corpus, labels: Sequence[str], groups: dict[str, list[int]]
) -> dict[str, Any]:
    method = run.method
    n = run.edited.shape[1]
    positives = run.edited[:, np.arange(n), np.arange(n)]  # [case, image]: edit vs own reference
    by_kind = _negatives(run)
    negatives = np.sort(np.concatenate(list(by_kind.values())))
    candidates = metrics.distinct_finite(positives, negatives)
    at_targets: dict[str, Any] = {}
    for target in metrics.TARGET_FPRS:
        threshold = metrics.threshold_at_fpr(negatives, candidates, target)
        entry: dict[str, Any] = {"threshold": threshold}
        if threshold is not None:
            entry["fpr"] = metrics.false_positives(negatives, threshold).as_dict()
            entry.update(_rates(positives, threshold, labels, groups))
        at_targets[fpr_key(target)] = entry
    configured: dict[str, Any] | None = None
    if method.configured_threshold is not None:
        fpr = metrics.false_positives(negatives, method.configured_threshold)
        configured = {
            "threshold": method.configured_threshold,
            "fpr": fpr.as_dict(),
            "expected_false_positives_per_upload": {
                str(size): value
                for size, value in metrics.expected_false_positives(fpr.value).items()
            },
            "fpr_by_kind": {
                kind: metrics.false_positives(
                    np.sort(values), method.configured_threshold
                ).as_dict()
                for kind, values in by_kind.items()
            },
            **_rates(positives, method.configured_threshold, labels, groups),
        }
    edited_rows = run.edited.reshape(-1, n)
    no_rows = np.zeros((0, n), np.float32)
    negative_rows: NDArray[np.float32] = np.concatenate(
        run.distractor_rows + run.tile_rows or [no_rows]
    )
    finite_negatives = negatives[np.isfinite(negatives)]
    return {
        "description": method.description,
        "negatives": int(negatives.size),
        "negatives_by_kind": {kind: int(values.size) for kind, values in by_kind.items()},
        "negative_queries": run.negative_queries,
        "rejected_share": {
            "edited listed queries": _rejected_share(edited_rows),
            "distractor queries": _rejected_share(negative_rows),
        },
        "timing": {
            "hash_ms_per_image": 1000 * run.hash_seconds / max(run.hashed, 1),
            "lookup_ns_per_pair": 1e9 * run.lookup_seconds / max(run.pairs, 1),
            "images_hashed": run.hashed,
            "pairs_scored": run.pairs,
        },
        "at_fpr": at_targets,
        "configured": configured,
        "roc": metrics.roc_points(negatives, positives),
        "lowest_negatives": finite_negatives[:25].tolist(),
        "closest_negative_pairs": _closest_negatives(run, corpus, labels),
        "negative_percentiles": {
            str(p): float(np.percentile(finite_negatives, p)) if finite_negatives.size else None
            for p in (0.001, 0.01, 0.1, 1, 50)
        },
        "positives": {label: positives[i].tolist() for i, label in enumerate(labels)},
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def build_results(
    *,
    runs: Sequence[MethodRun],
    corpus: Corpus,
    cases: Sequence[Case],
    tiles: int,
    seed: int,
    quick: bool,
    target_pairs: int,
    skipped: Sequence[str],
) -> dict[str, Any]:
    """Everything the report and plots show, as plain JSON-ready data."""
    labels = [case.label for case in cases]
    groups = metrics.summary_groups([(case.family, case.severity) for case in cases])
    listed_low = [item.key for item in corpus.listed if item.quality < 50]
    return {
        "config": {
            "seed": seed,
            "quick": quick,
            "target_pairs": target_pairs,
            "target_fprs": [fpr_key(t) for t in metrics.TARGET_FPRS],
            "list_sizes": list(metrics.LIST_SIZES),
            "skipped_methods": list(skipped),
            "python": platform.python_version(),
            "packages": {name: _version(name) for name in PACKAGES},
        },
        "corpus": {
            "listed": [item.key for item in corpus.listed],
            "distractors": [item.key for item in corpus.distractors],
            "tiles": tiles,
            "duplicates_dropped": corpus.dropped_duplicates,
            "per_source_after_dedup": corpus.per_source,
            "missing_packages": corpus.missing_packages,
            "listed_pdq_quality_below_50": listed_low,
            "distractor_pairs": (len(corpus.distractors) + tiles) * len(corpus.listed),
        },
        "cases": [{"label": c.label, "family": c.family, "severity": c.severity} for c in cases],
        "groups": {name: [labels[i] for i in indices] for name, indices in groups.items()},
        "methods": {run.method.name: _method_results(run, corpus, labels, groups) for run in runs},
    }


def _plain(value: Any) -> Any:
    """JSON without NaN/Infinity literals: non-finite floats become strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float | np.floating):
        number = float(value)
        # Six significant digits: float32 distances carry no more, and the file stays small.
        return float(f"{number:.6g}") if math.isfinite(number) else str(number)
    if isinstance(value, np.integer):
        return int(value)
    return value


def write(results: dict[str, Any], out: Path) -> list[Path]:
    """Write ``results.json`` and ``results.md`` into ``out``."""
    json_path = out / "results.json"
    text = json.dumps(_plain(results), separators=(",", ":"), allow_nan=False)
    json_path.write_text(text + "\n")
    md_path = out / "results.md"
    md_path.write_text(render(results))
    return [json_path, md_path]
