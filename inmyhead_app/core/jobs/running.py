"""What a worker thread knows about the job it runs, and the context its stages check and report to.

``check()`` raises at a stage boundary when the job must stop: cancelled or re-queued elsewhere (its
generation moved on), the app shutting down, or no progress for the soft time limit. ``progress()``
records and announces how far the stage is, writing the jobs table at most twice a second.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.jobs.db import stages_to_json
from inmyhead_app.core.jobs.model import EventKind, JobEvent, JobRecord, Stage

if TYPE_CHECKING:
    from inmyhead_app.core.jobs.runner import JobRunner

PROGRESS_WRITE_INTERVAL_S = 0.5


class JobInterrupted(Exception):
    """The job's generation moved on (cancelled, re-queued, failed by the watchdog): stop quietly."""


class ShuttingDown(Exception):
    """The app is closing: stop at this boundary and put the job back in the queue."""


@dataclass
class RunningJob:
    """What a worker thread knows about the job it runs; the watchdog and cancel read it."""

    record: JobRecord
    generation: int
    stop: threading.Event = field(default_factory=threading.Event)
    stage_started: dict[Stage, float] = field(default_factory=dict)
    stage_finished: dict[Stage, float] = field(default_factory=dict)
    # When each stage last started or made progress: the time limits measure stalls, not size, so a
    # 1,000-page manual that embeds steadily is never stopped while a stuck one is.
    stage_active: dict[Stage, float] = field(default_factory=dict)
    stalled: set[Stage] = field(default_factory=set)
    store_started: bool = False


class JobStageContext:
    """The ``pipeline.StageContext`` of one running job."""

    def __init__(self, runner: JobRunner, job: RunningJob, stage: Stage) -> None:
        self._runner = runner
        self._job = job
        self._stage = stage
        self._last_write = 0.0

    def should_stop(self) -> bool:
        try:
            self.check()
        except (JobInterrupted, ShuttingDown, IngestError):
            return True
        return False

    def check(self) -> None:
        runner, job = self._runner, self._job
        if runner.manager.stopping.is_set():
            raise ShuttingDown
        current = runner.db.current(job.record.id)
        if job.stop.is_set() or current is None or current[1] != job.generation:
            raise JobInterrupted
        active = job.stage_active.get(self._stage)
        stalled = active is not None and time.monotonic() - active > runner.soft_limit_s
        if stalled or self._stage in job.stalled:
            raise IngestError(
                ErrorKind.TIMEOUT,
                f"Stopped: {self._stage} made no progress for {runner.soft_limit_s:.0f} s.",
            )

    def progress(self, done: int, total: int) -> None:
        runner, job = self._runner, self._job
        with runner.lock:
            now = time.monotonic()
            if now - job.stage_active.get(self._stage, now) > runner.soft_limit_s:
                job.stalled.add(self._stage)  # this step alone took too long: check() stops the stage
            job.stage_active[self._stage] = now
            stage = job.record.stages[self._stage]
            stage.done, stage.total = done, total
            snapshot = copy.deepcopy(job.record)
        now = time.monotonic()
        if now - self._last_write >= PROGRESS_WRITE_INTERVAL_S or done >= total:
            self._last_write = now
            runner.db.update(job.record.id, job.generation, stages=stages_to_json(snapshot.stages))
        runner.manager.emit(
            JobEvent(EventKind.UPDATED, job.record.id, job.record.batch_id, snapshot, {"progress": True})
        )
