"""The JSON Lines scan report: one object per file, the journal every other report is built from.

Line: ``{"path", "media_type", "size", "md5", "sha1", "sha256", "pdq": {"hash", "quality"},
"pdq_exif", "matches": [...]}`` or ``{"path", "error", "error_kind"}``. Output is ASCII
(``ensure_ascii``): odd file names (newlines, undecodable bytes kept as ``\\udcXX`` surrogates)
are escaped, so a name can never break a line, and ``os.fsencode(path)`` gives the bytes back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from hashwarden.scanning.items import FileOutcome


def outcome_to_json(
    outcome: FileOutcome, matches: Sequence[dict[str, object]] = ()
) -> dict[str, Any]:
    if outcome.hashes is None:
        return {"path": outcome.id, "error": outcome.error, "error_kind": outcome.error_kind}
    record: dict[str, Any] = outcome.hashes.as_json()
    record["path"] = outcome.id
    record["matches"] = list(matches)
    return record


def to_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=True, default=str, separators=(",", ":")) + "\n"


def read_report(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines report, skipping a torn or foreign line rather than failing."""
    with path.open("rb") as handle:
        for raw in handle:
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict) and "path" in record:
                yield record
