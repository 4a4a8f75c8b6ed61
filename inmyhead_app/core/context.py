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
from pathlib import Path
from typing import IO, Any

from inmyhead_app.core import paths
from inmyhead_app.core.config import Settings
from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.jobs.manager import JobManager
from inmyhead_app.core.jobs.queue import make_huey
from inmyhead_app.core.library import Library
from inmyhead_app.core.logs import setup_logging

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
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return
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

    @property
    def pipeline(self) -> Any:
        """The stages bound to this Core's providers and store (None without the store)."""
        return self._runner.pipeline if self._runner is not None else None

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
        from inmyhead_app.core.pipeline import Pipeline
        from inmyhead_app.core.providers import make_embedder, make_metadata_extractor
        from inmyhead_app.core.search import SearchService
        from inmyhead_app.core.store.factory import open_store

        embedder = make_embedder(settings)
        sparse = Bm25Embedder()
        store = open_store(settings, folder)
        try:
            store.ensure_collection(embedder.model_id, embedder.dimension)
        except BaseException:
            store.close()
            raise
        pipeline = Pipeline(settings, embedder, sparse, make_metadata_extractor(settings), store)
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
    except BaseException:
        jobs.close()
        db.close()
        if lock is not None:
            lock.release()
        raise
    if start_consumer:
        core.start_consumer()
    return core
