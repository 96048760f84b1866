"""The fictional sample initiatives: named as samples wherever they are counted, and taken out by the
first ingest of the organisation's own records (from the terminal or a Slack upload).

Real embedding model, Chroma on a temp dir and SQLite; Slack's Web API is the local stand-in.
"""

import pytest
from slack_sdk import WebClient

from advisor import Advisor
from advisor.access import Requester
from bot.slack.services import AdvisorBot
from bot.slack.uploads import ingest_shared_files
from bot.slack.views import portfolio_blocks
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor
from tests.bot.slack.fakes import ADMIN
from tests.conftest import KNOWLEDGE, TODAY, make_settings
from tests.e2e.slack_api_server import BOT_TOKEN, SlackApiStandIn
from tests.ingest.test_records import HEADER, ROW

SAMPLES = KNOWLEDGE / "initiatives"
EVERYONE = Requester(user_id="U_ANYONE")


@pytest.fixture
def advisor(tmp_path):
    advisor = Advisor(make_settings(tmp_path / "data", admins=[ADMIN]), today=TODAY)
    assert Ingestor(advisor).run([SAMPLES]).counts["added"] == 14
    return advisor


@pytest.fixture
def real_records(tmp_path):
    path = tmp_path / "portfolio.csv"
    path.write_text(HEADER + "\n" + ROW + "\n")
    return path


def sample_ids(advisor) -> set[str]:
    return {r.id for r in advisor.portfolio.all(Requester.admin()) if r.id != "ACME-1"}


def test_answers_and_views_that_count_samples_say_how_many_are_samples(advisor):
    visible = len(advisor.portfolio.all(EVERYONE))
    summary = advisor.portfolio_summary(EVERYONE)
    assert summary.total == visible and len(summary.samples) == visible  # every visible one is a sample
    blocks = str(portfolio_blocks(summary, advisor.framework, "AI portfolio at a glance"))
    assert f"{visible} of these {visible} initiatives are fictional samples" in blocks

    answer = advisor.ask("how is the AI portfolio doing?", EVERYONE)
    assert f"_Note: {visible} of these {visible} initiatives are fictional samples" in answer.text
    japanese = advisor.ask("AIポートフォリオの状況は？", EVERYONE)
    assert japanese.language == "ja" and f"{visible}件は、アドバイザーに同梱された架空のサンプル" in japanese.text
    stalled = advisor.ask("which initiatives are stalled?", EVERYONE)
    assert "fictional sample" in stalled.text
    # a question about one practice counts nothing: no note
    assert "fictional" not in advisor.ask("what is LLMOps?", EVERYONE).text


def test_the_first_real_records_take_the_samples_out_and_say_so(advisor, real_records):
    samples = sample_ids(advisor)
    summary = Ingestor(advisor).run([real_records])
    assert summary.samples_removed == sorted(samples)
    assert summary.counts["added"] == 1 and summary.counts["removed"] == 14
    assert [r.id for r in advisor.portfolio.all(Requester.admin())] == ["ACME-1"]
    assert not [k for k in Manifest(advisor.engine).entries() if "knowledge/initiatives" in k]
    assert not [m for _, _, m in advisor.index.vectors.get() if m.get("initiative_id") in samples]
    assert advisor.portfolio_summary(EVERYONE).samples == []
    assert "fictional" not in advisor.ask("how is the AI portfolio doing?", EVERYONE).text

    again = Ingestor(advisor).run([real_records])
    assert again.samples_removed == [] and again.counts["unchanged"] == 1
    # samples asked for by name come back, and stay while they are what is being ingested
    back = Ingestor(advisor).run([SAMPLES])
    assert back.counts["added"] == 14 and back.samples_removed == []


def test_a_failed_record_file_leaves_the_samples(advisor, real_records):
    real_records.write_text(HEADER + "\n" + ROW.replace(",ml,", ",llm,") + "\n")
    summary = Ingestor(advisor).run([real_records])
    assert summary.failed and summary.samples_removed == [] and len(sample_ids(advisor)) == 14


def test_a_slack_upload_of_real_records_takes_the_samples_out_and_says_so(advisor, real_records):
    slack = SlackApiStandIn().start()
    try:
        bot = AdvisorBot.open(advisor.settings.model_copy(update={"slack_api_url": slack.api_url}), advisor)
        info = slack.add_file("FREC1", "portfolio.csv", real_records.read_bytes(), user=ADMIN)
        reply = ingest_shared_files(bot, WebClient(token=BOT_TOKEN, base_url=slack.api_url), [info])
    finally:
        slack.stop()
    assert "Removed the 14 fictional sample initiatives (CLM-001, CON-010, CSA-006, …)" in reply
    assert "1 added" in reply and [r.id for r in advisor.portfolio.all(Requester.admin())] == ["ACME-1"]
