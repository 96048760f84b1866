"""The Slack bot as it runs in production: `advisor serve --http` as its own process (gunicorn,
two workers), the real advisor, and a real local HTTP server standing in for Slack's Web API.

Slack itself is the only fake: signed payloads are sent over HTTP like Slack sends them, and the
assertions read what the bot sent back to the stand-in (chat.postMessage, streams, views...).
"""

from __future__ import annotations

import json
import time
import urllib.request

from advisor.db import make_engine
from advisor.feedback import FeedbackStore
from tests.conftest import make_settings
from tests.e2e.slack_api_server import BOT_USER_ID
from tests.e2e.slack_http import (
    QUESTION,
    all_text,
    direct_message,
    mention,
    send_event,
    send_form,
    slash_command,
    streamed_text,
)


def test_health_endpoint(bot_url):
    with urllib.request.urlopen(f"{bot_url}/healthz", timeout=5) as response:
        assert response.status == 200 and json.loads(response.read()) == {"status": "ok"}


def test_mention_is_acked_fast_and_answered_in_thread_with_sources_and_feedback(bot_url, slack):
    status, seconds = send_event(bot_url, mention("1700000001.000100"), "EvMention1")
    assert status == 200 and seconds < 3
    [post] = slack.wait_for("chat.postMessage", channel="C1", thread_ts="1700000001.000100")
    blocks = post.args["blocks"]
    assert blocks[0]["type"] == "section" and "Claims Triage Assistant" in blocks[0]["text"]["text"]
    assert "**" not in blocks[0]["text"]["text"]  # Markdown became mrkdwn
    facts = next(b for b in blocks if b["type"] == "section" and "fields" in b)
    assert any("Missing capabilities" in f["text"] for f in facts["fields"])
    sources = [b for b in blocks if b["type"] == "context"]
    assert sources and sources[0]["elements"][0]["text"].startswith("*Sources* [1]")
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["feedback_helpful", "feedback_not_helpful"]
    shown, cleared = slack.wait_for(
        "assistant.threads.setStatus", count=2, channel_id="C1", thread_ts=post.args["thread_ts"]
    )
    assert shown.args["status"] and cleared.args["status"] == ""  # "is thinking…" shown, then cleared


def test_retried_event_is_answered_exactly_once_across_workers(bot_url, slack):
    event = mention("1700000002.000100")
    first = send_event(bot_url, event, "EvRetry1")
    retries = [
        send_event(
            bot_url, event, "EvRetry1", headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"}
        )
        for n in (1, 2, 3)
    ]
    assert all(status == 200 for status, _ in [first, *retries])
    slack.wait_for("chat.postMessage", channel="C1", thread_ts="1700000002.000100")
    time.sleep(2)  # time enough for a duplicate answer to arrive, if there were one
    assert len(slack.calls_to("chat.postMessage", channel="C1", thread_ts="1700000002.000100")) == 1


def test_bad_or_stale_signatures_are_rejected(bot_url, slack):
    before = len(slack.calls)
    assert send_event(bot_url, mention("1700000003.000100"), "EvForged", secret="wrong-secret")[0] == 401
    stale = int(time.time()) - 10 * 60
    assert send_event(bot_url, mention("1700000003.000200"), "EvStale", timestamp=stale)[0] == 401
    time.sleep(1)
    assert not [c for c in slack.calls[before:] if c.method == "chat.postMessage"]


def test_thread_reply_without_mention_is_a_follow_up_with_context(bot_url, slack):
    thread = "1700000004.000100"
    send_event(bot_url, mention(thread), "EvFollow1")
    slack.wait_for("chat.postMessage", channel="C1", thread_ts=thread)
    slack.threads[("C1", thread)].insert(
        0, {"type": "message", "user": "U1", "ts": thread, "text": f"<@{BOT_USER_ID}> {QUESTION}"}
    )
    reply = {
        "type": "message",
        "channel_type": "channel",
        "channel": "C1",
        "user": "U1",
        "text": "and what are its risks?",
        "ts": "1700000004.000300",
        "thread_ts": thread,
    }
    assert send_event(bot_url, reply, "EvFollow2")[0] == 200
    posts = slack.wait_for("chat.postMessage", count=2, channel="C1", thread_ts=thread)
    follow_up = all_text(posts[1].args["blocks"])
    assert "Claims Triage Assistant" in follow_up and "isk" in follow_up  # "its" resolved from the thread


