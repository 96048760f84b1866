"""Answers written by a chat model from the same evidence as the built-in answer, checked sentence
by sentence, within a bounded time.

The model streams its reply; each sentence is checked (``check``) as soon as it is complete and
shown only if it passes. The reply is given up for the built-in (extractive) answer, with a short
note, when the model fails, is rate-limited or slow beyond ``ADVISOR_LLM_TIMEOUT`` (retries with
backoff happen only while they fit in that time), writes nothing usable, writes in another
language than the asker's, gets an exact fact wrong, or loses more than half of its sentences.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator

from pydantic import BaseModel

from advisor.answering.answer import TokenUsage
from advisor.answering.check import ReplyChecker, thresholds_for
from advisor.answering.compose import Composition, Context
from advisor.answering.evidence import Evidence
from advisor.answering.prompt import build_messages, exact_facts, numbered_passages
from advisor.answering.reply import ReplyWriter
from advisor.messages import translator

RETRIABLE = (408, 409, 429, 500, 502, 503, 504, 529)


class ModelFailure(Exception):
    """The model gave no usable reply in time; the message says why, for the check report."""


class ChatComposer:
    def __init__(self, model, name: str, embedder, framework, fallback, timeout: float, thresholds: tuple):
        self.model = model
        self.name = name
        self.embedder = embedder
        self.framework = framework
        self.fallback = fallback
        self.timeout = timeout
        self.thresholds = thresholds

    @classmethod
    def from_settings(cls, settings, embedder, framework, fallback) -> ChatComposer:
        from advisor.answering.chat_model import make_chat_model

        model = make_chat_model(settings)
        thresholds = thresholds_for(settings.embedding_model)
        return cls(model, settings.llm, embedder, framework, fallback, settings.llm_timeout, thresholds)

    def stream(self, evidence: Evidence, context: Context) -> Iterator[str | Composition]:
        passages = numbered_passages(evidence) if evidence.found else []
        if not passages:  # a decline, or nothing to cite: the built-in words are the answer
            yield from self.fallback.stream(evidence, context)
            return
        facts_text = exact_facts(evidence, context.facts)
        checker = ReplyChecker(
            self.embedder,
            passages,
            facts_text,
            self._terms(context.facts, evidence.language),
            evidence.question,
            self.thresholds,
        )
        writer = ReplyWriter(checker, evidence.language)
        usage = TokenUsage()
        failure = None
        messages = build_messages(evidence, context.facts, context.history, passages)
        replies = self._reply(messages, usage, context.deadline)
        try:
            for piece in replies:
                yield from writer.feed(piece)
                if writer.fatal is not None:
                    break
            else:
                yield from writer.finish()
        except ModelFailure as exc:
            failure = str(exc)
        finally:
            replies.close()  # stops reading the model's stream at once, not when collected
        report = writer.report(self.name)
        report.fallback = failure or writer.problem()
        if report.fallback is None:
            yield Composition(writer.text(), writer.citations(passages), self.name, report, usage)
            return
        text, citations = self.fallback.compose(evidence)
        t = translator(evidence.language)
        note = (
            t.gettext("The chat model gave no usable answer in time, so this is the built-in answer.")
            if failure
            else t.gettext("The chat model's answer did not pass the fact check, so this is the built-in answer.")
        )
        yield Composition(f"{text}\n\n_{note}_", citations, "extractive", report, usage)

    def _terms(self, facts: dict, language: str) -> set[str]:
        """Names whose mention makes a sentence a fact: initiatives, phases, capabilities, risks,
        in English and in the asker's language."""
        t = translator(language)
        terms: set[str] = set()
        assessment = facts.get("initiative")
        if assessment is not None:
            terms |= {assessment.id, assessment.name}
        terms |= set(facts.get("initiatives", []))
        if self.framework is not None:
            for entry in [*self.framework.capabilities, *self.framework.risks, *self.framework.phases]:
                label = getattr(entry, "label", None) or entry.name
                terms |= {label, t.gettext(label), *getattr(entry, "aliases", [])}
        return terms

    def _reply(self, messages: list, usage: TokenUsage, deadline: float | None = None) -> Iterator[str]:
        """The reply's text as it streams, retried with backoff only while it fits in the time
        allowed (``deadline``, a ``time.monotonic()`` instant; by default the timeout from now)."""
        deadline = deadline or time.monotonic() + self.timeout
        attempt = 0
        while True:
            started = False
            try:
                for piece in self._attempt(messages, usage, deadline):
                    started = True
                    yield piece
                return
            except ModelFailure:
                raise
            except Exception as exc:
                if started:
                    raise ModelFailure(describe_error(exc)) from exc
                wait_before_retry(exc, attempt, deadline)
                attempt += 1

    def _attempt(self, messages: list, usage: TokenUsage, deadline: float) -> Iterator[str]:
        """One streamed request, read in a worker thread so that a stuck connection cannot hold
        the answer past the deadline."""
        events: queue.Queue = queue.Queue()
        cancelled = threading.Event()
        usage.calls += 1

        def read() -> None:
            try:
                for chunk in self.model.stream(messages):
                    if cancelled.is_set():
                        return
                    events.put(("chunk", chunk))
                events.put(("end", None))
            except Exception as exc:  # handed to the reader, which decides on retrying
                events.put(("error", exc))

        threading.Thread(target=read, daemon=True, name="chat-model-reply").start()
        try:
            while True:
                try:
                    kind, value = events.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise ModelFailure(f"no complete answer within {self.timeout:g} s") from None
                if kind == "end":
                    return
                if kind == "error":
                    raise value
                metadata = getattr(value, "usage_metadata", None) or {}
                usage.input_tokens += metadata.get("input_tokens", 0) or 0
                usage.output_tokens += metadata.get("output_tokens", 0) or 0
                text = chunk_text(value)
                if text:
                    yield text
        finally:
            cancelled.set()


