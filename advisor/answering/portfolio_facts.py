"""Evidence for portfolio questions: counts, matching initiatives, common gaps, why a filter matters.

Framing in the asker's language (see ``advisor.messages``); each initiative cites its record.
"""

from __future__ import annotations

from gettext import NullTranslations

from advisor.answering.evidence import Evidence, Item, Quoter, Section
from advisor.answering.facts import labels
from advisor.answering.listing import record_items
from advisor.framework import Framework
from advisor.messages import translator
from advisor.portfolio.assessment import Assessment, PortfolioSummary, summarize_assessed
from advisor.portfolio.records import Initiative
from advisor.understanding.intents import PortfolioFilter

REGIONS_AT_MOST = 12


def describe_filter(f: PortfolioFilter, framework: Framework, language: str = "en") -> str:
    t = translator(language)
    either, both = t.gettext(" or "), t.gettext(" and ")
    parts = []
    if f.ai_types:
        parts.append(either.join(t.gettext(framework.ai_types[a].label) for a in f.ai_types))
    if f.regions:
        parts.append(t.gettext("in {regions}").format(regions=either.join(f.regions)))
    if f.business_units:
        parts.append(t.gettext("of {units}").format(units=either.join(f.business_units)))
    if f.phases:
        parts.append(t.gettext("in phase {phases}").format(phases=either.join(str(p) for p in f.phases)))
    if f.stalled:
        parts.append(t.gettext("stalled"))
    if f.missing:
        parts.append(t.gettext("missing {items}").format(items=both.join(labels(t, framework, [c]) for c in f.missing)))
    if f.having:
        parts.append(t.gettext("with {items}").format(items=both.join(labels(t, framework, [c]) for c in f.having)))
    if f.without_owner:
        parts.append(t.gettext("without a business owner"))
    if f.without_kpi:
        parts.append(t.gettext("without a measured KPI"))
    if f.ready:
        parts.append(t.gettext("ready for their next phase (every gate condition met)"))
    return t.gettext(", ").join(parts)


def portfolio_evidence(
    question: str,
    records: list[Initiative],
    assessed: dict[str, Assessment],
    f: PortfolioFilter,
    framework: Framework,
    quoter: Quoter,
    stall_days: int,
    summary: PortfolioSummary | None,
    language: str = "en",
) -> Evidence:
    """Evidence for a portfolio question: the overview (``summary``) when no filter is given."""
    t = translator(language)
    if summary is not None:
        opening, sections = _overview(summary, {r.id: r for r in records}, assessed, framework, quoter, t)
    else:
        matching = [r for r in records if f.matches(r, assessed[r.id])]
        opening = t.ngettext(
            "**{count}** of the {total} initiatives you can see matches: {filter}.",
            "**{count}** of the {total} initiatives you can see match: {filter}.",
            len(matching),
        ).format(count=len(matching), total=len(records), filter=describe_filter(f, framework, language))
        items = record_items(matching, quoter, t, lambda r: _listing(r, assessed[r.id], quoter, t))
        sections = [
            Section(heading=t.gettext("Initiatives"), items=items),
            _common_gaps(matching, assessed, framework, t),
            _why_it_matters(f, framework, quoter, stall_days, t),
        ]
    return Evidence(
        question=question,
        intent="portfolio_status",
        language=language,
        summary=opening,
        sections=[s for s in sections if s.items],
    )


def _listing(record: Initiative, a: Assessment, quoter: Quoter, t: NullTranslations) -> Item:
    notes = []
    if a.stalled:
        notes.append(t.gettext("stalled, {days} days in phase").format(days=a.days_in_phase))
    if a.missing_capabilities:
        notes.append(t.gettext("{count} capabilities missing").format(count=len(a.missing_capabilities)))
    quote = quoter.record_phase(record)
    lead = (
        ""
        if quote
        else t.gettext("**{name}** ({id}), phase {phase}").format(name=record.name, id=record.id, phase=record.phase)
    )
    return Item(lead=lead, quote=quote, note=t.gettext("; ").join(notes))


