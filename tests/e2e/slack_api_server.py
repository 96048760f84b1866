"""A stand-in for Slack's Web API: a real local HTTP server that records every call.

Slack's servers cannot be reached from tests, so this plays their part (the only fake in the
Slack tests): ``SLACK_API_URL`` points the bot at ``/api/``, files are served under ``/files/``,
and slash-command ``response_url`` posts land under ``/response/``. Tests script what it answers
(threads for conversations.replies, shared files, and failures: HTTP 429 with ``Retry-After``,
``ok: false`` ``ratelimited``, HTTP 500, or a request held unanswered) and assert on what it received.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlparse

BOT_TOKEN = "xoxb-test-valid"
APP_TOKEN = "xapp-test-valid"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0TEST"
JSON_FIELDS = ("blocks", "attachments", "view", "prompts", "chunks", "metadata", "loading_messages")


@dataclass
class Call:
    method: str  # "chat.postMessage", "files:F1" for downloads, "response:ID" for response_url posts
    args: dict
    token: str | None
    at: float = field(default_factory=time.monotonic)
    failed: bool = False  # answered with a scripted failure (or held): not delivered


@dataclass
class Failure:
    """One scripted failure: an HTTP status (with headers), an ``ok: false`` error, or no answer at all."""

    status: int = 200
    error: str | None = None
    headers: dict = field(default_factory=dict)
    hold: bool = False  # keep the request open, unanswered, until the test releases it

    def body(self) -> dict:
        return {"ok": False, "error": self.error or {429: "ratelimited"}.get(self.status, "internal_error")}


RATE_LIMITED = Failure(status=429, headers={"Retry-After": "1"})
RATE_LIMITED_OK_FALSE = Failure(status=200, error="ratelimited")
SERVER_ERROR = Failure(status=500)


class SlackApiStandIn:
    def __init__(self):
        self.calls: list[Call] = []
        self.threads: dict[tuple[str, str], list[dict]] = {}
        self.files: dict[str, dict] = {}
        self.file_bodies: dict[str, bytes] = {}
        self.socket_url = "ws://127.0.0.1:9/link"  # where Socket Mode connects (see SocketModeStandIn)
        self.scripted: list[tuple[str, dict, list[Failure]]] = []
        self.released = threading.Event()
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> SlackApiStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base_url}/response/{name}"

    # -- scripting -------------------------------------------------------------------------

    def add_file(self, file_id: str, name: str, content: bytes, user: str = "U1", mimetype: str = "") -> dict:
        info = {
            "id": file_id,
            "name": name,
            "size": len(content),
            "mimetype": mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream",
            "user": user,
            "url_private_download": f"{self.base_url}/files/{file_id}/{quote(name)}",
        }
        self.files[file_id] = info
        self.file_bodies[file_id] = content
        return info

    def fail(self, method: str, failures: list[Failure], **where) -> None:
        """Answer the next calls to ``method`` matching ``where`` with ``failures``, in order."""
        with self._lock:
            self.scripted.append((method, where, list(failures)))

    def next_failure(self, method: str, args: dict) -> Failure | None:
        with self._lock:
            for name, where, failures in self.scripted:
                if name == method and failures and all(args.get(k) == v for k, v in where.items()):
                    return failures.pop(0)
        return None

    def next_ts(self) -> str:
        with self._lock:
            return f"1800000000.{next(self._ts):06d}"

    # -- assertions ------------------------------------------------------------------------

    def calls_to(self, method: str, failed: bool = False, **where) -> list[Call]:
        """The delivered calls to ``method`` matching ``where`` (the failed ones with ``failed=True``)."""
        with self._lock:
            found = [c for c in self.calls if c.method == method and c.failed == failed]
        return [c for c in found if all(c.args.get(k) == v for k, v in where.items())]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30, **where) -> list[Call]:
        """The calls to ``method`` matching ``where``, once at least ``count`` have arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls_to(method, **where)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(
            f"expected {count} call(s) to {method} {where}; got "
            f"{[(c.method, c.args.get('channel')) for c in self.calls][-20:]}"
        )

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    # -- answers ---------------------------------------------------------------------------

    def answer(self, method: str, args: dict, token: str | None) -> dict:
        if method == "apps.connections.open":
            return (
                {"ok": True, "url": self.socket_url} if token == APP_TOKEN else {"ok": False, "error": "invalid_auth"}
            )
        if token != BOT_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        return handler(args) if handler else {"ok": True}

    def _auth_test(self, args: dict) -> dict:
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": "Test",
            "user": "advisor",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def _chat_postMessage(self, args: dict) -> dict:
        ts = self.next_ts()
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "text": args.get("text", ""), "ts": ts}
        if args.get("thread_ts"):
            self.threads.setdefault((args["channel"], args["thread_ts"]), []).append(message)
        return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}

    def _chat_startStream(self, args: dict) -> dict:
        return {"ok": True, "channel": args.get("channel"), "ts": self.next_ts()}

    def _conversations_replies(self, args: dict) -> dict:
        return {
            "ok": True,
            "messages": list(self.threads.get((args.get("channel"), args.get("ts")), [])),
            "has_more": False,
        }

    def _files_info(self, args: dict) -> dict:
        info = self.files.get(args.get("file"))
        return {"ok": True, "file": info} if info else {"ok": False, "error": "file_not_found"}

    def _files_list(self, args: dict) -> dict:
        return {"ok": True, "files": [f for f in self.files.values() if f["user"] == args.get("user")][-1:]}

    def _views_open(self, args: dict) -> dict:
        return {"ok": True, "view": {"id": "V1"}}


