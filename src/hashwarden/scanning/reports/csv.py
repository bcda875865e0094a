"""CSV scan report, flattened: one row per hit, one row (``matched=no``) per file without hits.

Hit keys come from the match callback, so a first pass over the journal collects them as
``hit_<key>`` columns. Cells that a spreadsheet would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from hashwarden.scanning.items import display_name
from hashwarden.scanning.reports.jsonl import read_report

FILE_COLUMNS = ("path", "media_type", "size", "md5", "sha1", "sha256", "pdq", "pdq_quality")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv_report(journal: Path, target: Path) -> int:
    """Write ``target`` from ``journal``; return the number of rows."""
    hit_keys: dict[str, None] = {}
    for record in read_report(journal):
        for hit in record.get("matches") or ():
            if isinstance(hit, dict):
                hit_keys.update(dict.fromkeys(str(k) for k in hit))
    header = [*FILE_COLUMNS, "matched", "error", *(f"hit_{k}" for k in hit_keys)]
    rows = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for record in read_report(journal):
            base = _file_cells(record)
            hits = [h for h in record.get("matches") or () if isinstance(h, dict)]
            if "error" in record:
                writer.writerow([*base, "error", _cell(record["error"]), *([""] * len(hit_keys))])
                rows += 1
            elif not hits:
                writer.writerow([*base, "no", "", *([""] * len(hit_keys))])
                rows += 1
            for hit in hits:
                writer.writerow([*base, "yes", "", *(_cell(hit.get(k, "")) for k in hit_keys)])
                rows += 1
    return rows


def _file_cells(record: dict[str, Any]) -> list[str]:
    raw_pdq = record.get("pdq")
    pdq: dict[str, Any] = raw_pdq if isinstance(raw_pdq, dict) else {}
    values: list[object] = [
        display_name(str(record.get("path", ""))),
        record.get("media_type", ""),
        record.get("size", ""),
        record.get("md5", ""),
        record.get("sha1", ""),
        record.get("sha256", ""),
        pdq.get("hash", ""),
        pdq.get("quality", ""),
    ]
    return [_cell(v) for v in values]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    text = display_name(value if isinstance(value, str) else str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text
