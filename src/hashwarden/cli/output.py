"""Machine output (JSON Lines on stdout) and human output (Rich on stderr) for every command."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

#: Human-facing messages go to stderr so stdout stays clean JSON Lines for pipes.
console = Console(stderr=True, highlight=False)


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
    sys.stdout.flush()


def display_path(path: Path | str) -> str:
    """A path as text even when the file name is not valid UTF-8 (escaped, never lost)."""
    text = os.fsdecode(path) if isinstance(path, Path) else path
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error(message: str) -> None:
    console.print(f"[bold red]error:[/] {escape(message)}")


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)
