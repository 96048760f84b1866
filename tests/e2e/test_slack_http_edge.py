"""The HTTP edge, probed as an outsider would: oversized and malformed bodies, slow clients, and
what reaches the log. Raw sockets where a well-behaved HTTP client would not misbehave enough."""

from __future__ import annotations

import json
import socket
import threading
import time

from bot.slack.http_edge import READ_SECONDS
from tests.e2e.slack_api_server import BOT_USER_ID
from tests.e2e.slack_http import QUESTION, mention, send_event, send_form, signed_post

MARKER = "BODY-MARKER-7f3a"


def raw_request(url: str, head: str, body: bytes = b"") -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    sock.sendall(head.encode() + b"\r\n" + body)
    return sock


def headers(length: int) -> str:
    return (
        "POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nX-Slack-Request-Timestamp: {int(time.time())}\r\n"
        "X-Slack-Signature: v0=00\r\n"
    )


def closed_by_server(sock: socket.socket, deadline: float) -> bool:
    """Whether the server closes ``sock`` (after an error response, if any) before ``deadline``."""
    try:
        while True:
            sock.settimeout(max(deadline - time.monotonic(), 0.01))
            if sock.recv(1000) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def test_an_oversized_body_is_refused_413_before_it_is_read(bot_url):
    sock = raw_request(bot_url, headers(200 * 1024 * 1024), b"{" + b"x" * 1000)
    started = time.monotonic()
    answer = sock.recv(200).decode(errors="replace")
    sock.close()
    assert answer.startswith("HTTP/1.1 413") and time.monotonic() - started < 3


def test_invalid_json_is_401_unsigned_and_400_signed_never_a_traceback(bot_url, slack_server):
    before = len(slack_server.log())
    unsigned = raw_request(bot_url, headers(9), b"{not json")
    assert unsigned.recv(200).decode().startswith("HTTP/1.1 401")
    unsigned.close()
    assert signed_post(bot_url, b"{not json", "application/json")[0] == 400
    assert signed_post(bot_url, b"payload=%7Bnot+json", "application/x-www-form-urlencoded")[0] == 400
    assert signed_post(bot_url, b"\xff\xfe{}", "application/json")[0] in (400, 401)
    time.sleep(0.5)
    assert "Traceback" not in slack_server.log()[before:]


def test_slow_clients_cannot_keep_a_signed_event_from_its_ack(bot_url, slack, slack_server):
    """Twelve clients trickle their bodies a byte at a time; a real event still gets its ack within
    Slack's 3 seconds, and every slow connection is closed once its time is up."""
    before = len(slack_server.log())
    slow = [raw_request(bot_url, headers(4000)) for _ in range(12)]
    stop = threading.Event()

    def trickle(sock: socket.socket) -> None:
        while not stop.wait(0.5):
            try:
                sock.sendall(b"x")
            except OSError:
                return

    for sock in slow:
        threading.Thread(target=trickle, args=(sock,), daemon=True).start()
    time.sleep(1)
    status, seconds = send_event(bot_url, mention("1700000040.000100", channel="CSLOW"), "EvSlow")
    assert status == 200 and seconds < 3
    slack.wait_for("chat.postMessage", channel="CSLOW", thread_ts="1700000040.000100")
    try:
        deadline = time.monotonic() + READ_SECONDS + 5
        assert all(closed_by_server(sock, deadline) for sock in slow)
    finally:
        stop.set()
        for sock in slow:
            sock.close()
    assert "Traceback" not in slack_server.log()[before:]


def test_request_bodies_never_reach_the_log(bot_url, slack_server):
    before = len(slack_server.log())
    forged = json.dumps({"type": "event_callback", "event_id": "EvForgedLog", "text": MARKER}).encode()
    assert signed_post(bot_url, forged, "application/json", secret="not-the-secret")[0] == 401
    unknown_action = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "team": {"id": "T0TEST"},
        "actions": [{"action_id": "no_such_button", "block_id": "b", "value": MARKER}],
    }
    assert send_form(bot_url, {"payload": json.dumps(unknown_action)})[0] == 404
    send_event(bot_url, mention("1700000041.000100", f"<@{BOT_USER_ID}> {QUESTION} {MARKER}", "CLOG"), "EvLog")
    time.sleep(1.5)
    assert MARKER not in slack_server.log()[before:]
