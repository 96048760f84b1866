from datetime import timedelta

import pytest

from advisor.access import Requester
from advisor.portfolio.assessment import assess_initiative, kpi_target_met, summarize_portfolio
from advisor.portfolio.records import Initiative
from ingest.records import load_records
from tests.conftest import KNOWLEDGE, TODAY

GENAI_RISKS = ["hallucination", "prompt_inconsistency", "token_cost", "knowledge_freshness"]
ML_RISKS = ["data_drift", "model_degradation", "retraining_complexity"]
AGENT_RISKS = GENAI_RISKS + [
    "orchestration_failures",
    "tool_dependency_errors",
    "permission_risks",
    "decision_chain_instability",
]


def record(**changes) -> Initiative:
    base = dict(
        id="T-1",
        name="Test Initiative",
        business_unit="Ops",
        region="Japan",
        ai_type="ml",
        phase=1,
        phase_since=TODAY - timedelta(days=10),
        business_owner="Owner",
        kpi_name="Cost",
        kpi_baseline=100,
        kpi_target=80,
        kpi_current=90,
        capabilities=[],
        roadmap_goal=None,
    )
    base.update(changes)
    return Initiative(**base)


# -- gates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, unmet_checks",
    [
        ({}, []),
        ({"business_owner": None}, ["has_business_owner"]),
        ({"kpi_baseline": None}, ["kpi_defined"]),
        ({"kpi_name": None, "kpi_target": None}, ["kpi_defined"]),
        ({"kpi_current": None}, ["kpi_measured"]),
        ({"business_owner": "", "kpi_current": None}, ["has_business_owner", "kpi_measured"]),
    ],
)
def test_gate_from_phase_1(framework, changes, unmet_checks):
    a = assess_initiative(framework, record(**changes), TODAY)
    assert [g.check for g in a.gate if not g.met] == unmet_checks
    assert len(a.unmet_gates) == len(unmet_checks)
    assert a.next_phase == 2


def test_gate_from_phase_2_needs_every_required_capability(framework):
    required = framework.required_capabilities("genai")
    complete = assess_initiative(framework, record(ai_type="genai", phase=2, capabilities=required), TODAY)
    assert complete.unmet_gates == [] and complete.missing_capabilities == []
    partial = assess_initiative(
        framework, record(ai_type="genai", phase=2, capabilities=[c for c in required if c != "guardrails"]), TODAY
    )
    assert partial.missing_capabilities == ["guardrails"]
    assert partial.unmet_gates == [
        "Every capability required for the initiative's AI type is in place (missing Guardrails)"
    ]


def test_ml_capabilities_do_not_satisfy_an_agent(framework):
    ml_complete = framework.required_capabilities("ml")
    a = assess_initiative(framework, record(ai_type="agent", phase=2, capabilities=ml_complete), TODAY)
    assert "drift_detection" not in a.missing_capabilities
    assert a.missing_capabilities == [c for c in framework.required_capabilities("agent") if c not in ml_complete]


@pytest.mark.parametrize(
    "baseline, target, current, met",
    [
        (100, 80, 80, True),  # lower is better, exactly on target
        (100, 80, 79, True),
        (100, 80, 81, False),
        (10, 20, 20, True),  # higher is better
        (10, 20, 25, True),
        (10, 20, 19.9, False),
        (50, 50, 50, True),  # no change asked: meeting it is enough
        (None, 20, 25, None),  # direction unknown without a baseline
        (10, 20, None, None),
    ],
)
def test_kpi_is_direction_aware(baseline, target, current, met):
    assert kpi_target_met(record(kpi_baseline=baseline, kpi_target=target, kpi_current=current)) is met


def test_gate_from_phase_3_uses_the_kpi_direction(framework):
    lower_better_missed = assess_initiative(framework, record(phase=3, kpi_current=85), TODAY)
    assert lower_better_missed.unmet_gates == [
        "The KPI's current value meets its target (current 85, target 80, lower is better)"
    ]
    assert assess_initiative(framework, record(phase=3, kpi_current=75), TODAY).unmet_gates == []
    unmeasured = assess_initiative(framework, record(phase=3, kpi_current=None), TODAY)
    assert "cannot compare: missing kpi_current" in unmeasured.unmet_gates[0]


