"""The Core API: one object the GUI, the CLI and the tests open on a data folder.

``open_core`` wires settings, the jobs table, the queue, the providers, the vector store, the library
and search together; ``core.close()`` shuts it down gracefully. A process that opens the store (or
consumes jobs) holds the data folder's lock: local Qdrant allows one process per folder, so a second
one is refused with a clear message. A process that only looks at or steers jobs (``with_store=False``)
needs no lock and cooperates through the jobs table.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from inmyhead_app.core import paths
from inmyhead_app.core.config import Settings
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.jobs.manager import JobManager
from inmyhead_app.core.jobs.model import JobRecord
from inmyhead_app.core.jobs.queue import make_huey
from inmyhead_app.core.library import Library
from inmyhead_app.core.logs import setup_logging
from inmyhead_app.core.reembed import EmbeddingChange, ReembedTarget

if TYPE_CHECKING:
    from inmyhead_app.core.library_store import OpenedLibrary

log = logging.getLogger("inmyhead.core")

LOCK_FILE = "inmyhead.lock"


class DataFolderBusy(RuntimeError):
    """Another process owns this data folder's store and queue."""

    def __init__(self, data_dir: Path, owner: str) -> None:
        super().__init__(
            f"Another In My Head process (pid {owner or 'unknown'}) is using {data_dir}. "
            "Close it, or use a different --data-dir."
        )
        self.data_dir = data_dir
        self.owner = owner


