"""VectorStore on Qdrant Edge (qdrant-edge-py 0.9, pinned): the Qdrant engine inside this process.

All Edge-specific code lives here. What 0.9 needs (measured, see issue 7): upserts reach disk only
on ``flush()`` (the WAL keeps them across a crash, not a power loss). Callers flush once per
finished document (the pipeline and job runner do); this module does not flush on its own, since
a flush holds the GIL for its whole fsync (10 ms on a quiet disk, 300+ ms under heavy I/O). Ids
must be UUIDs; dates are ISO strings; ``Fusion.Rrf`` needs an explicit k; grouping is the
caller's job. Every call holds the GIL, so writes stay one document at a time, and the shard is
never optimised into an HNSW index here: exact search is fast enough (bench/store_bench.py).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import qdrant_edge as qe

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

META_FILE = "collection.json"  # the dense model and dimension, beside the shard
SHARD_DIR = "shard"

_INDEXES = {
    "doc_id": qe.PayloadSchemaType.Keyword,
    "chunk_index": qe.PayloadSchemaType.Integer,
    "file_type": qe.PayloadSchemaType.Keyword,
    "language": qe.PayloadSchemaType.Keyword,
    "collection": qe.PayloadSchemaType.Keyword,
    "added_at": qe.PayloadSchemaType.Datetime,
}
_EXACT = qe.SearchParams(exact=True)


class EdgeStore:
    """One Edge shard in ``path/shard``, with ``path/collection.json`` recording the dense model."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._shard: Any = None
        if (self.path / SHARD_DIR).is_dir() and (self.path / META_FILE).is_file():
            self._shard = self._open(lambda: qe.EdgeShard.load(str(self.path / SHARD_DIR)))

    def _open(self, opener: Any) -> Any:
        try:
            return opener()
        except Exception as error:  # Edge raises a bare Exception
            if "WouldBlock" in str(error):
                raise IngestError(
                    ErrorKind.FILE_BUSY,
                    f"the library at {self.path} is open in another In My Head process; close it first",
                ) from error
            raise IngestError(
                ErrorKind.CORRUPT, f"the Edge store at {self.path} could not be opened: {error}"
            ) from error

    @property
    def _ready(self) -> Any:
        if self._shard is None:
            raise IngestError(ErrorKind.INTERNAL, "the Edge store has no collection yet (ensure_collection)")
        return self._shard

    def ensure_collection(self, dense_model: str, dense_dimension: int) -> None:
        if self._shard is not None:
            found = self.info()
            assert found is not None
            check_model(found, dense_model, dense_dimension)
            return
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dense_dimension, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            wal_enabled=True,
        )
        self.path.mkdir(parents=True, exist_ok=True)
        self._discard_unfinished_shard()
        self._shard = self._open(lambda: qe.EdgeShard.create(str(self.path / SHARD_DIR), config))
        for field, schema in _INDEXES.items():
            self._shard.update(qe.UpdateOperation.create_field_index(field, schema))
        self._shard.flush()
        # Written last: a shard without it is an interrupted creation and is created again.
        meta = {"dense_model": dense_model, "dense_dimension": dense_dimension}
        tmp = self.path / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, self.path / META_FILE)

    def _discard_unfinished_shard(self) -> None:
        """A shard without collection.json is a creation that was cut short; never drop data, though."""
        folder = self.path / SHARD_DIR
        if not folder.exists():
            return
        shard = self._open(lambda: qe.EdgeShard.load(str(folder)))
        try:
            points = int(shard.count(qe.CountRequest(exact=True)))
        finally:
            shard.close()
        if points:
            raise IngestError(
                ErrorKind.CORRUPT,
                f"the Edge store at {self.path} holds {points} points but its {META_FILE} is missing, "
                "so the model that made them is unknown; restore that file or move the folder aside",
            )
        shutil.rmtree(folder)

    def info(self) -> CollectionInfo | None:
        if self._shard is None:
            return None
        meta = json.loads((self.path / META_FILE).read_text(encoding="utf-8"))
        return CollectionInfo(
            dense_model=str(meta.get("dense_model", "")),
            dense_dimension=int(meta.get("dense_dimension", 0)),
            points=self.count(),
            extra={"store": "edge", "location": str(self.path)},
        )

    def upsert(self, points: list[ChunkPoint]) -> None:
        if points:
            self._ready.update(qe.UpdateOperation.upsert_points([_to_point(p) for p in points]))

    def replace_document(self, doc_id: str, points: list[ChunkPoint]) -> None:
        self.upsert(points)
        tail = qe.Filter(
            must=[
                qe.FieldCondition("doc_id", match=qe.MatchValue(doc_id)),
                qe.FieldCondition("chunk_index", range=qe.RangeFloat(gte=len(points))),
            ]
        )
        self._ready.update(qe.UpdateOperation.delete_points_by_filter(tail))

    def delete_document(self, doc_id: str) -> None:
        flt = _filter(SearchFilters(doc_ids=(doc_id,)))
        self._ready.update(qe.UpdateOperation.delete_points_by_filter(flt))

    def count(self, doc_id: str | None = None) -> int:
        if self._shard is None:
            return 0
        flt = _filter(SearchFilters(doc_ids=(doc_id,))) if doc_id is not None else None
        return int(self._shard.count(qe.CountRequest(exact=True, filter=flt)))

    def _query(self, limit: int, **request: Any) -> list[ScoredChunk]:
        found = self._ready.query(
            qe.QueryRequest(limit=limit, with_payload=True, with_vector=False, **request)
        )
        return [ScoredChunk(str(p.id), float(p.score), dict(p.payload or {})) for p in found]

    def query_dense(self, vector: list[float], filters: SearchFilters, limit: int) -> list[ScoredChunk]:
        query = qe.Query.Nearest(list(vector), using=DENSE)
        return self._query(limit, query=query, filter=_filter(filters), params=_EXACT)

    def query_sparse(self, vector: SparseVector, filters: SearchFilters, limit: int) -> list[ScoredChunk]:
        if not vector.indices:
            return []  # a query of stop words only matches nothing
        return self._query(limit, query=_sparse_query(vector), filter=_filter(filters))

    def query_hybrid(
        self, dense: list[float], sparse: SparseVector, filters: SearchFilters, limit: int
    ) -> list[ScoredChunk]:
        if not sparse.indices:
            return self.query_dense(dense, filters, limit)
        flt = _filter(filters)
        prefetches = [
            qe.Prefetch(
                limit=limit, query=qe.Query.Nearest(list(dense), using=DENSE), filter=flt, params=_EXACT
            ),
            qe.Prefetch(limit=limit, query=_sparse_query(sparse), filter=flt),
        ]
        return self._query(limit, prefetches=prefetches, query=qe.Fusion.Rrf(k=RRF_K), filter=flt)

    def scroll(
        self, offset: str | None, limit: int, with_vectors: bool = True, doc_id: str | None = None
    ) -> tuple[list[ChunkPoint], str | None]:
        if self._shard is None:
            return [], None
        flt = _filter(SearchFilters(doc_ids=(doc_id,))) if doc_id is not None else None
        records, next_offset = self._shard.scroll(
            qe.ScrollRequest(
                offset=offset, limit=limit, filter=flt, with_payload=True, with_vector=with_vectors
            )
        )
        points = []
        for record in records:
            vectors = record.vector if isinstance(record.vector, dict) else {}
            dense = vectors.get(DENSE) or []
            sparse = vectors.get(SPARSE)
            points.append(
                ChunkPoint(
                    id=str(record.id),
                    dense=[float(x) for x in dense],
                    sparse=SparseVector(list(sparse.indices), [float(v) for v in sparse.values])
                    if sparse is not None
                    else SparseVector([], []),
                    payload=dict(record.payload or {}),
                )
            )
        return points, (str(next_offset) if next_offset is not None else None)

    def flush(self) -> None:
        if self._shard is not None:
            self._shard.flush()

    def close(self) -> None:
        if self._shard is not None:
            self._shard.flush()
            self._shard.close()
            self._shard = None

    def drop(self) -> None:
        if self._shard is not None:
            self._shard.close()
            self._shard = None
        shutil.rmtree(self.path, ignore_errors=True)


def _sparse_query(vector: SparseVector) -> Any:
    return qe.Query.Nearest(qe.SparseVector(list(vector.indices), list(vector.values)), using=SPARSE)


def _to_point(point: ChunkPoint) -> Any:
    sparse = qe.SparseVector(list(point.sparse.indices), list(point.sparse.values))
    return qe.Point(point.id, {DENSE: list(point.dense), SPARSE: sparse}, point.payload)


def _filter(filters: SearchFilters) -> Any:
    must: list[qe.ConditionType] = []
    for key, kind, value in filter_conditions(filters):
        if kind == "any":
            must.append(qe.FieldCondition(key, match=qe.MatchAny(list(value))))
        elif kind == "value":
            must.append(qe.FieldCondition(key, match=qe.MatchValue(value)))
        else:  # "datetime": (gte, lte)
            gte, lte = value
            must.append(qe.FieldCondition(key, range=qe.RangeDateTime(gte=gte, lte=lte)))
    return qe.Filter(must=must) if must else None
