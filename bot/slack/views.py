"""Block Kit for everything that is not an answer: portfolio, one initiative, help, ingestion, errors."""

from __future__ import annotations

import re
from pathlib import Path

from advisor.feedback import UsageReport, UsageRow
from advisor.framework import Framework
from advisor.portfolio.assessment import Assessment, PortfolioSummary
from advisor.portfolio.samples import sample_note, samples_removed_text
from bot.slack.blocks import LIST_ITEMS, context, section
from bot.slack.failures import public_text
from bot.slack.mrkdwn import escape
from ingest.pipeline import STATUSES, IngestSummary

HELP_TEXT = (
    "*Ask me about moving AI initiatives from proof of concept to production.*\n"
    "• `/advisor ask QUESTION`: e.g. `/advisor ask what is missing before Claims Triage can go live?`\n"
    "• `/advisor initiative NAME`: where one initiative stands, its gate to the next phase, gaps and risks\n"
    "• `/advisor portfolio [filter]`: the portfolio at a glance; filter by region, business unit, "
    "AI type (`ml`, `genai`, `agent`), phase (`phase 2`) or `stalled`\n"
    "• `/advisor ingest FILE_LINK`: admins add a shared file to the knowledge base\n"
    "• `/advisor help`: this message\n"
    "You can also mention me in a channel, reply in my threads, or message me directly."
)


def help_blocks() -> list[dict]:
    return [section(HELP_TEXT)]


def portfolio_blocks(summary: PortfolioSummary, framework: Framework, title: str) -> list[dict]:
    """Counts by phase, stalled initiatives and the most common gaps."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150], "emoji": True}},
        context(f"{summary.total} initiative{'s' if summary.total != 1 else ''} you can see"),
    ]
    if summary.samples:
        blocks.append(context(":information_source: " + escape(sample_note(summary.samples, summary.total))))
    if summary.total == 0:
        blocks.append(section("No initiatives are visible to you yet."))
        return blocks
    phase_fields = [
        {"type": "mrkdwn", "text": f"*{n} · {escape(framework.phase(n).name)}*\n{count}"}
        for n, count in summary.by_phase.items()
    ]
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "*By phase*"}, "fields": phase_fields[:10]})
    stalled = [
        f"• *{escape(m.name)}* (`{escape(m.id)}`): phase {m.phase}, {m.days_in_phase} days"
        for m in summary.stalled[: LIST_ITEMS * 2]
    ] + _more(len(summary.stalled) - LIST_ITEMS * 2)
    blocks.append(section("*Stalled*\n" + ("\n".join(stalled) if stalled else "None, nothing is stuck.")))
    gaps = [f"• {escape(g.label)}: missing in {g.count}" for g in summary.common_missing_capabilities[:5]]
    blocks.append(section("*Most common missing capabilities*\n" + ("\n".join(gaps) if gaps else "None.")))
    no_owner = ", ".join(
        [escape(m.name) for m in summary.without_owner[:LIST_ITEMS]] + _more(len(summary.without_owner) - LIST_ITEMS)
    )
    no_kpi = ", ".join(
        [escape(m.name) for m in summary.without_measured_kpi[:LIST_ITEMS]]
        + _more(len(summary.without_measured_kpi) - LIST_ITEMS)
    )
    notes = [
        f"*Without a business owner:* {no_owner}" if no_owner else "",
        f"*Without a measured KPI:* {no_kpi}" if no_kpi else "",
    ]
    if any(notes):
        blocks.append(context(*[n for n in notes if n]))
    return blocks


def _more(count: int) -> list[str]:
    """ "…and N more" (with where to see them all) when ``count`` are left out, else nothing."""
    if count <= 0:
        return []
    return [f"_…and {count} more (all of them: `advisor portfolio --csv FILE`)_"]


def home_blocks(summary: PortfolioSummary, framework: Framework) -> list[dict]:
    blocks = portfolio_blocks(summary, framework, "AI portfolio at a glance")
    blocks += [{"type": "divider"}, section(HELP_TEXT)]
    return blocks[:100]


USAGE_DAYS = 7
USAGE_USERS = 10


def usage_blocks(report: UsageReport) -> list[dict]:
    """For admins: the chat model's tokens per day and the heaviest users (``advisor usage`` in full)."""
    blocks: list[dict] = [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Chat-model usage (admins)"}},
    ]
    if not report.total.answers:
        return blocks + [context(f"No answer has used a chat model since {report.since.isoformat()}.")]
    days = [f"• {row.key}: {_usage_line(row)}" for row in report.by_day]
    users = [f"• {_who(row.key)}: {_usage_line(row)}" for row in report.by_user[:USAGE_USERS]]
    more = len(report.by_user) - USAGE_USERS
    return blocks + [
        section(("*Per day (UTC)*\n" + "\n".join(days))[:3000]),
        section(("*Per user*\n" + "\n".join(users) + (f"\n…and {more} more" if more > 0 else ""))[:3000]),
        context(f"Since {report.since.isoformat()}: {_usage_line(report.total)}. `advisor usage` shows it all."),
    ]


