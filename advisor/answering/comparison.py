"""Evidence for comparisons ("compare X and Y", "compare Japan and Korea") and rankings ("which
region has the most stalled initiatives?"), built from the assessments: every figure is exact, and
each initiative is cited to its record."""

from __future__ import annotations

from collections import Counter

from advisor.answering.declines import N_
from advisor.answering.evidence import Evidence, Item, Quoter, Section
from advisor.answering.facts import labels
from advisor.answering.listing import record_items
from advisor.framework import Framework
from advisor.messages import translator
from advisor.portfolio.assessment import Assessment
from advisor.portfolio.records import Initiative

GROUPS_AT_MOST = 5  # groups listed with their initiatives; the others only counted
DIMENSIONS = {"region": N_("region"), "business_unit": N_("business unit"), "ai_type": N_("AI type")}


def _progress(a: Assessment) -> tuple[int, int, int]:
    """Further along: a later phase, then fewer unmet gate conditions, then fewer gaps."""
    return (a.phase, -len(a.unmet_gates), -len(a.missing_capabilities))


def compare_initiatives(
    question: str,
    pairs: list[tuple[Initiative, Assessment]],
    framework: Framework,
    quoter: Quoter,
    language: str = "en",
) -> Evidence:
    t = translator(language)
    ranked = sorted(pairs, key=lambda pair: _progress(pair[1]), reverse=True)
    lead, runner_up = ranked[0][1], ranked[1][1]
    phases = t.gettext(", ").join(
        t.gettext("**{name}** ({id}) is in phase {phase}").format(name=a.name, id=a.id, phase=a.phase) for _, a in pairs
    )
    if _progress(lead) == _progress(runner_up):
        verdict = t.gettext("They are equally far along.")
    else:
        verdict = t.gettext("**{name}** is the furthest along.").format(name=lead.name)
    sections = [_initiative_section(record, a, framework, quoter, t) for record, a in pairs]
    summary = t.gettext("{phases}. {verdict}").format(phases=phases, verdict=verdict)
    return Evidence(question=question, intent="comparison", language=language, summary=summary, sections=sections)


def _initiative_section(record: Initiative, a: Assessment, framework: Framework, quoter: Quoter, t) -> Section:
    phase = t.gettext(a.phase_name)
    if a.stalled:
        where = t.gettext("Phase {phase}, *{name}*, stalled ({days} days).")
    else:
        where = t.gettext("Phase {phase}, *{name}*, {days} days.")
    items = [Item(quote=quoter.record_phase(record))] if quoter.record_phase(record) else []
    items.append(Item(lead=where.format(phase=a.phase, name=phase, days=a.days_in_phase)))
    if a.next_phase is None:
        items.append(Item(lead=t.gettext("This is the last phase of the roadmap.")))
    elif a.unmet_gates:
        unmet = t.gettext("; ").join(t.gettext(g) for g in a.unmet_gates)
        items.append(
            Item(lead=t.gettext("Gate to phase {phase} not met: {items}.").format(phase=a.next_phase, items=unmet))
        )
    else:
        items.append(Item(lead=t.gettext("All conditions to enter phase {phase} are met.").format(phase=a.next_phase)))
    missing = labels(t, framework, a.missing_capabilities) or t.gettext("none")
    count = t.gettext("Missing capabilities ({missing} of {required}): {items}.")
    items.append(
        Item(
            lead=count.format(missing=len(a.missing_capabilities), required=len(a.required_capabilities), items=missing)
        )
    )
    items.append(Item(lead=_kpi_line(record, a, t)))
    owner = record.business_owner or t.gettext("none named")
    items.append(Item(lead=t.gettext("Business owner: {owner}.").format(owner=owner)))
    return Section(heading=f"{a.name} ({a.id})", items=items)


def _kpi_line(record: Initiative, a: Assessment, t) -> str:
    if not record.kpi_name:
        return t.gettext("No business KPI.")
    current = t.gettext("not measured yet") if record.kpi_current is None else f"{record.kpi_current:g}"
    met = {True: t.gettext(" (target met)"), False: t.gettext(" (target not met)"), None: ""}[a.kpi_met]
    baseline = "?" if record.kpi_baseline is None else f"{record.kpi_baseline:g}"
    target = "?" if record.kpi_target is None else f"{record.kpi_target:g}"
    line = t.gettext("KPI {name}: baseline {baseline}, target {target}, current {current}{met}.")
    return line.format(name=record.kpi_name, baseline=baseline, target=target, current=current, met=met)


