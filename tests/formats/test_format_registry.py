"""Format registry: lookup by name and by file extension."""

from __future__ import annotations

import pytest

from hashwarden.formats.csv_format import CsvFormat
from hashwarden.formats.hma_bank import HmaBankFormat
from hashwarden.formats.jsonl import JsonlFormat
from hashwarden.formats.ncmec_xml import NcmecXmlFormat
from hashwarden.formats.plain import PlainFormat
from hashwarden.formats.registry import FORMATS, FormatRegistry, UnknownFormatError
from hashwarden.formats.threatexchange_file import ThreatExchangeFileFormat
from hashwarden.formats.vics import VicsFormat


def test_builtin_formats_by_name() -> None:
    assert FORMATS.names() == [
        "csv", "hma", "jsonl", "ncmec", "plain", "threatexchange", "threatexchange-dataset", "vics",
    ]  # fmt: skip
    assert isinstance(FORMATS.get("JSONL"), JsonlFormat)
    assert "csv" in FORMATS


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [("list.jsonl", JsonlFormat), ("X.CSV", CsvFormat), ("hashes.md5", PlainFormat),
     ("dir.v2/iwf.txt", PlainFormat), ("a.ndjson", JsonlFormat),
     ("export.vics.json", VicsFormat), ("page.xml", NcmecXmlFormat),
     ("bank.hma.jsonl", HmaBankFormat), ("signals.te.txt", ThreatExchangeFileFormat)],
)
def test_guess_by_extension(file_name: str, expected: type) -> None:
    assert isinstance(FORMATS.guess(file_name), expected)


def test_unknown_name_and_extension() -> None:
    with pytest.raises(UnknownFormatError, match="known: csv, hma, jsonl"):
        FORMATS.get("stix")
    with pytest.raises(UnknownFormatError):
        FORMATS.guess("list.json")


def test_registering_a_different_format_under_a_taken_name_fails() -> None:
    registry = FormatRegistry()
    registry.register(CsvFormat())

    class Other(CsvFormat):
        pass

    with pytest.raises(ValueError, match="twice"):
        registry.register(Other())
