"""Build the Advisor for a face, ingesting the bundled knowledge on first use."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from pydantic import ValidationError

from advisor import Advisor
from advisor.errors import ConfigError
from advisor.settings import Settings
from ingest.doctor import heal_on_open
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor, IngestSummary, Progress

log = logging.getLogger(__name__)


def load_settings(**overrides) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "ADVISOR_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"invalid setting {name}: {first['msg']}") from exc


def bundled_paths(settings: Settings) -> list:
    knowledge = settings.knowledge_dir
    if not (knowledge / "framework.yaml").is_file():
        raise ConfigError(f"ADVISOR_KNOWLEDGE_DIR: no framework.yaml in {knowledge}")
    paths = [knowledge / "practices"]
    if settings.sample_portfolio:
        paths.append(knowledge / "initiatives")
    return paths


def ingest_bundled_if_empty(advisor: Advisor, on_progress: Progress | None = None) -> IngestSummary | None:
    """On an empty data dir, index the bundled knowledge so the first question gets an answer."""
    if Manifest(advisor.engine).entries():
        return None
    return Ingestor(advisor).run(bundled_paths(advisor.settings), on_progress=on_progress)


def open_advisor(
    settings: Settings,
    today: date | None = None,
    on_progress: Progress | None = None,
    heal: bool = True,
    on_problems: Callable[[list[str]], None] | None = None,
) -> Advisor:
    """The Advisor, with the bundled knowledge indexed on first use and its index checked (and
    repaired, loudly) unless ``heal`` is False: then the caller examines it itself (``advisor doctor
    --check`` only reports). When framework.yaml changed since the stored records last agreed with
    it, they are checked again and every capability id it no longer defines is reported
    (``on_problems``; logged as warnings by default)."""
    advisor = Advisor(settings, today=today)
    advisor.framework  # validate the framework before anything else  # noqa: B018
    if settings.llm:  # a missing provider package or key is a start-up error, not a failed question
        from advisor.answering.chat_model import check_chat_model_settings

        check_chat_model_settings(settings)
    ingest_bundled_if_empty(advisor, on_progress)
    if heal:
        heal_on_open(advisor, on_progress)
    problems = Ingestor(advisor).record_problems()
    if problems:
        (on_problems or _log_problems)(problems)
    return advisor


def _log_problems(problems: list[str]) -> None:
    for problem in problems:
        log.warning("initiative records: %s", problem)
