"""Project VIC / VICS JSON (OData style), read and written streamed, in bounded memory.

Layout, from the public VICS data model::

    {"@odata.context": ".../ProjectVic/DataModels/2.0.xml/US/$metadata#Media",
     "value": [{"MediaID": 1, "Category": 2, "MD5": "ABC...", "SHA1": "...", "PhotoDNA": "<base64>",
                "AlternativeHashes": [{"HashName": "PDQ", "HashValue": "..."}], ...}]}

VICS 1.x names the metadata key ``odata.metadata``. A *hash set* holds Media records directly in
``value``; a *case file* (``#Cases``) holds case objects whose ``Media`` array holds them. Both
versions and both shapes are read; every Media record is one record, numbered from 1 in file order
(``line`` of records and problems is that number, since a VICS file is one JSON document).

Import:

* ``MD5``, ``SHA1``, ``PhotoDNA`` and ``AlternativeHashes`` items whose ``HashName`` the signal
  registry knows (``PDQ``, ``SHA256``, ``TMK``/``TMK+PDQF``, ``MD5`` ...) become signals, in
  canonical form (lower-case hex). Items with other names stay in the attributes.
* ``Category`` is an integer whose meaning depends on the regional profile, and the label tables
  are not public, so hashwarden keeps the number under a scheme per profile:
  ``Category(scheme="vics-<profile in lower case>", value="<number>")``, e.g. ``vics-us``/``"1"``,
  ``vics-uk``/``"3"``. The profile is the region in the metadata URL (``.../2.0.xml/UK/...``);
  a URL without one (some 1.x files) gives ``FormatOptions.profile``, else ``US``. A number
  written as a string counts; a null or non-numeric category is no category (the raw value is
  kept and written back).
* Every other field (``MediaID``, ``Series``, ``Tags``, ``Exifs``, flags, unknown ones) is kept in
  ``attributes["vics"]`` exactly as the file had it: ``"true"`` stays a string, ``true`` a boolean.
  ``MediaID`` is also the ``external_id``. ``attributes["vics_context"]`` holds
  ``{"profile": ..., "case": {...}}``, the case fields only for case files (those written before
  the ``Media`` array; writers put it last). Header counts (``odata.count``) are ignored.
* A record without a usable hash, or with a malformed one, is a problem. Malformed JSON (also
  integers outside Int64, which the C parser refuses), a record longer than
  ``FormatOptions.max_line_chars`` bytes or nesting deeper than 64 levels end the reading with
  one last problem giving the byte offset or record.

Export writes VICS 2.0: a hash set, or a case file when the first entry came from one. The profile
is ``FormatOptions.profile``, else the first entry's, else ``US``. A category is written only
under that profile's scheme: a number meant under another profile would be a wrong one. Removed
entries are never written (VICS cannot mark a removal).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from hashwarden.core.lists.models import Entry
from hashwarden.formats.base import DEFAULT_OPTIONS, FormatOptions, ListFormat, Record
from hashwarden.formats.vics_read import read_vics
from hashwarden.formats.vics_write import write_vics


class VicsFormat(ListFormat):
    name = "vics"
    extensions = (".vics.json",)
    description = "Project VIC / VICS JSON 1.x and 2.0 (hash sets and case files; writes 2.0)"

    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        return read_vics(stream, options)

    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        return write_vics(entries, stream, options)
