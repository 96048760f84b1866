"""The HTTP edge of the bot: what a request must be before bolt sees it.

- a body larger than ``MAX_BODY_BYTES`` is refused with 413 from its Content-Length, unread;
- the signature is checked on the raw bytes before anything is parsed (401 otherwise);
- a body that is not what Slack sends (bad UTF-8, bad JSON) is a 400, never a traceback;
- no worker thread waits on a slow client for more than ``READ_SECONDS``: ``ReadBoundedWorker``
  (a gunicorn gthread worker) shuts a connection whose request has not arrived in time;
- request bodies are never logged (see ``bot.slack.app.without_request_bodies``).

Production still belongs behind a reverse proxy that buffers requests (README, "Security and
operations"); these limits hold when it is missing or misconfigured.
"""

from __future__ import annotations

import itertools
import logging
import socket
import threading
import time
from contextlib import contextmanager, suppress

from gunicorn.workers.gthread import ThreadWorker

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are a few KB; views and long messages stay far below
READ_SECONDS = 10.0  # from a connection's turn in a worker thread to its request read and acknowledged


class Rejected(Exception):
    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SlackWsgi:
    """Slack's requests at ``/slack/events`` (checked, then bolt), ``/healthz`` for the load balancer."""

    def __init__(self, app, bot, signing_secret: str):
        from slack_sdk.signature import SignatureVerifier

        self.app = app
        self.bot = bot
        self.verifier = SignatureVerifier(signing_secret)

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH:
            return self.health(start_response)
        if path != EVENTS_PATH or method != "POST":
            return _reply(start_response, "404 Not Found", "not found")
        try:
            return self.dispatch(environ, start_response)
        except Rejected as exc:
            log.warning("refused a request from %s: %s", environ.get("REMOTE_ADDR", "?"), exc.reason)
            return _reply(start_response, exc.status, exc.reason)

    def dispatch(self, environ, start_response):
        from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
        from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
        from slack_bolt.request import BoltRequest

        body = read_body(environ)
        request = WsgiHttpRequest(environ)
        headers = request.get_headers()
        if not self._signed(body, headers):
            raise Rejected("401 Unauthorized", "invalid or stale signature")
        text = _parsed_text(body, headers.get("content-type"))
        bolt = self.app.dispatch(BoltRequest(body=text, query=request.query_string, headers=headers))
        response = WsgiHttpResponse(status=bolt.status, headers=bolt.headers, body=bolt.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _signed(self, body: bytes, headers: dict) -> bool:
        try:
            return self.verifier.is_valid(
                body, headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
            )
        except (ValueError, UnicodeDecodeError):  # a timestamp that is no number, a body that is no text
            return False

    def health(self, start_response):
        from sqlalchemy import text

        try:
            with self.bot.advisor.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            status, body = "200 OK", '{"status": "ok"}'
        except Exception as exc:
            log.warning("health check failed: %s", exc)
            status, body = "503 Service Unavailable", '{"status": "database unreachable"}'
        return _reply(start_response, status, body, "application/json")


def read_body(environ) -> bytes:
    """The request body, at most ``MAX_BODY_BYTES``; Rejected when larger, or when it does not arrive."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared and not declared.isdigit():
        raise Rejected("400 Bad Request", "bad Content-Length")
    length = int(declared) if declared else None
    if length is not None and length > MAX_BODY_BYTES:
        raise Rejected("413 Content Too Large", f"body of {length} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        body = environ["wsgi.input"].read(length if length is not None else MAX_BODY_BYTES + 1)
    except Exception as exc:  # the connection was closed, or shut by ReadBoundedWorker
        raise Rejected("408 Request Timeout", f"the body did not arrive ({exc.__class__.__name__})") from exc
    if len(body) > MAX_BODY_BYTES:
        raise Rejected("413 Content Too Large", f"body over {MAX_BODY_BYTES} bytes")
    if length is not None and len(body) < length:
        raise Rejected("408 Request Timeout", f"the body stopped after {len(body)} of {length} bytes")
    return body


def _parsed_text(body: bytes, content_type: str | None) -> str:
    from slack_bolt.request.internals import parse_body

    try:
        text = body.decode("utf-8")
        parse_body(text, content_type)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise Rejected("400 Bad Request", f"unreadable body ({exc.__class__.__name__})") from exc
    return text


def _reply(start_response, status: str, body: str, content_type: str = "text/plain; charset=utf-8"):
    data = body.encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


class SocketDeadlines:
    """Shuts down the sockets of requests still being read when their time is up (one thread)."""

    TICK = 0.25

    def __init__(self):
        self._watched: dict[int, tuple[float, socket.socket]] = {}
        self._tokens = itertools.count()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @contextmanager
    def watch(self, sock: socket.socket, seconds: float):
        token = next(self._tokens)
        with self._lock:
            self._watched[token] = (time.monotonic() + seconds, sock)
            if self._thread is None:  # started in the worker process, after gunicorn's fork
                self._thread = threading.Thread(target=self._run, name="advisor-read-deadlines", daemon=True)
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._watched.pop(token, None)

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            with self._lock:
                late = [token for token, (deadline, _) in self._watched.items() if deadline <= now]
                socks = [self._watched.pop(token)[1] for token in late]
            for sock in socks:
                log.warning("closed a connection whose request took longer than %.0f s to arrive", READ_SECONDS)
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


DEADLINES = SocketDeadlines()


class ReadBoundedWorker(ThreadWorker):
    """gunicorn's gthread worker, with every request bounded to ``READ_SECONDS`` of socket time."""

    def handle(self, conn):
        with DEADLINES.watch(conn.sock, READ_SECONDS):
            return super().handle(conn)
