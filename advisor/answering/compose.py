"""Turning evidence into answer text with numbered citations.

The default composer is extractive and offline: it writes the facts and the framing in the
asker's language, and quotes, verbatim and cited, the sentences the evidence chose (for
guidance: the sentence that answers most directly, then key points by section; see
``guidance``). Another composer (a LangChain chat model, say) plugs in by implementing
:class:`Composer` over the same :class:`Evidence`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from advisor.answering.answer import CheckReport, Citation, TokenUsage
from advisor.answering.evidence import Evidence, Item, Quote
from advisor.messages import translator
from advisor.settings import Settings


@dataclass
class Context:
    """What a composer may know besides the evidence: the conversation and the exact facts."""

    history: list[str] = field(default_factory=list)  # earlier questions, oldest first
    facts: dict = field(default_factory=dict)  # the Answer's fact fields (assessment, gates, ...)
    deadline: float | None = None  # time.monotonic() by which a chat model must have answered


@dataclass
class Composition:
    text: str
    citations: list[Citation]
    composer: str = "extractive"
    check: CheckReport | None = None
    usage: TokenUsage | None = None


class Composer(Protocol):
    def stream(self, evidence: Evidence, context: Context) -> Iterator[str | Composition]:
        """Sentences of the answer as they are ready to show (each already checked), then the
        whole :class:`Composition`, which is what to keep: when its check fell back to the
        built-in answer, the sentences shown before are replaced by its text."""
        ...


class CitationList:
    """Numbers sources in order of first use: one citation per section of a source, so the
    passages of one section (a long section has several) share its number."""

    def __init__(self):
        self._by_section: dict[tuple[str, str], Citation] = {}

    def cite(self, quote: Quote) -> int:
        chunk = quote.chunk
        key = (chunk.source_key, chunk.section)
        citation = self._by_section.get(key)
        if citation is None:
            citation = Citation(
                n=len(self._by_section) + 1,
                source=chunk.url or chunk.source,
                title=chunk.title,
                section=chunk.section,
                snippet=quote.sentence,
                url=chunk.url,
                kind=chunk.kind,
            )
            self._by_section[key] = citation
        elif quote.sentence not in citation.snippet:
            citation.snippet += " … " + quote.sentence
        return citation.n

    def all(self) -> list[Citation]:
        return list(self._by_section.values())


class ExtractiveComposer:
    def compose(self, evidence: Evidence) -> tuple[str, list[Citation]]:
        t = translator(evidence.language)
        citations = CitationList()
        if not evidence.found:  # a decline or an unknown name: its words are the evidence's summary
            summary = evidence.summary or t.gettext(
                "I found nothing in the knowledge base that answers this, so I won't guess."
            )
            return "\n".join([summary, *(f"- {topic}" for topic in evidence.suggestions)]), []
        lines = [evidence.summary] if evidence.summary else []
        if evidence.opening is not None:
            lines.append(f"{evidence.opening.sentence} [{citations.cite(evidence.opening)}]")
        for section in evidence.sections:
            lines.append("")
            if section.heading:
                lines.append(f"**{section.heading}**")
            lines += _render_items(section.items, citations)
        if evidence.language != "en" and citations.all():
            lines += ["", "_" + t.gettext("Quotes are in the language of their source.") + "_"]
        return "\n".join(lines).strip(), citations.all()

    def stream(self, evidence: Evidence, context: Context) -> Iterator[str | Composition]:
        text, citations = self.compose(evidence)
        yield Composition(text, citations)


def _render_items(items: list[Item], citations: CitationList) -> list[str]:
    """One bullet per item; list items under the quoted sentence that introduces their list."""
    lines: list[str] = []
    context = None
    for item in items:
        if item.context is not None and item.context != context:
            lines.append(f"- {item.context.sentence} [{citations.cite(item.context)}]")
        context = item.context
        lines.append(("  " if context is not None else "") + _render_item(item, citations))
    return lines


def _render_item(item: Item, citations: CitationList) -> str:
    parts = [item.lead] if item.lead else []
    if item.quote is not None:
        parts.append(f"{item.quote.sentence} [{citations.cite(item.quote)}]")
    line = "- " + " — ".join(parts)
    return line + (f" _{item.note}_" if item.note else "")


def make_composer(settings: Settings, embedder=None, framework=None) -> Composer:
    """The one factory for composers, chosen from settings. A chat model's replies are checked
    with ``embedder`` (the index's) against the ``framework``'s names."""
    if settings.llm:
        from advisor.answering.llm import ChatComposer

        return ChatComposer.from_settings(settings, embedder, framework, ExtractiveComposer())
    return ExtractiveComposer()
