"""``hashwarden subscriptions ...`` and ``hashwarden sync``: follow lists others publish."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from hashwarden.cli.output import console, emit, escape
from hashwarden.cli.runtime import Runtime

if TYPE_CHECKING:
    from hashwarden.federation.models import Subscription
    from hashwarden.federation.subscriber import PageApplied, SyncResult, SyncService
    from hashwarden.federation.subscriptions import SubscriptionService

subscriptions_app = typer.Typer(
    help="Mirror lists that other hashwarden instances publish.", no_args_is_help=True
)


def _service(runtime: Runtime) -> SubscriptionService:
    from hashwarden.federation.subscriptions import SubscriptionService
    from hashwarden.storage.subscription_store import SqlSubscriptionStore

    return SubscriptionService(SqlSubscriptionStore(runtime.engine), runtime.lists)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _record(subscription: Subscription) -> dict[str, object]:
    return {
        "name": subscription.name,
        "url": subscription.publisher_url,
        "remote_list": subscription.remote_list,
        "list": subscription.list_name,
        "public_keys": list(subscription.public_keys),
        "cursor": subscription.cursor,
        "last_success_at": _iso(subscription.last_success_at),
        "last_error": subscription.last_error,
        "failures": subscription.failures,
        "next_attempt_at": _iso(subscription.next_attempt_at),
    }


@subscriptions_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A name for the subscription.")],
    url: Annotated[str, typer.Option("--url", help="Base URL of the publishing hashwarden.")],
    remote: Annotated[str, typer.Option("--list", help="The publisher's list to follow.")],
    into: Annotated[
        str, typer.Option("--into", help="Local mirror list (created when missing; empty).")
    ],
    token_file: Annotated[
        Path,
        typer.Option(
            "--token-file",
            exists=True,
            dir_okay=False,
            help="File holding the publisher's subscriber token (kept out of shell history).",
        ),
    ],
    public_keys: Annotated[
        list[str],
        typer.Option("--public-key", help="Publisher public key to pin (repeatable)."),
    ],
) -> None:
    """Subscribe a local list to a publisher's list; `hashwarden sync` or `serve` pulls it."""
    runtime = Runtime()
    token = token_file.read_text(encoding="utf-8")
    subscription = _service(runtime).add(
        name,
        publisher_url=url,
        remote_list=remote,
        into=into,
        token=token,
        public_keys=public_keys,
    )
    _audit(runtime, "subscriptions.add", subscription.name, list=subscription.list_name)
    emit(_record(subscription))
    host = urlsplit(subscription.publisher_url).hostname or ""
    if subscription.publisher_url.startswith("http:") and host not in ("127.0.0.1", "localhost"):
        console.print(
            "[bold yellow]warning:[/] plain http sends the token unencrypted; use https"
        )


@subscriptions_app.command("pin")
def pin(
    name: Annotated[str, typer.Argument(help="The subscription.")],
    public_keys: Annotated[
        list[str],
        typer.Option("--public-key", help="Publisher public key to pin (repeatable)."),
    ],
) -> None:
    """Replace the pinned publisher keys (after it rotated); sync resumes from the cursor."""
    runtime = Runtime()
    subscription = _service(runtime).pin(name, public_keys)
    _audit(runtime, "subscriptions.pin", subscription.name, keys=len(public_keys))
    emit(_record(subscription))


@subscriptions_app.command("ls")
def list_subscriptions() -> None:
    """Print every subscription and its sync health as JSON Lines (never the token)."""
    for subscription in _service(Runtime()).all():
        emit(_record(subscription))


@subscriptions_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The subscription to drop.")]) -> None:
    """Stop following; the mirror list stays, as an ordinary local list."""
    runtime = Runtime()
    subscription = _service(runtime).remove(name)
    _audit(runtime, "subscriptions.remove", subscription.name)
    console.print(
        f"removed subscription [bold]{escape(subscription.name)}[/]; list "
        f"{escape(subscription.list_name)} is now an ordinary local list"
    )


def sync_command(
    name: Annotated[
        str | None, typer.Argument(help="The subscription to sync (default: all).")
    ] = None,
    page_size: Annotated[
        int, typer.Option("--page-size", min=1, max=10_000, help="Changes per page.")
    ] = 1000,
) -> None:
    """Pull every page a publisher has after the cursor, verify and apply each, then stop."""
    from hashwarden.federation.subscriber import SyncPolicy, SyncService
    from hashwarden.storage.subscription_store import SqlSubscriptionStore

    runtime = Runtime()
    store = SqlSubscriptionStore(runtime.engine)
    names = [name] if name is not None else [s.name for s in store.all()]
    if name is not None:
        store.get(name)  # an unknown name is an error, not an empty run
    if not names:
        console.print("no subscriptions: `hashwarden subscriptions add`")
        return
    service = SyncService(store, SyncPolicy(page_size=page_size))
    results = [_sync_one(service, runtime, subscription) for subscription in names]
    _summary(results)
    if not all(result.ok for result in results):
        raise typer.Exit(1)


def _sync_one(service: SyncService, runtime: Runtime, name: str) -> SyncResult:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"sync {escape(name)}", total=None, detail="")
        totals = {"added": 0, "updated": 0, "removed": 0}

        def on_page(page: PageApplied) -> None:
            totals["added"] += page.added
            totals["updated"] += page.updated
            totals["removed"] += page.removed
            progress.update(
                task,
                detail=f"cursor {page.until}  +{totals['added']} ~{totals['updated']} "
                f"-{totals['removed']}",
            )

        result = service.sync(name, force=True, on_page=on_page)
    _audit(
        runtime, "subscriptions.sync", name,
        pages=result.pages, changes=result.changes, cursor=result.cursor, ok=result.ok,
    )  # fmt: skip
    emit(
        {
            "subscription": name,
            "ok": result.ok,
            "pages": result.pages,
            "changes": result.changes,
            **totals,
            "cursor": result.cursor,
            "feedback": result.feedback,
            "error": result.error or None,
        }
    )
    return result


def _summary(results: list[SyncResult]) -> None:
    from rich.table import Table

    table = Table(title="sync", title_justify="left")
    for column in ("subscription", "pages", "changes", "cursor", "result"):
        table.add_column(column, justify="right" if column in ("pages", "changes") else "left")
    for result in results:
        outcome = "[green]ok[/]" if result.ok else f"[red]{escape(result.error)}[/]"
        table.add_row(
            escape(result.subscription),
            str(result.pages),
            str(result.changes),
            str(result.cursor),
            outcome,
        )
    console.print(table)


def _audit(runtime: Runtime, action: str, name: str, **details: object) -> None:
    from hashwarden.audit.models import AuditRecord

    runtime.audit.record(AuditRecord(runtime.actor, action, f"subscription:{name}", details))
