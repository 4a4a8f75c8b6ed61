"""Run one job: claim it, run the stages it still needs, record every step in the jobs table.

A stage stops at its next boundary when the job was cancelled (or re-queued) elsewhere, when the
app shuts down, or past the soft time limit. Transient errors go back to the queue after an
exponential back-off with jitter; permanent ones fail at once; a provider's rejected key pauses
the whole queue instead of failing every job behind it.
"""

from __future__ import annotations

import copy
import errno
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.ids import content_hash
from inmyhead_app.core.jobs.db import JobsDB, stages_to_json
from inmyhead_app.core.jobs.model import (
    STAGE_ORDER,
    EventKind,
    JobEvent,
    JobKind,
    JobRecord,
    JobState,
    Stage,
    StageProgress,
    StageStatus,
)
from inmyhead_app.core.jobs.running import JobInterrupted, JobStageContext, RunningJob, ShuttingDown
from inmyhead_app.core.metadata.base import DocumentMetadata
from inmyhead_app.core.pipeline import Artefacts, Embedded, Pipeline, Preprocessed

if TYPE_CHECKING:
    from inmyhead_app.core.jobs.manager import JobManager
    from inmyhead_app.core.reembed import Reembedding

log = logging.getLogger("inmyhead.jobs.runner")

OWNER = f"{socket.gethostname()}:{os.getpid()}"
RETRY_MAX_DELAY_S = 300.0


