"""Downloading shared files for admin ingestion: Slack's hosts only, the bot token, clear errors."""

import pytest

from bot.slack.uploads import MAX_BYTES, DownloadError, fetch, file_ids, safe_name
from tests.e2e.slack_api_server import BOT_TOKEN


def test_file_is_fetched_with_the_bot_token(slack, tmp_path):
    info = slack.add_file("FOK1", "notes.md", b"# Notes\n")
    fetch(info, BOT_TOKEN, tmp_path / "notes.md", slack.api_url)
    assert (tmp_path / "notes.md").read_bytes() == b"# Notes\n"
    assert slack.calls_to("files:FOK1")[-1].token == BOT_TOKEN


def test_a_login_page_instead_of_the_file_names_the_missing_scope(slack, tmp_path):
    info = slack.add_file("FOK2", "notes.md", b"# Notes\n")
    with pytest.raises(DownloadError, match="files:read"):
        fetch(info, "xoxb-without-files-read", tmp_path / "notes.md", slack.api_url)
    assert not (tmp_path / "notes.md").exists()


def test_a_sign_in_page_is_refused_even_for_an_html_file(slack, tmp_path):
    page = b"<html><body><h1>Pilot exit checklist</h1><p>Measure the KPI for eight weeks.</p></body></html>"
    info = slack.add_file("FHTML1", "checklist.html", page)
    with pytest.raises(DownloadError, match=r"sign-in page.*files:read"):
        fetch(info, "xoxb-without-files-read", tmp_path / "checklist.html", slack.api_url)
    assert not (tmp_path / "checklist.html").exists()
    fetch(info, BOT_TOKEN, tmp_path / "checklist.html", slack.api_url)  # the real HTML file is fine
    assert (tmp_path / "checklist.html").read_bytes() == page


def test_a_download_shorter_than_slack_says_is_refused(slack, tmp_path):
    info = {**slack.add_file("FCUT1", "notes.md", b"# Notes\n"), "size": 4096}
    with pytest.raises(DownloadError, match=r"cut short \(8 of 4096 bytes\)"):
        fetch(info, BOT_TOKEN, tmp_path / "notes.md", slack.api_url)
    assert not (tmp_path / "notes.md").exists()


def test_the_token_is_never_sent_outside_slack(slack, tmp_path):
    before = len(slack.calls)
    info = {"id": "F1", "name": "x.md", "url_private_download": "https://evil.example.com/files/F1/x.md"}
    with pytest.raises(DownloadError, match="does not point at Slack"):
        fetch(info, BOT_TOKEN, tmp_path / "x.md", slack.api_url)
    assert len(slack.calls) == before


def test_too_big_or_linkless_files_are_refused(slack, tmp_path):
    with pytest.raises(DownloadError, match="limit is 25 MB"):
        fetch(
            {"url_private_download": "https://files.slack.com/x", "size": MAX_BYTES + 1},
            BOT_TOKEN,
            tmp_path / "x.md",
            None,
        )
    with pytest.raises(DownloadError, match="no download link"):
        fetch({"id": "F1"}, BOT_TOKEN, tmp_path / "x.md", None)


def test_safe_names_and_file_ids():
    assert safe_name("../../etc/passwd", "F1") == "passwd"
    assert safe_name("Q3 plan (final)!.pdf", "F1") == "Q3 plan _final_.pdf"
    assert safe_name("...", "F1") == "F1"
    assert safe_name("議事録.md", "F1") == "議事録.md" and safe_name("報告書.md", "F2") == "報告書.md"
    assert safe_name("Biên bản họp.md", "F1") == "Biên bản họp.md" and safe_name("회의록.md", "F1") == "회의록.md"
    assert safe_name("???.md", "F1") == "F1.md" and safe_name("¿¡.md", "F2") == "F2.md"  # never the same "_.md"
    long = safe_name("議" * 200 + ".md", "F1")
    assert long.endswith(".md") and len(long.encode()) <= 200
    assert file_ids("https://acme.slack.com/files/U1/F0ABCDEF12/plan.pdf and F0XYZ98765") == [
        "F0ABCDEF12",
        "F0XYZ98765",
    ]