def _usage_line(row: UsageRow) -> str:
    line = f"{row.tokens:,} tokens ({row.input_tokens:,} in, {row.output_tokens:,} out) in {row.answers} answers"
    return line + (f", {row.limited} over the hourly limit" if row.limited else "")


def _who(key: str) -> str:
    """A Slack user id as a mention (a view notifies nobody); anything else as literal text."""
    return f"<@{key}>" if re.fullmatch(r"[UW][A-Z0-9]{2,}", key) else escape(key)


def assessment_blocks(a: Assessment, framework: Framework) -> list[dict]:
    stalled = " · *stalled*" if a.stalled else ""
    title = (
        f"*{escape(a.name)}* (`{escape(a.id)}`) · {escape(framework.ai_types[a.ai_type].label)} · "
        f"{escape(a.business_unit)}, {escape(a.region)}"
    )
    phase = f"{a.phase} · {escape(a.phase_name)} since {a.phase_since.isoformat()} ({a.days_in_phase} days){stalled}"
    next_phase = f"{a.next_phase} · {escape(a.next_phase_name or '')}" if a.next_phase else "none (last phase)"
    fields = [
        f"*Phase*\n{phase}",
        f"*Next phase*\n{next_phase}",
        f"*Business owner*\n{escape(a.business_owner) if a.business_owner else '_none_'}",
    ]
    gates = "\n".join(f"✗ {escape(g)}" for g in a.unmet_gates) or ("All conditions met" if a.next_phase else "-")
    missing = "\n".join(f"• {escape(framework.capability(c).label)}" for c in a.missing_capabilities) or "None"
    risks = (
        "\n".join(
            f"• {escape(r.name)}"
            + (f" (controls missing: {escape(', '.join(r.missing_controls))})" if r.missing_controls else "")
            for r in a.risk_details
        )
        or "-"
    )
    blocks = [
        section(title),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f[:2000]} for f in fields]},
        section(f"*Gate to the next phase*\n{gates}"[:3000]),
        section(f"*Missing capabilities*\n{missing}"[:3000]),
        section(f"*Risks*\n{risks}"[:3000]),
    ]
    if a.unknown_capabilities:
        unknown = ", ".join(f"`{escape(c)}`" for c in a.unknown_capabilities)
        blocks.append(context(f":warning: Recorded capabilities that framework.yaml does not define: {unknown}"[:3000]))
    return blocks


def ingest_summary_text(summary: IngestSummary) -> str:
    """One line of counts, then one line per failed or skipped file (by name: never a server path)."""
    counts = ", ".join(f"{summary.counts[s]} {s}" for s in STATUSES if summary.counts.get(s))
    files = len(summary.results)
    lines = [
        f"*Ingested {files} file{'s' if files != 1 else ''}:* {counts or 'nothing to do'} "
        f"({summary.chunks} chunks, {summary.seconds:.1f} s)"
    ]
    for result in summary.results:
        if result.status in ("failed", "skipped"):
            reason = public_text(result.error or "no reason given")
            lines.append(f"• {result.status}: `{escape(Path(result.source).name)}`: {reason}")
    if summary.samples_removed:
        lines.append(f"• {escape(samples_removed_text(summary.samples_removed))}")
    lines += [f"• :warning: {public_text(w)}" for w in summary.warnings]
    return "\n".join(lines)[:3000]


def error_blocks(text: str) -> list[dict]:
    return [section(f":warning: {text}"[:3000])]