def test_channel_chatter_costs_nothing_no_row_no_call_to_slack(bot_url, slack, slack_data_dir):
    """Ignored messages are not claimed in the ledger, and a reply in a thread the bot never answered
    in needs no conversations.replies call: the bot's threads are remembered in the database."""
    top_level = {
        "type": "message",
        "channel_type": "channel",
        "channel": "C2",
        "user": "U1",
        "text": "what is missing before Claims Triage can go live?",
        "ts": "1700000005.000100",
    }
    strangers_thread = {**top_level, "ts": "1700000005.000300", "thread_ts": "1700000005.000200"}
    assert send_event(bot_url, top_level, "EvChatter1")[0] == 200
    assert send_event(bot_url, strangers_thread, "EvChatter2")[0] == 200
    time.sleep(1.5)
    assert slack.calls_to("chat.postMessage", channel="C2") == []
    assert slack.calls_to("conversations.replies", channel="C2") == []
    from advisor.events import EventLedger

    engine = make_engine(make_settings(slack_data_dir))
    ledger = EventLedger(engine)
    assert not ledger.seen("EvChatter1") and not ledger.seen("EvChatter2")
    engine.dispose()


def test_direct_message_streams_the_answer_and_clears_the_status(bot_url, slack):
    dm = direct_message("1700000006.000100")
    assert send_event(bot_url, dm, "EvDm1")[0] == 200
    [stop] = slack.wait_for("chat.stopStream", channel="D1")
    [start] = slack.calls_to("chat.startStream", channel="D1")
    assert start.args["thread_ts"] == "1700000006.000100" and start.args["recipient_user_id"] == "U1"
    streamed = streamed_text(slack, "D1")
    assert "Claims Triage Assistant" in streamed and "[1]" in streamed
    assert "feedback_helpful" in all_text(stop.args["blocks"]) and "*Sources*" in all_text(stop.args["blocks"])
    shown, cleared = slack.wait_for("assistant.threads.setStatus", count=2, channel_id="D1")
    assert shown.args["status"] and cleared.args["status"] == ""


def test_slash_command_replies_ephemeral_with_share_button(bot_url, slack):
    status, seconds = slash_command(bot_url, slack.response_url("cmd1"), "initiative claims triage")
    assert status == 200 and seconds < 3
    [reply] = slack.wait_for("response:cmd1")
    assert reply.args["response_type"] == "ephemeral"
    text = all_text(reply.args["blocks"])
    assert "Claims Triage Assistant" in text and "share_answer" in text


def test_feedback_button_stores_rating_with_question_answer_and_sources(bot_url, slack, slack_data_dir):
    send_event(bot_url, mention("1700000010.000100"), "EvFeedback1")
    [post] = slack.wait_for("chat.postMessage", channel="C1", thread_ts="1700000010.000100")
    helpful = next(
        e
        for b in post.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "feedback_helpful"
    )
    payload = {
        "type": "block_actions",
        "user": {"id": "U7"},
        "channel": {"id": "C1"},
        "trigger_id": "trig-1",
        "team": {"id": "T0TEST"},
        "container": {"type": "message", "channel_id": "C1"},
        "actions": [{**helpful, "block_id": "advisor_feedback"}],
        "message": {"ts": post.args.get("ts", "1"), "text": post.args["text"]},
    }
    assert send_form(bot_url, {"payload": json.dumps(payload)})[0] == 200
    [modal] = slack.wait_for("views.open", trigger_id="trig-1")
    assert modal.args["view"]["callback_id"] == "advisor_feedback_comment"
    engine = make_engine(make_settings(slack_data_dir))
    [saved] = [e for e in FeedbackStore(engine).recent() if e.user_id == "U7"]
    engine.dispose()
    assert saved.rating == "helpful" and saved.channel_id == "C1" and saved.question == QUESTION
    assert "Claims Triage Assistant" in saved.answer and saved.citations[0]["n"] == 1


def test_app_home_shows_the_portfolio(bot_url, slack):
    send_event(bot_url, {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}, "EvHome1")
    [home] = slack.wait_for("views.publish", user_id="U1")
    assert home.args["view"]["type"] == "home" and "By phase" in all_text(home.args["view"]["blocks"])


def test_opening_the_agent_dm_greets_once_and_suggests_prompts_without_a_thread(bot_url, slack):
    """agent_view: Slack sends app_home_opened with tab "messages" (no assistant_thread_started), and
    the prompts must be set without thread_ts, or Slack drops them for agent apps."""
    opened = {"type": "app_home_opened", "user": "U1", "channel": "D9", "tab": "messages"}
    send_event(bot_url, opened, "EvPane1")
    [prompts] = slack.wait_for("assistant.threads.setSuggestedPrompts", channel_id="D9")
    send_event(bot_url, opened, "EvPane2")  # a later visit: prompts again, no second greeting
    slack.wait_for("assistant.threads.setSuggestedPrompts", count=2, channel_id="D9")
    [greeting] = slack.calls_to("chat.postMessage", channel="D9")
    assert "<@U1>" in greeting.args["text"] and "thread_ts" not in greeting.args
    assert "thread_ts" not in prompts.args
    titles = [p["title"] for p in prompts.args["prompts"]]
    assert titles == ["Next phase", "Risks", "Missing infrastructure", "Portfolio status"]
    assert "our most advanced initiative" not in prompts.args["prompts"][0]["message"]  # a real one is named
