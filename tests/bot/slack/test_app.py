"""The bolt App as a whole: the manifest matches the listeners, events are answered once,
requests are verified, tokens are checked, and /healthz answers. Slack's Web API is the local
stand-in server from tests/e2e (a real HTTP server)."""

import hashlib
import hmac
import json
import time
import urllib.parse
from pathlib import Path

import pytest
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from advisor.errors import ConfigError, StorageError
from bot.slack import tokens
from bot.slack.app import build_app, without_request_bodies
from bot.slack.delivery import claim_events
from bot.slack.http_edge import SlackWsgi
from tests.e2e.slack_api_server import BOT_TOKEN

MANIFEST = json.loads((Path(__file__).resolve().parents[3] / "slack" / "manifest.json").read_text())
SECRET = "unit-secret"


@pytest.fixture
def app(bot, slack):
    return build_app(bot, WebClient(token=BOT_TOKEN, base_url=slack.api_url), SECRET)


def signed(body: str, content_type: str, secret: str = SECRET, age: int = 0) -> BoltRequest:
    ts = str(int(time.time()) - age)
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return BoltRequest(
        body=body,
        headers={"content-type": [content_type], "x-slack-request-timestamp": [ts], "x-slack-signature": [signature]},
    )


def event_request(event: dict, event_id: str, **kwargs) -> BoltRequest:
    body = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "event": event,
        "event_id": event_id,
        "authorizations": [{"team_id": "T0TEST", "user_id": "UBOT", "is_bot": True}],
    }
    return signed(json.dumps(body), "application/json", **kwargs)


SAMPLE_EVENTS = {
    "app_home_opened": {"type": "app_home_opened", "user": "U1", "tab": "home"},
    "app_mention": {"type": "app_mention", "user": "U1", "channel": "C1", "ts": "1.1", "text": "<@UBOT> hi"},
    "message.channels": {
        "type": "message",
        "channel_type": "channel",
        "channel": "C1",
        "user": "U1",
        "ts": "3.1",
        "text": "chatter",
    },
    "message.groups": {
        "type": "message",
        "channel_type": "group",
        "channel": "G1",
        "user": "U1",
        "ts": "4.1",
        "text": "chatter",
    },
    "message.im": {
        "type": "message",
        "channel_type": "im",
        "channel": "D1",
        "user": "U1",
        "ts": "5.1",
        "text": "",
        "subtype": "message_deleted",
    },
}


