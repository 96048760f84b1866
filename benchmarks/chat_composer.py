"""What a chat-model answer costs besides the model: prompt size and the time of the check.

Runs the labelled questions (datasets/answers.yaml) through ``Advisor.ask`` with a chat model
configured, against the local OpenAI-protocol stand-in (tests/llm_standin.py) that replies with
the built-in answer's own text (verbatim quotes with their markers, so every sentence should
pass). Prints per intent: prompt characters and estimated input tokens (about 4 characters a
token in English, 1 per Japanese, Korean or Chinese character), the sentences checked and kept,
and the time the check and the streaming plumbing add to an answer (the stand-in answers at
once, so this is the overhead on top of the model's own latency).

    python -m benchmarks.chat_composer
"""

from __future__ import annotations

import re
import statistics
import time
from collections import defaultdict

from pydantic import SecretStr

from advisor import Advisor
from advisor.access import Requester
from benchmarks.common import arguments, prepared_advisor
from benchmarks.labelled import DEFAULT_USER, load
from tests.llm_standin import API_KEY, ChatModelStandIn, Reply

_WIDE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def estimated_tokens(text: str) -> int:
    wide = len(_WIDE.findall(text))
    return wide + (len(text) - wide) // 4


def main() -> None:
    args = arguments(__doc__, data_dir=".data-bundled", corpora=False).parse_args()
    builtin = prepared_advisor(args.data_dir, None)
    stand_in = ChatModelStandIn().start()
    settings = builtin.settings.model_copy(
        update={"llm": "openai:stand-in", "llm_base_url": stand_in.base_url, "openai_api_key": SecretStr(API_KEY)}
    )
    chat = Advisor(settings)
    rows = defaultdict(list)
    for case in load("answers.yaml"):
        requester = Requester(user_id=case.get("user", DEFAULT_USER), channel_id="C_GENERAL")
        expected = builtin.ask(case["question"], requester, case.get("history"))
        reply = "\n".join(line for line in expected.text.splitlines() if not line.startswith(("**", "_")))
        stand_in.script(Reply(reply, prompt_tokens=0, completion_tokens=0))
        started = time.perf_counter()
        answer = chat.ask(case["question"], requester, case.get("history"))
        elapsed = (time.perf_counter() - started) * 1000 - answer.timings_ms["search"]
        if not stand_in.requests:
            continue  # declined without the model
        prompt = stand_in.requests[0].prompt
        check = answer.check
        rows[answer.intent].append((len(prompt), estimated_tokens(prompt), check.checked, check.kept, elapsed))
    stand_in.stop()
    header = f"{'intent':<24} {'n':>3} {'prompt chars':>13} {'~input tokens':>14} {'kept/checked':>13}"
    print(header + f" {'compose ms p50':>15}")
    every = [r for rs in rows.values() for r in rs]
    for intent, rs in sorted(rows.items()) + [("all", every)]:
        chars = statistics.median(r[0] for r in rs)
        tokens = statistics.median(r[1] for r in rs)
        kept = f"{sum(r[3] for r in rs)}/{sum(r[2] for r in rs)}"
        ms = statistics.median(r[4] for r in rs)
        print(f"{intent:<24} {len(rs):>3} {chars:>13.0f} {tokens:>14.0f} {kept:>13} {ms:>15.1f}")


if __name__ == "__main__":
    main()
