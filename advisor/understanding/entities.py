"""Which initiatives a text names, and how sure that is.

One resolver for every face: questions (``Advisor.ask``), ``advisor initiative NAME`` and
``/advisor initiative``. A text may name one initiative (by id, full name or a loose form of it),
several different ones ("compare X and Y"), a name that fits several ("the forecasting project"),
or a name that fits none ("the invoice triage assistant": no initiative has "invoice" in its name,
so it is not silently taken for the Claims Triage Assistant).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from advisor.portfolio.records import Initiative
from advisor.understanding.filters import vocabulary
from advisor.understanding.matching import _GENERIC, _name_words, _similar, folded, tokens

# Words that end a name as typed: function words, question words and what is asked about.
_BOUNDARY = set(vocabulary()["name_boundaries"].split())
_DETERMINERS = {"the", "our", "this", "that", "my", "your"}
# Words that may stand in a name as typed without making it another name: "the new claims bot".
_LOOSE = _GENERIC | {
    "thing",
    "stuff",
    "one",
    "new",
    "old",
    "current",
    "existing",
    "latest",
    "main",
    "big",
    "ml",
    "genai",
}
# Words that end a name of an AI system: "the payroll anomaly detector".
_HEADS = _GENERIC | {
    "detector",
    "classifier",
    "engine",
    "scorer",
    "predictor",
    "forecaster",
    "chatbot",
    "analyzer",
    "analyser",
    "summariser",
    "summarizer",
    "extractor",
    "recommender",
    "automation",
    "thing",
}
DID_YOU_MEAN = 3


@dataclass(frozen=True)
class Mention:
    """A name in the text and the initiatives it fits."""

    typed: str  # the words as typed (folded)
    records: list[Initiative]  # one: resolved; several: ambiguous; none: unknown
    exact: bool = False  # by id or full name
    score: float = 0.0  # share of the best record's distinctive name words present
    words: int = 0  # how many name words matched
    closest: list[Initiative] = field(default_factory=list)  # for an unknown name: did you mean…

    @property
    def resolved(self) -> Initiative | None:
        return self.records[0] if len(self.records) == 1 else None

    @property
    def strong(self) -> bool:
        """An id or full name, most of a name's own words, or a name as typed that ends like one
        ("the claims routing bot"): not a chance word in a sentence."""
        if self.exact:
            return True
        if not self.records:
            typed = self.typed.split()
            return len(typed) >= 2 and typed[-1] in _HEADS
        return self.score >= 1.0 or (self.score >= 0.5 and self.words >= 2)


@dataclass(frozen=True)
class Resolution:
    mentions: list[Mention]

    @property
    def named(self) -> list[Initiative]:
        """The initiatives named unambiguously, in order of mention, each once."""
        seen: dict[str, Initiative] = {}
        for m in self.mentions:
            if m.resolved is not None:
                seen.setdefault(m.resolved.id, m.resolved)
        return list(seen.values())

    @property
    def ambiguous(self) -> Mention | None:
        return next((m for m in self.mentions if len(m.records) > 1), None)

    @property
    def unknown(self) -> Mention | None:
        return next((m for m in self.mentions if not m.records), None)

    @property
    def strongest(self) -> Mention | None:
        return max(self.mentions, key=lambda m: (m.exact, m.strong, m.score), default=None)


def resolve(text: str, records: list[Initiative], whole_name: bool = False) -> Resolution:
    """The initiatives ``text`` names. With ``whole_name`` the text is only a name (the CLI's
    argument), so any word of it counts; in a sentence a lone word counts only when most of a
    name is there or it is pointed at ("the forecasting project")."""
    words = tokens(text)
    mentions, used = _exact_mentions(text, words, records)
    hits = _hits(words, [r for r in records if r.id not in {m.records[0].id for m in mentions}], used)
    if whole_name:
        clusters = [sorted({i for positions in hits.values() for i in positions})] if hits else []
    else:
        by_id = {r.id: r for r in records}
        hits = {rid: ps for rid, ps in hits.items() if _counts(by_id[rid], ps, words)}
        clusters = _clusters(sorted({i for ps in hits.values() for i in ps}), words)
    by_id = {r.id: r for r in records}
    for cluster in clusters:
        mentions.append(_mention(cluster, words, hits, by_id, whole_name))
    if whole_name and not mentions:
        mentions.append(unknown_name(" ".join(words), records))
    return Resolution(mentions)


def _exact_mentions(text: str, words: list[str], records: list[Initiative]) -> tuple[list[Mention], set[int]]:
    lowered, mentions, used = folded(text), [], set()
    for record in records:
        if record.id.lower() in words:
            used.add(words.index(record.id.lower()))
        elif folded(record.name) not in lowered:
            continue
        used |= {i for i, w in enumerate(words) if w in tokens(record.name)}
        mentions.append(
            Mention(typed=record.name, records=[record], exact=True, score=1.0, words=len(tokens(record.name)))
        )
    return mentions, used


def _hits(words: list[str], records: list[Initiative], used: set[int]) -> dict[str, dict[int, str]]:
    """For each record: the positions of the text's words that match one of its name words."""
    found: dict[str, dict[int, str]] = {}
    for record in records:
        positions = {
            i: name_word
            for name_word in _name_words(record)
            for i, word in enumerate(words)
            if i not in used and _similar(name_word, word)
        }
        if positions:
            found[record.id] = positions
    return found


