"""The ingestion stages, one function each: parse -> preprocess -> (embed ‖ metadata) -> store.

Stages know nothing about queues: they take a ``StageContext`` (``check()`` raises at a boundary when
the job must stop, ``progress(done, total)`` reports) and return plain values. Between stages the
results are kept as artefacts under ``<data_dir>/work/<job_id>/`` so a retried or recovered job
resumes after its last completed stage. ``run_direct`` runs the same stages with no job system
(the benchmark's baseline).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from inmyhead_app.core.config import Settings
from inmyhead_app.core.documents.model import Chunk, ParsedDocument
from inmyhead_app.core.embed.base import Embedder, SparseEmbedder, SparseVector
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.ids import point_id
from inmyhead_app.core.metadata.base import DocumentMetadata, MetadataExtractor
from inmyhead_app.core.store.base import ChunkPoint, VectorStore

WORK_DIR = "work"


class StageContext(Protocol):
    def check(self) -> None:
        """Raise if the job must stop here (cancelled, shutting down, over its time limit)."""

    def should_stop(self) -> bool: ...

    def progress(self, done: int, total: int) -> None: ...


class _NoContext:
    def check(self) -> None:
        pass

    def should_stop(self) -> bool:
        return False

    def progress(self, done: int, total: int) -> None:
        pass


@dataclass
class Preprocessed:
    text: str
    chunks: list[Chunk]


@dataclass
class Embedded:
    dense: list[list[float]]
    sparse: list[SparseVector]


class Artefacts:
    """A job's intermediate results on disk, written atomically (a crash leaves whole files or none)."""

    def __init__(self, data_dir: Path, job_id: str) -> None:
        self.dir = Path(data_dir) / WORK_DIR / job_id

    def _write(self, name: str, data: bytes) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, self.dir / name)

    def _json(self, name: str) -> Any | None:
        try:
            return json.loads((self.dir / name).read_bytes())
        except (OSError, ValueError):
            return None

    def save_parsed(self, doc: ParsedDocument) -> None:
        self._write("parsed.json", json.dumps(doc.to_dict()).encode())

    def load_parsed(self) -> ParsedDocument | None:
        data = self._json("parsed.json")
        return ParsedDocument.from_dict(data) if data is not None else None

    def save_preprocessed(self, pre: Preprocessed) -> None:
        payload = {"text": pre.text, "chunks": [c.to_dict() for c in pre.chunks]}
        self._write("chunks.json", json.dumps(payload).encode())

    def load_preprocessed(self) -> Preprocessed | None:
        data = self._json("chunks.json")
        if data is None:
            return None
        return Preprocessed(data["text"], [Chunk.from_dict(c) for c in data["chunks"]])

    def save_embedded(self, emb: Embedded) -> None:
        sparse = [[v.indices, v.values] for v in emb.sparse]
        self._write("sparse.json", json.dumps(sparse).encode())
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / ".dense.npy.tmp"
        with open(tmp, "wb") as handle:
            np.save(handle, np.asarray(emb.dense, dtype=np.float32))
        os.replace(tmp, self.dir / "dense.npy")

    def load_embedded(self) -> Embedded | None:
        sparse = self._json("sparse.json")
        try:
            dense = np.load(self.dir / "dense.npy")
        except (OSError, ValueError):
            return None
        if sparse is None:
            return None
        return Embedded([row.tolist() for row in dense], [SparseVector(i, v) for i, v in sparse])

    def save_metadata(self, meta: DocumentMetadata) -> None:
        self._write("metadata.json", json.dumps(meta.to_dict()).encode())

    def load_metadata(self) -> DocumentMetadata | None:
        data = self._json("metadata.json")
        return DocumentMetadata.from_dict(data) if data is not None else None

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Pipeline:
    """The stages, bound to the providers and store of one Core."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        sparse: SparseEmbedder,
        extractor: MetadataExtractor,
        store: VectorStore | None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.sparse = sparse
        self.extractor = extractor
        self.store = store

    def parse(self, path: str, ctx: StageContext, hard_limit_s: float | None = None) -> ParsedDocument:
        """Parse in a child process, killed on the time limit, the memory cap, or a cancel."""
        from inmyhead_app.core.documents.sandbox import parse_in_sandbox

        timeout = float(self.settings["parse_timeout_s"])
        if hard_limit_s is not None:
            timeout = min(timeout, hard_limit_s)
        ctx.check()
        doc = parse_in_sandbox(
            path,
            timeout_s=timeout,
            memory_mb=int(self.settings["parse_memory_mb"]),
            max_bytes=int(self.settings["max_file_mb"]) * 1024 * 1024,
            cancelled=ctx.should_stop,
            progress=ctx.progress,  # page by page
        )
        ctx.progress(len(doc.pages), len(doc.pages))
        ctx.check()
        return doc

    def preprocess(self, doc_id: str, doc: ParsedDocument, ctx: StageContext) -> Preprocessed:
        """Clean, then chunk within the embedding model's token limit when it has one."""
        from inmyhead_app.core.documents.chunk import chunk_text
        from inmyhead_app.core.documents.clean import clean_document

        ctx.check()
        cleaned = clean_document(doc)
        ctx.check()
        count_tokens: Callable[[str], int] | None = getattr(self.embedder, "count_tokens", None)
        max_tokens = getattr(self.embedder, "max_tokens", None)
        if max_tokens is None and count_tokens is not None:
            from inmyhead_app.core.embed.local import MAX_TOKENS

            max_tokens = MAX_TOKENS
        chunks = chunk_text(
            doc_id,
            cleaned,
            size=int(self.settings["chunk_size"]),
            overlap=int(self.settings["chunk_overlap"]),
            max_tokens=max_tokens,
            count_tokens=count_tokens,
        )
        if not chunks:
            raise IngestError(ErrorKind.NO_TEXT, "The document has no text to index (perhaps a scan).")
        ctx.progress(len(chunks), len(chunks))
        return Preprocessed(cleaned.text, chunks)

    def embed(self, chunks: list[Chunk], ctx: StageContext) -> Embedded:
        """Dense vectors batch by batch (progress and cancel at every batch), then BM25 vectors."""
        texts = [chunk.text for chunk in chunks]
        total = len(texts) + 1  # the sparse pass counts as the last step

        def on_batch(done: int, _total: int) -> None:
            ctx.progress(done, total)
            ctx.check()

        ctx.check()
        dense = self.embedder.embed_documents(texts, progress=on_batch)
        sparse = self.sparse.embed_documents(texts)
        ctx.progress(total, total)
        ctx.check()
        return Embedded(dense, sparse)

    def metadata(
        self, doc: ParsedDocument, text: str, content_hash: str, ctx: StageContext
    ) -> DocumentMetadata:
        ctx.check()
        meta = self.extractor.extract(doc, text)
        meta.content_hash = content_hash
        ctx.progress(1, 1)
        ctx.check()
        return meta

    def points(
        self,
        doc_id: str,
        path: str,
        doc: ParsedDocument,
        pre: Preprocessed,
        emb: Embedded,
        meta: DocumentMetadata,
        added_at: float,
    ) -> list[ChunkPoint]:
        added = datetime.fromtimestamp(added_at, UTC).isoformat()
        return [
            ChunkPoint(
                id=point_id(doc_id, chunk.index),
                dense=dense,
                sparse=sparse,
                payload={
                    "doc_id": doc_id,
                    "chunk_index": chunk.index,
                    "text": chunk.text,
                    "page_start": chunk.page_start,
                    "page_end": chunk.page_end,
                    "char_start": chunk.char_start,
                    "char_end": chunk.char_end,
                    "path": path,
                    "file_type": doc.file_type,
                    "language": meta.language or "",
                    "title": meta.title or Path(path).name,
                    "added_at": added,
                    "collection": "",
                },
            )
            for chunk, dense, sparse in zip(pre.chunks, emb.dense, emb.sparse, strict=True)
        ]

    def write(self, doc_id: str, points: list[ChunkPoint]) -> None:
        """Replace the document's chunks and make them durable."""
        if self.store is None:
            raise IngestError(ErrorKind.INTERNAL, "No vector store is open in this process.")
        self.store.replace_document(doc_id, points)
        self.store.flush()


