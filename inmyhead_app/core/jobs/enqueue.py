"""Hand tasks to Huey from one background thread, many per transaction, so submitters never wait.

A 10,000-file batch is written to the jobs table in one transaction and returns; its Huey messages
follow here (with the SQLite queue, hundreds per transaction). A message lost to a crash before it is
written is harmless: recovery re-enqueues every unfinished job at the next start.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from huey.api import Huey
from huey.utils import normalize_time

from inmyhead_app.core.jobs.queue import uses_sqlite

log = logging.getLogger("inmyhead.jobs.enqueue")

BATCH = 500
Item = tuple[str, int, int, float]  # job_id, generation, priority, delay (s)


class Enqueuer:
    def __init__(self, huey: Huey, task: Any, on_drained: Callable[[], None]) -> None:
        self._huey = huey
        self._task = task  # the TaskWrapper of run_job(job_id, generation)
        self._on_drained = on_drained
        self._queue: queue.Queue[Item | None] = queue.Queue()
        self._cond = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._loop, name="inmyhead-enqueue", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        return self._pending

    def put(self, job_id: str, generation: int, priority: int, delay: float = 0.0) -> None:
        with self._cond:
            self._pending += 1
        self._queue.put((job_id, generation, priority, delay))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything put so far is in Huey."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float | None = None) -> None:
        self.flush(timeout)
        self._queue.put(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            items = [item]
            while len(items) < BATCH:  # drain what is waiting: one transaction for many tasks
                try:
                    following = self._queue.get_nowait()
                except queue.Empty:
                    break
                if following is None:
                    self._queue.put(None)  # stop after this batch
                    break
                items.append(following)
            try:
                self._write(items)
            except Exception:
                log.exception("could not enqueue %d jobs; they are recovered at the next start", len(items))
            finally:
                with self._cond:
                    self._pending -= len(items)
                    self._cond.notify_all()
                self._on_drained()

    def _write(self, items: list[Item]) -> None:
        now_tasks = []
        for job_id, generation, priority, delay in items:
            task = self._task.s(job_id=job_id, generation=generation, priority=priority)
            if delay > 0:
                task.eta = normalize_time(delay=delay, utc=self._huey.utc)
                self._huey.add_schedule(task)
            else:
                now_tasks.append(task)
        if not now_tasks:
            return
        if uses_sqlite(self._huey):
            storage = self._huey.storage
            rows = [
                (storage.name, storage.to_blob(self._huey.serialize_task(t)), t.priority or 0)
                for t in now_tasks
            ]
            with storage.db(commit=True) as cursor:
                cursor.executemany("insert into task (queue, data, priority) values (?, ?, ?)", rows)
        else:
            for task in now_tasks:
                self._huey.enqueue(task)
