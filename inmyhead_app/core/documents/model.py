"""What a document is on its way through the pipeline: parsed pages, then chunks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Page:
    """Text of one page (PDF) or one logical section (other formats: a single page numbered 1)."""

    number: int
    text: str


@dataclass
class ParsedDocument:
    path: str
    file_type: str  # one of FILE_TYPES
    pages: list[Page]
    title: str | None = None
    author: str | None = None
    created: str | None = None  # ISO 8601
    modified: str | None = None  # ISO 8601
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedDocument:
        pages = [Page(**page) for page in data.get("pages", [])]
        return cls(**{**data, "pages": pages})


FILE_TYPES = ("pdf", "docx", "txt", "html", "md", "json")


@dataclass
class Chunk:
    """A piece of a document small enough to embed; offsets index the cleaned document text."""

    doc_id: str
    index: int
    text: str
    page_start: int
    page_end: int
    char_start: int
    char_end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(**data)
