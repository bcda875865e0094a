"""What an NCMEC ``/v2/entries`` page says besides its entries' data.

The format reader (``formats.ncmec_xml``) turns entries into records but knows nothing of paging,
and a deletion record carries only the id. The pull also needs the ``<paging><next>`` link and,
for every entry (deletions too), its member and timestamp, to keep the newest state of an entry
when pages arrive out of time order. Entries are listed in document order, as the reader yields
its records: one per ``image``/``video``/``deletedImage``/``deletedVideo`` under a section of the
``queryResult`` root.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import fromstring

from hashwarden.formats.base import parse_timestamp
from hashwarden.remote_pull.ncmec_client import PullError

_ENTRY_TAGS = {"image": False, "video": False, "deletedImage": True, "deletedVideo": True}


@dataclass(frozen=True, slots=True)
class EntryMeta:
    """One entry of a page: the key NCMEC knows it by, when it changed, and whether it is gone."""

    member: str
    external_id: str
    #: ``None`` when the page gives none or an unreadable one.
    timestamp: datetime | None
    deleted: bool


@dataclass(frozen=True, slots=True)
class PageInfo:
    #: The next page's link as sent (a path under the base URL), or ``""`` on the last page.
    next_link: str
    entries: tuple[EntryMeta, ...]


def read_page(body: bytes, label: str) -> PageInfo:
    """Parse a page's paging and entry keys; ``PullError`` (naming ``label``) if it is no page."""
    try:
        # Same refusals as the format reader: no DTDs, no entity expansion, no external entities.
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        line, column = exc.position
        raise PullError(
            f"{label} is not well-formed XML (line {line}, column {column + 1})"
        ) from None
    except DefusedXmlException as exc:
        raise PullError(f"{label} was refused: {type(exc).__name__} (DTDs and entities are not "
                        "allowed)") from None
    if _local(root) != "queryResult":
        raise PullError(f"{label} is not an NCMEC <queryResult> page (root <{_local(root)}>)")
    next_link = ""
    entries: list[EntryMeta] = []
    for section in root:
        if _local(section) == "paging":
            for child in section:
                if _local(child) == "next":
                    next_link = (child.text or "").strip()
            continue
        for item in section:
            deleted = _ENTRY_TAGS.get(_local(item))
            if deleted is not None:
                entries.append(_meta(item, deleted))
    return PageInfo(next_link, tuple(entries))


def _meta(item: Element, deleted: bool) -> EntryMeta:
    fields = {_local(child): child for child in item}
    member = fields.get("member")
    timestamp: datetime | None = None
    if (stamp := fields.get("timestamp")) is not None and stamp.text:
        try:
            timestamp = parse_timestamp(stamp.text)
        except ValueError:
            timestamp = None
    return EntryMeta(
        member=(member.get("id") or "").strip() if member is not None else "",
        external_id=(fields["id"].text or "").strip() if "id" in fields else "",
        timestamp=timestamp,
        deleted=deleted,
    )


def _local(element: Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rpartition("}")[2]
