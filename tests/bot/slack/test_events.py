"""Mentions, thread follow-ups, channel chatter, DMs and uploads, with a fake Slack client."""

from slack_bolt.context.say_stream import SayStream
from slack_bolt.context.set_status import SetStatus

from advisor.access import Requester
from advisor.errors import NotFoundError
from bot.slack.listeners.events import handle_mention, handle_message
from bot.slack.mrkdwn import to_safe_markdown
from tests.bot.slack.fakes import ADMIN, BOT_ID, BOT_USER

QUESTION = "What is missing before Claims Triage Assistant can go live?"


def mention(ts="100.1", thread_ts=None, text=f"<@{BOT_USER}> {QUESTION}", user="U1"):
    event = {"type": "app_mention", "channel": "C1", "user": user, "ts": ts, "text": text}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def channel_message(ts, thread_ts=None, text="and what are its risks?", **extra):
    event = {"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1", "ts": ts, "text": text}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {**event, **extra}


def dm(text=QUESTION, ts="200.1", thread_ts=None, user="U1", **extra):
    event = {"type": "message", "channel_type": "im", "channel": "D1", "user": user, "ts": ts, "text": text}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {**event, **extra}


def statuses(client):
    return [c["status"] for c in client.of("assistant_threads_setStatus")]


def test_mention_is_answered_in_its_thread_with_status_shown_then_cleared(bot, advisor, client, me):
    handle_mention(bot, mention(), me, client, SetStatus(client, "C1", "100.1"))
    [post] = client.of("chat_postMessage")
    assert post["channel"] == "C1" and post["thread_ts"] == "100.1"
    assert post["blocks"][0]["text"]["text"].startswith("*Claims Triage Assistant*")
    assert statuses(client) == ["is thinking…", ""]
    question, requester, history = advisor.asked[0]
    assert question == QUESTION and history is None
    assert requester == Requester(channel_id="C1")  # the whole channel reads it: the channel's rights
    assert len(advisor.asked) == 1  # nothing restricted lists U1: a private answer could not differ
    assert bot.threads.knows("C1", "100.1")  # replies in this thread are follow-ups from now on


def test_a_mention_by_someone_with_restricted_rights_is_also_asked_privately(bot, advisor, client, me):
    """U0STRATEGY1 may see MNA-013: the bot checks whether a private answer would say more."""
    handle_mention(bot, mention(user="U0STRATEGY1"), me, client)
    assert [a[1] for a in advisor.asked] == [
        Requester(channel_id="C1"),
        Requester(user_id="U0STRATEGY1", channel_id="C1"),
    ]


def test_mention_inside_a_thread_passes_the_earlier_turns(bot, advisor, client, me):
    client.responses["conversations_replies"] = {
        "ok": True,
        "messages": [
            {"user": "U1", "ts": "100.1", "text": f"<@{BOT_USER}> tell me about Claims Triage Assistant"},
            {"user": BOT_USER, "bot_id": BOT_ID, "ts": "100.2", "text": "It is in phase 2 [1]"},
            {"user": "U2", "ts": "100.3", "text": "what about &lt;its&gt; owner?"},
            {"user": "U1", "ts": "100.4", "text": f"<@{BOT_USER}> and the risks?"},
        ],
    }
    handle_mention(bot, mention(ts="100.4", thread_ts="100.1", text=f"<@{BOT_USER}> and the risks?"), me, client)
    assert advisor.asked[0][0] == "and the risks?"
    assert advisor.asked[0][2] == ["tell me about Claims Triage Assistant", "what about <its> owner?"]
    assert client.of("chat_postMessage")[0]["thread_ts"] == "100.1"


def test_empty_mention_gets_a_greeting_not_silence(bot, advisor, client, me):
    handle_mention(bot, mention(text=f"<@{BOT_USER}>"), me, client)
    [post] = client.of("chat_postMessage")
    assert "Ask me about" in post["text"] and advisor.asked == []


def test_failure_is_posted_in_the_thread_and_status_still_cleared(bot, advisor, client, me):
    advisor.failure = RuntimeError("index exploded")
    handle_mention(bot, mention(), me, client, SetStatus(client, "C1", "100.1"))
    [post] = client.of("chat_postMessage")
    assert post["thread_ts"] == "100.1" and "went wrong" in post["text"] and "RuntimeError" in post["text"]
    assert "index exploded" not in post["text"] and "Traceback" not in post["text"]
    assert statuses(client) == ["is thinking…", ""]


def test_domain_error_message_is_shown_with_what_to_try(bot, advisor, client, me):
    advisor.failure = NotFoundError("no initiative matches 'Zorg'")
    handle_mention(bot, mention(), me, client)
    text = client.of("chat_postMessage")[0]["text"]
    assert "no initiative matches 'Zorg'" in text and "/advisor portfolio" in text


def test_status_failure_does_not_stop_the_answer(bot, client, me):
    client.failing["assistant_threads_setStatus"] = "not_allowed"
    handle_mention(bot, mention(), me, client)
    assert len(client.of("chat_postMessage")) == 1
    assert len(client.of("assistant_threads_setStatus")) == 1  # never "cleared" when never shown


def test_thread_reply_without_mention_is_a_follow_up_when_the_bot_answered_there(bot, advisor, client, me):
    bot.threads.remember("C1", "100.1")
    client.responses["conversations_replies"] = {
        "ok": True,
        "messages": [
            {"user": "U1", "ts": "100.1", "text": f"<@{BOT_USER}> {QUESTION}"},
            {"user": BOT_USER, "bot_id": BOT_ID, "ts": "100.2", "text": "answer"},
            {"user": "U1", "ts": "100.3", "text": "and what are its risks?"},
        ],
    }
    handle_message(bot, channel_message("100.3", thread_ts="100.1"), me, client)
    assert advisor.asked[0][0] == "and what are its risks?" and advisor.asked[0][2] == [QUESTION]
    assert client.of("chat_postMessage")[0]["thread_ts"] == "100.1"


