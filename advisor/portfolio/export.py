"""The portfolio as a CSV table: every initiative with its assessment, one row each.

Answers and views list a handful of initiatives and say how many more there are; this table (and
``advisor portfolio --json``) holds all of them, for a spreadsheet or another tool.
"""

from __future__ import annotations

import csv
import io

from advisor.framework import Framework
from advisor.portfolio.assessment import Assessment
from advisor.portfolio.records import Initiative

COLUMNS = (
    "id",
    "name",
    "business_unit",
    "region",
    "ai_type",
    "phase",
    "phase_name",
    "phase_since",
    "days_in_phase",
    "stalled",
    "business_owner",
    "tech_owner",
    "kpi_name",
    "kpi_baseline",
    "kpi_target",
    "kpi_current",
    "kpi_met",
    "next_phase",
    "unmet_gates",
    "missing_capabilities",
    "unknown_capabilities",
    "risks",
    "visibility",
)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    text = str(value)
    # a spreadsheet would run a cell starting with these as a formula (OWASP "CSV injection")
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def portfolio_csv(assessed: list[tuple[Initiative, Assessment]], framework: Framework) -> str:
    """CSV text with a header row; lists are ``;``-separated, as in the record files."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record, a in assessed:
        values = {
            **record.model_dump(),
            "phase_name": a.phase_name,
            "days_in_phase": a.days_in_phase,
            "stalled": a.stalled,
            "kpi_met": a.kpi_met,
            "next_phase": a.next_phase,
            "unmet_gates": "; ".join(a.unmet_gates),
            "missing_capabilities": "; ".join(a.missing_capabilities),
            "unknown_capabilities": "; ".join(a.unknown_capabilities),
            "risks": "; ".join(a.risks),
        }
        writer.writerow([_cell(values[c]) for c in COLUMNS])
    return out.getvalue()
