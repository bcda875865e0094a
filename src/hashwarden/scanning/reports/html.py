"""Self-contained HTML summary of a scan: totals, files with matches, errors.

Written once at the end from the JSON Lines journal. No scripts, fonts or images are loaded from
anywhere (the file may be opened on an offline forensic workstation) and every value is escaped.
Row lists are capped so a scan of millions of files still gives a page a browser can open.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hashwarden.scanning.items import display_name
from hashwarden.scanning.reports.jsonl import read_report

MAX_ROWS = 5000

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#eee}.num{text-align:right}code{font-size:.9em;word-break:break-all}
.match{color:#a00;font-weight:bold}
"""


def write_html_report(
    journal: Path, target: Path, *, title: str = "hashwarden scan report"
) -> None:
    totals: Counter[str] = Counter()
    media: Counter[str] = Counter()
    errors_by_kind: Counter[str] = Counter()
    matched_rows: list[str] = []
    error_rows: list[str] = []
    total_bytes = 0
    for record in read_report(journal):
        totals["files"] += 1
        path = _e(display_name(str(record.get("path", ""))))
        if "error" in record:
            totals["errors"] += 1
            kind = str(record.get("error_kind", ""))
            errors_by_kind[kind] += 1
            if len(error_rows) < MAX_ROWS:
                error_rows.append(
                    f"<tr><td><code>{path}</code></td><td>{_e(kind)}</td>"
                    f"<td>{_e(str(record['error']))}</td></tr>"
                )
            continue
        totals["hashed"] += 1
        media[str(record.get("media_type", ""))] += 1
        size = record.get("size")
        total_bytes += size if isinstance(size, int) else 0
        hits = [h for h in record.get("matches") or () if isinstance(h, dict)]
        if hits:
            totals["matched"] += 1
            totals["hits"] += len(hits)
            if len(matched_rows) < MAX_ROWS:
                matched_rows.append(_match_row(path, record, hits))
    body = [
        f"<h1>{_e(title)}</h1>",
        f"<p>Written {_e(datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC'))}.</p>",
        "<h2>Totals</h2><table>",
        *(
            f"<tr><th>{label}</th><td class=num>{value}</td></tr>"
            for label, value in (
                ("Files and members", totals["files"]),
                ("Hashed", totals["hashed"]),
                ("Bytes hashed", total_bytes),
                ("Files with matches", totals["matched"]),
                ("Hits", totals["hits"]),
                ("Errors", totals["errors"]),
            )
        ),
        *(
            f"<tr><th>media type {_e(kind)}</th><td class=num>{count}</td></tr>"
            for kind, count in sorted(media.items())
        ),
        *(
            f"<tr><th>errors: {_e(kind or 'other')}</th><td class=num>{count}</td></tr>"
            for kind, count in sorted(errors_by_kind.items())
        ),
        "</table>",
        _section("Files with matches", ("File", "MD5", "PDQ", "Hits"), matched_rows,
                 totals["matched"]),
        _section("Errors", ("File", "Kind", "Error"), error_rows, totals["errors"]),
    ]
    page = (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
    target.write_text(page, encoding="utf-8")


def _match_row(path: str, record: dict[str, Any], hits: list[dict[str, Any]]) -> str:
    pdq = record.get("pdq")
    pdq_hex = pdq.get("hash", "") if isinstance(pdq, dict) else ""
    hit_text = "<br>".join(
        _e(json.dumps(hit, ensure_ascii=False, default=str, sort_keys=True)) for hit in hits
    )
    return (
        f"<tr><td class=match><code>{path}</code></td><td><code>{_e(str(record.get('md5', '')))}"
        f"</code></td><td><code>{_e(str(pdq_hex))}</code></td><td>{hit_text}</td></tr>"
    )


def _section(title: str, columns: tuple[str, ...], rows: list[str], total: int) -> str:
    if not rows:
        return f"<h2>{_e(title)}</h2><p>None.</p>"
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    more = ""
    if total > len(rows):
        more = f"<p>Showing {len(rows)} of {total}; see the JSON Lines report.</p>"
    table = f"<table><tr>{head}</tr>" + "".join(rows) + "</table>"
    return f"<h2>{_e(title)} ({total})</h2>{more}{table}"


def _e(text: str) -> str:
    return html.escape(display_name(text), quote=True)
