"""HMA bank contents as JSON Lines, checked against HMA's storage as python-threatexchange ships it.

HMA itself is not installed; its bank storage interface is (``threatexchange.storage.interfaces``,
copied from HMA 2.0) with a working implementation, ``DBMStore``. Exports are added to a bank
through it as HMA's routes do (signal names resolved by its signal type configs and
``validate_signal_str``, then ``bank_add_content``), and contents it holds are read back in the
shape ``GET /c/bank/<bank>/content/<id>?include_signals=true`` returns (the dataclass as Flask
serialises it, plus ``bank_content_get_signals``). Fixtures are synthetic random hashes.
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal
from threatexchange.signal_type.sha256 import VideoSHA256Signal
from threatexchange.storage import interfaces as iface
from threatexchange.storage.local_dbm import DBMStore

from hashwarden.core.lists.models import Category, Entry, EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import FormatOptions, format_timestamp
from hashwarden.formats.hma_bank import HmaBankFormat

FMT = HmaBankFormat()
BANK = "TEST_BANK"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
AT = datetime(2024, 1, 1, tzinfo=UTC)

Records = list[ParsedRecord | RecordProblem]


def read(text: str, **options: Any) -> Records:
    stream = io.StringIO(text, newline="")
    return list(FMT.read(stream, source="t", options=FormatOptions(**options)))


def write(entries: list[Entry], **options: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    FMT.write(entries, out, FormatOptions(**options))
    return [json.loads(line) for line in out.getvalue().splitlines()]


def lines(*objects: object) -> str:
    return "".join(json.dumps(obj) + "\n" for obj in objects)


def entry(data: EntryData, entry_id: int = 1, removed: bool = False) -> Entry:
    return Entry(id=entry_id, list_name="l", data=data, added_at=AT, sequence=entry_id,
                 removed_at=AT if removed else None)


def parsed(records: Records) -> list[EntryData]:
    assert not [r for r in records if isinstance(r, RecordProblem)], records
    return [r.entry for r in records if isinstance(r, ParsedRecord)]


def content(content_id: int, signals: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"id": content_id, "disable_until_ts": 1, "collab_metadata": {},
            "original_media_uri": None, "bank": {"name": BANK, "matching_enabled_ratio": 1.0},
            "signals": signals, **extra}


@pytest.fixture
def store(tmp_path: Path) -> DBMStore:
    """HMA's bank storage, as python-threatexchange ships it, with one bank."""
    store = DBMStore(tmp_path, signal_types=[PdqSignal, VideoMD5Signal, VideoSHA256Signal])
    store.bank_update(iface.BankConfig(name=BANK, matching_enabled_ratio=1.0), create=True)
    return store


def hma_add(store: DBMStore, obj: dict[str, Any]) -> int:
    """Bank one exported object the way HMA's curation routes do (``_bank_add_signals``)."""
    configs = store.get_signal_type_configs()
    signals = {
        configs[name].signal_type: configs[name].signal_type.validate_signal_str(value)
        for name, value in obj["signals"].items()
    }
    bank = store.get_bank(BANK)
    assert bank is not None
    config = iface.BankContentConfig(
        id=0, disable_until_ts=obj["disable_until_ts"], collab_metadata=obj["collab_metadata"],
        original_media_uri=obj["original_media_uri"], bank=bank,
    )
    return store.bank_add_content(BANK, signals, config)


def hma_get(store: DBMStore, content_id: int) -> dict[str, Any]:
    """What ``GET /c/bank/<bank>/content/<id>?include_signals=true`` returns for the content."""
    (config,) = store.bank_content_get([content_id])
    signals = store.bank_content_get_signals([content_id])[content_id]
    return {**dataclasses.asdict(config), "signals": signals}


# -- reading --------------------------------------------------------------------------------------


