"""The App Home tab, and the agent's DM (the Messages tab): greeting and suggested prompts."""

import json

from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts

from advisor.access import Requester
from advisor.errors import StorageError
from bot.slack.listeners.assistant import handle_messages_tab
from bot.slack.listeners.home import handle_home_opened


def test_home_shows_the_portfolio_within_the_users_visibility(bot, client):
    handle_home_opened(bot, {"type": "app_home_opened", "user": "U1", "tab": "home"}, client)
    handle_home_opened(bot, {"type": "app_home_opened", "user": "U0STRATEGY1", "tab": "home"}, client)
    outsider, insider = (c["view"]["blocks"] for c in client.of("views_publish"))
    assert client.of("views_publish")[0]["user_id"] == "U1"
    text = json.dumps(outsider)
    assert "By phase" in text and "Stalled" in text and "Most common missing capabilities" in text
    assert "Deal Room Summariser" not in text

    def visible(blocks) -> int:
        return int(blocks[1]["elements"][0]["text"].split()[0])  # "13 initiatives you can see"

    assert visible(insider) == visible(outsider) + 1  # the restricted deal-room record is the insider's only


def test_home_failure_publishes_a_helpful_error_view_without_server_details(bot, advisor, client, monkeypatch):
    def broken(requester):
        raise StorageError("cannot open the database postgresql://advisor@db:5432/advisor: OperationalError")

    monkeypatch.setattr(advisor, "portfolio_summary", broken)
    handle_home_opened(bot, {"type": "app_home_opened", "user": "U1", "tab": "home"}, client)
    text = client.of("views_publish")[0]["view"]["blocks"][0]["text"]["text"]
    assert "couldn't reach my database" in text and "Reopen this tab" in text
    assert "postgresql" not in text and "OperationalError" not in text


def test_messages_tab_greets_once_and_sets_prompts_without_a_thread(bot, client):
    """agent_view: opening the agent's DM is app_home_opened with tab "messages"; the prompts are set
    for the DM's latest message, without thread_ts (with it, Slack drops them for agent apps)."""
    event = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages"}
    for _ in range(2):
        handle_messages_tab(bot, event, client, SetSuggestedPrompts(client, "D1"))
    [greeting] = client.of("chat_postMessage")
    assert greeting["channel"] == "D1" and "<@U1>" in greeting["text"] and "thread_ts" not in greeting
    first, second = client.of("assistant_threads_setSuggestedPrompts")
    assert first == second and first["channel_id"] == "D1" and first.get("thread_ts") is None
    titles = [p["title"] for p in first["prompts"]]
    assert titles == ["Next phase", "Risks", "Missing infrastructure", "Portfolio status"]
    stalled = [m.name for m in bot.advisor.portfolio_summary(Requester(user_id="U1")).stalled]
    assert any(name in first["prompts"][0]["message"] for name in stalled)
