"""Portfolio questions over a 10,000-initiative portfolio: latency and the size of the answers.

Generates valid synthetic initiative records (fixed seed) into a data dir beside the bundled
practices: all are validated from their files and stored by the real portfolio store; the first
1,000 (``--indexed``) go through the whole ingest pipeline, their passages embedded and indexed so
that answers quote them. Then asks the portfolio questions in process, warm, several times each:

- "how is the AI portfolio doing?", "which initiatives are stalled?", a filter by region and phase,
  one initiative by name;
- the portfolio summary behind `advisor portfolio`, the Slack portfolio view and the CSV export.

Prints the first portfolio question's time (it reads and assesses every record, as after a start),
the first one after one file's 1,000 records change (only they are read and assessed again), then
p50 and max per question, warm, and each answer's size: characters, and Slack
messages and blocks as the bot would post it. On a shared machine run it with OMP_NUM_THREADS=1:
the embedding model's threads otherwise wait on each other and the query embedding, not the
portfolio, dominates.

    python -m benchmarks.portfolio_scale [--initiatives 10000] [--indexed 1000] [--repeat 5] [--data-dir DIR]

Without --data-dir a temporary dir is used and removed; with it, the indexed records are embedded
once and reused by later runs (embedding 1,000 passages takes minutes on a small machine).
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from advisor import Advisor
from advisor.access import Requester
from benchmarks.common import TODAY, arguments
from bot.bootstrap import bundled_paths, load_settings
from ingest.pipeline import Ingestor
from ingest.records import load_records

PER_FILE = 1000
UNITS = ["Claims", "Finance", "Legal", "Supply Chain", "Manufacturing", "Retail", "HR", "Customer Service"]
REGIONS = ["Japan", "Korea", "Vietnam", "Global", "Singapore", "Thailand"]
WORDS = ["Invoice", "Claims", "Contract", "Demand", "Route", "Quality", "Fraud", "Support", "Energy", "Supplier"]
KINDS = ["Assistant", "Agent", "Forecaster", "Classifier", "Copilot", "Scorer", "Optimiser", "Summariser"]


def synthetic_rows(count: int, framework, seed: int = 7) -> list[dict]:
    """``count`` valid records: every AI type, phase, region; some stalled, unowned, unmeasured."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        ai_type = rng.choice(["ml", "genai", "agent"])
        required = framework.required_capabilities(ai_type)
        rows.append(
            {
                "id": f"SYN-{n:05d}",
                "name": f"{rng.choice(WORDS)} {rng.choice(KINDS)} {n:05d}",
                "business_unit": rng.choice(UNITS),
                "region": rng.choice(REGIONS),
                "ai_type": ai_type,
                "phase": rng.randint(1, 5),
                "phase_since": (TODAY - timedelta(days=rng.randint(0, 720))).isoformat(),
                "business_owner": "" if rng.random() < 0.15 else f"Owner {n % 97}",
                "tech_owner": f"Engineer {n % 53}",
                "kpi_name": "Hours saved per week",
                "kpi_baseline": 0,
                "kpi_target": 40,
                "kpi_current": "" if rng.random() < 0.3 else rng.randint(0, 60),
                "capabilities": ";".join(c for c in required if rng.random() < 0.7),
                "roadmap_goal": "" if rng.random() < 0.4 else "Automate back-office work by 2028",
            }
        )
    return rows


def write_files(rows: list[dict], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, len(rows), PER_FILE):
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[0]))  # the record fields synthetic_rows fills
        writer.writeheader()
        writer.writerows(rows[start : start + PER_FILE])
        path = folder / f"portfolio-{start // PER_FILE:03d}.csv"
        path.write_text(text.getvalue(), encoding="utf-8")
        paths.append(path)
    return paths


