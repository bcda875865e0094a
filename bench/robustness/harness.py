"""Scoring loop: hash every query once per method, score it against all listed references.

Edited listed images give the positives (and negatives against the other references);
distractor images and tiles give the rest of the negatives. Timings accumulate per method.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from robustness import corpus as corpus_mod
from robustness import methods as methods_mod
from robustness.transforms import Case

BATCH = 256


@dataclass
class MethodRun:
    """One method's prepared references, distance rows and accumulated timings."""

    method: methods_mod.Method
    references: Any = None
    #: ``[case, listed image, reference]`` distances of the edited listed images.
    edited: NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 0, 0), np.float32))
    distractor_rows: list[NDArray[np.float32]] = field(default_factory=list)
    tile_rows: list[NDArray[np.float32]] = field(default_factory=list)
    hash_seconds: float = 0.0
    hashed: int = 0
    lookup_seconds: float = 0.0
    pairs: int = 0
    negative_queries: int = 0

    def score(self, images: Sequence[Image.Image]) -> NDArray[np.float32]:
        """Hash ``images`` as queries and score them against the references, timing both."""
        start = time.perf_counter()
        queries = self.method.prepare_queries(images)
        middle = time.perf_counter()
        distances = self.method.distances(queries, self.references)
        end = time.perf_counter()
        self.hash_seconds += middle - start
        self.hashed += len(images)
        self.lookup_seconds += end - middle
        self.pairs += distances.size
        return distances

    def wants(self, count: int) -> int:
        """How many of the next ``count`` negative queries this method still takes."""
        cap = self.method.max_negative_queries
        return count if cap is None else max(0, min(count, cap - self.negative_queries))


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=console,
    )


class _LogLines:
    """Plain progress lines when output is not a terminal (nohup logs get no live bars)."""

    def __init__(self, console: Console, label: str, total: int, every: float = 0.05) -> None:
        self.console, self.label, self.total = console, label, total
        self.step = max(1, int(total * every))
        self.next = self.step
        self.start = time.perf_counter()

    def update(self, done: int) -> None:
        if self.console.is_terminal or done < self.next:
            return
        self.next = done + self.step
        elapsed = time.perf_counter() - self.start
        self.console.print(f"{self.label}: {done}/{self.total} after {elapsed:.0f} s")


def prepare_references(runs: list[MethodRun], listed: list[Image.Image]) -> None:
    """Hash the listed images as references (timed like queries)."""
    for run in runs:
        start = time.perf_counter()
        run.references = run.method.prepare_references(listed)
        run.hash_seconds += time.perf_counter() - start
        run.hashed += len(listed)


def score_edits(
    console: Console, runs: list[MethodRun], listed: list[Image.Image], cases: list[Case], seed: int
) -> None:
    """Apply every case to every listed image (seeded per image and case) and score the edits."""
    n = len(listed)
    for run in runs:
        run.edited = np.full((len(cases), n, n), np.inf, dtype=np.float32)
    with _progress(console) as progress:
        task = progress.add_task("edited listed images", total=n)
        log = _LogLines(console, "edited listed images", n, every=0.1)
        for index, image in enumerate(listed):
            edited = [
                case.apply(image, np.random.default_rng([seed, 1, index, number]))
                for number, case in enumerate(cases)
            ]
            for run in runs:
                run.edited[:, index, :] = run.score(edited)
            progress.advance(task)
            log.update(index + 1)


def score_negatives(
    console: Console,
    runs: list[MethodRun],
    distractors: list[corpus_mod.CorpusImage],
    tiles: int,
    seed: int,
) -> None:
    """Score the distractor images, then ``tiles`` seeded tiles, in batches across methods."""
    originals = [item.image for item in distractors]
    total = len(originals) + tiles
    with _progress(console) as progress:
        task = progress.add_task("distractors and tiles", total=total)
        log = _LogLines(console, "distractors and tiles", total)
        for start in range(0, total, BATCH):
            stop = min(total, start + BATCH)
            batch = [
                originals[i]
                if i < len(originals)
                else corpus_mod.make_tile(distractors, i - len(originals), seed)
                for i in range(start, stop)
            ]
            for run in runs:
                take = run.wants(len(batch))
                if take == 0:
                    continue
                rows = run.score(batch[:take])
                # Rows are split by kind so the report can give each kind's FPR.
                split = max(0, min(take, len(originals) - start))
                if split:
                    run.distractor_rows.append(rows[:split])
                if take > split:
                    run.tile_rows.append(rows[split:])
                run.negative_queries += take
            progress.advance(task, len(batch))
            log.update(stop)
