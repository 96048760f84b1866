"""Turning evidence into answer text with numbered citations.

The default composer is extractive and offline: it writes the facts, quotes the passages
that explain them, and for guidance picks the most relevant sentences (not whole chunks)
from the retrieved passages. Another composer (a LangChain chat model, say) plugs in by
implementing :class:`Composer` over the same :class:`Evidence`.
"""

from __future__ import annotations

from typing import Protocol

from rapidfuzz import fuzz

from advisor.answering.answer import Citation
from advisor.answering.evidence import Evidence, Item, Quote
from advisor.answering.sentences import split_sentences
from advisor.errors import ConfigError
from advisor.search.analysis import analyze
from advisor.search.index import Chunk, Hit
from advisor.settings import Settings

GUIDANCE_SENTENCES = 6
PER_PASSAGE = 2
MIN_WORDS = 8  # shorter "sentences" are mostly list headings or fragments


class Composer(Protocol):
    def compose(self, evidence: Evidence) -> tuple[str, list[Citation]]: ...


class CitationList:
    """Numbers passages in order of first use; one citation per passage."""

    def __init__(self):
        self._by_chunk: dict[str, Citation] = {}

    def cite(self, quote: Quote) -> int:
        chunk = quote.chunk
        citation = self._by_chunk.get(chunk.id)
        if citation is None:
            citation = Citation(
                n=len(self._by_chunk) + 1,
                source=chunk.url or chunk.source,
                title=chunk.title,
                section=chunk.section,
                snippet=quote.sentence,
                url=chunk.url,
                kind=chunk.kind,
            )
            self._by_chunk[chunk.id] = citation
        elif quote.sentence not in citation.snippet:
            citation.snippet += " … " + quote.sentence
        return citation.n

    def all(self) -> list[Citation]:
        return list(self._by_chunk.values())


class ExtractiveComposer:
    def compose(self, evidence: Evidence) -> tuple[str, list[Citation]]:
        citations = CitationList()
        if not evidence.found:
            topics = "\n".join(f"- {t}" for t in evidence.suggestions)
            text = "I found nothing in the knowledge base that answers this, so I won't guess."
            return text + (f" The closest topics I have are:\n{topics}" if topics else ""), []
        lines = [evidence.summary] if evidence.summary else []
        for section in evidence.sections:
            lines.append("")
            if section.heading:
                lines.append(f"**{section.heading}**")
            lines += [_render_item(item, citations) for item in section.items]
        if evidence.intent == "general_guidance":
            picked = select_sentences(evidence.question, evidence.passages)
            heading = "**What the practices add**" if evidence.sections else "Here is what the knowledge base says:"
            lines += ["", heading] + [f"- {quote.sentence} [{citations.cite(quote)}]" for quote in picked]
        return "\n".join(lines).strip(), citations.all()


def _render_item(item: Item, citations: CitationList) -> str:
    parts = [item.lead] if item.lead else []
    if item.quote is not None:
        parts.append(f"{item.quote.sentence} [{citations.cite(item.quote)}]")
    line = "- " + " — ".join(parts)
    return line + (f" _{item.note}_" if item.note else "")


def select_sentences(question: str, hits: list[Hit], limit: int = GUIDANCE_SENTENCES) -> list[Quote]:
    """The sentences of the retrieved passages that best answer the question, in passage order.

    A sentence scores by the question terms it contains (stemmed, stop words removed) and by
    the rank of its passage; at most two per passage, near-duplicates dropped.
    """
    candidates = [
        (rank, position, sentence, hit.chunk)
        for rank, hit in enumerate(hits)
        for position, sentence in enumerate(split_sentences(hit.chunk.text, min_words=MIN_WORDS))
        if not sentence.endswith(":")
    ]
    analyzed = analyze([question] + [c[2] for c in candidates])  # one pass over every sentence
    terms = set(analyzed[0])
    scored: list[tuple[float, int, int, str, Chunk]] = []
    for (rank, position, sentence, chunk), words in zip(candidates, analyzed[1:]):
        overlap = len(terms & set(words))
        score = overlap / (1 + 0.05 * len(words)) + 1.0 / (rank + 2)
        scored.append((score, rank, position, sentence, chunk))
    if any(score > 1.0 / (rank + 2) for score, rank, *_ in scored):  # prefer sentences that share a term
        scored = [s for s in scored if s[0] > 1.0 / (s[1] + 2)]
    chosen: list[tuple[int, int, str, Chunk]] = []
    per_passage: dict[str, int] = {}
    for _score, rank, position, sentence, chunk in sorted(scored, key=lambda s: -s[0]):
        if per_passage.get(chunk.id, 0) >= PER_PASSAGE:
            continue
        if any(fuzz.ratio(sentence, other) > 80 for _, _, other, _ in chosen):
            continue
        chosen.append((rank, position, sentence, chunk))
        per_passage[chunk.id] = per_passage.get(chunk.id, 0) + 1
        if len(chosen) == limit:
            break
    return [Quote(chunk=chunk, sentence=sentence) for _, _, sentence, chunk in sorted(chosen, key=lambda c: c[:2])]


def make_composer(settings: Settings) -> Composer:
    """The one factory for composers, chosen from settings."""
    if settings.llm:
        raise ConfigError(
            f"ADVISOR_LLM={settings.llm!r}: no chat-model composer is available in this version; "
            "unset ADVISOR_LLM to use the built-in extractive composer"
        )
    return ExtractiveComposer()
