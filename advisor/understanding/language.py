"""The language a question is written in: English, Japanese, Korean or Vietnamese.

The script decides where it can (kana means Japanese, hangul Korean); Latin text is told apart
by py3langid restricted to English and Vietnamese, which also knows Vietnamese typed without
accents. Very short Latin text ("ROI?", "CLM-001 risks") is English unless it carries Vietnamese
letters, because a classifier cannot tell from two words.
"""

from __future__ import annotations

import re
import threading
from typing import Literal

from advisor.text import HAN_RE, HANGUL_RE, KANA_RE, VIETNAMESE_RE

Language = Literal["en", "ja", "ko", "vi"]
LANGUAGES: tuple[Language, ...] = ("en", "ja", "ko", "vi")

_LATIN_WORD = re.compile(r"[^\W\d_]+")

_IDENTIFIER = None
_LOCK = threading.Lock()


def _classify_latin(text: str) -> Language:
    global _IDENTIFIER
    with _LOCK:
        if _IDENTIFIER is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE)
            _IDENTIFIER.set_languages(["en", "vi"])
        language, _score = _IDENTIFIER.classify(text)
    return "vi" if language == "vi" else "en"


def detect_language(text: str) -> Language:
    if KANA_RE.search(text):
        return "ja"
    if HANGUL_RE.search(text):
        return "ko"
    if HAN_RE.search(text):  # kanji without kana: our users write Japanese far more than Chinese
        return "ja"
    if VIETNAMESE_RE.search(text):
        return "vi"
    if len(_LATIN_WORD.findall(text)) <= 2:
        return "en"
    return _classify_latin(text)
