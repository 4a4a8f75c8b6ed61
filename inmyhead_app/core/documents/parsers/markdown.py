"""Markdown: rendered by markdown-it (CommonMark + tables), then read as HTML; front matter gives a title."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from inmyhead_app.core.documents.detect import decode_text, read_bytes
from inmyhead_app.core.documents.model import ParsedDocument
from inmyhead_app.core.documents.parsers.common import Progress, clean_str, require_text
from inmyhead_app.core.documents.parsers.html import parse_html_text

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^(title|author|date)\s*:\s*(.+?)\s*$", re.M | re.I)


def parse(path: Path, progress: Progress | None = None, deadline: float | None = None) -> ParsedDocument:
    source, _encoding = decode_text(read_bytes(path))
    fields: dict[str, str] = {}
    if match := _FRONT_MATTER.match(source):
        fields = {key.lower(): value.strip("'\" ") for key, value in _FIELD.findall(match.group(1))}
        source = source[match.end() :]
    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    doc = parse_html_text(renderer.render(source), str(path), "md")
    # An HTML <title> cannot exist here; the first heading is the title unless front matter names one.
    doc.title = clean_str(fields.get("title")) or doc.title
    doc.author = clean_str(fields.get("author")) or doc.author
    doc.created = clean_str(fields.get("date")) or doc.created
    return require_text(doc)
