"""The portfolio narrowed by a free-text filter: region, business unit, AI type, phase or "stalled"."""

from __future__ import annotations

import re

from advisor import Advisor
from advisor.assessment import PortfolioSummary, is_stalled, summarize_portfolio
from advisor.errors import NotFoundError
from advisor.records import Initiative, Requester

PHASE = re.compile(r"^(?:phase\s*)?(\d+)$")
FILTER_HELP = ("filter by region, business unit, AI type (ml, genai, agent), phase (e.g. `phase 2` or its "
               "name) or `stalled`")


def filtered_summary(advisor: Advisor, requester: Requester, text: str) -> tuple[PortfolioSummary, str]:
    """The summary over the visible initiatives that match ``text``, and a title saying which."""
    wanted = " ".join(text.lower().split())
    if not wanted:
        return advisor.portfolio_summary(requester), "AI portfolio"
    records = [r for r in advisor.portfolio.all(requester) if matches(advisor, r, wanted)]
    if not records:
        raise NotFoundError(f"no initiative you can see matches {text.strip()!r}; {FILTER_HELP}")
    summary = summarize_portfolio(advisor.framework, records, advisor.today, advisor.settings.stall_days)
    return summary, f"AI portfolio: {text.strip()}"


def matches(advisor: Advisor, record: Initiative, wanted: str) -> bool:
    framework = advisor.framework
    if wanted == "stalled":
        return is_stalled(framework, record, advisor.today, advisor.settings.stall_days)
    phase = PHASE.match(wanted)
    if phase:
        return record.phase == int(phase.group(1))
    if wanted == framework.phase(record.phase).name.lower():
        return True
    if wanted in (record.ai_type, framework.ai_types[record.ai_type].label.lower()):
        return True
    exact = (record.region.lower(), record.business_unit.lower(), record.id.lower())
    return wanted in exact or any(wanted in field for field in (*exact, record.name.lower()))