def run_direct(
    pipeline: Pipeline,
    path: str,
    doc_id: str,
    content_hash: str,
    added_at: float,
    timings: dict[str, float] | None = None,
) -> int:
    """All stages in this thread (metadata beside embedding, as in a job), no job system: the baseline
    the benchmark compares the queue against. ``timings`` accumulates per-stage CPU seconds of this
    process (the parse child's own CPU is not included)."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    ctx = _NoContext()
    clock = timings if timings is not None else {}

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        start = time.process_time()
        try:
            return fn()
        finally:
            clock[stage] = clock.get(stage, 0.0) + time.process_time() - start

    doc = timed("parsing", lambda: pipeline.parse(path, ctx))
    pre = timed("preprocessing", lambda: pipeline.preprocess(doc_id, doc, ctx))
    with ThreadPoolExecutor(max_workers=1) as side:
        started = time.process_time()
        meta_future = side.submit(pipeline.metadata, doc, pre.text, content_hash, ctx)
        emb = pipeline.embed(pre.chunks, ctx)
        meta = meta_future.result()
        clock["embedding+metadata"] = clock.get("embedding+metadata", 0.0) + time.process_time() - started
    timed(
        "storing",
        lambda: pipeline.write(doc_id, pipeline.points(doc_id, path, doc, pre, emb, meta, added_at)),
    )
    return len(pre.chunks)
