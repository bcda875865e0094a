"""Pulling the fake NCMEC feed into a list: paging, checkpoint, resumption, order, idempotence.

Every test runs against SQLite and PostgreSQL (the ``store`` fixture) and a real HTTP server.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from ncmec_fake import (
    USER,
    EntryMaker,
    FakeEntry,
    FakeNcmec,
    deleted,
    parse_time,
    scrambled,
)
from pull_checks import LATER, LIST, SINCE, UNTIL, MakePull, assert_mirrors, live_by_id

from hashwarden.core.errors import ConfigError, ListNotFoundError
from hashwarden.core.lists.services import ListService
from hashwarden.remote_pull.ncmec import PullProgress, checkpoint_name
from hashwarden.remote_pull.ncmec_client import PullAuthError, PullError
from hashwarden.remote_pull.settings import NcmecCredentials
from hashwarden.storage.checkpoint_store import SqlCheckpointStore


def window_entries(maker: EntryMaker, count: int, first_hour: float, deletions: int) -> list[
        FakeEntry]:
    """``count`` entries over two days from ``first_hour``, the first ``deletions`` withdrawn."""
    entries = list(maker.batch(count, hours=(first_hour, first_hour + 40)))
    return entries + [deleted(e, hours_later=3) for e in entries[:deletions]]


def checkpoint(checkpoints: SqlCheckpointStore) -> dict[str, str] | None:
    return checkpoints.get(checkpoint_name(LIST))


def test_full_pull_pages_through_the_window_into_the_list(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    fake.entries = window_entries(EntryMaker(1), 20, 1, deletions=3)
    in_time_order = sorted(fake.entries, key=lambda e: e.timestamp)
    assert scrambled(fake.entries) != in_time_order  # pages are not in time order

    summary = make_pull().run(SINCE, UNTIL)

    assert_mirrors(lists, LIST, fake.entries)
    assert len(live_by_id(lists, LIST)) == 17
    assert summary.pages == 8  # 23 entries, 3 per page
    assert summary.windows == 1
    assert summary.entries + summary.deletions + summary.superseded == 23
    assert summary.checkpoint == UNTIL
    assert checkpoint(checkpoints) == {"to": "2024-03-04T00:00:00Z", "url": fake.url}
    requests = fake.page_requests()
    assert [r.page for r in requests] == list(range(1, 9))
    assert requests[0].query == {"from": "2024-03-01T00:00:00Z", "to": "2024-03-04T00:00:00Z"}
    assert requests[1].query["start"] == "4"  # the next link, followed as sent
    assert all(r.authorized and r.status == 200 for r in requests)


def test_second_run_resumes_from_the_checkpoint(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    maker = EntryMaker(2)
    first = window_entries(maker, 10, 1, deletions=1)
    fake.entries = list(first)
    make_pull().run(SINCE, UNTIL)
    served_before = len(fake.page_requests())

    second = [*window_entries(maker, 8, 73, deletions=2), deleted(first[5], hours_later=80)]
    fake.entries += second
    summary = make_pull().run(until=LATER)

    requests = fake.page_requests()[served_before:]
    assert requests[0].query["from"] == "2024-03-04T00:00:00Z"
    assert all(parse_time(r.query["from"]) == UNTIL for r in requests)
    assert summary.start == UNTIL
    assert summary.removed >= 1  # first[5], pulled in the first window, is withdrawn now
    assert_mirrors(lists, LIST, fake.entries)
    assert checkpoint(checkpoints) == {"to": "2024-03-07T00:00:00Z", "url": fake.url}

    # Nothing new to pull: no request at all.
    idle = make_pull().run(now=LATER + timedelta(seconds=60))
    assert idle.note == "up to date" and idle.pages == 0
    assert len(fake.page_requests()) == served_before + len(requests)


def test_failure_midway_keeps_the_checkpoint_and_a_rerun_completes_without_duplicates(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    maker = EntryMaker(3)
    fake.entries = window_entries(maker, 6, 1, deletions=1)
    make_pull().run(SINCE, UNTIL)
    saved = checkpoint(checkpoints)
    fake.entries += window_entries(maker, 16, 73, deletions=3)
    fake.entries += [deleted(fake.entries[0], hours_later=90)]  # from the first window
    fake.fail_pages = {3: 500}
    served_before = len(fake.page_requests())
    sequence_before = lists.get_list(LIST).sequence

    with pytest.raises(PullError, match=r"failed after 3 attempts: HTTP 500"):
        make_pull(attempts=3).run(until=LATER)

    failed_run = fake.page_requests()[served_before:]
    assert [r.page for r in failed_run] == [1, 2, 3, 3, 3]
    assert checkpoint(checkpoints) == saved
    # The window is applied once all its pages are in, so nothing of it landed.
    assert lists.get_list(LIST).sequence == sequence_before

    fake.fail_pages = {}
    rerun_from = len(fake.page_requests())
    summary = make_pull().run(until=LATER)

    rerun = fake.page_requests()[rerun_from:]
    assert rerun[0].page == 1 and rerun[0].query["from"] == "2024-03-04T00:00:00Z"
    assert summary.checkpoint == LATER
    assert_mirrors(lists, LIST, fake.entries)  # no duplicates, nothing lost

    # The same result as one uninterrupted pull into a fresh list.
    lists.create_list("fresh")
    make_pull("fresh").run(SINCE, LATER)
    fresh = {i: set(e.signals) for i, e in live_by_id(lists, "fresh").items()}
    assert {i: set(e.signals) for i, e in live_by_id(lists, LIST).items()} == fresh


def test_a_pull_stopped_while_applying_pages_is_completed_by_the_next_run(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    fake.entries = window_entries(EntryMaker(10), 18, 1, deletions=4)
    applied: list[int] = []

    def stop_after_two_pages(state: PullProgress) -> None:
        if state.phase == "applying":
            applied.append(state.entries)
            if len(applied) == 2:
                raise KeyboardInterrupt  # as if the operator pressed Ctrl-C

    with pytest.raises(KeyboardInterrupt):
        make_pull(progress=stop_after_two_pages).run(SINCE, UNTIL)
    assert checkpoint(checkpoints) is None
    assert 0 < len(live_by_id(lists, LIST)) < 14

    summary = make_pull().run(SINCE, UNTIL)

    assert summary.checkpoint == UNTIL
    # The entries applied before the stop come again unchanged; nothing is added twice.
    assert summary.unchanged == applied[-1] > 0
    assert summary.added == 14 - applied[-1]
    assert_mirrors(lists, LIST, fake.entries)
    lists.create_list("fresh")
    make_pull("fresh").run(SINCE, UNTIL)
    fresh = {i: set(e.signals) for i, e in live_by_id(lists, "fresh").items()}
    assert {i: set(e.signals) for i, e in live_by_id(lists, LIST).items()} == fresh


def test_pulling_a_window_again_changes_nothing(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    fake.entries = window_entries(EntryMaker(4), 12, 1, deletions=2)
    make_pull().run(SINCE, UNTIL)
    before = lists.get_list(LIST).sequence
    saved = checkpoint(checkpoints)

    again = make_pull().run(SINCE, UNTIL)

    assert (again.added, again.merged, again.removed) == (0, 0, 0)
    assert again.unchanged == again.entries > 0
    assert lists.get_list(LIST).sequence == before
    assert checkpoint(checkpoints) == saved
    assert_mirrors(lists, LIST, fake.entries)


@pytest.mark.parametrize("page_size", [1, 4])
@pytest.mark.parametrize("newest_first", [True, False])
def test_the_newest_state_of_an_entry_wins_whatever_the_page_order(
    fake: FakeNcmec, lists: ListService, make_pull: MakePull, page_size: int, newest_first: bool
) -> None:
    maker = EntryMaker(5)
    gone, back, kept = maker.image(hours=2), maker.image(hours=3), maker.image(hours=4)
    withdrawn_back = deleted(back, hours_later=-1)  # deleted, then added again later
    fake.entries = [gone, deleted(gone, hours_later=5), back, withdrawn_back, kept]
    fake.page_size = page_size
    fake.order = lambda entries: sorted(entries, key=lambda e: e.timestamp, reverse=newest_first)

    summary = make_pull().run(SINCE, UNTIL)

    assert sorted(live_by_id(lists, LIST)) == sorted([back.id, kept.id])
    assert_mirrors(lists, LIST, fake.entries)
    # The older states of "gone" and "back" are never applied, in either order.
    assert summary.superseded == 2
    assert summary.added == 2 and summary.removed == 0


def test_a_deletion_only_removes_the_same_members_entry(
    fake: FakeNcmec, lists: ListService, make_pull: MakePull
) -> None:
    maker = EntryMaker(6)
    mine = replace(maker.image(member="42", hours=1), id="shared-id")
    fake.entries = [mine]
    make_pull().run(SINCE, UNTIL)

    # Member 43 withdraws its own entry that happens to have the same id.
    fake.entries = [replace(deleted(mine), member="43")]
    other = make_pull().run(SINCE, UNTIL)
    assert other.foreign_deletions == 1 and other.removed == 0
    assert "shared-id" in live_by_id(lists, LIST)

    fake.entries = [deleted(mine)]
    own = make_pull().run(SINCE, UNTIL)
    assert own.removed == 1 and own.foreign_deletions == 0
    assert live_by_id(lists, LIST) == {}


def test_entries_the_list_cannot_take_are_skipped_and_reported_without_values(
    fake: FakeNcmec, lists: ListService, make_pull: MakePull
) -> None:
    maker = EntryMaker(7)
    good = maker.image(hours=1)
    bad_hash = replace(maker.image(hours=2), fingerprints={"md5": "zz" * 16})
    no_hash = replace(maker.video(hours=3), fingerprints={})
    fake.entries = [good, bad_hash, no_hash]

    summary = make_pull().run(SINCE, UNTIL)

    assert sorted(live_by_id(lists, LIST)) == [good.id]
    assert summary.skipped == 2
    reasons = " ".join(summary.skipped_reasons)
    assert "invalid md5 value" in reasons and "no fingerprint value" in reasons
    assert "zz" not in reasons


def test_windows_move_the_checkpoint_one_complete_window_at_a_time(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    maker = EntryMaker(8)
    day_one = [maker.image(hours=h) for h in (2, 5)]  # one page
    day_two = [maker.image(hours=24 + h) for h in range(1, 8)]  # three pages
    fake.entries = day_one + day_two
    fake.fail_pages = {3: 503}

    with pytest.raises(PullError, match="HTTP 503"):
        make_pull(step=timedelta(days=1)).run(SINCE, UNTIL)
    assert checkpoint(checkpoints) == {"to": "2024-03-02T00:00:00Z", "url": fake.url}

    fake.fail_pages = {}
    summary = make_pull(step=timedelta(days=1)).run(until=UNTIL)
    assert summary.start == SINCE + timedelta(days=1)
    assert summary.windows == 2
    assert checkpoint(checkpoints) == {"to": "2024-03-04T00:00:00Z", "url": fake.url}
    assert_mirrors(lists, LIST, fake.entries)


def test_a_first_pull_starts_at_the_epoch_and_widens_empty_windows(
    fake: FakeNcmec, lists: ListService, make_pull: MakePull
) -> None:
    fake.entries = window_entries(EntryMaker(9), 5, 1, deletions=1)

    summary = make_pull().run(until=UNTIL)

    requests = fake.page_requests()
    assert requests[0].query["from"] == "1970-01-01T00:00:00Z"
    assert len(requests) == summary.pages  # an empty window is one (empty) page
    assert summary.windows < 80  # 54 years in windows of up to a year, not of 30 days
    assert_mirrors(lists, LIST, fake.entries)


def test_wrong_credentials_stop_the_pull_and_keep_the_checkpoint(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    fake.entries = window_entries(EntryMaker(12), 4, 1, deletions=0)
    make_pull().run(SINCE, UNTIL)
    saved = checkpoint(checkpoints)
    wrong = NcmecCredentials(USER, "wrong password")

    with pytest.raises(PullAuthError, match="rejected the credentials"):
        make_pull(credentials=wrong).run(until=LATER)

    assert checkpoint(checkpoints) == saved
    assert len(live_by_id(lists, LIST)) == 4


def test_a_cut_page_stops_the_pull_before_anything_of_its_window_is_applied(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    fake.entries = window_entries(EntryMaker(13), 9, 1, deletions=0)
    fake.cut_pages = {2}

    with pytest.raises(PullError, match=r"page 2 of 2024-03-01T00:00:00Z\.\..* not well-formed"):
        make_pull().run(SINCE, UNTIL)

    assert checkpoint(checkpoints) is None
    assert live_by_id(lists, LIST) == {}


def test_a_checkpoint_is_kept_per_url_and_the_end_may_not_be_in_the_future(
    fake: FakeNcmec, make_pull: MakePull
) -> None:
    make_pull().run(SINCE, UNTIL)
    other = make_pull(url="http://127.0.0.1:9/elsewhere")
    with pytest.raises(ConfigError, match=r"checkpoint .* is for another URL"):
        other.run()
    with pytest.raises(ConfigError, match="in the future"):
        make_pull().run(until=datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(ConfigError, match="nothing to pull"):
        make_pull().run(UNTIL, SINCE)
    with pytest.raises(ListNotFoundError):
        make_pull("no-such-list").run(SINCE, UNTIL)
    assert len(fake.page_requests()) == 1  # none of the refused runs sent a request


def test_a_run_that_leaves_a_gap_after_the_checkpoint_does_not_move_it(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    maker = EntryMaker(14)
    fake.entries = [maker.image(hours=100)]  # in the last day of [UNTIL, LATER)
    make_pull().run(SINCE, UNTIL)
    saved = checkpoint(checkpoints)

    summary = make_pull().run(UNTIL + timedelta(days=1), LATER)

    assert summary.added == 1
    assert "checkpoint kept at 2024-03-04T00:00:00Z" in summary.note
    assert checkpoint(checkpoints) == saved  # [UNTIL, UNTIL + 1 day) was never pulled


def test_a_page_the_reader_gives_up_on_stops_the_pull(
    fake: FakeNcmec, lists: ListService, checkpoints: SqlCheckpointStore, make_pull: MakePull
) -> None:
    maker = EntryMaker(15)
    # Well-formed XML, but one value far beyond what the reader takes for a hash.
    huge = replace(maker.image(hours=2), fingerprints={"pdna": "A" * (1 << 21)})
    fake.entries = [maker.image(hours=1), huge]

    with pytest.raises(PullError, match=r"page 1 of .* could not be read: .*reading stopped"):
        make_pull().run(SINCE, UNTIL)

    assert checkpoint(checkpoints) is None
    assert live_by_id(lists, LIST) == {}
