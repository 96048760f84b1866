"""Deterministic assessment of initiatives against the framework. Pure functions, no I/O."""

from __future__ import annotations

from collections import Counter
from datetime import date

from pydantic import BaseModel

from advisor.framework import Framework, GateCondition, Ref, Risk
from advisor.portfolio.records import Initiative


class GateResult(BaseModel):
    check: str
    text: str
    met: bool
    detail: str | None = None


class RiskResult(BaseModel):
    id: str
    name: str
    origin: str  # "ai_type", "business" or "record" (noted by the team, not in the framework)
    controls: list[str]
    missing_controls: list[str]
    practices: list[str]
    ref: Ref | None


class Assessment(BaseModel):
    id: str
    name: str
    ai_type: str
    business_unit: str
    region: str
    phase: int
    phase_name: str
    next_phase: int | None
    next_phase_name: str | None
    gate: list[GateResult]
    unmet_gates: list[str]
    required_capabilities: list[str]
    missing_capabilities: list[str]
    risks: list[str]
    risk_details: list[RiskResult]
    stalled: bool
    days_in_phase: int
    phase_since: date
    business_owner: str | None
    kpi_met: bool | None
    unknown_capabilities: list[str] = []  # recorded ids the framework does not define (renamed or removed)


class Mention(BaseModel):
    id: str
    name: str
    phase: int
    days_in_phase: int


class CapabilityGap(BaseModel):
    id: str
    label: str
    count: int


class PortfolioSummary(BaseModel):
    filter: str = ""  # what the initiatives were narrowed to, in words; empty for all
    total: int
    by_phase: dict[int, int]
    by_ai_type: dict[str, int]
    by_region: dict[str, int]
    stalled: list[Mention]
    without_owner: list[Mention]
    without_measured_kpi: list[Mention]
    common_missing_capabilities: list[CapabilityGap]
    initiatives: list[Mention]
    samples: list[str] = []  # ids of the fictional sample initiatives counted here


def kpi_target_met(record: Initiative) -> bool | None:
    """Whether the KPI's current value meets its target; None when it cannot be told.

    Direction-aware: a target below the baseline means lower is better.
    """
    if None in (record.kpi_current, record.kpi_target, record.kpi_baseline):
        return None
    if record.kpi_target < record.kpi_baseline:
        return record.kpi_current <= record.kpi_target
    return record.kpi_current >= record.kpi_target


def unknown_capabilities(framework: Framework, record: Initiative) -> list[str]:
    """Capability ids of the record that the framework does not define, e.g. after a rename in
    framework.yaml: reported by name, never silently counted as missing."""
    return [c for c in record.capabilities if not framework.has_capability(c)]


def missing_capabilities(framework: Framework, record: Initiative) -> list[str]:
    in_place = set(record.capabilities)
    return [c for c in framework.required_capabilities(record.ai_type) if c not in in_place]


def days_in_phase(record: Initiative, today: date) -> int:
    return max((today - record.phase_since).days, 0)


def is_stalled(framework: Framework, record: Initiative, today: date, stall_days: int) -> bool:
    return record.phase < framework.last_phase and days_in_phase(record, today) > stall_days


def _check_gate_condition(
    condition: GateCondition, framework: Framework, record: Initiative, missing: list[str]
) -> GateResult:
    check = condition.check
    detail = None
    if check == "has_business_owner":
        met = bool(record.business_owner)
    elif check == "kpi_defined":
        absent = [f for f in ("kpi_name", "kpi_baseline", "kpi_target") if getattr(record, f) is None]
        met = not absent
        detail = None if met else "missing " + ", ".join(absent)
    elif check == "kpi_measured":
        met = record.kpi_current is not None
    elif check == "required_capabilities":
        met = not missing
        detail = None if met else "missing " + ", ".join(framework.capability(c).label for c in missing)
    elif check == "kpi_target_met":
        outcome = kpi_target_met(record)
        met = bool(outcome)
        detail = _kpi_detail(record, outcome)
    else:  # roadmap_linked
        met = bool(record.roadmap_goal)
    return GateResult(check=check, text=condition.text, met=met, detail=None if met else detail)


def _kpi_detail(record: Initiative, outcome: bool | None) -> str:
    if outcome is None:
        absent = [f for f in ("kpi_baseline", "kpi_target", "kpi_current") if getattr(record, f) is None]
        return "cannot compare: missing " + ", ".join(absent)
    direction = "lower is better" if record.kpi_target < record.kpi_baseline else "higher is better"
    return f"current {record.kpi_current:g}, target {record.kpi_target:g}, {direction}"


