"""What a question asks and about what: the nearest labelled examples decide the kind of question,
exact signals (ids, names, phases, capabilities, regions) decide its subject, and both together
decide when a name in the question matters and when a question follows up an earlier one."""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from advisor.framework import Framework
from advisor.portfolio.records import Initiative
from advisor.search.embedding import Embedder
from advisor.understanding.classifier import ExampleClassifier, Scores
from advisor.understanding.entities import Mention, Resolution, name_after_determiner, resolve, unknown_name
from advisor.understanding.filters import PortfolioFilter, grouping_named, parse_filter, says
from advisor.understanding.language import Language, detect_language
from advisor.understanding.matching import folded

__all__ = ["Intent", "PortfolioFilter", "Query", "Understanding", "parse_filter"]

Intent = Literal[
    "initiative_status",
    "next_phase",
    "missing_infrastructure",
    "risks",
    "portfolio_status",
    "comparison",
    "general_guidance",
    "not_covered",
    "out_of_scope",
]
ASPECTS: tuple[Intent, ...] = ("initiative_status", "next_phase", "missing_infrastructure", "risks")
DECLINES = ("not_covered", "out_of_scope")
# How far ahead a practice question must be to win over a name in it: a weak name (one word of a
# name, "policy") never beats a practice question; most of a name beats all but a clear one.
OVER_WEAK_NAME = 0.0
OVER_STRONG_NAME = 0.5
# A portfolio question that names no filter is an overview; taken as one only when this likely.
OVERVIEW_AT_LEAST = 0.5
# A practice question this likely stands on its own even when it says "it".
CLEAR_GUIDANCE = 0.6
# A follow-up naming its own aspect ("and its risks?") must be this much likelier than "the same".
OWN_ASPECT = 0.1
# Aspects this close to the status are not told apart reliably; the status answer covers them all.
STATUS_UNLESS = 0.1
# Naming a capability ("does it have monitoring?") makes the missing-infrastructure aspect this much nearer.
CAPABILITY_HINT = 0.35
_PLACEHOLDER_IDS = ("ABC-77", "PRJ-12")  # as in examples.yaml
HISTORY_TURNS = 4  # earlier questions looked at for a follow-up's subject
CACHED_VECTORS = 512


@dataclass
class Query:
    intent: Intent
    initiatives: list[Initiative] = field(default_factory=list)
    filter: PortfolioFilter = field(default_factory=PortfolioFilter)
    from_history: bool = False
    readiness_of: str | None = None  # guidance on what an AI type needs before production
    risks_of: str | None = None  # guidance on the risks of an AI type
    mention: Mention | None = None  # a name as typed that fits no initiative, or several
    group_by: str | None = None  # a ranking: "region", "business_unit" or "ai_type"
    compare: tuple[str, tuple[str, ...]] | None = None  # ("region", ("Japan", "Korea"))
    language: Language = "en"
    vector: np.ndarray | None = field(default=None, repr=False)  # the question's embedding
    signals: Signals | None = field(default=None, repr=False, compare=False)  # what the question itself says


