"""Small helpers every parser shares."""

from __future__ import annotations

import re
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


# What authoring tools put in the title field when the author did not: "Microsoft Word - report.docx",
# "Binder1.pdf", "untitled".
_TOOL_PREFIX = re.compile(r"^(Microsoft (Word|PowerPoint|Excel) - )", re.I)
_FILE_NAME = re.compile(r"^[^\s/\\]+\.(pdf|docx?|odt|rtf|txt|tex|dvi|ps|html?|pptx?|xlsx?|indd|qxd)$", re.I)
_PLACEHOLDERS = {"untitled", "untitled document", "title", "document", "no title", "(anonymous)"}


def useful_title(value: object) -> str | None:
    """A document title from file metadata, unless it is a tool's placeholder or a file name."""
    title = clean_str(value)
    if title is None:
        return None
    title = _TOOL_PREFIX.sub("", title)
    if _FILE_NAME.match(title) or title.lower() in _PLACEHOLDERS:
        return None
    return title
