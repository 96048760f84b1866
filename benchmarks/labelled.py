"""Labelled evaluation sets shared by the benchmarks and the tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from advisor.answering.answer import Answer

DATASETS = Path(__file__).resolve().parent / "datasets"
DEFAULT_USER = "U_EMPLOYEE"


SPLITS = ("tuning", "heldout")


def load(name: str) -> list[dict]:
    """The cases of a labelled set; a ``split`` other than tuning or heldout is an error, so no case
    silently falls out of both parts."""
    cases = yaml.safe_load((DATASETS / name).read_text(encoding="utf-8"))
    for number, case in enumerate(cases, 1):
        if isinstance(case, dict) and case.get("split", "tuning") not in SPLITS:
            raise ValueError(f"{name}: case {number}: split must be one of {', '.join(SPLITS)} (got {case['split']!r})")
    return cases


def check_answer(case: dict, answer: Answer) -> dict[str, bool]:
    """Which of the case's expectations the answer meets (key terms are scored apart)."""
    checks = {"intent": answer.intent == case["intent"], "found": answer.found == case.get("found", True)}
    if "initiative" in case:
        checks["initiative"] = answer.initiative is not None and answer.initiative.id == case["initiative"]
    if "next_phase" in case:
        checks["next_phase"] = answer.next_phase == case["next_phase"]
    if "missing_capabilities" in case:
        checks["missing_capabilities"] = answer.missing_capabilities == case["missing_capabilities"]
    if "unmet_checks" in case:
        unmet = [g.check for g in answer.initiative.gate if not g.met] if answer.initiative else None
        checks["unmet_checks"] = unmet == case["unmet_checks"]
    if "risks_include" in case:
        checks["risks_include"] = set(case["risks_include"]) <= set(answer.risks)
    if "initiatives" in case:
        checks["initiatives"] = sorted(answer.initiatives) == sorted(case["initiatives"])
    return checks


def key_term_coverage(case: dict, answer: Answer) -> float | None:
    terms = case.get("key_terms")
    if not terms:
        return None
    text = answer.text.lower()
    return sum(1 for term in terms if str(term).lower() in text) / len(terms)


DECLINES = ("out_of_scope", "not_covered")
FACTS = ("next_phase", "missing_capabilities", "unmet_checks", "risks_include")


def check_routing(case: dict, answer: Answer) -> dict[str, bool]:
    """Whether the answer is about what the case says: its intent and its subject (the initiative,
    the set of initiatives, a name it does not know and the names it offers instead)."""
    checks = {"intent": answer.intent == case["intent"]}
    found = case.get("found", case["intent"] not in DECLINES)
    checks["found"] = answer.found == found
    if "initiative" in case:
        expected = case["initiative"]
        checks["initiative"] = (answer.initiative.id if answer.initiative else None) == expected
    if "initiatives" in case:
        checks["initiatives"] = sorted(answer.initiatives) == sorted(case["initiatives"])
    if "suggests" in case:
        checks["suggests"] = all(any(f"({i})" in s for s in answer.suggestions) for i in case["suggests"])
    return checks


def check_facts(case: dict, answer: Answer) -> dict[str, bool] | None:
    """The exact facts the case expects (None when it expects none beyond its subject)."""
    if not any(key in case for key in FACTS):
        return None
    checks = check_answer({**case, "intent": answer.intent}, answer)
    return {k: v for k, v in checks.items() if k in FACTS}