class Understanding:
    """Turns questions into :class:`Query` objects; one per advisor, thread-safe."""

    def __init__(self, framework: Framework, embedder: Embedder, classifier: ExampleClassifier):
        self.framework = framework
        self.embedder = embedder
        self.classifier = classifier
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _embed(self, wording: str, earlier: bool) -> np.ndarray:
        """The query embedding of a question; an earlier question of the conversation reuses the
        vector made when it was asked (a new question is always embedded: once per ask)."""
        with self._lock:
            if earlier and wording in self._vectors:
                self._vectors.move_to_end(wording)
                return self._vectors[wording]
        vector = self.embedder.embed_query(wording)
        with self._lock:
            self._vectors[wording] = vector
            while len(self._vectors) > CACHED_VECTORS:
                self._vectors.popitem(last=False)
        return vector

    def understand(self, question: str, history: list[str], records: list[Initiative], earlier: bool = False) -> Query:
        """Intent, initiative(s) and filters of a question; earlier questions only for follow-ups."""
        vector = self._embed(_ids_masked(question, records), earlier)
        text = folded(question)
        signals = Signals(
            question=question,
            text=text,
            scores=self.classifier.scores(vector),
            resolution=resolve(question, records),
            filters=parse_filter(text, records, self.framework),
        )
        query = None
        if history and _needs_context(signals):
            query = self._follow_up(signals, history[-HISTORY_TURNS:], records)
        if query is None:
            query = self._fresh(signals, records)
        return replace(query, language=detect_language(question), vector=vector, signals=signals)

    def _fresh(self, s: Signals, records: list[Initiative]) -> Query:
        """A self-contained question: the likeliest kind that has what it needs (an initiative
        question needs a name, a comparison two subjects)."""
        order = [_kind(s), *s.scores.ranked()]
        if names_portfolio_state(s.filters):  # "anything stuck for ages?" is never out of scope
            order = [kind for kind in order if kind not in DECLINES]
        for kind in dict.fromkeys(order):
            query = self._as_kind(kind, s, records)
            if query is not None:
                return query
        return guidance_query(s)

    def _as_kind(self, kind: str, s: Signals, records: list[Initiative]) -> Query | None:
        if kind in DECLINES:
            return Query(kind)
        if kind == "guidance":
            return guidance_query(s)
        if kind == "portfolio":
            return Query("portfolio_status", filter=s.filters, group_by=grouping_named(s.text))
        if kind in ("initiative", "follow_up"):  # a follow-up alone stands only if it names its subject
            return _about_initiative(s, records)
        if kind == "comparison":
            if len(s.resolution.named) >= 2:
                return Query("comparison", initiatives=s.resolution.named)
            for dimension, values in (("region", s.filters.regions), ("business_unit", s.filters.business_units)):
                if len(values) >= 2:
                    return Query("comparison", compare=(dimension, values))
        return None

    def _follow_up(self, s: Signals, history: list[str], records: list[Initiative]) -> Query | None:
        """A question that carries the earlier question's subject (or its aspect, for a new subject)."""
        earlier = self.understand(history[-1], history[:-1], records, earlier=True)
        if s.resolution.mentions:  # "and the route optimisation agent?": a new subject, the earlier aspect
            query = _about_initiative(s, records)
            if query is None or query.intent == "comparison" or earlier.intent not in ASPECTS:
                return query
            return replace(query, intent=_carried_aspect(s, earlier.intent), from_history=True)
        if earlier.intent == "portfolio_status" or (_names_population(s.filters) and earlier.initiatives):
            base = earlier.filter if earlier.intent == "portfolio_status" else PortfolioFilter()
            return Query("portfolio_status", filter=s.filters.merged_into(base), from_history=True)
        if earlier.intent in ASPECTS and len(earlier.initiatives) == 1:
            intent = _carried_aspect(s, earlier.intent)
            return Query(intent, initiatives=earlier.initiatives, from_history=True)
        if earlier.intent == "comparison":
            return replace(earlier, from_history=True)
        types = s.filters.ai_types
        if earlier.intent == "general_guidance" and len(types) == 1 and (earlier.readiness_of or earlier.risks_of):
            kind = "readiness_of" if earlier.readiness_of else "risks_of"
            return Query("general_guidance", from_history=True, **{kind: types[0]})
        return None


@dataclass(frozen=True)
class Signals:
    """Everything known about a question before deciding what it asks."""

    question: str
    text: str  # folded: lower case, no accents
    scores: Scores
    resolution: Resolution
    filters: PortfolioFilter


def guidance_query(s: Signals) -> Query:
    """A practice question; for one AI type, its readiness gates or its risks come first."""
    ai_type = s.filters.ai_types[0] if len(s.filters.ai_types) == 1 else None
    topic = max(s.scores.topics, key=s.scores.topics.get)
    if ai_type and topic == "type_risks":
        return Query("general_guidance", risks_of=ai_type)
    if ai_type and topic == "readiness":
        return Query("general_guidance", readiness_of=ai_type)
    return Query("general_guidance")


def _carried_aspect(s: Signals, earlier: Intent) -> Intent:
    """The follow-up's own aspect when it names one clearly ("and its risks?"), else the earlier one."""
    aspects = _aspect_scores(s)
    aspect = max(ASPECTS, key=aspects.get)
    return _aspect(s) if aspects[aspect] - aspects.get("same", -1.0) > OWN_ASPECT else earlier


