"""VICS (Project VIC) JSON: both versions and shapes, real-world quirks, lossless round trips,
hostile input and bounded memory. Every hash here is random; no fixture comes from a real list."""

from __future__ import annotations

import base64
import io
import json
import random
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hashwarden.core.lists.models import Category, Entry, EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import FormatOptions, open_for_read, text_stream
from hashwarden.formats.vics import VicsFormat

FMT = VicsFormat()
RNG = random.Random(20240601)


def hexes(bits: int, rng: random.Random = RNG) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}X}"


def photodna(rng: random.Random = RNG) -> str:
    return base64.b64encode(rng.randbytes(144)).decode()


MD5, SHA1, PDQ, SHA256, PDNA = hexes(128), hexes(160), hexes(256).lower(), hexes(256), photodna()
MEDIA: list[dict[str, Any]] = [
    {
        "MediaID": 1, "Category": 1, "MD5": MD5, "SHA1": SHA1, "PhotoDNA": PDNA,
        "MediaSize": 1234, "MimeType": "image/jpeg", "Series": "S-1", "VictimIdentified": "true",
        "OffenderIdentified": False, "IsDistributed": "True", "IsPrecategorized": "1",
        "Tags": ["t1", "t2"], "Comments": "benign", "NewField": {"x": [1, 2.5, None]},
        "Exifs": [{"PropertyName": "Make", "PropertyValue": "Test"}],
        "AlternativeHashes": [
            {"HashName": "PDQ", "HashValue": PDQ}, {"HashName": "NewHash", "HashValue": "xyz"},
        ],
    },
    {"MediaID": "2", "Category": "3", "SHA1": hexes(160).lower()},
    {"MediaID": 3, "Category": None, "MD5": hexes(128), "VictimIdentified": None},
    {"MediaID": 4, "AlternativeHashes": [
        {"HashName": "SHA256", "HashValue": SHA256}, {"HashName": "TMK", "HashValue": "tmk-blob"},
    ]},
]
CASE = {"CaseID": "case-1", "CaseNumber": "N-1", "TotalMediaFiles": 99, "Contact": None}


def vics_doc(version: str, shape: str, media: list[Any], region: str = "US") -> dict[str, Any]:
    kind = "Cases" if shape == "case" else "Media"
    if version == "1.3":
        head = {"odata.metadata": f"http://x/DataModels/1.3.xml/{region}/$metadata#{kind}"}
    else:
        head = {"@odata.context": f"http://x/DataModels/2.0.xml/{region}/$metadata#{kind}"}
    # Totals in real headers are often wrong; the reader must not care.
    value = [{**CASE, "Media": media}] if shape == "case" else media
    return {**head, "odata.count": 12345, "value": value}


def read(text: str, **options: Any) -> list[ParsedRecord | RecordProblem]:
    return list(FMT.read(io.StringIO(text), source="t", options=FormatOptions(**options)))


def read_doc(doc: object, **options: Any) -> list[ParsedRecord | RecordProblem]:
    return read(json.dumps(doc, indent=2), **options)


def entries_of(records: list[ParsedRecord | RecordProblem]) -> list[EntryData]:
    assert all(isinstance(r, ParsedRecord) for r in records), records
    return [r.entry for r in records if isinstance(r, ParsedRecord)]


def as_entries(data: list[EntryData], removed: frozenset[int] = frozenset()) -> list[Entry]:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    return [
        Entry(i, "l", d, at, i, removed_at=at if i in removed else None)
        for i, d in enumerate(data, 1)
    ]


def write(data: list[EntryData], **options: Any) -> str:
    out = io.StringIO()
    FMT.write(as_entries(data), out, FormatOptions(**options))
    return out.getvalue()


VARIANTS = [("1.3", "case"), ("1.3", "hashset"), ("2.0", "case"), ("2.0", "hashset")]


@pytest.mark.parametrize(("version", "shape"), VARIANTS)
def test_reads_every_version_and_shape(version: str, shape: str) -> None:
    region = "UK" if version == "1.3" else "CA"
    records = read_doc(vics_doc(version, shape, MEDIA, region))
    assert [r.line for r in records] == [1, 2, 3, 4]
    first, second, third, fourth = entries_of(records)
    scheme = f"vics-{region.lower()}"
    assert first.signals == tuple(sorted([
        Signal("md5", MD5.lower()), Signal("sha1", SHA1.lower()), Signal("photodna", PDNA),
        Signal("pdq", PDQ),
    ]))
    assert first.category == Category(scheme, "1")
    assert first.external_id == "1"
    kept = {k: v for k, v in MEDIA[0].items() if k not in ("MD5", "SHA1", "PhotoDNA", "Category")}
    kept["AlternativeHashes"] = [{"HashName": "NewHash", "HashValue": "xyz"}]
    assert first.attributes["vics"] == kept
    context = {"profile": region} | ({"case": CASE} if shape == "case" else {})
    assert first.attributes["vics_context"] == context
    assert second.category == Category(scheme, "3") and second.external_id == "2"
    assert third.category is None and third.attributes["vics"]["Category"] is None
    assert fourth.category is None and "Category" not in fourth.attributes["vics"]
    assert {s.type for s in fourth.signals} == {"sha256", "tmk_pdqf"}
    assert "AlternativeHashes" not in fourth.attributes["vics"]