def _parse(raw: bytes, content_type: str, query: str) -> dict:
    if "application/json" in content_type:
        data = json.loads(raw or b"{}")
    else:
        data = {k: v[0] for k, v in parse_qs(raw.decode() or query).items()}
    for key in JSON_FIELDS:
        if isinstance(data.get(key), str):
            with contextlib.suppress(ValueError):
                data[key] = json.loads(data[key])
    return data


def _handler_for(stand_in: SlackApiStandIn):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet test output
            pass

        def _token(self) -> str | None:
            header = self.headers.get("Authorization", "")
            return header.removeprefix("Bearer ").strip() or None

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            parts = urlparse(self.path).path.strip("/").split("/")
            if parts[0] == "files" and len(parts) >= 2:
                stand_in.record(Call(f"files:{parts[1]}", {}, self._token()))
                if self._token() != BOT_TOKEN:
                    return self._send(200, b"<html>Sign in to Slack</html>", "text/html")
                body, info = stand_in.file_bodies.get(parts[1]), stand_in.files.get(parts[1], {})
                return self._send(200, body, info["mimetype"]) if body is not None else self._send(404, b"")
            self._send(404, b"")

        def do_POST(self):
            url = urlparse(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            args = _parse(raw, self.headers.get("Content-Type", ""), url.query)
            token = args.pop("token", None) or self._token()
            if url.path.startswith("/response/"):
                stand_in.record(Call("response:" + url.path.removeprefix("/response/"), args, token))
                return self._send(200, b"ok", "text/plain")
            method = url.path.removeprefix("/api/")
            failure = stand_in.next_failure(method, args)
            stand_in.record(Call(method, args, token, failed=failure is not None))
            if failure is None:
                return self._send(200, json.dumps(stand_in.answer(method, args, token)).encode())
            if failure.hold:
                stand_in.released.wait()
                self.close_connection = True
                return None
            self.send_response(failure.status)
            for name, value in failure.headers.items():
                self.send_header(name, value)
            body = json.dumps(failure.body()).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class SocketModeStandIn:
    """Slack's Socket Mode end: a local WebSocket server that says hello, sends envelopes (events,
    commands) to the connected bot and collects its acknowledgements."""

    def __init__(self):
        from websockets.sync.server import serve

        self.acks: list[dict] = []
        self.connected = threading.Event()
        self._outbox: list[dict] = []
        self._lock = threading.Lock()
        self.server = serve(self._session, "127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/link"

    def start(self) -> SocketModeStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def send(self, envelope: dict) -> None:
        with self._lock:
            self._outbox.append(envelope)

    def wait_for_ack(self, envelope_id: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [a for a in self.acks if a.get("envelope_id") == envelope_id]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no ack for envelope {envelope_id}; acks: {self.acks}")

    def _session(self, websocket) -> None:
        websocket.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}))
        self.connected.set()
        while True:
            with self._lock:
                outgoing, self._outbox = self._outbox, []
            for envelope in outgoing:
                websocket.send(json.dumps(envelope))
            try:
                message = websocket.recv(timeout=0.05)
            except TimeoutError:
                continue
            except Exception:  # the bot went away
                return
            self.acks.append(json.loads(message))
