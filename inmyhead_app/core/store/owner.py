"""One owner thread per store: every call runs there, the store is created and closed there.

qdrant-client's local mode is not thread-safe and allows one client per folder; Edge holds the GIL
during each call. Funnelling all calls through one thread serialises them and keeps the GUI thread
out of the store entirely (callers block, so never call from the GUI thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from inmyhead_app.core.embed.base import SparseVector
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.store.base import ChunkPoint, CollectionInfo, ScoredChunk, SearchFilters, VectorStore


class StoreClosedError(IngestError):
    """The store was closed (the app or worker is shutting down); the call did not run."""

    def __init__(self, name: str) -> None:
        super().__init__(ErrorKind.CANCELLED, f"the {name} vector store is closed")


class OwnedStore:
    """A thread-safe VectorStore proxy; ``factory`` runs on the owner thread, its errors surface here."""

    def __init__(self, factory: Callable[[], VectorStore], name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"store-{name}")
        self._owner: threading.Thread | None = None
        try:
            self._store = self._executor.submit(self._create, factory).result()
        except BaseException:
            self._closed = True
            self._executor.shutdown(wait=True)
            raise

    def _create(self, factory: Callable[[], VectorStore]) -> VectorStore:
        self._owner = threading.current_thread()
        return factory()

    def _call(self, method: str, *args: Any) -> Any:
        if threading.current_thread() is self._owner:  # re-entrant use from the owner itself
            return getattr(self._store, method)(*args)
        with self._lock:
            if self._closed:
                raise StoreClosedError(self.name)
            future = self._executor.submit(lambda: getattr(self._store, method)(*args))
        return future.result()

    @property
    def closed(self) -> bool:
        return self._closed

    def ensure_collection(self, dense_model: str, dense_dimension: int) -> None:
        self._call("ensure_collection", dense_model, dense_dimension)

    def info(self) -> CollectionInfo | None:
        return self._call("info")

    def upsert(self, points: list[ChunkPoint]) -> None:
        self._call("upsert", points)

    def replace_document(self, doc_id: str, points: list[ChunkPoint]) -> None:
        self._call("replace_document", doc_id, points)

    def delete_document(self, doc_id: str) -> None:
        self._call("delete_document", doc_id)

    def count(self, doc_id: str | None = None) -> int:
        return self._call("count", doc_id)

    def query_dense(self, vector: list[float], filters: SearchFilters, limit: int) -> list[ScoredChunk]:
        return self._call("query_dense", vector, filters, limit)

    def query_sparse(self, vector: SparseVector, filters: SearchFilters, limit: int) -> list[ScoredChunk]:
        return self._call("query_sparse", vector, filters, limit)

    def query_hybrid(
        self, dense: list[float], sparse: SparseVector, filters: SearchFilters, limit: int
    ) -> list[ScoredChunk]:
        return self._call("query_hybrid", dense, sparse, filters, limit)

    def scroll(
        self, offset: str | None, limit: int, with_vectors: bool = True, doc_id: str | None = None
    ) -> tuple[list[ChunkPoint], str | None]:
        return self._call("scroll", offset, limit, with_vectors, doc_id)

    def flush(self) -> None:
        self._call("flush")

    def drop(self) -> None:
        """Delete everything in the store, then close it like ``close``."""
        self._shut_down(self._store.drop)

    def close(self) -> None:
        """Close the store on its owner thread, after the calls already queued; idempotent."""
        self._shut_down(self._store.close)

    def _shut_down(self, last_call: Callable[[], None]) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            closing = self._executor.submit(last_call)
        try:
            closing.result()
        finally:
            self._executor.shutdown(wait=True)

    def __enter__(self) -> OwnedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
