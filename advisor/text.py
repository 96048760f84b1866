"""Script-level facts about text in our four languages, shared by search and understanding."""

from __future__ import annotations

import re
import unicodedata

HAN_KANA = r"\u3005\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
HANGUL = r"\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
KANA_RE = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
HANGUL_RE = re.compile(rf"[{HANGUL}]")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
# Letters only Vietnamese uses among our languages (with or without tone marks).
VIETNAMESE_RE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def _latin(char: str) -> bool:
    return "A" <= char <= "z" or "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"


def fold_accents(text: str) -> str:
    """Latin text without diacritics: "Việt Nam" -> "Viet Nam", "đo lường" -> "do luong".

    Only marks on Latin letters go: Japanese voicing marks (the dakuten of "ズ") stay."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and kept and _latin(kept[-1]):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


# Runs of one script: Japanese (kanji and kana), Korean (hangul), or any other word (Latin, digits).
SCRIPT_RUNS = re.compile(rf"(?P<cjk>[{HAN_KANA}]+)|(?P<hangul>[{HANGUL}]+)|(?P<word>[^\W_{HAN_KANA}{HANGUL}]+)")
