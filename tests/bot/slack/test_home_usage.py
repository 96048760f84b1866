"""The App Home tab shows admins the chat model's token usage, per day and per user; nobody else."""

import json
from datetime import UTC, datetime, timedelta

from advisor.feedback import UsageEntry, UsageStore
from bot.slack.listeners.home import handle_home_opened
from tests.bot.slack.fakes import ADMIN


def record(advisor, user, tokens_in, tokens_out, days_ago=0, limited=False):
    at = datetime.now(UTC) - timedelta(days=days_ago)
    entry = UsageEntry(
        user_id=user,
        composer="openai:gpt-4.1-mini",
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        limited=limited,
        created_at=at,
    )
    UsageStore(advisor.engine).record(entry)


def home(bot, client, user) -> str:
    handle_home_opened(bot, {"type": "app_home_opened", "user": user, "tab": "home"}, client)
    return json.dumps(client.of("views_publish")[-1]["view"]["blocks"], ensure_ascii=False)


def test_admins_see_tokens_per_day_and_per_user(bot, advisor, client):
    record(advisor, "U0ANA", 12000, 800)
    record(advisor, "U0ANA", 3000, 200, days_ago=1)
    record(advisor, "U0BEN", 0, 0, limited=True)
    record(advisor, None, 500, 50)
    record(advisor, "U0OLD", 90000, 9000, days_ago=30)  # before the week shown
    text = home(bot, client, ADMIN)
    assert "Chat-model usage (admins)" in text and "By phase" in text
    today, yesterday = datetime.now(UTC).date(), datetime.now(UTC).date() - timedelta(days=1)
    assert f"• {yesterday.isoformat()}: 3,200 tokens (3,000 in, 200 out) in 1 answers" in text
    assert f"• {today.isoformat()}: 13,350 tokens (12,500 in, 850 out) in 3 answers, 1 over the hourly limit" in text
    assert "• <@U0ANA>: 16,000 tokens" in text and "• <@U0BEN>: 0 tokens" in text
    assert "• (terminal): 550 tokens" in text and "U0OLD" not in text
    assert text.index("<@U0ANA>") < text.index("(terminal)") < text.index("<@U0BEN>")  # the heaviest first


def test_other_users_never_see_usage(bot, advisor, client):
    record(advisor, "U0ANA", 12000, 800)
    text = home(bot, client, "U1")
    assert "By phase" in text and "Chat-model usage" not in text and "U0ANA" not in text


def test_admins_are_told_when_no_chat_model_was_used(bot, client):
    text = home(bot, client, ADMIN)
    assert "No answer has used a chat model since" in text
