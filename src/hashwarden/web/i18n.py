"""The public site's languages: choosing one per request, and its gettext catalog.

Catalogs are the ``.po`` files under ``locales/`` (translated by people, reviewed in the
repository); they are compiled in memory when the site starts, so there is no build step and
no compiled file to forget. English is the source language and needs no catalog.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).parent / "locales"
DEFAULT = "en"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    #: The language's name in itself, as the switcher shows it.
    name: str
    rtl: bool = False


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("en", "English"),
        Language("fr", "Français"),
        Language("nl", "Nederlands"),
        Language("de", "Deutsch"),
        Language("tr", "Türkçe"),
        Language("ar", "العربية", rtl=True),
        Language("hr", "Hrvatski · Bosanski · Srpski"),
    )
}
#: Bosnian, Serbian in Latin script and Serbo-Croatian read the ``hr`` pages.
ALIASES = {"bs": "hr", "sr-latn": "hr", "sr": "hr", "sh": "hr", "hbs": "hr"}


def resolve(tag: str) -> str | None:
    """The site language for one tag (``fr-BE``, ``sr-Latn-RS``, ``bs``), if there is one."""
    cleaned = tag.strip().lower().replace("_", "-")
    if not cleaned:
        return None
    parts = cleaned.split("-")
    for candidate in ("-".join(parts[:2]), parts[0]):
        if candidate in LANGUAGES:
            return candidate
        if candidate in ALIASES:
            # Serbian written in Cyrillic has no pages here: better English than wrong script.
            if parts[0] == "sr" and "cyrl" in parts:
                return None
            return ALIASES[candidate]
    return None


def negotiate(requested: str | None, accept_language: str) -> str:
    """``?lang=`` when it names a site language, else the best of Accept-Language, else English."""
    if requested:
        chosen = resolve(requested)
        if chosen:
            return chosen
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")[:20]):
        tag, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        chosen = resolve(tag)
        if chosen and quality > 0:
            ranked.append((-quality, position, chosen))
    return min(ranked)[2] if ranked else DEFAULT


@cache
def translations(code: str) -> NullTranslations:
    """The compiled catalog of a site language (English: the identity)."""
    path = LOCALES / code / "LC_MESSAGES" / "messages.po"
    if code == DEFAULT or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@cache
def countries(code: str) -> list[tuple[str, str]]:
    """(ISO code, name in the language) for every country, sorted by name."""
    try:
        locale = Locale.parse(code if code != "hr" else "hr")
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse(DEFAULT)
    names = {
        territory: name
        for territory, name in locale.territories.items()
        if len(territory) == 2 and territory.isalpha() and territory not in ("ZZ", "EU", "UN")
    }
    return sorted(names.items(), key=lambda item: item[1].casefold())
