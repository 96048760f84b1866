"""Scoring answers against labelled questions: the benchmarks and `advisor eval` share it.

A labelled file is a YAML list of questions with what a good answer shows (the format of
``benchmarks/datasets/answers.yaml``): its intent and subject, the exact facts of the assessment,
key terms, the section that answers it. Each answer is scored on what an organisation comparing
chat models cares about: valid citations, supported sentences, key terms, exact facts agreeing with
the assessment, whether the chat model's answer had to be replaced, latency and tokens.
"""

from __future__ import annotations

import math
import re
import statistics
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.answering.answer import Answer
from advisor.errors import AdvisorError
from advisor.understanding.intents import Intent
from advisor.understanding.language import Language

FACTS = ("next_phase", "missing_capabilities", "unmet_checks", "risks_include")
_CITED = re.compile(r"([^\[\n]*?)\s*((?:\[\d+\])+)")


class LabelledQuestion(BaseModel):
    """One labelled question; unknown keys (group, notes) are allowed and ignored. ``split`` says
    whether it may be looked at while tuning; any other value would drop it from both parts."""

    model_config = ConfigDict(extra="allow")

    question: str = Field(min_length=1)
    split: Literal["tuning", "heldout"] = "tuning"
    intent: Intent | None = None
    found: bool | None = None
    initiative: str | None = None
    initiatives: list[str] | None = None
    next_phase: int | None = None
    missing_capabilities: list[str] | None = None
    unmet_checks: list[str] | None = None
    risks_include: list[str] | None = None
    key_terms: list[str | int | float] | None = None
    history: list[str] | None = None
    user: str | None = None
    channel: str | None = None
    language: Language | None = None
    doc: str | None = None
    section: str | list[str] | None = None
    also: list[tuple[str, str]] | None = None


def load_labelled(path: Path) -> list[dict[str, Any]]:
    """The questions of a labelled file, each checked; a bad one names the file, its number and field."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AdvisorError(f"{path}: cannot read the labelled questions: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise AdvisorError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise AdvisorError(f"{path}: expected a YAML list of labelled questions (question, intent, …)")
    problems = []
    for number, case in enumerate(data, start=1):
        if not isinstance(case, dict):
            problems.append(f"question {number}: expected a mapping with a 'question' field")
            continue
        try:
            LabelledQuestion.model_validate(case)
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"])
                problems.append(f"question {number} ({str(case.get('question', ''))[:40]!r}): {field}: {error['msg']}")
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise AdvisorError(f"{path}: {shown}")
    return data


def check_answer(case: dict, answer: Answer) -> dict[str, bool]:
    """Which of the case's expectations the answer meets (key terms are scored apart)."""
    checks = {"intent": answer.intent == case["intent"], "found": answer.found == case.get("found", True)}
    if "initiative" in case:
        checks["initiative"] = answer.initiative is not None and answer.initiative.id == case["initiative"]
    if "next_phase" in case:
        checks["next_phase"] = answer.next_phase == case["next_phase"]
    if "missing_capabilities" in case:
        checks["missing_capabilities"] = answer.missing_capabilities == case["missing_capabilities"]
    if "unmet_checks" in case:
        unmet = [g.check for g in answer.initiative.gate if not g.met] if answer.initiative else None
        checks["unmet_checks"] = unmet == case["unmet_checks"]
    if "risks_include" in case:
        checks["risks_include"] = set(case["risks_include"]) <= set(answer.risks)
    if "initiatives" in case:
        checks["initiatives"] = sorted(answer.initiatives) == sorted(case["initiatives"])
    return checks


DECLINES = ("out_of_scope", "not_covered")


def check_routing(case: dict, answer: Answer) -> dict[str, bool]:
    """Whether the answer is about what the case says: its intent and its subject (the initiative,
    the set of initiatives, a name it does not know and the names it offers instead)."""
    checks = {"intent": answer.intent == case["intent"]}
    found = case.get("found", case["intent"] not in DECLINES)
    checks["found"] = answer.found == found
    if "initiative" in case:
        expected = case["initiative"]
        checks["initiative"] = (answer.initiative.id if answer.initiative else None) == expected
    if "initiatives" in case:
        checks["initiatives"] = sorted(answer.initiatives) == sorted(case["initiatives"])
    if "suggests" in case:
        checks["suggests"] = all(any(f"({i})" in s for s in answer.suggestions) for i in case["suggests"])
    return checks


def check_facts(case: dict, answer: Answer) -> dict[str, bool] | None:
    """The exact facts the case expects (None when it expects none beyond its subject)."""
    if not any(key in case for key in FACTS):
        return None
    checks = check_answer({**case, "intent": answer.intent}, answer)
    return {k: v for k, v in checks.items() if k in FACTS}


def key_term_coverage(case: dict, answer: Answer) -> float | None:
    terms = case.get("key_terms")
    if not terms:
        return None
    text = answer.text.lower()
    return sum(1 for term in terms if str(term).lower() in text) / len(terms)


