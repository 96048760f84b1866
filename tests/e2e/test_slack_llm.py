"""A chat model's answers in Slack, end to end: `advisor serve --http` as its own process, signed
events over HTTP, the local stand-in for Slack's Web API, and the local OpenAI-protocol stand-in
for a hosted chat model (tests/llm_standin.py; the two fakes for what cannot run here).

Checked sentences are streamed into the DM as they pass the check, the stream ends with the facts,
sources and buttons; a draft that loses its core is replaced; over the hourly token limit the user
gets the built-in answer with a note, and every answer's tokens are recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from advisor.db import make_engine
from advisor.feedback import UsageStore
from bot.slack.blocks import unpack_feedback
from tests.conftest import free_port, make_settings
from tests.e2e.slack_http import direct_message, send_event, start_server, streamed_text
from tests.llm_replies import grounded
from tests.llm_standin import Reply

QUESTION = "How do we keep LLM token spend under control?"
TOKENS = 1200 + 90  # what the stand-in reports for each reply


def losing_its_core(request) -> str:
    """One grounded sentence, then three that cite a passage the prompt never gave."""
    first = grounded(request).split(" [")[0]
    return f"{first} [1]. " + " ".join(f"Budgets are enforced by the {w} team every week [9]." for w in "ABC")


@pytest.fixture(scope="module")
def llm_bot(slack, slack_data_dir, chat_model, tmp_path_factory):
    """A server on the shared data dir whose answers a chat model writes: 1,000 tokens per user per hour."""
    env = chat_model.env(ADVISOR_LLM_USER_HOURLY_TOKENS="1000", ADVISOR_LLM_TIMEOUT="60")
    server = start_server(slack.api_url, slack_data_dir, tmp_path_factory.mktemp("serve-llm"), free_port(), 1, **env)
    yield server.url
    server.stop()


@pytest.fixture
def usage(slack_data_dir):
    engine = make_engine(make_settings(slack_data_dir))
    yield UsageStore(engine)
    engine.dispose()


def stream_calls(slack, channel: str) -> list:
    return [c for c in slack.calls if c.method.endswith("Stream") and c.args.get("channel") == channel and not c.failed]


def ask(bot_url: str, ts: str, channel: str, user: str, event_id: str) -> None:
    assert send_event(bot_url, direct_message(ts, QUESTION, channel=channel, user=user), event_id)[0] == 200


def test_checked_sentences_are_streamed_then_closed_with_sources_and_buttons(llm_bot, slack, chat_model, usage):
    chat_model.script(Reply(grounded))
    ask(llm_bot, "1700000100.000100", "DLLM1", "U0LLM1", "EvL1")
    [stop] = slack.wait_for("chat.stopStream", channel="DLLM1", timeout=120)
    assert len(chat_model.requests) == 1 and chat_model.requests[0].body.get("stream") is True
    with_text = [c for c in stream_calls(slack, "DLLM1") if c.args.get("chunks")]
    assert len(with_text) >= 2, "the sentences were not sent one by one"
    streamed = streamed_text(slack, "DLLM1")
    assert streamed.count("[") >= 2 and "this draft did not pass" not in streamed
    buttons = [e for b in stop.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    rated = unpack_feedback(buttons[0]["value"])
    assert rated["composer"] == "openai:gpt-standin" and (rated["input_tokens"], rated["output_tokens"]) == (1200, 90)
    assert slack.calls_to("chat.postMessage", channel="DLLM1") == []
    assert usage.tokens_since("U0LLM1", datetime.now(UTC) - timedelta(hours=1)) == TOKENS

    # The same user again: over the hourly limit, the built-in answer with a note; the model is not asked.
    before = len(stream_calls(slack, "DLLM1"))
    ask(llm_bot, "1700000100.000200", "DLLM1", "U0LLM1", "EvL2")
    stops = slack.wait_for("chat.stopStream", channel="DLLM1", count=2, timeout=120)
    assert len(chat_model.requests) == 1
    second = "".join(
        c.get("text", "") for call in stream_calls(slack, "DLLM1")[before:] for c in call.args.get("chunks") or []
    )
    assert "hour's share of the chat model" in second and "[1]" in second
    assert "feedback_helpful" in str(stops[-1].args["blocks"])
    [row] = [r for r in usage.report(datetime.now(UTC).date()).by_user if r.key == "U0LLM1"]
    assert (row.answers, row.tokens, row.limited) == (2, TOKENS, 1)


def test_a_draft_that_loses_its_core_is_replaced_by_the_checked_answer(llm_bot, slack, chat_model):
    chat_model.script(Reply(losing_its_core))
    ask(llm_bot, "1700000200.000100", "DLLM2", "U0LLM2", "EvL3")
    [post] = slack.wait_for("chat.postMessage", channel="DLLM2", timeout=120)
    [stop] = slack.calls_to("chat.stopStream", channel="DLLM2")
    assert "did not pass the fact check" in streamed_text(slack, "DLLM2")
    assert "[9]" not in streamed_text(slack, "DLLM2") and "[9]" not in post.args["text"]
    assert "feedback_helpful" in str(post.args["blocks"]) and "built-in answer" in str(post.args["blocks"])
    assert not stop.args.get("blocks")
