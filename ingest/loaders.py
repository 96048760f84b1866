"""Document loaders: Markdown, plain text, PDF, DOCX and HTML, each turned into clean Markdown.

Every format ends up as Markdown with ``#`` headings so one chunker keeps heading paths for
all of them. Markdown with embedded HTML, Liquid tags and images goes through a real
Markdown renderer and back (markdown-it-py, BeautifulSoup, markdownify) rather than regexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from advisor.errors import ParseError

DOCUMENT_SUFFIXES = {".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm"}
_LIQUID = re.compile(r"{%-?.*?-?%}|{{-?.*?-?}}", re.DOTALL)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "head",
    "title",
    "meta",
    "img",
    "svg",
    "iframe",
    "form",
    "button",
)
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass
class LoadedDocument:
    title: str
    markdown: str
    tags: list[str] = field(default_factory=list)
    url: str | None = None
    visibility: str = "public"
    allowed: list[str] = field(default_factory=list)


def load_document(path: Path) -> LoadedDocument:
    """Read one document. Raises :class:`ParseError` with the reason when it cannot."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".md", ".markdown"):
            document = _load_markdown(_read_text(path), path)
        elif suffix == ".txt":
            document = LoadedDocument(title=_humanize(path.stem), markdown=_read_text(path))
        elif suffix in (".html", ".htm"):
            document = _load_html(_read_text(path), path)
        elif suffix == ".pdf":
            document = _load_pdf(path)
        elif suffix == ".docx":
            document = _load_docx(path)
        else:
            raise ParseError(f"unsupported document type {suffix!r}")
    except ParseError:
        raise
    except Exception as exc:  # parsers raise many kinds; the user needs the reason, not the type tree
        raise ParseError(f"cannot parse {suffix.lstrip('.').upper()}: {exc.__class__.__name__}: {exc}") from exc
    lines = (line.rstrip() for line in document.markdown.splitlines())
    document.markdown = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if not re.search(r"\w", document.markdown):
        raise ParseError("empty: no text to index")
    return document


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise ParseError("not a text file (binary content)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start})") from exc


def _humanize(stem: str) -> str:
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else stem


def _first_heading(markdown: str) -> str | None:
    match = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", markdown, re.MULTILINE)
    return match.group(1).strip() if match else None


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _load_markdown(text: str, path: Path) -> LoadedDocument:
    import frontmatter
    from markdown_it import MarkdownIt

    try:
        post = frontmatter.loads(text)
    except Exception as exc:
        raise ParseError(f"invalid front matter: {exc}") from exc
    meta = post.metadata
    body = _LIQUID.sub("", post.content)
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(body)
    markdown = _html_to_markdown(html)
    visibility = str(meta.get("visibility", "public")).strip().lower()
    if visibility not in ("public", "restricted"):
        raise ParseError(f"front matter: visibility must be public or restricted, got {visibility!r}")
    return LoadedDocument(
        title=str(meta.get("title") or _first_heading(markdown) or _humanize(path.stem)),
        markdown=markdown,
        tags=_as_list(meta.get("tags")),
        url=meta.get("url") or meta.get("source_url"),
        visibility=visibility,
        allowed=_as_list(meta.get("allowed")),
    )


def _html_to_markdown(html: str) -> str:
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    return markdownify(
        str(soup),
        heading_style="ATX",
        bullets="-",
        strip=["a"],
        escape_asterisks=False,
        escape_underscores=False,
        escape_misc=False,
    )


def _load_html(text: str, path: Path) -> LoadedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(strip=True) if title_tag else ""
    body = soup.find("body") or soup
    markdown = _html_to_markdown(str(body))
    return LoadedDocument(title=title or _first_heading(markdown) or _humanize(path.stem), markdown=markdown)


def _load_pdf(path: Path) -> LoadedDocument:
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        raise ParseError("the PDF is encrypted")
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        text = (page.extract_text() or "").strip()
        if text:
            pages.append(f"## Page {number}\n\n{text}")
    info_title = (reader.metadata.title if reader.metadata else None) or ""
    if not pages:
        raise ParseError("no text could be extracted from the PDF (scanned images are not supported)")
    return LoadedDocument(title=info_title.strip() or _humanize(path.stem), markdown="\n\n".join(pages))


def _load_docx(path: Path) -> LoadedDocument:
    import docx

    document = docx.Document(str(path))
    title = (document.core_properties.title or "").strip()
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            lines.extend(_docx_table(block))
            continue
        text = block.text.strip()
        style = (block.style.name if block.style is not None else "") or ""
        if not text:
            continue
        if style == "Title":
            title = title or text
            lines.append(f"# {text}")
        elif level := re.match(r"Heading (\d)", style):
            lines.append("#" * min(int(level.group(1)) + 1, 6) + f" {text}")
        elif style.startswith("List"):
            lines.append(f"- {text}")
        else:
            lines.append(text)
    return LoadedDocument(title=title or _humanize(path.stem), markdown="\n\n".join(lines))


def _docx_table(table) -> list[str]:
    rows = [[cell.text.strip().replace("\n", " ") for cell in row.cells] for row in table.rows]
    if not rows:
        return []
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return lines
