"""Every reader on hostile input: bad UTF-8, NUL bytes, huge lines and random text never raise."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import FormatOptions, iter_lines, open_for_read, text_stream
from hashwarden.formats.registry import FORMATS

MD5 = "d41d8cd98f00b204e9800998ecf8427e"
GOOD_LINE = {
    "jsonl": json.dumps({"signals": [{"type": "md5", "value": MD5}]}),
    "csv": MD5,
    "plain": MD5,
}
HEADER = {"jsonl": "", "csv": "md5\n", "plain": ""}


def read_bytes(name: str, data: bytes, **options: Any) -> list[ParsedRecord | RecordProblem]:
    stream = text_stream(io.BytesIO(data))
    fmt = FORMATS.get(name)
    return list(fmt.read(stream, source="t", options=FormatOptions(**options)))


def body(name: str, middle: bytes) -> bytes:
    good = GOOD_LINE[name].encode()
    return HEADER[name].encode() + good + b"\n" + middle + b"\n" + good + b"\n"


def offset(name: str) -> int:
    return 1 if HEADER[name] else 0


@pytest.mark.parametrize("name", ["jsonl", "csv", "plain"])
@pytest.mark.parametrize(
    ("middle", "expected"),
    [(b"\xff\xfe\xc3(", "UTF-8"), (b"ab\x00cd", "NUL"), (b"x" * 3000, "longer than")],
)
def test_bad_line_is_a_problem_and_reading_continues(
    name: str, middle: bytes, expected: str
) -> None:
    records = read_bytes(name, body(name, middle), max_line_chars=1000)
    first = offset(name)
    assert [(r.line, type(r).__name__) for r in records] == [
        (first + 1, "ParsedRecord"), (first + 2, "RecordProblem"), (first + 3, "ParsedRecord"),
    ]
    problem = records[1]
    assert isinstance(problem, RecordProblem) and expected in problem.message


def test_default_cap_on_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (3 << 20) + b"\r\n" + MD5.encode() + b"\r\n")
    with open_for_read(path) as stream:
        records = list(FORMATS.get("plain").read(stream, source=str(path)))
    assert isinstance(records[0], RecordProblem) and records[0].line == 1
    assert isinstance(records[1], ParsedRecord) and records[1].line == 2


def test_line_numbers_count_cr_lf_and_crlf_like_an_editor() -> None:
    stream = io.StringIO("a\rb\r\nc\nd", newline="")
    assert [(line.number, line.text) for line in iter_lines(stream)] == [
        (1, "a"), (2, "b"), (3, "c"), (4, "d"),
    ]


def test_crlf_split_by_the_length_cap_counts_once() -> None:
    stream = io.StringIO("x" * 11 + "\r\n" + "y\n", newline="")
    lines = list(iter_lines(stream, max_chars=10))
    assert [(line.number, line.problem is not None, line.text) for line in lines] == [
        (1, True, ""), (2, False, "y"),
    ]


def test_strictly_decoded_stream_stops_with_a_problem() -> None:
    stream = io.TextIOWrapper(io.BytesIO(MD5.encode() + b"\n\xff\n"), encoding="utf-8")
    records = list(FORMATS.get("plain").read(stream, source="t"))
    assert isinstance(records[-1], RecordProblem) and "UTF-8" in records[-1].message


@pytest.mark.parametrize("name", ["jsonl", "csv", "plain"])
@settings(max_examples=300, deadline=1000)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_raise(name: str, data: bytes) -> None:
    for record in read_bytes(name, data, max_line_chars=100):
        assert record.line >= 1


@pytest.mark.parametrize("name", ["jsonl", "csv", "plain"])
@settings(max_examples=300, deadline=1000)
@given(text=st.text(max_size=400))
def test_random_text_never_raises(name: str, text: str) -> None:
    fmt = FORMATS.get(name)
    for strict in (False, True):
        options = FormatOptions(strict=strict, max_line_chars=100)
        for record in fmt.read(io.StringIO(text, newline=""), source="t", options=options):
            assert record.line >= 1


@settings(max_examples=200, deadline=1000)
@given(lines=st.lists(st.sampled_from([
    "md5", MD5, '"', '""', ",", ",,", "a,b", "\r", "\n", "md5,notes", "\x00", "é",
]), max_size=30))
def test_csv_fragments_never_raise(lines: list[str]) -> None:
    text = "".join(lines)
    for record in FORMATS.get("csv").read(io.StringIO(text, newline=""), source="t"):
        assert record.line >= 1
