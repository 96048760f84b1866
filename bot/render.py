"""Terminal rendering (rich) of assessments, portfolio summaries, ingestion and search results."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from advisor.answering.answer import Answer
from advisor.answering.facts import gate_condition, labels
from advisor.answering.listing import LISTED_AT_MOST
from advisor.framework import Framework
from advisor.messages import translator
from advisor.portfolio.assessment import Assessment, PortfolioSummary, kpi_target_met
from advisor.portfolio.records import Initiative
from advisor.portfolio.samples import sample_note, samples_removed_text
from advisor.search.index import Hit
from advisor.search.model_record import Reembedded
from ingest.doctor import DoctorReport
from ingest.manifest import SourceEntry
from ingest.pipeline import STATUSES, IngestSummary


def assessment_view(a: Assessment, record: Initiative, framework: Framework) -> Group:
    english = translator("en")
    title = Text.assemble(
        (f"{a.name}", "bold"), f"  ({a.id}, {framework.ai_types[a.ai_type].label}, {a.business_unit}, {a.region})"
    )
    facts = Table.grid(padding=(0, 2))
    facts.add_row("Phase", f"{a.phase} - {a.phase_name} (since {a.phase_since}, {a.days_in_phase} days)")
    facts.add_row("Next phase", f"{a.next_phase} - {a.next_phase_name}" if a.next_phase else "none (last phase)")
    facts.add_row("Stalled", "[red]yes[/red]" if a.stalled else "no")
    facts.add_row("Business owner", escape(record.business_owner) if record.business_owner else "[red]none[/red]")
    facts.add_row("Technical owner", escape(record.tech_owner) if record.tech_owner else "[red]none[/red]")
    facts.add_row("KPI", _kpi(record))
    facts.add_row("Roadmap goal", escape(record.roadmap_goal) if record.roadmap_goal else "[red]none[/red]")
    gates = "\n".join(
        f"[red]✗[/red] {escape(gate_condition(g, a, record, framework, english))}" for g in a.gate if not g.met
    )
    facts.add_row("Gate to next phase", gates or ("[green]all conditions met[/green]" if a.next_phase else "-"))
    facts.add_row("Capabilities in place", labels(english, framework, record.capabilities) or "none")
    missing = labels(english, framework, a.missing_capabilities)
    facts.add_row("Missing capabilities", f"[red]{missing}[/red]" if missing else "[green]none[/green]")
    if a.unknown_capabilities:
        unknown = escape(", ".join(a.unknown_capabilities))
        facts.add_row(
            "Not in the framework", f"[yellow]{unknown}[/yellow] (recorded, but framework.yaml has no such id)"
        )
    risks = "\n".join(
        escape(r.name)
        + (
            f" [dim](controls missing: {labels(english, framework, r.missing_controls)})[/dim]"
            if r.missing_controls
            else ""
        )
        for r in a.risk_details
    )
    facts.add_row("Risks", risks or "-")
    return Group(title, facts)


def _kpi(record: Initiative) -> str:
    """The KPI with its baseline, target and current value, and whether it meets the target."""
    if not record.kpi_name:
        return "[red]none[/red]"
    figures = ", ".join(
        f"{label} {value:g}" if value is not None else f"{label} [red]not measured[/red]"
        for label, value in (
            ("baseline", record.kpi_baseline),
            ("target", record.kpi_target),
            ("current", record.kpi_current),
        )
    )
    met = kpi_target_met(record)
    if met is None:
        return f"{escape(record.kpi_name)}: {figures} - [dim]not comparable yet[/dim]"
    better = "lower" if record.kpi_target < record.kpi_baseline else "higher"
    verdict = "[green]target met[/green]" if met else "[red]target not met[/red]"
    return f"{escape(record.kpi_name)}: {figures} - {verdict} ({better} is better)"


def portfolio_view(summary: PortfolioSummary, framework: Framework) -> Group:
    title = f"Portfolio: {summary.total} initiatives" + (f" ({summary.filter})" if summary.filter else "")
    counts = Table(title=title, show_header=True)
    counts.add_column("Phase")
    counts.add_column("Count", justify="right")
    for number, count in summary.by_phase.items():
        counts.add_row(f"{number} {framework.phase(number).name}", str(count))
    kinds = ", ".join(f"{framework.ai_types[t].label} {n}" for t, n in summary.by_ai_type.items())
    regions = ", ".join(f"{r} {n}" for r, n in summary.by_region.items())

    def names(items, describe=lambda m: f"{m.name} ({m.id})") -> str:
        shown = ", ".join(escape(describe(m)) for m in items[:LISTED_AT_MOST]) or "none"
        return shown + (f" …and {len(items) - LISTED_AT_MOST} more" if len(items) > LISTED_AT_MOST else "")

    stalled = names(summary.stalled, lambda m: f"{m.name} ({m.id}, phase {m.phase}, {m.days_in_phase} days)")
    gaps = ", ".join(f"{g.label} ({g.count})" for g in summary.common_missing_capabilities[:5])
    lines = [
        f"[bold]By AI type:[/bold] {kinds}",
        f"[bold]By region:[/bold] {escape(regions)}",
        f"[bold]Stalled ({len(summary.stalled)}):[/bold] {stalled}",
        f"[bold]Without a business owner ({len(summary.without_owner)}):[/bold] {names(summary.without_owner)}",
        f"[bold]Without a measured KPI ({len(summary.without_measured_kpi)}):[/bold] "
        + names(summary.without_measured_kpi),
        f"[bold]Most common missing capabilities:[/bold] {gaps or 'none'}",
    ]
    if max(len(summary.stalled), len(summary.without_owner), len(summary.without_measured_kpi)) > LISTED_AT_MOST:
        lines.append("[dim]Every initiative with its assessment: advisor portfolio --csv FILE (or --json)[/dim]")
    if summary.samples:
        lines.append(f"[yellow]{escape(sample_note(summary.samples, summary.total).strip('_'))}[/yellow]")
    return Group(counts, *(Text.from_markup(line) for line in lines))


def ingest_view(summary: IngestSummary) -> Group:
    table = Table(title="Ingestion summary")
    for status in STATUSES:
        table.add_column(status, justify="right")
    table.add_column("chunks", justify="right")
    table.add_column("seconds", justify="right")
    table.add_row(*(str(summary.counts[s]) for s in STATUSES), str(summary.chunks), f"{summary.seconds:.1f}")
    problems = [r for r in summary.results if r.status in ("failed", "skipped")]
    lines = [
        Text(f"{r.status}: {r.source}: {r.error}", style="red" if r.status == "failed" else "dim") for r in problems
    ]
    if summary.reembedded:
        lines.insert(0, reembedded_view(summary.reembedded))
    if summary.rebuilt:
        lines.insert(0, rebuilt_view(summary.rebuilt))
    if summary.samples_removed:
        lines.append(Text(samples_removed_text(summary.samples_removed), style="yellow"))
    lines += [Text(f"warning: {w}", style="yellow") for w in summary.warnings]
    return Group(table, *lines)


def rebuilt_view(r: Reembedded) -> Text:
    return Text(
        f"After the deletes some stored chunks could no longer be found by a search: rebuilt the vector "
        f"collection ({r.chunks} chunks embedded again in {r.seconds:.1f} s).",
        style="yellow",
    )


def doctor_view(report: DoctorReport) -> Group:
    table = Table(title="Index check" if report.checked_only else "Index check and repair")
    for column in ("check", "state", "found", "repair"):
        table.add_column(column, overflow="fold")
    for f in report.findings:
        state = "[green]ok[/green]" if f.ok else ("[yellow]repaired[/yellow]" if f.repaired else "[red]wrong[/red]")
        table.add_row(f.check, state, escape(f.detail), escape(f.repair or ""))
    wrong = [f for f in report.findings if not f.ok]
    problems = f"{len(wrong)} problem" + ("s" if len(wrong) != 1 else "")
    if not wrong:
        verdict = Text("Everything agrees: nothing to repair.", style="green")
    elif report.checked_only:
        verdict = Text(f"{problems} found; run `advisor doctor` to repair.", style="red")
    elif report.healthy:
        verdict = Text(f"{problems} found and repaired.", style="yellow")
    else:
        verdict = Text("Some problems remain: see the repair column.", style="red")
    return Group(table, verdict)


def removal_view(summary: IngestSummary) -> Group:
    removed = [r for r in summary.results if r.status == "removed"]
    chunks = sum(r.chunks for r in removed)
    lines = [Text(f"removed: {r.source} ({r.chunks} chunks)") for r in removed]
    lines.append(Text(f"{len(removed)} sources and {chunks} chunks taken out of the index.", style="bold"))
    if summary.rebuilt:
        lines.append(rebuilt_view(summary.rebuilt))
    return Group(*lines)


def reembedded_view(r: Reembedded) -> Text:
    return Text(
        f"The embedding model changed from {r.from_model} to {r.to_model}: "
        f"re-embedded all {r.chunks} stored chunks in {r.seconds:.1f} s.",
        style="yellow",
    )


def sources_view(entries: list[SourceEntry]) -> Table:
    table = Table(title=f"{len(entries)} sources indexed")
    table.add_column("source", overflow="fold", ratio=3)  # a path is folded, never cut
    table.add_column("kind")
    table.add_column("title", overflow="fold", ratio=2)
    table.add_column("chunks", justify="right")
    table.add_column("ingested at", no_wrap=True)
    for e in entries:
        table.add_row(e.source, e.kind, e.title, str(e.chunks), e.ingested_at.strftime("%Y-%m-%d %H:%M"))
    return table


def hits_view(hits: list[Hit]) -> Group:
    if not hits:
        return Group(Text("No matching passages."))
    parts = []
    for rank, hit in enumerate(hits, start=1):
        c = hit.chunk
        snippet = " ".join(c.text.split())
        snippet = snippet[:240] + ("…" if len(snippet) > 240 else "")
        parts.append(Text.assemble((f"{rank}. {c.source}", "bold"), f"  [{c.kind}] score {hit.score:.4f}"))
        parts.append(Text(f"   {c.section}", style="cyan"))
        parts.append(Text(f"   {snippet}\n"))
    return Group(*parts)


def answer_view(answer: Answer) -> Group:
    t = translator(answer.language)
    parts = [Markdown(answer.text)]
    if answer.citations:
        sources = Table.grid(padding=(0, 1))
        for c in answer.citations:
            sources.add_row(f"[{c.n}]", Text.assemble((c.title, "bold"), f" — {c.section}\n", (c.source, "dim")))
        parts += [Text("\n" + t.gettext("Sources"), style="bold"), sources]
    if answer.check is not None and answer.check.fallback is None:
        line = t.gettext("Written by {model}; the check removed {removed} of {checked} sentences.")
        removed = len(answer.check.removed)
        parts.append(Text("\n" + line.format(model=answer.composer, removed=removed, checked=answer.check.checked)))
        parts[-1].stylize("dim")
    return Group(*parts)


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)
