"""python-threatexchange's signal file: one ``<signal_type> <value>`` per line.

Who reads and writes it, in python-threatexchange 1.2.17 (``threatexchange/``):

- ``exchanges/impl/file_api.py``: ``LocalFileSignalExchangeAPI.fetch_iter`` (the ``local_file``
  collaboration, ``threatexchange config collab edit local_file --filename F NAME``) strips each
  line and splits it at the first space into type and value; with the collaboration's
  ``signal_type`` set the whole line is the value. (Its ``report_opinion`` means to append such
  lines, but in 1.2.17 opens the file with mode ``"wta"``, which Python rejects.)
- ``cli/hash_cmd.py``: ``threatexchange hash photo F`` prints ``<type> <value>``; with
  ``--photo-preprocess rotations`` each line starts with the rotation (``ROTATE90 pdq ...``).
- ``cli/dataset_cmd.py``: ``threatexchange dataset -P -S`` prints the same lines.

HMA 2.0 fills banks through the same ``SignalExchangeAPI`` classes (the ``exchange_types`` of
``hasher-matcher-actioner/reference_omm_configs/*.py``), so a deployment that lists
``LocalFileSignalExchangeAPI`` there can load this file into a bank.

Import: one entry per line, type names mapped by ``threatexchange_names`` (``video_md5`` is
``md5``); a ThreatExchange name that differs from hashwarden's is kept in
``attributes["threatexchange"]["signal_type"]`` and a rotation in ``...["rotation"]``. Lines of
types hashwarden lacks (``url``, ``raw_text`` ...) are problems. Blank lines and ``#`` lines are
skipped (ThreatExchange stores the latter under a type named ``#`` that nothing reads).
``FormatOptions.signal_type`` reads value-only lines, like the collaboration's ``signal_type``.

Export: ``<type> <value>`` per signal, or bare values of ``FormatOptions.signal_type`` only.
Signals with no ThreatExchange name (``sha1``, ``tmk_pdqf``) are left out, and so are removed
entries whatever ``include_removed`` says: the format cannot mark a hash as removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from hashwarden.core.lists.models import Entry, EntryData, Signal
from hashwarden.core.lists.records import ParsedRecord, RecordProblem
from hashwarden.formats.base import (
    DEFAULT_OPTIONS,
    FormatOptions,
    ListFormat,
    Record,
    content_lines,
)
from hashwarden.formats.threatexchange_names import (
    forced_type,
    hashwarden_type,
    te_name,
    unsupported,
)

ATTRIBUTES_KEY = "threatexchange"
#: ``RotationType`` member names (``content_type/content_base.py``) as ``hash_cmd`` prints them.
ROTATIONS = frozenset(
    {"ORIGINAL", "ROTATE90", "ROTATE180", "ROTATE270", "FLIPX", "FLIPY", "FLIPPLUS1", "FLIPMINUS1"}
)


class ThreatExchangeFileFormat(ListFormat):
    name = "threatexchange"
    extensions = (".te.txt",)
    description = "python-threatexchange signal file: '<signal_type> <value>' lines (local_file)"

    def read(
        self, stream: TextIO, *, source: str, options: FormatOptions = DEFAULT_OPTIONS
    ) -> Iterator[Record]:
        forced: tuple[str, str] | None = None
        if options.signal_type is not None:
            try:
                forced = forced_type(options.signal_type, options)
            except ValueError as exc:
                yield RecordProblem(1, str(exc))
                return
        for line in content_lines(stream, options.max_line_chars):
            if line.problem is not None:
                yield RecordProblem(line.number, line.problem)
                continue
            parsed = parse_line(line.text, forced, options)
            if isinstance(parsed, str):
                yield RecordProblem(line.number, parsed)
            else:
                yield ParsedRecord(line.number, parsed)

    def write(
        self, entries: Iterable[Entry], stream: TextIO, options: FormatOptions = DEFAULT_OPTIONS
    ) -> int:
        only: tuple[str, str] | None = None
        if options.signal_type is not None:
            try:
                only = forced_type(options.signal_type, options)
            except ValueError:
                return 0
        count = 0
        for entry in entries:
            if entry.is_removed:
                continue
            recorded = recorded_te_name(entry.data.attributes)
            lines = []
            for signal in entry.signals:
                if not is_one_line(signal.value):
                    continue
                if only is not None:
                    if signal.type == only[1]:
                        lines.append(f"{signal.value}\n")
                    continue
                te = te_name(signal.type, recorded)
                if te is not None:
                    lines.append(f"{te} {signal.value}\n")
            if lines:
                stream.write("".join(lines))
                count += 1
        return count


def parse_line(
    text: str, forced: tuple[str, str] | None, options: FormatOptions
) -> EntryData | str:
    """The entry on a stripped, non-blank line, or the problem message."""
    if forced is not None:
        return _entry(forced[0], Signal(forced[1], text), None)
    parts = text.split(None, 1)
    rotation = None
    if len(parts) == 2 and parts[0] in ROTATIONS:
        rotation = parts[0]
        parts = parts[1].split(None, 1)
    if len(parts) != 2:
        return (
            "expected '<signal_type> <value>' (value-only lines need the signal type given, "
            "like the local_file collaboration's signal_type)"
        )
    te, value = parts[0].lower(), parts[1].strip()
    hw = hashwarden_type(te, options)
    if hw is None:
        return unsupported(parts[0])
    return _entry(te, Signal(hw, value), rotation)


def _entry(te: str, signal: Signal, rotation: str | None) -> EntryData:
    details: dict[str, str] = {}
    if te != signal.type:
        details["signal_type"] = te
    if rotation is not None:
        details["rotation"] = rotation
    return EntryData(signals=(signal,), attributes={ATTRIBUTES_KEY: details} if details else {})


def recorded_te_name(attributes: Mapping[str, Any]) -> str | None:
    """The ThreatExchange type name an entry was imported under, if one was recorded."""
    details = attributes.get(ATTRIBUTES_KEY)
    if isinstance(details, Mapping):
        name = details.get("signal_type")
        if isinstance(name, str):
            return name
    return None


def is_one_line(value: str) -> bool:
    # Canonical values never hold line breaks; a corrupt one must not split a line in two.
    return "\n" not in value and "\r" not in value
