"""The per-user hourly token limit and the usage record, through Advisor.ask with a chat model.

The chat model is the local OpenAI-protocol stand-in (tests/llm_standin.py), reached through
langchain-openai as production reaches a hosted model; the usage lands in the real SQLite store.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import SecretStr

from advisor import Advisor
from advisor.access import Requester
from advisor.answering.budget import limit_note
from advisor.feedback import UsageEntry, UsageStore
from tests.conftest import TODAY
from tests.llm_standin import Reply

QUESTION = "How do we keep LLM token spend under control?"
MODEL_TOKENS = 1200 + 90  # the stand-in's prompt and completion tokens per reply


@pytest.fixture
def chat_advisor(bundled_advisor, chat_model):
    """The bundled index and database, answered by the stand-in chat model, 1,000 tokens per user per hour."""
    env = chat_model.env()
    settings = bundled_advisor.settings.model_copy(
        update={
            "llm": env["ADVISOR_LLM"],
            "llm_base_url": env["ADVISOR_LLM_BASE_URL"],
            "openai_api_key": SecretStr(env["OPENAI_API_KEY"]),
            "llm_max_tokens": 300,
            "llm_user_hourly_tokens": 1000,
        }
    )
    chat_model.script(Reply("Set a token budget per team and watch it every week."))
    advisor = Advisor(settings, today=TODAY)
    yield advisor
    advisor.engine.dispose()


def usage_of(advisor: Advisor, user: str | None) -> list:
    return [row for row in UsageStore(advisor.engine).report(date.today()).by_user if row.key == (user or "(terminal)")]


def test_over_the_hourly_limit_a_user_gets_the_extractive_answer_with_a_note(chat_advisor, chat_model):
    user = Requester(user_id="U_BUDGET_1", channel_id="D1")
    first = chat_advisor.ask(QUESTION, user)
    assert len(chat_model.requests) == 1 and first.usage.input_tokens == 1200
    assert chat_model.requests[0].body["max_completion_tokens"] == 300  # ADVISOR_LLM_MAX_TOKENS reaches the model
    assert limit_note("en") not in first.text

    second = chat_advisor.ask(QUESTION, user)
    assert len(chat_model.requests) == 1, "the model was asked although the user was over the limit"
    assert second.composer == "extractive" and second.usage is None and second.found
    assert second.text.endswith(limit_note("en")) and second.citations and second.cited_numbers()
    [row] = usage_of(chat_advisor, "U_BUDGET_1")
    assert (row.answers, row.tokens, row.limited) == (2, MODEL_TOKENS, 1)

    other = chat_advisor.ask(QUESTION, Requester(user_id="U_BUDGET_2"))  # someone else's hour is untouched
    assert len(chat_model.requests) == 2 and other.usage is not None


def test_the_note_is_in_the_askers_language(chat_advisor, chat_model):
    store = UsageStore(chat_advisor.engine)
    store.record(UsageEntry(user_id="U_BUDGET_JA", composer="openai:gpt-standin", input_tokens=999, output_tokens=1))
    answer = chat_advisor.ask("LLMのトークン費用を抑えるにはどうすればいい？", Requester(user_id="U_BUDGET_JA"))
    assert answer.language == "ja" and not chat_model.requests
    assert answer.text.endswith(limit_note("ja")) and limit_note("ja") != limit_note("en")


def test_an_hour_later_the_model_answers_again(chat_advisor, chat_model):
    store = UsageStore(chat_advisor.engine)
    earlier = datetime.now(UTC) - timedelta(minutes=61)
    store.record(UsageEntry(user_id="U_BUDGET_3", composer="openai:gpt-standin", input_tokens=5000, created_at=earlier))
    answer = chat_advisor.ask(QUESTION, Requester(user_id="U_BUDGET_3"))
    assert len(chat_model.requests) == 1 and answer.usage is not None


def test_the_terminal_administrator_is_recorded_but_never_limited(chat_advisor, chat_model):
    for _ in range(2):
        answer = chat_advisor.ask(QUESTION, Requester.admin())
        assert answer.usage is not None
    assert len(chat_model.requests) == 2
    [row] = usage_of(chat_advisor, None)
    assert row.answers >= 2 and row.limited == 0


def test_a_fallback_still_records_the_tokens_the_model_spent(chat_advisor, chat_model):
    chat_model.script(Reply(malformed=True))
    answer = chat_advisor.ask(QUESTION, Requester(user_id="U_BUDGET_4"))
    assert answer.composer == "extractive" and answer.check is not None and answer.check.fallback
    [row] = usage_of(chat_advisor, "U_BUDGET_4")
    assert row.answers == 1 and row.limited == 0
    assert UsageStore(chat_advisor.engine).tokens_since("U_BUDGET_4", datetime.now(UTC) - timedelta(hours=1)) == (
        answer.usage.input_tokens + answer.usage.output_tokens
    )


def test_answers_without_a_chat_model_cost_nothing_and_are_not_recorded(bundled_advisor):
    before = UsageStore(bundled_advisor.engine).report(date.today()).total.answers
    bundled_advisor.ask(QUESTION, Requester(user_id="U_BUDGET_5"))
    assert UsageStore(bundled_advisor.engine).report(date.today()).total.answers == before


def test_a_decline_over_the_limit_has_no_note_and_is_not_counted(chat_advisor, chat_model):
    store = UsageStore(chat_advisor.engine)
    store.record(UsageEntry(user_id="U_BUDGET_6", composer="openai:gpt-standin", input_tokens=5000))
    answer = chat_advisor.ask("What is the weather in Tokyo tomorrow?", Requester(user_id="U_BUDGET_6"))
    assert not answer.found and limit_note("en") not in answer.text and not chat_model.requests
    [row] = usage_of(chat_advisor, "U_BUDGET_6")
    assert (row.answers, row.limited) == (1, 0)
