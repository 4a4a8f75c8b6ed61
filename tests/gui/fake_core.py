"""A stand-in core for window tests: the real job records, events and threads, simulated stages.

It follows the Core API the GUI is written against (open_core's Core): jobs, library, search,
settings, close. Processing runs on a real background thread and reports through subscribe().
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from inmyhead_app.core.config import Settings
from inmyhead_app.core.jobs.model import (
    STAGE_ORDER,
    EventKind,
    JobEvent,
    JobRecord,
    JobState,
    Stage,
    StageProgress,
    StageStatus,
)
from inmyhead_app.core.search import ChunkHit, DocumentHit

SUPPORTED = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "md", ".html": "html", ".json": "json"}


@dataclass
class BatchSubmission:
    batch_id: str
    jobs: list[JobRecord]
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class LibraryDocument:
    doc_id: str
    path: str
    title: str
    file_type: str
    pages: int
    chunks: int
    language: str
    keywords: list[str]
    summary: str
    added_at: str
    size_bytes: int
    content_hash: str = ""
    metadata: dict = field(default_factory=dict)


class FakeJobs:
    def __init__(self, step_s: float = 0.01, hold: bool = False) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, JobRecord] = {}
        self._callbacks: list[Any] = []
        self._ids = itertools.count(1)
        self._paused = threading.Event()
        self._stop = threading.Event()
        self._hold = hold  # when True, jobs wait in the queue until release()
        self._released = threading.Event()
        self.step_s = step_s
        self.library: dict[str, LibraryDocument] = {}
        self._cancelled: set[str] = set()
        self._work = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._run, name="fake-consumer", daemon=True)
        self._thread.start()

    def subscribe(self, callback: Any) -> Any:
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unsubscribe

    def _emit(self, kind: EventKind, job: JobRecord | None = None, **kw: Any) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        snap = replace(job, stages={s: replace(p) for s, p in job.stages.items()}) if job else None
        for cb in callbacks:
            cb(
                JobEvent(
                    kind,
                    job.id if job else None,
                    job.batch_id if job else kw.get("batch_id"),
                    snap,
                    kw.get("detail", {}),
                )
            )

    def submit_batch(self, paths: list[str], priority: int = 5) -> BatchSubmission:
        batch_id = f"batch-{next(self._ids)}"
        files: list[Path] = []
        for raw in paths:
            p = Path(raw)
            files.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
        jobs, skipped = [], []
        for f in files:
            kind = SUPPORTED.get(f.suffix.lower())
            if kind is None:
                skipped.append((str(f), "unsupported file type"))
                continue
            job = JobRecord(
                id=f"job-{next(self._ids)}",
                batch_id=batch_id,
                path=str(f),
                doc_id=f"doc-{f.stem}",
                file_type=kind,
                size_bytes=f.stat().st_size if f.exists() else 0,
                state=JobState.QUEUED,
                stage=None,
                priority=priority,
                created_at=time.time(),
            )
            jobs.append(job)
        with self._work:
            for job in jobs:
                self._jobs[job.id] = job
            self._work.notify_all()
        for job in jobs:
            self._emit(EventKind.SUBMITTED, job)
        return BatchSubmission(batch_id, jobs, skipped)

    def release(self) -> None:
        self._released.set()

    def _next(self) -> JobRecord | None:
        with self._work:
            while not self._stop.is_set():
                if not self._paused.is_set() and (not self._hold or self._released.is_set()):
                    queued = [j for j in self._jobs.values() if j.state is JobState.QUEUED]
                    if queued:
                        job = max(queued, key=lambda j: (j.priority, -j.created_at))
                        job.state = JobState.RUNNING
                        job.started_at = time.time()
                        job.attempts += 1
                        return job
                self._work.wait(0.02)
        return None

    def _run(self) -> None:
        while (job := self._next()) is not None:
            self._process(job)

    def _process(self, job: JobRecord) -> None:
        self._emit(EventKind.UPDATED, job)
        text = Path(job.path).read_text(errors="ignore") if job.file_type in ("txt", "md", "html") else ""
        for stage in STAGE_ORDER:
            if job.id in self._cancelled or self._stop.is_set():
                break
            job.stage = stage
            total = 4 if stage is Stage.EMBEDDING else 1
            job.stages[stage] = StageProgress(StageStatus.RUNNING, 0, total)
            for step in range(1, total + 1):
                time.sleep(self.step_s)
                if "bad" in Path(job.path).name and stage is Stage.PARSING:
                    job.stages[stage].status = StageStatus.FAILED
                    self._finish(job, JobState.FAILED, "corrupt", "The file is damaged and cannot be read.")
                    return
                job.stages[stage].done = step
                self._emit(EventKind.UPDATED, job)
            job.stages[stage].status = StageStatus.DONE
        if job.id in self._cancelled:
            self._finish(job, JobState.CANCELLED)
            return
        job.chunks = 4
        job.pages = 1
        self.library[job.doc_id] = LibraryDocument(
            job.doc_id,
            job.path,
            Path(job.path).stem.replace("-", " ").title(),
            job.file_type,
            1,
            4,
            "en",
            ["alpha", "beta"],
            text[:120],
            "2026-11-29T12:00:00+00:00",
            job.size_bytes,
            metadata={"text": text},
        )
        self._finish(job, JobState.DONE)

    def _finish(
        self, job: JobRecord, state: JobState, kind: str | None = None, message: str | None = None
    ) -> None:
        job.state = state
        job.finished_at = time.time()
        job.error_kind, job.error_message = kind, message
        self._emit(EventKind.FINISHED, job)
        with self._lock:
            batch = [j for j in self._jobs.values() if j.batch_id == job.batch_id]
        if all(j.state.finished for j in batch):
            counts = {s.value: sum(1 for j in batch if j.state is s) for s in JobState}
            status = {"batch_id": job.batch_id, "total": len(batch), "by_state": counts, "done": True}
            self._emit(EventKind.BATCH_FINISHED, batch_id=job.batch_id, detail=status)

    def list_jobs(self, state: JobState | None = None) -> list[JobRecord]:
        with self._lock:
            return [replace(j) for j in self._jobs.values() if state is None or j.state is state]

    def get_job_status(self, job_id: str) -> JobRecord | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return replace(job) if job else None

    def cancel_job(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._cancelled.add(job_id)
            queued = job.state is JobState.QUEUED
            if queued:
                job.state = JobState.CANCELLED
                job.finished_at = time.time()
        if queued:
            self._emit(EventKind.FINISHED, job)

    def cancel_all(self) -> None:
        for job in self.list_jobs():
            if not job.state.finished:
                self.cancel_job(job.id)

    def retry_job(self, job_id: str) -> None:
        with self._work:
            job = self._jobs[job_id]
            self._cancelled.discard(job_id)
            job.state, job.stage, job.stages = JobState.QUEUED, None, {}
            job.error_kind = job.error_message = None
            job.finished_at = None
            self._work.notify_all()
        self._emit(EventKind.UPDATED, job)

    def retry_failed(self) -> None:
        for job in self.list_jobs(JobState.FAILED):
            self.retry_job(job.id)

    def set_priority(self, job_id: str, priority: int) -> None:
        with self._lock:
            self._jobs[job_id].priority = priority
        self._emit(EventKind.UPDATED, self._jobs[job_id])

    def dismiss_job(self, job_id: str) -> None:
        with self._lock:
            self._jobs.pop(job_id, None)
        self._emit(EventKind.REMOVED, JobRecord(job_id, "", "", "", "", 0, JobState.DONE, None))

    def clear_finished(self) -> int:
        with self._lock:
            gone = [j for j in self._jobs.values() if j.state in (JobState.DONE, JobState.CANCELLED)]
            for j in gone:
                del self._jobs[j.id]
        return len(gone)

    def pause(self) -> None:
        self._paused.set()
        self._emit(EventKind.QUEUE_PAUSED)

    def resume(self) -> None:
        self._paused.clear()
        self._emit(EventKind.QUEUE_RESUMED)

    def is_paused(self) -> bool:
        return self._paused.is_set()

    def get_statistics(self) -> dict:
        jobs = self.list_jobs()
        by_state = {s.value: sum(1 for j in jobs if j.state is s) for s in JobState}
        finished = by_state["done"] + by_state["failed"]
        return {
            "by_state": by_state,
            "total": len(jobs),
            "success_rate": by_state["done"] / finished if finished else None,
            "avg_duration_s": 0.4,
            "avg_stage_s": {},
            "throughput_per_min": [(0, 2), (60, 5), (120, 3), (180, 8)],
            "docs_per_minute": 4.5,
            "queue_depth": by_state["queued"],
            "tokens_used": 0,
        }

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


class FakeLibrary:
    def __init__(self, jobs: FakeJobs) -> None:
        self._jobs = jobs

    def list_documents(self) -> list[LibraryDocument]:
        return list(self._jobs.library.values())

    def delete_document(self, doc_id: str) -> None:
        self._jobs.library.pop(doc_id, None)

    def reindex_document(self, doc_id: str) -> None:
        pass


class FakeSearch:
    def __init__(self, jobs: FakeJobs) -> None:
        self._jobs = jobs

    def search(
        self, query: str, filters: Any = None, limit: int = 10, mode: str = "hybrid"
    ) -> list[DocumentHit]:
        hits = []
        for doc in self._jobs.library.values():
            text = doc.metadata.get("text", "")
            at = text.lower().find(query.lower())
            if at < 0:
                continue
            start = max(0, at - 40)
            snippet = text[start : at + len(query) + 80]
            span = [(at - start, at - start + len(query))]
            chunk = ChunkHit(0, 1, 1, 0.9, snippet, span)
            hits.append(
                DocumentHit(
                    doc.doc_id, doc.path, doc.title, doc.file_type, "en", 0.9, 1, snippet, span, [chunk]
                )
            )
        return hits[:limit]


class FakeCore:
    def __init__(self, data_dir: Path, step_s: float = 0.01, hold: bool = False) -> None:
        self.data_dir = data_dir
        self.settings = Settings(data_dir)
        self.jobs = FakeJobs(step_s, hold)
        self.library = FakeLibrary(self.jobs)
        self.search = FakeSearch(self.jobs)
        self.closed = False
        self.embedding_change = None  # the settings and the library agree on the model

    def reload_embedding_settings(self) -> None:
        return self.embedding_change

    def close(self) -> None:
        self.jobs.close()
        self.closed = True
