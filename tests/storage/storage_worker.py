"""Run as a separate process by the concurrency and crash tests.

``append URL LIST ROUNDS TAG``: ROUNDS small transactions of three entries each.
``import URL LIST COUNT``: one import of COUNT records; prints ``importing`` just before it starts.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator

from hashwarden.core.lists.interfaces import ListChanges
from hashwarden.core.lists.models import EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord
from hashwarden.core.lists.services import ListService
from hashwarden.storage.database import create_engine
from hashwarden.storage.list_store import SqlListStore


def _md5(text: str) -> Signal:
    return Signal("md5", hashlib.md5(text.encode()).hexdigest())


def append(store: SqlListStore, list_name: str, rounds: int, tag: str) -> None:
    for round_no in range(rounds):
        batch = [EntryData((_md5(f"{tag}-{round_no}-{k}"),)) for k in range(3)]
        store.apply(list_name, ListChanges(add=batch, actor=tag))


def records(count: int) -> Iterator[ParsedRecord]:
    for line in range(1, count + 1):
        yield ParsedRecord(line, EntryData((_md5(f"import-{line}"),), notes=f"line {line}"))


def main(argv: list[str]) -> None:
    command, url, list_name, number = argv[:4]
    store = SqlListStore(create_engine(url), migrate=False)
    if command == "append":
        append(store, list_name, int(number), argv[4])
    elif command == "import":
        print("importing", flush=True)
        ListService(store).import_records(list_name, records(int(number)), "worker", "big")
        print("done", flush=True)
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