def _risks(framework: Framework, record: Initiative, stalled: bool) -> list[RiskResult]:
    conditions = {
        "no_business_owner": not record.business_owner,
        "no_measured_kpi": not record.has_measured_kpi,
        "stalled": stalled,
    }
    in_place = set(record.capabilities)
    results = []
    for risk in framework.risks:
        applies = record.ai_type in risk.applies_to if risk.applies_to else conditions[risk.condition]
        if applies or risk.id in record.risks:
            results.append(_risk_result(risk, tuple(c for c in risk.controls if c not in in_place)))
    for noted in record.risks:
        if framework.risk(noted) is None and noted not in {r.id for r in results}:
            results.append(
                RiskResult(
                    id=noted, name=noted, origin="record", controls=[], missing_controls=[], practices=[], ref=None
                )
            )
    return results


_RISK_RESULTS: dict[tuple[int, tuple[str, ...]], tuple[Risk, RiskResult]] = {}


def _risk_result(risk: Risk, missing: tuple[str, ...]) -> RiskResult:
    """A framework risk with the controls an initiative lacks. A risk has few such combinations, so
    the results are made once and shared by every assessment (read only): at 10,000 initiatives,
    most of the time an assessment takes."""
    key = (id(risk), missing)
    cached = _RISK_RESULTS.get(key)
    if cached is None or cached[0] is not risk:  # another framework's risk at a reused address
        result = RiskResult(
            id=risk.id,
            name=risk.name,
            origin="ai_type" if risk.applies_to else "business",
            controls=risk.controls,
            missing_controls=list(missing),
            practices=risk.practices,
            ref=risk.ref,
        )
        if len(_RISK_RESULTS) >= 10_000:
            _RISK_RESULTS.clear()
        cached = _RISK_RESULTS[key] = (risk, result)
    return cached[1]


def assess_initiative(framework: Framework, record: Initiative, today: date, stall_days: int = 180) -> Assessment:
    """Where an initiative stands, what blocks its next phase, and which risks apply."""
    missing = missing_capabilities(framework, record)
    gate = framework.gate_from(record.phase)
    results = [_check_gate_condition(c, framework, record, missing) for c in gate.conditions] if gate else []
    next_number = record.phase + 1 if record.phase < framework.last_phase else None
    stalled = is_stalled(framework, record, today, stall_days)
    risks = _risks(framework, record, stalled)
    return Assessment(
        id=record.id,
        name=record.name,
        ai_type=record.ai_type,
        business_unit=record.business_unit,
        region=record.region,
        phase=record.phase,
        phase_name=framework.phase(record.phase).name,
        next_phase=next_number,
        next_phase_name=framework.phase(next_number).name if next_number else None,
        gate=results,
        unmet_gates=[r.text + (f" ({r.detail})" if r.detail else "") for r in results if not r.met],
        required_capabilities=framework.required_capabilities(record.ai_type),
        missing_capabilities=missing,
        risks=[r.id for r in risks],
        risk_details=risks,
        stalled=stalled,
        days_in_phase=days_in_phase(record, today),
        phase_since=record.phase_since,
        business_owner=record.business_owner,
        kpi_met=kpi_target_met(record),
        unknown_capabilities=unknown_capabilities(framework, record),
    )


def summarize_portfolio(
    framework: Framework, records: list[Initiative], today: date, stall_days: int = 180
) -> PortfolioSummary:
    """Counts and lists over the given records (already filtered to what the requester sees)."""
    return summarize_assessed(framework, [(r, assess_initiative(framework, r, today, stall_days)) for r in records])


def summarize_assessed(framework: Framework, assessed: list[tuple[Initiative, Assessment]]) -> PortfolioSummary:
    """The summary of records whose assessments are already made."""
    assessed = sorted(assessed, key=lambda pair: pair[0].id)
    records = [r for r, _ in assessed]

    # fields taken from valid assessments: not validated again, and made once (10,000 of them)
    mentions = {
        a.id: Mention.model_construct(id=a.id, name=a.name, phase=a.phase, days_in_phase=a.days_in_phase)
        for _, a in assessed
    }

    def mention(a: Assessment) -> Mention:
        return mentions[a.id]

    gaps = Counter(c for _, a in assessed for c in a.missing_capabilities)
    order = {c.id: i for i, c in enumerate(framework.capabilities)}
    return PortfolioSummary(
        total=len(records),
        by_phase={p.number: sum(1 for r in records if r.phase == p.number) for p in framework.phases},
        by_ai_type={t: sum(1 for r in records if r.ai_type == t) for t in framework.ai_types},
        by_region=dict(sorted(Counter(r.region for r in records).items())),
        stalled=sorted((mention(a) for _, a in assessed if a.stalled), key=lambda m: -m.days_in_phase),
        without_owner=[mention(a) for r, a in assessed if not r.business_owner],
        without_measured_kpi=[mention(a) for r, a in assessed if not r.has_measured_kpi],
        common_missing_capabilities=[
            CapabilityGap(id=c, label=framework.capability(c).label, count=n)
            for c, n in sorted(gaps.items(), key=lambda item: (-item[1], order[item[0]]))
        ],
        initiatives=[mention(a) for _, a in assessed],
    )