def test_flag_values_stay_exactly_as_written() -> None:
    flags = {"VictimIdentified": "true", "OffenderIdentified": "True", "IsDistributed": "1",
             "IsPrecategorized": True, "Series": 0}
    (entry,) = entries_of(read_doc(vics_doc("2.0", "hashset", [{"MD5": MD5, **flags}])))
    assert entry.attributes["vics"] == flags
    assert [type(v) for v in entry.attributes["vics"].values()] == [str, str, str, bool, int]


def test_region_less_url_uses_the_profile_option_else_us() -> None:
    doc = {"odata.metadata": "http://x/DataModels/1.3.xml#Media",
           "value": [{"MD5": MD5, "Category": 2}]}
    assert entries_of(read_doc(doc))[0].category == Category("vics-us", "2")
    assert entries_of(read_doc(doc, profile="UK"))[0].category == Category("vics-uk", "2")
    default = vics_doc("2.0", "hashset", [{"MD5": MD5, "Category": 0}], region="Default")
    assert entries_of(read_doc(default))[0].category == Category("vics-default", "0")


def test_cases_without_media_are_empty_not_errors() -> None:
    doc = vics_doc("2.0", "case", [{"MD5": MD5}])
    doc["value"].append({"CaseID": "empty"})
    doc["value"].append({"CaseID": "also-empty", "Media": []})
    assert len(entries_of(read_doc(doc))) == 1


def test_record_problems_carry_the_record_number_and_reading_goes_on() -> None:
    media = [
        {"MD5": MD5}, {"MediaID": 7, "Category": 1}, "oops", {"MD5": "XYZ" + MD5[3:]},
        {"SHA1": 12}, {"AlternativeHashes": [{"HashName": "PDQ", "HashValue": "ab"}]},
        {"MD5": "", "SHA1": None, "AlternativeHashes": [{"HashName": "Other", "HashValue": "v"}]},
        {"SHA1": SHA1},
    ]
    records = read_doc(vics_doc("2.0", "case", media))
    assert [(r.line, type(r).__name__) for r in records] == [
        (1, "ParsedRecord"), *[(n, "RecordProblem") for n in range(2, 8)], (8, "ParsedRecord"),
    ]
    messages = [r.message for r in records if isinstance(r, RecordProblem)]
    assert "Media record 2: no usable hash" in messages[0]
    assert "expected an object, got string" in messages[1]
    assert "MD5: md5 must be hexadecimal" in messages[2]
    assert MD5[3:] not in messages[2]  # hash values never appear in messages
    assert "SHA1 must be a string" in messages[3]
    assert "AlternativeHashes[1] (PDQ)" in messages[4]
    assert "no usable hash" in messages[5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "premature EOF"),
        ("[1, 2]", "not a VICS document"),
        ('{"value": 3}', "'value' must be an array"),
        ('{"odata.count": 1}', "no 'value' array"),
        ('{"value": []} trailing', "trailing garbage"),
        ('{"value": [' + "[" * 200 + "]" * 200 + "]}", "nested deeper"),
    ],
)
def test_unreadable_documents_end_with_one_problem(text: str, expected: str) -> None:
    records = read(text)
    assert len(records) == 1 and isinstance(records[0], RecordProblem)
    assert expected in records[0].message and records[0].line == 1


def test_malformed_json_after_good_records_names_offset_and_record() -> None:
    text = json.dumps(vics_doc("2.0", "hashset", [{"MD5": MD5}, {"SHA1": SHA1}]))
    records = read(text[:-30])
    assert [type(r).__name__ for r in records] == ["ParsedRecord", "RecordProblem"]
    problem = records[-1]
    assert isinstance(problem, RecordProblem) and problem.line == 2
    assert "malformed JSON at or before byte" in problem.message
    assert "after 1 Media record(s)" in problem.message and "stopped" in problem.message


