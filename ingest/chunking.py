"""Split a loaded document into chunks, keeping the heading path of each for citations."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LEVELS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
_WORD = re.compile(r"[^\W_]")  # a letter or digit of any script: a piece that is more than markup


@dataclass(frozen=True)
class TextChunk:
    text: str
    section: str  # heading path: "Title > Section > Subsection"


def heading_path(title: str, headers: dict[str, str]) -> str:
    parts = [title]
    for _, key in _LEVELS:
        heading = headers.get(key, "").strip()
        if heading and heading != parts[-1]:
            parts.append(heading)
    return " > ".join(parts)


def chunk_markdown(markdown: str, title: str, chunk_size: int = 1000, overlap: int = 150) -> list[TextChunk]:
    """Split by headings first, then by size within a section, never across sections."""
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

    sections = MarkdownHeaderTextSplitter(_LEVELS, strip_headers=True).split_text(markdown)
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        separators=["\n\n", "\n", ". ", "。", " ", ""],  # "。" ends a Japanese sentence, without a space
        keep_separator="end",
    )
    chunks = []
    for section in sections:
        path = heading_path(title, section.metadata)
        # the header splitter joins lines with Markdown hard breaks ("  \n"); undo that
        content = "\n".join(line.rstrip() for line in section.page_content.splitlines())
        for piece in splitter.split_text(content):
            piece = piece.strip()
            if _WORD.search(piece):
                chunks.append(TextChunk(text=piece, section=path))
    return chunks
