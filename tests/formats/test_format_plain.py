"""Plain one-hash-per-line lists: type inference, typed lines, comments and the 64-hex ambiguity."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from hashwarden.core.lists.models import Entry, EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import FormatOptions
from hashwarden.formats.plain import PlainFormat

FMT = PlainFormat()
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
HEX64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def read(text: str, **options: Any) -> list[ParsedRecord | RecordProblem]:
    return list(FMT.read(io.StringIO(text), source="t", options=FormatOptions(**options)))


def signals(records: list[ParsedRecord | RecordProblem]) -> list[tuple[int, Signal]]:
    return [(r.line, r.entry.signals[0]) for r in records if isinstance(r, ParsedRecord)]


def test_infers_md5_and_sha1_skips_blank_and_comments() -> None:
    text = f"# IWF export\n\n{MD5.upper()}\n   {SHA1}  \n"
    assert signals(read(text)) == [(3, Signal("md5", MD5.upper())), (4, Signal("sha1", SHA1))]


def test_64_hex_needs_an_explicit_type() -> None:
    (problem,) = read(HEX64 + "\n")
    assert isinstance(problem, RecordProblem) and problem.line == 1
    assert "sha256 or pdq" in problem.message
    assert signals(read(HEX64, signal_type="pdq")) == [(1, Signal("pdq", HEX64))]
    assert signals(read(HEX64, signal_type="SHA-256")) == [(1, Signal("sha256", HEX64))]


def test_typed_lines_and_md5sum_output() -> None:
    text = (
        f"pdq {HEX64}\n"
        f"sha256,{HEX64}\n"
        f"PDNA 1,2,3,4\n"
        f"{MD5}  holiday photo.jpg\n"
        f"{SHA1} *binary.bin\n"
    )
    assert signals(read(text)) == [
        (1, Signal("pdq", HEX64)),
        (2, Signal("sha256", HEX64)),
        (3, Signal("photodna", "1,2,3,4")),
        (4, Signal("md5", MD5)),
        (5, Signal("sha1", SHA1)),
    ]


def test_unrecognisable_lines_are_problems_with_line_numbers() -> None:
    records = read(f"{MD5}\nfoo bar\nnot-a-hash\nabc\n{MD5}\n")
    assert [(r.line, type(r).__name__) for r in records] == [
        (1, "ParsedRecord"), (2, "RecordProblem"), (3, "RecordProblem"),
        (4, "RecordProblem"), (5, "ParsedRecord"),
    ]
    assert "unknown signal type 'foo'" in records[1].message  # type: ignore[union-attr]


def test_values_pass_unvalidated_with_an_explicit_type() -> None:
    assert signals(read("zz\n", signal_type="md5")) == [(1, Signal("md5", "zz"))]


def test_write_typed_lines_or_bare_values() -> None:
    entry = Entry(
        id=1, list_name="l", sequence=1, added_at=datetime(2024, 1, 1, tzinfo=UTC),
        data=EntryData(signals=(Signal("md5", MD5), Signal("pdq", HEX64))),
    )
    out = io.StringIO()
    FMT.write([entry], out)
    assert out.getvalue() == f"md5 {MD5}\npdq {HEX64}\n"
    assert signals(read(out.getvalue())) == [(1, Signal("md5", MD5)), (2, Signal("pdq", HEX64))]
    bare = io.StringIO()
    FMT.write([entry], bare, FormatOptions(signal_type="pdq"))
    assert bare.getvalue() == HEX64 + "\n"
