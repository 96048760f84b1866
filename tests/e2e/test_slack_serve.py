"""Starting the bot: a missing or wrong token is one line and exit code 78; Socket Mode answers
like HTTP mode, over a local WebSocket standing in for Slack's."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.e2e.slack_api_server import APP_TOKEN, BOT_TOKEN, BOT_USER_ID, SocketModeStandIn
from tests.e2e.slack_http import SECRET, clean_env, mention


@pytest.mark.parametrize(
    "env, variable",
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN is not a bot token"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": SECRET},
            "SLACK_BOT_TOKEN was rejected by Slack (invalid_auth)",
        ),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET is not set"),
    ],
)
def test_missing_or_wrong_tokens_exit_78_naming_the_variable(slack, tmp_path, env, variable):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--http"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(SLACK_API_URL=slack.api_url, ADVISOR_DATA_DIR=str(tmp_path / "d"), **env),
    )
    assert result.returncode == 78, result.stderr
    assert variable in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one message


def test_socket_mode_without_or_with_a_bad_app_token_exits_78(slack, tmp_path):
    base = clean_env(SLACK_API_URL=slack.api_url, SLACK_BOT_TOKEN=BOT_TOKEN, ADVISOR_DATA_DIR=str(tmp_path / "d"))
    missing = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=base
    )
    assert missing.returncode == 78 and "SLACK_APP_TOKEN is not set" in missing.stderr
    wrong = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, "SLACK_APP_TOKEN": APP_TOKEN + "-old"},
    )
    assert wrong.returncode == 78 and "SLACK_APP_TOKEN was rejected" in wrong.stderr


def test_socket_mode_answers_an_event_once_and_acks_it(slack, slack_data_dir, bot_url, tmp_path):
    """`advisor serve` without --http: the same bot over a WebSocket (after the HTTP bot has
    indexed the shared data dir, so this start is quick)."""
    socket_mode = SocketModeStandIn().start()
    slack.socket_url = socket_mode.url
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.api_url,
        ADVISOR_DATA_DIR=str(slack_data_dir),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert socket_mode.connected.wait(120), "the bot never connected in Socket Mode"
        body = {
            "type": "event_callback",
            "team_id": "T0TEST",
            "event_id": "EvSocket1",
            "event": mention("1700000011.000100", channel="CSOCK"),
            "authorizations": [{"team_id": "T0TEST", "user_id": BOT_USER_ID, "is_bot": True}],
        }
        for attempt, envelope_id in enumerate(("env-1", "env-2")):  # the second is Slack's retry
            socket_mode.send(
                {
                    "envelope_id": envelope_id,
                    "type": "events_api",
                    "payload": body,
                    "accepts_response_payload": False,
                    "retry_attempt": attempt,
                }
            )
            socket_mode.wait_for_ack(envelope_id)
        [post] = slack.wait_for("chat.postMessage", channel="CSOCK", thread_ts="1700000011.000100")
        assert "Claims Triage Assistant" in post.args["blocks"][0]["text"]["text"]
        time.sleep(1.5)
        assert len(slack.calls_to("chat.postMessage", channel="CSOCK")) == 1
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=30) == 130
        finally:
            if process.poll() is None:
                process.kill()
            socket_mode.stop()
