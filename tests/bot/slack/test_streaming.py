"""A chat model's checked sentences streamed into DMs and the agent pane as they pass the check,
closed by the facts, sources and buttons; with Slack faked, as in the other listener tests."""

from slack_bolt.context.say_stream import SayStream

from advisor.answering.answer import CheckReport, TokenUsage
from advisor.errors import StorageError
from bot.slack.blocks import pack_feedback
from bot.slack.listeners.actions import handle_feedback
from bot.slack.listeners.events import handle_mention, handle_message
from bot.slack.mrkdwn import to_safe_markdown
from tests.bot.slack.fakes import BOT_USER, make_answer
from tests.bot.slack.test_actions import click
from tests.bot.slack.test_events import dm, mention

SENTENCES = [
    "Claims Triage Assistant is in phase 2 [1].",
    " It still lacks monitoring, so <!channel> nobody sees failures [1].",
    "\n- Add guardrails outside the model, see [the runbook](javascript:alert(1)) [2].",
]
MODEL_TEXT = "".join(SENTENCES)


def say_stream(client):
    return SayStream(client=client, channel="D1", recipient_team_id="T1", recipient_user_id="U1", thread_ts="200.1")


def model_answer(fallback: str | None = None, text: str = MODEL_TEXT):
    check = CheckReport(model="openai:gpt-4.1-mini", checked=3, kept=3, fallback=fallback)
    composer = "extractive" if fallback else "openai:gpt-4.1-mini"
    usage = TokenUsage(input_tokens=1200, output_tokens=90, calls=1)
    return make_answer(text, composer=composer, check=check, usage=usage)


def streamed(client) -> list[str]:
    """The Markdown of every stream call, in order (start, appends, stop)."""
    calls = client.of("chat_startStream") + client.of("chat_appendStream") + client.of("chat_stopStream")
    return [chunk.text for call in calls for chunk in call.get("chunks") or []]


def test_each_checked_sentence_is_sent_as_it_comes_then_the_tail_closes_the_stream(bot, advisor, client, me):
    advisor.sentences, advisor.answer = SENTENCES, model_answer()
    handle_message(bot, dm(), me, client, None, say_stream(client))
    assert len(client.of("chat_startStream")) == 1 and len(client.of("chat_appendStream")) == 2  # one per sentence
    pieces = streamed(client)
    assert pieces == [
        "Claims Triage Assistant is in phase 2 [1].",
        " It still lacks monitoring, so &lt;!channel&gt; nobody sees failures [1].",  # literal, pings nobody
        "\n- Add guardrails outside the model, see [the runbook\\](javascript:alert(1)) [2].",  # no link
    ]
    [stop] = client.of("chat_stopStream")
    assert [b["type"] for b in stop["blocks"]] == ["section", "context", "actions"]  # facts, sources, buttons
    assert client.of("chat_postMessage") == []


def test_a_replaced_draft_ends_saying_so_and_the_checked_answer_follows(bot, advisor, client, me):
    advisor.sentences = SENTENCES[:1]
    advisor.answer = model_answer(fallback="an exact fact disagrees", text="**Claims Triage Assistant** [1]")
    handle_message(bot, dm(), me, client, None, say_stream(client))
    [stop] = client.of("chat_stopStream")
    assert "did not pass the fact check" in stop["chunks"][0].text and not stop.get("blocks")
    [post] = client.of("chat_postMessage")
    assert post["thread_ts"] == "200.1" and "**Claims Triage Assistant**" not in post["text"]
    assert "Claims Triage Assistant" in post["text"] and post["blocks"][-1]["type"] == "actions"


def test_when_streaming_breaks_midway_the_whole_answer_is_posted(bot, advisor, client, me):
    advisor.sentences, advisor.answer = SENTENCES, model_answer()
    client.failing["chat_appendStream"] = "ratelimited"
    handle_message(bot, dm(), me, client, None, say_stream(client))
    [stop] = client.of("chat_stopStream")
    assert "cut off" in stop["chunks"][0].text
    [post] = client.of("chat_postMessage")
    assert post["blocks"][-1]["type"] == "actions" and "phase 2" in post["text"]


def test_a_failure_after_some_sentences_ends_the_stream_and_says_what_went_wrong(bot, advisor, client, me):
    advisor.sentences, advisor.answer = SENTENCES, model_answer()
    advisor.failure, advisor.failure_after = StorageError("cannot read the portfolio: OperationalError"), 2
    handle_message(bot, dm(), me, client, None, say_stream(client))
    assert "cut off" in client.of("chat_stopStream")[0]["chunks"][0].text
    [post] = client.of("chat_postMessage")
    assert ":warning:" in post["text"] and "OperationalError" not in post["text"]


def test_the_built_in_answer_is_still_streamed_whole(bot, advisor, client, me):
    handle_message(bot, dm(), me, client, None, say_stream(client))
    assert "".join(streamed(client)) == to_safe_markdown(advisor.answer.text)


def test_channel_answers_are_never_streamed(bot, advisor, client, me):
    advisor.sentences, advisor.answer = SENTENCES, model_answer()
    handle_mention(bot, mention(text=f"<@{BOT_USER}> what is missing?"), me, client)
    assert client.of("chat_startStream") == [] and len(client.of("chat_postMessage")) == 1


def test_a_rating_keeps_the_composer_and_tokens_of_the_answer_it_rates(bot, client):
    body, action = click("feedback_not_helpful", pack_feedback(model_answer()))
    saved = bot.feedback.get(handle_feedback(bot, body, action, client))
    assert (saved.composer, saved.input_tokens, saved.output_tokens) == ("openai:gpt-4.1-mini", 1200, 90)
    body, action = click("feedback_helpful", pack_feedback(make_answer()))
    built_in = bot.feedback.get(handle_feedback(bot, body, action, client))
    assert (built_in.composer, built_in.input_tokens) == ("extractive", None)
