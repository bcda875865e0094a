"""The ``hashwarden`` command."""

from __future__ import annotations

import sys

import typer

from hashwarden import __version__
from hashwarden.cli import case_category_cmd as _case_category  # noqa: F401 - registers commands
from hashwarden.cli import case_graph_cmd as _case_graph  # noqa: F401 - registers commands
from hashwarden.cli import case_media_cmd as _case_media  # noqa: F401 - registers commands
from hashwarden.cli import case_retention_cmd as _case_retention  # noqa: F401 - registers commands
from hashwarden.cli.audit_cmd import audit_app
from hashwarden.cli.case_cmd import case_app
from hashwarden.cli.demo_cmd import demo_command
from hashwarden.cli.hash_cmd import hash_command
from hashwarden.cli.hotline_cmd import hotline_app
from hashwarden.cli.keys_cmd import keys_app
from hashwarden.cli.lists_cmd import lists_app
from hashwarden.cli.match_cmd import match_command
from hashwarden.cli.output import error
from hashwarden.cli.pull_cmd import pull_app
from hashwarden.cli.scan_cmd import scan_command
from hashwarden.cli.serve_cmd import serve_command
from hashwarden.cli.staff_cmd import staff_app
from hashwarden.cli.sync_cmd import subscriptions_app, sync_command
from hashwarden.cli.tokens_cmd import tokens_app
from hashwarden.core.errors import HashwardenError

app = typer.Typer(
    name="hashwarden",
    help="Hash media, keep hash lists and match files against them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("hash")(hash_command)
app.command("match")(match_command)
app.command("scan")(scan_command)
app.command("demo")(demo_command)
app.command("serve")(serve_command)
app.command("sync")(sync_command)
app.add_typer(lists_app, name="lists")
app.add_typer(tokens_app, name="tokens")
app.add_typer(staff_app, name="staff")
app.add_typer(hotline_app, name="hotline")
app.add_typer(case_app, name="case")
app.add_typer(audit_app, name="audit")
app.add_typer(pull_app, name="pull")
app.add_typer(keys_app, name="keys")
app.add_typer(subscriptions_app, name="subscriptions")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hashwarden {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """hashwarden: screening against known-material hash lists."""


def main() -> None:
    """Entry point: domain errors become one clear line and exit status 2."""
    try:
        app()
    except HashwardenError as exc:
        error(str(exc))
        sys.exit(2)
