"""Admin ingestion from Slack: download shared files (files:read) and run the CLI's pipeline."""

from __future__ import annotations

import logging
import re
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from advisor.db import private_dir
from bot.slack.failures import slack_error_code
from bot.slack.mrkdwn import escape
from bot.slack.services import AdvisorBot
from bot.slack.views import ingest_summary_text

log = logging.getLogger(__name__)

MAX_BYTES = 25 * 1024 * 1024
FILE_ID = re.compile(r"\b(F[A-Z0-9]{6,})\b")
UNSAFE = re.compile(r"[^\w. -]+")  # letters and digits of any script are kept
MAX_NAME_BYTES = 200  # file systems allow 255 bytes per name; CJK letters take 3


class DownloadError(Exception):
    """A shared file could not be fetched from Slack; the message says why."""


@dataclass
class Download:
    name: str
    path: Path | None = None
    error: str | None = None


def file_ids(text: str) -> list[str]:
    """File ids in what a user typed: bare ids (F0123ABCD) or file links."""
    return list(dict.fromkeys(FILE_ID.findall(text or "")))


def refusal_text(bot: AdvisorBot, user_id: str, names: list[str]) -> str:
    shown = ", ".join(f"`{escape(n)}`" for n in names) or "that file"
    admins = ", ".join(f"<@{a}>" for a in bot.settings.admins[:5])
    ask = f"ask an admin ({admins}) to add it" if admins else "ask an admin to add it"
    return (
        f"Sorry <@{user_id}>, only admins can add documents to my knowledge base, so I have not "
        f"ingested {shown}. You can {ask}, or ask me a question in words."
    )


def ingest_shared_files(bot: AdvisorBot, client, files: list[dict]) -> str:
    """Download each file, ingest them all like `advisor ingest`, and say what happened."""
    downloads = [download_shared_file(bot, client, f) for f in files]
    paths = [d.path for d in downloads if d.path is not None]
    lines = []
    if paths:
        from ingest.pipeline import Ingestor

        with bot.ingest_lock:
            summary = Ingestor(bot.advisor).run(paths)
        lines.append(ingest_summary_text(summary))
    lines += [f"• failed: `{escape(d.name)}`: {escape(d.error or '')}" for d in downloads if d.error]
    return "\n".join(lines) or "There was no file to ingest."


def download_shared_file(bot: AdvisorBot, client, shared: dict) -> Download:
    name = shared.get("name") or shared.get("id") or "file"
    try:
        info = shared if shared.get("url_private_download") else client.files_info(file=shared["id"])["file"]
        name = info.get("name") or name
        target = uploads_dir(bot) / safe_name(name, info.get("id", "file"))
        fetch(info, client.token, target, bot.settings.slack_api_url)
        return Download(name=name, path=target)
    except DownloadError as exc:
        return Download(name=name, error=str(exc))
    except Exception as exc:  # files.info refused (missing scope, deleted file...)
        log.warning("could not get file %s: %s", name, exc)
        return Download(
            name=name,
            error=f"Slack would not give me the file ({slack_error_code(exc)}); "
            "check that the app has the files:read scope",
        )


def uploads_dir(bot: AdvisorBot) -> Path:
    return private_dir(bot.settings.data_dir / "uploads")


def safe_name(name: str, file_id: str) -> str:
    """A plain file name in any script: no folders, no odd characters, the suffix kept (it picks the
    loader). A name with no letter or digit left is the file id, so two such files never collide;
    uploading a file under the same name again replaces the earlier version."""
    cleaned = UNSAFE.sub("_", Path(unicodedata.normalize("NFC", name)).name).strip(" .")
    stem, suffix = _split_suffix(cleaned)
    if not any(c.isalnum() for c in stem):
        stem = file_id
    while len((stem + suffix).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def _split_suffix(name: str) -> tuple[str, str]:
    suffix = Path(name).suffix
    return (name[: -len(suffix)], suffix) if suffix and len(suffix) <= 10 else (name, "")


def fetch(info: dict, token: str | None, target: Path, api_url: str | None) -> None:
    """Download ``url_private_download`` with the bot token, to Slack's hosts only."""
    url = info.get("url_private_download") or info.get("url_private")
    if not url:
        raise DownloadError("Slack gave no download link for this file")
    if not _is_slack_host(url, api_url):
        raise DownloadError("the download link does not point at Slack; not sending my token there")
    size = int(info.get("size") or 0)
    if size > MAX_BYTES:
        raise DownloadError(f"the file is {size // (1024 * 1024)} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    opener = urllib.request.build_opener(_SlackOnlyRedirects(api_url))
    try:
        with opener.open(request, timeout=60) as response:
            content_type = response.headers.get("Content-Type", "")
            data = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadError(f"could not download it ({getattr(exc, 'reason', exc)})") from exc
    if len(data) > MAX_BYTES:
        raise DownloadError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if looks_like_sign_in_page(data, content_type, info):
        raise DownloadError("Slack sent a sign-in page instead of the file; the app needs the files:read scope")
    if size and len(data) != size:
        raise DownloadError(f"the download was cut short ({len(data)} of {size} bytes); try again")
    target.write_bytes(data)


def looks_like_sign_in_page(data: bytes, content_type: str, info: dict) -> bool:
    """Slack answers a download it refuses with its sign-in page (HTML), whatever the file's suffix.

    A real HTML file is told apart by what Slack says of it: an HTML type and exactly its size.
    """
    if "text/html" not in content_type.lower():
        return False
    said_html = "html" in f"{info.get('mimetype', '')} {info.get('filetype', '')}".lower()
    size = int(info.get("size") or 0)
    return not said_html or len(data) != size


def _is_slack_host(url: str, api_url: str | None) -> bool:
    host = (urlparse(url).hostname or "").lower()
    if urlparse(url).scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    return bool(api_url) and host == (urlparse(api_url).hostname or "").lower()


class _SlackOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, api_url: str | None):
        self.api_url = api_url

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not _is_slack_host(newurl, self.api_url):
            raise DownloadError("the download was redirected away from Slack")
        return super().redirect_request(req, fp, code, msg, headers, newurl)
