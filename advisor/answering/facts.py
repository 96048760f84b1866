"""Evidence for initiative and portfolio questions, built from assessments and quotable passages."""

from __future__ import annotations

from advisor.answering.evidence import Evidence, Item, Quoter, Section, label_list
from advisor.framework import Framework
from advisor.portfolio.assessment import Assessment, PortfolioSummary, summarize_assessed
from advisor.portfolio.records import Initiative
from advisor.understanding.intents import Intent, PortfolioFilter

LISTED_AT_MOST = 15


def initiative_evidence(
    question: str,
    intent: Intent,
    record: Initiative,
    a: Assessment,
    framework: Framework,
    quoter: Quoter,
    stall_days: int,
) -> Evidence:
    summary = f"**{a.name}** ({a.id}) is in phase {a.phase}, *{a.phase_name}*, for {a.days_in_phase} days"
    summary += f"; it is **stalled** (more than {stall_days} days in one phase)." if a.stalled else "."
    summary += (
        f" Next is phase {a.next_phase}, *{a.next_phase_name}*."
        if a.next_phase
        else " This is the last phase of the roadmap."
    )
    builders = {
        "initiative_status": lambda: [
            _record_section(record, quoter),
            _gate_section(a, framework, quoter),
            _overview_section(a, framework),
        ],
        "next_phase": lambda: [
            _next_phase_section(a, framework, quoter),
            _gate_section(a, framework, quoter),
            _capability_section(a, framework, quoter),
        ],
        "missing_infrastructure": lambda: [
            _capability_section(a, framework, quoter, always=True),
            _gate_section(a, framework, quoter),
        ],
        "risks": lambda: [_risk_section(a, framework, quoter)],
    }
    sections = [s for s in builders[intent]() if s is not None and s.items]
    return Evidence(question=question, intent=intent, summary=summary, sections=sections)


def _record_section(record: Initiative, quoter: Quoter) -> Section:
    starts = [
        f"{record.name} ({record.id}) is in phase",
        f"{record.name} is a",
        "The business owner of",
        f"{record.name} has no named business owner",
        "The KPI of",
        f"{record.name} has no business KPI",
        f"{record.name} is linked",
        f"{record.name} is not linked",
    ]
    items = [Item(quote=q) for q in (quoter.record(record, s) for s in starts) if q]
    return Section(heading="From the initiative record", items=items)


def _next_phase_section(a: Assessment, framework: Framework, quoter: Quoter) -> Section | None:
    if a.next_phase is None:
        return Section(
            heading="Next phase",
            items=[
                Item(
                    lead=f"Phase {a.phase} is the last phase; the work now is to keep {a.name} aligned with the "
                    "enterprise AX strategy.",
                    quote=quoter.ref(framework.phase(a.phase).ref),
                )
            ],
        )
    return Section(
        heading=f"Phase {a.next_phase}: {a.next_phase_name}",
        items=[Item(quote=quoter.ref(framework.phase(a.next_phase).ref))],
    )


def _gate_section(a: Assessment, framework: Framework, quoter: Quoter) -> Section | None:
    gate = framework.gate_from(a.phase)
    if gate is None:
        return None
    items = [Item(quote=quoter.ref(gate.ref))]
    if a.unmet_gates:
        items += [Item(lead=f"Not met: {text}") for text in a.unmet_gates]
    else:
        items.append(Item(lead=f"All conditions to enter phase {a.next_phase} are met."))
    return Section(heading=f"Gate to phase {a.next_phase}", items=items)


def _capability_section(a: Assessment, framework: Framework, quoter: Quoter, always: bool = False) -> Section | None:
    ai_label = framework.ai_types[a.ai_type].label
    required = len(a.required_capabilities)
    if not a.missing_capabilities:
        if not always:
            return None
        return Section(
            heading="Infrastructure",
            items=[Item(lead=f"All {required} capabilities required for {ai_label} are in place.")],
        )
    heading = f"Missing infrastructure: {len(a.missing_capabilities)} of {required} required for {ai_label}"
    items = [
        Item(lead=f"**{framework.capability(c).label}**", quote=quoter.ref(framework.capability(c).ref))
        for c in a.missing_capabilities
    ]
    return Section(heading=heading, items=items)


