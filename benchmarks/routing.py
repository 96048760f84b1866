"""Routing on the labelled understanding set: is each question understood as what it is about?

For every question: routing (intent and subject: the initiative, the initiatives, the unknown name
and the names offered instead), declines (out of scope, not covered) and exact facts. Reported for
the tuning and the held-out part, by group and by language. Failures are listed for the tuning
part only, so the held-out part stays unseen while tuning.

    python -m benchmarks.routing [--show-heldout]
"""

from __future__ import annotations

from collections import defaultdict

from advisor.access import Requester
from benchmarks.common import arguments, prepared_advisor
from benchmarks.labelled import DATASETS, DECLINES, DEFAULT_USER, check_facts, check_routing, load


def cases() -> list[dict]:
    """The understanding set, and the guidance set's questions (routed as guidance) when present."""
    found = load("understanding.yaml")
    if (DATASETS / "guidance.yaml").exists():
        for case in load("guidance.yaml"):
            found.append(
                {
                    "question": case["question"],
                    "intent": "general_guidance",
                    "group": "guidance",
                    "lang": case.get("lang", "en"),
                    "split": case.get("split", "tuning"),
                }
            )
    return found


def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total} = {hits / total:.3f}" if total else "-"


def _report(title: str, results: list[dict]) -> None:
    routed = sum(r["routed"] for r in results)
    with_facts = [r for r in results if r["facts"] is not None]
    exact = sum(r["routed"] and r["facts"] for r in with_facts)
    to_decline = [r for r in results if r["case"]["intent"] in DECLINES]
    answerable = [r for r in results if r["case"]["intent"] not in DECLINES]
    print(
        f"{title:<22} routing {_rate(routed, len(results)):<18} exact facts {_rate(exact, len(with_facts)):<18} "
        f"declined {_rate(sum(r['declined'] for r in to_decline), len(to_decline)):<16} "
        f"false declines {_rate(sum(r['declined'] for r in answerable), len(answerable))}"
    )


def main() -> None:
    parser = arguments(__doc__, data_dir=".data-bundled", corpora=False)
    parser.add_argument("--show-heldout", action="store_true", help="also list the held-out part's failures")
    args = parser.parse_args()
    advisor = prepared_advisor(args.data_dir, None)
    results = []
    for case in cases():
        requester = Requester(user_id=case.get("user", DEFAULT_USER), channel_id="C_GENERAL")
        answer = advisor.ask(case["question"], requester, case.get("history"))
        routing = check_routing(case, answer)
        facts = check_facts(case, answer)
        results.append(
            {
                "case": case,
                "answer": answer,
                "routing": routing,
                "routed": all(routing.values()),
                "facts": None if facts is None else all(facts.values()),
                "declined": answer.intent in DECLINES,
            }
        )
    print(f"{len(results)} labelled questions; routing = intent and subject; exact facts among routed\n")
    for split in ("tuning", "heldout"):
        part = [r for r in results if r["case"]["split"] == split]
        _report(f"[{split}] all", part)
        groups: dict[str, list] = defaultdict(list)
        for r in part:
            groups[f"  group {r['case']['group']}"].append(r)
            groups[f"  lang {r['case'].get('lang', 'en')}"].append(r)
        for name in sorted(groups):
            _report(name, groups[name])
        print()
    for r in results:
        if r["case"]["split"] == "heldout" and not args.show_heldout:
            continue
        if not r["routed"] or r["facts"] is False:
            failed = [k for k, v in r["routing"].items() if not v]
            print(
                f"  [{r['case']['split']}] {r['case']['question']!r}: got {r['answer'].intent} "
                f"{r['answer'].initiative.id if r['answer'].initiative else ''} {sorted(r['answer'].initiatives)[:6]} "
                f"failed {failed or 'facts'}"
            )


if __name__ == "__main__":
    main()
