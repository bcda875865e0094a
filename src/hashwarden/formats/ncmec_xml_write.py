"""Writing NCMEC hash-sharing XML v2 (see ``ncmec_xml`` for the shape)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from tempfile import SpooledTemporaryFile
from typing import IO, Any, TextIO

from hashwarden.core.lists.models import Entry
from hashwarden.formats.base import DEFAULT_OPTIONS, FormatOptions, format_timestamp
from hashwarden.formats.ncmec_xml_names import (
    CHUNK,
    ELEMENT_OF,
    EXPORTABLE_NAME,
    FIELDS,
    MAX_DEPTH,
    NAMESPACE,
    NOT_XML,
    SCHEME,
    XML_NS,
)


def write_entries(
    entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
) -> int:
    # One <images> and one <videos> section, each headed by its count and latest time, from
    # a single pass: entries are spooled per section (to disk beyond 1 MiB) and copied after.
    with ExitStack() as stack:
        sections = {
            media: _Section(tag, stack.enter_context(SpooledTemporaryFile(
                max_size=1 << 20, mode="w+", encoding="utf-8", newline="")))
            for media, tag in (("image", "images"), ("video", "videos"))
        }
        for entry in entries:
            if entry.is_removed and not options.include_removed:
                continue
            kept = entry.data.attributes.get(SCHEME)
            ncmec: Mapping[str, Any] = kept if isinstance(kept, Mapping) else {}
            media = ncmec.get("media")
            if not isinstance(media, str) or media not in sections:
                is_video = any(s.type == "tmk_pdqf" for s in entry.data.signals)
                media = "video" if is_video else "image"
            lines = _entry_lines(entry, media, ncmec)
            if lines:
                sections[media].add(lines, entry.removed_at or entry.data.added_at
                                    or entry.added_at)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        stream.write(f'<queryResult xmlns="{NAMESPACE}">\n')
        for section in sections.values():
            section.copy_to(stream)
        stream.write("</queryResult>\n")
    return sum(section.count for section in sections.values())


@dataclass(slots=True)
class _Section:
    tag: str
    spool: IO[str]
    count: int = 0
    latest: datetime | None = None

    def add(self, lines: list[str], at: datetime) -> None:
        self.spool.write("".join(lines))
        self.count += 1
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        self.latest = at if self.latest is None else max(self.latest, at)

    def copy_to(self, stream: TextIO) -> None:
        if not self.count or self.latest is None:
            return
        # threatexchange's client parses maxTimestamp with "%Y-%m-%dT%H:%M:%SZ": whole seconds.
        latest = self.latest.strftime("%Y-%m-%dT%H:%M:%SZ")
        stream.write(f'  <{self.tag} count="{self.count}" maxTimestamp="{latest}">\n')
        self.spool.seek(0)
        while chunk := self.spool.read(CHUNK):
            stream.write(chunk)
        stream.write(f"  </{self.tag}>\n")


def _entry_lines(entry: Entry, media: str, ncmec: Mapping[str, Any]) -> list[str]:
    """The entry's XML lines; empty when a live entry has no fingerprint NCMEC knows."""
    data = entry.data
    tag = ("deletedImage" if media == "image" else "deletedVideo") if entry.is_removed else media
    lines = [f"    <{tag}>\n"]
    member = ncmec.get("member")
    if isinstance(member, Mapping) and isinstance(member.get("name", ""), str):
        member_id = member.get("id")
        id_attr = f' id="{_attr(member_id)}"' if isinstance(member_id, str) else ""
        lines.append(f"      <member{id_attr}>{_text(member.get('name', ''))}</member>\n")
    at = entry.removed_at if entry.removed_at is not None else data.added_at or entry.added_at
    lines.append(f"      <timestamp>{format_timestamp(at)}</timestamp>\n")
    lines.append(f"      <id>{_text(data.external_id or str(entry.id))}</id>\n")
    if entry.is_removed:
        return [*lines, f"    </{tag}>\n"]
    if data.category is not None and data.category.scheme == SCHEME:
        lines.append(f"      <classification>{_text(data.category.value)}</classification>\n")
    prints = [f"        <{ELEMENT_OF[s.type]}>{_text(s.value)}</{ELEMENT_OF[s.type]}>\n"
              for s in data.signals if s.type in ELEMENT_OF]
    for kept in _json_list(ncmec.get("fingerprints")):
        _element_lines(kept, 8, prints)
    if not prints:
        return []
    lines += ["      <fingerprints>\n", *prints, "      </fingerprints>\n"]
    for kept in _json_list(ncmec.get("elements")):
        tag_name = kept.get("tag")
        if isinstance(tag_name, str) and tag_name not in FIELDS:
            _element_lines(kept, 6, lines)
    lines.append(f"    </{tag}>\n")
    return lines


def _json_list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _element_lines(obj: Mapping[str, Any], indent: int, out: list[str], depth: int = 0) -> None:
    """Write back an element kept by ``_to_json``; malformed attribute data is left out."""
    tag = obj.get("tag")
    if depth > MAX_DEPTH or not isinstance(tag, str) or not EXPORTABLE_NAME.fullmatch(tag):
        return
    prefixes: dict[str, str] = {}
    start = _qualified(tag, prefixes)
    attrs = obj.get("attrs")
    for name, value in (attrs.items() if isinstance(attrs, Mapping) else ()):
        if (isinstance(name, str) and isinstance(value, str) and EXPORTABLE_NAME.fullmatch(name)
                and name != "xmlns"):
            start += f' {_qualified(name, prefixes)}="{_attr(value)}"'
    start += "".join(f' xmlns:{p}="{_attr(uri)}"' for uri, p in prefixes.items())
    name, pad = start.split(" ", 1)[0], " " * indent
    text = obj.get("text")
    body = _text(text) if isinstance(text, str) else ""
    children = _json_list(obj.get("children"))
    if not children:
        out.append(f"{pad}<{start}>{body}</{name}>\n" if body else f"{pad}<{start}/>\n")
        return
    out.append(f"{pad}<{start}>{body}\n")
    for child in children:
        _element_lines(child, indent + 2, out, depth + 1)
    out.append(f"{pad}</{name}>\n")


def _qualified(name: str, prefixes: dict[str, str]) -> str:
    if not name.startswith("{"):
        return name
    uri, local = name[1:].split("}", 1)
    if uri == XML_NS:
        return f"xml:{local}"
    return f"{prefixes.setdefault(uri, f'ns{len(prefixes)}')}:{local}"


def _text(value: str) -> str:
    value = NOT_XML.sub("\ufffd", value)
    # A literal CR would reach the reader as LF: keep it as a character reference.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        "\r", "&#13;")


def _attr(value: str) -> str:
    # Attribute-value normalisation turns raw tabs and newlines into spaces.
    return _text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