class JobRunner:
    """Executes Huey's ``run_job(job_id, generation)`` tasks for one JobManager."""

    def __init__(self, manager: JobManager, pipeline: Pipeline, data_dir: Path) -> None:
        self.manager = manager
        self.db: JobsDB = manager.db
        self.pipeline = pipeline
        self.data_dir = data_dir
        self.lock = threading.RLock()
        self.catalog_lock = threading.Lock()
        self.running: dict[str, RunningJob] = {}
        self.reembedding: Reembedding | None = None  # set while a re-embed is under way
        self._side = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inmyhead-metadata")

    @property
    def soft_limit_s(self) -> float:
        return float(self.manager.settings["stage_soft_limit_s"])

    @property
    def hard_limit_s(self) -> float:
        return float(self.manager.settings["stage_hard_limit_s"])

    def close(self) -> None:
        self._side.shutdown(wait=True, cancel_futures=True)

    # --- one run ----------------------------------------------------------------------------------

    def run(self, job_id: str, generation: int) -> None:
        record = self.db.claim(job_id, generation, OWNER)
        if record is None:
            log.debug("dropping stale task for job %s (generation %s)", job_id, generation)
            return
        job = RunningJob(record, generation)
        with self.lock:
            self.running[job_id] = job
        self._emit(job, EventKind.UPDATED)
        artefacts = Artefacts(self.data_dir, job_id)
        try:
            if record.kind == JobKind.REEMBED:
                self._run_reembed(job)
            else:
                self._run_stages(job, artefacts)
        except JobInterrupted:
            self._on_interrupted(job, artefacts)
        except ShuttingDown:
            self._on_shutdown(job)
        except IngestError as error:
            if error.kind is ErrorKind.CANCELLED:  # the parse sandbox saw should_stop(): find out why
                try:
                    self._check(job, job.record.stage or Stage.PARSING)
                except ShuttingDown:
                    self._on_shutdown(job)
                except JobInterrupted:
                    self._on_interrupted(job, artefacts)
                except IngestError as reason:  # over its time limit
                    self._on_error(job, artefacts, reason)
                else:
                    self._on_error(job, artefacts, error)
            else:
                self._on_error(job, artefacts, error)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                log.exception("job %s (%s) failed unexpectedly", job_id, record.path)
                self._on_error(job, artefacts, IngestError(ErrorKind.INTERNAL, f"Unexpected error: {error}"))
            else:
                message = "The disk is full: free some space, then retry."
                self._on_error(job, artefacts, IngestError(ErrorKind.DISK_FULL, message))
        except Exception as error:
            log.exception("job %s (%s) failed unexpectedly", job_id, record.path)
            self._on_error(job, artefacts, IngestError(ErrorKind.INTERNAL, f"Unexpected error: {error}"))
        finally:
            with self.lock:
                self.running.pop(job_id, None)

    def _run_stages(self, job: RunningJob, artefacts: Artefacts) -> None:
        record = job.record
        path = record.path
        try:
            digest = content_hash(path)
            stat = Path(path).stat()
        except FileNotFoundError as error:
            raise IngestError(ErrorKind.NOT_FOUND, f"The file is gone: {path}") from error
        except PermissionError as error:
            raise IngestError(ErrorKind.PERMISSION, f"No permission to read {path}") from error
        except OSError as error:
            raise IngestError(ErrorKind.FILE_BUSY, f"The file could not be read just now: {error}") from error
        row = self.db.row(record.id)
        assert row is not None  # the job was just claimed
        if row["content_hash"] and row["content_hash"] != digest:
            artefacts.remove()  # the file changed since the last attempt: start over
            record.stages = {stage: StageProgress() for stage in STAGE_ORDER}
        self.db.update(
            record.id, job.generation, content_hash=digest, mtime=stat.st_mtime, size_bytes=stat.st_size
        )
        if not row["force"] and self._finish_if_duplicate(job, digest):
            artefacts.remove()
            return

        parsed = artefacts.load_parsed() if self._done(job, Stage.PARSING) else None
        if parsed is None:
            parsed = self._stage(
                job, Stage.PARSING, lambda ctx: self.pipeline.parse(path, ctx, hard_limit_s=self.hard_limit_s)
            )
            artefacts.save_parsed(parsed)
            self._stage_done(job, Stage.PARSING, pages=len(parsed.pages), warnings=parsed.warnings)

        pre = artefacts.load_preprocessed() if self._done(job, Stage.PREPROCESSING) else None
        if pre is None:
            pre = self._stage(
                job, Stage.PREPROCESSING, lambda ctx: self.pipeline.preprocess(record.doc_id, parsed, ctx)
            )
            artefacts.save_preprocessed(pre)
            self._stage_done(job, Stage.PREPROCESSING)

        embedded, meta = self._embed_and_metadata(job, artefacts, parsed, pre, digest)

        self._check(job, Stage.STORING)
        self._begin(job, Stage.STORING)
        ctx = JobStageContext(self, job, Stage.STORING)
        with self.catalog_lock:
            if not row["force"] and self._finish_if_duplicate(job, digest):
                artefacts.remove()
                return
            job.store_started = True
            ctx.check()
            added_at = time.time()
            points = self.pipeline.points(record.doc_id, path, parsed, pre, embedded, meta, added_at)
            self.pipeline.write(record.doc_id, points)
            self.db.upsert_document(
                {
                    "doc_id": record.doc_id,
                    "path": path,
                    "content_hash": digest,
                    "title": meta.title or Path(path).name,
                    "file_type": parsed.file_type,
                    "pages": len(parsed.pages),
                    "chunks": len(points),
                    "language": meta.language,
                    "keywords": meta.keywords,
                    "summary": meta.summary,
                    "metadata": meta.to_dict(),
                    "added_at": added_at,
                    "size_bytes": stat.st_size,
                    "mtime": stat.st_mtime,
                    "embedded_with": self.pipeline.embedder.model_id,
                }
            )
        ctx.progress(len(points), len(points))
        self._stage_done(job, Stage.STORING)
        finished = self._finish(
            job,
            JobState.DONE,
            chunks=len(points),
            pages=len(parsed.pages),
            file_type=parsed.file_type,
            warnings=list(dict.fromkeys([*record.warnings, *parsed.warnings, *meta.warnings])),
        )
        if not finished:  # cancelled while storing: the chunks just written must go
            self._on_interrupted(job, artefacts)
            return
        artefacts.remove()

    def _run_reembed(self, job: RunningJob) -> None:
        """Embed an indexed document's stored chunks with the re-embed's model, into its store."""
        from inmyhead_app.core.reembed import embed_document

        reembedding = self.reembedding
        if reembedding is None or self.pipeline.store is None:
            raise IngestError(
                ErrorKind.INTERNAL,
                "No re-embed is under way any more (the embedding setting changed back); dismiss this job.",
            )
        record = job.record
        with self.lock:
            for stage in (Stage.PARSING, Stage.PREPROCESSING, Stage.METADATA):
                record.stages[stage].status = StageStatus.SKIPPED
        deleted = "The document was deleted before it was re-embedded."
        catalog = self.db.get_document(record.doc_id)
        if catalog is None:
            self._finish(job, JobState.DONE, warnings=[deleted])
            return
        source = self.pipeline.store
        points = self._stage(
            job,
            Stage.EMBEDDING,
            lambda ctx: embed_document(source, reembedding.embedder, record.doc_id, ctx),
        )
        self._stage_done(job, Stage.EMBEDDING)
        self._check(job, Stage.STORING)
        self._begin(job, Stage.STORING)
        ctx = JobStageContext(self, job, Stage.STORING)
        with self.catalog_lock:  # held by Library.delete_document too: no chunks of a deleted document
            ctx.check()
            if self.db.get_document(record.doc_id) is None:
                self._finish(job, JobState.DONE, warnings=[deleted])
                return
            reembedding.store.replace_document(record.doc_id, points)
            reembedding.store.flush()
            # Re-indexed while we embedded the old chunks: leave it behind, the catch-up redoes it.
            self.db.set_embedded_with(record.doc_id, reembedding.model, catalog["added_at"])
        ctx.progress(len(points), len(points))
        self._stage_done(job, Stage.STORING)
        self._finish(job, JobState.DONE, chunks=len(points), pages=catalog["pages"])

    def _embed_and_metadata(
        self, job: RunningJob, artefacts: Artefacts, parsed, pre: Preprocessed, digest: str
    ) -> tuple[Embedded, DocumentMetadata]:
        """Embedding here, metadata on a side thread: the two independent stages overlap."""
        meta = artefacts.load_metadata() if self._done(job, Stage.METADATA) else None
        future = None
        if meta is None:

            def extract(ctx: JobStageContext) -> DocumentMetadata:
                meta = self.pipeline.metadata(parsed, pre.text, digest, ctx)
                job.stage_finished[Stage.METADATA] = time.monotonic()  # it may finish before embedding
                return meta

            future = self._side.submit(self._stage, job, Stage.METADATA, extract)
        embedded = artefacts.load_embedded() if self._done(job, Stage.EMBEDDING) else None
        try:
            if embedded is None:
                embedded = self._stage(job, Stage.EMBEDDING, lambda ctx: self.pipeline.embed(pre.chunks, ctx))
                artefacts.save_embedded(embedded)
                self._stage_done(job, Stage.EMBEDDING)
        finally:
            if future is not None:
                job_meta_error = future.exception()  # wait for it either way
        if future is not None:
            if job_meta_error is not None:
                raise job_meta_error
            meta = future.result()
            artefacts.save_metadata(meta)
            self._stage_done(job, Stage.METADATA)
        assert meta is not None  # loaded from the artefacts, or just extracted
        return embedded, meta

    # --- stage bookkeeping ------------------------------------------------------------------------

    def _done(self, job: RunningJob, stage: Stage) -> bool:
        return job.record.stages[stage].status is StageStatus.DONE

    def _check(self, job: RunningJob, stage: Stage) -> None:
        JobStageContext(self, job, stage).check()

    def _begin(self, job: RunningJob, stage: Stage) -> None:
        with self.lock:
            job.stage_started[stage] = job.stage_active[stage] = time.monotonic()
            job.record.stage = stage
            job.record.stages[stage].status = StageStatus.RUNNING
            snapshot = copy.deepcopy(job.record)
        self.db.update(
            job.record.id, job.generation, stage=str(stage), stages=stages_to_json(snapshot.stages)
        )
        self._emit_snapshot(snapshot, EventKind.UPDATED)

    def _stage(self, job: RunningJob, stage: Stage, work: Callable[[JobStageContext], object]):
        from inmyhead_app.core.usage import metered

        self._check(job, stage)
        self._begin(job, stage)
        with metered() as meter:  # cloud providers' tokens and warnings, counted per thread
            result = work(JobStageContext(self, job, stage))
        if meter.total_tokens or meter.warnings:
            with self.lock:
                job.record.tokens_used += meter.total_tokens
                job.record.warnings = list(dict.fromkeys([*job.record.warnings, *meter.warnings]))
                tokens, warnings = job.record.tokens_used, list(job.record.warnings)
            self.db.update(job.record.id, job.generation, tokens_used=tokens, warnings=warnings)
        return result

    def _stage_done(self, job: RunningJob, stage: Stage, **fields: object) -> None:
        with self.lock:
            progress = job.record.stages[stage]
            progress.status = StageStatus.DONE
            end = job.stage_finished.get(stage, time.monotonic())
            progress.seconds = round(end - job.stage_started.get(stage, end), 3)
            if progress.total == 0:
                progress.done = progress.total = 1
            for key, value in fields.items():
                setattr(job.record, key, value)
            snapshot = copy.deepcopy(job.record)
        self.db.update(job.record.id, job.generation, stages=stages_to_json(snapshot.stages), **fields)
        self._emit_snapshot(snapshot, EventKind.UPDATED)

    def _finish(self, job: RunningJob, state: JobState, **fields: object) -> bool:
        if state is JobState.DONE:  # an earlier attempt's transient error is history now
            fields = {"error_kind": None, "error_message": None, **fields}
        with self.lock:
            stages = job.record.stages
            for progress in stages.values():
                if progress.status in (StageStatus.PENDING, StageStatus.RUNNING):
                    progress.status = StageStatus.SKIPPED if state is JobState.DONE else progress.status
                    if state is JobState.FAILED and progress.status is StageStatus.RUNNING:
                        progress.status = StageStatus.FAILED
            stages_json = stages_to_json(stages)
        ok = self.db.finish(
            job.record.id, job.generation, state, [JobState.RUNNING], stage=None, stages=stages_json, **fields
        )
        if ok:
            self.manager.emit_finished(job.record.id)
            if state is JobState.DONE and self.reembedding is not None:
                self.reembedding.after_job()
        return ok

    def _finish_if_duplicate(self, job: RunningJob, digest: str) -> bool:
        existing = self.db.document_by_hash(digest)
        if existing is None:
            return False
        if self.pipeline.store is not None and self.pipeline.store.count(existing["doc_id"]) == 0:
            return False  # the catalog row outlived its chunks (another store, a wiped folder): index
        return self._finish(
            job,
            JobState.DONE,
            duplicate_of=existing["doc_id"],
            chunks=existing["chunks"],
            pages=existing["pages"],
            file_type=existing["file_type"] or job.record.file_type,
        )

    # --- outcomes ---------------------------------------------------------------------------------

    def _on_interrupted(self, job: RunningJob, artefacts: Artefacts) -> None:
        current = self.db.current(job.record.id)
        if current is None or current[0] in (JobState.CANCELLED, JobState.FAILED):
            if job.store_started and self.pipeline.store is not None:
                self.pipeline.store.delete_document(job.record.doc_id)
                self.pipeline.store.flush()
                self.db.delete_document(job.record.doc_id)
            artefacts.remove()
            log.info("job %s stopped (%s)", job.record.id, current[0] if current else "removed")

    def _on_shutdown(self, job: RunningJob) -> None:
        requeued = self.db.requeue(job.record.id, [JobState.RUNNING])
        if requeued is not None:
            self.manager.enqueue(job.record.id, *requeued)
            self.manager.emit_job(job.record.id, EventKind.UPDATED)

    def _on_error(self, job: RunningJob, artefacts: Artefacts, error: IngestError) -> None:
        record = job.record
        row = self.db.row(record.id)
        assert row is not None  # a running job is never deleted (only finished ones are)
        retries = row["retries"]
        permanent_timeout = error.kind is ErrorKind.TIMEOUT and record.stage is Stage.PARSING
        if error.transient and not permanent_timeout and retries < int(self.manager.settings["max_retries"]):
            delay = error.retry_after or self.manager.retry_base_s * (2**retries)
            delay = min(delay * random.uniform(0.8, 1.3), RETRY_MAX_DELAY_S)
            self.db.update(
                record.id,
                job.generation,
                retries=retries + 1,
                error_kind=str(error.kind),
                error_message=error.message,
            )
            requeued = self.db.requeue(
                record.id, [JobState.RUNNING], next_attempt_at=time.time() + delay, state=JobState.RETRY_WAIT
            )
            if requeued is not None:
                log.info("job %s: %s; retry %d in %.1f s", record.id, error.message, retries + 1, delay)
                self.manager.enqueue(record.id, *requeued, delay=delay)
                self.manager.emit_job(record.id, EventKind.UPDATED)
            return
        log.info("job %s failed: %s (%s)", record.id, error.message, error.kind)
        if self._finish(job, JobState.FAILED, error_kind=str(error.kind), error_message=error.message):
            artefacts.remove()
        if error.kind is ErrorKind.PROVIDER_AUTH:
            self.manager.pause(reason=error.message)

    # --- events -----------------------------------------------------------------------------------

    def _emit(self, job: RunningJob, kind: EventKind) -> None:
        with self.lock:
            snapshot = copy.deepcopy(job.record)
        self._emit_snapshot(snapshot, kind)

    def _emit_snapshot(self, snapshot: JobRecord, kind: EventKind) -> None:
        self.manager.emit(JobEvent(kind, snapshot.id, snapshot.batch_id, snapshot))

    def overdue(self) -> list[RunningJob]:
        """Jobs whose current stage passed the hard limit (the watchdog fails them)."""
        now = time.monotonic()
        with self.lock:
            return [
                job
                for job in self.running.values()
                if job.record.stage is not None
                and now - job.stage_active.get(job.record.stage, now) > self.hard_limit_s
            ]
