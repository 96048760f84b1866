"""One escaping policy for every text the bot sends to Slack, from Markdown answers.

Slack reads two formats: *mrkdwn* (message ``text``, section and context blocks) and Markdown
(``markdown_text`` of streamed answers). Answers are Markdown that quote documents, so both are
rendered here from one parse tree (markdown-it-py, a maintained CommonMark parser):

- text is literal: Slack's control characters ``&``, ``<`` and ``>`` are escaped, so a quoted
  ``<!channel>``, ``<@U123>`` or ``<https://evil|label>`` can neither ping nor disguise a link
  (Markdown punctuation is backslash-escaped too, so literal text stays literal: citation
  markers such as ``[1]`` stay as they are, but no ``[label](url)`` can form);
- links are kept only for http, https and mailto; anything else (``javascript:``) becomes its label;
- code stays code (in Markdown, where code admits no escapes, ``<`` is followed by a zero-width
  space so it cannot open Slack markup).

Regex-based converters such as ``markdown-to-mrkdwn`` leave ``&``, ``<`` and ``>`` unescaped and
turn ``5 * 3 * 2`` into italics; a real parser avoids both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

SAFE_SCHEMES = ("http://", "https://", "mailto:")
TEXT_LIMIT = 3000  # characters in one section block's text
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_~|#])")  # and "](", which could make a link


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def escape(text: str) -> str:
    """Slack's three control characters; everything else is literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A mrkdwn link; a label only (no link) when the URL's scheme is not a safe one."""
    if not _is_safe(url):
        return label or escape(url)
    label = label.replace("|", "¦")
    target = escape(url).replace("|", "%7C")
    return f"<{target}|{label}>" if label and label != escape(url) else f"<{target}>"


def _escape_markdown(text: str) -> str:
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", escape(text)).replace("](", "\\](")


def _markdown_link(url: str, label: str) -> str:
    if not _is_safe(url):
        return label or _escape_markdown(url)
    target = "".join(f"%{ord(c):02X}" if c in " ()<>|\\" else c for c in url)
    return f"[{label or _escape_markdown(url)}]({target})"


def _markdown_code(code: str, block: bool) -> str:
    """Code is literal in Markdown (no escapes), so a zero-width space after each ``<`` keeps a
    quoted ``<@U123>`` or ``<!channel>`` from being read as Slack markup."""
    code = code.replace("<", "<\u200b")
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    fence = "`" * (max(3, longest + 1) if block else longest + 1)
    return f"{fence}\n{code}\n{fence}" if block else f"{fence} {code} {fence}" if longest else f"`{code}`"


def _is_safe(url: str) -> bool:
    return url.lower().startswith(SAFE_SCHEMES)


@dataclass(frozen=True)
class Dialect:
    """How each Markdown element is written in one of Slack's two formats."""

    bold: str
    italic: str
    strike: str
    bullets: tuple[str, ...]
    rule: str
    hardbreak: str
    text: Callable[[str], str]
    link: Callable[[str, str], str]
    code: Callable[[str, bool], str]  # (content, is a block)


MRKDWN = Dialect(
    bold="*",
    italic="_",
    strike="~",
    bullets=("•", "◦", "▪"),
    rule="──────────",
    hardbreak="\n",
    text=escape,
    link=link,
    code=lambda code, block: f"```\n{escape(code)}\n```" if block else f"`{escape(code)}`",
)
MARKDOWN = Dialect(
    bold="**",
    italic="_",
    strike="~~",
    bullets=("-", "-", "-"),
    rule="---",
    hardbreak="\\\n",
    text=_escape_markdown,
    link=_markdown_link,
    code=_markdown_code,
)


def to_mrkdwn(markdown: str) -> str:
    return "\n\n".join(to_mrkdwn_blocks(markdown))


def to_mrkdwn_blocks(markdown: str) -> list[str]:
    """One mrkdwn string per top-level Markdown block (paragraph, list, code, table...)."""
    return _Renderer(MRKDWN).blocks(markdown)


def to_safe_markdown(markdown: str) -> str:
    """The same Markdown with every text literal and only safe links: for ``markdown_text``."""
    return "\n\n".join(_Renderer(MARKDOWN).blocks(markdown))


