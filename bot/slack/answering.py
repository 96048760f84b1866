"""Answer one question in a Slack conversation: status while thinking, the answer, never silence."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from advisor.answering.answer import Answer
from bot.slack.audience import PRIVATE_ANSWER_NOTE, Surface, asker_rights, rights, same_material
from bot.slack.blocks import MAX_BLOCKS, answer_messages, answer_tail_blocks
from bot.slack.failures import DeliveryFailed, is_transient, post_failure, slack_error_code
from bot.slack.mrkdwn import to_safe_markdown
from bot.slack.services import AdvisorBot

log = logging.getLogger(__name__)

THINKING = "is thinking…"
LOADING_MESSAGES = [
    "Reading the initiative records…",
    "Checking the phase gates…",
    "Looking up the practices…",
    "Citing the sources…",
]
STREAM_PIECE = 1500  # characters of Markdown per chat.appendStream
STREAM_LIMIT = 12000  # longer answers are posted in parts instead


@dataclass
class Turn:
    """A question asked in a conversation, and where its answer goes."""

    channel_id: str
    user_id: str
    thread_ts: str
    question: str
    surface: Surface  # who reads the answer, hence whose rights apply (bot.slack.audience)
    history: list[str] = field(default_factory=list)
    stream: bool = False  # stream the answer (agent pane and DMs); post it otherwise


class ThinkingStatus:
    """The "is thinking…" status of a thread; best effort, and always cleared once shown."""

    def __init__(self, client, turn: Turn, set_status: Callable | None = None):
        self.client = client
        self.turn = turn
        self.set_status = set_status
        self.shown = False

    def _set(self, status: str, **extra) -> None:
        if self.set_status is not None:
            self.set_status(status=status, **extra)
        else:
            self.client.assistant_threads_setStatus(
                channel_id=self.turn.channel_id, thread_ts=self.turn.thread_ts, status=status, **extra
            )

    def show(self) -> None:
        try:
            self._set(THINKING, loading_messages=LOADING_MESSAGES)
            self.shown = True
        except Exception as exc:  # e.g. a channel where Slack has no thread status: answer anyway
            log.debug("no thinking status in %s: %s", self.turn.channel_id, exc)

    def clear(self) -> None:
        if not self.shown:
            return
        try:
            self._set("")
        except Exception as exc:
            log.warning("could not clear the status in %s: %s", self.turn.channel_id, exc)


def answer_turn(
    bot: AdvisorBot, client, turn: Turn, set_status: Callable | None = None, say_stream: Callable | None = None
) -> Answer | None:
    """Ask within the audience's rights and deliver the answer in the thread; on any failure, say so there.

    Raises DeliveryFailed when Slack would not take the answer even after retrying (rate limits,
    server errors, network), so that the event is replayed instead of lost.
    """
    status = ThinkingStatus(client, turn, set_status)
    status.show()
    try:
        if turn.stream and say_stream is not None and turn.surface is not Surface.CONVERSATION:
            return answer_live(bot, client, turn, say_stream)
        try:
            answer, note = ask_for_audience(bot, turn)
        except Exception as exc:
            post_failure(client, turn.channel_id, turn.thread_ts, exc)
            return None
        deliver(bot, client, turn, answer, note, say_stream)
        return answer
    finally:
        status.clear()


def answer_live(bot: AdvisorBot, client, turn: Turn, say_stream: Callable) -> Answer | None:
    """Where only the asker reads (a DM, the agent pane): a chat model's sentences are streamed as
    each passes the check, then the stream ends with the facts, sources and buttons.

    When the checked reply is replaced by the built-in answer, the stream ends saying so and the
    built-in answer follows as a message; when streaming fails, the whole answer is posted instead.
    """
    live = LiveStream(say_stream)
    answer = None
    requester = rights(turn.surface, turn.user_id, turn.channel_id)
    try:
        for event in bot.advisor.ask_stream(turn.question, requester, history=turn.history or None):
            if isinstance(event, Answer):
                answer = event
            else:
                live.append(event)
    except Exception as exc:
        live.end(note=CUT_OFF)
        post_failure(client, turn.channel_id, turn.thread_ts, exc)
        return None
    if not live.started:  # nothing streamed (the built-in answer): stream or post it whole, as before
        deliver(bot, client, turn, answer, None, None if live.broken else say_stream)
        return answer
    replaced = answer.check is not None and answer.check.fallback is not None
    tail = answer_tail_blocks(answer, bot.advisor.framework)
    if not replaced and len(tail) <= MAX_BLOCKS and live.end(blocks=tail):
        return answer
    live.end(note=REPLACED if replaced else CUT_OFF)
    deliver(bot, client, replace(turn, stream=False), answer, None, None)
    return answer


CUT_OFF = "\n\n_(cut off; the full answer follows)_"
REPLACED = "\n\n_(this draft did not pass the fact check; the checked answer follows)_"


class LiveStream:
    """Checked sentences into one streamed message as they come (``say_stream`` without buffering),
    each made literal by the escaping policy. A failure of Slack ends the live part quietly: the
    caller then posts the whole answer."""

    def __init__(self, say_stream: Callable):
        self.say_stream = say_stream
        self.streamer = None
        self.broken = False
        self.stopped = False

    @property
    def started(self) -> bool:
        """Whether a streamed message exists in the conversation."""
        return self.streamer is not None and self.streamer.ts is not None

    def append(self, piece: str) -> None:
        if self.broken:
            return
        stripped = piece.lstrip()
        text = piece[: len(piece) - len(stripped)] + to_safe_markdown(stripped)
        try:
            if self.streamer is None:
                self.streamer = self.say_stream(buffer_size=1)  # every checked sentence shows at once
            self.streamer.append(markdown_text=text)
        except Exception as exc:
            log.info("streaming failed (%s); the answer will be posted instead", exc)
            self.broken = True

    def end(self, blocks: list[dict] | None = None, note: str = CUT_OFF) -> bool:
        """Stop the stream with the answer's closing ``blocks`` (True: the streamed answer stands),
        or else with ``note``."""
        if not self.started or self.stopped:
            return False
        self.stopped = True
        if blocks is not None and not self.broken:
            try:
                self.streamer.stop(blocks=blocks)
                return True
            except Exception as exc:
                log.info("could not close the stream (%s); the answer will be posted instead", exc)
        try:
            self.streamer.stop(markdown_text=note)
        except Exception as exc:
            log.debug("could not stop the stream: %s", exc)
        return False


def ask_for_audience(bot: AdvisorBot, turn: Turn) -> tuple[Answer, str | None]:
    """The answer for whoever reads it, and a note when the asker alone could have been told more."""
    history = turn.history or None
    answer = bot.advisor.ask(turn.question, rights(turn.surface, turn.user_id, turn.channel_id), history=history)
    if turn.surface is not Surface.CONVERSATION or not bot.advisor.grants_access(turn.user_id):
        return answer, None
    private = bot.advisor.ask(turn.question, asker_rights(turn.user_id, turn.channel_id), history=history)
    return answer, None if same_material(answer, private) else PRIVATE_ANSWER_NOTE


def deliver(bot: AdvisorBot, client, turn: Turn, answer: Answer, note: str | None, say_stream) -> None:
    try:
        if turn.surface is Surface.CONVERSATION:
            remember_thread(bot, turn.channel_id, turn.thread_ts)
        if not (turn.stream and say_stream is not None and stream_answer(bot, answer, say_stream)):
            post_answer(bot, client, turn, answer, note)
    except Exception as exc:
        post_failure(client, turn.channel_id, turn.thread_ts, exc)  # a busy Slack may still take this short one
        if is_transient(exc):
            raise DeliveryFailed(turn.channel_id, turn.thread_ts, slack_error_code(exc)) from exc


def remember_thread(bot: AdvisorBot, channel_id: str, thread_ts: str) -> None:
    """The bot takes part in this thread: replies there are follow-ups (see bot.slack.routing)."""
    try:
        bot.threads.remember(channel_id, thread_ts)
    except Exception as exc:  # follow-ups then need a mention; the answer matters more
        log.warning("could not remember thread %s in %s: %s", thread_ts, channel_id, exc)


def post_answer(bot: AdvisorBot, client, turn: Turn, answer: Answer, note: str | None = None) -> None:
    for message in answer_messages(answer, bot.advisor.framework, note=note):
        client.chat_postMessage(
            channel=turn.channel_id,
            thread_ts=turn.thread_ts,
            text=message["text"],
            blocks=message["blocks"],
            unfurl_links=False,
            unfurl_media=False,
        )


def stream_answer(bot: AdvisorBot, answer: Answer, say_stream: Callable) -> bool:
    """Stream the Markdown text, then close with the facts, sources and buttons as blocks.

    False when the answer was not streamed whole (streaming unavailable here, too long, or cut
    off), so the caller posts it as a message instead: the user always gets the full answer.
    """
    markdown = stream_markdown(answer)
    tail = answer_tail_blocks(answer, bot.advisor.framework)
    if len(markdown) > STREAM_LIMIT or len(tail) > MAX_BLOCKS:
        return False
    streamer = None
    try:
        streamer = say_stream(buffer_size=STREAM_PIECE)
        for piece in markdown_pieces(markdown):
            streamer.append(markdown_text=piece)
        streamer.stop(blocks=tail)
        return True
    except Exception as exc:
        log.info("streaming failed (%s); posting the answer instead", exc)
        if getattr(streamer, "ts", None) is not None:
            _stop_quietly(streamer)
        return False


def _stop_quietly(streamer) -> None:
    try:
        streamer.stop(markdown_text="\n\n_(cut off; the full answer follows)_")
    except Exception as exc:
        log.debug("could not stop the stream: %s", exc)


def stream_markdown(answer: Answer) -> str:
    """The answer as Markdown for ``markdown_text``, with every quoted text made literal."""
    text = answer.text.strip()
    if not answer.found and answer.suggestions:
        text += "\n\n**You could ask about:**\n" + "\n".join(f"- {s}" for s in answer.suggestions[:6])
    return to_safe_markdown(text)


def markdown_pieces(text: str, size: int = STREAM_PIECE) -> list[str]:
    """Paragraph-sized pieces of at most ``size`` characters, which concatenate back to ``text``."""
    pieces, current = [], ""
    for number, paragraph in enumerate(text.split("\n\n")):
        part = paragraph if number == 0 else "\n\n" + paragraph
        if current and len(current) + len(part) > size:
            pieces.append(current)
            current = ""
        current += part
        while len(current) > size:
            pieces.append(current[:size])
            current = current[size:]
    if current:
        pieces.append(current)
    return pieces
