"""``results.md``: the tables people read, rendered from the JSON-ready results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

HARD_COLUMNS = ("crop ≤10%", "border ≤10%", "rotation ≤5°", "overlays ≤15%", "hard (all)")
OTHER_COLUMNS = ("easy", "flip", "rot90", "social", "screenshot")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _rate(entry: dict[str, Any] | None) -> str:
    """``recall (Wilson 95% lower bound)`` as percentages."""
    if not entry or not entry.get("n"):
        return "n/a"
    return f"{100 * entry['rate']:.0f}% ({100 * entry['wilson_low']:.0f})"


def _threshold(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str) or value == float("-inf"):
        return "none match"
    return f"{value:g}" if float(value).is_integer() else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _expected(value: float, fpr: dict[str, Any], size: int) -> str:
    """FPR x L; with no false positive seen, the 95% upper bound instead of a bare zero."""
    if fpr["k"] == 0:
        return f"0 (< {fpr['wilson_high'] * size:.2g})"
    return f"{value:.3g}"


def _corpus(results: dict[str, Any]) -> list[str]:
    corpus = results["corpus"]
    config = results["config"]
    lines = [
        "## Corpus",
        "",
        f"- listed (references): **{len(corpus['listed'])}**; distractor images: "
        f"**{len(corpus['distractors'])}**; distractor tiles: **{corpus['tiles']:,}**",
        f"- distractor x listed pairs: **{corpus['distractor_pairs']:,}** "
        f"(target {config['target_pairs']:,}); duplicates dropped: {corpus['duplicates_dropped']}",
        "- images per source after deduplication: "
        + ", ".join(f"{k} {v}" for k, v in sorted(corpus["per_source_after_dedup"].items())),
        f"- listed images with PDQ quality below 50: {len(corpus['listed_pdq_quality_below_50'])}",
    ]
    if corpus["missing_packages"]:
        lines.append("- **missing sources**: " + ", ".join(corpus["missing_packages"]))
    for message in config["skipped_methods"]:
        lines.append(f"- **{message}**")
    return [*lines, ""]


def _methods(results: dict[str, Any]) -> list[str]:
    targets = results["config"]["target_fprs"]
    header = [
        "method",
        "negatives",
        *[f"threshold @ FPR {t}" for t in targets],
        "rejected (edits / distractors)",
        "hash ms/image",
        "lookup ns/pair",
    ]
    rows = []
    for name, data in results["methods"].items():
        rejected = data["rejected_share"]
        edits, others = rejected["edited listed queries"], rejected["distractor queries"]
        rows.append(
            [
                f"`{name}`",
                f"{data['negatives']:,}",
                *[_threshold(data["at_fpr"][t]["threshold"]) for t in targets],
                f"{_share(edits)} / {_share(others)}",
                f"{data['timing']['hash_ms_per_image']:.2f}",
                f"{data['timing']['lookup_ns_per_pair']:.1f}",
            ]
        )
    descriptions = [
        f"- `{name}`: {data['description']}" for name, data in results["methods"].items()
    ]
    return ["## Methods", "", *descriptions, "", *_table(header, rows)]


def _summary(results: dict[str, Any], target: str) -> list[str]:
    header = ["method", *HARD_COLUMNS, *OTHER_COLUMNS]
    rows = []
    for name, data in results["methods"].items():
        entry = data["at_fpr"][target]
        groups = entry.get("groups", {})
        rows.append([f"`{name}`", *[_rate(groups.get(col)) for col in header[1:]]])
    return [f"### Recall at pairwise FPR {target}", "", *_table(header, rows)]


def _configured(results: dict[str, Any]) -> list[str]:
    sizes = results["config"]["list_sizes"]
    header = [
        "method",
        "threshold",
        "false positives",
        "FPR (95% upper)",
        *[f"E[FP]/upload, L={size:.0e}" for size in sizes],
        *HARD_COLUMNS,
        "easy",
    ]
    rows = []
    for name, data in results["methods"].items():
        conf = data["configured"]
        if conf is None:
            continue
        fpr = conf["fpr"]
        expected = conf["expected_false_positives_per_upload"]
        rows.append(
            [
                f"`{name}`",
                _threshold(conf["threshold"]),
                f"{fpr['k']:,} / {fpr['n']:,}",
                f"{fpr['rate']:.2e} ({fpr['wilson_high']:.1e})",
                *[_expected(expected[str(size)], fpr, size) for size in sizes],
                *[_rate(conf["groups"].get(col)) for col in (*HARD_COLUMNS, "easy")],
            ]
        )
    if not rows:
        return []
    return [
        "## At the configured thresholds",
        "",
        "PDQ methods at 31 (the common default); hashwarden's robust levels at their "
        "`configured_threshold`. E[FP]/upload = measured pairwise FPR x L.",
        "",
        *_table(header, rows),
    ]


def _per_case(results: dict[str, Any], target: str) -> list[str]:
    names = list(results["methods"])
    header = ["transform", *[f"`{name}`" for name in names]]
    rows = []
    for case in results["cases"]:
        label = case["label"]
        cells = [
            _rate(results["methods"][n]["at_fpr"][target].get("cases", {}).get(label))
            for n in names
        ]
        rows.append([label, *cells])
    return [f"### Per transform at pairwise FPR {target}", "", *_table(header, rows)]


def render(results: dict[str, Any]) -> str:
    """The whole Markdown report."""
    config = results["config"]
    mode = " --quick" if config["quick"] else ""
    lines = [
        "# Robustness benchmark",
        "",
        f"Produced by `.venv/bin/python bench/robustness/run.py{mode} --seed {config['seed']}`. "
        "Cells are recall with its 95% Wilson lower bound in brackets, in percent. One global "
        "threshold per method and target FPR (chosen on negatives only), never per transform; "
        "`n/a` where there are too few negatives for the target. Rejected queries (quality "
        "gate) count as misses. Groups are defined in README.md.",
        "",
        *_corpus(results),
        *_methods(results),
        "## Summary",
        "",
    ]
    # Targets no method reached (too few negatives, as in --quick) would be tables of n/a.
    reached = [
        target
        for target in config["target_fprs"]
        if any(
            data["at_fpr"][target]["threshold"] is not None for data in results["methods"].values()
        )
    ]
    for target in reached:
        lines += _summary(results, target)
    lines += _configured(results)
    lines += ["## Per transform", ""]
    for target in reversed(reached):
        lines += _per_case(results, target)
    return "\n".join(lines).rstrip() + "\n"
