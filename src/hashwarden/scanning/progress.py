"""A Rich progress display for scans (files, files/s, matches, errors); used by the CLI."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from hashwarden.scanning.runner import ScanProgress


class RichScanProgress:
    """Use as ``with RichScanProgress() as show: Scanner(..., progress=show).run()``."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            TextColumn("[bold]scanning"),
            BarColumn(),
            TextColumn("{task.completed}/{task.fields[found]} files"),
            TextColumn("{task.fields[rate]:.1f} files/s"),
            TextColumn("[red]{task.fields[matched]} matched"),
            TextColumn("{task.fields[errors]} errors"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None

    def __call__(self, state: ScanProgress) -> None:
        if self._task is None:
            self._task = self._progress.add_task("scan", total=None, found="?", rate=0.0,
                                                 matched=0, errors=0)
        self._progress.update(
            self._task,
            completed=state.files_done,
            total=state.found if state.walk_finished else None,
            found=f"{state.found}{'' if state.walk_finished else '+'}",
            rate=state.files_per_second,
            matched=state.matched,
            errors=state.errors,
        )

    def __enter__(self) -> RichScanProgress:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()
