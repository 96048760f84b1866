"""A progress bar for ingestion, shown on stderr only when it is a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.render import console
from ingest.pipeline import SourceResult


@contextmanager
def ingest_progress(description: str, enabled: bool = True) -> Iterator:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("[dim]{task.fields[current]}"),
        transient=True,
        disable=not enabled,
        console=console(stderr=True),
    )
    task = None

    def on_progress(total: int, result: SourceResult | None) -> None:
        nonlocal task
        if task is None:
            progress.start()
            task = progress.add_task(description, total=total, current="")
        if result is not None:
            progress.update(task, advance=1, current=result.source[-50:])

    try:
        yield on_progress
    finally:
        if task is not None:
            progress.stop()