def _value(record: Initiative, dimension: str, framework: Framework, t) -> str:
    value = getattr(record, dimension)
    return t.gettext(framework.ai_types[value].label) if dimension == "ai_type" else value


def _group_lines(members: list[tuple[Initiative, Assessment]], framework: Framework, t) -> list[Item]:
    phases = Counter(r.phase for r, _ in members)
    gaps = Counter(c for _, a in members for c in a.missing_capabilities)
    by_phase = t.gettext(", ").join(f"{p}: {n}" for p, n in sorted(phases.items()))
    lines = [
        Item(lead=t.gettext("{count} initiatives; by phase: {phases}").format(count=len(members), phases=by_phase)),
        Item(
            lead=t.gettext("Stalled: {stalled}; ready for their next phase: {ready}").format(
                stalled=sum(a.stalled for _, a in members),
                ready=sum(a.next_phase is not None and not a.unmet_gates for _, a in members),
            )
        ),
        Item(
            lead=t.gettext("Without a business owner: {owner}; without a measured KPI: {kpi}").format(
                owner=sum(not r.business_owner for r, _ in members), kpi=sum(not r.has_measured_kpi for r, _ in members)
            )
        ),
    ]
    if gaps:
        common = t.gettext(", ").join(
            f"{t.gettext(framework.capability(c).label)} ({n})" for c, n in gaps.most_common(3)
        )
        lines.append(Item(lead=t.gettext("Most common missing capabilities: {items}").format(items=common)))
    return lines


def compare_groups(
    question: str,
    dimension: str,
    values: tuple[str, ...],
    assessed: list[tuple[Initiative, Assessment]],
    framework: Framework,
    language: str = "en",
) -> Evidence:
    """Regions or business units side by side, over the initiatives the asker may see."""
    t = translator(language)
    sections = []
    for value in values:
        members = [(r, a) for r, a in assessed if getattr(r, dimension) == value]
        sections.append(Section(heading=f"{value} ({len(members)})", items=_group_lines(members, framework, t)))
    counts = t.gettext(", ").join(
        f"{value} {sum(getattr(r, dimension) == value for r, _ in assessed)}" for value in values
    )
    summary = t.gettext("Initiatives by {dimension}: {counts}.").format(
        dimension=t.gettext(DIMENSIONS[dimension]), counts=counts
    )
    return Evidence(question=question, intent="comparison", language=language, summary=summary, sections=sections)


def ranking(
    question: str,
    dimension: str,
    matching: list[tuple[Initiative, Assessment]],
    description: str,
    framework: Framework,
    quoter: Quoter,
    language: str = "en",
) -> Evidence:
    """Which region, unit or AI type has the most initiatives matching a filter, with the counts."""
    t = translator(language)
    counts = Counter(_value(r, dimension, framework, t) for r, _ in matching)
    what = t.gettext("initiatives ({description})").format(description=description) if description else ""
    what = what or t.gettext("initiatives")
    dimension_name = t.gettext(DIMENSIONS[dimension])
    if not counts:
        summary = t.gettext("No {what} to count by {dimension}.").format(what=what, dimension=dimension_name)
        return Evidence(question=question, intent="portfolio_status", language=language, summary=summary)
    top = max(counts.values())
    leaders = sorted(v for v, n in counts.items() if n == top)
    if len(leaders) == 1:
        summary = t.gettext("**{leader}** has the most {what}: {count}.").format(
            leader=leaders[0], what=what, count=top
        )
    else:
        tied = t.gettext(" and ").join(f"**{v}**" for v in leaders)
        summary = t.gettext("{leaders} are tied with the most {what}: {count} each.").format(
            leaders=tied, what=what, count=top
        )

    def item(record: Initiative) -> Item:
        quote = quoter.record_phase(record)
        return Item(quote=quote) if quote else Item(lead=f"**{record.name}** ({record.id})")

    sections = []
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    for value, n in ordered[:GROUPS_AT_MOST]:
        members = [r for r, _ in matching if _value(r, dimension, framework, t) == value]
        sections.append(Section(heading=f"{value}: {n}", items=record_items(members, quoter, t, item)))
    if len(ordered) > GROUPS_AT_MOST:
        rest = t.gettext(", ").join(f"{value} {n}" for value, n in ordered[GROUPS_AT_MOST:])
        heading = t.gettext("Others ({count})").format(count=len(ordered) - GROUPS_AT_MOST)
        sections.append(Section(heading=heading, items=[Item(lead=rest)]))
    return Evidence(question=question, intent="portfolio_status", language=language, summary=summary, sections=sections)