def chunk_text(chunk) -> str:
    content = getattr(chunk, "content", "")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text")


def status_of(exc: Exception) -> int | None:
    status = getattr(exc, "status_code", None)
    response = getattr(exc, "response", None)
    return status if isinstance(status, int) else getattr(response, "status_code", None)


def retry_wait(exc: Exception, attempt: int) -> float | None:
    """Seconds to wait before retrying after ``exc`` (the server's Retry-After when it gives one),
    or None when retrying cannot help."""
    status = status_of(exc)
    name = type(exc).__name__
    if status not in RETRIABLE and not any(word in name for word in ("RateLimit", "Timeout", "Connection")):
        return None
    response = getattr(exc, "response", None)
    header = getattr(response, "headers", {}).get("retry-after") if response is not None else None
    try:
        return min(float(header), 10.0) if header is not None else 0.5 * 2**attempt
    except ValueError:
        return 0.5 * 2**attempt


def wait_before_retry(exc: Exception, attempt: int, deadline: float) -> None:
    """Sleep before retrying after ``exc``, or raise :class:`ModelFailure` when retrying cannot
    help or the retry would not fit before ``deadline``."""
    wait = retry_wait(exc, attempt)
    if wait is None or time.monotonic() + wait + 1.0 > deadline:
        raise ModelFailure(describe_error(exc)) from exc
    time.sleep(wait)


def structured_reply(model, schema: type[BaseModel], messages: list, usage: TokenUsage, deadline: float) -> BaseModel:
    """The model's answer as an instance of ``schema``, by tool calling (LangChain's
    ``with_structured_output``; every provider family supports it, unlike JSON-schema modes).
    Retried as answers are, only while it fits before ``deadline``; a reply that is late, is not a
    call of the tool or does not validate raises :class:`ModelFailure`. Tokens go to ``usage``."""
    structured = model.with_structured_output(schema, method="function_calling", include_raw=True)
    late = f"no structured reply within {round(max(0.0, deadline - time.monotonic()), 1):g} s"
    attempt = 0
    while True:
        usage.calls += 1
        try:
            result = _within(lambda: structured.invoke(messages), deadline, late)
        except ModelFailure:
            raise
        except Exception as exc:
            wait_before_retry(exc, attempt, deadline)
            attempt += 1
            continue
        metadata = getattr(result["raw"], "usage_metadata", None) or {}
        usage.input_tokens += metadata.get("input_tokens", 0) or 0
        usage.output_tokens += metadata.get("output_tokens", 0) or 0
        if result["parsing_error"] is not None:
            error = " ".join(str(result["parsing_error"]).split())[:160]
            raise ModelFailure(f"the chat model's structured reply is not valid ({error})")
        if result["parsed"] is None:
            if getattr(result["raw"], "invalid_tool_calls", None):
                raise ModelFailure("the chat model's structured reply is not valid JSON")
            raise ModelFailure("the chat model answered without the structured reply")
        return result["parsed"]


def _within(call, deadline: float, late: str):
    """``call()`` in a worker thread, so that a stuck connection cannot hold the answer past the deadline."""
    done: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            done.put((True, call()))
        except Exception as exc:  # handed to the caller, which decides on retrying
            done.put((False, exc))

    threading.Thread(target=run, daemon=True, name="chat-model-call").start()
    try:
        ok, value = done.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise ModelFailure(late) from None
    if not ok:
        raise value
    return value


def describe_error(exc: Exception) -> str:
    status = status_of(exc)
    if status == 429:
        return "the chat model's provider kept answering 429 (rate limited)"
    what = f"HTTP {status}" if status else type(exc).__name__
    return f"the chat model failed ({what}: {' '.join(str(exc).split())[:160]})"
