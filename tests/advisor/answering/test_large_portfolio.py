"""A portfolio far larger than an answer can list: every list capped, the rest counted, quotes fetched
together, and the answer within Slack's limits.

Real embedding model, Chroma on a temp dir and SQLite; the records are the benchmark's synthetic
ones (benchmarks/portfolio_scale.py), ingested through the real pipeline.
"""

import re

import pytest

from advisor import Advisor
from advisor.access import Requester
from advisor.answering.listing import LISTED_AT_MOST
from advisor.search.vectorstore import VectorStore
from benchmarks.portfolio_scale import synthetic_rows, write_files
from bot.slack.blocks import FALLBACK_LIMIT, MAX_BLOCKS, answer_messages
from bot.slack.mrkdwn import TEXT_LIMIT
from ingest.pipeline import Ingestor
from tests.conftest import TODAY, make_settings

COUNT = 240
ADMIN = Requester.admin()
POINTER = "`advisor portfolio --csv FILE` or `advisor portfolio --json`"


@pytest.fixture(scope="module")
def advisor(tmp_path_factory):
    root = tmp_path_factory.mktemp("large")
    advisor = Advisor(make_settings(root / "data", sample_portfolio=False), today=TODAY)
    files = write_files(synthetic_rows(COUNT, advisor.framework), root / "records")
    summary = Ingestor(advisor).run(files)
    assert summary.counts["added"] == len(files) and not summary.failed
    return advisor


def sections(text: str) -> dict[str, list[str]]:
    """Bulleted lines under each bold heading."""
    found, heading = {}, None
    for line in text.splitlines():
        if re.fullmatch(r"\*\*[^*]+\*\*", line):
            heading = line.strip("*")
            found[heading] = []
        elif heading and line.startswith("- "):
            found[heading].append(line)
    return found


def assessments(advisor):
    return [advisor.assess(r.id, ADMIN) for r in advisor.portfolio.all(ADMIN)]


def assert_fits_slack(advisor, answer):
    messages = answer_messages(answer, advisor.framework)
    assert len(messages) == 1
    blocks = messages[0]["blocks"]
    assert len(blocks) <= MAX_BLOCKS and len(messages[0]["text"]) <= FALLBACK_LIMIT
    assert all(len(b["text"]["text"]) <= TEXT_LIMIT for b in blocks if b["type"] == "section" and "text" in b)


def test_the_overview_lists_a_handful_per_list_and_counts_the_rest(advisor):
    every = assessments(advisor)
    stalled = sum(a.stalled for a in every)
    no_owner = sum(not a.business_owner for a in every)
    assert stalled > LISTED_AT_MOST and no_owner > LISTED_AT_MOST  # the lists must be cut for the test to mean anything

    answer = advisor.ask("how is the AI portfolio doing?", ADMIN)
    listed = sections(answer.text)
    assert listed[f"Stalled ({stalled})"][-1].startswith(f"- …and {stalled - LISTED_AT_MOST} more.")
    assert listed[f"Without a business owner ({no_owner})"][-1].startswith(f"- …and {no_owner - LISTED_AT_MOST} more.")
    assert all(len(lines) <= LISTED_AT_MOST + 1 for lines in listed.values())
    assert POINTER in answer.text and f"You can see **{COUNT}** initiatives" in answer.text
    assert len(answer.initiatives) == COUNT  # the JSON answer still names every initiative counted
    assert_fits_slack(advisor, answer)


@pytest.mark.parametrize(
    "question",
    ["which initiatives are stalled?", "which region has the most stalled initiatives?", "genai in Japan in phase 2"],
)
def test_filtered_and_ranked_lists_are_capped_too(advisor, question):
    answer = advisor.ask(question, ADMIN)
    listed = sections(answer.text)
    assert listed and all(len(lines) <= LISTED_AT_MOST + 1 for lines in listed.values())
    assert_fits_slack(advisor, answer)


def test_stalled_list_counts_exactly_what_it_leaves_out(advisor):
    stalled = sum(a.stalled for a in assessments(advisor))
    answer = advisor.ask("which initiatives are stalled?", ADMIN)
    assert f"**{stalled}** of the {COUNT} initiatives you can see match" in answer.text
    assert f"…and {stalled - LISTED_AT_MOST} more." in answer.text and POINTER in answer.text
    assert len(re.findall(r"\(SYN-\d{5}\) is in phase", answer.text)) == LISTED_AT_MOST  # each quoted from its record


def test_record_quotes_are_fetched_in_a_few_queries_not_one_per_initiative(advisor, monkeypatch):
    calls = []
    real_get = VectorStore.get

    def counting_get(self, *args, **kwargs):
        calls.append(kwargs.get("where"))
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(VectorStore, "get", counting_get)
    answer = advisor.ask("how is the AI portfolio doing?", ADMIN)
    quoted = len(re.findall(r"\(SYN-\d{5}\) is in phase", answer.text))
    assert quoted >= 2 * LISTED_AT_MOST  # stalled and unmeasured lists, each quoted from its record
    assert len(calls) <= 3, calls
