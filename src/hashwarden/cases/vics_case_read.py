"""VICS 2.0 case files read into items to import (see ``vics_case`` for the layout).

Reading takes case files and, as a courtesy, hash sets (Media records directly in ``value``),
in the shapes real exports use: booleans as strings, ``Series`` as a string or a list, the
``Category`` as a number or a string of digits. Anything malformed is one ``VicsCaseError`` naming
the record and the field; nothing is imported then.
"""

from __future__ import annotations

import json
import math
import mimetypes
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from hashwarden.cases.graph_models import ImportedItem
from hashwarden.cases.models import ScannedItem
from hashwarden.cases.vics_case import PATH_SEPARATORS, SYNTHETIC_PREFIX, VicsCaseError
from hashwarden.cases.vics_exif import exif_of_rows
from hashwarden.core.lists.models import Category
from hashwarden.core.signals.registry import SIGNALS
from hashwarden.formats.vics_read import (
    ALTERNATIVES,
    CONTEXT_KEYS,
    DEFAULT_PROFILE,
    SignalReader,
    alternative_signal,
    category_number,
    category_scheme,
    profile_of_context,
)
from hashwarden.formats.vics_write import HASH_NAMES

#: Longest series name a case keeps (``case_series.name``).
MAX_SERIES_NAME = 200
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})
#: Signal types kept in the item's own columns; other known types are passed on as they are.
_COLUMNS = ("md5", "sha1", "sha256", "pdq", "vpdq")


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
    context = next((document[k] for k in CONTEXT_KEYS if isinstance(document.get(k), str)), "")
    scheme = category_scheme(profile_of_context(context) or DEFAULT_PROFILE)
    items: list[ImportedItem] = []
    owner: dict[str, int] = {}
    for number, record in enumerate(_records(document["value"]), 1):
        try:
            found = _media_items(record, reader, scheme)
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


def _media_items(record: object, reader: SignalReader, scheme: str) -> list[ImportedItem]:
    if not isinstance(record, dict):
        raise ValueError("expected an object")
    category = _category(record.get("Category"), scheme)
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
    return [ImportedItem(replace(item, path=path), synthetic, series, victim, offender, others,
                         category) for path in paths]


def _category(value: object, scheme: str) -> Category | None:
    # Real exports write null, a number or a string of digits; anything else is a broken file.
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = category_number(value)
    if number is None or not 0 <= number < 1000:
        raise ValueError(f"Category must be a small whole number, not {str(value)[:40]!r}")
    return Category(scheme, str(number))


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
    if not folder or not name or PATH_SEPARATORS.split(folder)[-1] == name:
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
