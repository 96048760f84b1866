"""The evidence behind an answer: exact facts, each paired with a verbatim quote to cite.

Facts come from the assessment; quotes come from indexed passages (the initiative's record,
and the framework sections that explain each phase, gate, capability and risk). A composer
turns evidence into text; it never has to invent a claim or a citation.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from advisor.access import Requester
from advisor.answering.sentences import first_sentence
from advisor.framework import Framework, Ref
from advisor.portfolio.records import Initiative
from advisor.search.index import Chunk, Hit, Index, SearchFilter
from advisor.understanding.intents import Intent
from advisor.understanding.language import Language


class Quote(BaseModel):
    chunk: Chunk
    sentence: str  # verbatim (whitespace-normalised) sentence of chunk.text


class Item(BaseModel):
    lead: str = ""  # Markdown shown before the quote (a label or an uncited computed fact)
    quote: Quote | None = None
    note: str = ""  # shown after the citation marker
    context: Quote | None = None  # for a list item: the quoted sentence that introduces its list


class Section(BaseModel):
    heading: str | None = None
    items: list[Item] = Field(default_factory=list)


class Evidence(BaseModel):
    question: str
    intent: Intent
    language: Language = "en"  # the asker's: the answer's own words are written in it
    found: bool = True
    summary: str = ""  # opening line: computed facts, no citation needed
    opening: Quote | None = None  # guidance: the quoted sentence that answers most directly
    sections: list[Section] = Field(default_factory=list)
    passages: list[Hit] = Field(default_factory=list)  # for guidance: ranked candidate passages
    suggestions: list[str] = Field(default_factory=list)


PREFETCH_BATCH = 500  # records whose passages one query fetches


class Quoter:
    """Finds the passage and sentence to quote for a framework reference or a record fact."""

    def __init__(self, index: Index, knowledge_dir, requester: Requester):
        self.index = index
        self.knowledge_dir = knowledge_dir
        self.requester = requester
        self._chunks: dict[tuple[str, str], list[Chunk]] = {}

    def _chunks_where(self, key: str, value: str) -> list[Chunk]:
        if (key, value) not in self._chunks:
            where = SearchFilter(**{key: value})
            self._chunks[(key, value)] = self.index.chunks(where, self.requester)
        return self._chunks[(key, value)]

    def ref(self, ref: Ref) -> Quote | None:
        """The first sentence of the section a framework entry cites."""
        source_key = str((self.knowledge_dir / ref.doc).resolve())
        for chunk in self._chunks_where("source_key", source_key):
            if ref.section in chunk.section.split(" > "):
                sentence = first_sentence(chunk.text)
                if sentence:
                    return Quote(chunk=chunk, sentence=sentence)
        return None

    def prefetch_records(self, records: list[Initiative]) -> None:
        """Fetch the indexed passages of many records in a few queries, not one query per record."""
        wanted = [r.id for r in records if ("initiative_id", r.id) not in self._chunks]
        for start in range(0, len(wanted), PREFETCH_BATCH):
            batch = wanted[start : start + PREFETCH_BATCH]
            for rid in batch:
                self._chunks[("initiative_id", rid)] = []
            for chunk in self.index.chunks(SearchFilter(initiative_ids=tuple(batch)), self.requester):
                self._chunks[("initiative_id", chunk.initiative_id)].append(chunk)

    def record(self, record: Initiative, starts_with: str) -> Quote | None:
        """The sentence of an initiative's indexed record that starts with the given words."""
        for chunk in self._chunks_where("initiative_id", record.id):
            for line in chunk.text.splitlines():  # a record passage holds one sentence per line
                if line.startswith(starts_with):
                    return Quote(chunk=chunk, sentence=line)
        return None

    def record_phase(self, record: Initiative) -> Quote | None:
        return self.record(record, f"{record.name} ({record.id}) is in phase")


def label_list(framework: Framework, capability_ids: list[str]) -> str:
    return ", ".join(framework.capability(c).label for c in capability_ids)
