"""``hashwarden pull ...``: fill a local list from a remote hash-sharing feed.

Credentials come from the environment (``HASHWARDEN_NCMEC_USER``, ``HASHWARDEN_NCMEC_PASSWORD``
or ``HASHWARDEN_NCMEC_PASSWORD_FILE``) or a ``--password-file``, never from an option value, so
they stay out of shell history and process listings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from hashwarden.cli.output import console, emit, escape
from hashwarden.cli.runtime import Runtime
from hashwarden.config import hashwarden_home
from hashwarden.formats.base import parse_timestamp

if TYPE_CHECKING:
    from hashwarden.remote_pull.ncmec import PullProgress

pull_app = typer.Typer(help="Pull hash lists from remote hash-sharing services.",
                       no_args_is_help=True)


@pull_app.command("ncmec")
def ncmec(
    list_name: Annotated[
        str, typer.Option("--list", "-l", help="Local list to fill (must exist).",
                          show_default=False)
    ],
    url: Annotated[
        str | None,
        typer.Option(help="Base URL of the service (default: $HASHWARDEN_NCMEC_URL, else "
                          "https://report.cybertip.org/hashsharing)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Start time, ISO 8601 (default: where the last complete pull ended)."),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="End time, ISO 8601 (default: a minute ago).")
    ] = None,
    password_file: Annotated[
        Path | None,
        typer.Option(help="File holding the password (instead of $HASHWARDEN_NCMEC_PASSWORD)."),
    ] = None,
    step_days: Annotated[
        int, typer.Option(min=1, help="Days per window; the checkpoint moves after each one.")
    ] = 30,
    actor: Annotated[str, typer.Option(help="Who the list's change log names.")] = "ncmec-pull",
) -> None:
    """Pull entries and deletions updated at NCMEC into a list, resuming from the checkpoint.

    Prints a JSON summary on stdout. A pull that stops keeps the checkpoint of the last complete
    window; running it again repeats the unfinished window without duplicating entries.
    """
    from hashwarden.remote_pull.ncmec import NcmecPull
    from hashwarden.remote_pull.ncmec_client import NcmecClient
    from hashwarden.remote_pull.settings import ncmec_credentials, ncmec_url
    from hashwarden.storage.checkpoint_store import SqlCheckpointStore

    start, end = _time(since, "--since"), _time(until, "--until")
    base_url = ncmec_url(url)
    credentials = ncmec_credentials(password_file)
    runtime = Runtime()
    lists = runtime.lists
    checkpoints = SqlCheckpointStore(runtime.engine, migrate=False)
    with NcmecClient(base_url, credentials) as client, _PullDisplay(console) as display:
        # Pages wait for their window in the data folder, beside the lists they feed.
        pull = NcmecPull(lists, checkpoints, client, list_name, actor=actor,
                         step=timedelta(days=step_days), progress=display,
                         spool_dir=hashwarden_home())
        summary = pull.run(start, end)
    for reason in summary.skipped_reasons:
        console.print(f"[yellow]skipped[/] {escape(reason)}")
    console.print(
        f"[bold]{escape(list_name)}[/]: {summary.pages} pages, {summary.entries} entries, "
        f"{summary.deletions} deletions: {summary.added} added, {summary.merged} merged, "
        f"{summary.unchanged} unchanged, {summary.removed} removed"
        + (f", {summary.skipped} skipped" if summary.skipped else "")
        + (f" ({escape(summary.note)})" if summary.note else "")
    )
    emit(summary.as_json())


def _time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 time: {text!r}", param_hint=option) from None


class _PullDisplay:
    """Rich progress: phase, the share of the time range done, pages, entries, deletions."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("[bold]{task.fields[phase]}"),
            BarColumn(),
            TextColumn("{task.fields[window]}"),
            TextColumn("{task.fields[pages]} pages"),
            TextColumn("{task.fields[entries]} entries"),
            TextColumn("{task.fields[deletions]} deletions"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None

    def __call__(self, state: PullProgress) -> None:
        total = max(1.0, (state.end - state.start).total_seconds())
        done = (state.window_start - state.start).total_seconds()
        window = f"window {state.window_start:%Y-%m-%d}..{state.window_end:%Y-%m-%d}"
        if self._task is None:
            self._task = self._progress.add_task("pull", total=total, phase=state.phase,
                                                 window=window, pages=0, entries=0, deletions=0)
        self._progress.update(self._task, completed=done, phase=state.phase, window=window,
                              pages=state.pages, entries=state.entries,
                              deletions=state.deletions)

    def __enter__(self) -> _PullDisplay:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None and self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[0].total)
        self._progress.stop()
