"""`advisor eval` and `advisor usage` as an operator runs them: a real process, a real data dir."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from advisor.db import make_engine
from advisor.feedback import UsageEntry, UsageStore
from tests.conftest import make_settings
from tests.e2e.test_cli import run
from tests.llm_replies import grounded
from tests.llm_standin import Reply

LABELLED = """
- question: What is missing for the Claims Triage Assistant?
  intent: missing_infrastructure
  initiative: CLM-001
  missing_capabilities: [cd_pipeline, monitoring, guardrails, cost_tracking, knowledge_refresh]
- question: what's blocking the claims triage bot from going live?
  intent: next_phase
  initiative: CLM-001
  next_phase: 4            # wrong on purpose: its next phase is 3
- question: How do we keep LLM token spend under control?
  intent: general_guidance
  key_terms: [token, cost]
- question: What is the weather in Tokyo tomorrow?
  intent: out_of_scope
  found: false
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("eval") / "data"


def test_eval_scores_each_question_and_the_total(data_dir, tmp_path):
    labelled = tmp_path / "mine.yaml"
    labelled.write_text(LABELLED)
    result = run(data_dir, "eval", str(labelled), "--user", "U_EMPLOYEE", "--today", "2026-11-25", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    scores, totals = report["questions"], report["totals"]
    assert [s["exact_facts"] for s in scores] == [True, False, None, None]
    assert scores[1]["failed"] == ["next_phase"] and scores[1]["routed"] is True
    assert scores[2]["key_terms"] is not None and scores[2]["checked_sentences"] > 0
    assert scores[2]["supported_sentences"] == scores[2]["checked_sentences"]  # extractive: verbatim quotes
    assert all(s["citations_valid"] and s["composer"] == "extractive" and not s["fallback"] for s in scores)
    assert totals["questions"] == 4 and totals["exact_facts"] == 0.5 and totals["exact_facts_questions"] == 2
    assert totals["composer"] == "extractive" and totals["fallbacks"] == 0 and totals["routed"] == 1.0
    assert totals["input_tokens"] == 0 and totals["latency_p95_ms"] >= totals["latency_p50_ms"] > 0

    table = run(data_dir, "eval", str(labelled), "--user", "U_EMPLOYEE", "--today", "2026-11-25")
    assert table.returncode == 0, table.stderr
    assert "exact facts" in table.stdout and "0.50 of 2 questions with facts" in table.stdout


def test_eval_with_a_chat_model_counts_its_checked_sentences_fallbacks_and_tokens(data_dir, tmp_path, chat_model):
    labelled = tmp_path / "two.yaml"
    labelled.write_text(
        "- question: How do we keep LLM token spend under control?\n  intent: general_guidance\n"
        "- question: What should we monitor once a GenAI pilot is live?\n  intent: general_guidance\n"
    )
    unsupported = " ".join(f"Budgets are enforced by the {team} team every week [9]." for team in "ABC")
    chat_model.script(Reply(grounded), Reply(unsupported))
    result = run(data_dir, "eval", str(labelled), "--json", env=chat_model.env(ADVISOR_LLM_USER_HOURLY_TOKENS="1"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    first, second = report["questions"]
    assert first["composer"] == "openai:gpt-standin" and not first["fallback"]
    assert first["checked_sentences"] >= 2 and first["supported_sentences"] >= 1  # from the check report
    assert second["fallback"] and "passed the check" in second["fallback_reason"] and second["composer"] == "extractive"
    assert (second["supported_sentences"], second["checked_sentences"]) == (0, 3)
    assert (first["input_tokens"], second["input_tokens"]) == (1200, 1200)  # also a fallback's tokens count
    totals = report["totals"]
    assert totals["composer"] == "openai:gpt-standin" and totals["fallbacks"] == 1 and totals["input_tokens"] == 2400
    assert len(chat_model.requests) == 2  # the hourly limit does not apply to an evaluation


def test_eval_names_the_file_question_and_field_of_a_bad_label(data_dir, tmp_path):
    labelled = tmp_path / "bad.yaml"
    labelled.write_text("- question: where is CLM-001?\n  intent: status\n- intent: risks\n")
    result = run(data_dir, "eval", str(labelled))
    assert result.returncode == 1 and not result.stdout
    error = " ".join(result.stderr.split())
    assert "bad.yaml" in error and "question 1 ('where is CLM-001?'): intent:" in error
    assert "question 2 (''): question: Field required" in error
    missing = run(data_dir, "eval", str(tmp_path / "none.yaml"))
    assert missing.returncode == 1 and "none.yaml" in missing.stderr and "cannot read" in missing.stderr


def test_usage_shows_tokens_per_day_and_per_user(tmp_path):
    data_dir = tmp_path / "data"
    engine = make_engine(make_settings(data_dir))
    store, now = UsageStore(engine), datetime.now(UTC)
    for user, tokens, at, limited in [
        ("U_ANA", 1200, now, False),
        ("U_ANA", 800, now - timedelta(days=1), False),
        ("U_BEN", 0, now, True),
        ("U_OLD", 99999, now - timedelta(days=40), False),
    ]:
        store.record(
            UsageEntry(
                user_id=user,
                composer="openai:m",
                input_tokens=tokens,
                output_tokens=tokens // 4,
                limited=limited,
                created_at=at,
            )
        )
    engine.dispose()

    result = run(data_dir, "usage", "--days", "7", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(d["key"], d["input_tokens"]) for d in report["by_day"]] == [
        ((now - timedelta(days=1)).date().isoformat(), 800),
        (now.date().isoformat(), 1200),
    ]
    assert [(u["key"], u["answers"], u["limited"]) for u in report["by_user"]] == [("U_ANA", 2, 0), ("U_BEN", 1, 1)]
    assert report["total"]["input_tokens"] == 2000 and report["total"]["output_tokens"] == 500

    table = run(data_dir, "usage")
    assert table.returncode == 0, table.stderr
    assert "U_ANA" in table.stdout and "U_OLD" not in table.stdout and "2,500" in table.stdout
    empty = run(tmp_path / "empty", "usage")
    assert empty.returncode == 0 and "No answer has used a chat model" in empty.stdout
