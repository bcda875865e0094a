"""VICS 2.0 case files: a case's media written out, and a case file read into items to import.

Layout (Project VIC's OData JSON, ``#Cases``)::

    {"@odata.context": ".../DataModels/2.0.xml/US/$metadata#Cases",
     "value": [{"CaseNumber": ..., "SourceApplicationName": "hashwarden", ...,
                "Media": [{"MediaID": 1, "MD5": "...", "SHA1": "...", "MediaSize": ...,
                           "Series": "kitchen", "VictimIdentified": true,
                           "MediaFiles": [{"FileName": "a.jpg", "FilePath": "/x/a.jpg"}],
                           "Exifs": [{"PropertyName": "Make", "PropertyValue": "Canon"}],
                           "AlternativeHashes": [{"HashName": "PDQ", "HashValue": ...}]}]}]}

One Media record per distinct content (MD5, SHA-1, SHA-256); each path the content was found at
is a ``MediaFiles`` entry, as VICS models it. SHA-256, PDQ and vPDQ go to ``AlternativeHashes``
under the names the list writer uses; a PDQ item also carries ``Quality`` (0-100) when it is
known, since without it a hash cannot be matched. Items that are not pictures or videos
(archives, documents) are not media in VICS and are left out.
A category is written when the item has one under the file's profile, an investigator's
first; ``IsPrecategorized`` says whether it came from a list match. Reading is
``vics_case_read``.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping, Sequence
from typing import Any

from hashwarden import __version__
from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.models import Case, CaseItem, ScannedItem
from hashwarden.cases.vics_exif import exif_rows
from hashwarden.core.lists.models import Category
from hashwarden.formats.vics_read import (
    ALTERNATIVES,
    DEFAULT_PROFILE,
    category_number,
    category_scheme,
    check_profile,
)
from hashwarden.formats.vics_write import CONTEXT_URL, HASH_NAMES

#: Paths made up for Media records that name no file start with this.
SYNTHETIC_PREFIX = "vics:"
#: Both path separators: case files come from Windows tools as often as from others.
PATH_SEPARATORS = re.compile(r"[/\\]")


class VicsCaseError(CaseError):
    """A VICS case file that cannot be imported; the message names the record and the field."""


# ---------------------------------------------------------------------------------- writing


def case_file(
    case: Case,
    items: Sequence[CaseItem],
    series_of: Mapping[int, Sequence[str]],
    flags: Mapping[int, tuple[bool, bool]],
    other_hashes: Mapping[str, Mapping[str, str]],
    profile: str = DEFAULT_PROFILE,
    categories: Mapping[str, tuple[Category, str]] | None = None,
) -> dict[str, Any]:
    """The VICS document of a case. ``series_of`` and ``flags`` (victim, offender identified)
    are keyed by item id; ``other_hashes`` and ``categories`` ((category, where it comes from:
    ``list:<name>`` for a list match) by path."""
    try:
        profile = check_profile(profile)
    except ValueError as exc:
        raise VicsCaseError(str(exc)) from None
    scheme = category_scheme(profile)
    groups: dict[tuple[str, ...], list[CaseItem]] = {}
    for entry in sorted(items, key=lambda i: i.id):
        item = entry.item
        if item.media_type not in ("image", "video"):
            continue
        content = (item.md5, item.sha1, item.sha256)
        groups.setdefault(content if any(content) else ("path", item.path), []).append(entry)
    media = [
        _media(number, group, series_of, flags, other_hashes)
        | _group_category(group, categories or {}, scheme)
        for number, group in enumerate(groups.values(), 1)
    ]
    head: dict[str, Any] = {
        "CaseNumber": case.name,
        "SourceApplicationName": "hashwarden",
        "SourceApplicationVersion": __version__,
        "TotalMediaFiles": sum(len(m.get("MediaFiles", ())) for m in media),
    }
    if case.description:
        head["CaseMetadata"] = [{"PropertyName": "Description", "PropertyValue": case.description}]
    head["Media"] = media  # last: streaming readers take the case fields before the media
    return {"@odata.context": CONTEXT_URL.format(profile, "Cases"), "value": [head]}


def _media(
    number: int,
    group: Sequence[CaseItem],
    series_of: Mapping[int, Sequence[str]],
    flags: Mapping[int, tuple[bool, bool]],
    other_hashes: Mapping[str, Mapping[str, str]],
) -> dict[str, Any]:
    item = group[0].item
    others: dict[str, str] = {}
    for entry in group:
        for name, value in other_hashes.get(entry.path, {}).items():
            others.setdefault(name, value)
    media: dict[str, Any] = {"MediaID": number}
    if item.md5:
        media["MD5"] = item.md5.upper()
    if item.sha1:
        media["SHA1"] = item.sha1.upper()
    if "PhotoDNA" in others:
        media["PhotoDNA"] = others.pop("PhotoDNA")
    media["MediaSize"] = item.size
    media["MimeType"] = _mime(item)
    names = sorted({name for entry in group for name in series_of.get(entry.id, ())})
    media["Series"] = names[0] if len(names) == 1 else (names or None)
    # VICS has true, false and null; hashwarden knows "identified" or nothing, never "not".
    victim = any(flags.get(e.id, (False, False))[0] for e in group)
    offender = any(flags.get(e.id, (False, False))[1] for e in group)
    media["VictimIdentified"] = True if victim else None
    media["OffenderIdentified"] = True if offender else None
    files = [{"FileName": PATH_SEPARATORS.split(e.path)[-1], "FilePath": e.path}
             for e in group if not e.path.startswith(SYNTHETIC_PREFIX)]
    if files:
        media["MediaFiles"] = files
    rows = exif_rows(item.exif)
    if rows:
        media["Exifs"] = rows
    alternatives: list[dict[str, Any]] = []
    if item.sha256:
        alternatives.append({"HashName": HASH_NAMES["sha256"], "HashValue": item.sha256.upper()})
    if item.pdq:
        pdq: dict[str, Any] = {"HashName": HASH_NAMES["pdq"], "HashValue": item.pdq}
        if item.pdq_quality:
            pdq["Quality"] = item.pdq_quality
        alternatives.append(pdq)
    if item.vpdq:
        alternatives.append({"HashName": "vpdq", "HashValue": item.vpdq})
    alternatives += [{"HashName": n, "HashValue": v} for n, v in sorted(others.items())]
    if alternatives:
        media[ALTERNATIVES] = alternatives
    return media


def _group_category(
    group: Sequence[CaseItem], categories: Mapping[str, tuple[Category, str]], scheme: str
) -> dict[str, Any]:
    # A number under another profile means something else: better no category than a wrong one.
    found = [categories[e.path] for e in group
             if e.path in categories and categories[e.path][0].scheme == scheme]
    if not found:
        return {"Category": None}
    found.sort(key=lambda f: f[1].startswith("list:"))  # an investigator's word first
    category, source = found[0]
    number = category_number(category.value)
    return {"Category": category.value if number is None else number,
            "IsPrecategorized": source.startswith("list:")}


def _mime(item: ScannedItem) -> str:
    guessed = mimetypes.guess_type(item.path.replace("\\", "/"), strict=False)[0]
    if guessed and guessed.startswith(item.media_type + "/"):
        return guessed
    # The scan sniffed the content, and the name may lie (a picture saved as "notes.doc"):
    # say what the content is, even without its exact format.
    return f"{item.media_type}/x-unknown"
