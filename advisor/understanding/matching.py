"""Finding initiatives named loosely in free text ("the claims triage bot", "clm-001")."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from advisor.portfolio.records import Initiative
from advisor.search.analysis import japanese_words
from advisor.text import HANGUL_RE, SCRIPT_RUNS, fold_accents

_ID = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")  # ids such as clm-001 stay one word
_STOP = {"the", "a", "an", "and", "of", "for", "to", "in", "on", "our", "my", "its", "with", "q"}
# Words that describe what kind of thing it is rather than which one.
_GENERIC = {
    "assistant",
    "bot",
    "agent",
    "copilot",
    "system",
    "tool",
    "ai",
    "model",
    "project",
    "initiative",
    "pilot",
    "poc",
    "app",
    "service",
    "platform",
    "solution",
}


def tokens(text: str) -> list[str]:
    """Words of a name or question, lower-cased and without accents ("Hợp đồng" and "hop dong"
    meet); Japanese runs split into dictionary words, Korean words kept whole."""
    return list(_tokens(text))


@functools.lru_cache(maxsize=65536)  # names are tokenised again for every question
def _tokens(text: str) -> tuple[str, ...]:
    text = folded(text)
    words = _ID.findall(text)
    for match in SCRIPT_RUNS.finditer(_ID.sub(" ", text)):
        words += japanese_words(match.group()) if match.group("cjk") else [match.group()]
    return tuple(words)


@functools.lru_cache(maxsize=65536)  # names are folded again for every question
def folded(text: str) -> str:
    """Lower case, no accents, single spaces: how full names are compared."""
    return " ".join(fold_accents(unicodedata.normalize("NFKC", text)).lower().split())


@functools.lru_cache(maxsize=262144)  # a portfolio's names share their words: each pair is compared once
def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if HANGUL_RE.match(a) and b.startswith(a) and len(b) - len(a) <= 3:
        return True  # a Korean word with its particle: "검토" in "검토는"
    if min(len(a), len(b)) < 4:
        return False
    return fuzz.ratio(a, b) >= 85


@dataclass(frozen=True)
class NameMatch:
    record: Initiative
    score: float  # the share of the name's distinctive words present (1.0 for an id or full name)
    exact: bool  # named by its id or its full name


def _name_words(record: Initiative) -> list[str]:
    """The words that single out this initiative: not generic, not its unit's or region's words."""
    return list(_distinctive_words(record.name, record.business_unit, record.region))


@functools.lru_cache(maxsize=65536)  # worked out again for every question otherwise
def _distinctive_words(name: str, business_unit: str, region: str) -> tuple[str, ...]:
    words = [t for t in tokens(name) if t not in _STOP and len(t) > 1]
    context = set(tokens(business_unit)) | set(tokens(region))
    distinctive = [w for w in words if w not in _GENERIC and w not in context]
    return tuple(distinctive or [w for w in words if w not in _GENERIC] or words)


def _pointed_at(word: str, text: str) -> bool:
    """Whether the text points at something by this word: "the fraud model", "our triage bot"."""
    return re.search(rf"\b(the|our|this|that)\s+(\w+\s+)?{re.escape(word)}\b", text) is not None


def match_initiatives(text: str, records: list[Initiative], threshold: float = 0.5) -> list[NameMatch]:
    """Records named in ``text``, best first: ids and full names, then by share of name words."""
    lowered = folded(text)
    words = tokens(text)
    name_words = {r.id: _name_words(r) for r in records}
    frequency = Counter(w for ws in name_words.values() for w in set(ws))
    matches = []
    for record in records:
        if record.id.lower() in words or folded(record.name) in lowered:
            matches.append(NameMatch(record, 1.0, True))
            continue
        found = [(w, t) for w in name_words[record.id] for t in words if _similar(w, t)]
        hits = len({w for w, _ in found})
        score = hits / len(name_words[record.id]) if name_words[record.id] else 0.0
        if hits and score < threshold and any(frequency[w] == 1 and _pointed_at(t, lowered) for w, t in found):
            score = threshold  # "the fraud model": one word only this initiative's name has, pointed at
        if hits and score >= threshold:
            matches.append(NameMatch(record, score, False))
    return sorted(matches, key=lambda m: (not m.exact, -m.score, m.record.id))


def best_matches(text: str, records: list[Initiative]) -> list[NameMatch]:
    """The best matches: exact ones if any, else the top score (more than one only on a tie)."""
    matches = match_initiatives(text, records)
    if not matches:
        return []
    top = matches[0]
    return [m for m in matches if (m.exact, m.score) == (top.exact, top.score)]
