"""``case scan`` stores links for what it brought; ``case links`` prints them as before."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from cli_helpers import Cli
from sqlalchemy import select

from hashwarden.cases.grouping import near_duplicate_pairs, same_place_pairs
from hashwarden.cases.models import CaseItem
from hashwarden.storage.case_store import SqlCaseStore
from hashwarden.storage.case_tables import case_items
from hashwarden.storage.database import create_engine

sys.path.insert(0, str(Path(__file__).parents[1] / "core"))
from robust_samples import photo


def _whole_case(items: list[CaseItem]) -> list[dict[str, object]]:
    """What ``case links`` printed when it computed the links on every call."""
    scanned = [i.item for i in items]
    stack_of = [i.stack_id if i.stack_id is not None else -i.id for i in items]
    near = sorted(near_duplicate_pairs(scanned), key=lambda p: p.score)
    place = sorted(same_place_pairs(scanned, stack_of), key=lambda p: -p.score)
    return [{"a": scanned[p.a].path, "b": scanned[p.b].path, "kind": kind, "score": p.score}
            for kind, pairs in (("near-duplicate", near), ("same-place", place))
            for p in pairs]  # fmt: skip


def _linked_at(database_url: str, case_id: int) -> dict[str, datetime | None]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {Path(path).name: at for path, at in connection.execute(
                select(case_items.c.path, case_items.c.linked_at)
                .where(case_items.c.case_id == case_id))}
    finally:
        engine.dispose()


def test_scans_link_what_they_bring_and_restart_relinks_everything(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    seized = tmp_path / "seized"
    seized.mkdir()
    astronaut = photo("astronaut")
    width, height = astronaut.size
    astronaut.crop((0, 0, int(width * 0.7), height)).save(seized / "left.jpg", quality=90)
    astronaut.crop((int(width * 0.3), 0, width, height)).save(seized / "right.jpg", quality=90)
    astronaut.save(seized / "full.jpg", quality=90)
    astronaut.save(seized / "full-again.jpg", quality=70)
    photo("chelsea").save(seized / "cat.jpg", quality=90)
    cli("case", "create", "wren")
    cli("case", "scan", "wren", str(seized), "--workers", "0")
    engine = create_engine(database_url)
    store = SqlCaseStore(engine, migrate=False)
    case = store.get_case("wren")
    assert case is not None
    printed = cli("case", "links", "wren").records()
    assert printed == _whole_case(list(store.items(case.id)))
    kinds = {(frozenset({Path(r["a"]).name, Path(r["b"]).name}), r["kind"]) for r in printed}
    assert (frozenset({"left.jpg", "right.jpg"}), "same-place") in kinds
    first = _linked_at(database_url, case.id)
    assert all(at is not None for at in first.values())

    # A later scan of the folder brings one more framing: only it is linked.
    astronaut.crop((int(width * 0.15), 0, int(width * 0.85), height)).save(
        seized / "middle.jpg", quality=90)
    cli("case", "scan", "wren", str(seized), "--workers", "0")
    second = _linked_at(database_url, case.id)
    assert {name: second[name] for name in first} == first
    assert second["middle.jpg"] is not None
    again = cli("case", "links", "wren", "--kind", "same-place").records()
    assert any({Path(r["a"]).name, Path(r["b"]).name} == {"left.jpg", "middle.jpg"}
               for r in again)  # fmt: skip
    assert cli("case", "relink", "wren").records() == [{"name": "wren", "linked": 0}]

    # --restart hashes everything again, and links everything again.
    cli("case", "scan", "wren", str(seized), "--workers", "0", "--restart")
    third = _linked_at(database_url, case.id)
    assert all(third[name] is not None and third[name] > second[name]  # type: ignore[operator]
               for name in second)  # fmt: skip
    final = cli("case", "links", "wren").records()
    assert final == _whole_case(list(store.items(case.id)))
    # After the same-place settings change: every item again, the same links today.
    assert cli("case", "relink", "wren", "--all").records() == [{"name": "wren", "linked": 6}]
    assert cli("case", "links", "wren").records() == final
    engine.dispose()
