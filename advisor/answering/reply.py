"""A chat model's reply read as it streams: line by line, sentence by sentence, each sentence
checked as soon as it is complete and written out only if it passes, with its citations
renumbered in order of first use. The pieces it yields add up to the text it keeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from advisor.answering.answer import CheckReport, Citation, RemovedSentence
from advisor.answering.check import MARKER, ReplyChecker, Verdict, markers
from advisor.answering.prompt import Passage
from advisor.answering.sentences import segments
from advisor.understanding.language import detect_language

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#+\s*")
_MARKERS_AFTER_END = re.compile(r"([.!?。！？])\s*((?:\[\d+(?:\s*,\s*\d+)*\]\s*)+)")
_QUOTED = re.compile(r"[\"“「『][^\"”」』]*[\"”」』]")
_LETTERS = re.compile(r"[^\W\d_]")
LANGUAGE_SAMPLE = 40  # letters of reply read before its language is judged and text is shown


def joiner(previous: str) -> str:
    """Japanese (and Chinese) sentences follow one another without a space."""
    return "" if previous.rstrip()[-1:] in "。！？" else " "


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
