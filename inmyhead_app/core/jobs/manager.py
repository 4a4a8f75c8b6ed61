"""JobManager: the public API of the job system (submit, status, cancel, retry, priority, pause, stats).

The jobs table is the record; Huey carries ``(job_id, generation)`` messages. Submitting writes the
rows in one transaction and hands the Huey enqueues to a background thread, so a 10,000-file batch
returns in seconds. Everything here may be called from any thread and from another process on the
same data folder (the CLI): state changes go through the table, which running stages re-read at
every boundary.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from huey import crontab
from huey.api import Huey

from inmyhead_app.core.config import Settings
from inmyhead_app.core.ids import doc_id_for_path
from inmyhead_app.core.jobs.db import ACTIVE_STATES, JobsDB
from inmyhead_app.core.jobs.enqueue import Enqueuer
from inmyhead_app.core.jobs.events import EventBus
from inmyhead_app.core.jobs.model import EventKind, JobEvent, JobKind, JobRecord, JobState
from inmyhead_app.core.jobs.recovery import recover_unfinished
from inmyhead_app.core.jobs.statistics import job_statistics
from inmyhead_app.core.jobs.walk import expand_paths

log = logging.getLogger("inmyhead.jobs.manager")

PAUSED_FLAG = "paused"
PAUSE_REASON_FLAG = "pause_reason"
WATCHDOG_INTERVAL_S = 1.0


@dataclass
class BatchSubmission:
    batch_id: str
    jobs: list[JobRecord] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


class JobManager:
    """Submit documents as jobs and follow, steer and clean them up. Thread-safe."""

    retry_base_s = 2.0  # first retry after about this long, then doubling (with jitter)

    def __init__(self, settings: Settings, data_dir: Path, db: JobsDB, huey: Huey) -> None:
        self.settings = settings
        self.data_dir = Path(data_dir)
        self.db = db
        self.huey = huey
        self.events = EventBus()
        self.stopping = threading.Event()
        self.runner: Any = None  # a JobRunner once this process consumes (attach_runner)
        self._consumer: Any = None
        self._idle = threading.Condition()
        self._watchdog: threading.Thread | None = None

        @huey.task(name="run_job")
        def run_job(job_id: str, generation: int) -> None:
            if self.runner is None:
                raise RuntimeError("this process does not run jobs")
            self.runner.run(job_id, generation)

        @huey.periodic_task(crontab(minute="*/10"), name="cleanup_expired_jobs")
        def cleanup() -> None:
            self.cleanup_expired_jobs()

        self._enqueuer = Enqueuer(huey, run_job, self._notify_idle)

    # --- submitting -------------------------------------------------------------------------------

    def submit_document(
        self,
        path: str | os.PathLike[str],
        priority: int = 5,
        batch_id: str | None = None,
        *,
        force: bool = False,
    ) -> JobRecord:
        """Queue one document (an active job for the same document is returned as is)."""
        path = Path(path).expanduser().absolute()
        existing = self.db.active_job_for_doc(doc_id_for_path(path))
        if existing is not None:
            return existing
        rows = [self._new_row(path, priority, batch_id or uuid.uuid4().hex, force)]
        return self._submit_rows(rows)[0]

    def submit_batch(self, paths: Iterable[str | os.PathLike[str]], priority: int = 5) -> BatchSubmission:
        """Queue files and folders (recursively). Unsupported files are listed in ``skipped``."""
        files, skipped = expand_paths(paths)
        batch = BatchSubmission(uuid.uuid4().hex, skipped=skipped)
        active = self.db.active_jobs_by_doc()
        rows, seen = [], set()
        for path in files:
            doc_id = doc_id_for_path(path)
            if doc_id in seen:
                continue
            seen.add(doc_id)
            existing = self.db.get(active[doc_id]) if doc_id in active else None
            if existing is not None:
                batch.jobs.append(existing)
            else:  # no unfinished job (or it finished and was dismissed since ``active`` was read)
                rows.append(self._new_row(path, priority, batch.batch_id, False, doc_id))
        batch.jobs.extend(self._submit_rows(rows))
        return batch

    def submit_reembed(self, documents: list[dict[str, Any]], priority: int = 4) -> list[JobRecord]:
        """Queue a re-embed job per catalog row (one batch); documents with an unfinished one are left."""
        active = self.db.active_jobs_by_doc()
        batch_id = uuid.uuid4().hex
        rows = []
        for document in documents:
            if document["doc_id"] in active:
                continue
            row = self._new_row(Path(document["path"]), priority, batch_id, False, document["doc_id"])
            row.update(
                kind=str(JobKind.REEMBED),
                file_type=document["file_type"] or row["file_type"],
                size_bytes=document["size_bytes"] or 0,
            )
            rows.append(row)
        return self._submit_rows(rows) if rows else []

    def _new_row(
        self, path: Path, priority: int, batch_id: str, force: bool, doc_id: str | None = None
    ) -> dict[str, Any]:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        return {
            "id": uuid.uuid4().hex,
            "batch_id": batch_id,
            "path": str(path),
            "doc_id": doc_id or doc_id_for_path(path),
            "file_type": path.suffix.lower().lstrip("."),
            "size_bytes": size,
            "state": str(JobState.QUEUED),
            "priority": _clamp_priority(priority),
            "generation": 1,
            "created_at": time.time(),
            "force": int(force),
        }

    def _submit_rows(self, rows: list[dict[str, Any]]) -> list[JobRecord]:
        self.db.insert_jobs(rows)
        records = self.db.get_many([row["id"] for row in rows])
        for row in rows:
            self.enqueue(row["id"], row["generation"], row["priority"])
        for record in records:  # fresh objects from the table: safe to hand out as snapshots
            self.emit(JobEvent(EventKind.SUBMITTED, record.id, record.batch_id, record))
        return records

    def enqueue(self, job_id: str, generation: int, priority: int, delay: float = 0.0) -> None:
        """Hand a task to Huey from the background enqueuer (the caller never waits on the queue)."""
        self._enqueuer.put(job_id, generation, priority, delay)

    def flush_enqueues(self, timeout: float | None = None) -> bool:
        """Wait until every submitted job has reached Huey."""
        return self._enqueuer.flush(timeout)

    # --- status -----------------------------------------------------------------------------------

    def get_job_status(self, job_id: str) -> JobRecord | None:
        return self.db.get(job_id)

    def list_jobs(self, state: JobState | str | None = None) -> list[JobRecord]:
        return self.db.list(state=state)

    def get_batch_status(self, batch_id: str) -> dict[str, Any]:
        counts = self.db.batch_counts(batch_id)
        total = sum(counts.values())
        finished = sum(counts.get(str(s), 0) for s in (JobState.DONE, JobState.FAILED, JobState.CANCELLED))
        return {
            "batch_id": batch_id,
            "total": total,
            "by_state": {str(s): counts.get(str(s), 0) for s in JobState},
            "finished": finished,
            "done": total > 0 and finished == total,
            "progress": finished / total if total else 0.0,
        }

    # --- steering ---------------------------------------------------------------------------------

    def cancel_job(self, job_id: str) -> bool:
        """Cancel a queued or running job; a running stage stops at its next boundary."""
        ok = self.db.finish(
            job_id,
            None,
            JobState.CANCELLED,
            ACTIVE_STATES,
            error_kind="cancelled",
            error_message="Cancelled by the user.",
        )
        if ok:
            running = self.runner.running.get(job_id) if self.runner is not None else None
            if running is not None:
                running.stop.set()
            self.emit_finished(job_id)
        return ok

    def cancel_batch(self, batch_id: str) -> int:
        return self._cancel_many(self.db.cancel_active(batch_id))

    def cancel_all(self) -> int:
        return self._cancel_many(self.db.cancel_active())

    def cancel_kind(self, kind: str) -> int:
        """Cancel every unfinished job of one JobKind (abandoning a re-embed)."""
        return self._cancel_many(self.db.cancel_active(kind=kind))

    def _cancel_many(self, ids: list[str]) -> int:
        running = self.runner.running if self.runner is not None else {}
        batches: set[str] = set()
        for record in self.db.get_many(ids):
            if (job := running.get(record.id)) is not None:
                job.stop.set()
            batches.add(record.batch_id)
            self.emit(JobEvent(EventKind.FINISHED, record.id, record.batch_id, record))
        for batch_id in batches:
            status = self.get_batch_status(batch_id)
            if status["done"]:
                self.emit(JobEvent(EventKind.BATCH_FINISHED, batch_id=batch_id, detail=status))
        return len(ids)

    def retry_job(self, job_id: str) -> bool:
        """Run a failed or cancelled job again from the start."""
        requeued = self.db.requeue(job_id, [JobState.FAILED, JobState.CANCELLED], reset=True)
        if requeued is None:
            return False
        self.enqueue(job_id, *requeued)
        self.emit_job(job_id, EventKind.UPDATED)
        return True

    def retry_failed(self) -> int:
        return sum(self.retry_job(i) for i in self.db.ids([JobState.FAILED]))

    def dismiss_job(self, job_id: str) -> bool:
        """Remove a finished job's record (the dead-letter list keeps failed ones until then)."""
        record = self.db.get(job_id)
        if record is None or not record.state.finished:
            return False
        self._remove([job_id])
        return True

    def clear_finished(self) -> int:
        ids = self.db.ids([JobState.DONE, JobState.CANCELLED])
        self._remove(ids)
        return len(ids)

    def set_priority(self, job_id: str, priority: int) -> bool:
        """Change a job's priority; a queued job is re-enqueued so the queue honours it now."""
        priority = _clamp_priority(priority)
        requeued = self.db.requeue(job_id, [JobState.QUEUED], priority=priority)
        if requeued is not None:
            self.enqueue(job_id, *requeued)
        elif not self.db.update(job_id, priority=priority):
            return False
        self.emit_job(job_id, EventKind.UPDATED)
        return True

    def pause(self, reason: str | None = None) -> None:
        """Workers pick nothing new (running jobs finish); persists across restarts."""
        self.db.set_flag(PAUSED_FLAG, "1")
        self.db.set_flag(PAUSE_REASON_FLAG, reason or "")
        self.emit(JobEvent(EventKind.QUEUE_PAUSED, detail={"reason": reason or "paused by the user"}))

    def resume(self) -> None:
        self.db.set_flag(PAUSED_FLAG, "0")
        self.db.set_flag(PAUSE_REASON_FLAG, "")
        self.emit(JobEvent(EventKind.QUEUE_RESUMED))

    def is_paused(self) -> bool:
        return self.db.get_flag(PAUSED_FLAG, "0") == "1"

    def pause_reason(self) -> str:
        return self.db.get_flag(PAUSE_REASON_FLAG, "") or ""

    # --- statistics and cleanup -------------------------------------------------------------------

    def get_statistics(self) -> dict[str, Any]:
        """Totals by state, success rate, averages, throughput per minute, queue depth, tokens (SQL)."""
        return {**job_statistics(self.db), "paused": self.is_paused()}

    def cleanup_expired_jobs(self) -> int:
        """Remove done and cancelled job records older than the retention period."""
        cutoff = time.time() - float(self.settings["retention_hours"]) * 3600
        ids = self.db.expired_ids(cutoff)
        self._remove(ids)
        if ids:
            log.info("removed %d expired job records", len(ids))
        return len(ids)

    def _remove(self, ids: list[str]) -> None:
        from inmyhead_app.core.pipeline import Artefacts

        self.db.delete_jobs(ids)
        for job_id in ids:
            Artefacts(self.data_dir, job_id).remove()
            self.emit(JobEvent(EventKind.REMOVED, job_id))

    # --- events and waiting -----------------------------------------------------------------------

    def subscribe(self, callback: Callable[[JobEvent], None]) -> Callable[[], None]:
        """Call ``callback(event)`` for job events (on worker threads); returns an unsubscribe function."""
        return self.events.subscribe(callback)

    def _notify_idle(self) -> None:
        with self._idle:
            self._idle.notify_all()

    def emit(self, event: JobEvent) -> None:
        self.events.emit(event)
        if event.kind in (EventKind.FINISHED, EventKind.REMOVED, EventKind.UPDATED, EventKind.QUEUE_RESUMED):
            with self._idle:
                self._idle.notify_all()

    def emit_job(self, job_id: str, kind: EventKind) -> None:
        record = self.db.get(job_id)
        if record is not None:
            self.emit(JobEvent(kind, job_id, record.batch_id, record))

    def emit_finished(self, job_id: str) -> None:
        record = self.db.get(job_id)
        if record is None:
            return
        self.emit(JobEvent(EventKind.FINISHED, job_id, record.batch_id, record))
        status = self.get_batch_status(record.batch_id)
        if status["done"]:
            self.emit(JobEvent(EventKind.BATCH_FINISHED, batch_id=record.batch_id, detail=status))

    def wait_idle(self, timeout: float | None = None, job_ids: Iterable[str] | None = None) -> bool:
        """Wait until no job (or none of ``job_ids``) is queued, running or waiting to retry."""
        ids = list(job_ids) if job_ids is not None else None
        deadline = None if timeout is None else time.monotonic() + timeout

        def idle() -> bool:
            if self._enqueuer.pending:
                return False
            running = set(self.runner.running) if self.runner is not None else set()
            if running and (ids is None or running & set(ids)):
                return False  # a cancelled job's thread is still winding down
            if ids is None:
                return not self.db.ids(ACTIVE_STATES)
            return all((rec := self.db.get(i)) is None or rec.state.finished for i in ids)

        with self._idle:
            while not idle():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                # Other processes change the table too: poll as well as waiting for our own events.
                self._idle.wait(0.25 if remaining is None else min(0.25, remaining))
        return True

    # --- consuming --------------------------------------------------------------------------------

    def recover(self) -> int:
        """Re-enqueue unfinished jobs with a new generation (see ``jobs.recovery``)."""
        return recover_unfinished(self)

    def attach_runner(self, runner: Any) -> None:
        self.runner = runner

    def start_consumer(self) -> None:
        from inmyhead_app.core.jobs.consumer import ThreadConsumer

        if self._consumer is not None:
            return
        self.stopping.clear()
        self._consumer = ThreadConsumer(self.huey, int(self.settings["workers"]), self.is_paused)
        self._consumer.start_in_background()
        self._watchdog = threading.Thread(target=self._watch, name="inmyhead-watchdog", daemon=True)
        self._watchdog.start()

    def _watch(self) -> None:
        """Fail jobs whose stage passed the hard time limit, even while their thread is stuck in a call."""
        from inmyhead_app.core.errors import ErrorKind

        while not self.stopping.wait(WATCHDOG_INTERVAL_S):
            for job in self.runner.overdue() if self.runner is not None else []:
                message = (
                    f"Timed out: {job.record.stage} made no progress for {self.runner.hard_limit_s:.0f} s."
                )
                if self.db.finish(
                    job.record.id,
                    job.generation,
                    JobState.FAILED,
                    [JobState.RUNNING],
                    error_kind=str(ErrorKind.TIMEOUT),
                    error_message=message,
                ):
                    job.stop.set()
                    self.emit_finished(job.record.id)

    def close(self, timeout: float = 30.0) -> None:
        """Stop consuming (running stages stop at a boundary and are re-queued) and stop the threads."""
        self.stopping.set()
        if self._consumer is not None:
            self._consumer.shutdown(timeout)
            self._consumer = None
        self._enqueuer.close(timeout)
        self.events.close()
        self.huey.storage.close() if hasattr(self.huey.storage, "close") else None


def _clamp_priority(priority: int) -> int:
    return max(0, min(10, int(priority)))
