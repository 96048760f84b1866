"""Slack credentials from settings, checked up front: one clear message naming the variable."""

from __future__ import annotations

from advisor.errors import ConfigError
from advisor.settings import Settings
from bot.slack.failures import slack_error_code

DEFAULT_API_URL = "https://slack.com/api/"
SETUP = 'see "The Slack bot" in the README'
REJECTED = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
    "missing_scope",
}


def api_url(settings: Settings) -> str:
    url = settings.slack_api_url or DEFAULT_API_URL
    return url if url.endswith("/") else url + "/"


def bot_token(settings: Settings) -> str:
    return _token(
        settings.slack_bot_token,
        "SLACK_BOT_TOKEN",
        "xoxb-",
        "a bot token",
        missing="copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page",
        wrong="the Bot User OAuth Token on OAuth & Permissions, not a user or app-level token",
    )


def signing_secret(settings: Settings) -> str:
    return _token(
        settings.slack_signing_secret,
        "SLACK_SIGNING_SECRET",
        "",
        "a signing secret",
        missing="HTTP mode needs it to reject forged requests; it is on your app's Basic Information "
        "page, under App Credentials",
        wrong="",
    )


def app_token(settings: Settings) -> str:
    return _token(
        settings.slack_app_token,
        "SLACK_APP_TOKEN",
        "xapp-",
        "an app-level token",
        missing="Socket Mode needs an app-level token (xapp-...) with the connections:write scope, from "
        "Basic Information > App-Level Tokens; or run `advisor serve --http` behind a public URL",
        wrong="from Basic Information > App-Level Tokens",
    )


def _token(secret, variable: str, prefix: str, kind: str, missing: str, wrong: str) -> str:
    """The secret's value, or a ConfigError naming the variable and where to find the right value."""
    value = secret.get_secret_value().strip() if secret is not None else ""
    if not value:
        raise ConfigError(f"{variable} is not set: {missing} ({SETUP})")
    if not value.startswith(prefix):
        raise ConfigError(f"{variable} is not {kind}: it must start with {prefix} ({wrong}; {SETUP})")
    return value


def web_client(settings: Settings):
    """The Web API client, retrying rate limits and server errors (see bot.slack.retries)."""
    from slack_sdk import WebClient

    from bot.slack.retries import retry_handlers

    return WebClient(token=bot_token(settings), base_url=api_url(settings), timeout=30, retry_handlers=retry_handlers())


def verify_bot_token(client, settings: Settings) -> dict:
    """auth.test with the bot token: who the bot is, or a ConfigError naming SLACK_BOT_TOKEN."""
    return _call(lambda: client.auth_test(), "SLACK_BOT_TOKEN", settings).data


def verify_app_token(client, settings: Settings) -> None:
    """apps.connections.open with the app token, as Socket Mode will do."""
    token = app_token(settings)
    _call(lambda: client.apps_connections_open(app_token=token), "SLACK_APP_TOKEN", settings)


def _call(call, variable: str, settings: Settings):
    from slack_sdk.errors import SlackApiError

    try:
        return call()
    except SlackApiError as exc:
        code = slack_error_code(exc)
        if code in REJECTED:
            raise ConfigError(
                f"{variable} was rejected by Slack ({code}): check that it is the current "
                f"token of this app and workspace ({SETUP})"
            ) from None
        raise ConfigError(f"Slack refused the {variable} check ({code})") from None
    except OSError as exc:  # URLError, timeouts, refused connections
        raise ConfigError(
            f"cannot reach Slack's Web API at {api_url(settings)} to check {variable}: "
            f"{getattr(exc, 'reason', exc)}; check the network or SLACK_API_URL"
        ) from None
