"""Advisor.ask on the labelled answer set: latency per intent and answer quality.

Latency is warm and in-process (model loaded, index built), split into search and compose,
and compared with the floor the target is set against: one query embedding plus one index
lookup. Quality: intent accuracy, exact facts (every expectation of a question met), and
key-term coverage of guidance answers.

    python -m benchmarks.ask_quality [--repeat 5]
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict

from advisor.access import Requester
from benchmarks.common import arguments, prepared_advisor
from benchmarks.labelled import DEFAULT_USER, check_answer, key_term_coverage, load


def p50_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def floor_ms(advisor, questions: list[str]) -> float:
    """Median of one query embedding plus one vector-index lookup."""
    samples = []
    for question in questions:
        started = time.perf_counter()
        vector = advisor.index.embedder.embed_query(question)
        advisor.index.vectors.query(vector, 8, None)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = arguments(__doc__, data_dir=".data-bundled", corpora=False)
    parser.add_argument("--repeat", type=int, default=5, help="times each question is asked for latency")
    args = parser.parse_args()
    cases = load("answers.yaml")
    advisor = prepared_advisor(args.data_dir, None)  # the bundled knowledge only

    def ask(case):
        requester = Requester(user_id=case.get("user", DEFAULT_USER), channel_id="C_GENERAL")
        return advisor.ask(case["question"], requester, case.get("history"))

    answers = [ask(c) for c in cases]  # also warms every path
    timings: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for _ in range(args.repeat):
        for case in cases:
            answer = ask(case)
            for part, ms in answer.timings_ms.items():
                timings[case["intent"]][part].append(ms)
    print(f"{len(cases)} labelled questions, {advisor.index.vectors.count()} chunks indexed, {args.repeat} repeats")
    print("floor: one query embedding + one index lookup for the same questions; target: p50 <= 2x floor\n")
    print(
        f"{'intent':<24} {'total p50':>9} {'p95':>7} {'search p50':>10} {'compose p50':>11} {'floor':>7} {'ratio':>6}"
    )
    overall = []
    for intent, parts in sorted(timings.items()):
        overall += parts["total"]
        total, total95 = p50_p95(parts["total"])
        floor = floor_ms(advisor, [c["question"] for c in cases if c["intent"] == intent] * args.repeat)
        print(
            f"{intent:<24} {total:>9.2f} {total95:>7.2f} {p50_p95(parts['search'])[0]:>10.2f} "
            f"{p50_p95(parts['compose'])[0]:>11.2f} {floor:>7.2f} {total / floor:>5.2f}x"
        )
    p50, p95 = p50_p95(overall)
    floor = floor_ms(advisor, [c["question"] for c in cases] * args.repeat)
    print(f"{'all':<24} {p50:>9.2f} {p95:>7.2f} {'':>10} {'':>11} {floor:>7.2f} {p50 / floor:>5.2f}x\n")

    checks = [check_answer(c, a) for c, a in zip(cases, answers)]
    intent_ok = sum(ch["intent"] for ch in checks)
    exact = sum(all(ch.values()) for ch in checks)
    coverage = [v for c, a in zip(cases, answers) if (v := key_term_coverage(c, a)) is not None]
    print(f"intent accuracy:        {intent_ok}/{len(cases)} = {intent_ok / len(cases):.3f}")
    print(f"exact facts (all met):  {exact}/{len(cases)} = {exact / len(cases):.3f}")
    print(f"guidance key terms:     {statistics.mean(coverage):.3f} mean coverage over {len(coverage)} answers")
    for case, check in zip(cases, checks):
        if not all(check.values()):
            print(f"  not exact: {case['question']!r}: {[k for k, v in check.items() if not v]}")


if __name__ == "__main__":
    main()
