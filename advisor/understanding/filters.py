"""Portfolio filters named in a question: AI types, regions, units, phases, stalled, gaps, owners, KPIs.

These are exact entities, found by the vocabulary in ``vocabulary.yaml`` (four languages) and by
the names the framework and the records use. Whether the question is about the portfolio at all
is decided elsewhere.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from advisor.framework import Framework
from advisor.portfolio.assessment import Assessment
from advisor.portfolio.records import Initiative
from advisor.understanding.matching import folded

GROUPINGS = ("region", "business_unit", "ai_type")


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


@functools.cache
def vocabulary() -> dict:
    return yaml.safe_load((Path(__file__).with_name("vocabulary.yaml")).read_text(encoding="utf-8"))


@functools.cache
def _compiled(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def says(text: str, concept: str) -> bool:
    """Whether the (folded) text names a concept of the vocabulary, such as "stalled"."""
    return _compiled(tuple(vocabulary()[concept])).search(text) is not None


def _words(pattern: str) -> re.Pattern:
    return re.compile(r"(?<![\w-])" + re.escape(pattern) + r"(?![\w-])")


def capability_mentions(text: str, framework: Framework) -> tuple[list[str], str]:
    """Capability ids named in the text (by id, label or alias, in any of our languages), in
    framework order, and the text with those names taken out."""
    names = [
        (folded(name), capability.id)
        for capability in framework.capabilities
        for name in [capability.id, capability.id.replace("_", " "), capability.label, *capability.aliases]
    ]
    found, remaining = [], text
    for name, cid in sorted(names, key=lambda item: -len(item[0])):
        if _words(name).search(remaining):
            remaining = _words(name).sub(" ", remaining)
            found.append(cid)
    for cid, patterns in vocabulary()["capabilities"].items():
        if _compiled(tuple(patterns)).search(remaining):
            remaining = _compiled(tuple(patterns)).sub(" ", remaining)
            found.append(cid)
    order = [c.id for c in framework.capabilities]
    return sorted(set(found), key=order.index), remaining


def phases_named(text: str) -> set[int]:
    """Phase numbers: "phase 2 or 3", "phases 2-4", "フェーズ2か3", "2단계나 3단계", "giai doan 2 hoac 3"."""
    v = vocabulary()
    joiners = "|".join(re.escape(j) for j in v["phase_joiners"] + v["phase_ranges"])
    numbers = rf"\d(?:\s*(?:{joiners})?\s*(?:{v['phase_before']})?\d)*"
    found: set[int] = set()
    if re.fullmatch(r"\s*\d\s*", text):  # a filter that is only a number: "advisor portfolio 2"
        return {int(text)}
    spans = [m.group(1) for m in re.finditer(rf"{v['phase_before']}({numbers})", text)]
    korean = rf"(\d(?:\s*(?:{v['phase_after']})?\s*(?:{joiners})?\s*\d)*){v['phase_after']}"
    spans += [m.group(1) for m in re.finditer(korean, text)]
    ranges = "|".join(re.escape(r) for r in v["phase_ranges"])
    for span in spans:
        for start, operator, end in re.findall(rf"(\d)(?=(\s*(?:{ranges})\s*(?:{v['phase_before']})?(\d))?)", span):
            found.add(int(start))
            if operator and end:
                found |= set(range(int(start), int(end) + 1))
    return {n for n in found if 1 <= n <= 9}


def _business_units(text: str, records: list[Initiative]) -> list[str]:
    v = vocabulary()
    named_words = {word for word, patterns in v["business_units"].items() if _compiled(tuple(patterns)).search(text)}
    units = []
    for unit in sorted({r.business_unit for r in records}):
        words = [w for w in re.findall(r"\w+", folded(unit)) if w not in v["unit_generic"] and len(w) > 2]
        if _words(folded(unit)).search(text) or any(_words(w).search(text) or w in named_words for w in words):
            units.append(unit)
    return units


def parse_filter(text: str, records: list[Initiative], framework: Framework) -> PortfolioFilter:
    """The filters a question names (``text`` as :func:`folded` gives it)."""
    capabilities, rest = capability_mentions(text, framework)
    phases = phases_named(rest)
    if says(rest, "proof_of_concept"):
        phases.add(1)
    if says(rest, "in_production"):
        phases |= {3, 4, 5}
    named_regions = framework.regions_in(rest)
    regions = [r for r in sorted({r.region for r in records}) if r in named_regions or _words(folded(r)).search(rest)]
    absent = says(text, "capability_absent")
    return PortfolioFilter(
        ai_types=tuple(
            t for t, patterns in vocabulary()["ai_types"].items() if _compiled(tuple(patterns)).search(rest)
        ),
        regions=tuple(regions),
        business_units=tuple(_business_units(rest, records)),
        phases=tuple(sorted(phases)),
        stalled=says(rest, "stalled"),
        missing=tuple(capabilities) if absent else (),
        having=() if absent else tuple(capabilities),
        without_owner=says(text, "without_owner"),
        without_kpi=says(text, "without_kpi"),
        ready=says(rest, "ready"),
    )


def grouping_named(text: str) -> str | None:
    """The dimension of a ranking ("which region has the most …?"), or None."""
    if not says(text, "superlative"):
        return None
    groups = vocabulary()["group_by"]
    return next((g for g in GROUPINGS if _compiled(tuple(groups[g])).search(text)), None)
