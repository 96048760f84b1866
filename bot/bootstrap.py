"""Build the Advisor for a face, ingesting the bundled knowledge on first use."""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError

from advisor import Advisor
from advisor.errors import ConfigError
from advisor.settings import Settings
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor, IngestSummary, Progress


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


def open_advisor(settings: Settings, today: date | None = None, on_progress: Progress | None = None) -> Advisor:
    advisor = Advisor(settings, today=today)
    advisor.framework  # validate the framework before anything else  # noqa: B018
    if settings.llm:  # a missing provider package or key is a start-up error, not a failed question
        from advisor.answering.chat_model import check_chat_model_settings

        check_chat_model_settings(settings)
    ingest_bundled_if_empty(advisor, on_progress)
    return advisor
