"""Parsing of option values shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

from hashwarden.core.lists.models import Category

# The scan options of ``hashwarden scan`` and ``hashwarden case scan``.
Workers = Annotated[
    int | None, typer.Option(help="Local worker processes (default: all cores; 0: inline).")
]
Scheduler = Annotated[
    str | None, typer.Option(help="Address of a Dask scheduler, e.g. tcp://10.0.0.5:8786.")
]
Resume = Annotated[bool, typer.Option("--resume/--restart", help="Continue an interrupted scan.")]


def parse_thresholds(pairs: list[str]) -> dict[str, int]:
    """``["pdq=20", "md5=0"]`` -> ``{"pdq": 20, "md5": 0}`` (validated later by the service)."""
    thresholds: dict[str, int] = {}
    for pair in pairs:
        type_name, sep, raw = pair.partition("=")
        if not sep or not raw.strip().isdigit():
            raise typer.BadParameter(f"threshold wants TYPE=NUMBER, got {pair!r}")
        thresholds[type_name.strip()] = int(raw)
    return thresholds


def parse_category(text: str, default_scheme: str) -> Category | None:
    if not text.strip():
        return None
    return Category.parse(text, default_scheme)
