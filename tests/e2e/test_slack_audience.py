"""Who may read an answer decides what it may use, and nothing in it can ping or disguise a link.

MNA-013 (Deal Room Summariser) is a restricted record (copied from the bundled samples):
U0STRATEGY1 and channel C0DEALROOM1 may see it. U0NIGHTINGALE alone may see a document ingested
with `--allow U0NIGHTINGALE` (conftest.py). In the public channel C1 the channel is the audience,
whoever asks; in a DM or an ephemeral reply, the asker.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.slack_api_server import BOT_USER_ID
from tests.e2e.slack_http import (
    ADMIN,
    all_text,
    direct_message,
    mention,
    send_event,
    send_form,
    slash_command,
    streamed_text,
)

INSIDER = "U0STRATEGY1"
READER = "U0NIGHTINGALE"
RECORD_DETAILS = ("MNA-013", "Deal Room Summariser", "Ryo Kobayashi", "Corporate Strategy")
HOSTILE_RECORD = b"""id: HOST-1
name: "Launch <!channel> Bot"
business_unit: "Ops <!here>"
region: Japan
ai_type: genai
phase: 2
phase_since: 2026-07-15
"""
# pings, and links whose label hides where they go, in mrkdwn (blocks, text) and in Markdown (streams)
MRKDWN_LEAKS = re.compile(r"<!channel|<!here|<@U0ONCALL|<https://evil|<javascript:")
MARKDOWN_LEAKS = re.compile(r"<!channel|<!here|<@U0ONCALL|<https://evil|\]\(https://evil|(?<!\\)\]\(javascript:")


@pytest.fixture(scope="module")
def hostile_record(bot_url, slack):
    """A record whose name and unit are Slack markup, added by the admin from Slack."""
    record = slack.add_file("FHOST2", "hostile-record.yaml", HOSTILE_RECORD, user=ADMIN)
    dm = direct_message("1700000020.000100", text="", channel="DADM", user=ADMIN, subtype="file_share", files=[record])
    send_event(bot_url, dm, "EvAudienceUpload")
    summary = slack.wait_for("chat.postMessage", count=2, channel="DADM", timeout=90)[-1].args["text"]
    assert "1 added" in summary, summary


def answer_in_channel(bot_url, slack, question: str, ts: str, channel: str = "C1", user: str = INSIDER) -> str:
    send_event(bot_url, mention(ts, f"<@{BOT_USER_ID}> {question}", channel=channel, user=user), f"Ev{ts}")
    [post] = slack.wait_for("chat.postMessage", channel=channel, thread_ts=ts)
    return all_text(post.args["blocks"]) + post.args["text"]


@pytest.mark.parametrize(
    "question, ts",
    [
        ("what is the status of Deal Room Summariser?", "1700000021.000100"),
        ("how is the AI portfolio doing?", "1700000022.000100"),
    ],
)
def test_a_restricted_record_stays_out_of_a_public_channel_even_when_its_reader_asks(bot_url, slack, question, ts):
    posted = answer_in_channel(bot_url, slack, question, ts)
    assert [detail for detail in RECORD_DETAILS if detail in posted and detail not in question] == []
    assert "Message me directly for a private answer" in posted  # says so, without naming anything


def test_the_allowed_channel_and_the_asker_in_a_dm_see_the_restricted_record(bot_url, slack):
    posted = answer_in_channel(
        bot_url, slack, "what is the status of Deal Room Summariser?", "1700000023.000100", channel="C0DEALROOM1"
    )
    assert "MNA-013" in posted and "private answer" not in posted
    dm = direct_message("1700000023.000200", "what is the status of Deal Room Summariser?", "DINS", INSIDER)
    send_event(bot_url, dm, "EvInsiderDm")
    slack.wait_for("chat.stopStream", channel="DINS")
    assert "Deal Room Summariser" in streamed_text(slack, "DINS")


def test_a_restricted_document_is_quoted_to_its_reader_alone(bot_url, slack):
    """The playbook was ingested with `advisor ingest --allow U0NIGHTINGALE` (see conftest.py)."""
    question = "how does the Nightingale screening pilot handle flagged cases?"
    posted = answer_in_channel(bot_url, slack, question, "1700000024.000100", user=READER)
    assert "second reviewer" not in posted and "Nightingale screening playbook" not in posted
    assert "Message me directly for a private answer" in posted
    assert "private answer" not in answer_in_channel(bot_url, slack, question, "1700000024.000300", user="U1")
    send_event(bot_url, direct_message("1700000024.000200", question, "DDOC", READER), "EvDocDm")
    slack.wait_for("chat.stopStream", channel="DDOC")
    assert "second reviewer" in streamed_text(slack, "DDOC")


def test_share_in_channel_is_refused_when_the_channel_may_not_see_it(bot_url, slack):
    slash_command(bot_url, slack.response_url("priv1"), "initiative MNA-013", user=INSIDER, channel="C1")
    [reply] = slack.wait_for("response:priv1")
    assert reply.args["response_type"] == "ephemeral" and "Deal Room Summariser" in all_text(reply.args["blocks"])
    share = next(e for b in reply.args["blocks"] if b["type"] == "actions" for e in b["elements"])
    click = {
        "type": "block_actions",
        "user": {"id": INSIDER},
        "channel": {"id": "C1"},
        "team": {"id": "T0TEST"},
        "container": {"type": "ephemeral", "channel_id": "C1"},
        "trigger_id": "t2",
        "response_url": slack.response_url("priv1-share"),
        "actions": [{**share, "block_id": "advisor_share"}],
    }
    send_form(bot_url, {"payload": json.dumps(click)})
    [refusal] = slack.wait_for("response:priv1-share")
    assert refusal.args["response_type"] == "ephemeral" and "can't share this here" in refusal.args["text"]
    assert "Deal Room" not in json.dumps(refusal.args)


def test_no_path_sends_slack_markup_from_records_or_documents(bot_url, slack, hostile_record):
    """Answers in a channel (blocks and fallback text), streamed answers in a DM, /advisor replies
    and their shared copies: a record name or a quoted document never pings, nor links to javascript:."""
    first = len(slack.calls)
    answer_in_channel(bot_url, slack, "how should we page people when an incident is declared?", "1700000025.000100")
    send_event(bot_url, direct_message("1700000025.000200", "how do we page people in an incident?", "DHOS"), "EvHos")
    slack.wait_for("chat.stopStream", channel="DHOS")
    slash_command(bot_url, slack.response_url("host1"), "initiative HOST-1", channel="C1")
    [reply] = slack.wait_for("response:host1")
    assert reply.args["text"].startswith("Launch &lt;!channel&gt; Bot")
    share = next(e for b in reply.args["blocks"] if b["type"] == "actions" for e in b["elements"])
    click = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "team": {"id": "T0TEST"},
        "trigger_id": "t3",
        "response_url": slack.response_url("host1-share"),
        "actions": [{**share, "block_id": "advisor_share"}],
    }
    send_form(bot_url, {"payload": json.dumps(click)})
    shared = slack.wait_for("response:host1-share")[0]
    assert shared.args["response_type"] == "in_channel"
    streamed = streamed_text(slack, "DHOS")
    mrkdwn = [{k: v for k, v in c.args.items() if k != "chunks"} for c in slack.calls[first:]]
    posted = json.dumps(mrkdwn, ensure_ascii=False)
    assert "U0ONCALL" in streamed and "evil.example" in posted  # the passage was quoted...
    assert MARKDOWN_LEAKS.findall(streamed) == [] and MRKDWN_LEAKS.findall(posted) == []  # ...as text
