"""Scripted replies for the chat-model stand-in (tests/llm_standin.py), written from the prompt it
was sent, as a model would write them."""

from __future__ import annotations

import re

PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>(.*?)</passage>', re.DOTALL)
SENTENCE = re.compile(r"([A-Z][^.!?\[\]]{40,240}\.)(?:\s|$)")


def grounded(request, sentences: int = 3) -> str:
    """The first full sentence of each of the first passages the prompt numbered, cited to it: the
    reply of a model that sticks to its sources (and says nothing when it was given none)."""
    written = []
    for n, text in PASSAGE.findall(request.prompt):
        for line in text.splitlines():
            found = SENTENCE.match(line.strip())
            if found:
                written.append(f"{found.group(1)[:-1]} [{n}].")
                break
        if len(written) == sentences:
            break
    return " ".join(written) or "The passages do not answer this question."
