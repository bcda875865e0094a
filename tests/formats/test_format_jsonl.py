"""The native JSON Lines format: structure checks with line numbers and a lossless round trip."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hashwarden.core.lists.models import Category, Entry, EntryData, HashList, ListKind, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import FormatOptions
from hashwarden.formats.jsonl import JsonlFormat

FMT = JsonlFormat()
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
PDQ = "f" * 64


def read(text: str, **options: Any) -> list[ParsedRecord | RecordProblem]:
    return list(FMT.read(io.StringIO(text), source="t", options=FormatOptions(**options)))


def make_entry(data: EntryData, entry_id: int = 1, removed: datetime | None = None) -> Entry:
    return Entry(
        id=entry_id,
        list_name="l",
        data=data,
        added_at=datetime(2024, 1, 1, tzinfo=UTC),
        sequence=entry_id,
        removed_at=removed,
    )


def test_reads_entries_with_line_numbers_and_skips_blank_lines() -> None:
    text = (
        json.dumps({"signals": [{"type": "md5", "value": MD5}], "category": {"scheme": "iwf",
                    "value": "A"}, "notes": "n", "added_at": "2024-02-03T04:05:06Z"})
        + "\n\n"
        + json.dumps({"signals": [{"type": "pdq", "value": PDQ}], "category": "iwf:B"})
        + "\n"
    )
    records = read(text)
    assert [r.line for r in records] == [1, 3]
    first, second = records
    assert isinstance(first, ParsedRecord) and isinstance(second, ParsedRecord)
    assert first.entry.signals == (Signal("md5", MD5),)
    assert first.entry.category == Category("iwf", "A")
    assert first.entry.added_at == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert second.entry.category == Category("iwf", "B")
    assert second.entry.added_at is None


def test_structural_problems_carry_line_numbers() -> None:
    lines = [
        json.dumps({"signals": [{"type": "md5", "value": MD5}]}),
        "{not json",
        "[1, 2]",
        '{"notes": "no signals"}',
        '{"signals": []}',
        '{"signals": [{"type": "md5"}]}',
        '{"signals": [{"type": "md5", "value": "x"}], "notes": 5}',
        '{"signals": [{"type": "md5", "value": "x"}], "added_at": "yesterday"}',
        '{"signals": [{"type": "md5", "value": "x"}], "category": 3}',
    ]
    records = read("\n".join(lines))
    assert isinstance(records[0], ParsedRecord)
    problems = records[1:]
    assert all(isinstance(p, RecordProblem) for p in problems)
    assert [p.line for p in problems] == list(range(2, 10))
    messages = [p.message for p in problems if isinstance(p, RecordProblem)]
    assert "invalid JSON" in messages[0]
    assert "expected a JSON object" in messages[1]
    assert "missing required key 'signals'" in messages[2]
    assert "empty" in messages[3]
    assert "'value'" in messages[4]
    assert "'notes' must be a string" in messages[5]
    assert "ISO 8601" in messages[6]
    assert "category" in messages[7]


def test_values_are_not_validated_by_the_format() -> None:
    (record,) = read('{"signals": [{"type": "nosuch", "value": "zz"}]}')
    assert isinstance(record, ParsedRecord)
    assert record.entry.signals == (Signal("nosuch", "zz"),)


def test_strict_mode_rejects_unknown_keys() -> None:
    line = json.dumps({"signals": [{"type": "md5", "value": MD5}], "colour": "red"})
    assert isinstance(read(line)[0], ParsedRecord)
    (problem,) = read(line, strict=True)
    assert isinstance(problem, RecordProblem) and "colour" in problem.message


def test_header_is_reported_to_callback_and_not_an_entry() -> None:
    hash_list = HashList(
        name="iwf", description="d", kind=ListKind.ALLOW, thresholds={"pdq": 20},
        classification_scheme="iwf", sequence=9,
    )
    out = io.StringIO()
    entry = make_entry(EntryData(signals=(Signal("md5", MD5),)))
    FMT.write([entry], out, FormatOptions(list_header=hash_list))
    seen: list[HashList] = []
    records = read(out.getvalue(), on_header=seen.append)
    assert seen == [hash_list]
    assert len(records) == 1 and records[0].line == 2


def test_header_with_unknown_version_is_a_problem() -> None:
    (problem,) = read('{"hashwarden_list": {"name": "x", "format_version": 2}}')
    assert isinstance(problem, RecordProblem) and "format_version" in problem.message


def test_tombstones_written_only_on_request_and_skipped_on_import() -> None:
    live = make_entry(EntryData(signals=(Signal("md5", MD5),)), 1)
    gone = make_entry(EntryData(signals=(Signal("pdq", PDQ),)), 2, removed=datetime.now(UTC))
    plain, with_removed = io.StringIO(), io.StringIO()
    assert FMT.write([live, gone], plain) == 1
    assert FMT.write([live, gone], with_removed, FormatOptions(include_removed=True)) == 2
    lines = with_removed.getvalue().splitlines()
    assert json.loads(lines[1])["removed_at"].endswith("Z")
    assert "removed_at" not in json.loads(plain.getvalue())
    assert len(read(with_removed.getvalue())) == 1


def test_deeply_nested_json_is_a_problem_not_a_crash() -> None:
    (problem,) = read("[" * 200_000 + "]" * 200_000)
    assert isinstance(problem, RecordProblem)


texts = st.text(max_size=40)
signals = st.lists(
    st.builds(Signal, st.sampled_from(["md5", "sha1", "pdq", "photodna", "x-y"]), texts),
    min_size=1, max_size=4,
)
times = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, None]),
).map(lambda d: d if d.tzinfo else d.replace(tzinfo=UTC)).map(
    lambda d: d.astimezone(UTC) + timedelta(0)
)
entry_data = st.builds(
    EntryData,
    signals=signals.map(tuple),
    category=st.none() | st.builds(Category, texts, texts),
    source=texts, external_id=texts, notes=texts, added_by=texts,
    added_at=st.none() | times,
)


@settings(max_examples=150, deadline=2000)
@given(st.lists(entry_data, max_size=8))
def test_round_trip_reproduces_every_field(datas: list[EntryData]) -> None:
    entries = [make_entry(d, i) for i, d in enumerate(datas, 1)]
    out = io.StringIO()
    FMT.write(entries, out)
    records = read(out.getvalue())
    assert all(isinstance(r, ParsedRecord) for r in records)
    got = [r.entry for r in records if isinstance(r, ParsedRecord)]
    # An entry without a source time is exported with its store time, as the import keeps it.
    assert got == [
        e.data if e.data.added_at else dataclasses.replace(e.data, added_at=e.added_at)
        for e in entries
    ]


def test_attributes_round_trip_and_must_be_an_object() -> None:
    attributes = {"ncmec": {"member": "m1", "id": "42"}}
    data = EntryData(signals=(Signal("md5", MD5),), attributes=attributes)
    out = io.StringIO()
    FMT.write([make_entry(data)], out)
    [record] = read(out.getvalue())
    assert isinstance(record, ParsedRecord)
    assert record.entry.attributes == attributes
    [problem] = read(json.dumps({"signals": [{"type": "md5", "value": MD5}], "attributes": 3}))
    assert isinstance(problem, RecordProblem) and "attributes" in problem.message
