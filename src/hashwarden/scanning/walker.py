"""Deterministic walk of the scanned roots, yielding regular files and the reasons others are not.

Symbolic links are never followed: a link whose target lies inside the scanned tree is skipped
silently (the target is scanned under its own path, exactly once), a link leading outside is
reported as skipped, and so a link loop cannot arise. Directories are visited once by (device,
inode), which also covers overlapping roots and bind-mount loops.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from hashwarden.scanning.items import FileOutcome, ScanItem


def walk(roots: Sequence[str | Path]) -> Iterator[ScanItem | FileOutcome]:
    """Every regular file under ``roots`` in sorted order (by name bytes), plus problems."""
    boundaries = [os.path.realpath(os.fspath(root)) for root in roots]
    visited: set[tuple[int, int]] = set()
    for root in roots:
        root_id = os.fsdecode(os.fspath(root))
        try:
            info = Path(root_id).stat()  # a root given as a symlink is followed: the user named it
        except OSError as exc:
            yield FileOutcome(root_id, error=_reason(exc), error_kind="unreadable")
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk_dir(root_id, boundaries, visited)
        elif stat.S_ISREG(info.st_mode):
            yield ScanItem(root_id, root_id, info.st_size)
        else:
            yield _special(root_id)


def _walk_dir(
    root_id: str, boundaries: list[str], visited: set[tuple[int, int]]
) -> Iterator[ScanItem | FileOutcome]:
    stack: list[str] = [root_id]
    while stack:
        dir_id = stack.pop()
        try:
            info = Path(dir_id).stat(follow_symlinks=dir_id == root_id)
            key = (info.st_dev, info.st_ino)
            if key in visited:
                continue
            visited.add(key)
            with os.scandir(dir_id) as listing:
                entries = sorted(listing, key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            yield FileOutcome(dir_id, error=f"directory not readable: {_reason(exc)}",
                              error_kind="unreadable")
            continue
        subdirs: list[str] = []
        for entry in entries:
            path = entry.path
            try:
                if entry.is_symlink():
                    if not _inside(os.path.realpath(path), boundaries):
                        yield FileOutcome(
                            path,
                            error="symbolic link leading outside the scanned tree, not followed",
                            error_kind="skipped",
                        )
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append(path)
                elif entry.is_file(follow_symlinks=False):
                    yield ScanItem(path, path, entry.stat(follow_symlinks=False).st_size)
                else:
                    yield _special(path)
            except OSError as exc:
                yield FileOutcome(path, error=_reason(exc), error_kind="unreadable")
        # Depth-first, in sorted order: push in reverse so the smallest name is popped first.
        stack.extend(reversed(subdirs))


def _inside(target: str, boundaries: list[str]) -> bool:
    return any(target == b or target.startswith(b.rstrip(os.sep) + os.sep) for b in boundaries)


def _special(path: str) -> FileOutcome:
    return FileOutcome(
        path, error="not a regular file (device, FIFO or socket), skipped", error_kind="skipped"
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
