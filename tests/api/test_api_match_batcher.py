"""Requests parked in the same loop turn are matched in one pass, each getting its own outcome."""

from __future__ import annotations

import asyncio

import pytest

from hashwarden.api.match_batcher import MAX_BATCH, MatchBatcher
from hashwarden.api.shared_matcher import SharedMatcher
from hashwarden.core.errors import UnknownSignalTypeError
from hashwarden.core.lists.models import EntryData, Signal
from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.matcher import Matcher
from hashwarden.storage.list_store import SqlListStore

MD5S = [f"{i:032x}" for i in range(1, 6)]


@pytest.fixture
def shared(store: SqlListStore) -> SharedMatcher:
    lists = ListService(store)
    for name in ("a", "b"):
        lists.create_list(name)
    lists.add_entries("a", [EntryData(signals=(Signal("md5", md5),)) for md5 in MD5S[:3]])
    lists.add_entries("b", [EntryData(signals=(Signal("md5", md5),)) for md5 in MD5S[3:]])
    matcher = SharedMatcher(lambda: Matcher(store), interval=60)
    matcher.start()
    return matcher


def test_concurrent_requests_share_a_pass_and_keep_their_own_hits(
    shared: SharedMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes: list[int] = []
    real = shared.match_parsed

    def counting(items, lists):  # type: ignore[no-untyped-def]
        passes.append(len(items))
        return real(items, lists)

    monkeypatch.setattr(shared, "match_parsed", counting)
    batcher = MatchBatcher(shared)

    async def run() -> list[set[str]]:
        calls = [
            batcher.match(shared.parse_signals({"md5": [md5]}), None) for md5 in MD5S
        ] + [batcher.match(shared.parse_signals({"md5": ["f" * 32]}), None)]
        outcomes = await asyncio.gather(*calls)
        return [{hit.list_name for hit in outcome.hits} for outcome in outcomes]

    found = asyncio.run(run())
    assert found == [{"a"}, {"a"}, {"a"}, {"b"}, {"b"}, set()]
    # Six requests parked in one turn: passes of at most MAX_BATCH, in arrival order.
    assert passes == [MAX_BATCH, 6 - MAX_BATCH]


def test_list_filters_are_honoured_per_request(shared: SharedMatcher) -> None:
    batcher = MatchBatcher(shared)

    async def run() -> list[int]:
        both = shared.parse_signals({"md5": [MD5S[0], MD5S[4]]})
        outcomes = await asyncio.gather(
            batcher.match(both, None), batcher.match(both, ["a"]), batcher.match(both, ["b"])
        )
        return [len(outcome.hits) for outcome in outcomes]

    assert asyncio.run(run()) == [2, 1, 1]


def test_invalid_signals_fail_before_batching(shared: SharedMatcher) -> None:
    with pytest.raises(UnknownSignalTypeError):
        shared.parse_signals({"sha512": ["0" * 128]})
