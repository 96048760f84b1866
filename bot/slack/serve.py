"""Running the bot: Socket Mode (no public URL needed), or HTTP behind a load balancer.

HTTP mode runs gunicorn with several worker processes, each with its own bolt App behind the
checks of ``bot.slack.http_edge``: Slack's events, commands and interactions at ``/slack/events``,
and ``/healthz`` for the load balancer. The bundled knowledge is indexed once, before the workers
start, in a separate (spawned) process, so no worker inherits a forked copy of the model. Each
process runs an ``EventSweeper`` that answers events left unanswered (``bot.slack.delivery``).
"""

from __future__ import annotations

import logging

from gunicorn.app.base import BaseApplication

from advisor.errors import ConfigError
from advisor.settings import Settings
from bot.slack import tokens
from bot.slack.http_edge import EVENTS_PATH

log = logging.getLogger(__name__)

EXIT_CONFIG = 78  # sysexits EX_CONFIG: a missing or wrong token or setting


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

    from bot.slack.app import build_app, open_bot, replayer
    from bot.slack.delivery import EventSweeper

    client = tokens.web_client(settings)  # SLACK_BOT_TOKEN first: nothing works without it
    app_token = tokens.app_token(settings)
    tokens.verify_bot_token(client, settings)
    tokens.verify_app_token(client, settings)
    configure_logging()
    bot = open_bot(settings)
    app = build_app(bot, client, signing_secret=None)
    EventSweeper(bot, replayer(app)).start()
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
        "worker_class": "bot.slack.http_edge.ReadBoundedWorker",  # gthread, slow clients cut off
        "threads": 16,  # requests only: answers run in bolt's own thread pool
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
    """Migrate the database, index the bundled knowledge and check (and repair) the index once,
    before any worker starts: workers never repair side by side."""
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
    from bot.slack.app import build_app, open_bot, replayer
    from bot.slack.delivery import EventSweeper
    from bot.slack.http_edge import SlackWsgi

    bot = open_bot(settings, heal=False)  # prepare_knowledge checked the index before the workers started
    secret = tokens.signing_secret(settings)
    app = build_app(bot, tokens.web_client(settings), secret)
    EventSweeper(bot, replayer(app)).start()
    return SlackWsgi(app, bot, secret)