def test_gate_from_phase_4_needs_a_roadmap_goal(framework):
    assert [g.check for g in assess_initiative(framework, record(phase=4), TODAY).gate if not g.met] == [
        "roadmap_linked"
    ]
    assert assess_initiative(framework, record(phase=4, roadmap_goal="Goal"), TODAY).unmet_gates == []


def test_phase_5_has_no_next_phase_and_no_gate(framework):
    a = assess_initiative(framework, record(phase=5, business_owner=None), TODAY)
    assert a.next_phase is None and a.next_phase_name is None and a.unmet_gates == [] and a.gate == []


# -- stall rule and risks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "phase, days, stall_days, stalled",
    [
        (2, 180, 180, False),
        (2, 181, 180, True),
        (1, 31, 30, True),
        (4, 400, 180, True),
        (5, 400, 180, False),  # the last phase is where initiatives are meant to stay
    ],
)
def test_stall_rule(framework, phase, days, stall_days, stalled):
    a = assess_initiative(framework, record(phase=phase, phase_since=TODAY - timedelta(days=days)), TODAY, stall_days)
    assert a.days_in_phase == days
    assert a.stalled is stalled
    assert ("stalled" in a.risks) is stalled


def test_risks_by_type_and_business_condition(framework):
    assert assess_initiative(framework, record(), TODAY).risks == ML_RISKS
    assert assess_initiative(framework, record(ai_type="genai"), TODAY).risks == GENAI_RISKS
    a = assess_initiative(framework, record(ai_type="agent", business_owner=None, kpi_current=None), TODAY)
    assert a.risks == AGENT_RISKS + ["no_business_owner", "no_measured_kpi"]
    hallucination = next(r for r in a.risk_details if r.id == "hallucination")
    assert hallucination.controls == ["evaluation", "guardrails", "vector_db_management", "monitoring"]
    assert hallucination.missing_controls == hallucination.controls


def test_risks_noted_in_the_record_are_kept(framework):
    a = assess_initiative(framework, record(risks=["hallucination", "Vendor lock-in"]), TODAY)
    assert a.risks == ML_RISKS + ["hallucination", "Vendor lock-in"]
    assert a.risk_details[-1].origin == "record"


# -- the bundled sample portfolio --------------------------------------------------------------

EXPECTED = {
    "CLM-001": (
        2,
        3,
        ["required_capabilities"],
        ["cd_pipeline", "monitoring", "guardrails", "cost_tracking", "knowledge_refresh"],
        GENAI_RISKS,
        False,
        133,
    ),
    "DEM-002": (3, 4, [], [], ML_RISKS, False, 147),
    "PDM-003": (
        2,
        3,
        ["required_capabilities"],
        ["cd_pipeline", "monitoring", "access_governance", "drift_detection", "retraining_pipeline"],
        ML_RISKS + ["stalled"],
        True,
        359,
    ),
    "RTE-004": (4, 5, ["roadmap_linked"], [], AGENT_RISKS, False, 177),
    "HR-005": (
        1,
        2,
        ["has_business_owner", "kpi_measured"],
        [
            "api_integration",
            "model_versioning",
            "cd_pipeline",
            "monitoring",
            "evaluation",
            "access_governance",
            "prompt_versioning",
            "guardrails",
            "cost_tracking",
            "knowledge_refresh",
        ],
        GENAI_RISKS + ["no_business_owner", "no_measured_kpi"],
        False,
        85,
    ),
    "CSA-006": (3, 4, ["kpi_target_met"], [], GENAI_RISKS + ["stalled"], True, 283),
    "QIN-007": (5, None, [], [], ML_RISKS, False, 542),
    "INV-008": (
        2,
        3,
        ["required_capabilities"],
        [
            "cd_pipeline",
            "access_governance",
            "vector_db_management",
            "cost_tracking",
            "knowledge_refresh",
            "human_in_the_loop",
            "audit_logging",
            "orchestration_monitoring",
        ],
        AGENT_RISKS,
        False,
        97,
    ),
    "FRD-009": (4, 5, [], [], ML_RISKS, False, 114),
    "CON-010": (
        1,
        2,
        ["kpi_measured"],
        [
            "data_pipeline",
            "api_integration",
            "model_versioning",
            "cd_pipeline",
            "monitoring",
            "access_governance",
            "prompt_versioning",
            "vector_db_management",
            "guardrails",
            "cost_tracking",
            "knowledge_refresh",
        ],
        GENAI_RISKS + ["no_measured_kpi"],
        False,
        112,
    ),
    "TRI-011": (3, 4, ["kpi_target_met"], [], AGENT_RISKS, False, 158),
    "ENG-012": (
        1,
        2,
        [],
        [
            "api_integration",
            "model_versioning",
            "cd_pipeline",
            "monitoring",
            "evaluation",
            "access_governance",
            "drift_detection",
            "retraining_pipeline",
        ],
        ML_RISKS,
        False,
        55,
    ),
    "MNA-013": (
        1,
        2,
        [],
        [
            "data_pipeline",
            "api_integration",
            "model_versioning",
            "cd_pipeline",
            "monitoring",
            "evaluation",
            "prompt_versioning",
            "guardrails",
            "cost_tracking",
            "knowledge_refresh",
        ],
        GENAI_RISKS,
        False,
        36,
    ),
    "SUP-014": (5, None, [], [], GENAI_RISKS, False, 317),
}


