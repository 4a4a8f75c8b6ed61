"""Plain text: decoded with the detected encoding, as one page."""

from __future__ import annotations

from pathlib import Path

from inmyhead_app.core.documents.detect import decode_text, read_bytes
from inmyhead_app.core.documents.model import Page, ParsedDocument
from inmyhead_app.core.documents.parsers.common import Progress, require_text


def parse(path: Path, progress: Progress | None = None, deadline: float | None = None) -> ParsedDocument:
    text, encoding = decode_text(read_bytes(path))
    doc = ParsedDocument(str(path), "txt", [Page(1, text)])
    if encoding not in ("utf-8", "ascii"):
        doc.warnings.append(f"Read as {encoding} text.")
    return require_text(doc)
