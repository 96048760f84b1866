"""A stand-in for a hosted chat model: a real local HTTP server speaking the OpenAI chat
completions protocol (``POST /v1/chat/completions``, JSON or server-sent events).

No hosted model is reachable from the test machines, so this plays its part (the only fake in
the chat-model tests). The advisor reaches it exactly as production reaches OpenAI or an
OpenAI-compatible server (vLLM, LM Studio, a gateway): ``ADVISOR_LLM=openai:<model>`` and
``ADVISOR_LLM_BASE_URL=<url>/v1``, through langchain-openai's ``ChatOpenAI``.

Tests script what it answers, one :class:`Reply` per request in order (the last one repeats):
text (or a function of the request, to cite the passages the prompt numbered), an HTTP status,
a delay, or a malformed body. Requests for structured output (a tool to call) are answered from
their own script, ``readings``: a call of the tool with the given arguments (the ``tool_calls`` of a
non-streaming response, as langchain-openai's ``with_structured_output`` expects), or any of the
above; unscripted, a reply that calls no tool. Every request is recorded for assertions on the prompt.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "sk-test-standin"


@dataclass
class ChatRequest:
    body: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages", [])

    @property
    def prompt(self) -> str:
        """Every message's text, joined: what the model was shown."""
        parts = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            parts.append(str(content or ""))
        return "\n".join(parts)

    @property
    def structured(self) -> bool:
        """Whether the request asks for a tool call (structured output) rather than text."""
        return bool(self.body.get("tools"))

    def passage_number(self, phrase: str) -> int:
        """The number the prompt gave the passage containing ``phrase`` (raises when none does)."""
        for match in re.finditer(r'<passage n="(\d+)"[^>]*>(.*?)</passage>', self.prompt, re.DOTALL):
            if phrase.lower() in match.group(2).lower():
                return int(match.group(1))
        raise LookupError(f"no passage in the prompt contains {phrase!r}")


Text = str | Callable[[ChatRequest], str]


@dataclass
class Reply:
    """One scripted answer. ``status`` other than 200 sends an OpenAI-style error body."""

    text: Text = ""
    arguments: dict | str | None = None  # a call of the offered tool with these arguments (a str as sent)
    status: int = 200
    delay: float = 0.0  # seconds before answering (a slow or stuck model)
    malformed: bool = False  # a 200 whose body is not the protocol's JSON
    headers: dict = field(default_factory=dict)
    prompt_tokens: int = 1200
    completion_tokens: int = 90

    def render(self, request: ChatRequest) -> str:
        return self.text(request) if callable(self.text) else self.text


UNSCRIPTED_READING = Reply("I have no scripted reading.")  # calls no tool: the advisor keeps its own reading


def rate_limited(retry_after: float = 0) -> Reply:
    return Reply(status=429, headers={"Retry-After": str(retry_after)})


class ChatModelStandIn:
    def __init__(self):
        self.requests: list[ChatRequest] = []
        self._script: list[Reply] = [Reply("I have no scripted reply.")]
        self._readings: list[Reply] = [UNSCRIPTED_READING]
        self._positions = {False: 0, True: 0}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply | str, readings: tuple[Reply, ...] | list[Reply] = ()) -> ChatModelStandIn:
        """Answer the next requests with these replies, and the next requests for structured output
        with ``readings``, in order; the last one of each repeats."""
        with self._lock:
            self._script = [r if isinstance(r, Reply) else Reply(r) for r in replies]
            self._readings = list(readings) or [UNSCRIPTED_READING]
            self._positions = {False: 0, True: 0}
            self.requests.clear()
        return self

    @property
    def written(self) -> list[ChatRequest]:
        """The requests for text (an answer to write), without those for structured output."""
        return [r for r in self.requests if not r.structured]

    def env(self, model: str = "gpt-standin", **extra: str) -> dict[str, str]:
        """The environment that points the advisor at this server."""
        return {
            "ADVISOR_LLM": f"openai:{model}",
            "ADVISOR_LLM_BASE_URL": self.base_url,
            "OPENAI_API_KEY": API_KEY,
            **extra,
        }

    def _next(self, request: ChatRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            script = self._readings if request.structured else self._script
            reply = script[min(self._positions[request.structured], len(script) - 1)]
            self._positions[request.structured] += 1
        return reply

    def start(self) -> ChatModelStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self._json(401, {"error": {"message": "bad key", "type": "invalid_request_error"}})
                request = ChatRequest(body=body, headers=dict(self.headers))
                reply = stand_in._next(request)
                if reply.delay and stand_in._closing.wait(reply.delay):
                    return
                if reply.status != 200:
                    error = {"message": f"scripted status {reply.status}", "type": "rate_limit_exceeded"}
                    return self._json(reply.status, {"error": error}, reply.headers)
                if reply.malformed:
                    return self._raw(200, b'{"choices": [{"message": ', "application/json")
                if reply.arguments is not None:
                    return self._json(200, stand_in._tool_call(body, reply))
                text = reply.render(request)
                if body.get("stream"):
                    return self._stream(body, text, reply)
                return self._json(200, stand_in._completion(body, text, reply))

            def _json(self, status: int, payload: dict, headers: dict | None = None):
                self._raw(status, json.dumps(payload).encode(), "application/json", headers)

            def _raw(self, status: int, data: bytes, content_type: str, headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict, text: str, reply: Reply):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in stand_in._chunks(body, text, reply):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _usage(self, reply: Reply) -> dict:
        total = reply.prompt_tokens + reply.completion_tokens
        return {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": total,
        }

    def _completion(self, body: dict, text: str, reply: Reply) -> dict:
        return {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "gpt-standin"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": self._usage(reply),
        }

    def _tool_call(self, body: dict, reply: Reply) -> dict:
        """A non-streaming response calling the tool the request offers (the one it chose, else the first)."""
        choice = body.get("tool_choice")
        name = choice["function"]["name"] if isinstance(choice, dict) else body["tools"][0]["function"]["name"]
        arguments = reply.arguments if isinstance(reply.arguments, str) else json.dumps(reply.arguments)
        call = {"id": f"call_{next(self._ids)}", "type": "function", "function": {"name": name, "arguments": arguments}}
        completion = self._completion(body, "", reply)
        choice = completion["choices"][0]
        choice["message"] = {"role": "assistant", "content": None, "tool_calls": [call]}
        choice["finish_reason"] = "tool_calls"
        return completion

    def _chunks(self, body: dict, text: str, reply: Reply):
        """The reply a few words at a time, as a model streams it; usage last when asked for."""
        base = {"id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion.chunk", "created": int(time.time())}
        base["model"] = body.get("model", "gpt-standin")
        pieces = re.findall(r"\S+\s*|\s+", text) or [""]
        for i, piece in enumerate(pieces):
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            yield {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        if (body.get("stream_options") or {}).get("include_usage"):
            yield {**base, "choices": [], "usage": self._usage(reply)}


def advisor_with_standin(base, standin, timeout: float):
    """An advisor over ``base``'s data, its answers written by the stand-in (chosen by settings, as in production)."""
    from pydantic import SecretStr

    from advisor import Advisor
    from tests.conftest import TODAY

    update = {
        "llm": "openai:gpt-standin",
        "llm_base_url": standin.base_url,
        "openai_api_key": SecretStr(API_KEY),
        "llm_timeout": timeout,
    }
    return Advisor(base.settings.model_copy(update=update), today=TODAY)
