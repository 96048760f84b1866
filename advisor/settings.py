"""One settings object, read from the environment (prefix ``ADVISOR_``) and ``.env``.

Built at the entry points and passed down; nothing deeper reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BUNDLED_KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"
MINILM = "all-MiniLM-L6-v2"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
        populate_by_name=True,
    )

    data_dir: Path = Field(Path("./data"), description="Where the index and the SQLite file live.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default a SQLite file in the data dir.")
    stall_days: int = Field(180, ge=1, description="Days in one phase after which an initiative is stalled.")
    knowledge_dir: Path = Field(BUNDLED_KNOWLEDGE_DIR, description="The bundled knowledge base.")
    sample_portfolio: bool = Field(
        True, description="Load the bundled fictional initiatives on first use (turn off for real use)."
    )
    chroma_url: str | None = Field(None, description="A Chroma server (http://host:port); default embedded.")
    collection: str = Field("advisor", description="Name of the Chroma collection.")
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description=f"{DEFAULT_EMBEDDING_MODEL} (bundled, multilingual), {MINILM} (bundled, English only), "
        "or any sentence-transformers model name or local folder.",
    )
    embedding_query_prefix: str | None = Field(None, description="Text put before every query (model-specific).")
    embedding_passage_prefix: str | None = Field(None, description="Text put before every passage (model-specific).")
    embedding_batch_size: int = Field(64, ge=1)
    chunk_size: int = Field(1000, ge=200, description="Target characters per chunk.")
    chunk_overlap: int = Field(150, ge=0)
    search_k: int = Field(12, ge=1, description="Passages retrieved for guidance answers.")
    llm: str | None = Field(
        None, description="provider:model of a LangChain chat model (openai:gpt-4.1-mini); default extractive."
    )
    llm_base_url: str | None = Field(None, description="Endpoint of an OpenAI-compatible or self-hosted model server.")
    llm_timeout: float = Field(
        20.0, gt=0, description="Seconds a chat-model answer may take, retries included, before the built-in one."
    )
    llm_max_tokens: int = Field(1024, ge=16, description="Most tokens the chat model may write for one answer.")
    llm_api_key: SecretStr | None = Field(None, description="Key for the chat model, if not its provider's variable.")
    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Slack user ids allowed to ingest (comma-separated)."
    )
    event_lease_seconds: int = Field(
        30, ge=2, description="How long a worker holds an event it is answering before another may take it over."
    )
    llm_user_hourly_tokens: int | None = Field(
        None,
        ge=1,
        description="Most chat-model tokens one user's answers may take per hour; beyond it, extractive answers.",
    )

    # Slack: conventional names, no prefix.
    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "ADVISOR_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "ADVISOR_SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "ADVISOR_SLACK_APP_TOKEN")
    )
    slack_api_url: str | None = Field(None, validation_alias=AliasChoices("SLACK_API_URL", "ADVISOR_SLACK_API_URL"))
    port: int = Field(3000, validation_alias=AliasChoices("PORT", "ADVISOR_PORT"))

    # Chat-model providers: their usual variable names, no prefix.
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    google_api_key: SecretStr | None = Field(None, validation_alias="GOOGLE_API_KEY")
    azure_openai_api_key: SecretStr | None = Field(None, validation_alias="AZURE_OPENAI_API_KEY")
    azure_openai_endpoint: str | None = Field(None, validation_alias="AZURE_OPENAI_ENDPOINT")
    openai_api_version: str | None = Field(None, validation_alias="OPENAI_API_VERSION")
    aws_region: str | None = Field(None, validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
    ollama_host: str | None = Field(None, validation_alias="OLLAMA_HOST")

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def embedding_model_is_default(self) -> bool:
        """True when nobody chose the model: the default may then fall back to the English one."""
        return "embedding_model" not in self.model_fields_set

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'advisor.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"
