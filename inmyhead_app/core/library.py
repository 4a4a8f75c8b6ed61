"""The library: the documents that are indexed, from the catalog kept beside the jobs table."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.jobs.model import JobRecord

if TYPE_CHECKING:
    from inmyhead_app.core.jobs.manager import JobManager
    from inmyhead_app.core.store.base import VectorStore


@dataclass
class LibraryDocument:
    doc_id: str
    path: str
    title: str
    file_type: str
    pages: int
    chunks: int
    language: str | None
    keywords: list[str] = field(default_factory=list)
    summary: str | None = None
    added_at: float = 0.0
    size_bytes: int = 0
    content_hash: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> LibraryDocument:
        return cls(
            doc_id=row["doc_id"],
            path=row["path"],
            title=row["title"] or "",
            file_type=row["file_type"] or "",
            pages=row["pages"] or 0,
            chunks=row["chunks"] or 0,
            language=row["language"],
            keywords=list(row["keywords"] or []),
            summary=row["summary"],
            added_at=row["added_at"] or 0.0,
            size_bytes=row["size_bytes"] or 0,
            content_hash=row["content_hash"] or "",
            metadata=dict(row["metadata"] or {}),
        )


class Library:
    """List, inspect, delete and re-index documents. Deleting removes the chunks and the catalog row."""

    def __init__(self, db: JobsDB, store: VectorStore | None, jobs: JobManager) -> None:
        self._db = db
        self._store = store
        self._jobs = jobs

    def list_documents(self) -> list[LibraryDocument]:
        return [LibraryDocument.from_row(row) for row in self._db.list_documents()]

    def get_document(self, doc_id: str) -> LibraryDocument | None:
        row = self._db.get_document(doc_id)
        return LibraryDocument.from_row(row) if row else None

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document's chunks and its catalog entry; False when there is no such document."""
        runner = self._jobs.runner
        reembedding = getattr(runner, "reembedding", None)
        with runner.catalog_lock if runner is not None else nullcontext():
            row = self._db.get_document(doc_id)
            if self._store is not None:
                self._store.delete_document(doc_id)
                self._store.flush()
                if reembedding is not None:  # and from the store a re-embed is filling
                    reembedding.store.delete_document(doc_id)
                    reembedding.store.flush()
            elif row is not None:
                raise IngestError(ErrorKind.INTERNAL, "The vector store is not open in this process.")
            self._db.delete_document(doc_id)
        if reembedding is not None:
            reembedding.after_job()  # it may have been the last one left behind
        return row is not None

    def reindex_document(self, doc_id: str) -> JobRecord:
        """Queue the document again, even if its content did not change."""
        row = self._db.get_document(doc_id)
        if row is None:
            raise IngestError(ErrorKind.NOT_FOUND, f"No document {doc_id} in the library.")
        return self._jobs.submit_document(row["path"], priority=7, force=True)
