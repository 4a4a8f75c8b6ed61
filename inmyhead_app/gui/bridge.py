"""The one door from the core's worker threads into the GUI.

Core subscribers run on worker threads, so ``on_event`` only appends to a locked buffer. A timer in
the GUI thread drains it every ``interval_ms``, keeps the latest snapshot per job and emits a few
coalesced signals: a flood of per-chunk events becomes one model update per tick.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from inmyhead_app.core.jobs.model import EventKind, JobEvent, JobRecord, JobState

log = logging.getLogger("inmyhead.gui.bridge")

REFRESH_MS = 150


class CoreBridge(QObject):
    """Adapts the core's callback interface to throttled Qt signals; lives in the GUI thread."""

    jobs_changed = Signal(list)  # list[JobRecord], the latest snapshot of each job touched
    jobs_removed = Signal(list)  # list[str], job ids
    jobs_failed = Signal(list)  # list[JobRecord] that reached FAILED during this tick
    documents_indexed = Signal(int)  # how many jobs reached DONE during this tick
    batch_finished = Signal(str, dict)  # batch id, counts by state
    queue_paused = Signal(bool)
    jobs_unknown = Signal(list)  # ids of jobs whose events came without a snapshot
    reembed_finished = Signal(dict)  # every document is in the new model's store: {"model", "dimension"}

    def __init__(self, parent: QObject | None = None, interval_ms: int = REFRESH_MS) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._buffer: list[JobEvent] = []
        self._unsubscribe: Callable[[], None] | None = None
        self.events_received = 0  # for tests and the stall bench
        self.ticks_emitted = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    def attach(self, jobs: Any) -> None:
        """Subscribe to a JobManager's events (``jobs.subscribe(callback) -> unsubscribe``)."""
        self.detach()
        self._unsubscribe = jobs.subscribe(self.on_event)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            try:
                self._unsubscribe()
            except Exception:
                log.exception("unsubscribing from job events failed")
            self._unsubscribe = None

    def on_event(self, event: JobEvent) -> None:
        """Called on core worker threads: buffer only, never touch Qt objects here."""
        with self._lock:
            self._buffer.append(event)
            self.events_received += 1

    @Slot()
    def flush(self) -> None:
        """Drain the buffer and emit the coalesced signals (GUI thread, every tick)."""
        with self._lock:
            if not self._buffer:
                return
            events, self._buffer = self._buffer, []
        latest: dict[str, JobRecord] = {}
        removed: list[str] = []
        unknown: set[str] = set()
        failed: dict[str, JobRecord] = {}
        indexed = 0
        batches: list[tuple[str, dict]] = []
        paused: bool | None = None
        reembedded: dict | None = None
        for event in events:
            kind = event.kind
            if kind in (EventKind.SUBMITTED, EventKind.UPDATED, EventKind.FINISHED):
                if event.job is None:
                    if event.job_id:
                        unknown.add(event.job_id)
                    continue
                job = event.job
                latest[job.id] = job
                unknown.discard(job.id)
                if job.id in removed:
                    removed.remove(job.id)
                if kind is EventKind.FINISHED:
                    if job.state is JobState.FAILED:
                        failed[job.id] = job
                    elif job.state is JobState.DONE:
                        indexed += 1
            elif kind is EventKind.REMOVED and event.job_id:
                latest.pop(event.job_id, None)
                unknown.discard(event.job_id)
                removed.append(event.job_id)
            elif kind is EventKind.BATCH_FINISHED and event.batch_id:
                batches.append((event.batch_id, dict(event.detail)))
            elif kind is EventKind.QUEUE_PAUSED:
                paused = True
            elif kind is EventKind.QUEUE_RESUMED:
                paused = False
            elif kind is EventKind.REEMBED_FINISHED:
                reembedded = dict(event.detail)
        self.ticks_emitted += 1
        if latest:
            self.jobs_changed.emit(list(latest.values()))
        if removed:
            self.jobs_removed.emit(removed)
        if unknown:
            self.jobs_unknown.emit(sorted(unknown))
        if failed:
            self.jobs_failed.emit(list(failed.values()))
        if indexed:
            self.documents_indexed.emit(indexed)
        for batch_id, detail in batches:
            self.batch_finished.emit(batch_id, detail)
        if paused is not None:
            self.queue_paused.emit(paused)
        if reembedded is not None:
            self.reembed_finished.emit(reembedded)

    def stop(self) -> None:
        self.detach()
        self._timer.stop()
