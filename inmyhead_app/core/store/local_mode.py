"""VectorStore over qdrant-client: embedded local mode (``path=``) or a Qdrant server (``url=``).

Local mode is a pure-Python stand-in: every point is its own fsync'd write (50-90 points/s here)
and every query scans all vectors, so callers keep write batches to one document.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from inmyhead_app.core.embed.base import SparseVector
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.store.base import (
    DENSE,
    RRF_K,
    SPARSE,
    ChunkPoint,
    CollectionInfo,
    ScoredChunk,
    SearchFilters,
)
from inmyhead_app.core.store.common import check_model, filter_conditions

log = logging.getLogger("inmyhead.store")

_INDEXES = {
    "doc_id": models.PayloadSchemaType.KEYWORD,
    "chunk_index": models.PayloadSchemaType.INTEGER,
    "file_type": models.PayloadSchemaType.KEYWORD,
    "language": models.PayloadSchemaType.KEYWORD,
    "collection": models.PayloadSchemaType.KEYWORD,
    "added_at": models.PayloadSchemaType.DATETIME,
}


class QdrantClientStore:
    """One collection of chunk points; the collection's metadata records the dense model."""

    def __init__(self, path: Path | None = None, url: str | None = None, collection: str = "chunks") -> None:
        if (path is None) == (url is None):
            raise ValueError("give exactly one of path (local mode) or url (server)")
        self.collection = collection
        self._local = path is not None
        self._where = str(path) if path is not None else str(url)
        try:
            if path is not None:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._client = QdrantClient(path=str(path))
            else:
                self._client = QdrantClient(url=url, timeout=30, check_compatibility=False)
        except RuntimeError as error:
            if "already accessed" in str(error):
                raise IngestError(
                    ErrorKind.FILE_BUSY,
                    f"the library at {path} is open in another In My Head process; local mode allows "
                    "only one at a time (close the other one, or switch to the Edge store)",
                ) from error
            raise

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call the client, turning a server that cannot be reached into a plain IngestError."""
        try:
            return getattr(self._client, method)(*args, **kwargs)
        except (ResponseHandlingException, ConnectionError) as error:
            raise IngestError(
                ErrorKind.PROVIDER_UNAVAILABLE, f"the Qdrant server at {self._where} did not answer: {error}"
            ) from error
        except UnexpectedResponse as error:
            raise IngestError(
                ErrorKind.INTERNAL, f"the Qdrant server at {self._where} refused a request: {error}"
            ) from error

    def ensure_collection(self, dense_model: str, dense_dimension: int) -> None:
        if self._call("collection_exists", self.collection):
            found = self.info()
            assert found is not None
            check_model(found, dense_model, dense_dimension)
            return
        dense = models.VectorParams(size=dense_dimension, distance=models.Distance.COSINE)
        self._call(
            "create_collection",
            self.collection,
            vectors_config={DENSE: dense},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            metadata={"dense_model": dense_model, "dense_dimension": dense_dimension},
        )
        if not self._local:  # local mode has no payload indexes (and warns when asked for one)
            for field, schema in _INDEXES.items():
                self._call("create_payload_index", self.collection, field, field_schema=schema, wait=True)

    def info(self) -> CollectionInfo | None:
        if not self._call("collection_exists", self.collection):
            return None
        described = self._call("get_collection", self.collection)
        meta = dict(described.config.metadata or {})
        vectors = described.config.params.vectors
        size = vectors[DENSE].size if isinstance(vectors, dict) and DENSE in vectors else 0
        return CollectionInfo(
            dense_model=str(meta.get("dense_model", "")),
            dense_dimension=int(meta.get("dense_dimension", size)),
            points=self.count(),
            extra={"store": "local" if self._local else "server", "location": self._where},
        )

    def upsert(self, points: list[ChunkPoint]) -> None:
        if points:
            self._call("upsert", self.collection, points=[_to_struct(p) for p in points], wait=True)

    def replace_document(self, doc_id: str, points: list[ChunkPoint]) -> None:
        self.upsert(points)
        tail = models.Filter(
            must=[
                models.FieldCondition(key="doc_id", match=models.MatchValue(value=doc_id)),
                models.FieldCondition(key="chunk_index", range=models.Range(gte=len(points))),
            ]
        )
        self._call("delete", self.collection, points_selector=models.FilterSelector(filter=tail), wait=True)

    def delete_document(self, doc_id: str) -> None:
        doc_filter = _filter(SearchFilters(doc_ids=(doc_id,)))
        assert doc_filter is not None  # a doc_ids filter always has its condition
        selector = models.FilterSelector(filter=doc_filter)
        self._call("delete", self.collection, points_selector=selector, wait=True)

    def count(self, doc_id: str | None = None) -> int:
        if not self._call("collection_exists", self.collection):
            return 0
        flt = _filter(SearchFilters(doc_ids=(doc_id,))) if doc_id is not None else None
        return int(self._call("count", self.collection, count_filter=flt, exact=True).count)

    def _query(self, limit: int, **request: Any) -> list[ScoredChunk]:
        response = self._call(
            "query_points", self.collection, limit=limit, with_payload=True, with_vectors=False, **request
        )
        return [ScoredChunk(str(p.id), float(p.score), dict(p.payload or {})) for p in response.points]

    def query_dense(self, vector: list[float], filters: SearchFilters, limit: int) -> list[ScoredChunk]:
        return self._query(limit, query=vector, using=DENSE, query_filter=_filter(filters))

    def query_sparse(self, vector: SparseVector, filters: SearchFilters, limit: int) -> list[ScoredChunk]:
        if not vector.indices:
            return []  # a query of stop words only matches nothing
        return self._query(limit, query=_sparse(vector), using=SPARSE, query_filter=_filter(filters))

    def query_hybrid(
        self, dense: list[float], sparse: SparseVector, filters: SearchFilters, limit: int
    ) -> list[ScoredChunk]:
        if not sparse.indices:
            return self.query_dense(dense, filters, limit)
        flt = _filter(filters)
        prefetch = [
            models.Prefetch(query=dense, using=DENSE, filter=flt, limit=limit),
            models.Prefetch(query=_sparse(sparse), using=SPARSE, filter=flt, limit=limit),
        ]
        # RrfQuery, not FusionQuery: the latter's k differs between local mode and the server.
        return self._query(
            limit, prefetch=prefetch, query=models.RrfQuery(rrf=models.Rrf(k=RRF_K)), query_filter=flt
        )

    def scroll(
        self, offset: str | None, limit: int, with_vectors: bool = True, doc_id: str | None = None
    ) -> tuple[list[ChunkPoint], str | None]:
        records, next_offset = self._call(
            "scroll",
            self.collection,
            scroll_filter=_filter(SearchFilters(doc_ids=(doc_id,))) if doc_id is not None else None,
            offset=offset,
            limit=limit,
            with_payload=True,
            with_vectors=with_vectors,
        )
        points = []
        for record in records:
            vectors = record.vector if isinstance(record.vector, dict) else {}
            dense = vectors.get(DENSE, [])
            sparse = vectors.get(SPARSE)
            points.append(
                ChunkPoint(
                    id=str(record.id),
                    dense=[float(x) for x in dense] if isinstance(dense, list) else [],
                    sparse=SparseVector(list(sparse.indices), list(sparse.values))
                    if isinstance(sparse, models.SparseVector)
                    else SparseVector([], []),
                    payload=dict(record.payload or {}),
                )
            )
        return points, (str(next_offset) if next_offset is not None else None)

    def flush(self) -> None:
        """Every write above waits for the client's own commit, so there is nothing left to flush."""

    def close(self) -> None:
        self._client.close()

    def drop(self) -> None:
        if self._call("collection_exists", self.collection):
            self._call("delete_collection", self.collection)
        self._client.close()
        if self._local:  # the folder held only this collection
            shutil.rmtree(self._where, ignore_errors=True)


def _sparse(vector: SparseVector) -> models.SparseVector:
    return models.SparseVector(indices=list(vector.indices), values=list(vector.values))


def _to_struct(point: ChunkPoint) -> models.PointStruct:
    return models.PointStruct(
        id=point.id, vector={DENSE: point.dense, SPARSE: _sparse(point.sparse)}, payload=point.payload
    )


def _filter(filters: SearchFilters) -> models.Filter | None:
    must: list[models.Condition] = []
    for key, kind, value in filter_conditions(filters):
        if kind == "any":
            must.append(models.FieldCondition(key=key, match=models.MatchAny(any=list(value))))
        elif kind == "value":
            must.append(models.FieldCondition(key=key, match=models.MatchValue(value=value)))
        else:  # "datetime": (gte, lte)
            gte, lte = value
            must.append(models.FieldCondition(key=key, range=models.DatetimeRange(gte=gte, lte=lte)))
    return models.Filter(must=must) if must else None
