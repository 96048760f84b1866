"""HTTP-mode throughput: signed events per second answered exactly once, and the ack latency.

`advisor serve --http --workers 2` runs as its own process against a local stand-in for Slack's
Web API (tests/e2e/slack_api_server.py). Mentions are sent by concurrent clients, each event
once more as Slack's retry (``X-Slack-Retry-Num: 1``); the figures are the acknowledgement
latency of every request, and the events per second from the first request to the last answer
posted. Every thread must get exactly one answer.

    python -m benchmarks.slack_http_throughput [--events 200] [--clients 16]
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from benchmarks.common import arguments
from tests.conftest import free_port
from tests.e2e.slack_api_server import SlackApiStandIn
from tests.e2e.slack_http import mention, send_event, start_server

RUN = int(time.time())  # event ids are remembered for days: each run sends new ones


def send_twice(url: str, number: int) -> list[float]:
    """One event, then Slack's retry of it; the seconds each took to be acknowledged."""
    ts = f"{RUN}.{number:06d}"
    event = mention(ts, channel="CBENCH")
    first = send_event(url, event, f"EvBench{RUN}-{number}")
    retry = send_event(url, event, f"EvBench{RUN}-{number}", headers={"X-Slack-Retry-Num": "1"})
    if first[0] != 200 or retry[0] != 200:
        raise SystemExit(f"event {number}: HTTP {first[0]}, retry HTTP {retry[0]}")
    return [first[1], retry[1]]


def run(url: str, slack: SlackApiStandIn, events: int, clients: int) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        acks = [s for pair in pool.map(lambda n: send_twice(url, n), range(events)) for s in pair]
    posts = slack.wait_for("chat.postMessage", count=events, timeout=600, channel="CBENCH")
    seconds = max(p.at for p in posts) - started
    time.sleep(3)  # a duplicate answer would arrive by now
    per_thread = Counter(p.args["thread_ts"] for p in slack.calls_to("chat.postMessage", channel="CBENCH"))
    exactly_once = sum(1 for n in per_thread.values() if n == 1)
    ordered = sorted(acks)
    print(f"{events} events (+{events} retries) from {clients} concurrent clients, 2 workers")
    print(f"answered exactly once: {exactly_once}/{events} (duplicates: {sum(per_thread.values()) - events})")
    print(f"throughput: {events / seconds:.1f} events/s answered ({seconds:.1f} s)")
    print(
        f"ack latency: p50 {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {ordered[int(0.95 * (len(ordered) - 1))] * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


def main() -> None:
    parser = arguments(__doc__, data_dir=".data-slack", corpora=False)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    slack = SlackApiStandIn().start()
    workdir = args.data_dir.parent / (args.data_dir.name + "-run")
    server = start_server(slack.api_url, args.data_dir, workdir, free_port(), workers=2)
    try:
        send_event(server.url, mention(f"{RUN}.000001", channel="CWARM"), f"EvWarm{RUN}")  # warm: model, caches
        slack.wait_for("chat.postMessage", channel="CWARM", timeout=60)
        run(server.url, slack, args.events, args.clients)
    finally:
        server.stop()
        slack.stop()


if __name__ == "__main__":
    main()
