"""Evidence for comparisons ("compare X and Y", "compare Japan and Korea") and rankings ("which
region has the most stalled initiatives?"), built from the assessments: every figure is exact, and
each initiative is cited to its record."""

from __future__ import annotations

from collections import Counter

from advisor.answering.evidence import Evidence, Item, Quoter, Section, label_list
from advisor.answering.listing import record_items
from advisor.framework import Framework
from advisor.messages import translator
from advisor.portfolio.assessment import Assessment
from advisor.portfolio.records import Initiative

GROUPS_AT_MOST = 5  # groups listed with their initiatives; the others only counted
DIMENSIONS = {"region": "region", "business_unit": "business unit", "ai_type": "AI type"}


def _progress(a: Assessment) -> tuple[int, int, int]:
    """Further along: a later phase, then fewer unmet gate conditions, then fewer gaps."""
    return (a.phase, -len(a.unmet_gates), -len(a.missing_capabilities))


def compare_initiatives(
    question: str, pairs: list[tuple[Initiative, Assessment]], framework: Framework, quoter: Quoter
) -> Evidence:
    ranked = sorted(pairs, key=lambda pair: _progress(pair[1]), reverse=True)
    lead, runner_up = ranked[0][1], ranked[1][1]
    phases = ", ".join(f"**{a.name}** ({a.id}) is in phase {a.phase}" for _, a in pairs)
    if _progress(lead) == _progress(runner_up):
        verdict = "They are equally far along."
    else:
        verdict = f"**{lead.name}** is the furthest along."
    sections = [_initiative_section(record, a, framework, quoter) for record, a in pairs]
    return Evidence(question=question, intent="comparison", summary=f"{phases}. {verdict}", sections=sections)


def _initiative_section(record: Initiative, a: Assessment, framework: Framework, quoter: Quoter) -> Section:
    stalled = f", stalled ({a.days_in_phase} days)" if a.stalled else f", {a.days_in_phase} days"
    items = [Item(quote=quoter.record_phase(record))] if quoter.record_phase(record) else []
    items.append(Item(lead=f"Phase {a.phase}, *{a.phase_name}*{stalled}."))
    if a.next_phase is None:
        items.append(Item(lead="In the last phase of the roadmap."))
    elif a.unmet_gates:
        items.append(Item(lead=f"Gate to phase {a.next_phase} not met: " + "; ".join(a.unmet_gates) + "."))
    else:
        items.append(Item(lead=f"Every condition to enter phase {a.next_phase} is met."))
    missing = label_list(framework, a.missing_capabilities) or "none"
    items.append(
        Item(lead=f"Missing capabilities ({len(a.missing_capabilities)} of {len(a.required_capabilities)}): {missing}.")
    )
    items.append(Item(lead=_kpi_line(record, a)))
    items.append(Item(lead=f"Business owner: {record.business_owner or 'none named'}."))
    return Section(heading=f"{a.name} ({a.id})", items=items)


def _kpi_line(record: Initiative, a: Assessment) -> str:
    if not record.kpi_name:
        return "No business KPI."
    current = "not measured yet" if record.kpi_current is None else f"{record.kpi_current:g}"
    met = {True: " (target met)", False: " (target not met)", None: ""}[a.kpi_met]
    baseline = "?" if record.kpi_baseline is None else f"{record.kpi_baseline:g}"
    target = "?" if record.kpi_target is None else f"{record.kpi_target:g}"
    return f"KPI {record.kpi_name}: baseline {baseline}, target {target}, current {current}{met}."


def _value(record: Initiative, dimension: str, framework: Framework) -> str:
    value = getattr(record, dimension)
    return framework.ai_types[value].label if dimension == "ai_type" else value


def _group_lines(members: list[tuple[Initiative, Assessment]], framework: Framework) -> list[Item]:
    phases = Counter(r.phase for r, _ in members)
    gaps = Counter(c for _, a in members for c in a.missing_capabilities)
    lines = [
        Item(
            lead=f"{len(members)} initiatives; by phase: " + ", ".join(f"{p}: {n}" for p, n in sorted(phases.items()))
        ),
        Item(
            lead=f"Stalled: {sum(a.stalled for _, a in members)}; ready for their next phase: "
            f"{sum(a.next_phase is not None and not a.unmet_gates for _, a in members)}"
        ),
        Item(
            lead=f"Without a business owner: {sum(not r.business_owner for r, _ in members)}; without a measured KPI: "
            f"{sum(not r.has_measured_kpi for r, _ in members)}"
        ),
    ]
    if gaps:
        common = ", ".join(f"{framework.capability(c).label} ({n})" for c, n in gaps.most_common(3))
        lines.append(Item(lead=f"Most common missing capabilities: {common}"))
    return lines


def compare_groups(
    question: str,
    dimension: str,
    values: tuple[str, ...],
    assessed: list[tuple[Initiative, Assessment]],
    framework: Framework,
) -> Evidence:
    """Regions or business units side by side, over the initiatives the asker may see."""
    sections = []
    for value in values:
        members = [(r, a) for r, a in assessed if getattr(r, dimension) == value]
        sections.append(Section(heading=f"{value} ({len(members)})", items=_group_lines(members, framework)))
    counts = ", ".join(f"{value} {sum(getattr(r, dimension) == value for r, _ in assessed)}" for value in values)
    summary = f"Initiatives by {DIMENSIONS[dimension]}: {counts}."
    return Evidence(question=question, intent="comparison", summary=summary, sections=sections)


def ranking(
    question: str,
    dimension: str,
    matching: list[tuple[Initiative, Assessment]],
    description: str,
    framework: Framework,
    quoter: Quoter,
) -> Evidence:
    """Which region, unit or AI type has the most initiatives matching a filter, with the counts."""
    counts = Counter(_value(r, dimension, framework) for r, _ in matching)
    what = f"initiatives ({description})" if description else "initiatives"
    if not counts:
        return Evidence(
            question=question, intent="portfolio_status", summary=f"No {what} to count by {DIMENSIONS[dimension]}."
        )
    top = max(counts.values())
    leaders = sorted(v for v, n in counts.items() if n == top)
    if len(leaders) == 1:
        summary = f"**{leaders[0]}** has the most {what}: {top}."
    else:
        summary = f"{' and '.join(f'**{v}**' for v in leaders)} are tied with the most {what}: {top} each."

    def item(record: Initiative) -> Item:
        quote = quoter.record_phase(record)
        return Item(quote=quote) if quote else Item(lead=f"**{record.name}** ({record.id})")

    english, sections = translator("en"), []
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    for value, n in ordered[:GROUPS_AT_MOST]:
        members = [r for r, _ in matching if _value(r, dimension, framework) == value]
        sections.append(Section(heading=f"{value}: {n}", items=record_items(members, quoter, english, item)))
    if len(ordered) > GROUPS_AT_MOST:
        rest = ", ".join(f"{value} {n}" for value, n in ordered[GROUPS_AT_MOST:])
        sections.append(Section(heading=f"Others ({len(ordered) - GROUPS_AT_MOST})", items=[Item(lead=rest)]))
    return Evidence(question=question, intent="portfolio_status", summary=summary, sections=sections)