def _overview_section(a: Assessment, framework: Framework) -> Section:
    items = [Item(lead="Missing capabilities: " + (label_list(framework, a.missing_capabilities) or "none") + ".")]
    items.append(Item(lead="Risks: " + ", ".join(r.name for r in a.risk_details) + "."))
    return Section(heading="At a glance", items=items)


def _risk_section(a: Assessment, framework: Framework, quoter: Quoter) -> Section:
    items = []
    for risk in a.risk_details:
        if risk.origin == "record":
            items.append(Item(lead=f"**{risk.name}** (noted by the team; not in the framework)"))
            continue
        if risk.missing_controls:
            status = "controls missing: " + label_list(framework, risk.missing_controls)
        elif risk.controls:
            status = "controls in place"
        else:
            status = "a business risk"
        items.append(
            Item(
                lead=f"**{risk.name}** ({status})",
                quote=quoter.ref(risk.ref),
                note=("What to do: " + "; ".join(p[0].lower() + p[1:] for p in risk.practices) + ".")
                if risk.practices
                else "",
            )
        )
    return Section(heading=f"Risks for {a.name}", items=items)


def readiness_sections(ai_type: str, framework: Framework, quoter: Quoter) -> list[Section]:
    """What the framework requires of an AI type before it goes live: the gates, then its capabilities."""
    label = framework.ai_types[ai_type].label
    first, second = framework.gate_from(1), framework.gate_from(2)
    conditions = "; ".join(c.text[0].lower() + c.text[1:] for c in first.conditions)
    proof = [Item(quote=quoter.ref(first.ref)), Item(lead=f"Conditions: {conditions}.")]
    required = framework.required_capabilities(ai_type)
    core = [c for c in required if framework.capability(c).group == "core"]
    specific = [
        Item(lead=f"**{framework.capability(c).label}**", quote=quoter.ref(framework.capability(c).ref))
        for c in required
        if c not in core
    ]
    infrastructure = [
        Item(quote=quoter.ref(second.ref)),
        Item(lead=f"The {len(core)} core capabilities: {label_list(framework, core)}."),
    ] + specific
    return [
        Section(heading="First gate: proven business value, to leave the proof of concept", items=proof),
        Section(
            heading=f"Second gate: the {len(required)} capabilities {label} needs before real users and data",
            items=infrastructure,
        ),
    ]


def type_risk_sections(ai_type: str, framework: Framework, quoter: Quoter) -> list[Section]:
    """The risks the framework names for an AI type, each explained and with its controls."""
    items = []
    for risk in (r for r in framework.risks if ai_type in r.applies_to):
        controls = label_list(framework, risk.controls)
        items.append(Item(lead=f"**{risk.name}** (controls: {controls})", quote=quoter.ref(risk.ref)))
    business = [r.name.split(" (")[0] for r in framework.risks if r.condition]
    business = [name[0].lower() + name[1:] for name in business]
    items.append(
        Item(lead="Any initiative also carries the business risks its record shows: " + ", ".join(business) + ".")
    )
    return [Section(heading=f"Risks of {framework.ai_types[ai_type].label} in production", items=items)]


# -- portfolio ---------------------------------------------------------------------------------


def describe_filter(f: PortfolioFilter, framework: Framework) -> str:
    parts = []
    if f.ai_types:
        parts.append(" or ".join(framework.ai_types[t].label for t in f.ai_types))
    if f.regions:
        parts.append("in " + " or ".join(f.regions))
    if f.business_units:
        parts.append("of " + " or ".join(f.business_units))
    if f.phases:
        parts.append("in phase " + " or ".join(str(p) for p in f.phases))
    if f.stalled:
        parts.append("stalled")
    if f.missing:
        parts.append("missing " + " and ".join(framework.capability(c).label for c in f.missing))
    if f.having:
        parts.append("with " + " and ".join(framework.capability(c).label for c in f.having))
    if f.without_owner:
        parts.append("without a business owner")
    if f.without_kpi:
        parts.append("without a measured KPI")
    if f.ready:
        parts.append("ready for their next phase (every gate condition met)")
    return ", ".join(parts)


