"""What the advisor returns: an answer in Markdown with numbered citations and the facts behind it."""

from __future__ import annotations

import re
from typing import Literal

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


class RemovedSentence(BaseModel):
    sentence: str
    reason: str


class CheckReport(BaseModel):
    """What the check of a chat model's reply found: the sentences it removed and why, and, when
    the built-in answer replaced the reply, the reason."""

    model: str  # provider:model of the chat model whose reply was checked
    checked: int = 0  # sentences of the reply that were checked
    kept: int = 0
    removed: list[RemovedSentence] = Field(default_factory=list)
    fallback: str | None = None


class TokenUsage(BaseModel):
    """Tokens the chat model read and wrote for one answer (from the provider's usage metadata)."""

    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0  # requests sent, retries included

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, other: TokenUsage | None) -> TokenUsage:
        """This usage with ``other``'s added (one answer's reading of the question and its writing)."""
        if other is not None:
            self.input_tokens += other.input_tokens
            self.output_tokens += other.output_tokens
            self.calls += other.calls
        return self


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
    composer: str = "extractive"  # or the provider:model of the chat model that wrote the text
    check: CheckReport | None = None  # for a chat model's answer: what the check removed
    usage: TokenUsage | None = None  # for a chat model's answer or reading: tokens used, retries included
    understood_by: Literal["offline", "model"] = "offline"  # whose reading of the question was answered
    understanding_fallback: str | None = None  # why the offline reading was kept after asking the model

    def cited_numbers(self) -> list[int]:
        return sorted({int(n) for n in _MARKER.findall(self.text)})
