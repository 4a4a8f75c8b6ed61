"""Search the library: hybrid (dense + BM25 fused by RRF), dense or keyword, grouped per document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from inmyhead_app.core.embed.base import Embedder, SparseEmbedder
from inmyhead_app.core.search.snippets import QueryTerms, make_snippet
from inmyhead_app.core.store.base import ScoredChunk, SearchFilters, VectorStore

MODES = ("hybrid", "dense", "keyword")
NO_FILTERS = SearchFilters()  # frozen, so safe as a shared default
CHUNKS_PER_DOCUMENT = 3
# Chunks fetched per document wanted: long documents fill the top ranks with their own chunks.
FETCH_PER_DOCUMENT = 8
FETCH_MIN = 50
FETCH_MAX = 2000


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
    """Turns a query into documents: embed it, ask the store for chunks, group them per document."""

    def __init__(self, store: VectorStore, embedder: Embedder, sparse: SparseEmbedder) -> None:
        self._store = store
        self._embedder = embedder
        self._sparse = sparse

    def search(
        self, query: str, filters: SearchFilters = NO_FILTERS, limit: int = 10, mode: str = "hybrid"
    ) -> list[DocumentHit]:
        if mode not in MODES:
            raise ValueError(f"search mode must be one of {', '.join(MODES)}, not {mode!r}")
        if not query.strip() or limit <= 0:
            return []
        fetch_chunks = self._fetcher(query, filters, mode)
        wanted = max(FETCH_MIN, limit * FETCH_PER_DOCUMENT)
        while True:
            # Fused scores tie often (same ranks in both lists); break ties by id so results repeat.
            chunks = sorted(fetch_chunks(wanted), key=lambda chunk: (-chunk.score, chunk.id))
            groups = group_by_document(chunks)
            # Too few documents although the store had more chunks to give: ask for more.
            if len(groups) >= limit or len(chunks) < wanted or wanted >= FETCH_MAX:
                break
            wanted = min(FETCH_MAX, wanted * 4)
        terms = QueryTerms.parse(query)
        return [document_hit(group, terms) for group in groups[:limit]]

    def _fetcher(self, query: str, filters: SearchFilters, mode: str) -> Callable[[int], list[ScoredChunk]]:
        """Embed the query once; the returned function fetches the top n chunks."""
        if mode == "dense":
            dense = self._embedder.embed_query(query)
            return lambda n: self._store.query_dense(dense, filters, n)
        sparse = self._sparse.embed_query(query)
        if mode == "keyword":
            return lambda n: self._store.query_sparse(sparse, filters, n)
        dense = self._embedder.embed_query(query)
        return lambda n: self._store.query_hybrid(dense, sparse, filters, n)


def group_by_document(chunks: list[ScoredChunk]) -> list[list[ScoredChunk]]:
    """Chunks (best first) gathered per document, documents in the order of their best chunk."""
    groups: dict[str, list[ScoredChunk]] = {}
    for chunk in chunks:
        group = groups.setdefault(str(chunk.payload.get("doc_id", chunk.id)), [])
        if len(group) < CHUNKS_PER_DOCUMENT:
            group.append(chunk)
    return list(groups.values())


def document_hit(group: list[ScoredChunk], terms: QueryTerms) -> DocumentHit:
    best = group[0].payload
    language = str(best.get("language") or "en")
    chunk_hits = []
    for chunk in group:
        payload = chunk.payload
        snippet, spans = make_snippet(str(payload.get("text", "")), terms, language)
        chunk_hits.append(
            ChunkHit(
                chunk_index=int(payload.get("chunk_index", 0)),
                page_start=_page(payload.get("page_start")),
                page_end=_page(payload.get("page_end")),
                score=chunk.score,
                snippet=snippet,
                highlights=spans,
            )
        )
    path = str(best.get("path", ""))
    return DocumentHit(
        doc_id=str(best.get("doc_id", group[0].id)),
        path=path,
        title=str(best.get("title") or PurePath(path).name),
        file_type=str(best.get("file_type", "")),
        language=str(best.get("language", "")),
        score=group[0].score,
        page=chunk_hits[0].page_start,
        snippet=chunk_hits[0].snippet,
        highlights=list(chunk_hits[0].highlights),
        chunks=chunk_hits,
    )


def _page(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and value > 0 else None
