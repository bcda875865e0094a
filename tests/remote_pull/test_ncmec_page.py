"""Reading what a page says besides its entries: next link, member, id, time, deletion.

The pull pairs the format reader's records with these entries one to one, so that pairing is
checked on random pages; random bytes must end in ``PullError`` and nothing else.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ncmec_fake import FakeEntry, render_page

from hashwarden.core.lists.records import ParsedRecord, RemovedRecord
from hashwarden.formats.base import FormatOptions
from hashwarden.formats.ncmec_xml import NcmecXmlFormat
from hashwarden.remote_pull.ncmec_client import PullError
from hashwarden.remote_pull.ncmec_page import read_page

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
    max_size=20,
).map(str.strip).filter(bool)
_ENTRIES = st.builds(
    FakeEntry,
    member=st.from_regex(r"[0-9]{1,6}", fullmatch=True),
    id=_TEXT,
    timestamp=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1),
                           timezones=st.just(UTC)).map(lambda t: t.replace(microsecond=0)),
    kind=st.sampled_from(["image", "video"]),
    deleted=st.booleans(),
    fingerprints=st.just({"md5": "0" * 32}),
)


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(_ENTRIES, max_size=12), next_link=st.sampled_from(
    ["", "/v2/entries?from=2024-03-01T00%3A00%3A00.000Z&to=x&start=4&size=3&max=9"]))
def test_entries_and_next_link_are_read_and_pair_with_the_records(
    entries: list[FakeEntry], next_link: str
) -> None:
    body = render_page(entries, next_link).encode()
    info = read_page(body, "page 1")
    # The fake writes images before videos, as NCMEC's sections come.
    in_page = [e for e in entries if e.kind == "image"] + [e for e in entries if e.kind == "video"]
    assert info.next_link == next_link
    assert [(m.member, m.external_id, m.timestamp, m.deleted) for m in info.entries] == [
        (e.member, e.id, e.timestamp, e.deleted) for e in in_page
    ]
    records = list(NcmecXmlFormat().read(io.StringIO(body.decode()), source="p",
                                         options=FormatOptions(with_removals=True)))
    assert len(records) == len(info.entries)
    for record, meta in zip(records, info.entries, strict=True):
        assert isinstance(record, RemovedRecord if meta.deleted else ParsedRecord)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_a_page_or_a_pull_error(body: bytes) -> None:
    try:
        read_page(body, "page 1")
    except PullError as exc:
        assert str(exc).startswith("page 1")


def test_hostile_xml_is_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">]>'
            b"<queryResult>&a;</queryResult>")
    with pytest.raises(PullError, match="page 1 was refused: DTDForbidden"):
        read_page(bomb, "page 1")
