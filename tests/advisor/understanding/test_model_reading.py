"""A chat model's reading of questions the offline understanding is unsure about, through
Advisor.ask against the local OpenAI-protocol stand-in (tests/llm_standin.py): real HTTP, the
structured output by tool calling as langchain-openai sends it, and every way the reading can fail
or disagree keeping the offline reading."""

from __future__ import annotations

from datetime import date

import pytest

from advisor import Advisor
from advisor.access import Requester
from advisor.feedback import UsageStore
from advisor.understanding.filters import PortfolioFilter
from advisor.understanding.model_reading import READING_SHARE, unsure
from tests.llm_replies import grounded
from tests.llm_standin import Reply, advisor_with_standin, rate_limited

TIMEOUT = 4.0
HARD = "which ml models are missing drift detection"  # the classifier hesitates between guidance and portfolio
WITH_ID = "what should CLM-001 do about prompt injection"  # names CLM-001 exactly; guidance or the initiative?
SURE = "What is the status of CLM-001?"
PORTFOLIO_READING = {"kind": "portfolio", "ai_types": ["ml"], "missing_capabilities": ["drift monitoring"]}


@pytest.fixture(scope="module")
def chat_advisor(bundled_advisor, chat_model):
    advisor = advisor_with_standin(bundled_advisor, chat_model, TIMEOUT)
    yield advisor
    advisor.engine.dispose()


def offline(advisor: Advisor, question: str):
    requester = Requester.admin()
    return advisor.understanding.understand(question, [], advisor.portfolio.all(requester))


def test_the_questions_are_as_sure_as_these_tests_assume(chat_advisor):
    hard, with_id, sure = (offline(chat_advisor, q) for q in (HARD, WITH_ID, SURE))
    assert unsure(hard) and hard.intent == "general_guidance"
    assert unsure(with_id) and [r.id for r in with_id.initiatives] == ["CLM-001"]
    assert not unsure(sure)


def test_a_hard_question_is_read_by_the_model_into_a_portfolio_filter(chat_advisor, chat_model):
    scripted = Reply(arguments=PORTFOLIO_READING, prompt_tokens=400, completion_tokens=30)
    chat_model.script(Reply(grounded), readings=[scripted])
    answer = chat_advisor.ask(HARD, Requester(user_id="U_READING", channel_id="C1"))

    wanted = PortfolioFilter(ai_types=("ml",), missing=("drift_detection",))  # "drift monitoring" is an alias
    records = chat_advisor.portfolio.all(Requester(user_id="U_READING"))
    expected = [r.id for r in records if wanted.matches(r, chat_advisor._assess(r))]
    assert answer.understood_by == "model" and answer.understanding_fallback is None
    assert answer.intent == "portfolio_status" and expected and answer.initiatives == expected
    assert len(expected) < len([r for r in records if r.ai_type == "ml"])  # the filter narrowed the ML models
    reading, writing = chat_model.requests
    assert reading.structured and not reading.body.get("stream")
    assert reading.body["tool_choice"]["function"]["name"] == "StructuredQuery"
    assert f"<question>\n{HARD}\n</question>" in reading.prompt and "drift_detection: Drift detection" in reading.prompt
    assert not writing.structured and writing.body["stream"] is True
    assert (answer.usage.input_tokens, answer.usage.output_tokens, answer.usage.calls) == (1600, 120, 2)
    [row] = [r for r in UsageStore(chat_advisor.engine).report(date.today()).by_user if r.key == "U_READING"]
    assert row.tokens == 1720  # the reading's tokens count in the hourly budget with the answer's


def test_a_confident_question_never_asks_the_model_to_read_it(chat_advisor, chat_model):
    chat_model.script(Reply(grounded))
    answer = chat_advisor.ask(SURE, Requester.admin())
    assert answer.understood_by == "offline" and answer.understanding_fallback is None
    assert answer.initiatives == ["CLM-001"]
    assert len(chat_model.requests) == 1 and not any(r.structured for r in chat_model.requests)


@pytest.mark.parametrize(
    ("question", "readings", "reason"),
    [
        (
            HARD,
            Reply(arguments={"kind": "initiative", "aspect": "risks", "initiatives": ["Invoice Triage Assistant"]}),
            "the model names 'Invoice Triage Assistant', which fits no initiative",
        ),
        (
            WITH_ID,
            Reply(arguments={"kind": "initiative", "aspect": "risks", "initiatives": ["INV-008"]}),
            "leaves out CLM-001, named in the question",
        ),
        (WITH_ID, Reply(arguments={"kind": "guidance"}), "leaves out CLM-001"),
        (HARD, Reply(arguments={**PORTFOLIO_READING, "ai_types": []}), "leaves out ai_types ['ml']"),
        (HARD, Reply(arguments={**PORTFOLIO_READING, "regions": ["Atlantis"]}), "region 'Atlantis'"),
        (HARD, Reply(arguments={"kind": "out_of_scope"}), "declines (out_of_scope)"),
        (HARD, Reply(arguments='{"kind": "portfolio", "ai_types": ["ml"'), "not valid JSON"),
        (HARD, Reply(arguments={"kind": "everything"}), "structured reply is not valid"),
        (HARD, Reply("It is a portfolio question."), "answered without the structured reply"),
        (HARD, rate_limited(retry_after=30), "429"),
        (HARD, [Reply(status=500)] * 2, "HTTP 500"),  # retried once: the second wait would not fit
    ],
    ids=[
        "unknown-name",
        "other-id",
        "drops-id",
        "drops-filter",
        "unknown-region",
        "decline",
        "malformed-json",
        "invalid-kind",
        "no-tool-call",
        "rate-limited",
        "server-error",
    ],
)
def test_a_reading_that_fails_or_disagrees_keeps_the_offline_one(chat_advisor, chat_model, question, readings, reason):
    readings = readings if isinstance(readings, list) else [readings]
    chat_model.script(Reply(grounded), readings=readings)
    answer = chat_advisor.ask(question, Requester.admin())
    expected = offline(chat_advisor, question)
    assert answer.understood_by == "offline" and reason in answer.understanding_fallback
    assert answer.intent == expected.intent and answer.usage.calls >= 2
    assert answer.initiatives[:1] == [r.id for r in expected.initiatives][:1]
    assert [r.structured for r in chat_model.requests[: len(readings) + 1]] == [True] * len(readings) + [False]


def test_a_slow_reading_gives_up_within_its_share_of_the_timeout(chat_advisor, chat_model):
    chat_model.script(Reply(grounded), readings=[Reply(arguments=PORTFOLIO_READING, delay=3 * TIMEOUT)])
    answer = chat_advisor.ask(HARD, Requester.admin())
    bound = READING_SHARE * TIMEOUT
    assert answer.understood_by == "offline"
    assert answer.understanding_fallback == f"no structured reply within {bound:g} s"
    assert answer.intent == "general_guidance" and answer.composer == "openai:gpt-standin"
    assert bound * 1000 <= answer.timings_ms["reading"] < (bound + 0.5) * 1000
    assert [r.structured for r in chat_model.requests] == [True, False]  # then the model wrote the answer
