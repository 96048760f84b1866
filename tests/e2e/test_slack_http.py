"""The Slack bot as it runs in production: `advisor serve --http` as its own process (gunicorn,
two workers), the real advisor, and a real local HTTP server standing in for Slack's Web API.

Slack itself is the only fake: signed payloads are sent over HTTP like Slack sends them, and the
assertions read what the bot sent back to the stand-in (chat.postMessage, streams, views...).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from advisor.db import make_engine
from advisor.feedback import FeedbackStore
from tests.conftest import free_port, make_settings
from tests.e2e.slack_api_server import APP_TOKEN, BOT_TOKEN, BOT_USER_ID, SlackApiStandIn, SocketModeStandIn

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-signing-secret"
ADMIN = "UADMIN"
QUESTION = "What is missing before Claims Triage Assistant can go live?"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def slack():
    stand_in = SlackApiStandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("slack-e2e") / "data"


@pytest.fixture(scope="module")
def bot_url(slack, data_dir, tmp_path_factory):
    """`advisor serve --http --workers 2`, up once /healthz answers; stopped with SIGTERM after."""
    port = free_port()
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=slack.api_url,
        ADVISOR_DATA_DIR=str(data_dir),
        ADVISOR_ADMINS=ADMIN,
        PORT=str(port),
    )
    log = (tmp_path_factory.mktemp("logs") / "serve.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--workers", "2"],
        cwd=tmp_path_factory.mktemp("cwd"),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_healthy(url: str, process, log, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"advisor serve exited with {process.returncode}:\n{log.read()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    log.seek(0)
    pytest.fail(f"advisor serve did not become healthy:\n{log.read()[-3000:]}")


def signed_post(
    url: str,
    body: bytes,
    content_type: str,
    secret: str = SECRET,
    timestamp: int | None = None,
    headers: dict | None = None,
) -> tuple[int, float]:
    """POST like Slack does: v0 HMAC-SHA256 over ``v0:timestamp:body``. Returns (status, seconds)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{url}/slack/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
            **(headers or {}),
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


def send_event(url: str, event: dict, event_id: str, **kwargs) -> tuple[int, float]:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEST",
            "api_app_id": "A1",
            "event": event,
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0TEST", "user_id": BOT_USER_ID, "is_bot": True}],
        }
    ).encode()
    return signed_post(url, body, "application/json", **kwargs)


