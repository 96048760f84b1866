"""The advisor's own words in the asker's language: a gettext catalogue, read with Babel.

English is written in the code (the message ids); Japanese, Korean and Vietnamese live in
``advisor/locale/<language>/LC_MESSAGES/advisor.po``. The ``.po`` sources are compiled to the
binary ``.mo`` form in memory when a language is first used (Babel's ``write_mo``), so an
editable install, a wheel and a source checkout all read the same files, and nothing compiled has
to be kept in step with them. A message without a translation falls back to English.

Quoted passages are never translated: they stay in their source language with their citations.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "advisor"


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translator(language: str) -> gettext.NullTranslations:
    """The translations of one language (``gettext``, ``ngettext``); English for unknown ones."""
    path = catalogue_path(language)
    if language == "en" or not path.exists():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def indefinite_article(phrase: str) -> str:
    """ "a" or "an" for an English phrase, by sound: "an AI agent", "an ML model", "a GenAI pilot"."""
    word = phrase.split()[0] if phrase.split() else ""
    if len(word) > 1 and word[:2].isupper():  # an acronym, read letter by letter
        return "an" if word[0] in "AEFHILMNORSX" else "a"
    return "an" if word[:1].lower() in "aeiou" else "a"
