"""The `advisor` command as a user runs it: a real process, a real data dir, real output."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy

from advisor.search.model_record import read_record
from advisor.search.vectorstore import VectorStore
from tests.conftest import CORPORA, make_settings

ADVISOR = str(Path(sys.executable).parent / "advisor")
CSV = """id,name,business_unit,region,ai_type,phase,phase_since,business_owner,tech_owner,kpi_name,kpi_baseline,kpi_target,kpi_current,capabilities,risks,roadmap_goal,visibility,allowed,notes
OPS-7,Warehouse Slotting Optimiser,Logistics,Japan,ml,3,2026-01-10,Mei Ito,Ken Abe,Pick time (s),95,70,74,data_pipeline;api_integration;model_versioning;cd_pipeline;monitoring;evaluation;access_governance;drift_detection;retraining_pipeline,,Faster fulfilment 2027,public,,
GEN-2,Sales Email Drafter,Sales,Korea,genai,2,2026-10-01,,Jin Han,Reply rate (%),4,6,,prompt_versioning;guardrails,token_cost,,restricted,U_SALES;C_SALES,Pilot with 5 reps
AGT-9,Procurement Agent,Procurement,Vietnam,agent,4,2025-09-15,Linh Do,Bao Vo,Cycle time (days),12,5,4.5,data_pipeline;api_integration;model_versioning;cd_pipeline;monitoring;evaluation;access_governance;prompt_versioning;vector_db_management;guardrails;cost_tracking;knowledge_refresh;tool_permissions;human_in_the_loop;audit_logging;orchestration_monitoring,,,public,,
"""


def run(data_dir, *args, env=None, timeout=600):
    """`advisor ARGS` in a directory of its own (no .env there), on the given data dir."""
    environment = {**os.environ, "ADVISOR_DATA_DIR": str(data_dir), **(env or {})}
    workdir = Path(data_dir).parent
    workdir.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [ADVISOR, *args], capture_output=True, text=True, env=environment, timeout=timeout, cwd=workdir
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli") / "data"


@pytest.fixture(scope="module")
def portfolio_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("records") / "portfolio.csv"
    path.write_text(CSV)
    return path


def test_first_question_on_an_empty_data_dir_is_answered_with_citations(data_dir):
    result = run(data_dir, "ask", "What do we need before a GenAI pilot goes live?", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["found"] and answer["citations"] and "[1]" in answer["text"]
    assert all(c["source"].startswith("knowledge/practices/") for c in answer["citations"])


def test_ingest_csv_then_initiative_json_is_exact(data_dir, portfolio_csv):
    result = run(data_dir, "ingest", str(portfolio_csv), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["counts"]["added"] == 1 and summary["results"][0]["records"] == 3

    ops = json.loads(run(data_dir, "initiative", "OPS-7", "--json").stdout)
    assert {
        k: ops[k]
        for k in (
            "id",
            "name",
            "ai_type",
            "phase",
            "phase_name",
            "next_phase",
            "unmet_gates",
            "missing_capabilities",
            "stalled",
        )
    } == {
        "id": "OPS-7",
        "name": "Warehouse Slotting Optimiser",
        "ai_type": "ml",
        "phase": 3,
        "phase_name": "Start with one narrow operational workflow",
        "next_phase": 4,
        "unmet_gates": ["The KPI's current value meets its target (current 74, target 70, lower is better)"],
        "missing_capabilities": [],
        "stalled": True,
    }
    assert ops["risks"] == ["data_drift", "model_degradation", "retraining_complexity", "stalled"]
    assert isinstance(ops["days_in_phase"], int) and ops["days_in_phase"] > 180

    gen = json.loads(run(data_dir, "initiative", "sales email drafter", "--json").stdout)
    assert gen["next_phase"] == 3 and gen["missing_capabilities"] == [
        "data_pipeline",
        "api_integration",
        "model_versioning",
        "cd_pipeline",
        "monitoring",
        "evaluation",
        "access_governance",
        "vector_db_management",
        "cost_tracking",
        "knowledge_refresh",
    ]
    assert "no_business_owner" in gen["risks"] and "no_measured_kpi" in gen["risks"]

    agent = json.loads(run(data_dir, "initiative", "AGT-9", "--json").stdout)
    assert agent["unmet_gates"] == ["The initiative is linked to an enterprise roadmap goal"]
    assert agent["missing_capabilities"] == [] and agent["next_phase"] == 5


def test_restricted_record_is_not_found_for_others_exactly_like_an_unknown_id(data_dir, portfolio_csv):
    run(data_dir, "ingest", str(portfolio_csv))
    hidden = run(data_dir, "initiative", "GEN-2", "--user", "U_OTHER")
    unknown = run(data_dir, "initiative", "NOPE-1", "--user", "U_OTHER")
    assert hidden.returncode == unknown.returncode == 1
    assert hidden.stderr.replace("GEN-2", "X") == unknown.stderr.replace("NOPE-1", "X")
    assert json.loads(run(data_dir, "initiative", "GEN-2", "--user", "U_SALES", "--json").stdout)["id"] == "GEN-2"
    summary = json.loads(run(data_dir, "portfolio", "--user", "U_OTHER", "--json").stdout)
    assert "GEN-2" not in {m["id"] for m in summary["initiatives"]}


def test_bad_csv_is_reported_and_nothing_is_stored(data_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.replace("OPS-7", "NEW-1").replace(",ml,3,", ",ml,9,"))
    result = run(data_dir, "ingest", str(bad))
    assert result.returncode == 1
    assert "line 2 (id NEW-1): field 'phase': expected a whole number from 1 to 5" in result.stdout
    assert run(data_dir, "initiative", "NEW-1").returncode == 1  # nothing from that file was stored


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["initiative", "NOPE-1"], {}, "error: I don't know an initiative called “NOPE-1”."),
        (["portfolio"], {"ADVISOR_STALL_DAYS": "soon"}, "error: invalid setting ADVISOR_STALL_DAYS"),
        (["portfolio"], {"ADVISOR_KNOWLEDGE_DIR": "/nonexistent"}, "cannot read the framework file"),
        (["search", "x", "--kind", "memo"], {}, "error: --kind: unknown kind 'memo'"),
        (["ask", "  "], {}, "error: the question is empty"),
    ],
)
def test_errors_are_one_clear_line_without_traceback(data_dir, args, env, message):
    result = run(data_dir, *args, env=env)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr + result.stdout


@pytest.mark.skipif(not CORPORA.exists(), reason="../shared/corpora is not beside the project")
def test_real_corpora_ingest_cleanly_then_report_unchanged(data_dir):
    first = run(data_dir, "ingest", str(CORPORA), "--json")
    assert first.returncode == 0, first.stdout[-2000:]
    counts = json.loads(first.stdout)["counts"]
    assert counts["failed"] == 0 and counts["added"] >= 36
    second = json.loads(run(data_dir, "ingest", str(CORPORA), "--json").stdout)
    assert second["counts"]["unchanged"] == counts["added"] and second["counts"]["added"] == 0
    listed = json.loads(run(data_dir, "sources", "--json").stdout)
    assert any(s["source"].endswith("LLM06_ExcessiveAgency.md") and s["chunks"] > 0 for s in listed)
    hits = json.loads(run(data_dir, "search", "excessive agency mitigation", "--k", "3", "--json").stdout)
    assert "LLM06" in hits[0]["chunk"]["source"]


@pytest.mark.skipif(not CORPORA.exists(), reason="../shared/corpora is not beside the project")
def test_killed_ingestion_is_completed_by_the_next_run_without_duplicates(tmp_path):
    data_dir = tmp_path / "data"
    assert run(data_dir, "sources").returncode == 0  # bundled knowledge first, so the kill hits the corpora
    environment = {**os.environ, "ADVISOR_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [ADVISOR, "ingest", str(CORPORA / "ml-ops-org"), str(CORPORA / "owasp-llm-top10-2025")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
        cwd=tmp_path,
    )
    engine = sqlalchemy.create_engine(f"sqlite:///{data_dir / 'advisor.db'}")
    deadline = time.time() + 300
    while time.time() < deadline and process.poll() is None:
        with engine.connect() as conn:
            done = conn.execute(
                sqlalchemy.text("select count(*) from sources where source like :p"), {"p": f"%{CORPORA.name}%"}
            ).scalar()
        if done >= 3:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 3 <= done < 23, "the run must be killed part way"
    rerun = json.loads(
        run(data_dir, "ingest", str(CORPORA / "ml-ops-org"), str(CORPORA / "owasp-llm-top10-2025"), "--json").stdout
    )
    assert rerun["counts"]["failed"] == 0 and rerun["counts"]["unchanged"] >= 3
    store = VectorStore(make_settings(data_dir), read_record(engine).collection)
    metas = [m for _, _, m in store.get()]
    keys = [(m["source_key"], m["position"]) for m in metas]
    assert len(keys) == len(set(keys))
    with engine.connect() as conn:
        manifest_chunks = conn.execute(sqlalchemy.text("select sum(chunks) from sources")).scalar()
    assert manifest_chunks == len(keys)
