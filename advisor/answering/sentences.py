"""Sentences of a passage, for quoting verbatim and for picking the ones that answer a question.

Sentence boundaries come from sentencex (Wikimedia's segmenter): rule-based, offline, with the
abbreviation lists and sentence terminators of about 300 languages, so "Ms. Sato", "e.g." and
"U.S." do not end a sentence in English or Vietnamese, and "。", "？" end one in Japanese and Korean.
It needs no model or data download and segments a whole document in well under a millisecond.

On top of the segmenter, a passage is read the way Markdown (and text extracted from PDF or Word)
lays it out: headings, tables and code are never quoted; a short title line printed above a
paragraph is dropped rather than glued to its first sentence; a list item is kept with the
sentence that introduces its list ("The business owner has these responsibilities:"), because
many items ("Decides how the process changes.") only make sense after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sentencex import segment

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MARKUP = re.compile(r"\*\*|__|`")
_END = ".!?。！？"
_CLOSERS = '"”’)」』）'
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
# Sentences about the document rather than about the subject ("This document explains each risk…").
_META = re.compile(
    r"\b(?:this|the following|the next|the previous) (?:document|section|page|guide|chapter|article|checklist|"
    r"paper|report)\b|\bdocuments? (?:explains?|covers?|describes?|summari[sz]es?|lists?)\b|"
    r"\b(?:see|described|explained|listed|covered|shown) (?:below|above|later|in the (?:\w+ ){0,4}document)\b|"
    r"本書|本文書|このドキュメント|この文書|本章|この章|이 문서|본 문서|이 장|tài liệu này|phần này",
    re.IGNORECASE,
)
TITLE_WORDS = 10  # a line this short, without an end mark, above a paragraph is its title
# A line ending in one of these words is a sentence wrapped onto the next line, never a title.
_CONTINUES = {"a", "an", "the", "of", "by", "to", "and", "or", "with", "for", "in", "on", "at", "from", "is", "are"}


@dataclass(frozen=True)
class Sentence:
    text: str  # verbatim from the passage, whitespace collapsed and emphasis markers removed
    lead: str | None = None  # for a list item: the sentence ending in ":" that introduces the list
    lead_in_passage: bool = True  # False when the list began in the passage before


def normalize(text: str) -> str:
    """Whitespace collapsed and emphasis markers removed: how quotes are compared with passages."""
    return " ".join(_MARKUP.sub("", text).split())


def segmenter_language(text: str) -> str:
    """The language whose sentence rules fit the text, told apart by script (cheap, per block)."""
    if _KANA.search(text) or (_HAN.search(text) and not _HANGUL.search(text)):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    return "vi" if _VIETNAMESE.search(text) else "en"


def is_meta(sentence: str) -> bool:
    return bool(_META.search(sentence))


def _long_enough(sentence: str, min_words: int) -> bool:
    if _HAN.search(sentence) or _KANA.search(sentence):  # no spaces between words
        return len(sentence) >= 2 * min_words
    return len(sentence.split()) >= min_words


def _complete(sentence: str) -> bool:
    return sentence.rstrip(_CLOSERS)[-1:] in _END + ":" and not sentence[:1].islower()


def _blocks(text: str) -> list[tuple[bool, str]]:
    """(is a list item, text) for each paragraph or list item, headings, tables and code left out."""
    blocks: list[tuple[bool, str]] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", text):
        block = block.strip()
        if not block or block.startswith(("#", "|", "```")):
            continue
        if _BULLET.match(block):
            blocks.append((True, normalize(_BULLET.sub("", block, count=1))))
        else:
            blocks.append((False, normalize(" ".join(_without_title_lines(block.splitlines())))))
    return blocks


def _without_title_lines(lines: list[str]) -> list[str]:
    """A paragraph's lines without title lines: a short line with no end mark that follows the
    start of the block or the end of a sentence, and precedes a line starting a new sentence."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        follows_sentence = not kept or kept[-1].rstrip(_CLOSERS)[-1:] in _END + ":"
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if (
            follows_sentence
            and nxt[:1].isupper()
            and stripped[:1].isupper()
            and stripped.rstrip(_CLOSERS)[-1:] not in _END + ":;,"
            and len(stripped.split()) <= TITLE_WORDS
            and stripped.split()[-1].lower() not in _CONTINUES
        ):
            continue
        kept.append(stripped)
    return kept


def _segments(block: str) -> list[str]:
    return [s.strip() for s in segment(segmenter_language(block), block) if s.strip()]


def segments(text: str) -> list[str]:
    """Every sentence of a block of plain text, unfiltered, by the segmenter's rules for its script."""
    return _segments(text)


def passage_sentences(text: str, min_words: int = 6, carried_lead: str | None = None) -> list[Sentence]:
    """The quotable sentences of a Markdown passage, in order.

    Left out: headings, table rows, code, title lines, fragments shorter than ``min_words`` or
    without an end mark, sentences about the document itself, and the lead-in sentences of lists
    (kept instead on each of their items). ``carried_lead`` introduces a list that began in the
    passage before and goes on at the start of this one.
    """
    sentences: list[Sentence] = []
    lead, own = carried_lead, False
    for is_item, block in _blocks(text):
        parts = _segments(block)
        if not is_item:
            lead, own = (parts[-1], True) if parts and parts[-1].endswith(":") else (None, False)
        for part in parts:
            if part.endswith(":") or not _complete(part) or is_meta(part) or not _long_enough(part, min_words):
                continue
            sentences.append(Sentence(part, lead, own) if is_item else Sentence(part))
    return sentences


def open_list_lead(text: str) -> str | None:
    """The lead-in of the list a passage ends in, if it ends in one (the list may go on after it)."""
    lead = None
    blocks = _blocks(text)
    for is_item, block in blocks:
        if not is_item:
            parts = _segments(block)
            lead = parts[-1] if parts and parts[-1].endswith(":") else None
    return lead if blocks and blocks[-1][0] else None


def opens_with_list_item(text: str) -> bool:
    return bool(_BULLET.match(text.lstrip("\n")))


def split_sentences(text: str, min_words: int = 6) -> list[str]:
    """The quotable sentences of a passage as plain strings (see :func:`passage_sentences`)."""
    return [s.text for s in passage_sentences(text, min_words)]


def first_sentence(text: str) -> str | None:
    sentences = split_sentences(text)
    return sentences[0] if sentences else None
