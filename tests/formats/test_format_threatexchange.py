"""python-threatexchange formats, checked against the installed ``threatexchange`` package itself.

The signal file is read by TE's ``LocalFileSignalExchangeAPI`` and its CLI (``fetch``,
``dataset``); what TE writes (``hash``, ``dataset -P -S`` and ``--csv``) imports with the same
signals. (``LocalFileSignalExchangeAPI.report_opinion`` would append lines too, but in 1.2.17 it
opens the file with mode ``"wta"``, which Python rejects.) Fixtures are synthetic: random hashes
and a noise image.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from threatexchange.cli.dataset_cmd import DatasetCommand
from threatexchange.cli.main import inner_main
from threatexchange.exchanges.fetch_state import (
    FetchedSignalMetadata,
    SignalOpinion,
    SignalOpinionCategory,
)
from threatexchange.exchanges.impl.file_api import (
    FileCollaborationConfig,
    LocalFileSignalExchangeAPI,
)
from threatexchange.signal_type.md5 import VideoMD5Signal
from threatexchange.signal_type.pdq.signal import PdqSignal

from hashwarden.core.lists.models import Category, Entry, EntryData, HashList, ListKind, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import FormatOptions, ListFormat
from hashwarden.formats.hma_bank import HmaBankFormat
from hashwarden.formats.registry import default_registry
from hashwarden.formats.threatexchange_dataset import ThreatExchangeDatasetFormat
from hashwarden.formats.threatexchange_file import ThreatExchangeFileFormat

TE_FILE = ThreatExchangeFileFormat()
TE_CSV = ThreatExchangeDatasetFormat()
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
TE_TYPE = {"md5": "video_md5", "sha256": "video_sha256", "pdq": "pdq", "photodna": "photodna"}

Records = list[ParsedRecord | RecordProblem]


def read(fmt: ListFormat, text: str, **options: Any) -> Records:
    stream = io.StringIO(text, newline="")
    return list(fmt.read(stream, source="t", options=FormatOptions(**options)))


def write(fmt: ListFormat, entries: list[Entry], **options: Any) -> str:
    out = io.StringIO(newline="")
    fmt.write(entries, out, FormatOptions(**options))
    return out.getvalue()


def entry(*signals: Signal, entry_id: int = 1, removed: bool = False, **fields: Any) -> Entry:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    return Entry(id=entry_id, list_name="l", data=EntryData(signals=signals, **fields),
                 added_at=at, sequence=entry_id, removed_at=at if removed else None)


def parsed(records: Records) -> list[tuple[int, EntryData]]:
    assert not [r for r in records if isinstance(r, RecordProblem)], records
    return [(r.line, r.entry) for r in records if isinstance(r, ParsedRecord)]


def te_fetch(path: Path, signal_type: str | None = None) -> set[tuple[str, str]]:
    """What TE's own local-file exchange reads from ``path``: (type, value) pairs."""
    collab = FileCollaborationConfig(
        name="hw", api="local_file", filename=str(path), signal_type=signal_type
    )
    api = LocalFileSignalExchangeAPI.for_collab(collab)
    return {key for delta in api.fetch_iter([], None) for key in delta.updates}


def te_cli(capsys: pytest.CaptureFixture[str], state: Path, *args: str) -> str:
    capsys.readouterr()
    inner_main(list(args), state_dir=state)
    return capsys.readouterr().out


# -- the signal file ------------------------------------------------------------------------------


def test_reads_typed_lines_maps_names_and_numbers_problems() -> None:
    text = (
        f"pdq {PDQ}\n\n# a comment\nvideo_md5 {MD5.upper()}\r\nurl https://example.org/x\n"
        f"raw_text some words\nvideo_sha256 {SHA256}\nROTATE90 pdq {PDQ}\n{MD5}\n"
    )
    records = read(TE_FILE, text)
    assert [(r.line, type(r).__name__) for r in records] == [
        (1, "ParsedRecord"), (4, "ParsedRecord"), (5, "RecordProblem"), (6, "RecordProblem"),
        (7, "ParsedRecord"), (8, "ParsedRecord"), (9, "RecordProblem"),
    ]
    entries = {r.line: r.entry for r in records if isinstance(r, ParsedRecord)}
    assert entries[1] == EntryData(signals=(Signal("pdq", PDQ),))
    assert entries[4].signals == (Signal("md5", MD5.upper()),)
    assert entries[4].attributes == {"threatexchange": {"signal_type": "video_md5"}}
    assert entries[7].signals == (Signal("sha256", SHA256),)
    assert entries[8].attributes == {"threatexchange": {"rotation": "ROTATE90"}}
    messages = [r.message for r in records if isinstance(r, RecordProblem)]
    assert "'url' has no hashwarden equivalent" in messages[0]
    assert "'raw_text'" in messages[1]
    assert "expected '<signal_type> <value>'" in messages[2]


