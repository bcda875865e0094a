"""The scanner on real Dask LocalClusters (one and two worker processes) over a hostile tree."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from distributed import Client
from scanmedia import image_bytes, make_tree, md5
from zipcraft import deflated_zeros, stored, write_zip

from hashwarden.core.media.models import MediaHashes
from hashwarden.scanning.executors import start_local_cluster
from hashwarden.scanning.reports.jsonl import read_report
from hashwarden.scanning.runner import Scanner

KNOWN = md5(image_bytes(30))


def flag_known(hashes: Sequence[MediaHashes]) -> list[list[dict[str, object]]]:
    return [[{"list": "known", "signal": "md5"}] if h.md5 == KNOWN else [] for h in hashes]


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("dask")
    root = make_tree(base / "tree")
    for i in range(40):
        (root / "a" / f"bulk{i:02}.jpg").write_bytes(image_bytes(100 + i))
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("known.jpg", image_bytes(30))
        archive.writestr("other.png", image_bytes(31, fmt="PNG"))
    (root / "b" / "set.zip").write_bytes(inner.getvalue())
    write_zip(root / "b" / "bomb.zip", [deflated_zeros("zeros.bin", 1024)])
    write_zip(root / "b" / "evil.zip", [stored("../../x.jpg", image_bytes(32))])
    outside = base / "outside"
    outside.mkdir()
    (outside / "o.jpg").write_bytes(image_bytes(33))
    (root / "to-outside").symlink_to(outside)
    (root / "to-inside").symlink_to(root / "a")
    return root


def clusters(workers: int) -> Iterator[Client]:
    with start_local_cluster(workers) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


@pytest.fixture(scope="module")
def one_worker() -> Iterator[Client]:
    yield from clusters(1)


@pytest.fixture(scope="module")
def two_workers() -> Iterator[Client]:
    yield from clusters(2)


def outcome_table(report: Path, root: Path) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for record in read_report(report):
        # Not os.path.relpath: it would normalise the "../" of an unsafe member name away.
        key = record["path"].removeprefix(f"{root}{os.sep}")
        assert key not in table, f"{key} reported twice"
        if "error" in record:
            table[key] = ("error", record["error_kind"])
        else:
            hits = tuple(h["list"] for h in record["matches"])
            table[key] = (record["md5"], record.get("pdq", {}).get("hash", ""), *hits)
    return table


@pytest.fixture(scope="module")
def inline_table(hostile_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    report = tmp_path_factory.mktemp("inline") / "r.jsonl"
    Scanner([hostile_tree], report=report, workers=0, match=flag_known).run()
    return outcome_table(report, hostile_tree)


def test_inline_reference_covers_every_case(inline_table: dict[str, tuple[str, ...]]) -> None:
    assert len([k for k in inline_table if k.startswith("a/bulk")]) == 40
    assert inline_table["b/set.zip!/known.jpg"][2:] == ("known",)
    assert inline_table["b/bomb.zip!/zeros.bin"] == ("error", "zip_bomb")
    assert inline_table["b/evil.zip!/../../x.jpg"] == ("error", "unsafe_name")
    assert inline_table["to-outside"] == ("error", "skipped")
    assert inline_table["b/broken.jpg"] == ("error", "CorruptMediaError")
    assert not any(k.startswith("to-inside") for k in inline_table)


@pytest.mark.parametrize("cluster", ["one_worker", "two_workers"])
def test_dask_scan_matches_inline_scan(
    cluster: str,
    request: pytest.FixtureRequest,
    hostile_tree: Path,
    inline_table: dict[str, tuple[str, ...]],
    tmp_path: Path,
) -> None:
    client: Client = request.getfixturevalue(cluster)
    report = tmp_path / "r.jsonl"
    summary = Scanner(
        [hostile_tree], report=report, client=client, match=flag_known, batch_size=8,
        max_in_flight=3,
    ).run()
    assert outcome_table(report, hostile_tree) == inline_table
    assert summary.progress.files_done == summary.progress.found
    assert summary.progress.matched == 1
