"""Guidance answers on their own labelled set: do they cite the section that answers the question,
and how fast is a warm guidance answer compared with one query embedding + one index lookup.

The set (datasets/guidance.yaml) has a tuning part and a held-out part fixed in the file; figures
are printed for both, by language group. Misses are listed for the tuning part only (``--misses``).

    python -m benchmarks.guidance_quality [--repeat 3] [--misses]
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from advisor.access import Requester
from advisor.answering.answer import Answer
from advisor.answering.guidance import key_points, score_sentences
from advisor.search.index import SearchFilter
from advisor.understanding.language import detect_language
from benchmarks.ask_quality import floor_ms, p50_p95
from benchmarks.common import arguments, prepared_advisor
from benchmarks.labelled import DEFAULT_USER, load

TARGETS = {"en": 0.90, "ja/ko/vi": 0.85}
REQUESTER = Requester(user_id=DEFAULT_USER, channel_id="C_GENERAL")


def cites(case: dict, cited: list[tuple[str, str]]) -> bool:
    """The labelled section (or one labelled as answering equally well) among (source, section path)."""
    wanted = [(case["doc"], case["section"])] + [tuple(pair) for pair in case.get("also", [])]
    return any(
        source.endswith("practices/" + doc) and path.split(" > ")[-1] == section
        for source, path in cited
        for doc, section in wanted
    )


def cites_answer(case: dict, answer: Answer) -> bool:
    """Advisor.ask answered it as guidance, citing the section that answers it."""
    return answer.intent == "general_guidance" and cites(case, [(c.source, c.section) for c in answer.citations])


def composed_as_guidance(advisor, case: dict) -> bool:
    """The composer alone: the question answered as guidance whatever the routing or the relevance
    floor decide, and the sections its quotes come from."""
    question = case["question"]
    vector = advisor.index.embedder.embed_query(question)
    where = SearchFilter(kinds=("practice", "document"))
    hits = advisor.index.search(question, REQUESTER, k=advisor.settings.search_k, where=where, vector=vector)
    language = detect_language(question)
    opening, sections = key_points(score_sentences(vector, hits, advisor.sentences, language))
    quotes = [opening] + [item.quote for section in sections for item in section.items]
    return cites(case, [(q.chunk.source, q.chunk.section) for q in quotes if q is not None])


def group(case: dict) -> str:
    return "en" if case.get("language", "en") == "en" else "ja/ko/vi"


def report_quality(cases: list[dict], answers: list[Answer], composed: list[bool], show_misses: bool) -> None:
    counts: dict[tuple[str, str], list[tuple[bool, bool]]] = defaultdict(list)
    for case, answer, alone in zip(cases, answers, composed):
        for key in dict.fromkeys((group(case), case.get("language", "en"))):  # "en" once
            counts[(case["split"], key)].append((cites_answer(case, answer), alone))
    print("cites the answering section: through Advisor.ask (routing and declines included), and by the")
    print("composer alone (every question answered as guidance)\n")
    print(f"{'part':<9} {'language':<9} {'Advisor.ask':>18} {'composer alone':>18} {'target':>7}")
    for split in ("tuning", "heldout"):
        for key in ("en", "ja/ko/vi", "ja", "ko", "vi"):
            pairs = counts.get((split, key))
            if pairs:
                target = f"{TARGETS[key]:.0%}" if key in TARGETS and split == "heldout" else ""
                figures = [sum(p[i] for p in pairs) for i in (0, 1)]
                shown = [f"{f}/{len(pairs)} = {f / len(pairs):.0%}" for f in figures]
                print(f"{split:<9} {key:<9} {shown[0]:>18} {shown[1]:>18} {target:>7}")
    if show_misses:
        print("\nmisses (tuning part):")
        for case, answer in zip(cases, answers):
            if case["split"] == "tuning" and not cites_answer(case, answer):
                cited = sorted({c.section.split(" > ")[-1] for c in answer.citations})
                print(f"  {case['question']!r}: wanted {case['section']!r}; {answer.intent}, cited {cited}")


def main() -> None:
    parser = arguments(__doc__, data_dir=".data-bundled", corpora=False)
    parser.add_argument("--repeat", type=int, default=3, help="times each question is asked for latency")
    parser.add_argument("--misses", action="store_true", help="list the tuning part's misses")
    args = parser.parse_args()
    cases = load("guidance.yaml")
    advisor = prepared_advisor(args.data_dir, None)
    advisor.ask("warm up the model and the index", REQUESTER)
    cold = [advisor.ask(c["question"], REQUESTER) for c in cases]  # first use of most passages
    answers = [advisor.ask(c["question"], REQUESTER) for c in cases]
    warm = [
        a.timings_ms["total"]
        for _ in range(args.repeat)
        for a in [advisor.ask(c["question"], REQUESTER) for c in cases]
    ]
    floor = floor_ms(advisor, [c["question"] for c in cases] * args.repeat)
    counts = defaultdict(int)
    for c in cases:
        counts[(c["split"], group(c))] += 1
    print(f"{len(cases)} guidance questions ({dict(counts)}), {advisor.index.vectors.count()} chunks indexed\n")
    report_quality(cases, answers, [composed_as_guidance(advisor, c) for c in cases], args.misses)
    p50, p95 = p50_p95(warm)
    cold_p50 = statistics.median(a.timings_ms["total"] for a in cold)
    print(f"\nwarm guidance answer: p50 {p50:.2f} ms, p95 {p95:.2f} ms; floor (one query embedding + one index")
    print(f"lookup) {floor:.2f} ms; p50 = {p50 / floor:.2f}x the floor (target <= 2x)")
    print(f"first answer touching new passages (their sentences embedded then kept): p50 {cold_p50:.2f} ms")


if __name__ == "__main__":
    main()
