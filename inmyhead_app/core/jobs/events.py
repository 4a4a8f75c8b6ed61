"""Job events: a plain callback fan-out, with progress events coalesced per job.

Callbacks run on the thread that emitted (a worker thread); the GUI adapts them to Qt signals.
Progress updates of one job reach subscribers at most ``MAX_PER_SECOND`` times a second: the
latest snapshot wins, so a 5,000-chunk document never floods a subscriber.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from inmyhead_app.core.jobs.model import EventKind, JobEvent

log = logging.getLogger("inmyhead.jobs.events")

Subscriber = Callable[[JobEvent], None]
MAX_PER_SECOND = 10


class EventBus:
    def __init__(self, max_per_second: float = MAX_PER_SECOND) -> None:
        self._interval = 1.0 / max_per_second
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []
        self._last_sent: dict[str, float] = {}
        self._pending: dict[str, JobEvent] = {}
        self._wake = threading.Event()
        self._closed = False
        self._flusher = threading.Thread(target=self._flush_loop, name="inmyhead-events", daemon=True)
        self._flusher.start()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` for every event; returns a function that unsubscribes it."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def emit(self, event: JobEvent) -> None:
        """Deliver now, except progress updates arriving faster than the limit (kept as pending)."""
        job_id = event.job_id
        now = time.monotonic()
        with self._lock:
            if (
                job_id is not None
                and event.kind is EventKind.UPDATED
                and event.detail.get("progress")
                and now - self._last_sent.get(job_id, 0.0) < self._interval
            ):
                self._pending[job_id] = event
                self._wake.set()
                return
            if job_id is not None:
                self._pending.pop(job_id, None)  # this event is newer than any pending snapshot
                if event.kind in (EventKind.FINISHED, EventKind.REMOVED):
                    self._last_sent.pop(job_id, None)
                else:
                    self._last_sent[job_id] = now
        self._deliver(event)

    def flush(self) -> None:
        """Deliver every pending progress event now."""
        with self._lock:
            pending = list(self._pending.values())
            self._pending.clear()
            now = time.monotonic()
            for event in pending:
                self._last_sent[event.job_id or ""] = now
        for event in pending:
            self._deliver(event)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self._flusher.join(timeout=2)
        self.flush()
        with self._lock:
            self._subscribers.clear()

    def _deliver(self, event: JobEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:
                log.exception("an event subscriber failed on %s", event.kind)

    def _flush_loop(self) -> None:
        while not self._closed:
            self._wake.wait()
            if self._closed:
                return
            time.sleep(self._interval)
            with self._lock:
                if not self._pending:
                    self._wake.clear()
            self.flush()