def send_form(url: str, fields: dict) -> tuple[int, float]:
    return signed_post(url, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")


def mention(ts: str, text: str = f"<@{BOT_USER_ID}> {QUESTION}", channel: str = "C1", user: str = "U1") -> dict:
    return {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts}


def block_types(call) -> list[str]:
    return [b["type"] for b in call.args["blocks"]]


def all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


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
    statuses = [
        c.args["status"]
        for c in slack.calls_to("assistant.threads.setStatus", channel_id="C1", thread_ts="1700000001.000100")
    ]
    assert statuses[0] and statuses[-1] == ""  # "is thinking…" shown, then cleared


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


def test_channel_chatter_is_ignored(bot_url, slack):
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
    slack.wait_for("conversations.replies", channel="C2", ts="1700000005.000200")
    time.sleep(1.5)
    assert slack.calls_to("chat.postMessage", channel="C2") == []


def test_direct_message_streams_the_answer_and_clears_the_status(bot_url, slack):
    dm = {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "text": QUESTION,
        "ts": "1700000006.000100",
    }
    assert send_event(bot_url, dm, "EvDm1")[0] == 200
    [stop] = slack.wait_for("chat.stopStream", channel="D1")
    [start] = slack.calls_to("chat.startStream", channel="D1")
    assert start.args["thread_ts"] == "1700000006.000100" and start.args["recipient_user_id"] == "U1"
    streamed = "".join(
        chunk.get("text", "")
        for c in slack.calls_to("chat.startStream", channel="D1")
        + slack.calls_to("chat.appendStream", channel="D1")
        + [stop]
        for chunk in c.args.get("chunks") or []
    )
    assert "Claims Triage Assistant" in streamed and "[1]" in streamed
    assert "feedback_helpful" in all_text(stop.args["blocks"]) and "*Sources*" in all_text(stop.args["blocks"])
    statuses = [c.args["status"] for c in slack.calls_to("assistant.threads.setStatus", channel_id="D1")]
    assert statuses[0] and statuses[-1] == ""


def test_slash_command_replies_ephemeral_with_share_button(bot_url, slack):
    status, seconds = send_form(
        bot_url,
        {
            "command": "/advisor",
            "text": "initiative claims triage",
            "user_id": "U1",
            "channel_id": "C3",
            "team_id": "T0TEST",
            "response_url": slack.response_url("cmd1"),
            "trigger_id": "t1",
        },
    )
    assert status == 200 and seconds < 3
    [reply] = slack.wait_for("response:cmd1")
    assert reply.args["response_type"] == "ephemeral"
    text = all_text(reply.args["blocks"])
    assert "Claims Triage Assistant" in text and "share_answer" in text


def test_feedback_button_stores_rating_with_question_answer_and_sources(bot_url, slack, data_dir):
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
    engine = make_engine(make_settings(data_dir))
    [saved] = [e for e in FeedbackStore(engine).recent() if e.user_id == "U7"]
    engine.dispose()
    assert saved.rating == "helpful" and saved.channel_id == "C1" and saved.question == QUESTION
    assert "Claims Triage Assistant" in saved.answer and saved.citations[0]["n"] == 1


def test_non_admin_upload_is_refused_and_nothing_is_ingested(bot_url, slack, data_dir):
    info = slack.add_file("FNOPE1", "secret-plans.md", b"# Plans\n\nNot for the index.", user="U2")
    dm = {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": "D2",
        "user": "U2",
        "text": "",
        "ts": "1700000007.000100",
        "files": [info],
    }
    assert send_event(bot_url, dm, "EvUpload1")[0] == 200
    [reply] = slack.wait_for("chat.postMessage", channel="D2")
    assert "only admins" in reply.args["text"] and "secret-plans.md" in reply.args["text"]
    time.sleep(1)
    assert slack.calls_to("files:FNOPE1") == [] and slack.calls_to("files.info") == []
    assert not (data_dir / "uploads" / "secret-plans.md").exists()


def test_admin_upload_is_downloaded_ingested_and_summarised(bot_url, slack, data_dir):
    checklist = b"# Pilot exit checklist\n\nA pilot exits when its KPI is measured for 8 weeks.\n"
    good = slack.add_file("FGOOD1", "pilot-exit-checklist.md", checklist, user=ADMIN)
    bad = slack.add_file("FBAD1", "budget.xyz", b"\x00\x01", user=ADMIN)
    dm = {
        "type": "message",
        "subtype": "file_share",
        "channel_type": "im",
        "channel": "D3",
        "user": ADMIN,
        "text": "",
        "ts": "1700000008.000100",
        "files": [good, bad],
    }
    assert send_event(bot_url, dm, "EvUpload2")[0] == 200
    posts = slack.wait_for("chat.postMessage", count=2, channel="D3", timeout=60)
    summary = posts[-1].args["text"]
    assert "1 added" in summary and "1 skipped" in summary and "unsupported file type '.xyz'" in summary
    assert slack.calls_to("files:FGOOD1")[0].token == BOT_TOKEN
    assert (data_dir / "uploads" / "pilot-exit-checklist.md").read_bytes().startswith(b"# Pilot exit")


def test_app_home_and_agent_pane(bot_url, slack):
    send_event(bot_url, {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}, "EvHome1")
    [home] = slack.wait_for("views.publish", user_id="U1")
    assert home.args["view"]["type"] == "home" and "By phase" in all_text(home.args["view"]["blocks"])
    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": "U1", "channel_id": "D9", "thread_ts": "1700000009.000100", "context": {}},
    }
    send_event(bot_url, started, "EvPane1")
    [prompts] = slack.wait_for("assistant.threads.setSuggestedPrompts", channel_id="D9")
    titles = [p["title"] for p in prompts.args["prompts"]]
    assert titles == ["Next phase", "Risks", "Missing infrastructure", "Portfolio status"]


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


def test_socket_mode_answers_an_event_once_and_acks_it(slack, data_dir, bot_url, tmp_path):
    """`advisor serve` without --http: the same bot over a WebSocket (after the HTTP bot has
    indexed the shared data dir, so this start is quick)."""
    socket_mode = SocketModeStandIn().start()
    slack.socket_url = socket_mode.url
    env = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=slack.api_url,
        ADVISOR_DATA_DIR=str(data_dir),
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
