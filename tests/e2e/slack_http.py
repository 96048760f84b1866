"""Driving `advisor serve` like Slack does: the server as its own process, signed requests over HTTP.

Used by the tests/e2e/test_slack_*.py modules (one shared server, see conftest.py) and by
benchmarks/slack_http_throughput.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.slack_api_server import BOT_TOKEN, BOT_USER_ID

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-signing-secret"
ADMIN = "UADMIN"
QUESTION = "What is missing before Claims Triage Assistant can go live?"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}
    env.update(extra)
    return env


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: a graceful stop; SIGKILL: every process of the server dies at once, mid-work."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def start_server(api_url: str, data_dir: Path, workdir: Path, port: int, workers: int = 2, **env) -> Server:
    """`advisor serve --http`, up once /healthz answers."""
    environment = clean_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=api_url,
        ADVISOR_DATA_DIR=str(data_dir),
        ADVISOR_ADMINS=ADMIN,
        PORT=str(port),
        **env,
    )
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--http", "--host", "127.0.0.1", "--workers", str(workers)],
            cwd=workdir,
            env={**environment, "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() reaches the workers too
        )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    wait_healthy(server)
    return server


def wait_healthy(server: Server, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"advisor serve exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"advisor serve did not become healthy:\n{server.log()[-3000:]}")


def signature(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


def signed_post(
    url: str,
    body: bytes,
    content_type: str,
    secret: str = SECRET,
    timestamp: int | None = None,
    headers: dict | None = None,
) -> tuple[int, float]:
    """POST like Slack does: v0 HMAC-SHA256 over ``v0:timestamp:body``. Returns (status, seconds)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    request = urllib.request.Request(
        f"{url}/slack/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature(body, timestamp, secret),
            **(headers or {}),
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


def event_body(event: dict, event_id: str) -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEST",
            "api_app_id": "A1",
            "event": event,
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T0TEST", "user_id": BOT_USER_ID, "is_bot": True}],
        }
    ).encode()


def send_event(url: str, event: dict, event_id: str, **kwargs) -> tuple[int, float]:
    return signed_post(url, event_body(event, event_id), "application/json", **kwargs)


def send_form(url: str, fields: dict) -> tuple[int, float]:
    return signed_post(url, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")


def mention(ts: str, text: str = f"<@{BOT_USER_ID}> {QUESTION}", channel: str = "C1", user: str = "U1") -> dict:
    return {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts}


def direct_message(ts: str, text: str = QUESTION, channel: str = "D1", user: str = "U1", **extra) -> dict:
    return {"type": "message", "channel_type": "im", "channel": channel, "user": user, "text": text, "ts": ts, **extra}


def slash_command(url: str, response_url: str, text: str, user: str = "U1", channel: str = "C3"):
    """``/advisor TEXT`` typed by ``user`` in ``channel``; the replies go to ``response_url``."""
    fields = {
        "command": "/advisor",
        "text": text,
        "user_id": user,
        "channel_id": channel,
        "team_id": "T0TEST",
        "response_url": response_url,
        "trigger_id": "t1",
    }
    return send_form(url, fields)


def all_text(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def streamed_text(slack, channel: str) -> str:
    """The Markdown streamed into ``channel`` (chat.startStream, appendStream, stopStream), in order."""
    calls = [c for c in slack.calls if c.method.endswith("Stream") and c.args.get("channel") == channel]
    calls = [c for c in calls if not c.failed]
    return "".join(chunk.get("text", "") for c in calls for chunk in c.args.get("chunks") or [])
