"""No answer is lost: Slack's rate limits and server errors are waited out, an answer Slack keeps
refusing is replayed, and a worker that dies mid-answer is replaced by another."""

from __future__ import annotations

import signal
import time

import pytest

from tests.conftest import free_port
from tests.e2e.conftest import LEASE_SECONDS
from tests.e2e.slack_api_server import RATE_LIMITED, RATE_LIMITED_OK_FALSE, SERVER_ERROR, Failure
from tests.e2e.slack_http import direct_message, mention, send_event, start_server, streamed_text

FAILURES = {"429 Retry-After": RATE_LIMITED, "ok:false ratelimited": RATE_LIMITED_OK_FALSE, "HTTP 500": SERVER_ERROR}


@pytest.mark.parametrize("kind", list(FAILURES))
def test_a_mention_is_answered_once_through_rate_limits_and_server_errors(bot_url, slack, kind):
    channel, ts = f"CRL{len(kind)}", f"1700000030.{len(kind):06d}"
    slack.fail("chat.postMessage", [FAILURES[kind]] * 2, channel=channel)
    send_event(bot_url, mention(ts, channel=channel), f"EvRate{channel}")
    [post] = slack.wait_for("chat.postMessage", channel=channel, thread_ts=ts)
    assert len(slack.calls_to("chat.postMessage", failed=True, channel=channel)) == 2
    assert "Claims Triage Assistant" in post.args["blocks"][0]["text"]["text"]
    time.sleep(1)
    assert len(slack.calls_to("chat.postMessage", channel=channel)) == 1


@pytest.mark.parametrize("kind", list(FAILURES))
def test_a_streamed_dm_answer_is_delivered_through_rate_limits_and_server_errors(bot_url, slack, kind):
    channel = f"DRL{len(kind)}"
    slack.fail("chat.startStream", [FAILURES[kind]], channel=channel)
    send_event(bot_url, direct_message(f"1700000031.{len(kind):06d}", channel=channel), f"EvRate{channel}")
    slack.wait_for("chat.stopStream", channel=channel)
    assert len(slack.calls_to("chat.startStream", failed=True, channel=channel)) == 1
    assert len(slack.calls_to("chat.startStream", channel=channel)) == 1
    assert "Claims Triage Assistant" in streamed_text(slack, channel)


def test_an_answer_slack_keeps_refusing_is_logged_then_replayed_once(bot_url, slack, slack_server):
    """More failures than the client retries: the event id, channel and thread are logged, and the
    event is answered later (by whichever worker's sweep finds it), exactly once."""
    busy = Failure(error="ratelimited", headers={"Retry-After": "0"})
    slack.fail("chat.postMessage", [busy] * 10, channel="CGIVE")
    send_event(bot_url, mention("1700000032.000100", channel="CGIVE"), "EvGiveUp")
    [post] = slack.wait_for("chat.postMessage", channel="CGIVE", timeout=60)
    assert "Claims Triage Assistant" in post.args["blocks"][0]["text"]["text"]
    assert "event EvGiveUp: could not deliver the answer in channel CGIVE, thread 1700000032.000100" in (
        slack_server.log()
    )
    time.sleep(float(LEASE_SECONDS) + 1)
    assert len(slack.calls_to("chat.postMessage", channel="CGIVE")) == 1


def test_a_worker_killed_mid_answer_is_replaced_and_the_question_answered_once(
    bot_url, slack, slack_data_dir, tmp_path
):
    """A second server on the same database takes an event, then dies (SIGKILL) while posting the
    answer. Its lease runs out and the first server's sweep answers the event from the database."""
    doomed = start_server(
        slack.api_url, slack_data_dir, tmp_path, free_port(), workers=1, ADVISOR_EVENT_LEASE_SECONDS=LEASE_SECONDS
    )
    slack.fail("chat.postMessage", [Failure(hold=True)], channel="CKILL")
    try:
        assert send_event(doomed.url, mention("1700000033.000100", channel="CKILL"), "EvKilled")[0] == 200
        slack.wait_for("chat.postMessage", failed=True, channel="CKILL")  # the answer is on its way...
    finally:
        doomed.stop(signal.SIGKILL)  # ...when every process of that server dies
    [post] = slack.wait_for("chat.postMessage", channel="CKILL", timeout=60)
    assert "Claims Triage Assistant" in post.args["blocks"][0]["text"]["text"]
    time.sleep(float(LEASE_SECONDS) + 1)
    assert len(slack.calls_to("chat.postMessage", channel="CKILL")) == 1
