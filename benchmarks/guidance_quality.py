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
from benchmarks.ask_quality import floor_ms, p50_p95
from benchmarks.common import arguments, prepared_advisor
from benchmarks.labelled import DEFAULT_USER, load

TARGETS = {"en": 0.90, "ja/ko/vi": 0.85}
REQUESTER = Requester(user_id=DEFAULT_USER, channel_id="C_GENERAL")


def cites_answer(case: dict, answer: Answer) -> bool:
    """A guidance answer citing the labelled section (or one labelled as answering equally well)."""
    wanted = [(case["doc"], case["section"])] + [tuple(pair) for pair in case.get("also", [])]
    return answer.intent == "general_guidance" and any(
        c.source.endswith("practices/" + doc) and c.section.split(" > ")[-1] == section
        for c in answer.citations
        for doc, section in wanted
    )


def group(case: dict) -> str:
    return "en" if case.get("language", "en") == "en" else "ja/ko/vi"


def report_quality(cases: list[dict], answers: list[Answer], show_misses: bool) -> None:
    counts: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for case, answer in zip(cases, answers):
        ok = cites_answer(case, answer)
        for key in (group(case), case.get("language", "en")):
            counts[(case["split"], key)].append(ok)
    print(f"{'part':<9} {'language':<9} {'cite the answering section':>27} {'target':>7}")
    for split in ("tuning", "held_out"):
        for key in ("en", "ja/ko/vi", "ja", "ko", "vi"):
            oks = counts.get((split, key))
            if oks:
                target = f"{TARGETS[key]:.0%}" if key in TARGETS and split == "held_out" else ""
                figure = f"{sum(oks)}/{len(oks)} = {sum(oks) / len(oks):.1%}"
                print(f"{split:<9} {key:<9} {figure:>27} {target:>7}")
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
    report_quality(cases, answers, args.misses)
    p50, p95 = p50_p95(warm)
    cold_p50 = statistics.median(a.timings_ms["total"] for a in cold)
    print(f"\nwarm guidance answer: p50 {p50:.2f} ms, p95 {p95:.2f} ms; floor (one query embedding + one index")
    print(f"lookup) {floor:.2f} ms; p50 = {p50 / floor:.2f}x the floor (target <= 2x)")
    print(f"first answer touching new passages (their sentences embedded then kept): p50 {cold_p50:.2f} ms")


if __name__ == "__main__":
    main()
