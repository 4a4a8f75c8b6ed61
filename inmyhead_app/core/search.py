"""Search the library: hybrid (dense + BM25 fused by RRF), dense or keyword, grouped per document."""

from __future__ import annotations

from dataclasses import dataclass, field

from inmyhead_app.core.embed.base import Embedder, SparseEmbedder
from inmyhead_app.core.store.base import SearchFilters, VectorStore

MODES = ("hybrid", "dense", "keyword")
NO_FILTERS = SearchFilters()  # frozen, so safe as a shared default


@dataclass
class ChunkHit:
    """One matching chunk of a document; ``highlights`` are (start, end) offsets into ``snippet``."""

    chunk_index: int
    page_start: int | None
    page_end: int | None
    score: float
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class DocumentHit:
    """A document in the results, with its best chunks (up to 3); ``page`` is the page to open."""

    doc_id: str
    path: str
    title: str
    file_type: str
    language: str
    score: float
    page: int | None
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    chunks: list[ChunkHit] = field(default_factory=list)


class SearchService:
    def __init__(self, store: VectorStore, embedder: Embedder, sparse: SparseEmbedder) -> None:
        self._store = store
        self._embedder = embedder
        self._sparse = sparse

    def search(
        self, query: str, filters: SearchFilters = NO_FILTERS, limit: int = 10, mode: str = "hybrid"
    ) -> list[DocumentHit]:
        raise NotImplementedError("search is being built")