def citations_valid(answer: Answer) -> bool:
    """Every ``[n]`` in the text names one of the answer's sources."""
    numbers = {c.n for c in answer.citations}
    return all(n in numbers for n in answer.cited_numbers())


def verbatim_support(answer: Answer) -> tuple[int, int]:
    """(supported, cited) sentences, where a cited sentence is supported when it quotes its source
    verbatim: the measure for the extractive composer, whose every cited sentence is a quote."""
    snippets = {c.n: [part.strip() for part in c.snippet.split(" … ") if part.strip()] for c in answer.citations}
    supported = cited = 0
    for text, markers in _CITED.findall(answer.text):
        if not text.strip():
            continue
        cited += 1
        numbers = [int(n) for n in re.findall(r"\d+", markers)]
        supported += any(piece in text for n in numbers for piece in snippets.get(n, []))
    return supported, cited


class QuestionScore(BaseModel):
    """How one answer fared; None where the case expects nothing of the kind."""

    question: str
    intent: str
    composer: str
    citations_valid: bool
    supported_sentences: int
    checked_sentences: int
    key_terms: float | None = None
    exact_facts: bool | None = None
    routed: bool  # the intent and subject the case expects
    fallback: bool  # the chat model's reply was replaced by the extractive answer
    fallback_reason: str | None = None
    latency_ms: float
    input_tokens: int = 0
    output_tokens: int = 0
    failed: list[str] = Field(default_factory=list)  # the checks it did not pass

    @property
    def supported_rate(self) -> float | None:
        return self.supported_sentences / self.checked_sentences if self.checked_sentences else None


def score_answer(case: dict, answer: Answer, latency_ms: float) -> QuestionScore:
    """Score one answer. A fallback is a chat model's reply replaced by the extractive answer; a
    decline, or a question with nothing to cite, is answered in the built-in words without asking
    the model, which is not one."""
    supported, checked = sentence_support(answer)
    routing = check_routing({"intent": answer.intent, **case}, answer)
    facts = check_facts(case, answer)
    usage = answer.usage
    fallback = answer.check.fallback if answer.check is not None else None
    failed = [k for k, v in {**routing, **(facts or {})}.items() if not v]
    score = QuestionScore(
        question=case["question"],
        intent=answer.intent,
        composer=answer.composer,
        citations_valid=citations_valid(answer),
        supported_sentences=supported,
        checked_sentences=checked,
        key_terms=key_term_coverage(case, answer),
        exact_facts=None if facts is None else all(facts.values()),
        routed=all(routing.values()),
        fallback=fallback is not None,
        fallback_reason=fallback,
        latency_ms=round(latency_ms, 1),
        input_tokens=usage.input_tokens if usage else 0,
        output_tokens=usage.output_tokens if usage else 0,
        failed=failed + ([] if citations_valid(answer) else ["citations"]),
    )
    return score


def sentence_support(answer: Answer) -> tuple[int, int]:
    """(supported, checked) sentences: of the chat model's reply, those that passed the sentence
    check (also when the reply was then replaced); of an extractive answer, its verbatim quotes."""
    if answer.check is not None:
        return answer.check.kept, answer.check.checked
    return verbatim_support(answer)


class EvalTotals(BaseModel):
    questions: int
    composer: str
    citations_valid: float
    supported_rate: float | None
    key_terms: float | None
    exact_facts: float | None
    exact_facts_questions: int
    routed: float
    fallbacks: int
    latency_p50_ms: float
    latency_p95_ms: float
    input_tokens: int
    output_tokens: int


class EvalReport(BaseModel):
    file: str
    totals: EvalTotals
    questions: list[QuestionScore]


def summarize(file: str, composer: str, scores: list[QuestionScore]) -> EvalReport:
    latencies = sorted(s.latency_ms for s in scores)
    supported = sum(s.supported_sentences for s in scores)
    checked = sum(s.checked_sentences for s in scores)
    terms = [s.key_terms for s in scores if s.key_terms is not None]
    facts = [s.exact_facts for s in scores if s.exact_facts is not None]
    totals = EvalTotals(
        questions=len(scores),
        composer=composer,
        citations_valid=_share([s.citations_valid for s in scores]),
        supported_rate=round(supported / checked, 3) if checked else None,
        key_terms=round(statistics.mean(terms), 3) if terms else None,
        exact_facts=_share(facts) if facts else None,
        exact_facts_questions=len(facts),
        routed=_share([s.routed for s in scores]),
        fallbacks=sum(s.fallback for s in scores),
        latency_p50_ms=round(statistics.median(latencies), 1),
        latency_p95_ms=round(_percentile(latencies, 0.95), 1),
        input_tokens=sum(s.input_tokens for s in scores),
        output_tokens=sum(s.output_tokens for s in scores),
    )
    return EvalReport(file=file, totals=totals, questions=scores)


def _share(values: list[bool]) -> float:
    return round(sum(values) / len(values), 3)


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least ``fraction`` of the values at or below it."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]
