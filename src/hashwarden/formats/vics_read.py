"""Streamed VICS reading (ijson events in, one record per Media entry out) and the vocabulary
the writer shares: field names, attribute keys, the category scheme."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, TextIO

import ijson

from hashwarden.core.errors import InvalidSignalError
from hashwarden.core.lists.models import Category, EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.core.signals.base import SignalType
from hashwarden.core.signals.registry import SignalRegistry
from hashwarden.formats.base import FormatOptions, Record

#: ``EntryData.attributes`` key of the Media fields, kept exactly as the file had them.
MEDIA_ATTRIBUTE = "vics"
#: ``EntryData.attributes`` key of ``{"profile": "US", "case": {...}}`` (case only for case files).
CONTEXT_ATTRIBUTE = "vics_context"
SCHEME_PREFIX = "vics-"
DEFAULT_PROFILE = "US"
#: The metadata key: ``odata.metadata`` in VICS 1.x, ``@odata.context`` in 2.0.
CONTEXT_KEYS = ("@odata.context", "odata.metadata")
#: Media fields that hold a hash directly, and the signal type each holds.
TOP_LEVEL_SIGNALS = {"MD5": "md5", "SHA1": "sha1", "PhotoDNA": "photodna"}
ALTERNATIVES = "AlternativeHashes"
#: Fields that show an object in ``value`` is a Media record and not a case without media.
_MEDIA_MARKERS = frozenset({"MediaID", ALTERNATIVES, *TOP_LEVEL_SIGNALS})

_PROFILE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_MODEL_URL = re.compile(r"DataModels/[0-9.]+\.xml(?:/(?P<region>[^/#$]+))?")
_CATEGORY = re.compile(r"\s*-?[0-9]{1,9}\s*")
#: Bytes handed to ijson per read; also the uncertainty of the byte offsets in messages.
CHUNK = 1 << 16
#: Real Media records nest three or four levels (Exifs); far deeper input is garbage or an attack.
MAX_DEPTH = 64
_STARTS = frozenset({"start_map", "start_array"})
_ENDS = frozenset({"end_map", "end_array"})
_NO_LIMIT = 1 << 62
_EOF: tuple[str, Any] = ("eof", None)
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


class RecordError(ValueError):
    """A Media record hashwarden cannot take; the message is shown with the record number."""


class _StopError(Exception):
    """Reading cannot go on; the message becomes the last problem."""


def check_profile(text: str) -> str:
    """A regional profile as written in VICS URLs (``US``, ``UK``, ``Default``); ``ValueError``."""
    profile = text.strip()
    if not _PROFILE.fullmatch(profile):
        raise ValueError(f"VICS profile must be 1-32 letters, digits, '-' or '_': {text[:40]!r}")
    return profile


def profile_of_context(url: str) -> str | None:
    """The regional profile a metadata URL names (``.../2.0.xml/UK/$metadata#...``), if any."""
    model = _MODEL_URL.search(url)
    region = model.group("region") if model else None
    return region if region and _PROFILE.fullmatch(region) else None


def category_scheme(profile: str) -> str:
    """The category scheme of a profile: ``vics-us`` for ``US`` (numbers mean different things
    under different profiles, so the profile is part of the scheme)."""
    return SCHEME_PREFIX + profile.lower()


def read_vics(stream: TextIO, options: FormatOptions) -> Iterator[Record]:
    try:
        fallback = check_profile(options.profile) if options.profile else DEFAULT_PROFILE
    except ValueError as exc:
        yield RecordProblem(1, str(exc))
        return
    yield from _Reader(stream, options, fallback).records()


class _Utf8Bytes:
    """A bytes view of a text stream, read chunk by chunk, for ijson (which parses bytes)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._started = False
        #: Bytes handed out so far: an upper bound of where the parser is.
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        try:
            text = self._stream.read(size if size > 0 else CHUNK)
        except UnicodeDecodeError as exc:
            raise _StopError(
                f"invalid UTF-8 after byte {self.position} ({exc.reason}); stopped"
            ) from None
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        try:
            # Bytes a lenient decoder escaped come back as they were, so yajl rejects them.
            data = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            data = text.encode("utf-8", "surrogatepass")
        self.position += len(data)
        return data


class _Reader:
    """Walks the document's events; Media records are built one at a time and then dropped."""

    def __init__(self, stream: TextIO, options: FormatOptions, profile: str) -> None:
        self._source = _Utf8Bytes(stream)
        self._events = ijson.basic_parse(self._source, use_float=True, buf_size=CHUNK)
        self._signals = SignalReader(options.signals)
        self._max_record = options.max_line_chars
        self._profile = profile
        self._kind = ""
        #: Media records read completely; the one being read is ``_count + 1``.
        self._count = 0
        #: Byte position past which the object being built is too long (ijson reads ahead by
        #: up to one chunk, hence the margin).
        self._limit = _NO_LIMIT

    def records(self) -> Iterator[Record]:
        try:
            yield from self._document()
        except _StopError as stop:
            yield RecordProblem(self._count + 1, str(stop))
        except (ijson.JSONError, UnicodeError) as exc:
            what = "invalid UTF-8" if isinstance(exc, UnicodeError) else "malformed JSON"
            yield RecordProblem(
                self._count + 1,
                f"{what} at or before byte {self._source.position}, after "
                f"{self._count} Media record(s): {_reason(exc)}; stopped",
            )

    def _next(self) -> tuple[str, Any]:
        item = next(self._events, None)
        if item is None:
            raise _StopError("the document ends early; stopped")
        if self._source.position > self._limit:
            raise _StopError(f"a record longer than {self._max_record} bytes; stopped")
        return item  # type: ignore[no-any-return]

    def _start_record(self) -> None:
        self._limit = self._source.position + self._max_record + CHUNK

    def _value(self, event: str, value: Any) -> Any:
        """The whole JSON value that starts with ``event``."""
        if event not in _STARTS:
            return value
        builder = ijson.ObjectBuilder()
        builder.event(event, value)
        depth = 1
        while depth:
            event, value = self._next()
            if event in _STARTS:
                depth += 1
                if depth > MAX_DEPTH:
                    raise _StopError(f"JSON nested deeper than {MAX_DEPTH} levels; stopped")
            elif event in _ENDS:
                depth -= 1
            builder.event(event, value)
        return builder.value

    def _skip(self, event: str) -> None:
        depth = 1 if event in _STARTS else 0
        while depth:
            event, _ = self._next()
            if event in _STARTS:
                depth += 1
            elif event in _ENDS:
                depth -= 1

    def _document(self) -> Iterator[Record]:
        event, _ = self._next()
        if event != "start_map":
            raise _StopError("not a VICS document: expected a JSON object with a 'value' array")
        found = False
        while True:
            event, key = self._next()
            if event == "end_map":
                break
            event, value = self._next()
            if key in CONTEXT_KEYS and event == "string":
                self._use_context(value)
            elif key == "value":
                found = True
                yield from self._values(event)
            else:
                self._skip(event)  # odata.count and the like: often wrong, never needed
        for _ in self._events:
            raise _StopError("data after the end of the document; stopped")
        if not found:
            raise _StopError("no 'value' array: not a VICS document")

    def _use_context(self, url: str) -> None:
        self._profile = profile_of_context(url) or self._profile
        self._kind = url.rpartition("#")[2] if "#" in url else ""

    def _values(self, event: str) -> Iterator[Record]:
        if event == "null":
            return
        if event != "start_array":
            raise _StopError("'value' must be an array of Media records or cases")
        while True:
            event, value = self._next()
            if event == "end_array":
                return
            if event == "start_map":
                yield from self._item()
            else:
                yield from self._media_item(event, value, None)

    def _item(self) -> Iterator[Record]:
        """An object in ``value``: a Media record (hash set) or a case holding ``Media``."""
        self._start_record()
        fields: dict[str, Any] = {}
        is_case = False
        # The hot loop of a hash set: events taken directly, the size checked once per field.
        events, source = self._events, self._source
        while True:
            event, key = next(events, _EOF)
            if event == "end_map":
                break
            event, value = next(events, _EOF)
            if event == _EOF[0] or source.position > self._limit:
                self._next()  # raises the right error
            if event not in _STARTS:
                fields[key] = value
            elif key == "Media" and event == "start_array":
                is_case = True
                # Case fields after the Media array come too late for the records already
                # yielded; VICS writers put Media last.
                yield from self._media(dict(fields))
                self._start_record()
            else:
                fields[key] = self._value(event, value)
        self._limit = _NO_LIMIT
        if is_case or (self._kind == "Cases" and not _MEDIA_MARKERS & fields.keys()):
            return
        self._count += 1
        yield self._record(fields, None)

    def _media(self, case: dict[str, Any]) -> Iterator[Record]:
        while True:
            event, value = self._next()
            if event == "end_array":
                return
            yield from self._media_item(event, value, case)

    def _media_item(self, event: str, value: Any, case: dict[str, Any] | None) -> Iterator[Record]:
        self._start_record()
        media = self._value(event, value)
        self._limit = _NO_LIMIT
        self._count += 1
        if isinstance(media, dict):
            yield self._record(media, case)
        else:
            message = f"Media record {self._count}: expected an object, got {_json_type(media)}"
            yield RecordProblem(self._count, message)

    def _record(self, fields: dict[str, Any], case: dict[str, Any] | None) -> Record:
        try:
            entry = media_entry(fields, self._profile, self._signals, case)
        except RecordError as exc:
            return RecordProblem(self._count, f"Media record {self._count}: {exc}")
        return ParsedRecord(self._count, entry)


class SignalReader:
    """Signals through the registry, type lookups cached (they cost more than parsing a value)."""

    #: Hash names come from the file: a bounded cache cannot be blown up by junk names.
    _MAX_NAMES = 256

    def __init__(self, registry: SignalRegistry) -> None:
        self._registry = registry
        self._types: dict[str, type[SignalType] | None] = {}

    def knows(self, name: str) -> bool:
        return self._type(name) is not None

    def signal(self, type_name: str, value: object, where: str) -> Signal:
        if not isinstance(value, str):
            raise RecordError(f"{where} must be a string, got {_json_type(value)}")
        signal_type = self._type(type_name)
        if signal_type is None:
            raise RecordError(f"{where}: signal type {type_name!r} is not registered")
        try:
            return Signal(signal_type.name, signal_type.parse(value))
        except InvalidSignalError as exc:
            # The part after a colon quotes the value; hash values stay out of messages.
            raise RecordError(f"{where}: {str(exc).partition(':')[0]}") from None

    def _type(self, name: str) -> type[SignalType] | None:
        if name in self._types:
            return self._types[name]
        found = self._registry.get(name) if name in self._registry else None
        if len(self._types) < self._MAX_NAMES:
            self._types[name] = found
        return found


def media_entry(
    fields: Mapping[str, Any],
    profile: str,
    signal_reader: SignalReader,
    case: Mapping[str, Any] | None = None,
) -> EntryData:
    """The entry of one Media record; everything but hashes and category goes to attributes."""
    signals: list[Signal] = []
    kept: dict[str, Any] = {}
    category = None
    for key, value in fields.items():
        signal_type = TOP_LEVEL_SIGNALS.get(key)
        if signal_type is not None and not _is_blank(value):
            signals.append(signal_reader.signal(signal_type, value, key))
        elif key == "Category" and (number := category_number(value)) is not None:
            category = Category(category_scheme(profile), str(number))
        elif key == ALTERNATIVES and isinstance(value, list):
            others = []
            for index, item in enumerate(value, 1):
                found = alternative_signal(signal_reader, item, index)
                if found is not None:
                    signals.append(found)
                # Items with more than name and value are kept whole so export loses nothing.
                if found is None or set(item) != {"HashName", "HashValue"}:
                    others.append(item)
            if others or not value:
                kept[key] = others
        else:
            kept[key] = value
    if not signals:
        raise RecordError(
            "no usable hash (MD5, SHA1, PhotoDNA or a known AlternativeHashes entry)"
        )
    context: dict[str, Any] = {"profile": profile}
    if case is not None:
        context["case"] = case
    return EntryData(
        signals=tuple(sorted(set(signals))),
        category=category,
        external_id=text_of(fields.get("MediaID")),
        attributes={MEDIA_ATTRIBUTE: kept, CONTEXT_ATTRIBUTE: context},
    )


def alternative_signal(signal_reader: SignalReader, item: object, index: int) -> Signal | None:
    """The signal of an AlternativeHashes item, ``None`` when its name is not a known type."""
    if not isinstance(item, dict):
        return None
    name, value = item.get("HashName"), item.get("HashValue")
    if not isinstance(name, str) or not signal_reader.knows(name) or _is_blank(value):
        return None
    return signal_reader.signal(name, value, f"{ALTERNATIVES}[{index}] ({name[:40]})")


def category_number(value: object) -> int | None:
    """A VICS category as an integer; exports write it as a number or as a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e9:
        return int(value)
    if isinstance(value, str) and _CATEGORY.fullmatch(value):
        return int(value)
    return None


def text_of(value: object) -> str:
    """A JSON value as text (MediaID is a number in 2.0 files and a string in some others)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if type(value) is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), "number")


def _reason(exc: BaseException) -> str:
    # yajl appends the surrounding input (which may hold hash values): keep the first line.
    text = str(exc)
    if text.startswith(("b'", 'b"')):
        text = text[2:]
    return re.split(r"\\n|\n", text, maxsplit=1)[0].strip()[:200] or type(exc).__name__