def test_bad_bytes_and_huge_records_stop_with_a_problem() -> None:
    good = json.dumps({"value": [{"MD5": MD5}]}).encode()
    bad = good.replace(b'"value"', b'"va\xff\xfelue"')
    records = list(FMT.read(text_stream(io.BytesIO(bad)), source="t"))
    assert isinstance(records[-1], RecordProblem) and "UTF8" in records[-1].message
    strict = io.TextIOWrapper(io.BytesIO(bad), encoding="utf-8")
    assert isinstance(list(FMT.read(strict, source="t"))[-1], RecordProblem)
    huge = json.dumps({"value": [{"MD5": MD5}, {"MD5": MD5, "Comments": "x" * 300_000}]})
    records = read(huge, max_line_chars=1000)
    assert isinstance(records[0], ParsedRecord)
    assert isinstance(records[1], RecordProblem) and "longer than 1000 bytes" in records[1].message
    bom = "\ufeff" + json.dumps({"value": [{"MD5": MD5}]})
    assert len(entries_of(read(bom))) == 1


def test_writes_a_vics_2_hash_set_with_vics_spelling() -> None:
    data = entries_of(read_doc(vics_doc("1.3", "hashset", MEDIA, "UK")))
    doc = json.loads(write(data))
    assert doc["@odata.context"].endswith("/DataModels/2.0.xml/UK/$metadata#Media")
    first = doc["value"][0]
    assert first["MD5"] == MD5 and first["SHA1"] == SHA1 and first["PhotoDNA"] == PDNA
    assert first["Category"] == 1 and first["MediaID"] == 1
    assert sorted(first["AlternativeHashes"], key=str) == sorted(
        MEDIA[0]["AlternativeHashes"], key=str
    )
    assert doc["value"][1]["MediaID"] == "2" and doc["value"][1]["Category"] == 3
    assert doc["value"][2]["Category"] is None


@pytest.mark.parametrize(("version", "shape"), VARIANTS)
def test_round_trip_is_lossless(version: str, shape: str) -> None:
    first = entries_of(read_doc(vics_doc(version, shape, MEDIA, "UK")))
    text = write(first)
    second = entries_of(read(text))
    assert second == first
    assert [e.attributes for e in second] == [e.attributes for e in first]
    assert json.loads(text)["@odata.context"].endswith("#Cases" if shape == "case" else "#Media")


def test_entries_from_other_sources_export_sensibly() -> None:
    data = [
        EntryData((Signal("md5", MD5.lower()), Signal("pdq", PDQ)), Category("vics-us", "2"),
                  external_id="17"),
        EntryData((Signal("sha256", SHA256.lower()),), Category("iwf", "A"), external_id="ab-1"),
        EntryData((Signal("md5", MD5.lower()), Signal("md5", "0" * 32))),
    ]
    doc = json.loads(write(data))
    assert doc["@odata.context"].endswith("/US/$metadata#Media")
    one, two, three = doc["value"]
    assert one == {"MediaID": 17, "Category": 2, "MD5": MD5,
                   "AlternativeHashes": [{"HashName": "PDQ", "HashValue": PDQ}]}
    assert two == {"MediaID": "ab-1",
                   "AlternativeHashes": [{"HashName": "SHA256", "HashValue": SHA256}]}
    assert three["MediaID"] == 3 and three["MD5"] in (MD5, "0" * 32)
    assert len(three["AlternativeHashes"]) == 1
    back = entries_of(read(write(data)))
    assert [e.signals for e in back] == [tuple(sorted(d.signals)) for d in data]


def test_export_profile_option_wins_and_never_relabels_categories() -> None:
    data = [EntryData((Signal("md5", MD5.lower()),), Category("vics-us", "2"))]
    assert json.loads(write(data))["@odata.context"].split("/")[-2] == "US"
    doc = json.loads(write(data, profile="UK"))
    assert "/UK/" in doc["@odata.context"] and "Category" not in doc["value"][0]
    with pytest.raises(ValueError, match="profile"):
        write(data, profile="U/K")
    assert isinstance(read('{"value": []}', profile="U/K")[0], RecordProblem)


def test_removed_entries_are_never_written_and_writing_is_streamed() -> None:
    data = [EntryData((Signal("md5", hexes(128).lower()),)) for _ in range(5)]
    out = io.StringIO()

    def lazy() -> Iterator[Entry]:
        for number, entry in enumerate(as_entries(data, removed=frozenset({3})), 1):
            if number >= 2:  # every live entry before this one is already out
                assert out.getvalue().count("MediaID") == number - 1 - (number > 3)
            yield entry

    assert FMT.write(lazy(), out) == 4
    assert len(json.loads(out.getvalue())["value"]) == 4


