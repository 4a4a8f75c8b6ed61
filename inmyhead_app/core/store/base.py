"""The VectorStore interface shared by qdrant-client local mode, Qdrant Edge and a Qdrant server.

Every point is one chunk: a named dense vector ("dense"), a named sparse BM25 vector ("sparse",
IDF modifier) and a payload (PAYLOAD_FIELDS). Ids come from ``core.ids.point_id`` so writes are
idempotent. Implementations are not thread-safe: one owner thread per store (``OwnedStore``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from inmyhead_app.core.embed.base import SparseVector

DENSE = "dense"
SPARSE = "sparse"
# Payload keys of a chunk point; the ones marked (indexed) are filterable.
PAYLOAD_FIELDS = (
    "doc_id",  # (indexed) keyword
    "chunk_index",  # (indexed) integer
    "text",
    "page_start",
    "page_end",
    "char_start",
    "char_end",
    "path",
    "file_type",  # (indexed) keyword
    "language",  # (indexed) keyword
    "title",
    "added_at",  # (indexed) ISO 8601 datetime string
    "collection",  # (indexed) keyword: a user-given grouping, "" by default
)
RRF_K = 60


@dataclass
class ChunkPoint:
    id: str
    dense: list[float]
    sparse: SparseVector
    payload: dict[str, Any]


@dataclass
class ScoredChunk:
    id: str
    score: float
    payload: dict[str, Any]


@dataclass(frozen=True)
class SearchFilters:
    file_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    collection: str | None = None
    added_from: str | None = None  # ISO 8601, inclusive
    added_to: str | None = None  # ISO 8601, inclusive


@dataclass
class CollectionInfo:
    dense_model: str
    dense_dimension: int
    points: int
    extra: dict[str, Any] = field(default_factory=dict)


class VectorStore(Protocol):
    def ensure_collection(self, dense_model: str, dense_dimension: int) -> None:
        """Create the collection, or check it was made for this model (IngestError otherwise)."""

    def info(self) -> CollectionInfo | None: ...

    def upsert(self, points: list[ChunkPoint]) -> None:
        """Write points as they are (migration copies pages that cut across documents)."""

    def replace_document(self, doc_id: str, points: list[ChunkPoint]) -> None:
        """Upsert ``points`` and remove the document's other chunks (a re-index that got shorter)."""

    def delete_document(self, doc_id: str) -> None: ...

    def count(self, doc_id: str | None = None) -> int: ...

    def query_dense(self, vector: list[float], filters: SearchFilters, limit: int) -> list[ScoredChunk]: ...

    def query_sparse(self, vector: SparseVector, filters: SearchFilters, limit: int) -> list[ScoredChunk]: ...

    def query_hybrid(
        self, dense: list[float], sparse: SparseVector, filters: SearchFilters, limit: int
    ) -> list[ScoredChunk]:
        """Dense and sparse results fused with reciprocal rank fusion (k = RRF_K)."""

    def scroll(
        self, offset: str | None, limit: int, with_vectors: bool = True, doc_id: str | None = None
    ) -> tuple[list[ChunkPoint], str | None]:
        """A page of points in id order (of one document with ``doc_id``), and the next page's offset
        (None at the end)."""

    def flush(self) -> None:
        """Make everything acknowledged so far durable (called at job boundaries)."""

    def drop(self) -> None:
        """Delete the collection and everything in it, then close (a library replaced by a re-embed)."""

    def close(self) -> None: ...
