"""results.md and the precision/recall figure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot

import matplotlib.pyplot as plt

from robustness.metrics import Rate
from same_place.metrics import Operating, Scores


@dataclass
class MethodResult:
    """A method's scores, the threshold it ships with, and the thresholds its curve sweeps."""

    name: str
    scores: Scores
    threshold: float
    sweep: Sequence[float]
    note: str = ""
    label: str = "inliers"


@dataclass
class Section:
    """One dataset: its methods, per-group recall of the first method, and notes."""

    title: str
    methods: list[MethodResult]
    groups: dict[str, list[int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def percent(rate: Rate) -> str:
    if not rate.n:
        return "n/a"
    return f"{rate.value:.1%} [{rate.low:.1%}, {rate.high:.1%}] ({rate.k}/{rate.n})"


def precision_text(point: Operating) -> str:
    estimate, low, high = point.precision()
    if math.isnan(estimate):
        return "n/a (nothing linked)"
    sampled = point.negatives_scored < point.negatives_total
    fp = (f"{point.false_positives} false in {point.negatives_scored:,} sampled negatives, "
          f"~{point.expected_false_positives:.0f} expected in all"
          if sampled else f"{point.false_positives} false links")
    return f"{estimate:.1%} [{low:.1%}, {high:.1%}] ({fp})"


def _shown(value: float, label: str) -> str:
    return f"{-value:g} bits" if label == "PDQ distance" else f"{value:g} {label}"


def section_markdown(section: Section) -> list[str]:
    out = [f"## {section.title}", "", *section.lines, ""]
    out += ["| method | threshold | precision [95% Wilson] | recall [95% Wilson] | note |",
            "|---|---|---|---|---|"]
    for method in section.methods:
        point = method.scores.at(method.threshold)
        out.append(f"| {method.name} | {_shown(method.threshold, method.label)} | "
                   f"{precision_text(point)} | {percent(point.recall)} | {method.note} |")
    out.append("")
    if section.groups:
        names = [m.name for m in section.methods]
        out += ["Recall per group of positive pairs, each method at its threshold above:", "",
                "| positives | " + " | ".join(names) + " |",
                "|---|" + "---|" * len(names)]
        for group, wanted in section.groups.items():
            cells = [percent(m.scores.recall_of(m.threshold, wanted)) for m in section.methods]
            out.append(f"| {group} | " + " | ".join(cells) + " |")
        out.append("")
    for method in (m for m in section.methods if len(m.sweep) > 1):
        out += [f"Curve of {method.name} ({method.label} threshold: precision, recall):", ""]
        cells = []
        for point in method.scores.curve(method.sweep):
            estimate = point.precision()[0]
            shown = "n/a" if math.isnan(estimate) else f"{estimate:.3f}"
            cells.append(f"{_shown(point.threshold, method.label)}: {shown}, "
                         f"{point.recall.value:.3f}")
        out += ["; ".join(cells), ""]
    return out


def write_markdown(path: Path, header: Sequence[str], sections: Sequence[Section]) -> None:
    lines = list(header)
    for section in sections:
        lines += section_markdown(section)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def write_plot(path: Path, sections: Sequence[Section]) -> None:
    """Precision against recall, one panel per dataset, shipped thresholds marked."""
    figure, axes = plt.subplots(1, len(sections), figsize=(6 * len(sections), 4.6), squeeze=False)
    styles = ("-o", "--s", ":^", "-.v")
    for axis, section in zip(axes[0], sections, strict=True):
        for number, method in enumerate(section.methods):
            points = method.scores.curve(method.sweep)
            recall = [p.recall.value for p in points]
            precision = [p.precision()[0] for p in points]
            line = axis.plot(recall, precision, styles[number % len(styles)], markersize=3,
                             label=method.name)[0]
            chosen = method.scores.at(method.threshold)
            axis.plot([chosen.recall.value], [chosen.precision()[0]], "*", markersize=14,
                      color=line.get_color())
        axis.set_title(section.title, fontsize=10)
        axis.set_xlabel("recall (pairs of views of one place)")
        axis.set_ylabel("precision")
        axis.set_xlim(0, 1)
        axis.set_ylim(0, 1.02)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8, loc="lower left")
    figure.suptitle("Same-place links: precision vs recall over thresholds (★ = shipped)")
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
