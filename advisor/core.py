"""The Advisor: one object wiring settings to the framework, the portfolio store and the index."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from advisor.access import Requester
from advisor.answering.answer import Answer, TokenUsage
from advisor.answering.evidence import Evidence, Quoter
from advisor.errors import AdvisorError, NotFoundError
from advisor.framework import Framework, load_framework
from advisor.portfolio.assessment import Assessment, PortfolioSummary, assess_initiative, summarize_assessed
from advisor.portfolio.records import Initiative
from advisor.settings import Settings

if TYPE_CHECKING:
    from advisor.understanding.intents import Query


@dataclass
class ModelReading:
    """What asking the chat model to read a question gave: its reading, or why not, and the tokens."""

    usage: TokenUsage
    spent: float = 0.0  # seconds
    query: Query | None = None  # the Query to answer, when the model's reading holds up
    fallback: str | None = None


class Advisor:
    """Entry point of the brain. The faces (CLI, Slack) build one and call its methods.

    ``today`` fixes the date used for days-in-phase and stall checks (tests, reports);
    by default the real date is used at each call.
    """

    def __init__(self, settings: Settings, today: date | None = None):
        self.settings = settings
        self._today = today
        self._assessments: dict[str, tuple[Initiative, date, Assessment]] = {}

    @property
    def today(self) -> date:
        return self._today or date.today()

    @cached_property
    def framework(self) -> Framework:
        return load_framework(self.settings.knowledge_dir / "framework.yaml")

    @cached_property
    def engine(self):
        from advisor.db import make_engine

        return make_engine(self.settings)

    @cached_property
    def portfolio(self):
        from advisor.portfolio.store import PortfolioStore

        return PortfolioStore(self.engine)

    @cached_property
    def index(self):
        from advisor.search.index import Index

        return Index(self.settings, self.engine)

    @cached_property
    def sentences(self):
        """Quotable sentences of retrieved passages with their embeddings, kept between questions."""
        from advisor.answering.sentence_bank import SentenceBank

        return SentenceBank(self.index, folder=self.settings.data_dir / "sentence-vectors")

    @cached_property
    def composer(self):
        from advisor.answering.compose import make_composer

        if self.settings.llm:
            return make_composer(self.settings, self.index.embedder, self.framework)
        return make_composer(self.settings)

    @cached_property
    def budget(self):
        """The per-user hourly token limit, and the record of what each chat-model answer took."""
        from advisor.answering.budget import TokenBudget
        from advisor.feedback import UsageStore

        return TokenBudget(UsageStore(self.engine), self.settings.llm, self.settings.llm_user_hourly_tokens)

    @cached_property
    def understanding(self):
        from advisor.understanding.classifier import ExampleClassifier, load_examples
        from advisor.understanding.intents import Understanding

        embedder = self.index.embedder
        classifier = ExampleClassifier(embedder, load_examples(), cache_dir=self.settings.data_dir / "understanding")
        return Understanding(self.framework, embedder, classifier)

    def find_initiative(self, id_or_name: str, requester: Requester) -> Initiative:
        """The one visible initiative named by id, name or a loose form of its name; the same
        resolver as questions use, so a name that fits none or several says which are closest."""
        from advisor.answering.declines import ambiguous_message, unknown_initiative_message
        from advisor.understanding.entities import resolve

        records = self.portfolio.all(requester)
        resolution = resolve(id_or_name, records, whole_name=True)
        named = resolution.named
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise NotFoundError(ambiguous_message(id_or_name.strip(), named))
        if resolution.ambiguous is not None:
            raise NotFoundError(ambiguous_message(id_or_name.strip(), resolution.ambiguous.records))
        unknown = resolution.unknown or resolution.mentions[0]
        raise NotFoundError(unknown_initiative_message(replace(unknown, typed=id_or_name.strip())))

    def grants_access(self, principal: str) -> bool:
        """Whether any restricted record or document lists ``principal`` (a user or channel id): when
        none does, that principal sees exactly what everyone sees."""
        records = self.portfolio.all(Requester.admin())
        if any(r.visibility == "restricted" and principal in r.allowed for r in records):
            return True
        return self.index.keyword_index().rows_where("allowed", principal).size > 0

    def assess(self, id_or_name: str, requester: Requester) -> Assessment:
        return self._assess(self.find_initiative(id_or_name, requester))

    def sample_ids(self) -> set[str]:
        """Ids of the bundled fictional sample initiatives still stored (see advisor.portfolio.samples)."""
        from advisor.portfolio.samples import samples_folder

        return self.portfolio.ids_under(str(samples_folder(self.settings)))

    def portfolio_summary(self, requester: Requester, where: str = "") -> PortfolioSummary:
        """The summary over the visible initiatives matching ``where`` (free text, for example
        "genai japan", "phase 2", "stalled", "missing monitoring"), which it describes in words."""
        assessed, description = self._filtered(requester, where)
        summary = summarize_assessed(self.framework, assessed)
        samples = sorted(self.sample_ids() & {r.id for r, _ in assessed})
        return summary.model_copy(update={"filter": description, "samples": samples})

    def portfolio_assessed(self, requester: Requester, where: str = "") -> list[tuple[Initiative, Assessment]]:
        """Every visible initiative matching ``where``, with its assessment (for exports)."""
        return self._filtered(requester, where)[0]

    def _filtered(self, requester: Requester, where: str) -> tuple[list[tuple[Initiative, Assessment]], str]:
        from advisor.answering.portfolio_facts import describe_filter
        from advisor.understanding.filters import parse_filter
        from advisor.understanding.matching import folded

        records = self.portfolio.all(requester)
        assessed = [(r, self._assess(r)) for r in records]
        if not where.strip():
            return assessed, ""
        filters = parse_filter(folded(where), records, self.framework)
        if filters.is_empty():
            raise NotFoundError(
                f"{where.strip()!r} is not a filter I know; try a region, a business unit, an AI type "
                "(ml, genai, agent), a phase (phase 2, PoC), stalled, missing monitoring, no owner, no KPI"
            )
        return [(r, a) for r, a in assessed if filters.matches(r, a)], describe_filter(filters, self.framework)

    def _assess(self, record: Initiative) -> Assessment:
        """The record's assessment, made once per record and day: the store hands out the same record
        objects until the records change, so a portfolio question does not assess 10,000 again."""
        today, cached = self.today, self._assessments.get(record.id)
        if cached is not None and cached[0] is record and cached[1] == today:
            return cached[2]
        assessment = assess_initiative(self.framework, record, today, self.settings.stall_days)
        self._assessments[record.id] = (record, today, assessment)
        return assessment

    def ask(self, question: str, requester: Requester, history: list[str] | None = None) -> Answer:
        """Answer a question with cited sources, within what the requester may see.

        ``history`` holds the earlier questions of the same conversation, oldest first, so a
        follow-up such as "and what are its risks?" is about the initiative asked about before.
        """
        answer = None
        for event in self.ask_stream(question, requester, history):
            answer = event
        return answer

    def ask_stream(
        self, question: str, requester: Requester, history: list[str] | None = None
    ) -> Iterator[str | Answer]:
        """As :meth:`ask`, for a face that shows text as it is written: first the sentences of a
        chat model's answer, each once it has passed the check, then the whole :class:`Answer`.
        When the answer's ``check.fallback`` is set, the built-in answer replaced the model's,
        and the sentences shown before must be replaced by its text."""
        from advisor.answering.budget import limit_note
        from advisor.answering.compose import Composition, Context, ExtractiveComposer

        started = time.perf_counter()
        question = " ".join(question.split())
        if not question:
            raise AdvisorError("the question is empty; ask about an initiative, the portfolio or a practice")
        over_budget = self.budget.exhausted(requester)
        records = self.portfolio.all(requester)
        query = self.understanding.understand(question, history or [], records)
        reading = None if over_budget else self._model_reading(question, history or [], records, query)
        if reading is not None and reading.query is not None:
            query = reading.query
        evidence, facts = self._evidence(
            question, query, records, Quoter(self.index, self.settings.knowledge_dir, requester)
        )
        if evidence.found and evidence.intent in ("portfolio_status", "comparison"):  # counts: say which are samples
            evidence.summary = self._with_sample_note(evidence, facts.get("initiatives", []))
        searched = time.perf_counter()
        limited = evidence.found and over_budget  # a decline never asks the model anyway
        composer = ExtractiveComposer() if limited else self.composer
        composition = None
        # The model's reading and its writing share one ADVISOR_LLM_TIMEOUT (the advisor's own work between them aside).
        deadline = time.monotonic() + self.settings.llm_timeout - reading.spent if reading is not None else None
        context = Context(history=list(history or []), facts=facts, deadline=deadline)
        for event in composer.stream(evidence, context):
            if isinstance(event, Composition):
                composition = event
            else:
                yield event
        if limited:
            composition.text += "\n\n" + limit_note(evidence.language)
        composed = time.perf_counter()
        timings = {
            "search": (searched - started) * 1000,
            "compose": (composed - searched) * 1000,
            "total": (composed - started) * 1000,
        }
        if reading is not None:
            timings["reading"] = reading.spent * 1000  # of the search time: the chat model reading the question
        answer = Answer(
            question=question,
            intent=evidence.intent,
            language=evidence.language,
            found=evidence.found,
            text=composition.text,
            citations=composition.citations,
            suggestions=evidence.suggestions,
            timings_ms={k: round(v, 2) for k, v in timings.items()},
            composer=composition.composer,
            check=composition.check,
            usage=reading.usage.add(composition.usage) if reading is not None else composition.usage,
            understood_by="model" if reading is not None and reading.query is not None else "offline",
            understanding_fallback=reading.fallback if reading is not None else None,
            **facts,
        )
        self.budget.record(requester, answer, limited)
        yield answer

    def _model_reading(self, question: str, history: list[str], records: list[Initiative], query):
        """The chat model's reading of a question the offline reading is unsure of (None when no
        model is configured or the offline reading is sure). Its ``query`` is None, and its
        ``fallback`` says why, when the offline reading stands. Reading takes at most a share of
        ADVISOR_LLM_TIMEOUT, and writing the answer the rest: both within it."""
        from advisor.answering.llm import ModelFailure, structured_reply
        from advisor.understanding.intents import HISTORY_TURNS
        from advisor.understanding.model_reading import (
            READING_SHARE,
            Rejected,
            StructuredQuery,
            reading_messages,
            to_query,
            unsure,
        )

        if not self.settings.llm or not unsure(query):
            return None
        model = self.composer.model
        messages = reading_messages(question, history[-HISTORY_TURNS:], records, self.framework)
        started = time.monotonic()
        reading = ModelReading(usage=TokenUsage())
        try:
            deadline = started + READING_SHARE * self.settings.llm_timeout
            structured = structured_reply(model, StructuredQuery, messages, reading.usage, deadline)
            reading.query = to_query(structured, query, records, self.framework)
        except (ModelFailure, Rejected) as exc:
            reading.fallback = str(exc)
        reading.spent = time.monotonic() - started
        return reading

    def warm_up(self, question: str = "What does a GenAI pilot need before it goes live?") -> None:
        """Load what the first question needs (the embedding model, the indexes, the question
        classifier, the composer and its configuration) by answering one question offline: a chat
        model, when one is configured, is built but not asked, and nothing is recorded."""
        from advisor.answering.compose import Context, ExtractiveComposer

        self.composer  # noqa: B018  (a configuration error now, not at the first question)
        requester = Requester()
        records = self.portfolio.all(requester)
        query = self.understanding.understand(question, [], records)
        evidence, facts = self._evidence(
            question, query, records, Quoter(self.index, self.settings.knowledge_dir, requester)
        )
        for _event in ExtractiveComposer().stream(evidence, Context(history=[], facts=facts)):
            pass

    def _with_sample_note(self, evidence: Evidence, counted: list[str]) -> str:
        from advisor.portfolio.samples import sample_note

        note = sample_note(sorted(self.sample_ids() & set(counted)), len(counted), evidence.language)
        return "\n\n".join(filter(None, [evidence.summary, note]))

    def _evidence(self, question: str, query, records: list[Initiative], quoter: Quoter) -> tuple[Evidence, dict]:
        """The evidence for what the question asks, and the exact facts the answer carries."""
        from advisor.answering import declines

        language = query.language
        if query.intent == "out_of_scope":
            return declines.out_of_scope(question, language), {}
        if query.intent == "comparison":
            return self._comparison_evidence(question, query, records, quoter)
        if query.intent == "portfolio_status":
            return self._portfolio_evidence(question, records, query, quoter)
        if query.mention is not None and not query.mention.records:
            return declines.unknown_initiative(question, query.intent, query.mention, language), {}
        if len(query.initiatives) > 1:
            typed = query.mention.typed if query.mention else question
            evidence = declines.ambiguous(question, query.intent, typed, query.initiatives, quoter, language)
            return evidence, {"initiatives": [r.id for r in query.initiatives]}
        if query.initiatives:
            return self._initiative_evidence(question, query, quoter)
        return self._guidance_evidence(question, quoter, query), {}

    def _initiative_evidence(self, question: str, query, quoter: Quoter) -> tuple[Evidence, dict]:
        from advisor.answering.facts import initiative_evidence

        record = query.initiatives[0]
        a = self._assess(record)
        evidence = initiative_evidence(
            question, query.intent, record, a, self.framework, quoter, self.settings.stall_days, query.language
        )
        facts = {
            "initiative": a,
            "initiatives": [a.id],
            "missing_capabilities": a.missing_capabilities,
            "unmet_gates": a.unmet_gates,
            "next_phase": a.next_phase,
            "risks": a.risks,
        }
        return evidence, facts

    def _portfolio_evidence(self, question: str, records: list[Initiative], query, quoter: Quoter):
        from advisor.answering.comparison import ranking
        from advisor.answering.portfolio_facts import describe_filter, portfolio_evidence

        filters, language = query.filter, query.language
        assessed = {r.id: self._assess(r) for r in records}
        matching = [r for r in records if filters.matches(r, assessed[r.id])]
        if query.group_by:
            pairs = [(r, assessed[r.id]) for r in matching]
            description = describe_filter(filters, self.framework, language)
            evidence = ranking(question, query.group_by, pairs, description, self.framework, quoter, language)
            return evidence, {"initiatives": [r.id for r in matching]}
        summary = (
            summarize_assessed(self.framework, [(r, assessed[r.id]) for r in records]) if filters.is_empty() else None
        )
        evidence = portfolio_evidence(
            question, records, assessed, filters, self.framework, quoter, self.settings.stall_days, summary, language
        )
        return evidence, {"initiatives": [r.id for r in matching]}

    def _comparison_evidence(self, question: str, query, records: list[Initiative], quoter: Quoter):
        from advisor.answering.comparison import compare_groups, compare_initiatives

        if query.compare is not None:
            dimension, values = query.compare
            pairs = [(r, self._assess(r)) for r in records]
            members = [r.id for r, _ in pairs if getattr(r, dimension) in values]
            evidence = compare_groups(question, dimension, values, pairs, self.framework, query.language)
            return evidence, {"initiatives": members}
        pairs = [(r, self._assess(r)) for r in query.initiatives]
        evidence = compare_initiatives(question, pairs, self.framework, quoter, query.language)
        return evidence, {"initiatives": [r.id for r in query.initiatives]}

    def _guidance_evidence(self, question: str, quoter: Quoter, query) -> Evidence:
        """Cited practice passages; declined as not covered when the examples say so or when no
        passage comes near the question (the model's calibrated relevance floor)."""
        from advisor.answering import declines
        from advisor.answering.facts import readiness_sections, readiness_summary, type_risk_sections
        from advisor.answering.guidance import key_points, score_sentences
        from advisor.search.index import SearchFilter

        language = query.language
        vector = query.vector if query.vector is not None else self.index.embedder.embed_query(question)
        where = SearchFilter(kinds=("practice", "document"))
        hits = self.index.search(question, quoter.requester, k=self.settings.search_k, where=where, vector=vector)
        best = max((h.similarity or 0.0 for h in hits), default=0.0)
        summary, sections = "", []
        if query.readiness_of:
            summary = readiness_summary(query.readiness_of, self.framework, language)
            sections = readiness_sections(query.readiness_of, self.framework, quoter, language)
        elif query.risks_of:
            sections = type_risk_sections(query.risks_of, self.framework, quoter, language)
        if sections or (query.intent != "not_covered" and best >= self.index.embedder.relevance_floor):
            scored = score_sentences(vector, hits, self.sentences, language)
            # After the framework's own sections the practices add at most two sections of points.
            opening, points = key_points(scored, sections=2 if sections else 3, lead_with_opening=not sections)
            return Evidence(
                question=question,
                intent="general_guidance",
                language=language,
                summary=summary,
                opening=opening,
                sections=sections + points,
                passages=hits,
            )
        return declines.not_covered(question, list(dict.fromkeys(h.chunk.section for h in hits))[:3], language)
