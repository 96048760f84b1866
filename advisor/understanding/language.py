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

Language = Literal["en", "ja", "ko", "vi"]
LANGUAGES: tuple[Language, ...] = ("en", "ja", "ko", "vi")

_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[^\W\d_]+")
# Letters only Vietnamese uses among our languages (with or without tone marks).
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)

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
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):  # kanji without kana: our users write Japanese far more than Chinese
        return "ja"
    if _VIETNAMESE.search(text):
        return "vi"
    if len(_LATIN_WORD.findall(text)) <= 2:
        return "en"
    return _classify_latin(text)
