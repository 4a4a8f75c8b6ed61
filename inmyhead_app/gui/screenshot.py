"""``inmyhead-gui --screenshot``: drop files on the real window, wait for their jobs, save each view."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QWidget

from inmyhead_app.gui.drop_zone import simulate_drop

log = logging.getLogger("inmyhead.gui.screenshot")
SIZE = (1280, 800)


class ScreenshotDriver(QObject):
    """A small state machine driven by a timer: open -> drop -> wait -> jobs -> library -> search -> quit."""

    def __init__(self, runner: Any, prefix: Path, files: list[Path], query: str, timeout_s: float) -> None:
        super().__init__(runner)
        self.runner = runner
        self.window = runner.window
        self.prefix = prefix
        self.files = [Path(f) for f in files]
        self.query = query
        self.deadline = time.monotonic() + timeout_s
        self.written: list[Path] = []
        self._submitted: int | None = None
        self._step = "wait_core"
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._advance)

    def start(self) -> None:
        self.window.resize(*SIZE)
        self.window.paths_submitted.connect(self._on_submitted)
        self.window.search.results_shown.connect(self._on_results)
        self._timer.start()

    @Slot(int, int)
    def _on_submitted(self, jobs: int, skipped: int) -> None:
        self._submitted = jobs

    @Slot(str, int)
    def _on_results(self, query: str, count: int) -> None:
        if self._step == "wait_search":
            self._step = "shoot_search"

    def _save(self, widget: QWidget, view: str) -> None:
        path = Path(f"{self.prefix}-{view}.png")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        self.written.append(path)
        print(path, flush=True)

    def _jobs_finished(self) -> bool:
        jobs = self.window.jobs_model.jobs()
        return len(jobs) >= (self._submitted or 0) and all(job.state.finished for job in jobs)

    @Slot()
    def _advance(self) -> None:
        if time.monotonic() > self.deadline:
            print(f"inmyhead-gui --screenshot: gave up at step {self._step}", file=sys.stderr)
            self._finish(1)
            return
        window = self.window
        match self._step:
            case "wait_core":
                if window.core is not None:
                    if self.files and not simulate_drop(window, self.files):
                        print("inmyhead-gui --screenshot: the window refused the drop", file=sys.stderr)
                        self._finish(1)
                        return
                    self._step = "wait_jobs" if self.files else "wait_library"
                    if not self.files:
                        self._submitted = 0
            case "wait_jobs":
                if self._submitted is not None and self._jobs_finished():
                    window.library.refresh()
                    self._settle = time.monotonic() + 1.2  # a stats tick and the library reload
                    self._step = "wait_library"
            case "wait_library":
                if time.monotonic() >= getattr(self, "_settle", 0) and not window.tasks.busy:
                    window.tabs.setCurrentWidget(window.jobs_view)
                    self._save(window, "jobs")
                    window.tabs.setCurrentWidget(window.library)
                    self._save(window, "library")
                    window.tabs.setCurrentWidget(window.search)
                    if self.query:
                        window.search.query_edit.setText(self.query)
                        self._step = "wait_search"
                        window.search.run_search()
                    else:
                        self._step = "shoot_search"
            case "shoot_search":
                self._save(window, "search")
                self._finish(0)
            case _:
                pass

    def _finish(self, code: int) -> None:
        self._timer.stop()
        self._step = "done"
        self.runner.exit_code = code
        if self.window.core is None:
            self.runner.app.exit(code)
        else:
            self.window.request_quit()