def test_reads_contents_with_line_numbers() -> None:
    text = lines(
        content(7, {"pdq": PDQ, "video_md5": MD5}, collab_metadata={"NCMEC": ["k1"]}),
        content(8, {"raw_text": "a foreign signal", "pdq": PDQ}),
        content(9, {"url_md5": MD5}),
        content(10, {"pdq": PDQ}, disable_until_ts=0),
        content(11, {"pdq": PDQ}, disable_until_ts=int(time.time()) + 3600),
        content(12, {"pdq": PDQ}, disable_until_ts=1000),
    ) + '{"id": 13,\n[1]\n{"signals": {}}\n{"id": "14", "signals": {"pdq": "x"}}\n'
    text += '{"signals": {"pdq": 5}}\n{"signals": {"pdq": "x"}, "bank": NaN}\n'
    records = read(text)
    assert [(r.line, type(r).__name__) for r in records] == [
        (1, "ParsedRecord"), (2, "ParsedRecord"), (3, "RecordProblem"), (6, "ParsedRecord"),
        (7, "RecordProblem"), (8, "RecordProblem"), (9, "RecordProblem"), (10, "RecordProblem"),
        (11, "RecordProblem"), (12, "RecordProblem"),
    ]
    first, second, third = (r.entry for r in records if isinstance(r, ParsedRecord))
    assert first.signals == (Signal("pdq", PDQ), Signal("md5", MD5))
    assert first.external_id == "" and first.notes == ""
    assert first.attributes["hma"]["id"] == 7
    assert first.attributes["hma"]["collab_metadata"] == {"NCMEC": ["k1"]}
    assert second.signals == (Signal("pdq", PDQ),)
    assert second.attributes["hma"]["signals"] == {"raw_text": "a foreign signal"}
    assert third.attributes["hma"]["disable_until_ts"] == 1000
    messages = [r.message for r in records if isinstance(r, RecordProblem)]
    assert "'url_md5' has no hashwarden equivalent" in messages[0]
    assert messages[1].startswith("invalid JSON")
    assert "expected a JSON object" in messages[2]
    assert "'signals' must be a non-empty object" in messages[3]
    assert "'id' must be an integer" in messages[4]
    assert "value must be a string" in messages[5]
    assert "NaN is not a JSON value" in messages[6]


def test_note_and_user_metadata_become_entry_fields() -> None:
    hashwarden = {"source": "IWF", "added_by": "analyst7", "added_at": "2023-05-06T07:08:09Z",
                  "category": {"scheme": "iwf", "value": "A"}}
    obj = content(3, {"pdq": PDQ}, note="seen twice", user_metadata={
        "content_id": "upload-991", "content_uri": "s3://b/k",
        "json": {"hashwarden": hashwarden, "team": "t&s"},
    })
    (data,) = parsed(read(lines(obj)))
    assert (data.notes, data.external_id, data.source, data.added_by) == (
        "seen twice", "upload-991", "IWF", "analyst7"
    )
    assert data.category == Category("iwf", "A")
    assert data.added_at == datetime(2023, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert data.attributes["hma"]["user_metadata"] == {"content_uri": "s3://b/k",
                                                       "json": {"team": "t&s"}}
    assert write([entry(data)]) == [obj]


def test_strict_reports_keys_hma_does_not_have() -> None:
    text = lines(content(1, {"pdq": PDQ}, colour="blue"))
    assert isinstance(read(text)[0], ParsedRecord)
    (problem,) = read(text, strict=True)
    assert isinstance(problem, RecordProblem) and "colour" in problem.message


# -- writing --------------------------------------------------------------------------------------


def test_export_of_a_hashwarden_entry() -> None:
    data = EntryData(signals=(Signal("md5", MD5), Signal("pdq", PDQ), Signal("sha1", SHA1)),
                     external_id="x-1")
    assert write([entry(data, entry_id=5), entry(EntryData(signals=(Signal("sha1", SHA1),)))]) == [{
        "id": 5, "disable_until_ts": 1, "collab_metadata": {}, "original_media_uri": None,
        "bank": {"name": "l", "matching_enabled_ratio": 1.0},
        "signals": {"video_md5": MD5, "pdq": PDQ},
        "user_metadata": {"content_id": "x-1",
                          "json": {"hashwarden": {"added_at": "2024-01-01T00:00:00Z"}}},
    }]


def test_removed_entries_are_disabled_and_repeated_types_split() -> None:
    other = MD5.replace("d", "e")
    data = EntryData(signals=(Signal("md5", MD5), Signal("md5", other), Signal("pdq", PDQ)))
    assert write([entry(data, removed=True)]) == []
    objects = write([entry(data, removed=True)], include_removed=True)
    assert [(o["disable_until_ts"], o["signals"]) for o in objects] == [
        (0, {"video_md5": MD5, "pdq": PDQ}), (0, {"video_md5": other}),
    ]
    assert parsed(read(lines(*objects))) == []  # disabled content is not imported


# -- against HMA's storage ------------------------------------------------------------------------


def test_hma_storage_banks_what_hashwarden_writes(store: DBMStore) -> None:
    entries = [
        entry(EntryData(signals=(Signal("md5", MD5), Signal("pdq", PDQ)), notes="n"), 1),
        entry(EntryData(signals=(Signal("sha256", "ab" * 32), Signal("sha1", SHA1))), 2),
    ]
    ids = [hma_add(store, obj) for obj in write(entries)]
    banked = {(i.signal_type_name, i.signal_val) for i in store.bank_yield_content()}
    assert banked == {("video_md5", MD5), ("pdq", PDQ), ("video_sha256", "ab" * 32)}
    back = parsed(read(lines(*(hma_get(store, i) for i in ids))))
    assert [set(d.signals) for d in back] == [
        {Signal("md5", MD5), Signal("pdq", PDQ)}, {Signal("sha256", "ab" * 32)},
    ]


def test_hma_contents_round_trip_exactly(store: DBMStore) -> None:
    first = hma_add(store, content(0, {"pdq": PDQ}, collab_metadata={"SAMPLE": ["a", "b"]}))
    second = hma_add(store, content(0, {"video_md5": MD5, "pdq": PDQ.replace("f", "e")}))
    objects = [hma_get(store, first), hma_get(store, second)]
    objects[1]["note"] = "HMA 1.1.3 field"
    objects[1]["user_metadata"] = {"content_id": "c9", "content_uri": None, "json": None}
    entries = [entry(d, entry_id=i + 100) for i, d in enumerate(parsed(read(lines(*objects))))]
    assert write(entries) == objects


# -- properties -----------------------------------------------------------------------------------

HEX = "0123456789abcdef"
values = {
    "pdq": st.text(HEX, min_size=64, max_size=64),
    "video_md5": st.text(HEX, min_size=32, max_size=32),
    "video_sha256": st.text(HEX, min_size=64, max_size=64),
    "raw_text": st.text("0123456789abcdef,.", min_size=1, max_size=30),
}
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=15)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                     timezones=st.just(UTC))


