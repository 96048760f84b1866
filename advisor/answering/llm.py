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
import re
import threading
import time
from collections.abc import Iterator

from advisor.answering.answer import CheckReport, Citation, RemovedSentence, TokenUsage
from advisor.answering.check import MARKER, ReplyChecker, Verdict, markers, threshold_for
from advisor.answering.compose import Composition, Context
from advisor.answering.evidence import Evidence
from advisor.answering.prompt import Passage, build_messages, exact_facts, numbered_passages
from advisor.answering.sentences import segments
from advisor.messages import translator
from advisor.understanding.language import detect_language

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#+\s*")
_MARKERS_AFTER_END = re.compile(r"([.!?。！？])\s*((?:\[\d+(?:\s*,\s*\d+)*\]\s*)+)")
_QUOTED = re.compile(r"[\"“「『][^\"”」』]*[\"”」』]")
_LETTERS = re.compile(r"[^\W\d_]")
LANGUAGE_SAMPLE = 40  # letters of reply read before its language is judged and text is shown
RETRIABLE = (408, 409, 429, 500, 502, 503, 504, 529)


class ModelFailure(Exception):
    """The model gave no usable reply in time; the message says why, for the check report."""


class ChatComposer:
    def __init__(self, model, name: str, embedder, framework, fallback, timeout: float, threshold: float):
        self.model = model
        self.name = name
        self.embedder = embedder
        self.framework = framework
        self.fallback = fallback
        self.timeout = timeout
        self.threshold = threshold

    @classmethod
    def from_settings(cls, settings, embedder, framework, fallback) -> ChatComposer:
        from advisor.answering.chat_model import make_chat_model

        model = make_chat_model(settings)
        threshold = threshold_for(settings.embedding_model)
        return cls(model, settings.llm, embedder, framework, fallback, settings.llm_timeout, threshold)

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
            self.threshold,
        )
        writer = ReplyWriter(checker, evidence.language)
        usage = TokenUsage()
        failure = None
        try:
            for piece in self._reply(build_messages(evidence, context.facts, context.history, passages), usage):
                yield from writer.feed(piece)
                if writer.fatal is not None:
                    break
            else:
                yield from writer.finish()
        except ModelFailure as exc:
            failure = str(exc)
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

    def _reply(self, messages: list, usage: TokenUsage) -> Iterator[str]:
        """The reply's text as it streams, retried with backoff only while it fits in the time allowed."""
        deadline = time.monotonic() + self.timeout
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
                wait = retry_wait(exc, attempt)
                if started or wait is None or time.monotonic() + wait + 1.0 > deadline:
                    raise ModelFailure(describe_error(exc)) from exc
                time.sleep(wait)
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


def joiner(previous: str) -> str:
    """Japanese (and Chinese) sentences follow one another without a space."""
    return "" if previous.rstrip()[-1:] in "。！？" else " "


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


def describe_error(exc: Exception) -> str:
    status = status_of(exc)
    if status == 429:
        return "the chat model's provider kept answering 429 (rate limited)"
    what = f"HTTP {status}" if status else type(exc).__name__
    return f"the chat model failed ({what}: {' '.join(str(exc).split())[:160]})"


