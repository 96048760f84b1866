"""/advisor: ask, initiative, portfolio, ingest, help; ephemeral replies with a share button."""

import json

import pytest

from bot.slack.listeners.commands import handle_command, parse_command
from tests.bot.slack.fakes import ADMIN, Recorder


def command(text: str, user: str = "U1") -> dict:
    return {
        "command": "/advisor",
        "text": text,
        "user_id": user,
        "channel_id": "C5",
        "response_url": "https://hooks.slack.com/commands/x",
    }


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("", ("help", "")),
        ("help", ("help", "")),
        ("ASK  why? ", ("ask", "why?")),
        ("initiative CLM-001", ("initiative", "CLM-001")),
        ("portfolio", ("portfolio", "")),
        ("which initiatives are stalled?", ("ask", "which initiatives are stalled?")),
    ],
)
def test_parse_command(text, parsed):
    assert parse_command(text) == parsed


def test_ask_replies_ephemeral_with_answer_and_share_button(bot, advisor, client):
    respond = Recorder()
    handle_command(bot, command("ask what is missing for claims triage?"), respond, client)
    [reply] = respond.calls
    assert reply["response_type"] == "ephemeral"
    assert advisor.asked[0][0] == "what is missing for claims triage?"
    assert (advisor.asked[0][1].user_id, advisor.asked[0][1].channel_id) == ("U1", "C5")
    share = reply["blocks"][-1]["elements"][-1]
    assert share["action_id"] == "share_answer"
    assert json.loads(share["value"]) == {"cmd": "ask", "arg": "what is missing for claims triage?"}


def test_initiative_is_assessed_exactly(bot, client, framework):
    respond = Recorder()
    handle_command(bot, command("initiative claims triage"), respond, client)
    [reply] = respond.calls
    text = json.dumps(reply["blocks"])
    assert "*Claims Triage Assistant* (`CLM-001`)" in text and "Gate to the next phase" in text
    assert reply["text"].startswith("Claims Triage Assistant: phase 2")
    assert json.loads(reply["blocks"][-1]["elements"][0]["value"]) == {"cmd": "initiative", "arg": "claims triage"}


def test_unknown_initiative_says_what_to_try(bot, client):
    respond = Recorder()
    handle_command(bot, command("initiative Zorg Reactor"), respond, client)
    [reply] = respond.calls
    assert reply["text"].startswith(":warning: I couldn't find that") and "/advisor portfolio" in reply["text"]


def test_restricted_initiative_is_invisible_to_others(bot, client):
    respond = Recorder()
    handle_command(bot, command("initiative MNA-013", user="U_OUTSIDER"), respond, client)
    assert "couldn't find" in respond.calls[0]["text"]


def test_portfolio_with_and_without_filter(bot, client):
    everything, stalled, nothing = Recorder(), Recorder(), Recorder()
    handle_command(bot, command("portfolio"), everything, client)
    handle_command(bot, command("portfolio stalled"), stalled, client)
    handle_command(bot, command("portfolio atlantis"), nothing, client)
    all_count = int(everything.calls[0]["text"].split(": ")[1].split()[0])
    stalled_count = int(stalled.calls[0]["text"].split(": ")[-1].split()[0])
    assert 0 < stalled_count < all_count
    assert "By phase" in json.dumps(everything.calls[0]["blocks"])
    assert "atlantis" in nothing.calls[0]["text"] and "stalled" in nothing.calls[0]["text"]


def test_help_and_missing_arguments(bot, client):
    respond = Recorder()
    handle_command(bot, command(""), respond, client)
    handle_command(bot, command("ask"), respond, client)
    handle_command(bot, command("initiative"), respond, client)
    assert "/advisor ask QUESTION" in respond.calls[0]["blocks"][0]["text"]["text"]
    assert respond.calls[1]["text"].startswith("What would you like to ask?")
    assert respond.calls[2]["text"].startswith("Which initiative?")


def test_ingest_by_a_non_admin_is_refused_and_nothing_is_fetched(bot, client):
    respond = Recorder()
    handle_command(bot, command("ingest https://x.slack.com/files/U1/F0ABCDEF12/plan.pdf"), respond, client)
    [reply] = respond.calls
    assert "only admins" in reply["text"] and "F0ABCDEF12" in reply["text"]
    assert client.calls == []


def test_ingest_without_a_file_explains_how(bot, client):
    respond = Recorder()
    client.responses["files_list"] = {"ok": True, "files": []}
    handle_command(bot, command("ingest", user=ADMIN), respond, client)
    assert "I found no file to ingest" in respond.calls[0]["text"]
    assert client.of("files_list") == [{"user": ADMIN, "channel": "C5", "count": 1}]


def test_unexpected_failure_is_reported_not_raised(bot, advisor, client):
    advisor.failure = MemoryError()
    respond = Recorder()
    handle_command(bot, command("ask anything"), respond, client)
    assert "went wrong" in respond.calls[0]["text"] and respond.calls[0]["response_type"] == "ephemeral"


HOSTILE = """id: HOST-1
name: "Launch <!channel> Bot & <@U123>"
business_unit: "Ops <!here>"
region: Japan
ai_type: genai
phase: 2
phase_since: 2026-07-15
"""


def test_record_text_never_reaches_slack_as_markup(bot, advisor, client, tmp_path):
    """The fallback `text` (notifications, screen readers) is mrkdwn too: escaped like the blocks."""
    from ingest.records import load_records

    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE)
    advisor.portfolio.replace_source(str(path), load_records(path, advisor.framework))
    respond = Recorder()
    handle_command(bot, command("initiative HOST-1"), respond, client)
    handle_command(bot, command("portfolio japan"), respond, client)
    sent = json.dumps(respond.calls)
    assert respond.calls[0]["text"].startswith("Launch &lt;!channel&gt; Bot &amp; &lt;@U123&gt;: phase 2")
    assert "<!channel>" not in sent and "<@U123>" not in sent and "<!here>" not in sent
