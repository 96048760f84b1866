"""Stand-ins for Slack in the listener tests: the Web API client, ``say_stream``, ``respond``, ``ack``.

Plus ``ScriptedAdvisor``: the real advisor (framework, portfolio store, assessment, SQLite) whose
``ask`` returns a scripted real ``Answer``, so the listener tests need no embedding model.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.chat_stream import ChatStream

from advisor import Advisor
from advisor.answering.answer import Answer, Citation
from tests.conftest import TODAY

ADMIN = "UADMIN"
BOT_USER = "UBOT"
BOT_ID = "BBOT"


class FakeSlackClient:
    """Records every Web API call; answers ``{"ok": true}`` or what a test scripted."""

    token = "xoxb-fake"

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.responses: dict = {}
        self.failing: dict[str, str] = {}

    def __getattr__(self, method: str):
        if method.startswith("__"):
            raise AttributeError(method)

        def call(**kwargs):
            self.calls.append((method, kwargs))
            if method in self.failing:
                raise SlackApiError(f"{method} failed", {"ok": False, "error": self.failing[method]})
            scripted = self.responses.get(method, {"ok": True, "ts": "1.000"})
            return scripted(kwargs) if callable(scripted) else scripted

        return call

    def chat_stream(self, *, buffer_size: int = 256, **kwargs):
        """Like WebClient.chat_stream: the real ChatStream helper, calling this fake's chat.*Stream."""
        return ChatStream(self, logger=logging.getLogger("fake-slack"), buffer_size=buffer_size, **kwargs)

    def of(self, method: str) -> list[dict]:
        return [kwargs for name, kwargs in self.calls if name == method]


class Recorder:
    """A ``say``/``ack``/``respond`` stand-in: callable, remembers every call."""

    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, *args, **kwargs):
        self.calls.append({"args": args, **kwargs})


class ScriptedAdvisor(Advisor):
    """The real advisor with ``ask`` scripted: returns ``self.answer`` or raises ``self.failure``;
    ``ask_stream`` first yields ``self.sentences``."""

    def __init__(self, settings):
        super().__init__(settings, today=TODAY)
        self.asked: list[tuple[str, object, list | None]] = []
        self.answer: Answer = make_answer()
        self.failure: Exception | None = None
        self.sentences: list[str] = []  # streamed before the answer, as a chat model's checked sentences
        self.failure_after: int | None = None  # raise ``failure`` after this many sentences instead

    def ask(self, question, requester, history=None):
        self.asked.append((question, requester, history))
        if self.failure is not None and self.failure_after is None:
            raise self.failure
        return self.answer.model_copy(update={"question": question})

    def ask_stream(self, question, requester, history=None):
        answer = self.ask(question, requester, history)
        for number, sentence in enumerate(self.sentences):
            if number == self.failure_after:
                raise self.failure
            yield sentence
        yield answer


def make_answer(text: str | None = None, **changes) -> Answer:
    values = dict(
        question="What is missing before Claims Triage Assistant can go live?",
        intent="missing_infrastructure",
        text=text
        or (
            "**Claims Triage Assistant** (CLM-001) is in phase 2.\n\n**Missing**\n"
            "- **Monitoring and observability**: alerts reach an owner [1]\n"
            "- **Guardrails** <checked> outside the model [2]"
        ),
        citations=[
            Citation(
                n=1,
                source="knowledge/practices/mlops.md",
                title="The MLOps checklist",
                section="The MLOps checklist > Monitoring and observability",
                snippet="Monitoring...",
            ),
            Citation(
                n=2,
                source="https://example.com/guardrails",
                title="Guardrails & <you>",
                section="",
                snippet="Guardrails...",
                url="https://example.com/guardrails?a=1&b=2",
            ),
        ],
        missing_capabilities=["monitoring", "guardrails"],
        unmet_gates=["Every capability is in place"],
        next_phase=3,
        risks=["hallucination"],
    )
    values.update(changes)
    return Answer(**values)
