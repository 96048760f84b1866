"""Admins add documents and records from Slack: downloads, names in any script, nothing revealed
about the server, and a data dir only the bot's user can read."""

from __future__ import annotations

import stat
import time

from tests.e2e.slack_api_server import BOT_TOKEN
from tests.e2e.slack_http import ADMIN, direct_message, send_event


def upload(ts: str, files: list[dict], user: str = ADMIN, channel: str = "D3") -> dict:
    return direct_message(ts, text="", channel=channel, user=user, subtype="file_share", files=files)


def test_non_admin_upload_is_refused_and_nothing_is_ingested(bot_url, slack, slack_data_dir):
    info = slack.add_file("FNOPE1", "secret-plans.md", b"# Plans\n\nNot for the index.", user="U2")
    dm = upload("1700000007.000100", [info], user="U2", channel="D2")
    assert send_event(bot_url, dm, "EvUpload1")[0] == 200
    [reply] = slack.wait_for("chat.postMessage", channel="D2")
    assert "only admins" in reply.args["text"] and "secret-plans.md" in reply.args["text"]
    time.sleep(1)
    assert slack.calls_to("files:FNOPE1") == [] and slack.calls_to("files.info") == []
    assert not (slack_data_dir / "uploads" / "secret-plans.md").exists()


def test_admin_upload_is_downloaded_ingested_and_summarised(bot_url, slack, slack_data_dir):
    checklist = b"# Pilot exit checklist\n\nA pilot exits when its KPI is measured for 8 weeks.\n"
    good = slack.add_file("FGOOD1", "pilot-exit-checklist.md", checklist, user=ADMIN)
    bad = slack.add_file("FBAD1", "budget.xyz", b"\x00\x01", user=ADMIN)
    dm = upload("1700000008.000100", [good, bad])
    assert send_event(bot_url, dm, "EvUpload2")[0] == 200
    posts = slack.wait_for("chat.postMessage", count=2, channel="D3", timeout=60)
    summary = posts[-1].args["text"]
    assert "1 added" in summary and "1 skipped" in summary and "unsupported file type '.xyz'" in summary
    assert slack.calls_to("files:FGOOD1")[0].token == BOT_TOKEN
    assert (slack_data_dir / "uploads" / "pilot-exit-checklist.md").read_bytes().startswith(b"# Pilot exit")
    assert str(slack_data_dir) not in summary and "/uploads/" not in summary  # no server paths


def test_files_named_in_any_script_are_kept_apart(bot_url, slack, slack_data_dir):
    """議事録.md and 報告書.md once both became uploads/_.md, the second replacing the first."""
    minutes = slack.add_file("FJP1", "議事録.md", "# 議事録\n\n評価基準を決める。\n".encode(), user=ADMIN)
    report = slack.add_file("FJP2", "報告書.md", "# 報告書\n\nKPI を八週間測定した。\n".encode(), user=ADMIN)
    assert send_event(bot_url, upload("1700000012.000100", [minutes, report], channel="D4"), "EvUpload3")[0] == 200
    posts = slack.wait_for("chat.postMessage", count=2, channel="D4", timeout=60)
    assert "2 added" in posts[-1].args["text"], posts[-1].args["text"]
    assert (slack_data_dir / "uploads" / "議事録.md").read_text().startswith("# 議事録")
    assert (slack_data_dir / "uploads" / "報告書.md").read_text().startswith("# 報告書")
    assert not (slack_data_dir / "uploads" / "_.md").exists()


def test_the_data_dir_and_database_are_private(bot_url, slack_data_dir):
    """They hold restricted records and documents: only the bot's own user may read them."""
    for folder in (slack_data_dir, slack_data_dir / "uploads"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((slack_data_dir / "advisor.db").stat().st_mode) == 0o600
