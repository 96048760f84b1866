"""Fixtures for the Slack listener tests: fakes for Slack only (see fakes.py), real stores."""

from __future__ import annotations

import pytest

from bot.slack.services import AdvisorBot
from ingest.records import load_records
from tests.bot.slack.fakes import ADMIN, BOT_ID, BOT_USER, FakeSlackClient, ScriptedAdvisor
from tests.conftest import KNOWLEDGE, make_settings
from tests.e2e.slack_api_server import SlackApiStandIn


@pytest.fixture(scope="module")
def slack():
    """The local HTTP server standing in for Slack's Web API (tests/e2e/slack_api_server.py)."""
    stand_in = SlackApiStandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def client():
    return FakeSlackClient()


@pytest.fixture
def advisor(tmp_path):
    settings = make_settings(tmp_path / "data", admins=[ADMIN])
    scripted = ScriptedAdvisor(settings)
    for path in sorted((KNOWLEDGE / "initiatives").glob("*.yaml")):
        scripted.portfolio.replace_source(str(path), load_records(path, scripted.framework))
    yield scripted
    scripted.engine.dispose()


@pytest.fixture
def bot(advisor):
    return AdvisorBot.open(advisor.settings, advisor)


@pytest.fixture
def me():
    from bot.slack.routing import Identity

    return Identity(bot_user_id=BOT_USER, bot_id=BOT_ID)
