"""Run core calls off the GUI thread; get ``(result, error)`` back on it (Picard run_task, Anki QueryOp).

The callback runs on the GUI thread through a queued signal. If its owner (a QObject) was deleted
meanwhile, the late result is dropped instead of crashing into a dead widget.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger("inmyhead.gui.tasks")

Callback = Callable[[Any, BaseException | None], None]


class _Done(QObject):
    """Lives in the GUI thread; workers emit ``finished`` on it, so the slot runs on the GUI thread."""

    finished = Signal(int, object, object)


class _Job(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], Any], done: _Done) -> None:
        super().__init__()
        self._task_id = task_id
        self._fn = fn
        self._done = done

    def run(self) -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = self._fn()
        except BaseException as exc:  # handed to the callback: the one error path decides what to show
            error = exc
        if shiboken6.isValid(self._done):
            self._done.finished.emit(self._task_id, result, error)


class TaskRunner(QObject):
    """A small pool for core calls (SQLite, Qdrant, files) that must not run on the GUI thread."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._done = _Done(self)
        self._done.finished.connect(self._on_finished)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Callback, QObject | None]] = {}
        self._closed = False

    def run(self, fn: Callable[[], Any], callback: Callback, owner: QObject | None = None) -> None:
        """Call ``fn()`` in the pool; later call ``callback(result, error)`` on the GUI thread."""
        if self._closed:
            return
        task_id = next(self._ids)
        self._pending[task_id] = (callback, owner)
        self._pool.start(_Job(task_id, fn, self._done))

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @Slot(int, object, object)
    def _on_finished(self, task_id: int, result: Any, error: BaseException | None) -> None:
        callback, owner = self._pending.pop(task_id, (None, None))
        if callback is None or self._closed:
            return
        if owner is not None and not shiboken6.isValid(owner):
            log.debug("dropped a late result for a deleted %s", type(owner).__name__)
            return
        callback(result, error)

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """Stop delivering results and wait for running calls (they are short; core.close is last)."""
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone(timeout_ms)
        self._pending.clear()
