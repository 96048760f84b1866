"""Markdown to Slack mrkdwn, and splitting to Slack's 3,000-character text limit."""

from bot.slack.mrkdwn import link, split_text, to_mrkdwn, to_mrkdwn_blocks, to_safe_markdown


def test_emphasis_links_and_code():
    out = to_mrkdwn("**Bold** and *italic* and ~~gone~~ and `x < y` and [the guide](https://a.io/x?a=1&b=2).")
    assert out == "*Bold* and _italic_ and ~gone~ and `x &lt; y` and <https://a.io/x?a=1&amp;b=2|the guide>."


def test_control_characters_are_escaped_so_nothing_pings_or_breaks():
    out = to_mrkdwn("Tell <!channel> & <@U123> that 3 > 2")
    assert out == "Tell &lt;!channel&gt; &amp; &lt;@U123&gt; that 3 &gt; 2"
    assert "<" not in out and ">" not in out


def test_plain_asterisks_and_citation_markers_stay_literal():
    assert to_mrkdwn("Cost is 5 * 3 * 2 units [1][2].") == "Cost is 5 * 3 * 2 units [1][2]."


def test_headings_lists_and_nesting():
    out = to_mrkdwn("## Next **phase**\n\n- one [1]\n  - nested\n- two\n\n3. third\n4. fourth")
    assert out == "*Next phase*\n\n• one [1]\n    ◦ nested\n• two\n\n3. third\n4. fourth"


def test_a_title_line_and_its_list_stay_together_without_a_blank_line():
    assert to_mrkdwn_blocks("**Gate**\n- a\n- b\n\nAfter.") == ["*Gate*\n• a\n• b", "After."]


def test_quotes_code_blocks_tables_and_rules():
    out = to_mrkdwn("> quoted\n\n```\nraw **text** <b>\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---")
    assert out == "> quoted\n\n```\nraw **text** &lt;b&gt;\n```\n\n*a | b*\n1 | 2\n\n──────────"


def test_unsafe_link_schemes_are_not_linked():
    assert link("javascript:alert(1)", "click") == "click"
    assert link("https://x.io/a|b", "a|b") == "<https://x.io/a%7Cb|a¦b>"
    assert to_mrkdwn("<https://slack.com/help>") == "<https://slack.com/help>"


def test_split_respects_the_limit_and_keeps_blocks_whole_when_they_fit():
    blocks = [f"Paragraph {i} " + "word " * 100 for i in range(20)]
    pieces = split_text(blocks, limit=3000)
    assert all(len(p) <= 3000 for p in pieces) and len(pieces) > 1
    assert "\n\n".join(pieces) == "\n\n".join(blocks)


def test_split_of_one_huge_line_never_cuts_a_link():
    url = "<https://example.com/a-very-long-path|a link label>"
    line = ("text " * 50 + url + " ") * 30
    pieces = split_text([line], limit=500)
    assert all(len(p) <= 500 for p in pieces)
    for piece in pieces:
        assert piece.count("<") == piece.count(">")


def test_split_code_block_is_refenced_per_piece():
    code = "```\n" + "\n".join(f"line {i} " + "x" * 60 for i in range(100)) + "\n```"
    pieces = split_text([code], limit=1000)
    assert len(pieces) > 1
    assert all(p.startswith("```\n") and p.endswith("\n```") and len(p) <= 1000 for p in pieces)


def test_streamed_markdown_keeps_formatting_and_makes_quoted_markup_literal():
    """chat.appendStream takes Markdown: the same policy, so a quoted document cannot ping or mislead."""
    out = to_safe_markdown(
        "**Tell** <!channel> & <@U123>: see <https://evil.example|Official docs>, "
        "[click](javascript:alert(1)) or [the guide](https://a.io/x) [1][2]. 5 * 3 * 2"
    )
    assert out == (
        "**Tell** &lt;!channel&gt; &amp; &lt;@U123&gt;: see "
        "&lt;https://evil.example\\|Official docs&gt;, "
        "[click\\](javascript:alert(1)) or [the guide](https://a.io/x) [1][2]. 5 \\* 3 \\* 2"
    )


def test_streamed_markdown_code_cannot_open_slack_markup():
    out = to_safe_markdown("Use `<@U123>` here:\n\n```\nnotify <!channel>\n```")
    assert out == "Use `<\u200b@U123>` here:\n\n```\nnotify <\u200b!channel>\n```"
    assert "<@" not in out and "<!" not in out
