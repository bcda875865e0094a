"""Formats by name and by file extension. Adding a format = a new module + one line in BUILTIN."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import PurePath

from hashwarden.core.errors import HashwardenError
from hashwarden.formats.base import ListFormat

#: ``module:class`` of every built-in format, imported on first use.
BUILTIN: tuple[str, ...] = (
    "hashwarden.formats.jsonl:JsonlFormat",
    "hashwarden.formats.csv_format:CsvFormat",
    "hashwarden.formats.plain:PlainFormat",
    "hashwarden.formats.vics:VicsFormat",
    "hashwarden.formats.ncmec_xml:NcmecXmlFormat",
    "hashwarden.formats.threatexchange_file:ThreatExchangeFileFormat",
    "hashwarden.formats.threatexchange_dataset:ThreatExchangeDatasetFormat",
    "hashwarden.formats.hma_bank:HmaBankFormat",
)


class UnknownFormatError(HashwardenError, LookupError):
    def __init__(self, what: str, known: list[str]) -> None:
        super().__init__(f"unknown list format {what!r} (known: {', '.join(known)})")


class FormatRegistry:
    def __init__(self) -> None:
        self._formats: dict[str, ListFormat] = {}

    def register(self, list_format: ListFormat) -> ListFormat:
        name = list_format.name.lower()
        existing = self._formats.get(name)
        if existing is not None and type(existing) is not type(list_format):
            raise ValueError(f"list format {name!r} registered twice")
        self._formats[name] = list_format
        return list_format

    def get(self, name: str) -> ListFormat:
        found = self._formats.get(name.strip().lower())
        if found is None:
            raise UnknownFormatError(name, self.names())
        return found

    def guess(self, path: str | PurePath) -> ListFormat:
        """The format whose extension ends the file name; the longest ending wins."""
        file_name = PurePath(path).name.lower()
        best: tuple[int, ListFormat] | None = None
        for list_format in self._formats.values():
            for ext in list_format.extensions:
                if file_name.endswith(ext) and (best is None or len(ext) > best[0]):
                    best = (len(ext), list_format)
        if best is None:
            raise UnknownFormatError(file_name, self.names())
        return best[1]

    def names(self) -> list[str]:
        return sorted(self._formats)

    def __iter__(self) -> Iterator[ListFormat]:
        return iter(self._formats.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip().lower() in self._formats


def load(spec: str) -> ListFormat:
    module_name, _, class_name = spec.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, ListFormat)):
        raise TypeError(f"{spec} is not a ListFormat")
    return cls()


def default_registry() -> FormatRegistry:
    registry = FormatRegistry()
    for spec in BUILTIN:
        registry.register(load(spec))
    return registry


#: The process-wide registry with the built-in formats.
FORMATS = default_registry()