def prepared(data_dir: Path, count: int, indexed: int) -> tuple[Advisor, list[dict]]:
    """An advisor over the bundled practices and ``count`` synthetic records. The first ``indexed``
    go through the whole pipeline (validated, stored, their passages embedded and indexed, so answers
    quote them); the others are validated from their files and stored by the real portfolio store,
    without passages (embedding 10,000 passages takes far longer than the questions being measured)."""
    settings = load_settings(data_dir=data_dir, database_url=None, chroma_url=None, sample_portfolio=False)
    advisor = Advisor(settings, today=TODAY)
    rows = synthetic_rows(count, advisor.framework)
    started = time.perf_counter()
    files = write_files(rows[:indexed], data_dir.parent / f"records-{indexed}")
    summary = Ingestor(advisor).run(bundled_paths(settings) + files)
    if summary.failed:
        raise SystemExit(f"ingestion failed: {[r.error for r in summary.results if r.status == 'failed'][:3]}")
    for path in write_files(rows[indexed:], data_dir.parent / f"records-{indexed}-{count}-stored"):
        advisor.portfolio.replace_source(str(path), load_records(path, advisor.framework))
    stored = len(advisor.portfolio.all(Requester.admin()))
    print(f"{stored} initiatives stored, {indexed} with indexed passages ({time.perf_counter() - started:.1f} s)")
    return advisor, rows


def timed(call, repeat: int):
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), max(samples), result


def slack_size(advisor: Advisor, answer) -> str:
    from bot.slack.blocks import answer_messages

    messages = answer_messages(answer, advisor.framework)
    blocks = sum(len(m["blocks"]) for m in messages)
    longest = max(len(b.get("text", {}).get("text", "")) for m in messages for b in m["blocks"])
    return f"{len(messages)} message(s), {blocks} blocks, longest block text {longest}"


def main() -> None:
    parser = arguments(__doc__, data_dir=".data-portfolio", corpora=False)
    parser.set_defaults(data_dir=None)
    parser.add_argument("--initiatives", type=int, default=10_000)
    parser.add_argument("--indexed", type=int, default=1000, help="records whose passages are embedded and indexed")
    parser.add_argument("--repeat", type=int, default=5, help="times each question is asked")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        advisor, rows = prepared(data_dir, args.initiatives, min(args.indexed, args.initiatives))
        run(Advisor(advisor.settings, today=TODAY), rows, args.repeat)  # as a new process: nothing read yet


def run(advisor: Advisor, rows: list[dict], repeat: int) -> None:
    from advisor.portfolio.export import portfolio_csv
    from bot.slack.views import portfolio_blocks

    user = Requester(user_id="U0BENCH")
    one = rows[len(rows) // 2]["name"]
    questions = [
        "how is the AI portfolio doing?",
        "which initiatives are stalled?",
        "which genai initiatives in Japan are in phase 2?",
        f"what is missing for {one}?",
    ]
    advisor.ask("what is LLMOps?", user)  # loads the model and the question classifier
    cold, _, _ = timed(lambda: advisor.ask(questions[0], user), 1)
    print(f"first portfolio question (reads and assesses every record): {cold:.3f} s")
    changed = sorted(advisor.settings.data_dir.parent.glob("records-*/portfolio-*.csv"))[-1]
    records = [
        r.model_copy(update={"phase_since": r.phase_since + timedelta(days=1)})
        for r in load_records(changed, advisor.framework)
    ]
    advisor.portfolio.replace_source(str(changed), records)
    cold, _, _ = timed(lambda: advisor.ask(questions[0], user), 1)
    print(f"first portfolio question after {len(records):,} records of one file changed: {cold:.3f} s")
    embed, _, _ = timed(lambda: [advisor.index.embedder.embed_query(q) for q in questions], repeat)
    print(f"\none query embedding alone (the model, not the portfolio): p50 {embed / len(questions):.3f} s")
    print(f"\n{'question':<52} {'p50 s':>7} {'max s':>7} {'chars':>7}  Slack")
    for question in questions:
        p50, worst, answer = timed(lambda q=question: advisor.ask(q, user), repeat)
        print(f"{question[:52]:<52} {p50:7.3f} {worst:7.3f} {len(answer.text):7d}  {slack_size(advisor, answer)}")
    p50, worst, _ = timed(lambda: advisor.portfolio_summary(user), repeat)
    print(f"{'portfolio summary (advisor portfolio)':<52} {p50:7.3f} {worst:7.3f}")
    p50, worst, blocks = timed(lambda: portfolio_blocks(advisor.portfolio_summary(user), advisor.framework, "t"), 1)
    print(f"{'Slack portfolio view (App Home, /advisor portfolio)':<52} {p50:7.3f} {worst:7.3f}  {len(blocks)} blocks")
    p50, worst, table = timed(lambda: portfolio_csv(advisor.portfolio_assessed(user), advisor.framework), repeat)
    print(f"{'CSV export (advisor portfolio --csv)':<52} {p50:7.3f} {worst:7.3f} {len(table):7d}")


if __name__ == "__main__":
    main()
