"""Sentences of a passage, for quoting verbatim and for picking the ones that answer a question."""

from __future__ import annotations

import re

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"(\[])")
_MARKUP = re.compile(r"\*\*|__|`")


def normalize(text: str) -> str:
    """Whitespace collapsed and emphasis markers removed: how quotes are compared with passages."""
    return " ".join(_MARKUP.sub("", text).split())


def split_sentences(text: str, min_words: int = 6) -> list[str]:
    """Complete sentences of a Markdown passage, whitespace-normalised, in order.

    Headings, table rows and fragments shorter than ``min_words`` are left out; list items
    count as sentences of their own.
    """
    sentences: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", text):
        block = block.strip()
        if not block or block.startswith(("#", "|", "```")):
            continue
        block = normalize(_BULLET.sub("", block))
        for sentence in _SPLIT.split(block):
            sentence = sentence.strip()
            if len(sentence.split()) >= min_words and sentence[-1] in '.!?:)"”':
                sentences.append(sentence)
    return sentences


def first_sentence(text: str) -> str | None:
    sentences = split_sentences(text)
    return sentences[0] if sentences else None