def portfolio_evidence(
    question: str,
    records: list[Initiative],
    assessed: dict[str, Assessment],
    f: PortfolioFilter,
    framework: Framework,
    quoter: Quoter,
    stall_days: int,
    summary: PortfolioSummary | None,
) -> Evidence:
    """Evidence for a portfolio question: the overview (``summary``) when no filter is given."""
    if summary is not None:
        return _overview(question, summary, {r.id: r for r in records}, assessed, framework, quoter)
    matching = [r for r in records if f.matches(r, assessed[r.id])]
    description = describe_filter(f, framework)
    summary = (
        f"**{len(matching)}** of the {len(records)} initiatives you can see "
        f"{'match' if len(matching) != 1 else 'matches'}: {description}."
    )
    items = [_listing(r, assessed[r.id], quoter) for r in matching[:LISTED_AT_MOST]]
    if len(matching) > LISTED_AT_MOST:
        items.append(Item(lead=f"…and {len(matching) - LISTED_AT_MOST} more."))
    sections = [
        Section(heading="Initiatives", items=items),
        _common_gaps(matching, assessed, framework),
        _why_it_matters(f, framework, quoter, stall_days),
    ]
    return Evidence(
        question=question, intent="portfolio_status", summary=summary, sections=[s for s in sections if s.items]
    )


def _listing(record: Initiative, a: Assessment, quoter: Quoter) -> Item:
    notes = []
    if a.stalled:
        notes.append(f"stalled, {a.days_in_phase} days in phase")
    if a.missing_capabilities:
        notes.append(f"{len(a.missing_capabilities)} capabilities missing")
    quote = quoter.record_phase(record)
    lead = "" if quote else f"**{record.name}** ({record.id}), phase {record.phase}"
    return Item(lead=lead, quote=quote, note="; ".join(notes))


def _common_gaps(matching: list[Initiative], assessed: dict[str, Assessment], framework: Framework) -> Section:
    if len(matching) < 2:
        return Section()
    gaps = summarize_assessed(framework, [(r, assessed[r.id]) for r in matching]).common_missing_capabilities
    return Section(
        heading="Most common missing capabilities among them",
        items=[Item(lead=f"{g.label}: {g.count} of {len(matching)}") for g in gaps[:5]],
    )


def _why_it_matters(f: PortfolioFilter, framework: Framework, quoter: Quoter, stall_days: int) -> Section:
    refs = [framework.capability(c).ref for c in f.missing]
    conditions = {"stalled": f.stalled, "no_business_owner": f.without_owner, "no_measured_kpi": f.without_kpi}
    refs += [r.ref for r in framework.risks if r.condition and conditions.get(r.condition)]
    items = [Item(quote=q) for q in (quoter.ref(ref) for ref in refs) if q]
    if f.stalled:
        items.append(Item(lead=f"Stalled means more than {stall_days} days in the same phase (phases 1 to 4)."))
    return Section(heading="Why it matters", items=items)


def _overview(
    question: str,
    summary: PortfolioSummary,
    by_id: dict[str, Initiative],
    assessed: dict[str, Assessment],
    framework: Framework,
    quoter: Quoter,
) -> Evidence:
    def listing(mentions) -> list[Item]:
        return [_listing(by_id[m.id], assessed[m.id], quoter) for m in mentions]

    owners = [
        Item(lead="" if q else f"**{m.name}** ({m.id})", quote=q)
        for m in summary.without_owner
        for q in [quoter.record(by_id[m.id], f"{m.name} has no named business owner")]
    ]
    sections = [
        Section(
            heading="By phase",
            items=[
                Item(lead=f"Phase {n}, {framework.phase(n).name}: **{count}**") for n, count in summary.by_phase.items()
            ],
        ),
        Section(heading=f"Stalled ({len(summary.stalled)})", items=listing(summary.stalled)),
        Section(heading=f"Without a business owner ({len(summary.without_owner)})", items=owners),
        Section(
            heading=f"Without a measured KPI ({len(summary.without_measured_kpi)})",
            items=listing(summary.without_measured_kpi),
        ),
        Section(
            heading="Most common missing capabilities",
            items=[Item(lead=f"{g.label}: {g.count} initiatives") for g in summary.common_missing_capabilities[:5]],
        ),
    ]
    types = ", ".join(f"{framework.ai_types[t].label} {n}" for t, n in summary.by_ai_type.items())
    regions = ", ".join(f"{r} {n}" for r, n in summary.by_region.items())
    opening = f"You can see **{summary.total}** initiatives ({types}; {regions})."
    return Evidence(
        question=question, intent="portfolio_status", summary=opening, sections=[s for s in sections if s.items]
    )