def test_two_cases_come_back_as_two_cases() -> None:
    doc = vics_doc("2.0", "case", MEDIA[:2])
    doc["value"].append({"CaseID": "case-2", "Media": MEDIA[2:]})
    first = entries_of(read_doc(doc))
    written = json.loads(write(first))
    assert [c["CaseID"] for c in written["value"]] == ["case-1", "case-2"]
    assert entries_of(read(json.dumps(written))) == first


# -- properties ---------------------------------------------------------------------------

_HEX = "0123456789abcdef"
SIGNAL_VALUES = {
    "md5": st.text(_HEX, min_size=32, max_size=32),
    "sha1": st.text(_HEX, min_size=40, max_size=40),
    "sha256": st.text(_HEX, min_size=64, max_size=64),
    "pdq": st.text(_HEX, min_size=64, max_size=64),
    "photodna": st.binary(min_size=144, max_size=144).map(lambda b: base64.b64encode(b).decode()),
    "tmk_pdqf": st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1),
}
signal_st = st.sampled_from(sorted(SIGNAL_VALUES)).flatmap(
    lambda kind: SIGNAL_VALUES[kind].map(lambda value: Signal(kind, value))
)
# yajl (ijson's C backend) takes integers from -(2**63 - 1) to 2**63 - 1: VICS's Int64.
json_st = st.recursive(
    st.none() | st.booleans() | st.integers(1 - 2**63, 2**63 - 1) | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=3),
    max_leaves=8,
)
RESERVED = {"MediaID", "Category", "MD5", "SHA1", "PhotoDNA", "AlternativeHashes", "Media"}
fields_st = st.dictionaries(st.text(max_size=12).filter(lambda k: k not in RESERVED), json_st,
                            max_size=5)
media_id_st = st.none() | st.integers(0, 2**53) | st.text(max_size=10)
case_st = st.dictionaries(st.sampled_from(["CaseID", "CaseNumber", "Note"]), json_st)


@st.composite
def entry_lists(draw: st.DrawFn) -> list[EntryData]:
    profile = draw(st.sampled_from(["US", "UK", "CA"]))
    cases = draw(st.none() | st.lists(case_st, min_size=1, max_size=2))
    result = []
    for _ in range(draw(st.integers(1, 4))):
        media_id = draw(media_id_st)
        number = draw(st.none() | st.integers(0, 20))
        context: dict[str, Any] = {"profile": profile}
        if cases is not None:
            context["case"] = draw(st.sampled_from(cases))
        result.append(EntryData(
            signals=tuple(sorted(set(draw(st.lists(signal_st, min_size=1, max_size=4))))),
            category=None if number is None else Category(f"vics-{profile.lower()}", str(number)),
            external_id="" if media_id is None else str(media_id),
            attributes={"vics": {"MediaID": media_id, **draw(fields_st)}, "vics_context": context},
        ))
    return result


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(data=entry_lists())
def test_property_write_then_read_gives_the_same_entries(data: list[EntryData]) -> None:
    assert entries_of(read(write(data))) == data


VALID = json.dumps(vics_doc("2.0", "case", MEDIA)).encode()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "cut"]))
        byte = draw(st.sampled_from([*b'{}[]",:0\\ \xff\x00', draw(st.integers(0, 255))]))
        if op == "insert":
            data[at:at] = bytes([byte])
        elif op == "delete":
            del data[at : at + 1]
        elif op == "replace":
            data[at : at + 1] = bytes([byte])
        else:
            del data[at:]
    return bytes(data)


@settings(max_examples=300, deadline=1000)
@given(data=st.binary(max_size=600) | mutated())
def test_fuzzed_bytes_never_raise(data: bytes) -> None:
    for record in FMT.read(text_stream(io.BytesIO(data)), source="t",
                           options=FormatOptions(max_line_chars=2000)):
        assert record.line >= 1


@settings(max_examples=100, deadline=1000)
@given(text=st.text(max_size=300))
def test_fuzzed_text_never_raises(text: str) -> None:
    for record in read('{"value": [' + text + "]}"):
        assert record.line >= 1


def test_a_50_mb_file_imports_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.vics.json"
    rng = random.Random(7)
    filler = "benign comment text " * 40
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"@odata.context": "http://x/DataModels/2.0.xml/US/$metadata#Media",'
                  '"value": [')
        while out.tell() < 50_000_000:
            record = {"MediaID": count, "Category": count % 4, "MD5": hexes(128, rng),
                      "SHA1": hexes(160, rng), "IsDistributed": "true", "Comments": filler}
            out.write(("," if count else "") + json.dumps(record) + "\n")
            count += 1
        out.write("]}")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with open_for_read(path) as stream:
            parsed = sum(isinstance(r, ParsedRecord) for r in FMT.read(stream, source="big"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed == count
    assert peak < size / 20, f"peak {peak} bytes for a {size}-byte file"
