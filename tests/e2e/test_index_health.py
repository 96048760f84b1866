"""A running advisor and the `advisor` command writing to the same data dir; a lost vector store.

Real processes: the CLI runs as a subprocess on the data dir an in-process Advisor (as the Slack
bot holds it) keeps open, with the default embedded Chroma and SQLite.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from advisor import Advisor
from advisor.access import Requester
from ingest.pipeline import Ingestor
from tests.conftest import TODAY, make_settings
from tests.e2e.test_cli import run

DOCS = {
    "canary.md": "# Canary releases\n\n## Rollout\n\nRoute five percent of traffic to the new model first and "
    "compare error rates before promoting it to everyone.\n",
    "drift.md": "# Drift\n\n## Monitoring\n\nWhen live inputs move away from the training data, prediction "
    "quality decays silently; watch the input distributions.\n",
    "tokens.md": "# Token budgets\n\n## Spend\n\nCap tokens per user per day and alert when the spend of a use "
    "case exceeds its monthly budget.\n",
    "board.md": "# Board memo\n\n## Acquisition\n\nThe acquisition of Northwind Traders is planned for March; "
    "keep this confidential.\n",
}
CANARY = "try a new model version on a small share of users before everyone"
TOKENS = "limit how much we spend on the language model each month"


FILLER = "".join(
    f"## Note {i}\n\nMeeting note {i} on the quarterly planning of team {i % 7}, room {i % 11}.\n\n" for i in range(150)
)


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text)
    (folder / "notes.md").write_text("# Notes\n\n" + FILLER)  # enough chunks for Chroma to build its graph
    return folder


def sources(hits) -> list[str]:
    return [h.chunk.source_key.rsplit("/", 1)[-1] for h in hits]


BUILD = """
import sys
from pathlib import Path
import numpy as np
from advisor import Advisor
from advisor.search.index import Chunk
from bot.bootstrap import load_settings
from ingest.pipeline import Ingestor

advisor = Advisor(load_settings())
Ingestor(advisor).run([Path(p) for p in sys.argv[1:]])
# filler standing for a large index (its vectors random: nothing asks for them), so that Chroma
# keeps its vector graph on disk as it does for a real one
filler = [
    Chunk(id=f"filler-{i:05d}", text=f"filler {i}", source="filler", source_key="/filler", kind="document",
          title="filler", section="filler", position=i)
    for i in range(1500)
]
vectors = np.random.default_rng(1).normal(size=(len(filler), advisor.index.embedder.dimension)).astype(np.float32)
advisor.index.vectors.upsert([c.id for c in filler], vectors, [c.text for c in filler], [c.metadata() for c in filler])
advisor.index.mark_changed()
"""


def build_elsewhere(data_dir, *paths) -> None:
    """Index ``paths`` and 1,500 filler chunks in a Python process of its own (no bundled knowledge)."""
    env = {**os.environ, "ADVISOR_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-c", BUILD, *map(str, paths)], env=env, check=True, cwd=data_dir.parent)


@pytest.fixture
def running(tmp_path, docs):
    """The bot's advisor, started on an index another process built, its vector graph loaded."""
    data_dir = tmp_path / "data"
    build_elsewhere(data_dir, docs / "canary.md", docs / "drift.md")
    advisor = Advisor(make_settings(data_dir), today=TODAY)
    assert sources(advisor.index.search(CANARY, Requester.admin(), k=1, mode="dense")) == ["canary.md"]
    return advisor


def test_a_running_advisor_finds_what_another_process_ingests(running, docs):
    added = run(running.settings.data_dir, "ingest", str(docs / "tokens.md"))
    assert added.returncode == 0, added.stderr
    for mode in ("dense", "bm25", "hybrid"):
        assert sources(running.index.search(TOKENS, Requester.admin(), k=1, mode=mode)) == ["tokens.md"]


def test_a_running_advisor_answers_after_another_process_removes_a_document(running, docs):
    removed = run(running.settings.data_dir, "remove", str(docs / "canary.md"))
    assert removed.returncode == 0, removed.stderr
    admin = Requester.admin()
    answer = running.ask("how do we roll a new model out to a small share of users first?", admin)
    assert all(not c.source.endswith("canary.md") for c in answer.citations)
    for mode in ("dense", "bm25", "hybrid"):
        assert "canary.md" not in sources(running.index.search(CANARY, admin, k=5, mode=mode))


def doctor(data_dir, *args):
    result = run(data_dir, "doctor", *args, "--json")
    return result.returncode, json.loads(result.stdout)


def test_a_lost_vector_store_is_reported_and_reindexed_with_each_source_access_list(tmp_path, docs):
    data_dir = tmp_path / "data"
    advisor = Advisor(make_settings(data_dir), today=TODAY)
    Ingestor(advisor).run([docs / "canary.md", docs / "tokens.md"])
    Ingestor(advisor, allowed=["U_BOARD"]).run([docs / "board.md"])
    shutil.rmtree(data_dir / "chroma")

    code, report = doctor(data_dir, "--check")
    assert code == 1 and not report["healthy"] and report["checked_only"]
    wrong = {f["check"]: f for f in report["findings"] if not f["ok"]}
    assert "3 sources" in wrong["sources"]["detail"] and "would index 3 sources" in wrong["sources"]["repair"]

    code, report = doctor(data_dir)  # repairs
    assert code == 0 and report["healthy"], report
    assert any(f["repaired"] and "indexed 3 sources again" in f["repair"] for f in report["findings"])
    assert doctor(data_dir, "--check")[0] == 0

    again = json.loads(run(data_dir, "ingest", str(docs / "canary.md"), str(docs / "tokens.md"), "--json").stdout)
    assert again["counts"]["unchanged"] == 2
    found = json.loads(run(data_dir, "search", TOKENS, "--k", "1", "--json").stdout)
    assert found[0]["chunk"]["source"].endswith("tokens.md")
    memo = "acquisition of Northwind Traders"
    for user, sees in (("U_OTHER", False), ("U_BOARD", True)):
        hits = json.loads(run(data_dir, "search", memo, "--user", user, "--json").stdout)
        assert any(h["chunk"]["source"].endswith("board.md") for h in hits) is sees


def test_any_command_heals_a_lost_vector_store_on_open(tmp_path, docs):
    data_dir = tmp_path / "data"
    advisor = Advisor(make_settings(data_dir), today=TODAY)
    Ingestor(advisor).run([docs / "canary.md", docs / "tokens.md"])
    shutil.rmtree(data_dir / "chroma")
    result = run(data_dir, "ask", "How do we keep token spend under the monthly budget?", "--json")
    assert result.returncode == 0, result.stderr
    assert "index check" in result.stderr  # loudly
    answer = json.loads(result.stdout)
    assert answer["found"] and any(c["source"].endswith("tokens.md") for c in answer["citations"])
    assert doctor(data_dir, "--check")[0] == 0
