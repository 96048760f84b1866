"""Running the bot: Socket Mode (no public URL needed), or HTTP behind a load balancer.

HTTP mode runs gunicorn with several worker processes, each with its own bolt App behind
slack_bolt's WSGI adapter: Slack's events, commands and interactions at ``/slack/events``, and
``/healthz`` for the load balancer. The bundled knowledge is indexed once, before the workers
start, in a separate (spawned) process, so no worker inherits a forked copy of the model.
"""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from advisor.errors import ConfigError
from advisor.settings import Settings
from bot.slack import tokens

log = logging.getLogger(__name__)

EXIT_CONFIG = 78  # sysexits EX_CONFIG: a missing or wrong token or setting
EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def serve_from_cli(*, http: bool, host: str, port: int | None, workers: int) -> None:
    """`advisor serve`: a configuration problem is one line on stderr and exit code 78."""
    from rich.text import Text

    from bot.bootstrap import load_settings
    from bot.render import console

    try:
        settings = load_settings()
        if http:
            serve_http(settings, host=host, port=port or settings.port, workers=workers)
        else:
            serve_socket_mode(settings)
    except ConfigError as exc:
        console(stderr=True).print(Text.assemble(("error:", "red"), " ", str(exc)), soft_wrap=True)
        raise SystemExit(EXIT_CONFIG) from None


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")


def serve_socket_mode(settings: Settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import build_app, open_bot

    client = tokens.web_client(settings)  # SLACK_BOT_TOKEN first: nothing works without it
    app_token = tokens.app_token(settings)
    tokens.verify_bot_token(client, settings)
    tokens.verify_app_token(client, settings)
    configure_logging()
    app = build_app(open_bot(settings), client, signing_secret=None)
    log.info("connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()


def serve_http(settings: Settings, host: str, port: int, workers: int) -> None:
    client = tokens.web_client(settings)  # SLACK_BOT_TOKEN first: nothing works without it
    tokens.signing_secret(settings)
    tokens.verify_bot_token(client, settings)
    configure_logging()
    prepare_knowledge(settings)
    log.info("serving Slack on http://%s:%d%s with %d workers", host, port, EVENTS_PATH, workers)
    SlackHttpServer(settings, http_options(host, port, workers)).run()


def http_options(host: str, port: int, workers: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,
        "graceful_timeout": 30,
        "keepalive": 5,
        "preload_app": False,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "advisor-slack",
        "control_socket_disable": True,  # several servers on one host would fight over one socket path
    }


def prepare_knowledge(settings: Settings) -> None:
    """Migrate the database and index the bundled knowledge once, before any worker starts."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_open_advisor_once, settings).result()


def _open_advisor_once(settings: Settings) -> None:
    from bot.bootstrap import open_advisor

    open_advisor(settings)


class SlackHttpServer(BaseApplication):
    """gunicorn, configured in code; each worker builds its own App after the fork."""

    def __init__(self, settings: Settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return wsgi_app(self.settings)


def wsgi_app(settings: Settings):
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.slack.app import build_app, open_bot

    bot = open_bot(settings)
    app = build_app(bot, tokens.web_client(settings), tokens.signing_secret(settings))
    return SlackWsgi(SlackRequestHandler(app, path=EVENTS_PATH), bot)


class SlackWsgi:
    """Routes ``/healthz`` to a database check and everything else to bolt."""

    def __init__(self, slack_handler, bot):
        self.slack_handler = slack_handler
        self.bot = bot

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH:
            return self.health(start_response)
        return self.slack_handler(environ, start_response)

    def health(self, start_response):
        from sqlalchemy import text

        try:
            with self.bot.advisor.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            status, body = "200 OK", b'{"status": "ok"}'
        except Exception as exc:
            log.warning("health check failed: %s", exc)
            status, body = "503 Service Unavailable", b'{"status": "database unreachable"}'
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
