"""Signal type names of python-threatexchange (and so of Meta's HMA) against hashwarden's.

Shared by the ThreatExchange line, ThreatExchange dataset CSV and HMA bank formats. Sources, in
python-threatexchange 1.2.17 (``threatexchange/``):

- ``signal_type/pdq/signal.py``: ``pdq``, 64 lower-case hex, the same PDQ as hashwarden's.
- ``signal_type/md5.py``: ``video_md5``, the MD5 of the file bytes (``hash_from_file``). TE
  offers it for videos only, but the value is a plain file MD5: hashwarden's ``md5``.
- ``signal_type/sha256.py``: ``video_sha256``, likewise hashwarden's ``sha256``.
- ``exchanges/impl/ncmec_api.py`` (``_get_conversion``): NCMEC ``pdna`` fingerprints go to a
  signal type *named* ``photodna`` when an extension provides one, so that is the name.
- ``extensions/vpdq/vpdq.py``: ``vpdq``, a JSON list of ``"hash,quality,timestamp"`` strings,
  which is hashwarden's canonical vPDQ value (``core.signals.vpdq``).

Everything else (``url``, ``url_md5`` = MD5 of a URL string, not of a file, ``raw_text``,
``trend_query``, extension types) has no hashwarden equivalent. hashwarden's ``sha1``
and ``tmk_pdqf`` have no ThreatExchange name and are left out of exports.
"""

from __future__ import annotations

from collections.abc import Mapping

from hashwarden.formats.base import FormatOptions

#: ThreatExchange name -> hashwarden name.
TE_TO_HASHWARDEN: Mapping[str, str] = {
    "pdq": "pdq",
    "video_md5": "md5",
    "video_sha256": "sha256",
    "photodna": "photodna",
    "vpdq": "vpdq",
}
#: hashwarden name -> the ThreatExchange name written on export.
HASHWARDEN_TO_TE: Mapping[str, str] = {hw: te for te, hw in TE_TO_HASHWARDEN.items()}


def hashwarden_type(te_name: str, options: FormatOptions) -> str | None:
    """The hashwarden type for a ThreatExchange type name, if hashwarden has it."""
    mapped = TE_TO_HASHWARDEN.get(te_name.strip().lower())
    if mapped is None or mapped not in options.signals:
        return None
    return options.signals.canonical_name(mapped)


def te_name(hw_type: str, recorded: str | None = None) -> str | None:
    """The ThreatExchange name to export a hashwarden type under.

    ``recorded`` is the name the entry was imported with; it wins when it maps to the same type,
    so a file exports with the names it came in with.
    """
    if recorded is not None and TE_TO_HASHWARDEN.get(recorded) == hw_type:
        return recorded
    return HASHWARDEN_TO_TE.get(hw_type)


def forced_type(name: str, options: FormatOptions) -> tuple[str, str]:
    """``FormatOptions.signal_type`` as ``(te_name, hashwarden_type)``; raises ``ValueError``.

    Either naming is accepted (``video_md5`` or ``md5``), as the type of value-only lines.
    """
    hw = hashwarden_type(name, options)
    if hw is not None:
        return name.strip().lower(), hw
    if name in options.signals:
        hw = options.signals.canonical_name(name)
        te = te_name(hw)
        if te is not None:
            return te, hw
    raise ValueError(unsupported(name))


def unsupported(te_name: str) -> str:
    return (
        f"threatexchange signal type {te_name[:40]!r} has no hashwarden equivalent "
        f"(supported: {', '.join(TE_TO_HASHWARDEN)})"
    )