class _Renderer:
    def __init__(self, dialect: Dialect):
        self.d = dialect

    def blocks(self, markdown: str) -> list[str]:
        """Blocks written without a blank line between them (a title line and its list) stay together."""
        lines = (markdown or "").split("\n")
        tree = SyntaxTreeNode(_parser().parse(markdown or ""))
        blocks: list[str] = []
        for node in tree.children:
            text = self.block(node, 0)
            if not text.strip():
                continue
            start = node.map[0] if node.map else 0
            if blocks and 0 < start <= len(lines) and lines[start - 1].strip():
                blocks[-1] += "\n" + text  # no blank line between them in the Markdown: none in Slack
            else:
                blocks.append(text)
        return blocks

    def block(self, node: SyntaxTreeNode, level: int) -> str:
        kind = node.type
        if kind == "paragraph":
            return self.inline_children(node)
        if kind == "heading":
            return f"{self.d.bold}{self.inline_children(node, bold=True)}{self.d.bold}"
        if kind in ("bullet_list", "ordered_list"):
            return self.list(node, level)
        if kind == "blockquote":
            inner = "\n\n".join(self.block(child, level) for child in node.children)
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if kind in ("fence", "code_block"):
            return self.d.code(node.content.rstrip("\n"), True)
        if kind == "hr":
            return self.d.rule
        if kind == "table":
            return self.table(node)
        return self.d.text(node.content.strip())  # html_block and anything unexpected: shown as text

    def list(self, node: SyntaxTreeNode, level: int) -> str:
        number = int(node.attrs.get("start", 1) or 1)
        indent = "    " * level
        lines = []
        for item in node.children:
            marker = f"{number}." if node.type == "ordered_list" else self.d.bullets[min(level, 2)]
            number += 1
            parts = [self.block(child, level + 1) for child in item.children]
            first, rest = (parts[0], parts[1:]) if parts else ("", [])
            lines.append(f"{indent}{marker} {first}")
            for child, text in zip(item.children[1:], rest, strict=True):
                lines.append(text if child.type.endswith("_list") else f"{indent}    {text}")
        return "\n".join(lines)

    def table(self, node: SyntaxTreeNode) -> str:
        rows = []
        for part in node.children:  # thead, tbody
            for row in part.children:
                line = " | ".join(self.inline_children(cell) for cell in row.children)
                rows.append(f"{self.d.bold}{line}{self.d.bold}" if part.type == "thead" else line)
        return "\n".join(rows)

    def inline_children(self, node: SyntaxTreeNode, bold: bool = False) -> str:
        inline = node.children[0] if node.children and node.children[0].type == "inline" else node
        return "".join(self.inline(child, bold) for child in inline.children)

    def inline(self, node: SyntaxTreeNode, bold: bool) -> str:
        kind = node.type
        inner = "".join(self.inline(child, bold or kind == "strong") for child in node.children)
        if kind == "strong":
            return inner if bold else f"{self.d.bold}{inner}{self.d.bold}"
        if kind == "em":
            return f"{self.d.italic}{inner}{self.d.italic}"
        if kind == "s":
            return f"{self.d.strike}{inner}{self.d.strike}"
        if kind == "code_inline":
            return self.d.code(node.content, False)
        if kind == "softbreak":
            return " "
        if kind == "hardbreak":
            return self.d.hardbreak
        if kind in ("link", "image"):
            label = inner if kind == "link" else self.d.text(node.attrs.get("alt", "") or "")
            return self.d.link(str(node.attrs.get("href" if kind == "link" else "src", "")), label)
        return self.d.text(node.content)  # text, html_inline and anything unexpected


def split_text(blocks: list[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Pack mrkdwn blocks into pieces of at most ``limit`` characters, breaking between blocks,
    then between lines, then between words; never inside a ``<link|label>``."""
    return _pack((part for block in blocks for part in _fit(block, limit)), "\n\n", limit)


def _pack(parts, separator: str, limit: int) -> list[str]:
    """Join consecutive parts (each at most ``limit`` long) while the result stays within ``limit``."""
    pieces: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return pieces


def _fit(block: str, limit: int) -> list[str]:
    if len(block) <= limit:
        return [block]
    if block.startswith("```\n") and block.endswith("\n```"):
        inner = block[4:-4]
        return [f"```\n{piece}\n```" for piece in _split_lines(inner, limit - 8)]
    return _split_lines(block, limit)


def _split_lines(text: str, limit: int) -> list[str]:
    return _pack((piece for line in text.split("\n") for piece in _cut_line(line, limit)), "\n", limit)


def _cut_line(line: str, limit: int) -> list[str]:
    """A line longer than ``limit`` cut between words."""
    pieces = []
    while len(line) > limit:
        cut = _word_cut(line, limit)
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    return pieces + [line]


def _word_cut(line: str, limit: int) -> int:
    """Where to cut a too-long line: at the last space before ``limit``, outside any ``<...>``."""
    cut = line.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    opened = line.rfind("<", 0, cut)
    if opened > line.rfind(">", 0, cut) and opened > 0:
        cut = opened
    return cut
