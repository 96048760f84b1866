"""Guidance by meaning: the sentence that answers most directly, then key points by section.

Every candidate sentence of the retrieved passages is scored by the cosine similarity of its
embedding to the question's (so a Japanese question finds English sentences), plus a share of
its passage's own similarity (a sentence of the passage that is about the question beats an
equally close sentence of an unrelated one). A passage in another language than the question gets
back what the model takes off for crossing languages (calibrated for the chat-model check), so a
short guide in the asker's language does not win over the section that answers in English only
because it shares the question's language. The best sentence opens the answer; the key points
come from at most three sections, each within a margin of the best, so unrelated sections stay
out; within a section they keep their document order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from advisor.answering.check import cross_language_gap
from advisor.answering.evidence import Item, Quote, Section
from advisor.answering.sentence_bank import Candidate, SentenceBank
from advisor.search.index import Hit
from advisor.understanding.language import Language

PASSAGE_WEIGHT = 2.0  # tuned on the tuning part of benchmarks/datasets/guidance.yaml
SECTIONS = 3
SECTION_MARGIN = 0.04  # a further section joins when its best sentence is this close to the opening
POINT_MARGIN = 0.04  # a point joins its section when this close to the section's best sentence
MIN_POINTS = 2  # key points from the opening's own section, even when the others are less close
POINTS_PER_SECTION = {1: 4, 2: 3, 3: 2}  # at most six points, and every section chosen gets some


@dataclass(frozen=True)
class Scored:
    score: float
    rank: int  # of the passage among the hits
    order: int  # of the sentence within its passage
    candidate: Candidate

    @property
    def section_key(self) -> tuple[str, str]:
        chunk = self.candidate.quote.chunk
        return chunk.source_key, chunk.section


def score_sentences(
    question_vector: np.ndarray, hits: list[Hit], bank: SentenceBank, language: Language | None = None
) -> list[Scored]:
    """Every candidate sentence of the hits with its score, best first; ``language`` is the question's."""
    known = [h.similarity for h in hits if h.similarity is not None]
    fallback = min(known, default=0.0)
    gap = cross_language_gap(bank.index.embedder.name) if language else 0.0
    scored: list[Scored] = []
    for rank, (hit, passage) in enumerate(zip(hits, bank.sentences([h.chunk for h in hits]))):
        if not passage.candidates:
            continue
        crossed = gap if passage.language != language else 0.0
        similarity = passage.vectors @ question_vector + crossed
        relevance = PASSAGE_WEIGHT * ((hit.similarity if hit.similarity is not None else fallback) + crossed)
        scored += [
            Scored(float(s) + relevance, rank, order, c)
            for order, (s, c) in enumerate(zip(similarity, passage.candidates))
        ]
    return sorted(scored, key=lambda s: (-s.score, s.rank, s.order))


def key_points(
    scored: list[Scored], sections: int = SECTIONS, lead_with_opening: bool = True
) -> tuple[Quote | None, list[Section]]:
    """The opening sentence and the key points grouped under the sections they come from.

    Without ``lead_with_opening`` (the answer opens otherwise) the best sentence is a point of its
    section like the others, and no opening is returned."""
    standalone = [s for s in scored if s.candidate.lead is None]
    if not standalone:
        return None, []
    opening = standalone[0]
    groups: dict[tuple[str, str], list[Scored]] = {}
    for s in scored:
        groups.setdefault(s.section_key, []).append(s)
    close = opening.score - SECTION_MARGIN
    chosen_keys = [opening.section_key] + [
        key for key, members in groups.items() if key != opening.section_key and members[0].score >= close
    ]
    taken = [opening.candidate.quote.sentence] if lead_with_opening else []
    result: list[Section] = []
    chosen_keys = chosen_keys[:sections]
    for key in chosen_keys:
        members = groups[key]
        at_least = MIN_POINTS if key == opening.section_key else 1  # the opening is never left on its own
        limit = POINTS_PER_SECTION[len(chosen_keys)]
        points = _points(members, members[0].score - POINT_MARGIN, taken, limit, at_least)
        if points:
            result.append(Section(heading=section_heading(members[0].candidate.quote), items=points))
    return (opening.candidate.quote if lead_with_opening else None), result


def _points(members: list[Scored], floor: float, taken: list[str], limit: int, at_least: int) -> list[Item]:
    picked: list[Scored] = []
    for s in members:
        sentence = s.candidate.quote.sentence
        if len(picked) == limit or (s.score < floor and len(picked) >= at_least):
            break
        if any(fuzz.ratio(sentence, other) > 80 for other in taken):
            continue
        picked.append(s)
        taken.append(sentence)
    picked.sort(key=lambda s: (s.candidate.quote.chunk.position, s.order))
    return [Item(quote=s.candidate.quote, context=s.candidate.lead) for s in picked]


def section_heading(quote: Quote) -> str:
    """The section a point comes from: its heading, and the document title when that differs."""
    parts = quote.chunk.section.split(" > ")
    title = quote.chunk.title
    return f"{parts[-1]} · {title}" if parts[-1] != title else title