def test_value_only_lines_take_the_given_type_in_either_naming() -> None:
    for name in ("video_md5", "md5", "MD5"):
        assert parsed(read(TE_FILE, f"{MD5}\n", signal_type=name))[0][1].signals == (
            Signal("md5", MD5),
        )
    (problem,) = read(TE_FILE, f"{MD5}\n{MD5}\n", signal_type="url")
    assert isinstance(problem, RecordProblem) and problem.line == 1


def test_write_skips_types_te_lacks_and_removed_entries() -> None:
    entries = [
        entry(Signal("md5", MD5), Signal("sha1", SHA1), Signal("pdq", PDQ)),
        entry(Signal("sha1", SHA1), entry_id=2),
        entry(Signal("sha256", SHA256), entry_id=3, removed=True),
    ]
    out = io.StringIO()
    assert TE_FILE.write(entries, out, FormatOptions(include_removed=True)) == 1
    assert out.getvalue() == f"video_md5 {MD5}\npdq {PDQ}\n"
    assert write(TE_FILE, entries, signal_type="pdq") == f"{PDQ}\n"


def test_te_reads_what_hashwarden_writes(tmp_path: Path) -> None:
    entries = [entry(Signal("md5", MD5), Signal("pdq", PDQ)), entry(Signal("sha256", SHA256))]
    path = tmp_path / "list.te.txt"
    path.write_text(write(TE_FILE, entries))
    assert te_fetch(path) == {("video_md5", MD5), ("pdq", PDQ), ("video_sha256", SHA256)}
    path.write_text(write(TE_FILE, entries, signal_type="md5"))
    assert te_fetch(path, signal_type="video_md5") == {("video_md5", MD5)}


def test_hashwarden_reads_te_hash_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(7)
    image = tmp_path / "noise.png"
    noise = (rng.random((12, 16, 3)) * 255).astype("uint8")
    Image.fromarray(noise).resize((128, 96), Image.Resampling.BILINEAR).save(image)
    video = tmp_path / "clip.mp4"
    video.write_bytes(rng.bytes(5000))
    state = tmp_path / "state"

    photo = parsed(read(TE_FILE, te_cli(capsys, state, "hash", "photo", str(image))))
    assert [e.signals for _, e in photo] == [(Signal("pdq", PdqSignal.hash_from_file(image)),)]
    rotated = parsed(read(TE_FILE, te_cli(
        capsys, state, "hash", "--photo-preprocess", "rotations", "photo", str(image)
    )))
    assert len(rotated) == 8 and rotated[0][1].signals == photo[0][1].signals
    assert {e.attributes["threatexchange"]["rotation"] for _, e in rotated} >= {"ROTATE90"}
    # TE's video_md5 is the MD5 of the file bytes, which is hashwarden's md5.
    clip = parsed(read(TE_FILE, te_cli(capsys, state, "hash", "video", str(video))))
    digest = hashlib.md5(video.read_bytes()).hexdigest()
    assert Signal("md5", digest) in {s for _, e in clip for s in e.signals}


def test_round_trip_through_the_te_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """hashwarden export -> TE fetch -> TE dataset output -> hashwarden import: same signals."""
    signals = {Signal("md5", MD5), Signal("pdq", PDQ), Signal("sha256", SHA256)}
    path = tmp_path / "list.te.txt"
    path.write_text(write(TE_FILE, [entry(s, entry_id=i) for i, s in enumerate(signals)]))
    state = tmp_path / "state"
    te_cli(capsys, state, "config", "collab", "edit", "local_file", "--create",
           "--filename", str(path), "hw list")
    te_cli(capsys, state, "fetch")
    lines = te_cli(capsys, state, "dataset", "-P", "-S")
    assert {s for _, e in parsed(read(TE_FILE, lines)) for s in e.signals} == signals
    table = te_cli(capsys, state, "dataset", "-P", "--csv")
    rows = parsed(read(TE_CSV, table))
    assert {s for _, e in rows for s in e.signals} == signals
    assert {(e.source, e.category) for _, e in rows} == {
        ("hw list", Category("threatexchange", "INVESTIGATION_SEED"))
    }


