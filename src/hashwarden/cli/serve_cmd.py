"""``hashwarden serve``: the HTTP API under uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from hashwarden.cli.output import console, escape
from hashwarden.cli.runtime import Runtime


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    admin_token: Annotated[
        bool,
        typer.Option(
            "--admin-token/--no-admin-token",
            help="Create a new admin token and print it once before starting.",
        ),
    ] = False,
    shared_index: Annotated[
        bool,
        typer.Option(
            "--shared-index/--private-index",
            help="Map the index from snapshots shared by the workers (default), or build a "
            "private in-memory index per worker.",
        ),
    ] = True,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Run the API: matching, lists, tokens, health and metrics (OpenAPI at /docs)."""
    import uvicorn

    from hashwarden.accounts.models import Role
    from hashwarden.api.settings import INDEX_DIR_ENV
    from hashwarden.config import hashwarden_home
    from hashwarden.storage.migrate import migrate

    runtime = Runtime()
    migrate(runtime.engine)  # once, before any worker starts
    url = f"http://{host}:{port}"
    console.print(f"hashwarden API at [bold]{escape(url)}[/] (docs: {escape(url)}/docs)")
    if admin_token:
        issued = runtime.tokens.create("admin (serve)", Role.ADMIN, actor=runtime.actor)
        secret = escape(issued.secret)
        console.print(
            f"admin token (shown once): [bold]{secret}[/]\n"
            f"  try: curl -H 'Authorization: Bearer {secret}' {escape(url)}/v1/lists",
            soft_wrap=True,  # a wrapped token cannot be copied
        )
    runtime.engine.dispose()
    # Workers read their settings from the environment; they inherit this process's.
    if not shared_index:
        os.environ[INDEX_DIR_ENV] = ""
    elif not os.environ.get(INDEX_DIR_ENV, "").strip():
        os.environ[INDEX_DIR_ENV] = str(hashwarden_home() / "index")
    uvicorn.run(
        "hashwarden.api.app:asgi_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        proxy_headers=False,
    )
