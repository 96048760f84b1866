"""Finding initiatives named loosely in free text ("the claims triage bot", "clm-001")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from advisor.records import Initiative

_TOKEN = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
_STOP = {"the", "a", "an", "and", "of", "for", "to", "in", "on", "our", "my", "its", "with", "q"}
# Words that describe what kind of thing it is rather than which one.
_GENERIC = {"assistant", "bot", "agent", "copilot", "system", "tool", "ai", "model", "project",
            "initiative", "pilot", "poc", "app", "service", "platform", "solution"}


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    return fuzz.ratio(a, b) >= 85


@dataclass(frozen=True)
class NameMatch:
    record: Initiative
    score: float  # 1.0 for an id or full name; else the share of distinctive name words present
    by_id: bool


def _name_words(record: Initiative) -> list[str]:
    """The words that single out this initiative: not generic, not its unit's or region's words."""
    words = [t for t in tokens(record.name) if t not in _STOP and len(t) > 1]
    context = set(tokens(record.business_unit)) | set(tokens(record.region))
    distinctive = [w for w in words if w not in _GENERIC and w not in context]
    return distinctive or [w for w in words if w not in _GENERIC] or words


def match_initiatives(text: str, records: list[Initiative], threshold: float = 0.5) -> list[NameMatch]:
    """Records named in ``text``, best first. Ids and full names score 1.0."""
    lowered = text.lower()
    words = tokens(text)
    matches = []
    for record in records:
        if record.id.lower() in words or record.id.lower() == lowered.strip():
            matches.append(NameMatch(record, 1.0, True))
            continue
        if record.name.lower() in lowered:
            matches.append(NameMatch(record, 1.0, False))
            continue
        name_words = _name_words(record)
        hits = sum(1 for w in name_words if any(_similar(w, t) for t in words))
        score = hits / len(name_words) if name_words else 0.0
        if hits and score >= threshold:
            matches.append(NameMatch(record, score, False))
    return sorted(matches, key=lambda m: (-m.score, m.record.id))


def best_matches(text: str, records: list[Initiative]) -> list[NameMatch]:
    """The top-scoring matches (more than one only when they tie)."""
    matches = match_initiatives(text, records)
    return [m for m in matches if m.score == matches[0].score] if matches else []