def _aspect_scores(s: Signals) -> dict[str, float]:
    aspects = dict(s.scores.aspects)
    if s.filters.missing or s.filters.having or says(s.text, "capability_words"):
        aspects["missing_infrastructure"] += CAPABILITY_HINT
    return aspects


def _aspect(s: Signals) -> Intent:
    """What a question about one initiative asks; the status when no other aspect is clearly nearer."""
    aspects = _aspect_scores(s)
    aspect = max(ASPECTS, key=aspects.get)
    return aspect if aspects[aspect] - aspects["initiative_status"] > STATUS_UNLESS else "initiative_status"


def _ids_masked(question: str, records: list[Initiative]) -> str:
    """The question with initiative ids replaced by the made-up ids of the examples: an id is an
    exact signal, and its letters ("CLM") would only mislead the classifier about the wording.
    One pattern for all ids (compiled once per portfolio), so a large portfolio costs one scan."""
    ids = tuple(r.id for r in records)
    found = [m.group(0).lower() for m in _id_pattern(ids).finditer(question)] if ids else []
    if not found:
        return question
    order = {rid.lower(): n for n, rid in enumerate(ids)}
    placeholders = {rid: _PLACEHOLDER_IDS[n % 2] for n, rid in enumerate(sorted(set(found), key=order.get))}
    return _id_pattern(ids).sub(lambda m: placeholders[m.group(0).lower()], question)


@functools.lru_cache(maxsize=4)
def _id_pattern(ids: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _kind(s: Signals) -> str:
    """The kind of question from the examples, the names and the filters in it."""
    scores, mention = s.scores, s.resolution.strongest
    top = scores.kind
    if mention is None:
        if top == "portfolio" and s.filters.is_empty() and scores.kinds[top] < OVERVIEW_AT_LEAST:
            return scores.ranked()[1]
        return top
    if not mention.exact:
        ahead = OVER_STRONG_NAME if mention.strong else OVER_WEAK_NAME
        if top in ("guidance", *DECLINES) and scores.margin(top) > ahead:
            return top
        if top == "portfolio" and not mention.strong and not s.filters.is_empty():
            return "portfolio"
    if len(s.resolution.named) >= 2:
        return "comparison"
    return "follow_up" if top == "follow_up" else "initiative"


def names_portfolio_state(f: PortfolioFilter) -> bool:
    """Whether the question names a state only initiatives have: stalled, a missing capability,
    no owner, no measured KPI, ready for the next phase."""
    return bool(f.stalled or f.missing or f.without_owner or f.without_kpi or f.ready)


def _names_population(f: PortfolioFilter) -> bool:
    """Filters that turn a follow-up from one initiative to a set: "what about Korea?", "and the agents?"
    (unlike "is it ready for phase 2?" or "is it stalled?", which stay with the initiative)."""
    return bool(f.regions or f.business_units or f.ai_types)


def _needs_context(s: Signals) -> bool:
    """Whether a question needs the conversation: it is worded as a follow-up, asks about an
    initiative without naming one, or points back ("is it stalled?", "those") without being a
    clear practice question of its own."""
    kind = _kind(s)
    if kind == "follow_up":
        return True
    if s.resolution.mentions or kind in DECLINES:
        return False
    if kind == "initiative":
        return True
    clear = kind == "guidance" and s.scores.kinds[kind] >= CLEAR_GUIDANCE
    return not clear and says(s.text, "anaphora")


def _about_initiative(s: Signals, records: list[Initiative]) -> Query | None:
    """A question about one initiative: resolved, ambiguous, or a name no initiative has."""
    resolution = s.resolution
    aspect = _aspect(s)
    named = resolution.named
    if len(named) >= 2:
        return Query("comparison", initiatives=named)
    if named:
        return Query(aspect, initiatives=named)
    if resolution.ambiguous is not None:
        return Query(aspect, initiatives=resolution.ambiguous.records, mention=resolution.ambiguous)
    if resolution.unknown is not None:
        return Query(aspect, mention=resolution.unknown)
    typed = name_after_determiner(s.question) if s.filters.is_empty() else None
    if typed:
        return Query(aspect, mention=unknown_name(typed, records))
    return None
