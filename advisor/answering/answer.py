"""What the advisor returns: an answer in Markdown with numbered citations and the facts behind it."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from advisor.portfolio.assessment import Assessment
from advisor.understanding.intents import Intent
from advisor.understanding.language import Language

_MARKER = re.compile(r"\[(\d+)\]")


class Citation(BaseModel):
    n: int
    source: str  # path or URL of the document or record file
    title: str
    section: str  # heading path
    snippet: str  # the passage text that supports the claim
    url: str | None = None
    kind: str = "practice"


class Answer(BaseModel):
    question: str
    intent: Intent
    language: Language = "en"  # of the question; the answer's own words are in it, quotes in their source's
    found: bool = True  # False when nothing relevant was found; `suggestions` then lists close topics
    text: str  # Markdown; every claim carries [n]
    citations: list[Citation] = Field(default_factory=list)
    initiative: Assessment | None = None
    initiatives: list[str] = Field(default_factory=list)
    missing_capabilities: list[str] = Field(default_factory=list)
    unmet_gates: list[str] = Field(default_factory=list)
    next_phase: int | None = None
    risks: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def cited_numbers(self) -> list[int]:
        return sorted({int(n) for n in _MARKER.findall(self.text)})
