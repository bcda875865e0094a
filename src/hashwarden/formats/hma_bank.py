"""Meta HMA 2.0 (OpenMediaMatch) bank contents, as JSON Lines: one bank content object a line.

HMA has no bank export: ``hasher-matcher-actioner/docs/api.md`` lists "Get Bank/List Contents"
as planned and ``src/OpenMediaMatch/blueprints/curation.py`` has no such route. What it does
expose is one content at a time, ``GET /c/bank/<bank>/content/<id>?include_signals=true``
(``bank_get_content``; ``src/OpenMediaMatch/schemas/curation.py`` ``BankContentResponse``)::

    {"id": 7, "disable_until_ts": 1, "collab_metadata": {"<exchange>": ["<key>"]},
     "original_media_uri": null, "bank": {"name": "MY_BANK", "matching_enabled_ratio": 1.0},
     "signals": {"pdq": "<64 hex>", "video_md5": "<32 hex>"}}

that is ``BankContentConfig`` (HMA's ``storage/interface.py``, since copied into
python-threatexchange as ``threatexchange/storage/interfaces.py``) plus its signals, one value
per signal type name. HMA 1.1.3 adds ``note`` and ``user_metadata`` (``{content_id,
content_uri, json}``, the ``metadata`` of ``POST /c/bank/<bank>/content``; ``storage/interface.py``
and ``CHANGELOG.md``). The ``signals`` object is also the body of ``POST /c/bank/<bank>/signal``,
which adds content. A file of these objects, one per line (``jq -c``), is this format.

Import: a line is an entry. Signal names map as in ``threatexchange_names``; names hashwarden
lacks (``vpdq`` ...) are kept in ``attributes["hma"]["signals"]`` and written back, and an object
with no signal hashwarden has is a problem. ``note`` is ``notes``, ``user_metadata.content_id``
is ``external_id``, and hashwarden's other fields travel in ``user_metadata.json.hashwarden``
(HMA's slot for "anything you plan to need in the long term"). Every other key (``id``,
``collab_metadata``, ``bank``, newer fields) is kept in ``attributes["hma"]`` as it came.
Content HMA would not match now (``disable_until_ts`` 0, or a time still ahead, as
``BankContentConfig.enabled`` decides) is skipped, like a removed entry.

Export: the same objects; ``bank`` defaults to the list's name, ``id`` to the entry id (HMA
assigns its own on add); removed entries (with ``include_removed``) get ``disable_until_ts`` 0.
Signals without a ThreatExchange name (``sha1``, ``tmk_pdqf``) are left out; an entry holding
two values of one type becomes one object per value, since HMA keeps one per type.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from hashwarden.core.lists.models import Category, Entry, EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import (
    DEFAULT_OPTIONS,
    FormatOptions,
    ListFormat,
    Record,
    format_timestamp,
    iter_lines,
    parse_timestamp,
)
from hashwarden.formats.threatexchange_names import hashwarden_type, te_name, unsupported

ATTRIBUTES_KEY = "hma"
HASHWARDEN_KEY = "hashwarden"
#: ``BankContentConfig.ENABLED``; 0 is ``DISABLED`` and larger values are "disabled until".
ENABLED = 1
KNOWN_KEYS = frozenset(
    {"id", "disable_until_ts", "collab_metadata", "original_media_uri", "bank", "signals",
     "note", "user_metadata"}
)
_FIELDS = ("source", "added_by")


class RecordError(ValueError):
    """A structural problem in one object; the message is shown with its line number."""


class HmaBankFormat(ListFormat):
    name = "hma"
    extensions = (".hma.jsonl", ".hma.ndjson")
    description = "Meta HMA bank contents, one JSON object a line (GET /c/bank/<b>/content/<id>)"

    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        now = time.time()
        for line in iter_lines(stream, options.max_line_chars):
            if line.problem is not None:
                yield RecordProblem(line.number, line.problem)
                continue
            if not line.text.strip():
                continue
            try:
                obj = json.loads(line.text, parse_constant=_reject_constant)
            except (ValueError, RecursionError) as exc:
                yield RecordProblem(line.number, f"invalid JSON: {str(exc)[:200]}")
                continue
            try:
                entry = content_to_entry(obj, options, now)
            except RecordError as exc:
                yield RecordProblem(line.number, str(exc))
                continue
            if entry is not None:
                yield ParsedRecord(line.number, entry)

    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        count = 0
        for entry in entries:
            if entry.is_removed and not options.include_removed:
                continue
            objects = entry_to_contents(entry)
            for obj in objects:
                stream.write(json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n")
            count += bool(objects)
        return count


def content_to_entry(obj: object, options: FormatOptions, now: float) -> EntryData | None:
    """The entry one HMA content object describes; ``None`` if HMA has it disabled."""
    if not isinstance(obj, dict):
        raise RecordError("expected a JSON object (an HMA bank content)")
    if options.strict:
        unknown = sorted(str(k) for k in obj if k not in KNOWN_KEYS)
        if unknown:
            raise RecordError(f"unknown key(s): {', '.join(unknown)[:200]}")
    disabled = obj.get("disable_until_ts", ENABLED)
    if type(disabled) is not int or disabled < 0:
        raise RecordError("'disable_until_ts' must be a whole number of seconds (1 = enabled)")
    if disabled == 0 or (disabled > ENABLED and disabled > now):
        return None
    if obj.get("id") is not None and type(obj["id"]) is not int:
        raise RecordError("'id' must be an integer")
    kept = {k: v for k, v in obj.items() if k not in ("signals", "note", "user_metadata")}
    signals, foreign = _signals(obj.get("signals"), options)
    if foreign:
        kept["signals"] = foreign
    note = obj.get("note")
    if note is not None and not isinstance(note, str):
        raise RecordError("'note' must be a string")
    if "note" in obj and not note:
        kept["note"] = note
    external_id, fields, metadata = _user_metadata(obj)
    if metadata is not None or "user_metadata" in obj:
        kept["user_metadata"] = metadata
    return EntryData(
        signals=signals,
        notes=note or "",
        external_id=external_id,
        attributes={ATTRIBUTES_KEY: kept},
        **fields,
    )


def entry_to_contents(entry: Entry) -> list[dict[str, Any]]:
    """The HMA content objects for an entry: one, or one per value of a repeated type."""
    data = entry.data
    kept = data.attributes.get(ATTRIBUTES_KEY)
    kept = dict(kept) if isinstance(kept, Mapping) else {}
    columns: dict[str, list[str]] = {}
    foreign = kept.pop("signals", None)
    if isinstance(foreign, Mapping):
        for name, value in foreign.items():
            if isinstance(name, str) and isinstance(value, str):
                columns.setdefault(name, []).append(value)
    for signal in data.signals:
        te = te_name(signal.type)
        if te is not None:
            columns.setdefault(te, []).append(signal.value)
    if not columns:
        return []
    base: dict[str, Any] = {
        "id": kept.pop("id") if type(kept.get("id")) is int else entry.id,
        "disable_until_ts": 0 if entry.is_removed else kept.pop("disable_until_ts", ENABLED),
        "collab_metadata": kept.pop("collab_metadata", {}),
        "original_media_uri": kept.pop("original_media_uri", None),
        "bank": kept.pop("bank", None) or {"name": entry.list_name, "matching_enabled_ratio": 1.0},
    }
    kept.pop("id", None)
    kept.pop("disable_until_ts", None)
    note = kept.pop("note", None) if "note" in kept else _MISSING
    metadata = kept.pop("user_metadata", _MISSING)
    base.update(kept)
    if data.notes:
        note = data.notes
    from_hma = isinstance(data.attributes.get(ATTRIBUTES_KEY), Mapping)
    user_metadata = _user_metadata_out(entry, metadata, from_hma)
    objects = []
    for k in range(max(len(values) for values in columns.values())):
        obj = dict(base)
        obj["signals"] = {name: values[k] for name, values in columns.items() if k < len(values)}
        if note is not _MISSING:
            obj["note"] = note
        if user_metadata is not _MISSING:
            obj["user_metadata"] = user_metadata
        objects.append(obj)
    return objects


_MISSING: Any = object()


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; kept in attributes they would break the database's JSON.
    raise ValueError(f"{name} is not a JSON value")


def _signals(raw: object, options: FormatOptions) -> tuple[tuple[Signal, ...], dict[str, str]]:
    if not isinstance(raw, dict) or not raw:
        raise RecordError("'signals' must be a non-empty object of signal type -> value")
    signals: list[Signal] = []
    foreign: dict[str, str] = {}
    for name, value in raw.items():
        if not isinstance(value, str):
            raise RecordError(f"signal {name[:40]!r}: value must be a string")
        hw = hashwarden_type(name, options)
        if hw is None:
            foreign[name] = value
        else:
            signals.append(Signal(hw, value))
    if not signals:
        raise RecordError(unsupported(", ".join(foreign)))
    return tuple(signals), foreign


def _user_metadata(obj: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """``external_id``, hashwarden's own fields and what else ``user_metadata`` holds."""
    raw = obj.get("user_metadata")
    if raw is None:
        return "", {}, None
    if not isinstance(raw, dict):
        raise RecordError("'user_metadata' must be an object")
    rest = dict(raw)
    content_id = rest.get("content_id")
    if content_id is not None and not isinstance(content_id, str):
        raise RecordError("'user_metadata.content_id' must be a string")
    if content_id:
        del rest["content_id"]
    fields: dict[str, Any] = {}
    extra = rest.get("json")
    if isinstance(extra, dict) and HASHWARDEN_KEY in extra:
        fields = _hashwarden_fields(extra[HASHWARDEN_KEY])
        rest["json"] = {k: v for k, v in extra.items() if k != HASHWARDEN_KEY}
    return content_id or "", fields, rest


