"""Streamed VICS 2.0 writing: the header, then one Media record at a time."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any, TextIO

from hashwarden.core.lists.models import Category, Entry, Signal
from hashwarden.formats.base import FormatOptions
from hashwarden.formats.vics_read import (
    ALTERNATIVES,
    CONTEXT_ATTRIBUTE,
    DEFAULT_PROFILE,
    MEDIA_ATTRIBUTE,
    SCHEME_PREFIX,
    TOP_LEVEL_SIGNALS,
    RecordError,
    SignalReader,
    alternative_signal,
    category_number,
    category_scheme,
    check_profile,
    text_of,
)

CONTEXT_URL = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{}/$metadata#{}"
#: HashName written in AlternativeHashes per signal type; other types go under their own name.
HASH_NAMES = {
    "md5": "MD5",
    "sha1": "SHA1",
    "sha256": "SHA256",
    "pdq": "PDQ",
    "photodna": "PhotoDNA",
    "tmk_pdqf": "TMK+PDQF",
}
#: VICS writes hex digests in upper case.
_UPPER_HEX = frozenset({"md5", "sha1", "sha256"})
_PLAIN_INT = re.compile(r"0|[1-9][0-9]{0,17}")
_WRITTEN_ELSEWHERE = frozenset({"MediaID", "Category", ALTERNATIVES, *TOP_LEVEL_SIGNALS})


def write_vics(entries: Iterable[Entry], stream: TextIO, options: FormatOptions) -> int:
    """A hash set, or a case file when the first entry came from one (so cases survive)."""
    live = (entry for entry in entries if not entry.is_removed)
    first = next(live, None)
    if options.profile:
        profile = check_profile(options.profile)
    else:
        profile = (entry_profile(first) if first else None) or DEFAULT_PROFILE
    scheme = category_scheme(profile)
    signal_reader = SignalReader(options.signals)
    as_cases = first is not None and case_of(first) is not None
    url = CONTEXT_URL.format(profile, "Cases" if as_cases else "Media")
    stream.write('{"@odata.context":' + _dumps(url) + ',"value":[')
    count = 0
    current: Mapping[str, Any] | None = None
    for entry in chain([first], live) if first else ():
        media = _dumps(media_json(entry, scheme, signal_reader))
        if as_cases:
            case = case_of(entry) or {}
            if count == 0 or case != current:
                stream.write(("\n]}," if count else "") + "\n" + _case_head(case))
                current = case
            else:
                stream.write(",")
        elif count:
            stream.write(",")
        stream.write("\n" + media)
        count += 1
    stream.write("\n]}" if as_cases and count else "")
    stream.write("\n]}\n")
    return count


def media_json(entry: Entry, scheme: str, signal_reader: SignalReader) -> dict[str, Any]:
    """The Media record of an entry: its signals and category, then its kept VICS fields."""
    data = entry.data
    kept = _mapping(data.attributes.get(MEDIA_ATTRIBUTE))
    media: dict[str, Any] = {"MediaID": _media_id(entry, kept)}
    category = _category(data.category, scheme)
    if category is not None:
        media["Category"] = category
    elif "Category" in kept:
        media["Category"] = kept["Category"]
    written: set[Signal] = set()
    for field, signal_type in TOP_LEVEL_SIGNALS.items():
        found = next((s for s in data.signals if s.type == signal_type), None)
        if found is not None:
            media[field] = _hash_text(found)
            written.add(found)
        elif field in kept:
            media[field] = kept[field]
    alternatives = _alternatives(data.signals, kept, written, signal_reader)
    for key, value in kept.items():
        if key == ALTERNATIVES and alternatives is not None:
            media[key] = alternatives
        elif key not in _WRITTEN_ELSEWHERE:
            media[key] = value
    if alternatives is not None and ALTERNATIVES not in media:
        media[ALTERNATIVES] = alternatives
    return media


def entry_profile(entry: Entry) -> str | None:
    """The profile an entry was imported under, or the one its ``vics-*`` category names."""
    context = _mapping(entry.data.attributes.get(CONTEXT_ATTRIBUTE))
    candidates = [context.get("profile")]
    category = entry.data.category
    if category is not None and category.scheme.lower().startswith(SCHEME_PREFIX):
        candidates.append(category.scheme[len(SCHEME_PREFIX) :].upper())
    for candidate in candidates:
        if isinstance(candidate, str):
            try:
                return check_profile(candidate)
            except ValueError:
                continue
    return None


def case_of(entry: Entry) -> Mapping[str, Any] | None:
    case = _mapping(entry.data.attributes.get(CONTEXT_ATTRIBUTE)).get("case")
    return case if isinstance(case, Mapping) else None


def _media_id(entry: Entry, kept: Mapping[str, Any]) -> Any:
    external_id = entry.data.external_id
    if "MediaID" in kept and text_of(kept["MediaID"]) == external_id:
        return kept["MediaID"]  # unchanged since import: same JSON type as the source wrote
    if external_id:
        return int(external_id) if _PLAIN_INT.fullmatch(external_id) else external_id
    return entry.id


def _category(category: Category | None, scheme: str) -> int | str | None:
    # A number under another profile means something else here: better none than a wrong one.
    if category is None or category.scheme.lower() != scheme:
        return None
    number = category_number(category.value)
    return category.value if number is None else number


def _alternatives(
    signals: tuple[Signal, ...],
    kept: Mapping[str, Any],
    written: set[Signal],
    signal_reader: SignalReader,
) -> Any:
    """AlternativeHashes: kept items (minus hashes the entry no longer has), then new signals."""
    raw = kept.get(ALTERNATIVES)
    items: list[Any] = []
    for item in raw if isinstance(raw, list) else ():
        try:
            found = alternative_signal(signal_reader, item, 0)
        except RecordError:
            found = None
        if found is None:
            items.append(item)
        elif found in signals and found not in written:
            items.append(item)
            written.add(found)
    for signal in sorted(signals):
        if signal not in written:
            name = HASH_NAMES.get(signal.type, signal.type)
            items.append({"HashName": name, "HashValue": _hash_text(signal)})
            written.add(signal)
    if items or isinstance(raw, list):
        return items
    return raw if ALTERNATIVES in kept else None


def _case_head(case: Mapping[str, Any]) -> str:
    """The case object up to and including ``"Media":[``."""
    fields = {key: value for key, value in case.items() if key != "Media"}
    head = _dumps(fields)[:-1]
    return head + ("," if fields else "") + '"Media":['


def _hash_text(signal: Signal) -> str:
    return signal.value.upper() if signal.type in _UPPER_HEX else signal.value


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dumps(value: object) -> str:
    # ASCII output cannot be broken by the stream's encoding; NaN would not be JSON at all.
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