# -- the dataset CSV ------------------------------------------------------------------------------


class _Opinions(FetchedSignalMetadata):
    """TE's extension point for an exchange's metadata, as its own exchanges subclass it."""

    def __init__(self, *opinions: tuple[SignalOpinionCategory, set[str]]) -> None:
        self.opinions = [SignalOpinion(False, category, tags) for category, tags in opinions]

    def get_as_opinions(self) -> list[SignalOpinion]:
        return self.opinions


def te_dataset_csv(rows: list[tuple[str, Any, str, FetchedSignalMetadata]]) -> str:
    """The CSV TE's own ``dataset -P --csv`` code writes for these rows."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, ["signal_type", "signal_str", "collab", "category", "tags"])
    writer.writeheader()
    command = DatasetCommand(print_signals=True, csv=True)
    for collab, signal_type, value, metadata in rows:
        command._print_csv(writer, collab, signal_type, value, metadata)
    return out.getvalue()


def test_te_dataset_csv_imports_and_exports_byte_for_byte() -> None:
    pos, neg = SignalOpinionCategory.POSITIVE_CLASS, SignalOpinionCategory.NEGATIVE_CLASS
    text = te_dataset_csv([
        ("Sample, Inc", PdqSignal, PDQ, _Opinions((pos, {"media_type_photo"}))),
        ("other", VideoMD5Signal, MD5, _Opinions((pos, set()), (neg, {"x"}))),
        ("other", VideoMD5Signal, MD5.replace("d", "e"), _Opinions((neg, set()))),
    ])
    rows = parsed(read(TE_CSV, text))
    assert [line for line, _ in rows] == [2, 3, 4]
    first, second, third = (e for _, e in rows)
    assert first == EntryData(
        signals=(Signal("pdq", PDQ),), source="Sample, Inc",
        category=Category("threatexchange", "POSITIVE_CLASS"),
        attributes={"threatexchange": {"tags": ["media_type_photo"]}},
    )
    assert second.category == Category("threatexchange", "DISPUTED")
    assert second.attributes == {"threatexchange": {"signal_type": "video_md5", "tags": ["x"]}}
    assert third.category == Category("threatexchange", "NEGATIVE_CLASS")
    again = [entry(*e.signals, entry_id=i, source=e.source, category=e.category,
                   attributes=e.attributes) for i, (_, e) in enumerate(rows)]
    assert write(TE_CSV, again) == text


def test_dataset_csv_problems_carry_line_numbers() -> None:
    text = (
        "signal_type,signal_str,collab,category,tags\r\n"
        f"pdq,{PDQ},c,POSITIVE_CLASS,\r\n"
        "url,https://example.org,c,POSITIVE_CLASS,\r\n"
        f"video_md5,{MD5},c,MAYBE,\r\n"
        f"video_md5,,c,,\r\n"
        f'pdq,"{PDQ}\r\nstill quoted",c\r\n'
        f"video_md5,{MD5},c,,a b\r\n"
    )
    records = read(TE_CSV, text)
    assert [(r.line, type(r).__name__) for r in records] == [
        (2, "ParsedRecord"), (3, "RecordProblem"), (4, "RecordProblem"), (5, "RecordProblem"),
        (6, "RecordProblem"), (8, "ParsedRecord"),
    ]
    (problem,) = read(TE_CSV, "type,value\npdq,x\n")
    assert problem.line == 1 and "signal_type, signal_str" in problem.message  # type: ignore[union-attr]


def test_dataset_export_defaults_and_foreign_categories() -> None:
    entries = [
        entry(Signal("pdq", PDQ), Signal("sha1", SHA1), category=Category("iwf", "A"),
              source="IWF"),
        entry(Signal("md5", MD5), entry_id=2, removed=True),
    ]
    assert write(TE_CSV, entries).splitlines() == [
        "signal_type,signal_str,collab,category,tags", f"pdq,{PDQ},IWF,POSITIVE_CLASS,iwf:A",
    ]
    allow = HashList(name="fp", kind=ListKind.ALLOW)
    assert ",l,NEGATIVE_CLASS," in write(TE_CSV, [entry(Signal("md5", MD5))], list_header=allow)


def test_extensions_do_not_collide_with_the_builtin_formats() -> None:
    registry = default_registry()
    for fmt in (TE_FILE, TE_CSV, HmaBankFormat()):
        registry.register(fmt)
    guessed = {name: registry.guess(f"list{name}").name for name in (
        ".te.txt", ".TE.CSV", ".hma.jsonl", ".hma.ndjson", ".txt", ".csv", ".jsonl", ".ndjson"
    )}
    assert guessed == {
        ".te.txt": "threatexchange", ".TE.CSV": "threatexchange-dataset", ".hma.jsonl": "hma",
        ".hma.ndjson": "hma", ".txt": "plain", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
    }


# -- properties -----------------------------------------------------------------------------------

HEX = "0123456789abcdef"
te_signals = st.one_of(
    st.text(HEX, min_size=32, max_size=32).map(lambda v: Signal("md5", v)),
    st.tuples(st.sampled_from(["pdq", "sha256"]), st.text(HEX, min_size=64, max_size=64)).map(
        lambda t: Signal(*t)
    ),
    st.text("ABCDEF0123456789+/=", min_size=8, max_size=40).map(lambda v: Signal("photodna", v)),
)
entry_lists = st.lists(
    st.tuples(
        st.lists(te_signals, min_size=1, max_size=3, unique=True),
        st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
        st.sampled_from(["", "POSITIVE_CLASS", "INVESTIGATION_SEED"]),
    ),
    max_size=8,
)


def build(items: list[tuple[list[Signal], str, str]]) -> list[Entry]:
    """Entries whose signals are unique across the list (a store merges shared signals)."""
    seen: set[Signal] = set()
    entries = []
    for i, (signals, source, opinion) in enumerate(items):
        fresh = [s for s in signals if s not in seen]
        seen.update(fresh)
        if fresh:
            category = Category("threatexchange", opinion) if opinion else None
            entries.append(entry(*fresh, entry_id=i, source=source, category=category))
    return entries


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=entry_lists)
def test_any_list_round_trips_and_te_reads_the_same_signals(
    tmp_path: Path, items: list[tuple[list[Signal], str, str]]
) -> None:
    entries = build(items)
    expected = {s for e in entries for s in e.signals}
    text = write(TE_FILE, entries)
    assert {s for _, e in parsed(read(TE_FILE, text)) for s in e.signals} == expected
    path = tmp_path / "p.te.txt"
    path.write_text(text)
    assert te_fetch(path) == {(TE_TYPE[s.type], s.value) for s in expected}

    table = write(TE_CSV, entries)
    rows = {e.signals[0]: e for _, e in parsed(read(TE_CSV, table))}
    assert set(rows) == expected
    for original in entries:
        for signal in original.signals:
            assert rows[signal].source == (original.data.source or "l")
            assert rows[signal].category == (
                original.data.category or Category("threatexchange", "POSITIVE_CLASS")
            )
    again = [entry(*e.signals, source=e.source, category=e.category, attributes=e.attributes)
             for e in rows.values()]
    assert write(TE_CSV, again) == table


@pytest.mark.parametrize("fmt", [TE_FILE, TE_CSV], ids=["file", "dataset"])
@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_readers_never_raise_on_random_text(fmt: ListFormat, text: str) -> None:
    lines = text.count("\n") + text.count("\r") + 1
    for strict in (False, True):
        records = read(fmt, text, strict=strict, max_line_chars=80)
        assert len(records) <= len(text) + 2
        assert all(1 <= r.line <= lines for r in records)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.sampled_from([
    "pdq", "video_md5", "url", " ", "\t", "\n", "\r\n", PDQ, MD5, "ROTATE90", "#", ",", '"',
    "signal_type,signal_str", "\x00", "\udcff",
]), max_size=25))
def test_readers_never_raise_on_fragments(parts: list[str]) -> None:
    text = "".join(parts)
    for fmt in (TE_FILE, TE_CSV):
        for options in ({}, {"signal_type": "pdq"}):
            for record in read(fmt, text, **options):
                assert record.line >= 1