def _hashwarden_fields(raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RecordError("'user_metadata.json.hashwarden' must be an object")
    fields: dict[str, Any] = {}
    for name in (*_FIELDS, "added_at"):
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise RecordError(f"'user_metadata.json.hashwarden.{name}' must be a string")
        fields[name] = value
    category = raw.get("category")
    if category is not None:
        scheme = category.get("scheme") if isinstance(category, dict) else None
        value = category.get("value") if isinstance(category, dict) else None
        if not (isinstance(scheme, str) and isinstance(value, str)):
            raise RecordError(
                "'user_metadata.json.hashwarden.category' must be {\"scheme\", \"value\"}"
            )
        fields["category"] = Category(scheme, value)
    if "added_at" in fields:
        text = fields["added_at"]
        try:
            fields["added_at"] = parse_timestamp(text)
        except ValueError:
            raise RecordError(f"'added_at' is not an ISO 8601 time: {text[:60]!r}") from None
    return fields


def _user_metadata_out(entry: Entry, kept: Any, from_hma: bool) -> Any:
    data = entry.data
    metadata = dict(kept) if isinstance(kept, Mapping) else {}
    if data.external_id:
        metadata["content_id"] = data.external_id
    block: dict[str, Any] = {name: getattr(data, name) for name in _FIELDS if getattr(data, name)}
    if data.category is not None:
        block["category"] = {"scheme": data.category.scheme, "value": data.category.value}
    # HMA does not say when content was added; an HMA entry's store time is only hashwarden's.
    added_at = data.added_at if from_hma else (data.added_at or entry.added_at)
    if added_at is not None:
        block["added_at"] = format_timestamp(added_at)
    if block:
        extra = metadata.get("json")
        metadata["json"] = {**(extra if isinstance(extra, Mapping) else {}), HASHWARDEN_KEY: block}
    if metadata:
        return metadata
    return kept
