"""Advisor.ask_stream and Advisor.ask with a chat model configured by settings, against the local
OpenAI-protocol stand-in (tests/llm_standin.py): checked sentences first, then the Answer."""

from __future__ import annotations

import pytest

from advisor.access import Requester
from advisor.answering.answer import Answer
from tests.llm_standin import Reply, advisor_with_standin

RECORD = "The KPI of Claims Triage Assistant"


@pytest.fixture(scope="module")
def chat_advisor(bundled_advisor, chat_model):
    """The bundled advisor's data, answered by the stand-in chat model (chosen by settings)."""
    return advisor_with_standin(bundled_advisor, chat_model, 10.0)


def status(request) -> str:
    n = request.passage_number(RECORD)
    return (
        f"Claims Triage Assistant (CLM-001) has been in phase 2 since 2026-07-15 [{n}]. "
        f"Its average claim triage time is 22 minutes against a target of 15 [{n}].\n"
        f"- Its business owner is Aiko Tanaka [{n}]."
    )


def test_stream_yields_checked_sentences_then_the_answer(chat_advisor, chat_model):
    chat_model.script(Reply(status, prompt_tokens=900, completion_tokens=60))
    events = list(chat_advisor.ask_stream("What is the status of CLM-001?", Requester.admin()))
    *sentences, answer = events
    assert isinstance(answer, Answer) and all(isinstance(s, str) for s in sentences)
    assert len(sentences) == 3 and "".join(sentences) == answer.text
    assert answer.text.endswith("\n- Its business owner is Aiko Tanaka [1].")
    assert answer.composer == "openai:gpt-standin" and answer.usage.total_tokens == 960
    assert answer.initiatives == ["CLM-001"] and answer.next_phase == 3


def test_follow_up_carries_the_earlier_questions_to_the_model(chat_advisor, chat_model):
    chat_model.script(Reply(status))
    answer = chat_advisor.ask("and what is its status?", Requester.admin(), history=["Tell me about CLM-001"])
    prompt = chat_model.requests[0].prompt
    assert "Earlier questions in this conversation" in prompt and "- Tell me about CLM-001" in prompt
    assert answer.initiatives == ["CLM-001"] and answer.check.fallback is None


def test_a_wrong_fact_mid_stream_stops_the_stream_and_the_answer_falls_back(chat_advisor, chat_model):
    def wrong_later(request):
        return status(request).replace("22 minutes", "12 minutes")

    chat_model.script(Reply(wrong_later))
    *sentences, answer = chat_advisor.ask_stream("What is the status of CLM-001?", Requester.admin())
    assert len(sentences) == 1  # the first sentence was shown; nothing after the wrong one
    assert answer.composer == "extractive" and "12" in answer.check.fallback
    assert sentences[0] not in answer.text  # the built-in answer replaces what was shown


def test_a_decline_is_answered_without_the_model(chat_advisor, chat_model):
    chat_model.script(Reply("This must not be used."))
    answer = chat_advisor.ask("What is the capital of France?", Requester.admin())
    assert not answer.found and answer.composer == "extractive" and answer.check is None
    assert chat_model.written == []  # the model may be asked to read the question, never to answer it
