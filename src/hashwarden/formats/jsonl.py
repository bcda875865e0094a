"""hashwarden's native, lossless list format: JSON Lines, one entry per line.

Entry line::

    {"signals": [{"type": "pdq", "value": "..."}], "category": {"scheme": "iwf", "value": "A"},
     "source": "...", "external_id": "...", "notes": "...", "added_by": "...",
     "added_at": "2024-01-31T12:00:00Z", "id": 7, "removed_at": null}

``id`` and ``removed_at`` are written on export only and ignored on import; lines whose
``removed_at`` is set are tombstones and are skipped on import. The first line may be a header
``{"hashwarden_list": {name, description, kind, thresholds, classification_scheme, sequence,
format_version}}``: import validates it and hands it to ``FormatOptions.on_header`` (so a caller can
create the target list with the same settings) but never applies it on its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from hashwarden.core.lists.models import Category, Entry, EntryData, HashList, ListKind, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.core.lists.sharing import shareable_signals
from hashwarden.formats.base import (
    DEFAULT_OPTIONS,
    FormatOptions,
    ListFormat,
    Record,
    format_timestamp,
    iter_lines,
    parse_timestamp,
)

FORMAT_VERSION = 1
HEADER_KEY = "hashwarden_list"
_TEXT_FIELDS = ("source", "external_id", "notes", "added_by")
_KNOWN_KEYS = frozenset(
    {"signals", "category", "added_at", "id", "removed_at", "attributes", *_TEXT_FIELDS}
)


class RecordError(ValueError):
    """A structural problem in one record; the message is shown with the line number."""


class JsonlFormat(ListFormat):
    name = "jsonl"
    extensions = (".jsonl", ".ndjson", ".hwl")
    description = "hashwarden JSON Lines (lossless; one entry per line, optional list header)"

    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        first = True
        for line in iter_lines(stream, options.max_line_chars):
            if line.problem is not None:
                first = False
                yield RecordProblem(line.number, line.problem)
                continue
            if not line.text.strip():
                continue
            try:
                obj = json.loads(line.text)
            except (ValueError, RecursionError) as exc:
                first = False
                yield RecordProblem(line.number, f"invalid JSON: {_short(exc)}")
                continue
            if first and isinstance(obj, dict) and HEADER_KEY in obj:
                first = False
                try:
                    header = header_from_json(obj[HEADER_KEY])
                except RecordError as exc:
                    yield RecordProblem(line.number, f"list header: {exc}")
                    continue
                if options.on_header is not None:
                    options.on_header(header)
                continue
            first = False
            try:
                entry = entry_from_json(obj, options)
            except RecordError as exc:
                yield RecordProblem(line.number, str(exc))
                continue
            if entry is not None:
                yield ParsedRecord(line.number, entry)

    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        if options.list_header is not None:
            stream.write(_dumps({HEADER_KEY: header_to_json(options.list_header)}))
        count = 0
        for entry in entries:
            if entry.is_removed and not options.include_removed:
                continue
            stream.write(_dumps(entry_to_json(entry, with_removed=options.include_removed)))
            count += 1
        return count


def entry_to_json(entry: Entry, *, with_removed: bool = False) -> dict[str, Any]:
    data = entry.data
    obj: dict[str, Any] = {
        "id": entry.id,
        "signals": [{"type": s.type, "value": s.value} for s in shareable_signals(data.signals)],
        "category": (
            None
            if data.category is None
            else {"scheme": data.category.scheme, "value": data.category.value}
        ),
    }
    for name in _TEXT_FIELDS:
        obj[name] = getattr(data, name)
    if data.attributes:
        obj["attributes"] = dict(data.attributes)
    obj["added_at"] = format_timestamp(data.added_at or entry.added_at)
    if with_removed:
        obj["removed_at"] = (
            None if entry.removed_at is None else format_timestamp(entry.removed_at)
        )
    return obj


def entry_from_json(obj: object, options: FormatOptions = DEFAULT_OPTIONS) -> EntryData | None:
    """The entry a line describes, ``None`` for a tombstone; raises ``RecordError``."""
    if not isinstance(obj, dict):
        raise RecordError(f"expected a JSON object, got {_json_type(obj)}")
    if options.strict:
        unknown = sorted(str(k) for k in obj if k not in _KNOWN_KEYS)
        if unknown:
            raise RecordError(f"unknown key(s): {', '.join(unknown)}")
    if obj.get("removed_at") is not None:
        return None
    if "signals" not in obj:
        raise RecordError("missing required key 'signals'")
    signals = _signals(obj["signals"])
    texts = {name: _text(obj, name) for name in _TEXT_FIELDS}
    added_at = None
    raw_added = obj.get("added_at")
    if raw_added is not None:
        if not isinstance(raw_added, str):
            raise RecordError("'added_at' must be an ISO 8601 string")
        try:
            added_at = parse_timestamp(raw_added)
        except ValueError:
            raise RecordError(f"'added_at' is not an ISO 8601 time: {raw_added[:60]!r}") from None
    attributes = obj.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise RecordError("'attributes' must be a JSON object")
    return EntryData(
        signals=signals,
        category=_category(obj.get("category"), options.default_scheme),
        added_at=added_at,
        attributes=attributes,
        **texts,
    )


def header_to_json(hash_list: HashList) -> dict[str, Any]:
    return {
        "name": hash_list.name,
        "description": hash_list.description,
        "kind": str(hash_list.kind),
        "thresholds": dict(hash_list.thresholds),
        "classification_scheme": hash_list.classification_scheme,
        "sequence": hash_list.sequence,
        "format_version": FORMAT_VERSION,
    }


def header_from_json(obj: object) -> HashList:
    if not isinstance(obj, dict):
        raise RecordError("expected a JSON object")
    version = obj.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise RecordError(f"unsupported format_version {version!r} (this reader knows 1)")
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise RecordError("'name' must be a non-empty string")
    try:
        kind = ListKind(obj.get("kind", ListKind.BLOCK.value))
    except ValueError:
        raise RecordError(f"unknown list kind {obj.get('kind')!r}") from None
    thresholds = obj.get("thresholds") or {}
    if not isinstance(thresholds, dict) or not all(
        isinstance(k, str) and type(v) is int for k, v in thresholds.items()
    ):
        raise RecordError("'thresholds' must map signal types to integers")
    sequence = obj.get("sequence", 0)
    if type(sequence) is not int:
        raise RecordError("'sequence' must be an integer")
    return HashList(
        name=name,
        description=_text(obj, "description"),
        kind=kind,
        thresholds=dict(thresholds),
        classification_scheme=_text(obj, "classification_scheme"),
        sequence=sequence,
    )


def _signals(raw: object) -> tuple[Signal, ...]:
    if not isinstance(raw, list):
        raise RecordError("'signals' must be a list of {\"type\", \"value\"} objects")
    if not raw:
        raise RecordError("'signals' is empty: an entry needs at least one signal")
    signals = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise RecordError(f"signal {i} must be an object with 'type' and 'value'")
        kind, value = item.get("type"), item.get("value")
        if not isinstance(kind, str) or not kind:
            raise RecordError(f"signal {i}: 'type' must be a non-empty string")
        if not isinstance(value, str):
            raise RecordError(f"signal {i}: 'value' must be a string")
        signals.append(Signal(kind, value))
    return tuple(signals)


def _category(raw: object, default_scheme: str) -> Category | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return Category.parse(raw, default_scheme) if raw.strip() else None
    if isinstance(raw, dict):
        scheme, value = raw.get("scheme", default_scheme), raw.get("value")
        if isinstance(scheme, str) and isinstance(value, str):
            return Category(scheme, value)
    raise RecordError("'category' must be null, \"scheme:value\" or {\"scheme\", \"value\"}")


def _text(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{name!r} must be a string, got {_json_type(value)}")
    return value


def _json_type(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _short(exc: BaseException) -> str:
    return str(exc)[:200] or type(exc).__name__


def _dumps(obj: object) -> str:
    # ensure_ascii keeps every line ASCII, so odd characters in notes can never break a line.
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n"
