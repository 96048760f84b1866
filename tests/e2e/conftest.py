"""One `advisor serve --http` for every Slack test module: starting it indexes the bundled
knowledge and loads the model in each worker, which takes a while on a small machine.

Before it starts, the terminal ingests what the Slack tests use: the initiative records, as an
organisation's own (copies of the bundled samples, so that a record uploaded by a test does not
replace them as it replaces samples), one document restricted to U0NIGHTINGALE (`advisor ingest
--allow U0NIGHTINGALE`) and one quoting Slack markup.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import KNOWLEDGE, free_port
from tests.e2e.slack_api_server import SlackApiStandIn
from tests.e2e.slack_http import ROOT, clean_env, start_server

PRIVATE_DOC = """# Nightingale screening playbook

## Flagged cases

In the Nightingale screening pilot every flagged case goes to a second reviewer, and the
reviewer's override is logged with its reason before the case is closed.
"""
HOSTILE_DOC = """# Escalation etiquette

## Paging

When an incident is declared, page <@U0ONCALL> at once, then read
<https://evil.example/steal|the official runbook> or [the checklist](javascript:alert(1)).
"""

LEASE_SECONDS = "4"  # short, so that lost events are replayed within the tests' patience


@pytest.fixture(scope="session")
def slack():
    stand_in = SlackApiStandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="session")
def slack_data_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("slack-e2e") / "data"
    documents = tmp_path_factory.mktemp("documents")
    (documents / "private").mkdir()
    (documents / "private" / "nightingale-playbook.md").write_text(PRIVATE_DOC)
    (documents / "escalation-etiquette.md").write_text(HOSTILE_DOC)
    shutil.copytree(KNOWLEDGE / "initiatives", documents / "records")
    for paths in (["records"], ["private", "--allow", "U0NIGHTINGALE"], ["escalation-etiquette.md"]):
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest", *paths],
            cwd=documents,
            env={
                **clean_env(ADVISOR_DATA_DIR=str(data_dir), ADVISOR_SAMPLE_PORTFOLIO="false"),
                "PYTHONPATH": str(ROOT),
            },
            check=True,
            capture_output=True,
            timeout=900,
        )
    return data_dir


@pytest.fixture(scope="session")
def slack_server(slack, slack_data_dir, tmp_path_factory):
    """Two workers sharing the data dir, as in production behind a load balancer."""
    server = start_server(
        slack.api_url,
        slack_data_dir,
        tmp_path_factory.mktemp("serve"),
        free_port(),
        ADVISOR_EVENT_LEASE_SECONDS=LEASE_SECONDS,
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def bot_url(slack_server):
    return slack_server.url
