"""Re-embedding a library with another model, as a batch of jobs, without ever mixing vectors.

A library's store is generation N, built by one dense model. When the settings ask for another
model, the Core keeps running on the library's own model (search and new documents work as before)
and says so (``EmbeddingChange``). Re-embedding builds generation N+1 beside it: one job per
document reads its chunks from the library (text, BM25 vectors, payload: the file itself is not
needed, so moved or deleted files are re-embedded too), embeds them with the new model and writes
them to N+1. Documents indexed meanwhile are caught up at the end. Once every document is in N+1
the next ``open_core`` switches to it and drops N, so search never sees two models at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from inmyhead_app.core.embed.base import Embedder
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.jobs.model import EventKind, JobEvent, JobKind, JobRecord, JobState
from inmyhead_app.core.store.base import ChunkPoint, VectorStore

if TYPE_CHECKING:
    from inmyhead_app.core.pipeline import StageContext

log = logging.getLogger("inmyhead.reembed")

GENERATION_FLAG = "library_generation"  # which store generation is the library
TARGET_FLAG = "reembed_target"  # JSON of ReembedTarget while a re-embed is under way
SCROLL_PAGE = 256
CHARS_PER_TOKEN = 4  # OpenAI's rule of thumb for English text


@dataclass(frozen=True)
class ReembedTarget:
    """What a re-embed builds: ``generation`` of the store, with ``model`` vectors of ``dimension``."""

    model: str
    dimension: int
    generation: int
    started_at: float


@dataclass(frozen=True)
class EmbeddingChange:
    """The settings ask for another dense model than the one the library was built with."""

    library_model: str
    library_dimension: int
    wanted_model: str
    wanted_dimension: int
    documents: int  # in the library
    reembedding: bool  # re-embed jobs were started for the wanted model
    remaining: int  # documents not yet in the wanted model's store
    chunks: int = 0  # their chunks: the text a re-embed sends to the model
    estimated_tokens: int = 0  # an upper estimate of the tokens in those chunks (for a cloud model's bill)


def library_generation(db: JobsDB) -> int:
    return int(db.get_flag(GENERATION_FLAG, "0") or 0)


def read_target(db: JobsDB) -> ReembedTarget | None:
    raw = db.get_flag(TARGET_FLAG, "")
    if not raw:
        return None
    try:
        return ReembedTarget(**json.loads(raw))
    except (TypeError, ValueError):
        log.warning("ignoring an unreadable re-embed record: %r", raw)
        return None


def write_target(db: JobsDB, target: ReembedTarget | None) -> None:
    db.set_flag(TARGET_FLAG, json.dumps(asdict(target)) if target is not None else "")


def is_complete(db: JobsDB, target: ReembedTarget) -> bool:
    """Every document is in the target store and nothing is left to run."""
    return not db.count_not_embedded_with(target.model) and not db.has_active_jobs()


def embed_document(
    source: VectorStore, embedder: Embedder, doc_id: str, ctx: StageContext
) -> list[ChunkPoint]:
    """The document's chunks as stored, with dense vectors from ``embedder`` (same ids, text, BM25)."""
    ctx.check()
    points: list[ChunkPoint] = []
    offset: str | None = None
    while True:
        page, offset = source.scroll(offset, SCROLL_PAGE, True, doc_id)
        points.extend(page)
        if offset is None:
            break
    if not points:
        raise IngestError(
            ErrorKind.NOT_FOUND, "This document has no chunks in the library; re-index it from its file."
        )
    points.sort(key=lambda point: int(point.payload.get("chunk_index", 0)))
    texts = [str(point.payload.get("text", "")) for point in points]
    total = len(texts)

    def on_batch(done: int, _total: int) -> None:
        ctx.progress(done, total)
        ctx.check()

    dense = embedder.embed_documents(texts, progress=on_batch)
    ctx.progress(total, total)
    return [
        ChunkPoint(point.id, vector, point.sparse, point.payload)
        for point, vector in zip(points, dense, strict=True)
    ]


class Reembedding:
    """A re-embed under way in this process: the new model, its store, and the jobs that fill it."""

    def __init__(self, target: ReembedTarget, embedder: Embedder, store: VectorStore, jobs: Any) -> None:
        self.target = target
        self.embedder = embedder
        self.store = store
        self._jobs = jobs
        self._db: JobsDB = jobs.db
        self._lock = threading.Lock()
        self._finished_told = False

    @property
    def model(self) -> str:
        return self.target.model

    def submit_all(self) -> list[JobRecord]:
        """A job for every document not yet in the new store."""
        return self._jobs.submit_reembed(self._db.documents_not_embedded_with(self.model))

    def remaining(self) -> int:
        return self._db.count_not_embedded_with(self.model)

    def after_job(self) -> None:
        """A job finished: catch up documents indexed meanwhile, or say that the re-embed is complete.

        A document whose last re-embed job failed or was cancelled is left for the user to retry.
        """
        with self._lock:
            if self._db.has_active_jobs():
                return
            behind = [
                document
                for document in self._db.documents_not_embedded_with(self.model)
                if self._db.latest_job_state(document["doc_id"], JobKind.REEMBED, self.target.started_at)
                not in (JobState.FAILED, JobState.CANCELLED)
            ]
            if behind:
                log.info("re-embed: catching up %d documents indexed meanwhile", len(behind))
                self._jobs.submit_reembed(behind)
                return
            if self._finished_told or not is_complete(self._db, self.target):
                return
            self._finished_told = True
        log.info("re-embed with %s complete; the library switches to it when it is next opened", self.model)
        detail = {"model": self.model, "dimension": self.target.dimension}
        self._jobs.emit(JobEvent(EventKind.REEMBED_FINISHED, detail=detail))

    def abandon(self) -> int:
        """Cancel the re-embed jobs and delete the new store; the library stays as it is."""
        cancelled = self._jobs.cancel_kind(JobKind.REEMBED)
        self.store.drop()
        self._db.forget_embedded_with(self.model)
        write_target(self._db, None)
        return cancelled


def start_target(db: JobsDB, embedder: Embedder) -> ReembedTarget:
    """Record a re-embed to ``embedder``'s model into the next store generation (kept if one exists)."""
    found = read_target(db)
    if found is not None and (found.model, found.dimension) == (embedder.model_id, embedder.dimension):
        return found
    target = ReembedTarget(embedder.model_id, embedder.dimension, library_generation(db) + 1, time.time())
    write_target(db, target)
    return target