def _common_gaps(
    matching: list[Initiative], assessed: dict[str, Assessment], framework: Framework, t: NullTranslations
) -> Section:
    if len(matching) < 2:
        return Section()
    gaps = summarize_assessed(framework, [(r, assessed[r.id]) for r in matching]).common_missing_capabilities
    line = t.gettext("{label}: {count} of {total}")
    return Section(
        heading=t.gettext("Most common missing capabilities among them"),
        items=[Item(lead=line.format(label=t.gettext(g.label), count=g.count, total=len(matching))) for g in gaps[:5]],
    )


def _why_it_matters(
    f: PortfolioFilter, framework: Framework, quoter: Quoter, stall_days: int, t: NullTranslations
) -> Section:
    refs = [framework.capability(c).ref for c in f.missing]
    conditions = {"stalled": f.stalled, "no_business_owner": f.without_owner, "no_measured_kpi": f.without_kpi}
    refs += [r.ref for r in framework.risks if r.condition and conditions.get(r.condition)]
    items = [Item(quote=q) for q in (quoter.ref(ref) for ref in refs) if q]
    if f.stalled:
        lead = t.gettext("Stalled means more than {days} days in the same phase (phases 1 to 4).")
        items.append(Item(lead=lead.format(days=stall_days)))
    return Section(heading=t.gettext("Why it matters"), items=items)


def _overview(
    summary: PortfolioSummary,
    by_id: dict[str, Initiative],
    assessed: dict[str, Assessment],
    framework: Framework,
    quoter: Quoter,
    t: NullTranslations,
) -> tuple[str, list[Section]]:
    def listing(mentions) -> list[Item]:
        records = [by_id[m.id] for m in mentions]
        return record_items(records, quoter, t, lambda r: _listing(r, assessed[r.id], quoter, t))

    def owner(record: Initiative) -> Item:
        quote = quoter.record(record, f"{record.name} has no named business owner")
        return Item(lead="" if quote else f"**{record.name}** ({record.id})", quote=quote)

    owners = record_items([by_id[m.id] for m in summary.without_owner], quoter, t, owner)
    phase_line = t.gettext("Phase {phase}, {name}: **{count}**")
    gap_line = t.gettext("{label}: {count} initiatives")
    sections = [
        Section(
            heading=t.gettext("By phase"),
            items=[
                Item(lead=phase_line.format(phase=n, name=t.gettext(framework.phase(n).name), count=count))
                for n, count in summary.by_phase.items()
            ],
        ),
        Section(
            heading=t.gettext("Stalled ({count})").format(count=len(summary.stalled)), items=listing(summary.stalled)
        ),
        Section(
            heading=t.gettext("Without a business owner ({count})").format(count=len(summary.without_owner)),
            items=owners,
        ),
        Section(
            heading=t.gettext("Without a measured KPI ({count})").format(count=len(summary.without_measured_kpi)),
            items=listing(summary.without_measured_kpi),
        ),
        Section(
            heading=t.gettext("Most common missing capabilities"),
            items=[
                Item(lead=gap_line.format(label=t.gettext(g.label), count=g.count))
                for g in summary.common_missing_capabilities[:5]
            ],
        ),
    ]
    types = ", ".join(f"{t.gettext(framework.ai_types[a].label)} {n}" for a, n in summary.by_ai_type.items())
    regions = ", ".join(f"{r} {n}" for r, n in list(summary.by_region.items())[:REGIONS_AT_MOST])
    if len(summary.by_region) > REGIONS_AT_MOST:
        more = len(summary.by_region) - REGIONS_AT_MOST
        regions += " " + t.ngettext("…and {count} more region", "…and {count} more regions", more).format(count=more)
    opening = t.gettext("You can see **{total}** initiatives ({types}; {regions}).").format(
        total=summary.total, types=types, regions=regions
    )
    return opening, sections
