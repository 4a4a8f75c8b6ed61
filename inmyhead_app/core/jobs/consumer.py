"""Huey's consumer run in background threads of the app's own process.

Huey's ``Consumer.run`` installs signal handlers, which only works on the main thread; this
subclass skips them, and its workers pick nothing new while the queue is paused.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from huey.api import Huey
from huey.consumer import Consumer, Worker

log = logging.getLogger("inmyhead.jobs.consumer")

PAUSED_POLL_S = 0.2


class _PausableWorker(Worker):
    paused: Callable[[], bool] = staticmethod(lambda: False)

    def loop(self, now: object = None) -> None:
        if self.paused():
            self.stop_flag.wait(PAUSED_POLL_S)
            return
        super().loop(now)


class ThreadConsumer(Consumer):
    """``workers`` worker threads plus Huey's scheduler (retries with back-off, periodic cleanup)."""

    worker_class = _PausableWorker

    def __init__(self, huey: Huey, workers: int, paused: Callable[[], bool]) -> None:
        self._paused = paused
        # Poll an empty queue every 50 ms at first, backing off to 0.5 s: cheap, and still snappy.
        super().__init__(
            huey,
            workers=workers,
            periodic=True,
            initial_delay=0.05,
            backoff=1.5,
            max_delay=0.5,
            worker_type="thread",
            check_worker_health=True,
            health_check_interval=5,
        )
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    def _create_worker(self) -> Worker:
        worker = super()._create_worker()
        worker.paused = self._paused
        return worker

    def _set_signal_handlers(self) -> None:
        """Signals belong to the application, not to a background consumer."""

    def start(self) -> None:
        super().start()
        self._started.set()

    def start_in_background(self) -> None:
        self._thread = threading.Thread(target=self.run, name="inmyhead-consumer", daemon=True)
        self._thread.start()

    def shutdown(self, timeout: float | None = 30.0) -> None:
        """Stop taking tasks and wait for running ones (which stop at their next boundary)."""
        self.shutdown_timeout = timeout
        if self._thread is not None:  # stopping workers that are not started yet would raise
            self._started.wait(timeout)
        self.stop(graceful=True)
        if self._thread is not None:
            self._thread.join(timeout)
