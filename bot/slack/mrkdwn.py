"""Markdown (CommonMark + tables + strikethrough) to Slack mrkdwn, and splitting to Slack's limits.

Parsed with markdown-it-py (a maintained CommonMark parser, already installed with rich) and
rendered node by node. Regex-based converters such as ``markdown-to-mrkdwn`` leave ``&``, ``<`` and
``>`` unescaped, so a passage quoting ``<!channel>`` would ping a whole channel and ``a < b``
breaks the message, and they turn ``5 * 3 * 2`` into italics; a real parser avoids both.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

BULLETS = ("•", "◦", "▪")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
TEXT_LIMIT = 3000  # characters in one section block's text


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def escape(text: str) -> str:
    """Slack's three control characters; everything else is literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    return "\n\n".join(to_mrkdwn_blocks(markdown))


def to_mrkdwn_blocks(markdown: str) -> list[str]:
    """One mrkdwn string per top-level Markdown block (paragraph, list, code, table...);
    blocks written without a blank line between them (a title line and its list) stay together."""
    lines = (markdown or "").split("\n")
    tree = SyntaxTreeNode(_parser().parse(markdown or ""))
    blocks: list[str] = []
    for node in tree.children:
        text = _block(node, 0)
        if not text.strip():
            continue
        start = node.map[0] if node.map else 0
        if blocks and 0 < start <= len(lines) and lines[start - 1].strip():
            blocks[-1] += "\n" + text  # no blank line between them in the Markdown: none in Slack
        else:
            blocks.append(text)
    return blocks


def _block(node: SyntaxTreeNode, level: int) -> str:
    kind = node.type
    if kind == "paragraph":
        return _inline_children(node)
    if kind == "heading":
        return f"*{_inline_children(node, bold=True)}*"
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, level)
    if kind == "blockquote":
        inner = "\n\n".join(_block(child, level) for child in node.children)
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if kind in ("fence", "code_block"):
        return "```\n" + escape(node.content.rstrip("\n")) + "\n```"
    if kind == "hr":
        return "──────────"
    if kind == "table":
        return _table(node)
    return escape(node.content.strip())  # html_block and anything unexpected: shown as text


def _list(node: SyntaxTreeNode, level: int) -> str:
    number = int(node.attrs.get("start", 1) or 1)
    indent = "    " * level
    lines = []
    for item in node.children:
        marker = f"{number}." if node.type == "ordered_list" else BULLETS[min(level, len(BULLETS) - 1)]
        number += 1
        parts = [_block(child, level + 1) for child in item.children]
        first, rest = (parts[0], parts[1:]) if parts else ("", [])
        lines.append(f"{indent}{marker} {first}")
        for child, text in zip(item.children[1:], rest, strict=True):
            lines.append(text if child.type.endswith("_list") else f"{indent}    {text}")
    return "\n".join(lines)


def _table(node: SyntaxTreeNode) -> str:
    rows = []
    for section in node.children:  # thead, tbody
        for row in section.children:
            cells = [_inline_children(cell) for cell in row.children]
            line = " | ".join(cells)
            rows.append(f"*{line}*" if section.type == "thead" else line)
    return "\n".join(rows)


def _inline_children(node: SyntaxTreeNode, bold: bool = False) -> str:
    inline = node.children[0] if node.children and node.children[0].type == "inline" else node
    return "".join(_inline(child, bold) for child in inline.children)


def _inline(node: SyntaxTreeNode, bold: bool) -> str:
    kind = node.type
    inner = "".join(_inline(child, bold or kind == "strong") for child in node.children)
    if kind == "text":
        return escape(node.content)
    if kind == "strong":
        return inner if bold else f"*{inner}*"
    if kind == "em":
        return f"_{inner}_"
    if kind == "s":
        return f"~{inner}~"
    if kind == "code_inline":
        return f"`{escape(node.content)}`"
    if kind == "softbreak":
        return " "
    if kind == "hardbreak":
        return "\n"
    if kind in ("link", "image"):
        label = inner if kind == "link" else escape(node.attrs.get("alt", "") or "")
        target = str(node.attrs.get("href" if kind == "link" else "src", ""))
        return link(target, label)
    return escape(node.content)  # html_inline and anything unexpected


def link(url: str, label: str) -> str:
    """A Slack link; a label only (no link) when the URL's scheme is not a safe one."""
    if not url.lower().startswith(SAFE_SCHEMES):
        return label or escape(url)
    label = label.replace("|", "¦")
    target = escape(url).replace("|", "%7C")
    return f"<{target}|{label}>" if label and label != escape(url) else f"<{target}>"


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
