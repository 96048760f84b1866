"""`advisor eval` and `advisor usage`: labelled questions through the configured composer, and
what the chat model cost, per day and per user, as terminal tables."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text

from advisor import Advisor
from advisor.access import Requester
from advisor.answering.evaluation import EvalReport, QuestionScore, score_answer, summarize
from advisor.feedback import UsageReport, UsageRow


def run_eval(
    advisor: Advisor, path: Path, cases: list[dict], user: str | None = None, channel: str | None = None
) -> EvalReport:
    """Ask every labelled question as its ``user`` (else ``user``; else the local administrator)."""
    composer = advisor.settings.llm or "extractive"
    scores = []
    for case in cases:
        asker, where = case.get("user") or user, case.get("channel") or channel
        requester = Requester(user_id=asker, channel_id=where) if (asker or where) else Requester.admin()
        started = time.perf_counter()
        answer = advisor.ask(case["question"], requester, case.get("history"))
        scores.append(score_answer(case, answer, (time.perf_counter() - started) * 1000))
    return summarize(str(path), composer, scores)


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _tick(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "[red]no[/red]")


def eval_view(report: EvalReport) -> Group:
    table = Table(title=f"{report.file} · {report.totals.composer}", title_justify="left")
    headers = ("#", "question", "read", "cites", "supported", "terms", "facts", "fallback", "ms", "tokens")
    for name in headers:
        if name == "question":
            table.add_column(name, max_width=56, overflow="ellipsis", no_wrap=True)
        else:
            table.add_column(name, justify="right", no_wrap=True)
    for number, s in enumerate(report.questions, start=1):
        table.add_row(
            str(number),
            Text(s.question),
            _tick(s.routed),
            _tick(s.citations_valid),
            _supported(s),
            _rate(s.key_terms),
            _tick(s.exact_facts),
            "[yellow]yes[/yellow]" if s.fallback else "",
            f"{s.latency_ms:.0f}",
            f"{s.input_tokens}/{s.output_tokens}",
        )
    t = report.totals
    totals = Table.grid(padding=(0, 2))
    rows = [
        ("questions", str(t.questions)),
        ("valid citations", f"{t.citations_valid:.3f} of answers"),
        ("supported sentences", _rate(t.supported_rate)),
        ("key terms (mean coverage)", _rate(t.key_terms)),
        ("exact facts", f"{_rate(t.exact_facts)} of {t.exact_facts_questions} questions with facts"),
        ("intent and subject", f"{t.routed:.3f}"),
        ("fallbacks to the extractive answer", str(t.fallbacks)),
        ("latency p50 / p95", f"{t.latency_p50_ms:.0f} ms / {t.latency_p95_ms:.0f} ms"),
        ("tokens in / out", f"{t.input_tokens} / {t.output_tokens}"),
    ]
    for name, value in rows:
        totals.add_row(Text(name, style="bold"), value)
    return Group(table, Text(""), totals)


def _supported(score: QuestionScore) -> str:
    if not score.checked_sentences:
        return "–"
    return f"{score.supported_sentences}/{score.checked_sentences}"


def usage_view(report: UsageReport) -> Group:
    parts: list = [Text(f"Chat-model tokens since {report.since.isoformat()} (UTC days)", style="bold")]
    if not report.total.answers:
        return Group(*parts, Text("No answer has used a chat model in this period."))
    for title, rows in (("day", report.by_day), ("user", report.by_user)):
        parts.append(_usage_table(title, [*rows, report.total]))
    return Group(*parts)


def _usage_table(title: str, rows: list[UsageRow]) -> Table:
    table = Table()
    table.add_column(title)
    for name in ("answers", "tokens in", "tokens out", "total", "over the hourly limit"):
        table.add_column(name, justify="right")
    for row in rows:
        style = "bold" if row.key == "total" else None
        table.add_row(
            row.key,
            str(row.answers),
            f"{row.input_tokens:,}",
            f"{row.output_tokens:,}",
            f"{row.tokens:,}",
            str(row.limited),
            style=style,
        )
    return table
