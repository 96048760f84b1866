"""What a question asks and about what, from its own words (no LLM needed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal

from advisor.framework import Framework
from advisor.portfolio.assessment import Assessment
from advisor.portfolio.records import Initiative
from advisor.understanding.matching import best_matches

_RISK = re.compile(r"\brisk|\brisky\b|danger|threat|go wrong|worr(y|ies)|pitfall|concern")
_MISSING = re.compile(
    r"\bmissing\b|\black|\bgaps?\b|infrastructure|capabilit|mlops|llmops|\bin place\b|"
    r"\bneed to (build|add|put)"
)
_NEXT = re.compile(
    r"next (phase|step|stage)|\bgo(es|ing)? live|to production|production[- ]ready|\bblock|"
    r"hold(s|ing)? (it|them|\w+) back|move (on|forward|ahead|to)|\badvance|\bgates?\b|"
    r"\bready\b|promot|graduat|to phase \d|what does .* need|what do(es)? .* take"
)
_READINESS = re.compile(
    r"\bgo(es|ing)? live|production|launch|\bready\b|roll(ing)? out|\bscal(e|ing)\b|"
    r"\bneed|\brequire|checklist|before"
)
_FOLLOW_UP = re.compile(
    r"^(and|also|what about|how about|then)\b|\b(it|its|it's|this one|that one|"
    r"this initiative|that initiative|the same)\b"
)
_PLURAL = re.compile(r"\b(initiatives|projects|pilots|use cases|pocs|ones)\b")
_PORTFOLIO = re.compile(
    r"\bportfolio\b|\bhow many\b|\blist\b|\boverview\b|\ball (of )?(our|the) |"
    r"\bwhich\b.*\b(initiatives|projects|pilots|use cases|ones|agents|models|bots|systems)\b|"
    r"\ball (\w+ ){0,2}(initiatives|projects|pilots|use cases)\b|\bhow are we doing\b|"
    r"\b(summary|status|state) of (all|our|the) (\w+ )?(portfolio|initiatives|projects|use cases)\b"
)
_PORTFOLIO_STATE = re.compile(
    r"status|stall|stuck|\black|without|missing|\bare there\b|do we have|\bin phase|"
    r"\bready\b"
)
_READY = re.compile(r"\bready (for|to)\b|\bpass(ed|es)? (its|their|the) gates?\b|\bcan (move|advance|go)\b")
_STALLED = re.compile(r"\bstall(ed|ing|s)?\b")
_STUCK_IN = re.compile(r"\bstuck\b(?! in (the )?(poc|pilot|phase|proof))")
_NEGATION = re.compile(
    r"\b(lack|lacks|lacking|without|missing|no|not have|don't have|doesn't have|"
    r"do not have|does not have|needs?|gaps? in)\b"
)
_NO_OWNER = re.compile(
    r"\b(without|no|lack\w*|missing|not have|don't have|doesn't have)\s+(an?\s+)?(named\s+|clear\s+)?"
    r"(business\s+)?owners?\b|ownerless|unowned|(nobody|no one) owns"
)
_NO_KPI = re.compile(
    r"\b(without|no|lack\w*|missing|not have|don't have|doesn't have)\s+(an?\s+)?(measured\s+)?(kpis?|roi|metrics?|"
    r"measurements?)\b|unmeasured|not measured|no measured"
)
_AI_TYPES = {
    "genai": re.compile(r"\bgen ?ai\b|generative|\bllms?\b|\bgpt|\brag\b|copilot"),
    "agent": re.compile(r"\bagent(s|ic)?\b"),
    "ml": re.compile(r"\bml\b|machine learning|traditional|predictive|classical"),
}
_POC = re.compile(r"\b(pocs?|proofs? of concept|proof-of-concept)\b")

Intent = Literal[
    "initiative_status",
    "next_phase",
    "missing_infrastructure",
    "risks",
    "portfolio_status",
    "general_guidance",
]


@dataclass(frozen=True)
class PortfolioFilter:
    ai_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    business_units: tuple[str, ...] = ()
    phases: tuple[int, ...] = ()
    stalled: bool = False
    missing: tuple[str, ...] = ()
    having: tuple[str, ...] = ()
    without_owner: bool = False
    without_kpi: bool = False
    ready: bool = False  # every condition of the gate to the next phase is met

    def is_empty(self) -> bool:
        return self == PortfolioFilter()

    def matches(self, record: Initiative, assessment: Assessment) -> bool:
        return all(
            (
                not self.ai_types or record.ai_type in self.ai_types,
                not self.regions or record.region in self.regions,
                not self.business_units or record.business_unit in self.business_units,
                not self.phases or record.phase in self.phases,
                not self.stalled or assessment.stalled,
                all(c in assessment.missing_capabilities for c in self.missing),
                all(c in record.capabilities for c in self.having),
                not self.without_owner or not record.business_owner,
                not self.without_kpi or not record.has_measured_kpi,
                not self.ready or (assessment.next_phase is not None and not assessment.unmet_gates),
            )
        )

    def merged_into(self, earlier: PortfolioFilter) -> PortfolioFilter:
        """A follow-up's filter: what it names replaces the same kind of filter of the earlier turn."""
        changes = {k: v for k, v in self.__dict__.items() if v}
        return replace(earlier, **changes)


