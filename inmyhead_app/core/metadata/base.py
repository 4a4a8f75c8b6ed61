"""MetadataExtractor interface and the fields every extractor fills (or leaves empty)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from inmyhead_app.core.documents.model import ParsedDocument


@dataclass
class DocumentMetadata:
    title: str | None = None
    author: str | None = None
    created: str | None = None  # ISO 8601
    modified: str | None = None  # ISO 8601
    language: str | None = None  # ISO 639-1, e.g. "en"
    page_count: int = 0
    word_count: int = 0
    keywords: list[str] = field(default_factory=list)
    summary: str | None = None
    content_hash: str | None = None
    topics: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    doc_type: str | None = None  # e.g. "manual", "article", "letter"
    source: str = "local"  # which extractor produced it ("local", "anthropic")
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMetadata:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class MetadataExtractor(Protocol):
    def extract(self, document: ParsedDocument, cleaned_text: str) -> DocumentMetadata: ...
