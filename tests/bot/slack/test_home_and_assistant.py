"""The App Home tab and the agent pane's suggested prompts."""

import json

from advisor.errors import StorageError
from bot.slack.listeners.assistant import handle_thread_started
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


def test_messages_tab_publishes_nothing(bot, client):
    handle_home_opened(bot, {"type": "app_home_opened", "user": "U1", "tab": "messages"}, client)
    assert client.calls == []


def test_home_failure_publishes_a_helpful_error_view(bot, advisor, client, monkeypatch):
    def broken(requester):
        raise StorageError("database is locked")

    monkeypatch.setattr(advisor, "portfolio_summary", broken)
    handle_home_opened(bot, {"type": "app_home_opened", "user": "U1", "tab": "home"}, client)
    text = client.of("views_publish")[0]["view"]["blocks"][0]["text"]["text"]
    assert "database is locked" in text and "Reopen this tab" in text


def test_agent_pane_greets_and_suggests_prompts_about_a_real_initiative(bot, client):
    event = {
        "type": "assistant_thread_started",
        "assistant_thread": {"user_id": "U1", "channel_id": "D1", "thread_ts": "300.1", "context": {}},
    }
    handle_thread_started(bot, event, client)
    [greeting] = client.of("chat_postMessage")
    assert greeting["thread_ts"] == "300.1" and "<@U1>" in greeting["text"]
    [prompts] = client.of("assistant_threads_setSuggestedPrompts")
    assert [p["title"] for p in prompts["prompts"]] == [
        "Next phase",
        "Risks",
        "Missing infrastructure",
        "Portfolio status",
    ]
    stalled = bot.advisor.portfolio_summary(bot.requester("U1", "D1")).stalled[0].name
    assert stalled in prompts["prompts"][0]["message"]