@dataclass
class Query:
    intent: Intent
    initiatives: list[Initiative] = field(default_factory=list)
    filter: PortfolioFilter = field(default_factory=PortfolioFilter)
    from_history: bool = False
    readiness_of: str | None = None  # guidance on what an AI type needs before production
    risks_of: str | None = None  # guidance on the risks of an AI type


def _words(pattern: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(pattern) + r"(?![\w-])")


def capability_mentions(text: str, framework: Framework) -> list[str]:
    """Capability ids named in the text (by id, label or alias), longest names first."""
    names = []
    for capability in framework.capabilities:
        for name in [capability.id, capability.id.replace("_", " "), capability.label, *capability.aliases]:
            names.append((name.lower(), capability.id))
    found, remaining = [], text
    for name, cid in sorted(names, key=lambda item: -len(item[0])):
        if _words(name).search(remaining):
            remaining = _words(name).sub(" ", remaining)
            if cid not in found:
                found.append(cid)
    order = [c.id for c in framework.capabilities]
    return sorted(found, key=order.index)


def parse_filter(text: str, records: list[Initiative], framework: Framework) -> PortfolioFilter:
    named = framework.regions_in(text)  # the region table's spellings, in any language
    regions = [r for r in sorted({r.region for r in records}) if r in named or _words(r.lower()).search(text)]
    units = [u for u in sorted({r.business_unit for r in records}) if _words(u.lower()).search(text)]
    phases = {int(n) for n in re.findall(r"\bphase (\d)\b|^(\d)$", text) for n in n if n}
    if _POC.search(text):
        phases.add(1)
    if re.search(r"\b(in|reached|reach) production\b", text):
        phases |= {3, 4, 5}
    capabilities = capability_mentions(text, framework)
    negated = bool(_NEGATION.search(text))
    return PortfolioFilter(
        ai_types=tuple(t for t, pattern in _AI_TYPES.items() if pattern.search(text)),
        regions=tuple(regions),
        business_units=tuple(units),
        phases=tuple(sorted(phases)),
        stalled=bool(_STALLED.search(text) or _STUCK_IN.search(text)),
        missing=tuple(capabilities) if negated else (),
        having=() if negated else tuple(capabilities),
        without_owner=bool(_NO_OWNER.search(text)),
        without_kpi=bool(_NO_KPI.search(text)),
        ready=bool(_READY.search(text)),
    )


def _aspect(text: str) -> Intent:
    if _RISK.search(text):
        return "risks"
    if _MISSING.search(text):
        return "missing_infrastructure"
    if _NEXT.search(text):
        return "next_phase"
    return "initiative_status"


def _is_portfolio(text: str, filters: PortfolioFilter) -> bool:
    if _PORTFOLIO.search(text):
        return True
    return bool(_PLURAL.search(text)) and bool(
        _PORTFOLIO_STATE.search(text) or filters.regions or filters.ai_types or filters.phases
    )


def understand(question: str, history: list[str], records: list[Initiative], framework: Framework) -> Query:
    """Intent, initiative(s) and portfolio filters of a question, using earlier turns for follow-ups."""
    text = " ".join(question.lower().split())
    matches = best_matches(question, records)
    filters = parse_filter(text, records, framework)
    if _is_portfolio(text, filters) and not any(m.exact for m in matches):
        return Query("portfolio_status", filter=filters)
    if matches:
        return Query(_aspect(text), initiatives=[m.record for m in matches])
    follow_up = _FOLLOW_UP.search(text) or len(text.split()) <= 6
    if history and follow_up:
        earlier = understand(history[-1], history[:-1], records, framework)
        if earlier.initiatives and not filters.regions and not filters.ai_types:
            return Query(_aspect(text), initiatives=earlier.initiatives, from_history=True)
        if earlier.intent == "portfolio_status":
            return Query("portfolio_status", filter=filters.merged_into(earlier.filter), from_history=True)
    if (_STALLED.search(text) or _STUCK_IN.search(text)) and not filters.is_empty():
        return Query("portfolio_status", filter=filters)
    ai_type = filters.ai_types[0] if len(filters.ai_types) == 1 else None
    if ai_type and _RISK.search(text):
        return Query("general_guidance", risks_of=ai_type)
    return Query("general_guidance", readiness_of=ai_type if ai_type and _READINESS.search(text) else None)
