"""Progress of ingestion on stderr: a live bar on a terminal, a plain line every few seconds otherwise."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from bot.render import console

PLAIN_EVERY = 3.0  # seconds between lines when stderr is not a terminal


@contextmanager
def ingest_progress(description: str, enabled: bool = True) -> Iterator:
    """``on_progress(stage, done, total, current)`` for :class:`ingest.pipeline.Ingestor`.

    Nothing is shown for a run with nothing to do, so an unchanged re-run stays quiet.
    """
    out = console(stderr=True)
    if not enabled:
        yield lambda *_args: None
        return
    if not out.is_terminal:
        yield _plain_lines(description, out)
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[count]}"),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.fields[current]}"),
        transient=True,
        console=out,
    )
    tasks: dict[str, TaskID] = {}

    def on_progress(stage: str, done: float, total: float, current: str) -> None:
        if not total or (stage not in tasks and done >= total):
            return
        label = description if stage == "Indexing" else stage
        if stage not in tasks:
            if not tasks:
                bar.start()
            tasks[stage] = bar.add_task(label, total=total, count="", current="")
        unit = "files" if stage == "Indexing" else "chunks"
        bar.update(tasks[stage], completed=done, count=f"{int(done)}/{int(total)} {unit}", current=current[-50:])

    try:
        yield on_progress
    finally:
        if tasks:
            bar.stop()


def _plain_lines(description: str, out):
    """A line now and then; nothing at all for a run that ends within a second."""
    state = {"started": None, "at": 0.0, "line": ""}

    def on_progress(stage: str, done: float, total: float, current: str) -> None:
        now = time.monotonic()
        state["started"] = state["started"] or now
        if not total:
            return
        finished = done >= total
        due = now - state["started"] >= 1.0 and now - state["at"] >= PLAIN_EVERY
        if due or (finished and state["line"]):
            label = description if stage == "Indexing" else stage
            unit = "files" if stage == "Indexing" else "chunks"
            line = f"{label}: {int(done)}/{int(total)} {unit}"
            if line != state["line"]:
                out.print(line, highlight=False, markup=False)
                state.update(at=now, line=line)

    return on_progress
