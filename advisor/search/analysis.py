"""Text analysis for keyword search in English, Japanese, Korean and Vietnamese.

One analysis for documents and queries, so both meet on the same terms:

- Latin words are lower-cased; English stop words are dropped and English words stemmed
  (Snowball). Vietnamese syllables keep their accents and also index a folded form without
  them, so "đo lường" and "do luong" meet.
- Japanese (kanji, kana) has no spaces: ICU's dictionary-based word breaker splits it into
  words, and every run of it also yields overlapping character bigrams, the classic CJK
  indexing that survives words the dictionary splits differently in two places.
- Korean words carry their particles ("이니셔티브는"): each word is kept and also yields its
  syllable bigrams, so "이니셔티브" still matches.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

from advisor.text import SCRIPT_RUNS, VIETNAMESE_RE, fold_accents

_HIRAGANA = re.compile(r"[\u3040-\u309f\u30fc]+")
# Vietnamese function words, with and without accents (the unaccented ones are not English words).
_VIETNAMESE_STOPWORDS = frozenset(
    "của và là các những nhưng trong được không có một như với này để khi thì cho từ đã đang sẽ rất "
    "nào gì thế làm sao bị vào ra lên về theo tại cũng hay hoặc nếu mà thể cần nên ở "
    "cua cac nhung trong duoc khong mot nhu voi nay khi thi cho tu da dang rat nao gi lam sao vao "
    "theo tai cung hoac neu the can nen".split()
)
# Chat endings of Korean questions, beside the usual Korean stop words.
_KOREAN_CHAT = frozenset(
    "어떻게 뭐가 뭔지 무엇 무엇인가요 있나요 하나요 해요 돼요 되나요 인가요 알려줘 알려주세요 설명해줘".split()
)
# Bump when the analysis changes: BM25 snapshots made by another analysis are then rebuilt.
ANALYSIS_VERSION = 3

_STEMMER = None
_STOPWORDS: frozenset[str] = frozenset()
_LOCK = threading.Lock()


@functools.cache
def _korean_stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_KOREAN

    return frozenset(STOPWORDS_KOREAN) | _KOREAN_CHAT


def _english():
    global _STEMMER, _STOPWORDS
    with _LOCK:
        if _STEMMER is None:
            import Stemmer
            from bm25s.stopwords import STOPWORDS_EN

            _STOPWORDS = frozenset(STOPWORDS_EN)
            _STEMMER = Stemmer.Stemmer("english")
    return _STEMMER, _STOPWORDS


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def japanese_words(run: str) -> list[str]:
    from icu4py.breakers import WordBreaker

    # words all in hiragana are grammar (の, を, する, です, ので): they carry no meaning of their own
    return [w for w in WordBreaker(run, "ja") if w.strip() and not _HIRAGANA.fullmatch(w)]


def _japanese(run: str) -> list[str]:
    """Dictionary words, then the bigrams of each kanji/katakana stretch they may have split."""
    words = japanese_words(run) if len(run) > 1 else [run] if not _HIRAGANA.fullmatch(run) else []
    pairs = [b for stretch in _HIRAGANA.split(run) for b in _bigrams(stretch)]
    return words + [b for b in pairs if b not in words]


def _korean(word: str) -> list[str]:
    if word in _korean_stopwords():
        return []
    return [word, *_bigrams(word)] if len(word) > 2 else [word]


_LATIN_TERMS: dict[str, tuple[str, ...]] = {}  # words repeat: analyse each one once per process


def _latin(word: str) -> tuple[str, ...]:
    terms = _LATIN_TERMS.get(word)
    if terms is None:
        stemmer, stopwords = _english()
        if word in stopwords or word in _VIETNAMESE_STOPWORDS or (len(word) < 2 and not word.isdigit()):
            terms = ()
        elif VIETNAMESE_RE.search(word) or not word.isascii():
            folded = fold_accents(word)
            terms = (word, folded) if folded != word else (word,)
        else:
            terms = (stemmer.stemWord(word),)
        if len(_LATIN_TERMS) < 500_000:
            _LATIN_TERMS[word] = terms
    return terms


def analyze_text(text: str) -> list[str]:
    tokens: list[str] = []
    for match in SCRIPT_RUNS.finditer(unicodedata.normalize("NFKC", text).lower()):
        run = match.group()
        if match.lastgroup == "word":
            tokens += _latin(run)
        elif match.lastgroup == "hangul":
            tokens += _korean(run)
        else:
            tokens += _japanese(run)
    return tokens


def analyze(texts: list[str]) -> list[list[str]]:
    """The terms of each text, for the BM25 index and its queries."""
    return [analyze_text(text) for text in texts]