def test_every_subscribed_event_has_a_listener(app):
    assert sorted(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == sorted(SAMPLE_EVENTS)
    for i, (name, event) in enumerate(SAMPLE_EVENTS.items()):
        response = app.dispatch(event_request(event, f"EvManifest{i}"))
        assert response.status == 200, f"{name} is subscribed in the manifest but nothing listens to it"


def test_the_slash_command_and_buttons_in_the_manifest_are_handled(app, slack):
    [command] = MANIFEST["features"]["slash_commands"]
    form = urllib.parse.urlencode(
        {
            "command": command["command"],
            "text": "help",
            "user_id": "U1",
            "channel_id": "C1",
            "response_url": slack.response_url("unit"),
        }
    )
    assert app.dispatch(signed(form, "application/x-www-form-urlencoded")).status == 200
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    for action_id in ("feedback_helpful", "feedback_not_helpful", "share_answer"):
        payload = {
            "type": "block_actions",
            "user": {"id": "U1"},
            "channel": {"id": "C1"},
            "trigger_id": "t",
            "team": {"id": "T0TEST"},
            "actions": [{"action_id": action_id, "value": "x", "block_id": "b"}],
            "response_url": slack.response_url("unit-action"),
        }
        form = urllib.parse.urlencode({"payload": json.dumps(payload)})
        assert app.dispatch(signed(form, "application/x-www-form-urlencoded")).status == 200, action_id


def test_manifest_asks_for_exactly_the_scopes_the_bot_uses():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(
        [
            "app_mentions:read",  # app_mention
            "assistant:write",  # thinking status, suggested prompts (agent pane)
            "channels:history",
            "groups:history",  # thread follow-ups: message events + conversations.replies
            "chat:write",  # answers, streams, ephemeral thanks
            "commands",  # /advisor
            "files:read",  # admin ingestion: files.info, files.list, downloads
            "im:history",  # DMs and the agent pane
        ]
    )
    info = MANIFEST["display_information"]
    assert len(info["description"]) <= 140 and 175 <= len(info["long_description"]) <= 4000
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is True  # one paste, no public URL needed


def test_bad_and_stale_signatures_are_rejected(app):
    event = SAMPLE_EVENTS["app_mention"]
    assert app.dispatch(event_request(event, "EvBad1", secret="not-the-secret")).status == 401
    assert app.dispatch(event_request(event, "EvBad2", age=6 * 60)).status == 401


def test_every_event_the_bot_answers_is_marked_done_once_answered(app, bot, slack):
    """No listener can forget to complete its event: each one the bot acts on ends up done."""
    dm = {"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "ts": "6.1", "text": "hello"}
    for event_id, event in (("EvDone1", SAMPLE_EVENTS["app_mention"]), ("EvDone2", dm)):
        assert app.dispatch(event_request(event, event_id)).status == 200
        deadline = time.monotonic() + 20
        while bot.events.status(event_id) != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert bot.events.status(event_id) == "done", event_id


def test_a_retried_event_is_dropped_before_any_listener(bot):
    middleware = claim_events(bot)
    body = {"type": "event_callback", "event_id": "EvOnce", "event": SAMPLE_EVENTS["app_mention"]}
    context = {"bot_user_id": "UBOT", "bot_id": "BBOT"}
    nexts = []
    first = middleware(body, context, lambda: nexts.append(1), logger=_Log())
    again = middleware(body, context, lambda: nexts.append(2), logger=_Log())
    assert first is None and nexts == [1]
    assert again.status == 200 and nexts == [1]
    command = {"command": "/advisor"}  # commands are never retried: no claim needed
    middleware(command, context, lambda: nexts.append(3), logger=_Log())
    assert nexts == [1, 3]


def test_messages_the_bot_does_not_act_on_leave_no_trace(bot):
    middleware = claim_events(bot)
    context = {"bot_user_id": "UBOT", "bot_id": "BBOT"}
    chatter = SAMPLE_EVENTS["message.channels"]
    strangers_thread = {**chatter, "ts": "3.3", "thread_ts": "3.2"}
    nexts = []
    for i, event in enumerate((chatter, strangers_thread, {**chatter, "subtype": "message_changed"})):
        body = {"type": "event_callback", "event_id": f"EvChat{i}", "event": event}
        assert middleware(body, context, lambda: nexts.append("chatter"), logger=_Log()).status == 200
        assert not bot.events.seen(f"EvChat{i}")
    bot.threads.remember("C1", "3.2")  # the bot answered in that thread: a reply there is a follow-up
    body = {"type": "event_callback", "event_id": "EvChat9", "event": strangers_thread}
    assert middleware(body, context, lambda: nexts.append(9), logger=_Log()) is None
    assert nexts == [9] and bot.events.status("EvChat9") == "claimed"


def test_an_unreachable_ledger_still_handles_the_event(bot, monkeypatch):
    def broken(event_id, payload=None):
        raise StorageError("database down")

    monkeypatch.setattr(bot.events, "claim", broken)
    nexts = []
    body = {"type": "event_callback", "event_id": "Ev9", "event": SAMPLE_EVENTS["app_mention"]}
    claim_events(bot)(body, {"bot_user_id": "UBOT"}, lambda: nexts.append(1), logger=_Log())
    assert nexts == [1]


def test_bolt_never_logs_a_request_body():
    import logging

    def record(message, *args):
        return logging.LogRecord("slack_bolt", logging.INFO, "", 0, message, args, None)

    unhandled = record("Unhandled request ({'text': %r})", "secret")
    assert without_request_bodies(unhandled) and "secret" not in unhandled.getMessage()
    invalid = record("Invalid request signature detected (body: x)")
    without_request_bodies(invalid)
    assert invalid.getMessage() == "Invalid request signature detected (request body not logged)"


class _Log:
    def __getattr__(self, level):
        return lambda *args, **kwargs: None


def test_token_checks_name_the_variable(settings, slack):
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        tokens.bot_token(settings)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not a bot token"):
        tokens.bot_token(settings.model_copy(update={"slack_bot_token": _secret("xapp-1")}))
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        tokens.signing_secret(settings)
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN is not an app-level token"):
        tokens.app_token(settings.model_copy(update={"slack_app_token": _secret("xoxb-1")}))
    configured = settings.model_copy(update={"slack_bot_token": _secret("xoxb-wrong"), "slack_api_url": slack.api_url})
    with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\)"):
        tokens.verify_bot_token(tokens.web_client(configured), configured)
    good = configured.model_copy(update={"slack_bot_token": _secret(BOT_TOKEN)})
    assert tokens.verify_bot_token(tokens.web_client(good), good)["user_id"] == "UBOT"


def test_unreachable_slack_is_a_config_error_naming_the_url(settings):
    nowhere = settings.model_copy(update={"slack_bot_token": _secret(BOT_TOKEN), "slack_api_url": "http://127.0.0.1:9"})
    with pytest.raises(ConfigError, match=r"cannot reach Slack's Web API at http://127.0.0.1:9/.*SLACK_API_URL"):
        tokens.verify_bot_token(tokens.web_client(nowhere), nowhere)


def _secret(value: str):
    from pydantic import SecretStr

    return SecretStr(value)


def test_healthz_checks_the_database(bot):
    statuses = []
    wsgi = SlackWsgi(app=None, bot=bot, signing_secret=SECRET)
    body = wsgi({"PATH_INFO": "/healthz"}, lambda status, headers: statuses.append(status))
    assert statuses == ["200 OK"] and json.loads(b"".join(body)) == {"status": "ok"}
    bot.advisor.engine.dispose()
    bot.advisor.__dict__["engine"] = _BrokenEngine()
    wsgi({"PATH_INFO": "/healthz"}, lambda status, headers: statuses.append(status))
    assert statuses[-1] == "503 Service Unavailable"


class _BrokenEngine:
    def connect(self):
        raise OSError("connection refused")

    def dispose(self):
        pass
