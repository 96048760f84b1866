"""The chat model named by ``ADVISOR_LLM=provider:model``, built with LangChain's ``init_chat_model``.

Each provider family lives in its own optional extra, and each needs its own credentials; both
are checked when the advisor starts, so a missing package or key is one line naming the extra or
the variable to set, not a failure on the first question. Keys come from settings (``SecretStr``)
and are handed to the model explicitly: nothing below the entry points reads the environment.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field

from advisor.errors import ConfigError
from advisor.settings import Settings


@dataclass(frozen=True)
class Provider:
    extra: str  # pip install "ai-transformation-advisor[extra]"
    module: str  # the LangChain integration package's module
    key: str | None = None  # the settings field holding its key
    key_variable: str | None = None  # ... and the variable a user sets
    required: tuple[tuple[str, str], ...] = ()  # other (settings field, variable) it cannot work without
    options: dict = field(default_factory=dict)  # constructor keywords particular to the family


PROVIDERS: dict[str, Provider] = {
    "openai": Provider("openai", "langchain_openai", "openai_api_key", "OPENAI_API_KEY"),
    "azure_openai": Provider(
        "azure",
        "langchain_openai",
        "azure_openai_api_key",
        "AZURE_OPENAI_API_KEY",
        required=(("openai_api_version", "OPENAI_API_VERSION"),),
    ),
    "anthropic": Provider("anthropic", "langchain_anthropic", "anthropic_api_key", "ANTHROPIC_API_KEY"),
    "google_genai": Provider("google", "langchain_google_genai", "google_api_key", "GOOGLE_API_KEY"),
    "ollama": Provider("ollama", "langchain_ollama"),
    # Bedrock takes credentials from the AWS chain (role, profile, keys); the region must be known.
    "bedrock_converse": Provider("bedrock", "langchain_aws", required=(("aws_region", "AWS_REGION"),)),
    "bedrock": Provider("bedrock", "langchain_aws", required=(("aws_region", "AWS_REGION"),)),
}


def provider_and_model(spec: str) -> tuple[str, str]:
    provider, sep, model = spec.partition(":")
    provider, model = provider.strip().lower(), model.strip()
    if not sep or not provider or not model:
        raise ConfigError(f"ADVISOR_LLM={spec!r}: expected provider:model, for example openai:gpt-4.1-mini")
    if provider not in PROVIDERS:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigError(f"ADVISOR_LLM={spec!r}: unknown provider {provider!r}; one of {known}")
    return provider, model


def check_chat_model_settings(settings: Settings) -> tuple[str, str, Provider]:
    """The provider and model, once its package and credentials are known to be there."""
    provider, model = provider_and_model(settings.llm or "")
    family = PROVIDERS[provider]
    if importlib.util.find_spec(family.module) is None or importlib.util.find_spec("langchain") is None:
        raise ConfigError(
            f"ADVISOR_LLM={settings.llm}: the {provider} chat model is not installed; "
            f'pip install "ai-transformation-advisor[{family.extra}]"'
        )
    if family.key and getattr(settings, family.key) is None and settings.llm_api_key is None:
        raise ConfigError(f"ADVISOR_LLM={settings.llm}: set {family.key_variable} (or ADVISOR_LLM_API_KEY)")
    for name, variable in family.required:
        if getattr(settings, name) is None:
            raise ConfigError(f"ADVISOR_LLM={settings.llm}: set {variable}")
    if provider == "azure_openai" and not (settings.azure_openai_endpoint or settings.llm_base_url):
        raise ConfigError(f"ADVISOR_LLM={settings.llm}: set AZURE_OPENAI_ENDPOINT (or ADVISOR_LLM_BASE_URL)")
    return provider, model, family


def make_chat_model(settings: Settings):
    """A LangChain chat model for ``settings.llm``, without retries of its own: the composer
    retries only while its time budget allows (``ADVISOR_LLM_TIMEOUT``)."""
    provider, model, family = check_chat_model_settings(settings)
    from langchain.chat_models import init_chat_model

    options: dict = {"temperature": 0, **family.options}
    key = settings.llm_api_key or (getattr(settings, family.key) if family.key else None)
    timeout = settings.llm_timeout
    if provider in ("openai", "azure_openai"):
        options.update(api_key=key, max_retries=0, timeout=timeout, stream_usage=True)
        options["max_completion_tokens" if provider == "openai" else "max_tokens"] = settings.llm_max_tokens
        if provider == "openai" and settings.llm_base_url:
            options["base_url"] = settings.llm_base_url
        if provider == "azure_openai":
            options.update(
                azure_endpoint=settings.azure_openai_endpoint or settings.llm_base_url,
                api_version=settings.openai_api_version,
            )
    elif provider == "anthropic":
        options.update(api_key=key, max_retries=0, timeout=timeout, max_tokens=settings.llm_max_tokens)
        if settings.llm_base_url:
            options["base_url"] = settings.llm_base_url
    elif provider == "google_genai":
        options.update(google_api_key=key, max_retries=0, timeout=timeout, max_output_tokens=settings.llm_max_tokens)
    elif provider == "ollama":
        options.update(num_predict=settings.llm_max_tokens, client_kwargs={"timeout": timeout})
        if settings.llm_base_url or settings.ollama_host:
            options["base_url"] = settings.llm_base_url or settings.ollama_host
    else:  # Bedrock
        options.update(region_name=settings.aws_region, max_tokens=settings.llm_max_tokens)
        if settings.llm_base_url:
            options["endpoint_url"] = settings.llm_base_url
    try:
        return init_chat_model(model, model_provider=provider, **options)
    except ImportError as exc:
        raise ConfigError(
            f'ADVISOR_LLM={settings.llm}: {exc}; pip install "ai-transformation-advisor[{family.extra}]"'
        ) from exc
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"ADVISOR_LLM={settings.llm}: {' '.join(str(exc).split())[:300]}") from exc
