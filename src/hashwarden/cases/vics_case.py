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

Reading takes case files and, as a courtesy, hash sets (Media records directly in ``value``),
in the shapes real exports use: booleans as strings, ``Series`` as a string or a list. Anything
malformed is one ``VicsCaseError`` naming the record and the field; nothing is imported then.
"""

from __future__ import annotations

import json
import math
import mimetypes
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from hashwarden import __version__
from hashwarden.cases.graph_models import ImportedItem
from hashwarden.cases.interfaces import CaseError
from hashwarden.cases.models import Case, CaseItem, ScannedItem
from hashwarden.cases.vics_exif import exif_of_rows, exif_rows
from hashwarden.core.signals.registry import SIGNALS
from hashwarden.formats.vics_read import (
    ALTERNATIVES,
    DEFAULT_PROFILE,
    SignalReader,
    alternative_signal,
    check_profile,
)
from hashwarden.formats.vics_write import CONTEXT_URL, HASH_NAMES

#: Paths made up for Media records that name no file start with this.
SYNTHETIC_PREFIX = "vics:"
#: Longest series name a case keeps (``case_series.name``).
MAX_SERIES_NAME = 200
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})
_SEPARATORS = re.compile(r"[/\\]")
#: Signal types kept in the item's own columns; other known types are passed on as they are.
_COLUMNS = ("md5", "sha1", "sha256", "pdq", "vpdq")


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
) -> dict[str, Any]:
    """The VICS document of a case. ``series_of`` and ``flags`` (victim, offender identified)
    are keyed by item id; ``other_hashes`` by path."""
    groups: dict[tuple[str, ...], list[CaseItem]] = {}
    for entry in sorted(items, key=lambda i: i.id):
        item = entry.item
        if item.media_type not in ("image", "video"):
            continue
        content = (item.md5, item.sha1, item.sha256)
        groups.setdefault(content if any(content) else ("path", item.path), []).append(entry)
    media = [
        _media(number, group, series_of, flags, other_hashes)
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
    return {"@odata.context": CONTEXT_URL.format(check_profile(profile), "Cases"), "value": [head]}


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
    files = [{"FileName": _SEPARATORS.split(e.path)[-1], "FilePath": e.path}
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


def _mime(item: ScannedItem) -> str:
    guessed = mimetypes.guess_type(item.path.replace("\\", "/"), strict=False)[0]
    if guessed and guessed.startswith(item.media_type + "/"):
        return guessed
    # The scan sniffed the content, and the name may lie (a picture saved as "notes.doc"):
    # say what the content is, even without its exact format.
    return f"{item.media_type}/x-unknown"


# ---------------------------------------------------------------------------------- reading


def read_case_file(text: str) -> list[ImportedItem]:
    """Items of every Media record, one per file path; ``VicsCaseError`` on anything malformed."""
    try:
        document = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise VicsCaseError("not a VICS case file: JSON nested too deeply") from None
    except ValueError as exc:
        where = (f" at line {exc.lineno}, column {exc.colno}"
                 if isinstance(exc, json.JSONDecodeError) else "")
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise VicsCaseError(f"not a VICS case file: malformed JSON{where}: {message}") from None
    _check_strings(document)
    if not isinstance(document, dict) or not isinstance(document.get("value"), list):
        raise VicsCaseError("not a VICS case file: expected a JSON object with a 'value' array")
    reader = SignalReader(SIGNALS)
    items: list[ImportedItem] = []
    owner: dict[str, int] = {}
    for number, record in enumerate(_records(document["value"]), 1):
        try:
            found = _media_items(record, reader)
        except ValueError as exc:
            raise VicsCaseError(f"Media record {number}: {exc}") from None
        for imported in found:
            first = owner.setdefault(imported.item.path, number)
            if first != number and not imported.synthetic:
                raise VicsCaseError(
                    f"Media records {first} and {number} both name the file "
                    f"{imported.item.path[:200]!r}"
                )
        items += found
    return items


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number out of range: {text[:40]}")
    return number


def _check_strings(document: object) -> None:
    """Every string must be storable: no unpaired surrogates (from ``\\ud800`` escapes) and no
    NUL characters, which PostgreSQL text cannot hold."""
    stack = [document]
    while stack:
        value = stack.pop()
        texts: list[str] = []
        if isinstance(value, dict):
            texts = list(value)
            stack += value.values()
        elif isinstance(value, list):
            stack += value
        elif isinstance(value, str):
            texts = [value]
        for text in texts:
            if "\x00" in text:
                raise VicsCaseError("not importable: a string holds a NUL character")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise VicsCaseError(
                    "not importable: a string holds an unpaired surrogate (bad \\u escape)"
                ) from None


def _records(values: list[Any]) -> Iterator[Any]:
    for index, value in enumerate(values, 1):
        if not isinstance(value, dict):
            raise VicsCaseError(f"value[{index}] must be an object (a case or a Media record)")
        if "Media" not in value:
            yield value  # a hash set: the Media record itself
            continue
        media = value["Media"]
        if media is None:
            continue
        if not isinstance(media, list):
            raise VicsCaseError(f"value[{index}].Media must be an array of Media records")
        yield from media


def _media_items(record: object, reader: SignalReader) -> list[ImportedItem]:
    if not isinstance(record, dict):
        raise ValueError("expected an object")
    hashes, quality, others = _hashes(record, reader)
    if not hashes and not others:
        raise ValueError("no usable hash (MD5, SHA1, PhotoDNA or a known AlternativeHashes entry)")
    mime = record.get("MimeType")
    if mime is not None and not isinstance(mime, str):
        raise ValueError("MimeType must be a string")
    paths = _paths(record)
    synthetic = not paths
    if synthetic:
        kind, value = next(iter(hashes.items())) if hashes else next(iter(others.items()))
        paths = [f"{SYNTHETIC_PREFIX}{kind.lower()}:{value}"]
    item = ScannedItem(
        path=paths[0], media_type=_media_type(mime, paths[0], "vpdq" in hashes),
        size=_size(record.get("MediaSize")), md5=hashes.get("md5", ""),
        sha1=hashes.get("sha1", ""), sha256=hashes.get("sha256", ""), pdq=hashes.get("pdq"),
        pdq_quality=quality if "pdq" in hashes else 0, vpdq=hashes.get("vpdq"),
        exif=exif_of_rows(record.get("Exifs")),
    )
    series = _series(record.get("Series"))
    victim = _flag(record.get("VictimIdentified"), "VictimIdentified")
    offender = _flag(record.get("OffenderIdentified"), "OffenderIdentified")
    return [ImportedItem(replace(item, path=path), synthetic, series, victim, offender, others)
            for path in paths]


def _hashes(
    record: Mapping[str, Any], reader: SignalReader
) -> tuple[dict[str, str], int, dict[str, str]]:
    """Column hashes by signal type (sha1, md5 ... in that order), PDQ quality, other hashes."""
    found: dict[str, str] = {}
    others: dict[str, str] = {}
    quality = 0

    def keep(signal_type: str, value: str, where: str) -> None:
        if signal_type == "orb":
            return  # features are recomputed from pixels, never taken from a file
        target, name = (found, signal_type) if signal_type in _COLUMNS else (
            others, HASH_NAMES.get(signal_type, signal_type))
        if target.setdefault(name, value) != value:
            raise ValueError(f"{where}: a second, different {name} value")

    for field, signal_type in (("MD5", "md5"), ("SHA1", "sha1"), ("PhotoDNA", "photodna")):
        value = record.get(field)
        if value is not None and not (isinstance(value, str) and not value.strip()):
            keep(signal_type, reader.signal(signal_type, value, field).value, field)
    raw = record.get(ALTERNATIVES)
    if raw is not None and not isinstance(raw, list):
        raise ValueError(f"{ALTERNATIVES} must be an array")
    for index, entry in enumerate(raw or (), 1):
        where = f"{ALTERNATIVES}[{index}]"
        name = entry.get("HashName") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where} must be an object with a HashName")
        signal = alternative_signal(reader, entry, index)
        value = entry.get("HashValue")
        if signal is not None:
            keep(signal.type, signal.value, where)
            if signal.type == "pdq" and "Quality" in entry:
                quality = _quality(entry["Quality"], where)
        elif value is None or (isinstance(value, str) and not value.strip()):
            continue
        elif isinstance(value, str):
            keep(name.strip()[:64], value, where)
        else:
            raise ValueError(f"{where}: HashValue must be a string")
    ordered: dict[str, str] = {t: found[t] for t in ("sha1", "md5", "sha256", "pdq", "vpdq")
                               if t in found}
    return ordered, quality, others


def _quality(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"{where}: Quality must be an integer from 0 to 100")
    return value


def _paths(record: Mapping[str, Any]) -> list[str]:
    files = record.get("MediaFiles")
    if files is not None and not isinstance(files, list):
        raise ValueError("MediaFiles must be an array")
    paths: list[str] = []
    for index, entry in enumerate(files or (), 1):
        if not isinstance(entry, dict):
            raise ValueError(f"MediaFiles[{index}] must be an object")
        name, folder = entry.get("FileName"), entry.get("FilePath")
        for field, value in (("FileName", name), ("FilePath", folder)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"MediaFiles[{index}].{field} must be a string")
        path = _join(folder.strip() if folder else "", name.strip() if name else "")
        if path and path not in paths:
            paths.append(path)
    relative = record.get("RelativeFilePath")
    if not paths and isinstance(relative, str) and relative.strip():
        paths.append(relative.strip())
    return paths


def _join(folder: str, name: str) -> str:
    """The file's path: exporters write FilePath as the folder or as the whole path."""
    if not folder or not name or _SEPARATORS.split(folder)[-1] == name:
        return folder or name
    separator = "\\" if "\\" in folder and "/" not in folder else "/"
    return folder.rstrip("/\\") + separator + name


def _media_type(mime: str | None, path: str, video: bool) -> str:
    if mime and mime.strip():
        kind = mime.partition("/")[0].strip().lower()
        return kind if kind in ("image", "video") else "other"
    if video:
        return "video"
    guessed = mimetypes.guess_type(path.replace("\\", "/"), strict=False)[0] or ""
    # VICS Media records are pictures or videos; without a type or a telling name, a picture.
    return "video" if guessed.startswith("video/") else "image"


def _size(value: object) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 62:
        raise ValueError("MediaSize must be a whole number of bytes")
    return value


def _series(value: object) -> tuple[str, ...]:
    names = value if isinstance(value, list) else [value]
    found: list[str] = []
    for name in names:
        if name is None or (isinstance(name, str) and not name.strip()):
            continue
        if not isinstance(name, str):
            raise ValueError("Series must be a string or an array of strings")
        if len(name.strip()) > MAX_SERIES_NAME:
            raise ValueError(f"Series name longer than {MAX_SERIES_NAME} characters")
        if name.strip() not in found:
            found.append(name.strip())
    return tuple(found)


def _flag(value: object, field: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{field} must be true, false or null")