class ReplyWriter:
    """Reads a streamed reply line by line and sentence by sentence, checks each complete
    sentence, and writes what passes with its citations renumbered in order of first use."""

    def __init__(self, checker: ReplyChecker, language: str):
        self.checker = checker
        self.language = language
        self.raw = ""  # the reply as received
        self.buffer = ""  # the line being received
        self.done_in_line = 0  # its sentences already checked
        self.lines: list[tuple[str | None, list[str]]] = []  # (prefix, kept sentences); None: paragraph break
        self.written = 0  # sentences kept so far
        self.verdicts: list[Verdict] = []
        self.numbers: dict[int, int] = {}  # passage number -> citation number in the answer
        self.support: dict[int, list[str]] = {}
        self.held: list[str] = []  # shown once the reply's language is known to be right
        self.language_seen: str | None = None
        self.fatal: Verdict | None = None

    def feed(self, piece: str) -> Iterator[str]:
        self.raw += piece
        self.buffer += piece
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            yield from self._line(line, final=True)
            self.done_in_line = 0
            if not line.strip():
                self.lines.append((None, []))  # a paragraph break
        yield from self._line(self.buffer, final=False)

    def finish(self) -> Iterator[str]:
        yield from self._line(self.buffer, final=True)
        self.buffer = ""
        yield from self._release(final=True)

    def _line(self, line: str, final: bool) -> Iterator[str]:
        if self.fatal is not None or not line.strip():
            return
        bullet = _BULLET.match(line)
        body = _HEADING.sub("", line[bullet.end() :] if bullet else line)
        parts = segments(_MARKERS_AFTER_END.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", body))
        complete = parts if final else [p for i, p in enumerate(parts[:-1]) if _LETTERS.search(parts[i + 1])]
        if self.done_in_line == 0 and complete:
            self.lines.append(("- " if bullet else "", []))
        for part in complete[self.done_in_line :]:
            self.done_in_line += 1
            verdict = self.checker.check(part)
            self.verdicts.append(verdict)
            if verdict.fatal:
                self.fatal = verdict
                return
            if verdict.kept:
                yield from self._keep(verdict)

    def _keep(self, verdict: Verdict) -> Iterator[str]:
        for n in verdict.cited:
            self.numbers.setdefault(n, len(self.numbers) + 1)
            if verdict.support and verdict.support not in self.support.setdefault(n, []):
                self.support[n].append(verdict.support)
        text = MARKER.sub(lambda m: "".join(f"[{self.numbers[n]}]" for n in markers(m.group(0))), verdict.sentence)
        prefix, sentences = self.lines[-1]
        if sentences:
            piece = joiner(sentences[-1]) + text
        elif self.written:
            piece = ("\n\n" if self._paragraph_before() else "\n") + prefix + text
        else:
            piece = prefix + text
        sentences.append(text)
        self.written += 1
        self.held.append(piece)
        yield from self._release(final=False)

    def _paragraph_before(self) -> bool:
        """Whether a paragraph break lies between the last line written and the current one."""
        written = [i for i, (_, s) in enumerate(self.lines[:-1]) if s]
        return any(p is None for p, _ in self.lines[written[-1] + 1 : -1]) if written else False

    def _release(self, final: bool) -> Iterator[str]:
        if self.language_seen is None:
            sample = _QUOTED.sub(" ", MARKER.sub(" ", self.raw))
            if not final and len(_LETTERS.findall(sample)) < LANGUAGE_SAMPLE:
                return
            self.language_seen = detect_language(sample) if sample.strip() else self.language
        if self.language_seen != self.language:
            return
        held, self.held = self.held, []
        yield from held

    def problem(self) -> str | None:
        """Why the reply cannot stand as the answer, if it cannot."""
        stripped = self.raw.strip()
        kept = sum(v.kept for v in self.verdicts)
        if not stripped:
            return "the reply was empty"
        if stripped.startswith(("{", "```", "<")) or not _LETTERS.search(stripped):
            return "the reply was not prose (malformed output)"
        if self.fatal is not None:
            return f"an exact fact disagrees with the assessment: {self.fatal.reason}"
        if self.language_seen is not None and self.language_seen != self.language:
            return f"the reply is in {self.language_seen}, the question in {self.language}"
        if not self.verdicts or kept == 0:
            return "no sentence of the reply passed the check"
        if kept * 2 < len(self.verdicts):
            return f"only {kept} of {len(self.verdicts)} sentences passed the check"
        return None

    def report(self, model: str) -> CheckReport:
        removed = [RemovedSentence(sentence=v.sentence, reason=v.reason) for v in self.verdicts if not v.kept]
        return CheckReport(
            model=model, checked=len(self.verdicts), kept=sum(v.kept for v in self.verdicts), removed=removed
        )

    def text(self) -> str:
        """The kept sentences in the reply's lines: what the pieces streamed so far add up to."""
        out: list[str] = []
        paragraph = False
        for prefix, sentences in self.lines:
            if prefix is None:
                paragraph = bool(out)
            elif sentences:
                out += [""] if paragraph else []
                out.append(
                    prefix + "".join(s if i == 0 else joiner(sentences[i - 1]) + s for i, s in enumerate(sentences))
                )
                paragraph = False
        return "\n".join(out)

    def citations(self, passages: list[Passage]) -> list[Citation]:
        by_number = {p.n: p for p in passages}
        cited = []
        for n, shown in sorted(self.numbers.items(), key=lambda item: item[1]):
            chunk = by_number[n].chunk
            snippet = " … ".join(self.support.get(n, [])) or (by_number[n].quoted or [chunk.text[:200]])[0]
            cited.append(
                Citation(
                    n=shown,
                    source=chunk.url or chunk.source,
                    title=chunk.title,
                    section=chunk.section,
                    snippet=snippet,
                    url=chunk.url,
                    kind=chunk.kind,
                )
            )
        return cited
