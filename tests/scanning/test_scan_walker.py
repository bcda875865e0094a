"""The walker: sorted order, symlinks inside/outside the tree, loops, odd names, special files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hashwarden.scanning.items import FileOutcome, ScanItem, display_name
from hashwarden.scanning.walker import walk


def rel(found: ScanItem | FileOutcome, root: Path) -> str:
    return os.path.relpath(found.id, root)


def test_walk_is_sorted_depth_first_and_handles_odd_names(image_tree: Path) -> None:
    found = list(walk([image_tree]))
    assert all(isinstance(f, ScanItem) for f in found)
    names = [rel(f, image_tree) for f in found]
    assert names == [
        "latin1-\udce9t\udce9.jpg", "new\nline.jpg", "with space.jpg",
        "a/one.jpg", "a/deep/two.png", "b/broken.jpg", "b/notes.txt", "b/three.jpg",
    ]
    # The surrogate-escaped id still opens the file, and shows as \xNN when printed.
    odd = found[0]
    assert isinstance(odd, ScanItem) and Path(odd.path).read_bytes()[:2] == b"\xff\xd8"
    assert display_name(odd.id).endswith("latin1-\\xe9t\\xe9.jpg")
    assert list(walk([image_tree])) == found  # deterministic


def test_symlinks_inside_are_not_duplicated_outside_are_reported(
    image_tree: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"\xff\xd8\xff")
    (image_tree / "link-out-dir").symlink_to(outside)
    (image_tree / "link-out-file").symlink_to(outside / "secret.jpg")
    (image_tree / "a" / "link-in").symlink_to(image_tree / "b")
    (image_tree / "b" / "loop").symlink_to(image_tree)
    (image_tree / "dangling").symlink_to(image_tree / "nowhere")
    found = list(walk([image_tree]))
    items = sorted(rel(f, image_tree) for f in found if isinstance(f, ScanItem))
    assert len(items) == 8 and not any("secret" in i or "link" in i for i in items)
    problems = {rel(f, image_tree): f.error_kind for f in found if isinstance(f, FileOutcome)}
    assert problems == {"link-out-dir": "skipped", "link-out-file": "skipped"}


def test_root_given_as_symlink_is_followed(image_tree: Path, tmp_path: Path) -> None:
    link = tmp_path / "root-link"
    link.symlink_to(image_tree)
    found = list(walk([link]))
    assert len(found) == 8 and all(f.id.startswith(str(link)) for f in found)


def test_overlapping_roots_visit_each_directory_once(image_tree: Path) -> None:
    found = list(walk([image_tree, image_tree / "a"]))
    assert len(found) == 8


def test_file_root_missing_root_and_fifo(image_tree: Path) -> None:
    os.mkfifo(image_tree / "b" / "pipe")
    found = list(walk([image_tree / "a" / "one.jpg", image_tree / "missing", image_tree / "b"]))
    kinds = [(rel(f, image_tree), type(f).__name__, getattr(f, "error_kind", "")) for f in found]
    assert kinds == [
        ("a/one.jpg", "ScanItem", ""),
        ("missing", "FileOutcome", "unreadable"),
        ("b/broken.jpg", "ScanItem", ""),
        ("b/notes.txt", "ScanItem", ""),
        ("b/pipe", "FileOutcome", "skipped"),
        ("b/three.jpg", "ScanItem", ""),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads directories whatever their mode")
def test_unreadable_directory_is_an_error_record(image_tree: Path) -> None:
    locked = image_tree / "b"
    locked.chmod(0)
    try:
        found = list(walk([image_tree]))
    finally:
        locked.chmod(0o755)
    problems = [f for f in found if isinstance(f, FileOutcome)]
    assert [rel(p, image_tree) for p in problems] == ["b"]
    assert "not readable" in problems[0].error


def test_directory_vanishing_during_the_walk_is_an_error_record(image_tree: Path) -> None:
    walker = walk([image_tree])
    first = next(walker)
    shutil.rmtree(image_tree / "b")
    rest = list(walker)
    assert isinstance(first, ScanItem)
    problems = [f for f in rest if isinstance(f, FileOutcome)]
    assert [rel(p, image_tree) for p in problems] == ["b"]
    assert "not readable" in problems[0].error
