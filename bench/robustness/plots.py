"""PNG figures (Agg backend, small palettes and DPI so each file stays well under 100 KB)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from PIL import Image

DPI = 72
#: Several methods often share a curve (100% recall); styles keep the overlapping ones visible.
_STYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "v", "D", "x", "+", "*", "P")


def _style(index: int) -> dict[str, Any]:
    return {
        "linestyle": _STYLES[index % len(_STYLES)],
        "marker": _MARKERS[index % len(_MARKERS)],
        "color": plt.get_cmap("tab10")(index % 10),
    }


def _save(figure: Figure, path: Path) -> None:
    """Save as a palette PNG: a few dozen flat colours, a third of the RGB file's size."""
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    with Image.open(path) as rendered:
        palette = rendered.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    palette.save(path, optimize=True)


def _plot_target(data: dict[str, Any], targets: list[str]) -> str | None:
    """The tightest target FPR with a threshold (1e-6, else 1e-5, else 1e-4)."""
    for target in reversed(targets):
        if data["at_fpr"][target]["threshold"] is not None:
            return target
    return None


def _recall_vs_severity(results: dict[str, Any], path: Path) -> None:
    cases = results["cases"]
    families = list(dict.fromkeys(case["family"] for case in cases))
    columns = 5
    rows = math.ceil(len(families) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.0 * columns, 2.3 * rows), squeeze=False)
    targets = results["config"]["target_fprs"]
    for position, family in enumerate(families):
        axis = axes[position // columns][position % columns]
        labels = [case["label"] for case in cases if case["family"] == family]
        ticks = [label.split(" ", 1)[1] for label in labels]
        for index, (name, data) in enumerate(results["methods"].items()):
            target = _plot_target(data, targets)
            if target is None:
                continue
            values = [data["at_fpr"][target]["cases"][label]["rate"] for label in labels]
            suffix = "" if target == targets[-1] else f" @{target}"
            label = name + suffix
            axis.plot(ticks, values, markersize=3, linewidth=1, label=label, **_style(index))
        axis.set_title(family, fontsize=9)
        axis.set_ylim(-0.03, 1.03)
        axis.tick_params(labelsize=7)
        axis.grid(alpha=0.3)
    for position in range(len(families), rows * columns):
        axes[position // columns][position % columns].axis("off")
    handles, names = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, names, loc="lower right", fontsize=7, ncol=2, frameon=False)
    title = f"Recall vs severity at pairwise FPR {targets[-1]} (@: looser FPR where n/a)"
    figure.suptitle(title, fontsize=11)
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    _save(figure, path)


def _roc(results: dict[str, Any], path: Path) -> None:
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for index, (name, data) in enumerate(results["methods"].items()):
        points = [(fpr, rec) for fpr, rec, _ in data["roc"] if fpr > 0]
        if points:
            style = {**_style(index), "marker": None}
            axis.plot(*zip(*points, strict=True), linewidth=1.2, label=name, **style)
    for target in results["config"]["target_fprs"]:
        axis.axvline(float(target), color="grey", linewidth=0.6, linestyle=":")
    axis.set_xscale("log")
    axis.set_xlabel("pairwise false-positive rate")
    axis.set_ylabel("mean recall over transform cases")
    axis.set_ylim(0, 1)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, frameon=False)
    figure.tight_layout()
    _save(figure, path)


def write(results: dict[str, Any], out: Path) -> list[Path]:
    """Write ``recall_vs_severity.png`` and ``roc.png`` into ``out``."""
    severity = out / "recall_vs_severity.png"
    roc = out / "roc.png"
    _recall_vs_severity(results, severity)
    _roc(results, roc)
    return [severity, roc]