def test_thread_reply_in_a_thread_without_the_bot_is_ignored_without_asking_slack(bot, advisor, client, me):
    handle_message(bot, channel_message("100.3", thread_ts="100.1", text="sure"), me, client)
    assert advisor.asked == [] and client.calls == []  # not even conversations.replies


def test_channel_chatter_edits_bots_and_mentions_are_not_answered_by_the_message_listener(bot, advisor, client, me):
    handle_message(bot, channel_message("100.1", text="what is missing before X can go live?"), me, client)
    handle_message(bot, channel_message("100.3", thread_ts="100.1", text=f"<@{BOT_USER}> again"), me, client)
    handle_message(bot, channel_message("100.4", thread_ts="100.1", subtype="message_changed"), me, client)
    handle_message(bot, channel_message("100.5", thread_ts="100.1", bot_id="BOTHER"), me, client)
    assert advisor.asked == [] and client.calls == []


def test_follow_up_in_a_thread_whose_history_is_unreadable_is_answered_without_it(bot, advisor, client, me):
    bot.threads.remember("C1", "100.1")
    client.failing["conversations_replies"] = "missing_scope"
    handle_message(bot, channel_message("100.3", thread_ts="100.1"), me, client)
    assert advisor.asked[0][2] is None and len(client.of("chat_postMessage")) == 1


def test_direct_message_streams_the_answer_in_its_thread(bot, advisor, client, me):
    say_stream = SayStream(
        client=client, channel="D1", recipient_team_id="T1", recipient_user_id="U1", thread_ts="200.1"
    )
    handle_message(bot, dm(), me, client, SetStatus(client, "D1", "200.1"), say_stream)
    [start] = client.of("chat_startStream")
    [stop] = client.of("chat_stopStream")
    assert start["thread_ts"] == "200.1" and start["recipient_user_id"] == "U1"
    streamed = "".join(
        chunk.text
        for call in client.of("chat_startStream") + client.of("chat_appendStream") + [stop]
        for chunk in call.get("chunks") or []
    )
    assert streamed == to_safe_markdown(advisor.answer.text)
    assert advisor.asked[0][1] == Requester(user_id="U1", channel_id="D1")  # a 1:1 DM: the asker's rights
    assert [b["type"] for b in stop["blocks"]] == ["section", "context", "actions"]
    assert client.of("chat_postMessage") == []
    assert statuses(client) == ["is thinking…", ""]


def test_direct_message_falls_back_to_a_post_when_streaming_is_unavailable(bot, client, me):
    client.failing["chat_startStream"] = "not_allowed"
    say_stream = SayStream(client=client, channel="D1", recipient_user_id="U1", thread_ts="200.1")
    handle_message(bot, dm(), me, client, None, say_stream)
    [post] = client.of("chat_postMessage")
    assert post["thread_ts"] == "200.1" and post["blocks"][-1]["type"] == "actions"


def test_follow_up_in_a_dm_thread_uses_the_thread(bot, advisor, client, me):
    client.responses["conversations_replies"] = {
        "ok": True,
        "messages": [
            {"user": "U1", "ts": "200.1", "text": QUESTION},
            {"bot_id": BOT_ID, "user": BOT_USER, "ts": "200.2"},
        ],
    }
    handle_message(bot, dm(text="and its risks?", ts="200.3", thread_ts="200.1"), me, client)
    assert advisor.asked[0][2] == [QUESTION]


def test_non_admin_upload_is_refused_politely_and_nothing_is_fetched(bot, advisor, client, me):
    files = [{"id": "F1", "name": "plan.pdf", "url_private_download": "https://files.slack.com/F1/plan.pdf"}]
    handle_message(bot, dm(text="", subtype="file_share", files=files, user="U2"), me, client)
    [post] = client.of("chat_postMessage")
    assert "only admins" in post["text"] and "`plan.pdf`" in post["text"] and f"<@{ADMIN}>" in post["text"]
    assert client.of("files_info") == [] and not (bot.settings.data_dir / "uploads").exists()
    assert advisor.asked == []


def test_non_admin_upload_with_a_question_still_gets_the_answer(bot, advisor, client, me):
    files = [{"id": "F1", "name": "plan.pdf"}]
    handle_message(bot, dm(text=QUESTION, subtype="file_share", files=files, user="U2"), me, client)
    posts = client.of("chat_postMessage")
    assert "only admins" in posts[0]["text"] and advisor.asked[0][0] == QUESTION


def test_admin_upload_that_cannot_be_fetched_says_why(bot, client, me):
    client.failing["files_info"] = "missing_scope"
    handle_message(bot, dm(text="", subtype="file_share", files=[{"id": "F9", "name": "x.md"}], user=ADMIN), me, client)
    texts = [p["text"] for p in client.of("chat_postMessage")]
    assert texts[0].startswith(":inbox_tray: Ingesting 1 file")
    assert "`x.md`" in texts[1] and "missing_scope" in texts[1] and "files:read" in texts[1]


def test_streamed_pieces_fit_and_add_up_to_the_answer():
    from bot.slack.answering import markdown_pieces

    text = "\n\n".join(["short", "x" * 3500, "", "tail " * 400, "end"])
    pieces = markdown_pieces(text, size=1500)
    assert "".join(pieces) == text and all(0 < len(p) <= 1500 for p in pieces)
