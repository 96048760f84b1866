"""Scoring answers against labelled questions (`advisor eval`, the benchmarks)."""

import pytest

from advisor.answering.answer import Answer, CheckReport, Citation, TokenUsage
from advisor.answering.evaluation import (
    citations_valid,
    load_labelled,
    score_answer,
    sentence_support,
    summarize,
    verbatim_support,
)
from advisor.errors import AdvisorError

QUOTE_1 = "A continuous deployment pipeline promotes changes through staging to production."
QUOTE_2 = "Monitoring tracks quality, latency, errors and usage of a live system."


def answer(text: str, **changes) -> Answer:
    values = dict(
        question="What is missing for the Claims Triage Assistant?",
        intent="missing_infrastructure",
        text=text,
        citations=[
            Citation(n=1, source="a.md", title="A", section="CD", snippet=QUOTE_1),
            Citation(n=2, source="b.md", title="B", section="Monitoring", snippet="Intro. … " + QUOTE_2),
        ],
        missing_capabilities=["cd_pipeline", "monitoring"],
        next_phase=3,
    )
    values.update(changes)
    return Answer(**values)


EXTRACTIVE = f"It is in phase 2.\n\n**Missing**\n- **CD pipeline** — {QUOTE_1} [1]\n  - **Monitoring** — {QUOTE_2} [2]"


def test_verbatim_quotes_are_supported_and_altered_ones_are_not():
    assert verbatim_support(answer(EXTRACTIVE)) == (2, 2)
    altered = EXTRACTIVE.replace("staging to production", "staging straight to production")
    assert verbatim_support(answer(altered)) == (1, 2)
    wrong_source = EXTRACTIVE.replace(f"{QUOTE_2} [2]", f"{QUOTE_2} [1]")
    assert verbatim_support(answer(wrong_source)) == (1, 2)


def test_a_chat_models_sentences_are_counted_from_its_check_report():
    report = CheckReport(model="openai:m", checked=6, kept=4, fallback="only 4 of 6 sentences passed the check")
    scored = answer(EXTRACTIVE, check=report)
    assert sentence_support(scored) == (4, 6)


def test_a_marker_without_a_source_makes_the_citations_invalid():
    assert citations_valid(answer(EXTRACTIVE))
    assert not citations_valid(answer(EXTRACTIVE + "\n- Budgets are reviewed weekly [9]"))


def test_score_and_totals():
    case = {"question": "q", "intent": "missing_infrastructure", "missing_capabilities": ["cd_pipeline", "monitoring"]}
    good = score_answer(case, answer(EXTRACTIVE), 120.0)
    assert good.exact_facts and good.routed and not good.fallback and good.failed == []
    wrong = score_answer({**case, "next_phase": 4}, answer(EXTRACTIVE), 80.0)
    assert wrong.exact_facts is False and wrong.failed == ["next_phase"]
    check = CheckReport(model="openai:m", checked=4, kept=1, fallback="only 1 of 4 sentences passed the check")
    usage = TokenUsage(input_tokens=1500, output_tokens=120, calls=2)
    replaced = score_answer(case, answer(EXTRACTIVE + " [7]", check=check, usage=usage), 2400.0)
    assert replaced.fallback and replaced.fallback_reason.startswith("only 1 of 4")
    assert "citations" in replaced.failed and (replaced.input_tokens, replaced.output_tokens) == (1500, 120)
    terms = score_answer({"question": "q", "key_terms": ["staging", "rollback"]}, answer(EXTRACTIVE), 10.0)
    assert terms.key_terms == 0.5 and terms.exact_facts is None

    report = summarize("mine.yaml", "openai:m", [good, wrong, replaced, terms])
    t = report.totals
    assert (t.questions, t.fallbacks, t.exact_facts_questions, t.exact_facts) == (4, 1, 3, round(2 / 3, 3))
    assert t.citations_valid == 0.75 and t.supported_rate == round((2 + 2 + 1 + 2) / (2 + 2 + 4 + 2), 3)
    assert (t.latency_p50_ms, t.latency_p95_ms) == (100.0, 2400.0) and t.input_tokens == 1500


def test_bad_labelled_files_name_the_file_the_entry_and_the_field(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_text("- question: ok\n  next_phase: soon\n- question: ''\n- just a string\n")
    with pytest.raises(AdvisorError) as error:
        load_labelled(path)
    message = str(error.value)
    assert message.startswith(str(path)) and "question 1 ('ok'): next_phase: Input should be a valid integer" in message
    assert "question 2 (''): question:" in message and "question 3: expected a mapping" in message
    path.write_text("question: not a list\n")
    with pytest.raises(AdvisorError, match="expected a YAML list"):
        load_labelled(path)
    path.write_text("- question: [unclosed\n")
    with pytest.raises(AdvisorError, match="not valid YAML"):
        load_labelled(path)
