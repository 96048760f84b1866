"""Evidence for questions about one initiative or one AI type, built from assessments and quotes.

The framing (headings, summaries, labels of computed facts) is written in the asker's language
through the message catalogue; framework labels are translated where the catalogue has them.
"""

from __future__ import annotations

from gettext import NullTranslations

from advisor.answering.evidence import Evidence, Item, Quoter, Section
from advisor.framework import Framework
from advisor.messages import indefinite_article, translator
from advisor.portfolio.assessment import Assessment, GateResult, kpi_target_met
from advisor.portfolio.records import Initiative
from advisor.understanding.intents import Intent


def labels(t: NullTranslations, framework: Framework, capability_ids: list[str]) -> str:
    """Capability labels; an id the framework does not define is shown as it is."""
    return t.gettext(", ").join(
        t.gettext(framework.capability(c).label) if framework.has_capability(c) else c for c in capability_ids
    )


def unknown_capabilities_note(a: Assessment, t: NullTranslations) -> str:
    """Names the record's capability ids that framework.yaml does not define (renamed or removed)."""
    if not a.unknown_capabilities:
        return ""
    return t.ngettext(
        "Its record lists a capability that framework.yaml does not define: {ids}; "
        "it is not counted as in place until the record or the framework is corrected.",
        "Its record lists capabilities that framework.yaml does not define: {ids}; "
        "they are not counted as in place until the record or the framework is corrected.",
        len(a.unknown_capabilities),
    ).format(ids=", ".join(f"`{c}`" for c in a.unknown_capabilities))


def initiative_evidence(
    question: str,
    intent: Intent,
    record: Initiative,
    a: Assessment,
    framework: Framework,
    quoter: Quoter,
    stall_days: int,
    language: str = "en",
) -> Evidence:
    t = translator(language)
    builders = {
        "initiative_status": lambda: [
            _record_section(record, quoter, t),
            _gate_section(a, record, framework, quoter, t),
            _overview_section(a, framework, t),
        ],
        "next_phase": lambda: [
            _next_phase_section(a, framework, quoter, t),
            _gate_section(a, record, framework, quoter, t),
            _capability_section(a, framework, quoter, t),
        ],
        "missing_infrastructure": lambda: [
            _capability_section(a, framework, quoter, t, always=True),
            _gate_section(a, record, framework, quoter, t),
        ],
        "risks": lambda: [_risk_section(a, framework, quoter, t)],
    }
    sections = [s for s in builders[intent]() if s is not None and s.items]
    return Evidence(
        question=question,
        intent=intent,
        language=language,
        summary=" ".join(filter(None, [_summary(a, framework, stall_days, t), unknown_capabilities_note(a, t)])),
        sections=sections,
    )


def _summary(a: Assessment, framework: Framework, stall_days: int, t: NullTranslations) -> str:
    summary = t.gettext("**{name}** ({id}) is in phase {phase}, *{phase_name}*, for {days} days").format(
        name=a.name, id=a.id, phase=a.phase, phase_name=t.gettext(a.phase_name), days=a.days_in_phase
    )
    if a.stalled:
        summary += t.gettext("; it is **stalled** (more than {days} days in one phase).").format(days=stall_days)
    else:
        summary += t.gettext(".")
    if a.next_phase:
        next_name = t.gettext(framework.phase(a.next_phase).name)
        return summary + " " + t.gettext("Next is phase {phase}, *{name}*.").format(phase=a.next_phase, name=next_name)
    return summary + " " + t.gettext("This is the last phase of the roadmap.")


def _record_section(record: Initiative, quoter: Quoter, t: NullTranslations) -> Section:
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
    return Section(heading=t.gettext("From the initiative record"), items=items)