@st.composite
def hma_objects(draw: st.DrawFn, content_id: int) -> dict[str, Any]:
    names = draw(st.sets(st.sampled_from(sorted(values)), min_size=1))
    if names == {"raw_text"}:
        names.add("pdq")  # an object with no signal hashwarden has is a problem, tested above
    signals = {name: draw(values[name]) for name in sorted(names)}
    obj = content(content_id, signals, collab_metadata=draw(
        st.dictionaries(texts, st.lists(texts, max_size=2), max_size=2)))
    obj["disable_until_ts"] = draw(st.sampled_from([1, 1000]))
    obj.update(draw(st.dictionaries(st.sampled_from(["future_field", "extra"]), json_values)))
    if draw(st.booleans()):
        obj["note"] = draw(st.none() | texts)
    if draw(st.booleans()):
        block = draw(st.fixed_dictionaries({}, optional={
            "source": texts, "added_by": texts,
            "added_at": times.map(format_timestamp),
            "category": st.fixed_dictionaries({"scheme": texts, "value": texts}),
        }))
        metadata: dict[str, Any] = {"content_id": draw(st.none() | texts)}
        metadata["json"] = draw(st.dictionaries(st.just("team"), json_values))
        if block:
            metadata["json"]["hashwarden"] = block
        obj["user_metadata"] = metadata
    return obj


@settings(max_examples=150, deadline=None)
@given(objects=st.lists(st.integers(1, 10**9), max_size=6, unique=True).flatmap(
    lambda ids: st.tuples(*(hma_objects(i) for i in ids))))
def test_any_hma_contents_round_trip(objects: tuple[dict[str, Any], ...]) -> None:
    entries = [entry(d, entry_id=9) for d in parsed(read(lines(*objects)))]
    assert write(entries) == list(objects)


entry_data = st.builds(
    EntryData,
    signals=st.lists(st.sampled_from(["pdq", "md5", "sha256"]).flatmap(
        lambda t: values[{"md5": "video_md5", "sha256": "video_sha256"}.get(t, t)].map(
            lambda v: Signal(t, v))), min_size=1, max_size=3, unique_by=lambda s: s.type
    ).map(tuple),
    category=st.none() | st.builds(Category, st.text(max_size=5), texts),
    source=st.just("") | texts, external_id=st.just("") | texts, notes=st.just("") | texts,
    added_by=st.just("") | texts, added_at=st.none() | times,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=entry_data)
def test_any_entry_round_trips(data: EntryData) -> None:
    (back,) = parsed(read(lines(*write([entry(data)]))))
    assert set(back.signals) == set(data.signals)
    assert dataclasses.replace(back, signals=data.signals, attributes={}) == dataclasses.replace(
        data, added_at=data.added_at or AT
    )


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_reader_never_raises_on_random_text(text: str) -> None:
    count = text.count("\n") + text.count("\r") + 1
    for strict in (False, True):
        for record in read(text, strict=strict, max_line_chars=120):
            assert 1 <= record.line <= count


@settings(max_examples=300, deadline=None)
@given(obj=json_values | st.dictionaries(st.sampled_from(sorted(
    {"id", "signals", "note", "user_metadata", "disable_until_ts", "bank"})), json_values))
def test_reader_never_raises_on_random_json(obj: object) -> None:
    for record in read(json.dumps(obj) + "\n"):
        assert record.line == 1
