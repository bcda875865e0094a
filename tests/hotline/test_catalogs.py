"""The public site's gettext catalogs: complete, reviewed and loadable for every site language.

Each catalog is checked against the template ``messages.pot``: every message translated, nothing
fuzzy, few leftovers, the numbers and addresses a frightened reader must copy kept as they are,
and no text left in English by mistake.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from hashwarden.web import i18n

CODES = ("fr", "nl", "de", "tr", "ar", "hr")
#: Plural forms per language, as GNU gettext counts them.
NPLURALS = {"fr": 2, "nl": 2, "de": 2, "tr": 2, "ar": 6, "hr": 3}
#: Substrings that must survive translation wherever the English has them.
KEPT = (
    "http://", "https://", "112", "116 111", "name@example.org", "takeitdown.ncmec.org",
    "Take It Down",
)  # fmt: skip
#: printf-style and brace placeholders, should a message ever gain one.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")
#: Translations are rendered unescaped (Markup) and %-formatted by Jinja's newstyle gettext.
UNSAFE = ("<", ">", "&", '"', "%")
MAX_LEFTOVERS = 5
MAX_IDENTICAL = 3


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@cache
def _template() -> Catalog:
    return _read(i18n.LOCALES / "messages.pot")


@cache
def _catalog(code: str) -> Catalog:
    return _read(i18n.LOCALES / code / "LC_MESSAGES" / "messages.po", locale=code)


def _messages(catalog: Catalog) -> dict[str, Message]:
    return {message.id: message for message in catalog if message.id}


def _strings(message: Message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, (tuple, list)) else [string or ""]


def _pairs(code: str) -> list[tuple[str, str]]:
    """(English, translation) for every template message the catalog translates."""
    catalog = _messages(_catalog(code))
    pairs = []
    for msgid in _messages(_template()):
        if msgid in catalog:
            pairs.extend((msgid, text) for text in _strings(catalog[msgid]))
    return pairs


def test_every_site_language_but_english_has_a_catalog() -> None:
    assert set(i18n.LANGUAGES) - {i18n.DEFAULT} == set(CODES)
    assert len(_messages(_template())) > 100


@pytest.mark.parametrize("code", CODES)
def test_the_header_names_project_language_charset_and_plural_forms(code: str) -> None:
    catalog = _catalog(code)
    headers = dict(catalog.mime_headers)
    assert catalog.project == "hashwarden"
    assert str(catalog.locale) == code
    assert headers["MIME-Version"] == "1.0"
    assert headers["Content-Type"].lower() == "text/plain; charset=utf-8"
    assert headers["Content-Transfer-Encoding"] == "8bit"
    assert catalog.num_plurals == NPLURALS[code]
    raw = (i18n.LOCALES / code / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    assert f'"Language: {code}\\n"' in raw
    assert f"nplurals={NPLURALS[code]};" in raw


@pytest.mark.parametrize("code", CODES)
def test_every_template_message_is_translated(code: str) -> None:
    catalog = _messages(_catalog(code))
    missing = [msgid for msgid in _messages(_template()) if msgid not in catalog]
    empty = [msgid for msgid, message in catalog.items()
             if not all(text.strip() for text in _strings(message))]  # fmt: skip
    assert missing == []
    assert empty == []


@pytest.mark.parametrize("code", CODES)
def test_nothing_is_fuzzy(code: str) -> None:
    catalog = _catalog(code)
    assert not catalog.fuzzy
    assert [message.id for message in catalog if message.fuzzy] == []
    assert [message.id for message in catalog.obsolete.values() if message.fuzzy] == []


@pytest.mark.parametrize("code", CODES)
def test_few_leftovers_beyond_the_template(code: str) -> None:
    catalog = _catalog(code)
    extra = set(_messages(catalog)) - set(_messages(_template()))
    assert len(extra) + len(catalog.obsolete) <= MAX_LEFTOVERS, sorted(extra)


@pytest.mark.parametrize("code", CODES)
def test_numbers_addresses_and_placeholders_are_kept(code: str) -> None:
    lost = [
        (token, msgid)
        for msgid, text in _pairs(code)
        for token in KEPT
        if token in msgid and token not in text
    ]
    assert lost == []
    changed = [
        msgid
        for msgid, text in _pairs(code)
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert changed == []


@pytest.mark.parametrize("code", CODES)
def test_translations_add_no_markup_or_format_characters(code: str) -> None:
    added = [
        (char, msgid)
        for msgid, text in _pairs(code)
        for char in UNSAFE
        if text.count(char) > msgid.count(char)
    ]
    assert added == []


@pytest.mark.parametrize("code", CODES)
def test_translations_are_not_copies_of_the_english(code: str) -> None:
    identical = [msgid for msgid, text in _pairs(code) if text.strip() == msgid.strip()]
    assert len(identical) <= MAX_IDENTICAL, identical
    assert all(len(msgid) <= 12 for msgid in identical), identical


@pytest.mark.parametrize("code", CODES)
def test_the_site_serves_the_catalog(code: str) -> None:
    catalog = _messages(_catalog(code))
    gettext = i18n.translations(code).gettext
    expected = catalog["Make a report"].string
    assert gettext("Make a report") == expected
    assert expected and expected != "Make a report"
    served = {msgid: gettext(msgid) for msgid in catalog}
    assert served == {msgid: message.string for msgid, message in catalog.items()}