def _next_phase_section(a: Assessment, framework: Framework, quoter: Quoter, t: NullTranslations) -> Section:
    if a.next_phase is None:
        lead = t.gettext(
            "Phase {phase} is the last phase; the work now is to keep {name} aligned with the enterprise AX strategy."
        ).format(phase=a.phase, name=a.name)
        return Section(
            heading=t.gettext("Next phase"), items=[Item(lead=lead, quote=quoter.ref(framework.phase(a.phase).ref))]
        )
    heading = t.gettext("Phase {phase}: {name}").format(phase=a.next_phase, name=t.gettext(a.next_phase_name))
    return Section(heading=heading, items=[Item(quote=quoter.ref(framework.phase(a.next_phase).ref))])


def _gate_section(
    a: Assessment, record: Initiative, framework: Framework, quoter: Quoter, t: NullTranslations
) -> Section | None:
    gate = framework.gate_from(a.phase)
    if gate is None:
        return None
    items = [Item(quote=quoter.ref(gate.ref))]
    unmet = [r for r in a.gate if not r.met]
    if unmet:
        items += [
            Item(lead=t.gettext("Not met: {condition}").format(condition=gate_condition(r, a, record, framework, t)))
            for r in unmet
        ]
    else:
        items.append(Item(lead=t.gettext("All conditions to enter phase {phase} are met.").format(phase=a.next_phase)))
    return Section(heading=t.gettext("Gate to phase {phase}").format(phase=a.next_phase), items=items)


def gate_condition(
    result: GateResult, a: Assessment, record: Initiative, framework: Framework, t: NullTranslations
) -> str:
    """A gate condition in the asker's language, with what is missing or how far the KPI is."""
    text = t.gettext(result.text)
    if result.met:
        return text
    detail = None
    if result.check == "kpi_defined":
        absent = [f for f in ("kpi_name", "kpi_baseline", "kpi_target") if getattr(record, f) is None]
        detail = t.gettext("missing {items}").format(items=", ".join(absent))
    elif result.check == "required_capabilities":
        detail = t.gettext("missing {items}").format(items=labels(t, framework, a.missing_capabilities))
    elif result.check == "kpi_target_met":
        detail = kpi_detail(record, t)
    return f"{text} ({detail})" if detail else text


def kpi_detail(record: Initiative, t: NullTranslations) -> str:
    """How the KPI stands against its target: the figures and which direction is better."""
    if kpi_target_met(record) is None:
        absent = [f for f in ("kpi_baseline", "kpi_target", "kpi_current") if getattr(record, f) is None]
        return t.gettext("cannot compare: missing {items}").format(items=", ".join(absent))
    if record.kpi_target < record.kpi_baseline:
        text = t.gettext("current {current}, target {target}, lower is better")
    else:
        text = t.gettext("current {current}, target {target}, higher is better")
    return text.format(current=f"{record.kpi_current:g}", target=f"{record.kpi_target:g}")


def _capability_section(
    a: Assessment, framework: Framework, quoter: Quoter, t: NullTranslations, always: bool = False
) -> Section | None:
    ai_label = t.gettext(framework.ai_types[a.ai_type].label)
    required = len(a.required_capabilities)
    if not a.missing_capabilities:
        if not always:
            return None
        lead = t.gettext("All {count} capabilities required for {ai_type} are in place.")
        return Section(
            heading=t.gettext("Infrastructure"), items=[Item(lead=lead.format(count=required, ai_type=ai_label))]
        )
    heading = t.gettext("Missing infrastructure: {missing} of {required} required for {ai_type}").format(
        missing=len(a.missing_capabilities), required=required, ai_type=ai_label
    )
    items = [
        Item(lead=f"**{t.gettext(framework.capability(c).label)}**", quote=quoter.ref(framework.capability(c).ref))
        for c in a.missing_capabilities
    ]
    return Section(heading=heading, items=items)


def _overview_section(a: Assessment, framework: Framework, t: NullTranslations) -> Section:
    missing = labels(t, framework, a.missing_capabilities) or t.gettext("none")
    risks = ", ".join(t.gettext(r.name) for r in a.risk_details) or t.gettext("none")
    items = [
        Item(lead=t.gettext("Missing capabilities: {items}.").format(items=missing)),
        Item(lead=t.gettext("Risks: {items}.").format(items=risks)),
    ]
    return Section(heading=t.gettext("At a glance"), items=items)