@pytest.fixture(scope="module")
def samples(framework):
    records = []
    for path in sorted((KNOWLEDGE / "initiatives").glob("*.yaml")):
        records += load_records(path, framework)
    return {r.id: r for r in records}


def test_sample_portfolio_covers_what_it_must(samples):
    records = list(samples.values())
    assert len(records) >= 12
    assert {r.ai_type for r in records} == {"ml", "genai", "agent"}
    assert {r.phase for r in records} == {1, 2, 3, 4, 5}
    assert {"Japan", "Korea", "Vietnam", "Global"} <= {r.region for r in records}
    assert any(r.visibility == "restricted" for r in records)
    assert any(not r.business_owner for r in records)
    assert any(r.kpi_current is None for r in records)


@pytest.mark.parametrize("initiative_id", sorted(EXPECTED))
def test_every_sample_initiative(framework, samples, initiative_id):
    phase, next_phase, unmet, missing, risks, stalled, days = EXPECTED[initiative_id]
    a = assess_initiative(framework, samples[initiative_id], TODAY, 180)
    assert (a.phase, a.next_phase) == (phase, next_phase)
    assert [g.check for g in a.gate if not g.met] == unmet
    assert a.missing_capabilities == missing
    # the record's own noted risks come after, only when not already implied
    assert a.risks[: len(risks)] == risks
    assert (a.stalled, a.days_in_phase) == (stalled, days)
    assert a.phase_name == framework.phase(phase).name


def test_portfolio_summary_respects_visibility(framework, samples):
    records = list(samples.values())
    public = [r for r in records if r.visible_to(Requester(user_id="U_SOMEONE"))]
    summary = summarize_portfolio(framework, public, TODAY)
    assert summary.total == 13 and "MNA-013" not in {m.id for m in summary.initiatives}
    assert summary.by_phase == {1: 3, 2: 3, 3: 3, 4: 2, 5: 2}
    assert summary.by_ai_type == {"ml": 5, "genai": 5, "agent": 3}
    assert summary.by_region == {"Global": 3, "Japan": 3, "Korea": 4, "Vietnam": 3}
    assert [m.id for m in summary.stalled] == ["PDM-003", "CSA-006"]  # longest stalled first
    assert [m.id for m in summary.without_owner] == ["HR-005"]
    assert [m.id for m in summary.without_measured_kpi] == ["CON-010", "HR-005"]
    top = summary.common_missing_capabilities[0]
    assert (top.id, top.count) == ("cd_pipeline", 6)
    full = summarize_portfolio(framework, [r for r in records if r.visible_to(Requester(user_id="U0STRATEGY1"))], TODAY)
    assert full.total == 14 and full.by_phase[1] == 4