class _FolderLock:
    """An exclusive advisory lock on ``<data_dir>/inmyhead.lock`` holding the owner's pid.

    The OS drops it when the process dies (even by SIGKILL), so a crash never leaves it stale.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held while the Core is open)
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            owner = handle.read().strip()
            handle.close()
            raise DataFolderBusy(self.path.parent, owner) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock
            self._handle = None


def _lock(handle: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


class Core:
    """Everything the app needs, open on one data folder. Use ``open_core`` to make one."""

    def __init__(
        self,
        data_dir: Path,
        settings: Settings,
        jobs: JobManager,
        library: Library,
        search: Any,
        store: Any,
        lock: _FolderLock | None,
        runner: Any,
    ) -> None:
        self.data_dir = data_dir
        self.settings = settings
        self.jobs = jobs
        self.library = library
        self.search = search
        self.store = store
        self._lock = lock
        self._runner = runner
        self._closed = False
        self.library_embedding: OpenedLibrary | None = None  # the library's model and the settings'

    @property
    def pipeline(self) -> Any:
        """The stages bound to this Core's providers and store (None without the store)."""
        return self._runner.pipeline if self._runner is not None else None

    # --- the embedding model (see core.reembed) ---

    @property
    def embedding_change(self) -> EmbeddingChange | None:
        """The settings ask for another model than the library's (None: they agree, or no store)."""
        opened = self.library_embedding
        if opened is None or not opened.mismatch:
            return None
        from inmyhead_app.core.reembed import CHARS_PER_TOKEN

        reembedding = self._runner.reembedding if self._runner is not None else None
        db = self.jobs.db
        documents = db.count_documents()
        chunks = db.chunks_not_embedded_with(opened.wanted.model_id)
        return EmbeddingChange(
            library_model=opened.embedder.model_id,
            library_dimension=opened.embedder.dimension,
            wanted_model=opened.wanted.model_id,
            wanted_dimension=opened.wanted.dimension,
            documents=documents,
            reembedding=reembedding is not None,
            remaining=reembedding.remaining() if reembedding is not None else documents,
            chunks=chunks,
            estimated_tokens=chunks * int(self.settings["chunk_size"]) // CHARS_PER_TOKEN,
        )

    def start_reembed(self) -> list[JobRecord]:
        """Queue a re-embed job for every document not yet in the settings' model (see core.reembed)."""
        from inmyhead_app.core.library_store import open_target_store
        from inmyhead_app.core.reembed import start_target

        opened = self.library_embedding
        if opened is None or self._runner is None:
            raise IngestError(ErrorKind.INTERNAL, "The vector store is not open in this process.")
        if not opened.mismatch:
            message = f"The library already uses {opened.embedder.model_id}: nothing to re-embed."
            raise IngestError(ErrorKind.INTERNAL, message)
        if self._runner.reembedding is None:
            target = start_target(self.jobs.db, opened.wanted)
            opened.target = target
            opened.target_store = open_target_store(self.settings, self.data_dir, target)
            self.attach_reembedding(target, opened.target_store)
        reembedding = self._runner.reembedding
        assert reembedding is not None
        jobs = reembedding.submit_all()
        if not jobs:
            reembedding.after_job()  # nothing (left) to embed: it may be complete already
        return jobs

    def reload_embedding_settings(self) -> EmbeddingChange | None:
        """Compare the library's model with what the settings ask for now (after Settings were saved).

        A re-embed to a model the settings no longer ask for is abandoned.
        """
        from inmyhead_app.core import providers

        opened = self.library_embedding
        if opened is None:
            return None
        wanted = providers.make_embedder(self.settings)
        if (wanted.model_id, wanted.dimension) != (opened.wanted.model_id, opened.wanted.dimension):
            self._abandon_reembed()
            opened.wanted = wanted
        return self.embedding_change

    def keep_library_model(self) -> int:
        """Set the embedding settings back to the library's model; cancel a re-embed. Jobs cancelled."""
        from inmyhead_app.core.providers import settings_for_model

        opened = self.library_embedding
        if opened is None or not opened.mismatch:
            return 0
        for key, value in settings_for_model(opened.embedder.model_id, opened.embedder.dimension).items():
            self.settings.set(key, value)
        self.settings.save()
        cancelled = self._abandon_reembed()
        opened.wanted = opened.embedder
        return cancelled

    def _abandon_reembed(self) -> int:
        reembedding = self._runner.reembedding if self._runner is not None else None
        if reembedding is None or self._runner is None or self.library_embedding is None:
            return 0
        self._runner.reembedding = None
        self.library_embedding.target = self.library_embedding.target_store = None
        return reembedding.abandon()

    def attach_reembedding(self, target: ReembedTarget, store: Any) -> None:
        from inmyhead_app.core.reembed import Reembedding

        assert self.library_embedding is not None and self._runner is not None
        reembedding = Reembedding(target, self.library_embedding.wanted, store, self.jobs)
        self._runner.reembedding = reembedding

    def start_consumer(self) -> None:
        """Recover unfinished jobs, then start the worker threads (needs the store)."""
        if self._runner is None:
            raise RuntimeError("this Core was opened without the store; it cannot run jobs")
        self.jobs.recover()
        self.jobs.start_consumer()

    def close(self) -> None:
        """Running stages stop at a boundary and are re-queued; the consumer stops; the store is flushed."""
        if self._closed:
            return
        self._closed = True
        self.jobs.close()
        if self._runner is not None:
            self._runner.close()
        if self.store is not None:
            try:
                self.store.flush()
            finally:
                if self.library_embedding is not None:
                    self.library_embedding.close()
                else:
                    self.store.close()
        self.jobs.db.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Core:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_core(
    data_dir: Path | None = None,
    overrides: dict | None = None,
    start_consumer: bool = True,
    *,
    with_store: bool = True,
) -> Core:
    """Open the data folder (``data_dir``, $INMYHEAD_DATA_DIR or the platform's).

    ``overrides`` replace settings for this Core only. ``start_consumer`` recovers unfinished jobs and
    starts the worker threads. ``with_store=False`` opens only the jobs table and queue (no lock): for
    looking at and steering jobs while another process does the work.
    """
    folder = paths.data_dir(data_dir)
    if not any(h.get_name() == "inmyhead-file" for h in logging.getLogger().handlers):
        setup_logging(folder)
    settings = Settings(folder, overrides)
    lock = None
    # Redis + a Qdrant server are made for many processes; otherwise one process owns the folder.
    shared = settings["queue"] == "redis" and settings["store"] == "server"
    if with_store and not shared:
        lock = _FolderLock(folder)
        lock.acquire()
    db = JobsDB(folder)
    jobs = JobManager(settings, folder, db, make_huey(settings, folder))
    if not with_store:
        return Core(folder, settings, jobs, Library(db, None, jobs), None, None, None, None)
    try:
        from inmyhead_app.core.embed.sparse import Bm25Embedder
        from inmyhead_app.core.jobs.runner import JobRunner
        from inmyhead_app.core.library_store import open_library
        from inmyhead_app.core.pipeline import Pipeline
        from inmyhead_app.core.providers import make_metadata_extractor
        from inmyhead_app.core.search import SearchService

        opened = open_library(settings, folder, db)
        embedder, store = opened.embedder, opened.store
        sparse = Bm25Embedder()
        try:
            pipeline = Pipeline(settings, embedder, sparse, make_metadata_extractor(settings), store)
        except BaseException:
            opened.close()
            raise
        runner = JobRunner(jobs, pipeline, folder)
        jobs.attach_runner(runner)
        core = Core(
            folder,
            settings,
            jobs,
            Library(db, store, jobs),
            SearchService(store, embedder, sparse),
            store,
            lock,
            runner,
        )
        core.library_embedding = opened
        if opened.target is not None and opened.target_store is not None:
            core.attach_reembedding(opened.target, opened.target_store)
    except BaseException:
        jobs.close()
        db.close()
        if lock is not None:
            lock.release()
        raise
    if start_consumer:
        core.start_consumer()
    return core
