"""Small helpers every parser shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from inmyhead_app.core.documents.model import ParsedDocument
from inmyhead_app.core.errors import ErrorKind, IngestError

# Called with (pages done, pages total) by parsers that work page by page.
Progress = Callable[[int, int], None]


def require_text(doc: ParsedDocument, reason: str = "") -> ParsedDocument:
    """``doc`` unchanged, or NO_TEXT when none of its pages holds a visible character."""
    if not any(page.text.strip() for page in doc.pages):
        name = doc.path.rsplit("/", 1)[-1]
        raise IngestError(ErrorKind.NO_TEXT, f"{name} contains no text{reason}.")
    return doc


def iso(value: object) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return None


def clean_str(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.replace("\x00", "").split())
    return value or None
