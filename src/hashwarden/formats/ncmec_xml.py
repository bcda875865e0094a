"""NCMEC hash-sharing API v2 entry pages (``GET /v2/entries``), read and written as XML.

The shape, as python-threatexchange's NCMEC client and its test pages read it
(``threatexchange/exchanges/clients/ncmec/hash_api.py``, ``tests/data.py``)::

    <queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
      <images count="2" maxTimestamp="2017-10-24T15:10:00Z">
        <image><member id="42">Name</member><timestamp>..</timestamp><id>image1</id>
          <classification>A1</classification><fingerprints><md5>..</md5><sha1>..</sha1>
          <pdna>..</pdna></fingerprints><feedback>..</feedback></image>
        <deletedImage><member id="43">..</member><id>image4</id><timestamp>..</timestamp>
      </images><videos ..><video>.. <tmk-pdqf>..</tmk-pdqf> ..</video><deletedVideo>..</videos>
      <paging><next>/v2/entries?..</next></paging></queryResult>

Fingerprints with a value become signals (``pdna`` PhotoDNA, ``tmk-pdqf`` TMK+PDQF), ``<id>``
``external_id``, ``<timestamp>`` ``added_at``, ``<classification>`` ``Category("ncmec", ..)``.
The rest export needs (media kind, member, fingerprints sent as links (``<tmk-pdqf href=..>``) or
of unknown types, ``<feedback>`` and other elements) is kept as JSON in ``attributes["ncmec"]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl

from defusedxml.common import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from hashwarden.core.lists.models import Category, Entry, EntryData, Signal
from hashwarden.core.lists.records import ImportRecord, ParsedRecord, RecordProblem, RemovedRecord
from hashwarden.formats.base import (
    DEFAULT_OPTIONS,
    FormatOptions,
    ListFormat,
    Record,
    parse_timestamp,
)
from hashwarden.formats.ncmec_xml_names import (
    CHUNK,
    CLASSIFICATIONS,
    FIELDS,
    FINGERPRINTS,
    MAX_DEPTH,
    SCHEME,
)
from hashwarden.formats.ncmec_xml_write import write_entries

#: Entry element -> (media kind, is a deletion).
_ENTRY_TAGS = {"image": ("image", False), "video": ("video", False),
               "deletedImage": ("image", True), "deletedVideo": ("video", True)}
MAX_ENTRY_ELEMENTS = 10_000


class NcmecXmlFormat(ListFormat):
    name = "ncmec"
    extensions = (".ncmec.xml", ".xml")
    description = "NCMEC hash-sharing v2 XML (images, videos, deletions; fingerprints kept)"

    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        # RemovedRecord comes only with options.with_removals, for callers that handle it.
        return _read(stream, options)

    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        return write_entries(entries, stream, options)


# -- reading -------------------------------------------------------------------------------------


class _StopError(Exception):
    """Ends reading (also from inside a SAX callback) with the reason given."""


@dataclass(slots=True)
class _Node:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)

    def value(self) -> str:
        return "".join(self.text).strip()


def _read(stream: TextIO, options: FormatOptions) -> Iterator[ImportRecord]:
    # DTDs are refused outright: NCMEC sends none, and they carry entity expansion (billion
    # laughs) and external entities. SAX keeps no name cache, so memory stays per entry.
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    handler = _Handler(parser, options)
    parser.setContentHandler(handler)
    stop, line = "", 0
    try:
        # Characters since the last '>' (-1: nothing read): bounds what expat buffers per token.
        gap = -1
        while chunk := stream.read(CHUNK):
            end = chunk.rfind(">")
            gap = max(gap, 0) + len(chunk) if end < 0 else len(chunk) - end - 1
            if gap > options.max_line_chars:
                raise _StopError(f"no markup for over {options.max_line_chars} characters (a "
                                 "tag or value too long for a hash list)")
            # The original bytes (open_for_read decodes with surrogateescape): expat then
            # reports bad UTF-8 where it is, and honours a declared encoding.
            parser.feed(chunk.encode("utf-8", "surrogateescape"))
            yield from handler.take()
        if gap < 0:
            raise _StopError("empty file: no NCMEC XML document")
        parser.close()
    except _StopError as exc:
        stop = str(exc)
    except SAXParseException as exc:
        line, column = exc.getLineNumber() or 1, (exc.getColumnNumber() or 0) + 1
        stop = f"malformed XML at line {line}, column {column}: {exc.getMessage()}"
    except DefusedXmlException as exc:
        stop = (f"refused {type(exc).__name__}: DTDs and entities are not allowed (entity "
                "expansion and external entities are attacks)")
    except (LookupError, ValueError) as exc:  # undecodable text or an unusable encoding
        stop = f"cannot decode the text: {str(exc)[:100]}"
    yield from handler.take()
    if stop:
        yield RecordProblem(line or handler.line(), f"{stop}; reading stopped")


class _Handler(ContentHandler):
    """Builds one entry at a time into ``_Node``s and turns it into records."""

    def __init__(self, parser: Any, options: FormatOptions) -> None:
        super().__init__()
        self.parser, self.options = parser, options
        self.records: list[ImportRecord] = []
        self.depth = 0
        self.home: str | None = None
        # The entry being read: open elements, depth (0 between entries), line, size so far.
        self.stack: list[_Node] = []
        self.entry_depth = self.entry_line = self.elements = self.chars = 0
        self.overflow = ""

    def line(self) -> int:
        return int(self.parser.getLineNumber() or 1)

    def take(self) -> list[ImportRecord]:
        records, self.records = self.records, []
        return records

    def startElementNS(  # noqa: N802 (SAX callback name)
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        self.depth += 1
        uri, local = name
        if self.depth == 1:
            if local != "queryResult":
                raise _StopError(f"root element <{local}> is not an NCMEC <queryResult>")
            self.home = uri
        elif self.entry_depth:
            self.elements += 1
            if self.elements > MAX_ENTRY_ELEMENTS or self.depth > self.entry_depth + MAX_DEPTH:
                self._drop(f"more than {MAX_ENTRY_ELEMENTS} elements or nested too deeply")
            elif not self.overflow:
                node = _Node(self._name(uri, local),
                             {self._name(u, n, True): v for (u, n), v in attrs.items()})
                self.stack[-1].children.append(node)
                self.stack.append(node)
        elif self.depth == 3 and local in _ENTRY_TAGS:
            self.entry_depth, self.entry_line = self.depth, self.line()
            self.elements = self.chars = 0
            self.overflow = ""
            self.stack = [_Node(local, {})]
        elif self.depth == 3 and self.options.strict:
            self.records.append(RecordProblem(self.line(), f"unexpected element <{local}>"))

    def _name(self, uri: str | None, local: str, attribute: bool = False) -> str:
        # NCMEC's own names stay plain; foreign ones keep their namespace (Clark notation).
        plain = uri is None if attribute else uri in (None, self.home)
        return local if plain else f"{{{uri}}}{local}"

    def _drop(self, reason: str) -> None:
        self.overflow = self.overflow or reason
        self.stack = []

    def characters(self, content: str) -> None:
        if self.entry_depth and not self.overflow:
            self.chars += len(content)
            if self.chars > self.options.max_line_chars:
                self._drop(f"longer than {self.options.max_line_chars} characters")
            else:
                self.stack[-1].text.append(content)

    def endElementNS(  # noqa: N802 (SAX callback name)
        self, name: tuple[str | None, str], qname: str | None
    ) -> None:
        self.depth -= 1
        if not self.entry_depth or self.depth >= self.entry_depth:
            if self.entry_depth and not self.overflow:
                self.stack.pop()
            return
        self.entry_depth = 0
        media, deleted = _ENTRY_TAGS[name[1]]
        if deleted and not self.options.with_removals:
            return
        if self.overflow:
            self.records.append(RecordProblem(
                self.entry_line, f"<{name[1]}> {self.overflow}; skipped"))
            return
        node, self.stack = self.stack[0], []
        self.records.append(_record(node, self.entry_line, media, deleted, self.options))


def _record(
    node: _Node, line: int, media: str, deleted: bool, options: FormatOptions
) -> ImportRecord:
    fields: dict[str, _Node] = {}
    elements: list[dict[str, Any]] = []
    for child in node.children:
        if child.tag not in FIELDS:
            elements.append(_to_json(child))
        elif child.tag in fields:
            return RecordProblem(line, f"<{node.tag}> has more than one <{child.tag}>")
        else:
            fields[child.tag] = child
    external_id = fields["id"].value() if "id" in fields else ""
    if not external_id:
        return RecordProblem(line, f"<{node.tag}> has no <id>")
    if deleted:
        return RemovedRecord(line, external_id)

    signals: list[Signal] = []
    kept_prints: list[dict[str, Any]] = []
    for fingerprint in fields["fingerprints"].children if "fingerprints" in fields else ():
        signal_type, value = FINGERPRINTS.get(fingerprint.tag), fingerprint.value()
        if signal_type in options.signals and value and not fingerprint.children:
            signals.append(Signal(str(signal_type), value))
        else:
            kept_prints.append(_to_json(fingerprint))
    if not signals:
        return RecordProblem(line, f"<{node.tag}> has no fingerprint value to match on "
                             f"({', '.join(FINGERPRINTS)}); links and unknown types are not")

    added_at: datetime | None = None
    if "timestamp" in fields:
        raw = fields["timestamp"].value()
        try:
            added_at = parse_timestamp(raw)
        except ValueError:
            return RecordProblem(line, f"<timestamp> is not an ISO 8601 time: {raw[:60]!r}")
    category = None
    if "classification" in fields and (value := fields["classification"].value()):
        if options.strict and value not in CLASSIFICATIONS:
            return RecordProblem(line, f"unknown classification {value[:20]!r} (known: "
                                 f"{', '.join(sorted(CLASSIFICATIONS))})")
        category = Category(SCHEME, value)

    ncmec: dict[str, Any] = {"media": media}
    if member := fields.get("member"):
        ncmec["member"] = {"name": member.value()}
        if "id" in member.attrs:
            ncmec["member"]["id"] = member.attrs["id"]
    if kept_prints:
        ncmec["fingerprints"] = kept_prints
    if elements:
        ncmec["elements"] = elements
    return ParsedRecord(line, EntryData(
        signals=tuple(signals), category=category, external_id=external_id,
        added_at=added_at, attributes={SCHEME: ncmec}))


def _to_json(node: _Node) -> dict[str, Any]:
    """An element kept for export, as JSON: tag, attrs, text (trimmed), children."""
    obj: dict[str, Any] = {"tag": node.tag}
    if node.attrs:
        obj["attrs"] = dict(node.attrs)
    if text := node.value():
        obj["text"] = text
    if node.children:
        obj["children"] = [_to_json(child) for child in node.children]
    return obj
