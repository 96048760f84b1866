"""Every sentence of a chat model's reply is checked against the evidence before anyone sees it.

A sentence is kept when:

- it carries a citation if it states a fact (a number, a date, a phase, an initiative, a
  capability, a risk), and every ``[n]`` it carries names a passage the model was given;
- the passages it cites support it: its embedding comes close enough to one of their sentences
  (the configured multilingual model, so a Japanese sentence is checked against an English
  passage), at a threshold calibrated per model (``benchmarks/check_threshold.py``);
- its numbers and initiative ids appear in the evidence (the exact facts, the cited passages,
  the question), and it does not repeat an instruction that was planted in a passage.

Some failures are about the answer's core rather than one sentence: a number or an initiative
that disagrees with the exact facts of the assessment. Those are *fatal*: the whole reply is
replaced by the built-in answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from advisor.answering.prompt import INSTRUCTION, Passage
from advisor.answering.sentences import normalize, segmenter_language, segments

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w])")
INITIATIVE_ID = re.compile(r"\b[A-Z]{2,6}-\d{1,5}\b")
LINK = re.compile(r"https?://\S+|\b[\w.+-]+@[\w-]+\.[\w.]+\b")
# A phase, a gate, a date or a month: facts even without a digit ("the pilot phase", "next gate").
FACT_WORDS = re.compile(
    r"\b(?:phase|gate|KPI|stalled|deadline|20\d\d)\b|"
    r"フェーズ|ゲート|段階|停滞|단계|게이트|정체|giai đoạn|cổng|đình trệ",
    re.IGNORECASE,
)
# Similarity (cosine) a sentence needs with a sentence of the passage it cites, within one language
# and across two (lower: a translation never sits as close as a paraphrase); calibrated with
# benchmarks/check_threshold.py on supported and unsupported claims. all-MiniLM-L6-v2 is English only.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "multilingual-e5-small": (0.895, 0.84),
    "all-MiniLM-L6-v2": (0.5, 0.6),
}
DEFAULT_THRESHOLDS = (0.6, 0.5)


def cross_language_gap(model_name: str) -> float:
    """How much lower the model puts the same meaning in another language (0 for a model that
    cannot compare languages at all): the distance between its two calibrated thresholds."""
    within, across = thresholds_for(model_name)
    return max(0.0, within - across)


@dataclass
class Verdict:
    sentence: str  # as written, markers included
    kept: bool
    reason: str = ""
    fatal: bool = False  # the answer's core is wrong: fall back to the built-in answer
    cited: tuple[int, ...] = ()
    support: str = ""  # the passage sentence that supports it best


def markers(sentence: str) -> tuple[int, ...]:
    found: list[int] = []
    for group in MARKER.findall(sentence):
        found += [int(n) for n in group.split(",")]
    return tuple(dict.fromkeys(found))


def without_markers(sentence: str) -> str:
    return " ".join(MARKER.sub(" ", sentence).split())


def _value(raw: str) -> float:
    if "," in raw:  # 1,200 (thousands) or 4,5 (a decimal comma)
        whole, fraction = raw.split(",")
        raw = raw.replace(",", "") if len(fraction) == 3 else f"{whole}.{fraction}"
    return float(raw)


def numbers(text: str) -> set[float]:
    """The numbers of a text (markers left out), as values: "4.5", "4,5" and "４.５" are one."""
    return {_value(raw) for raw in NUMBER.findall(MARKER.sub(" ", text))}


class ReplyChecker:
    """Checks the sentences of one reply against the passages and facts its prompt carried."""

    def __init__(
        self,
        embedder,
        passages: list[Passage],
        facts_text: str,
        terms: set[str],
        question: str,
        thresholds: tuple[float, float],
    ):
        self.embedder = embedder
        self.passages = {p.n: p for p in passages}
        self.same_language, self.across_languages = thresholds
        self.terms = {t.casefold() for t in terms if len(t) >= 3}
        self.exact = bool(facts_text.strip())  # an assessment or portfolio answer, not guidance alone
        self.fact_numbers = numbers(facts_text) | numbers(question)
        self.passage_numbers = set().union(*(numbers(INITIATIVE_ID.sub(" ", p.text)) for p in passages))
        self.known_ids = set(INITIATIVE_ID.findall(facts_text + " " + question))
        for p in passages:
            self.known_ids |= set(INITIATIVE_ID.findall(p.text))
        self._sentences: dict[int, tuple[list[str], np.ndarray, np.ndarray]] = {}
        planted = [s for p in passages for s in p.removed]
        self._planted = self._embed(planted) if planted else None

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed_queries(texts), dtype=np.float32)

    def _passage_sentences(self, n: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The sentences of passage ``n``, their embeddings and their scripts' languages."""
        if n not in self._sentences:
            p = self.passages[n]
            lines = [normalize(_BULLET.sub("", line)) for line in p.text.splitlines() if line.strip()]
            lines = [line for line in lines if not line.startswith(("#", "|"))]
            sentences = list(dict.fromkeys([s for line in lines for s in segments(line)] + p.quoted))
            vectors = self._embed(sentences) if sentences else np.zeros((0, 1))
            self._sentences[n] = (sentences, vectors, np.array([segmenter_language(x) for x in sentences]))
        return self._sentences[n]

    def has_fact(self, text: str) -> bool:
        folded = text.casefold()
        return bool(NUMBER.search(text) or FACT_WORDS.search(text) or any(t in folded for t in self.terms))

    def check(self, sentence: str) -> Verdict:
        cited = markers(sentence)
        plain = without_markers(sentence)
        verdict = Verdict(sentence, kept=False, cited=cited)
        if INSTRUCTION.search(plain):
            verdict.reason = "speaks as an instruction to an AI system"
            return verdict
        missing = [n for n in cited if n not in self.passages]
        if missing:
            verdict.reason = f"cites [{missing[0]}], which is not one of the {len(self.passages)} passages"
            return verdict
        vector = self._embed([plain])[0]
        if self._planted is not None and float(np.max(self._planted @ vector)) >= self.across_languages:
            verdict.reason = "repeats an instruction planted in a passage"
            return verdict
        problem = self._facts_disagree(plain, cited)
        if problem:
            verdict.reason, verdict.fatal = problem
            return verdict
        if not cited:
            if self.has_fact(plain):
                verdict.reason = "states a fact without a citation"
                return verdict
            verdict.kept = True
            return verdict
        return self._supported(verdict, vector, plain, cited)

    def _facts_disagree(self, plain: str, cited: tuple[int, ...]) -> tuple[str, bool] | None:
        for named in INITIATIVE_ID.findall(plain):
            if named not in self.known_ids:
                return f"names {named}, which is not in the evidence", True
        cited_numbers = set().union(*(numbers(self.passages[n].text) for n in cited)) if cited else set()
        for value in numbers(INITIATIVE_ID.sub(" ", plain)):
            if value in self.fact_numbers or value in cited_numbers:
                continue
            if value in self.passage_numbers:
                return f"the number {value:g} is not in the passage it cites", False
            return f"the number {value:g} disagrees with the facts and passages", self.exact
        for link in LINK.findall(plain):
            if not any(link.rstrip(".,)") in self.passages[n].text for n in cited):
                return "gives a link or address its sources do not", False
        return None

    def _supported(self, verdict: Verdict, vector: np.ndarray, plain: str, cited: tuple[int, ...]) -> Verdict:
        """Kept when some sentence of a cited passage comes close enough: the margin over the
        threshold for the pair (same language or not) decides, and names the best sentence."""
        language = segmenter_language(plain)
        best, best_score, best_sentence = -1.0, 0.0, ""
        for n in cited:
            sentences, vectors, languages = self._passage_sentences(n)
            if not sentences:
                continue
            scores = vectors @ vector
            margins = scores - np.where(languages == language, self.same_language, self.across_languages)
            i = int(np.argmax(margins))
            if float(margins[i]) > best or not best_sentence:
                best, best_score, best_sentence = float(margins[i]), float(scores[i]), sentences[i]
        verdict.support = best_sentence
        if best < 0:
            needed = best_score - best
            verdict.reason = f"the cited passage does not say this (similarity {best_score:.2f} < {needed:.3f})"
            return verdict
        verdict.kept = True
        return verdict


def thresholds_for(model_name: str) -> tuple[float, float]:
    """(within one language, across languages) for an embedding model; a guess for unknown ones."""
    return THRESHOLDS.get(model_name, DEFAULT_THRESHOLDS)