def _counts(record: Initiative, positions: dict[int, str], words: list[str]) -> bool:
    share = len(set(positions.values())) / len(_name_words(record))
    pointed = any(words[j] in _DETERMINERS for i in positions for j in (i - 1, i - 2) if j >= 0)
    return share >= 0.5 or pointed


def _clusters(positions: list[int], words: list[str]) -> list[list[int]]:
    """Matched positions grouped into names: neighbours, at most one other word between them."""
    clusters: list[list[int]] = []
    for i in positions:
        if (
            clusters
            and i - clusters[-1][-1] <= 2
            and all(words[j] not in _BOUNDARY for j in range(clusters[-1][-1] + 1, i))
        ):
            clusters[-1].append(i)
        else:
            clusters.append([i])
    return clusters


def _mention(
    cluster: list[int], words: list[str], hits: dict[str, dict[int, str]], by_id: dict, whole_name: bool
) -> Mention:
    inside = {rid: {i for i in ps if i in cluster} for rid, ps in hits.items()}
    inside = {rid: ps for rid, ps in inside.items() if ps}
    # A record whose matched words include another's explains the name better ("patient triage").
    best = [rid for rid, ps in inside.items() if not any(ps < other for other in inside.values())]
    scores = {rid: len(set(hits[rid][i] for i in inside[rid])) / len(_name_words(by_id[rid])) for rid in best}
    same_words = len({frozenset(inside[rid]) for rid in best}) == 1
    top = max(scores.values())
    fitting = sorted(best if same_words else [rid for rid in best if scores[rid] == top])
    span = range(0, len(words)) if whole_name else _span(cluster, words)
    typed = " ".join(words[i] for i in span)
    if all(_foreign_words([words[i] for i in span], by_id[rid]) for rid in fitting):
        others = sorted(inside, key=lambda rid: -len(inside[rid]))
        return unknown_name(typed, list(by_id.values()), first=[by_id[rid] for rid in [*fitting, *others]])
    matched = max(len(inside[rid]) for rid in fitting)
    return Mention(typed=typed, records=[by_id[rid] for rid in fitting], score=top, words=matched)


def _foreign_words(typed: list[str], record: Initiative) -> list[str]:
    """Words of a name as typed that the record's name does not have ("invoice" for Claims Triage)."""
    own = tokens(record.name)
    return [w for w in typed if w not in _LOOSE and w not in _BOUNDARY and not any(_similar(n, w) for n in own)]


def _span(cluster: list[int], words: list[str]) -> range:
    """The name as typed around matched words: up to two words before it that are not function
    words, and after it the words up to a generic one that ends a name ("the invoice triage
    assistant", "the claims routing bot")."""
    start, end = cluster[0], cluster[-1] + 1
    while start > 0 and cluster[0] - start < 2 and words[start - 1] not in _BOUNDARY:
        start -= 1
    head = next((j for j in range(end, min(end + 2, len(words))) if words[j] in _LOOSE), None)
    if head is not None and all(words[j] not in _BOUNDARY for j in range(end, head)):
        end = head + 1
    return range(start, end)


def unknown_name(typed: str, records: list[Initiative], first: list[Initiative] = ()) -> Mention:
    """A name no initiative has, with the closest initiatives (those sharing its words first)."""
    names = {r.id: folded(r.name) for r in records}
    near = process.extract(folded(typed), names, scorer=fuzz.token_set_ratio, limit=DID_YOU_MEAN, score_cutoff=60)
    by_id = {r.id: r for r in records}
    ids = list(dict.fromkeys([*(r.id for r in first), *(key for _, _, key in near)]))
    closest = [by_id[i] for i in ids[:DID_YOU_MEAN]]
    return Mention(typed=typed, records=[], closest=closest)


def name_after_determiner(text: str) -> str | None:
    """A name-like phrase the text points at ("status of the payroll anomaly detector?" ->
    "payroll anomaly detector"): words after "the", "our"… ending with the kind of system it is."""
    words = tokens(text)
    for i, word in enumerate(words):
        if word not in _DETERMINERS:
            continue
        phrase = []
        for following in words[i + 1 : i + 5]:
            if following in _BOUNDARY:
                break
            phrase.append(following)
        while phrase and phrase[-1] not in _HEADS:
            phrase.pop()
        if any(w not in _LOOSE and w not in _HEADS for w in phrase):
            return " ".join(phrase)
    return None
