"""`advisor eval` on the labelled answer set, with the extractive composer and with a chat model.

No hosted model is reachable here, so the chat model is the local OpenAI-protocol stand-in the
tests use (tests/llm_standin.py), reached through langchain-openai exactly as a hosted model is,
scripted to reply like a model that sticks to its sources: the first sentence of each of the first
three passages it was given, cited (tests/llm_replies.py). Its figures therefore measure the
advisor around the model (prompt, streaming, the sentence check, fallbacks, the usage record), not
a model's writing; run `advisor eval` with your own ADVISOR_LLM for that.

    python -m benchmarks.eval_composers [--file benchmarks/datasets/answers.yaml]
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from advisor import Advisor
from advisor.answering.evaluation import load_labelled
from benchmarks.common import ROOT, TODAY, arguments, prepared_advisor
from benchmarks.labelled import DEFAULT_USER
from bot.evaluation import eval_view, run_eval
from bot.render import console
from tests.llm_replies import grounded
from tests.llm_standin import API_KEY, ChatModelStandIn, Reply


def main() -> None:
    parser = arguments(__doc__, data_dir=".data-bundled", corpora=False)
    parser.add_argument("--file", type=Path, default=ROOT / "benchmarks" / "datasets" / "answers.yaml")
    parser.add_argument("--only", choices=("extractive", "chat"), help="run one composer only")
    args = parser.parse_args()
    cases = load_labelled(args.file)
    extractive = prepared_advisor(args.data_dir, None)  # the bundled knowledge only
    out = console()
    out.width = max(out.width, 150)
    if args.only != "chat":
        out.print(eval_view(run_eval(extractive, args.file, cases, DEFAULT_USER, "C_GENERAL")))
    if args.only == "extractive":
        return
    stand_in = ChatModelStandIn().start().script(Reply(grounded))
    try:
        settings = extractive.settings.model_copy(
            update={
                "llm": "openai:gpt-standin",
                "llm_base_url": stand_in.base_url,
                "openai_api_key": SecretStr(API_KEY),
            }
        )
        chat = Advisor(settings, today=TODAY)
        out.print()
        out.print(eval_view(run_eval(chat, args.file, cases, DEFAULT_USER, "C_GENERAL")))
        out.print(f"requests to the stand-in: {len(stand_in.requests)}")
    finally:
        stand_in.stop()


if __name__ == "__main__":
    main()