def _risk_section(a: Assessment, framework: Framework, quoter: Quoter, t: NullTranslations) -> Section:
    items = []
    for risk in a.risk_details:
        name = t.gettext(risk.name)
        if risk.origin == "record":
            items.append(Item(lead=t.gettext("**{name}** (noted by the team; not in the framework)").format(name=name)))
            continue
        if risk.missing_controls:
            status = t.gettext("controls missing: {items}").format(items=labels(t, framework, risk.missing_controls))
        elif risk.controls:
            status = t.gettext("controls in place")
        else:
            status = t.gettext("a business risk")
        practices = [t.gettext(p) for p in risk.practices]
        note = t.gettext("What to do: {practices}.").format(practices="; ".join(map(_lower_first, practices)))
        items.append(Item(lead=f"**{name}** ({status})", quote=quoter.ref(risk.ref), note=note if practices else ""))
    return Section(heading=t.gettext("Risks for {name}").format(name=a.name), items=items)


def _lower_first(text: str) -> str:
    """A sentence continued after a colon: "Name an owner" -> "name an owner" (not "AI" -> "aI",
    nor "PoCで…" -> "poCで…")."""
    word = text.split(" ", 1)[0]
    return text if any(c.isupper() for c in word[1:]) else text[:1].lower() + text[1:]


def readiness_summary(ai_type: str, framework: Framework, language: str = "en") -> str:
    t = translator(language)
    label = framework.ai_types[ai_type].label
    text = t.gettext("Before {article} {label} initiative goes live, the scaling framework asks it to pass two gates.")
    return text.format(article=indefinite_article(label), label=t.gettext(label))


def readiness_sections(ai_type: str, framework: Framework, quoter: Quoter, language: str = "en") -> list[Section]:
    """What the framework requires of an AI type before it goes live: the gates, then its capabilities."""
    t = translator(language)
    label = t.gettext(framework.ai_types[ai_type].label)
    first, second = framework.gate_from(1), framework.gate_from(2)
    conditions = "; ".join(_lower_first(t.gettext(c.text)) for c in first.conditions)
    proof = [Item(quote=quoter.ref(first.ref)), Item(lead=t.gettext("Conditions: {items}.").format(items=conditions))]
    required = framework.required_capabilities(ai_type)
    core = [c for c in required if framework.capability(c).group == "core"]
    specific = [
        Item(lead=f"**{t.gettext(framework.capability(c).label)}**", quote=quoter.ref(framework.capability(c).ref))
        for c in required
        if c not in core
    ]
    core_lead = t.gettext("The {count} core capabilities: {items}.").format(
        count=len(core), items=labels(t, framework, core)
    )
    infrastructure = [Item(quote=quoter.ref(second.ref)), Item(lead=core_lead), *specific]
    second_heading = t.gettext("Second gate: the {count} capabilities {ai_type} needs before real users and data")
    return [
        Section(heading=t.gettext("First gate: proven business value, to leave the proof of concept"), items=proof),
        Section(heading=second_heading.format(count=len(required), ai_type=label), items=infrastructure),
    ]


def type_risk_sections(ai_type: str, framework: Framework, quoter: Quoter, language: str = "en") -> list[Section]:
    """The risks the framework names for an AI type, each explained and with its controls."""
    t = translator(language)
    items = []
    for risk in (r for r in framework.risks if ai_type in r.applies_to):
        lead = t.gettext("**{name}** (controls: {items})").format(
            name=t.gettext(risk.name), items=labels(t, framework, risk.controls)
        )
        items.append(Item(lead=lead, quote=quoter.ref(risk.ref)))
    business = [_lower_first(t.gettext(r.name).split(" (")[0]) for r in framework.risks if r.condition]
    items.append(
        Item(
            lead=t.gettext("Any initiative also carries the business risks its record shows: {items}.").format(
                items=", ".join(business)
            )
        )
    )
    heading = t.gettext("Risks of {ai_type} in production").format(ai_type=t.gettext(framework.ai_types[ai_type].label))
    return [Section(heading=heading, items=items)]
