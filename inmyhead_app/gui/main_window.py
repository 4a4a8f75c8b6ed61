"""The main window: a drop zone over Jobs / Library / Search tabs, the batch actions and the tray."""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inmyhead_app.core.jobs.model import JobKind, JobRecord, JobState
from inmyhead_app.gui.bridge import CoreBridge
from inmyhead_app.gui.document_intake import DocumentIntake
from inmyhead_app.gui.drop_zone import local_paths
from inmyhead_app.gui.icons import app_icon
from inmyhead_app.gui.job_notices import batch_notice, failures_notice
from inmyhead_app.gui.jobs_view import JobsView
from inmyhead_app.gui.library_view import LibraryView
from inmyhead_app.gui.notifications import Level, NotificationBanner
from inmyhead_app.gui.reembed_bar import EmbeddingChangeBar, ReembedController, model_name
from inmyhead_app.gui.search_view import SearchView
from inmyhead_app.gui.settings_dialog import SettingsDialog
from inmyhead_app.gui.tasks import TaskRunner
from inmyhead_app.gui.tray import TrayController
from inmyhead_app.gui.window_commands import WindowCommands

log = logging.getLogger("inmyhead.gui.window")


def collect_garbage() -> None:
    """The full collection that ``app.tune_gc`` keeps out of batches, run once the queue is idle."""
    started = time.perf_counter()
    found = gc.collect()
    log.debug("idle garbage collection: %d objects in %.0f ms", found, (time.perf_counter() - started) * 1000)


ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING, JobState.RETRY_WAIT})
IDLE_GC_DELAY_MS = 3000
TICK_MS = 1000
# get_statistics scans the jobs table: every 2 s while the Jobs tab shows it, else every 10 s.
STATS_EVERY_TICKS_VISIBLE = 2
STATS_EVERY_TICKS_HIDDEN = 10


class MainWindow(QMainWindow):
    """Views over the core; every core call runs in ``self.tasks`` and comes back through a callback."""

    paths_submitted = Signal(int, int)  # jobs submitted, files skipped
    core_closed = Signal()  # after ``request_quit`` finished closing the core

    def __init__(self, core: Any = None, tray_available: bool | None = None) -> None:
        super().__init__()
        self.setWindowTitle("In My Head")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.resize(1180, 760)
        self.setMinimumSize(860, 560)  # explicit, so layout changes never resize the top level
        self.core: Any = None
        self.tasks = TaskRunner(self, max_threads=3)
        self.bridge = CoreBridge(self)
        self._paused = False
        self._paused_known = False
        self._quitting = False
        self._core_closed = False
        self._told_about_tray = False
        self._unseen_failures = 0

        self.banner = NotificationBanner(self)
        self.tray = TrayController(self.banner, self, available=tray_available)
        self.jobs_view = JobsView(self.tasks, self)
        self.jobs_model = self.jobs_view.model
        self.library = LibraryView(self.tasks, self)
        self.search = SearchView(self.tasks, self)
        self.commands = WindowCommands(self)
        self.intake = DocumentIntake(self)
        self.intake.submitted.connect(self.paths_submitted)
        self.embedding_bar = EmbeddingChangeBar(self)
        self.reembed = ReembedController(self, self.embedding_bar)
        self.reembed.switched.connect(self.set_core)
        self._build_layout()
        self._connect()

        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._ticks = 0
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self._set_core_actions_enabled(False)
        if core is not None:
            self.set_core(core)
        else:
            self.banner.show_message("Opening your library", "One moment…", Level.INFO, timeout_ms=0)

    # --- construction ---
    def _build_layout(self) -> None:
        self.commands.install(self)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.jobs_view, "Jobs")
        self.tabs.addTab(self.library, "Library")
        self.tabs.addTab(self.search, "Search")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addWidget(self.embedding_bar)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status_label = QLabel()
        self.statusBar().addWidget(self.status_label, 1)
        self.setStyleSheet(
            "#statsStrip { background: palette(alternate-base); border: 1px solid palette(mid);"
            " border-radius: 8px; }"
        )

    def _connect(self) -> None:
        self.bridge.jobs_changed.connect(self.jobs_model.upsert)
        self.bridge.jobs_removed.connect(self.jobs_model.remove)
        self.bridge.jobs_changed.connect(self._on_jobs_changed)
        self.bridge.jobs_removed.connect(self._on_jobs_changed)
        self.bridge.jobs_failed.connect(self._on_jobs_failed)
        self.bridge.documents_indexed.connect(self.library.schedule_refresh)
        self.bridge.batch_finished.connect(self._on_batch_finished)
        self.bridge.queue_paused.connect(self._on_queue_paused)
        self.bridge.jobs_unknown.connect(self._on_jobs_unknown)
        self.commands.add_files.triggered.connect(self.intake.add_files)
        self.commands.add_folder.triggered.connect(self.intake.add_folder)
        self.commands.pause.toggled.connect(self.set_paused)
        self.commands.retry_failed.triggered.connect(self.retry_failed)
        self.commands.cancel_all.triggered.connect(self.cancel_all)
        self.commands.clear_finished.triggered.connect(self.clear_finished)
        self.commands.settings.triggered.connect(self.open_settings)
        self.commands.quit.triggered.connect(self.request_quit)
        self.jobs_view.error.connect(self.show_error)
        self.jobs_view.failed_shown.connect(self._on_failed_shown)
        self.library.error.connect(self.show_error)
        self.library.message.connect(self._on_info)
        self.library.loaded.connect(self._on_library_loaded)
        self.search.error.connect(self.show_error)
        self.banner.action_triggered.connect(self._on_banner_action)
        self.jobs_view.drop_hint.add_files_requested.connect(self.intake.add_files)
        self.jobs_view.drop_hint.add_folder_requested.connect(self.intake.add_folder)
        self.tray.show_requested.connect(self.show_from_tray)
        self.tray.pause_toggled.connect(self.commands.pause.setChecked)
        self.tray.quit_requested.connect(self.request_quit)

    # --- core ---
    def set_core(self, core: Any) -> None:
        """Attach an opened core: subscribe to its events first, then load what is already there."""
        self.core = core
        if self._quitting:  # the user quit while it was opening: close it straight away
            self.tasks.run(core.close, self._on_core_closed, owner=self)
            return
        self.bridge.attach(core.jobs)
        self.library.set_core(core)
        self.search.set_core(core)
        self.jobs_view.set_core(core)
        self._set_core_actions_enabled(True)
        if self.banner.title.text() == "Opening your library":
            self.banner.hide()
        jobs = core.jobs
        self.tasks.run(lambda: (jobs.list_jobs(), jobs.is_paused()), self._on_initial_jobs, owner=self)
        self._refresh_stats()
        self.reembed.set_core(core)

    def detach_core(self) -> Any:
        """Let go of the core so it can be reopened (the re-embed's switch); None when there is none."""
        core = self.core
        if core is None or self._quitting:
            return None
        self.core = None
        self.bridge.detach()
        self._set_core_actions_enabled(False)
        return core

    def _on_initial_jobs(
        self, result: tuple[list[JobRecord], bool] | None, error: BaseException | None
    ) -> None:
        if error is not None or result is None:
            self.show_error("Could not load the jobs", str(error), error)
            return
        records, paused = result
        self.jobs_model.upsert([r for r in records if self.jobs_model.job(r.id) is None])
        self.update_status()
        if not self._paused_known:  # a pause/resume since we asked is newer than this answer
            self._on_queue_paused(paused)

    def _set_core_actions_enabled(self, enabled: bool) -> None:
        for action in self.commands.needing_core:
            action.setEnabled(enabled)

    def _call(self, what: str, fn: Any, done_message: str | None = None) -> None:
        """Run one core call in the pool; failures take the one error path."""
        if self.core is None:
            return

        def finished(result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.show_error(f"Could not {what}", str(error), error)
            elif done_message:
                self.statusBar().showMessage(done_message, 4000)

        self.tasks.run(fn, finished, owner=self)

    # --- adding documents ---
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.core is not None and local_paths(event.mimeData()):
            event.acceptProposedAction()
            self.jobs_view.drop_hint.set_highlighted(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.core is not None and local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: Any) -> None:
        self.jobs_view.drop_hint.set_highlighted(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.jobs_view.drop_hint.set_highlighted(False)
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.intake.add_paths(paths)

    @property
    def last_skipped(self) -> list[tuple[str, str]]:
        """The files the last submission left out, with why."""
        return self.intake.last_skipped

    @Slot(str)
    def _on_banner_action(self, action: str) -> None:
        if action == "skipped":
            self.intake.show_skipped()
        elif action == "failed":
            self.tabs.setCurrentWidget(self.jobs_view)
            self.jobs_view.show_states("Failed")

    # --- batch actions ---
    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        if self.core is None or paused == self._paused:
            return
        jobs = self.core.jobs
        self._call("pause the queue" if paused else "resume the queue", jobs.pause if paused else jobs.resume)
        self._on_queue_paused(paused)

    @Slot()
    def retry_failed(self) -> None:
        if self.core is not None:
            self._call(
                "retry the failed documents", self.core.jobs.retry_failed, "Failed documents queued again"
            )

    @Slot()
    def cancel_all(self) -> None:
        if self.core is not None:
            self._call(
                "cancel the jobs", self.core.jobs.cancel_all, "Cancelling every waiting and running job"
            )

    @Slot()
    def clear_finished(self) -> None:
        if self.core is None:
            return
        jobs = self.core.jobs
        finished = [j.id for j in self.jobs_model.jobs() if j.state in (JobState.DONE, JobState.CANCELLED)]

        def clear() -> Any:
            return jobs.clear_finished()

        def done(result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.show_error("Could not clear the finished jobs", str(error), error)
            else:
                self.jobs_model.remove(finished)  # REMOVED events may follow; removing twice is harmless

        self.tasks.run(clear, done, owner=self)

    # --- bridge receivers ---
    @Slot(list)
    def _on_jobs_changed(self, _records: list) -> None:
        self.jobs_view.update_page()
        self._update_tray_state()
        self.update_status()

    @Slot(list)
    def _on_jobs_failed(self, jobs: list[JobRecord]) -> None:
        self._unseen_failures += len(jobs)
        self.tray.set_state("error")
        title, text = failures_notice(jobs)
        self.tray.notify(title, text, Level.ERROR, action="failed", action_label="Show failed")

    @Slot(str, dict)
    def _on_batch_finished(self, batch_id: str, status: dict) -> None:
        reembed = any(j.batch_id == batch_id and j.kind == JobKind.REEMBED for j in self.jobs_model.jobs())
        skipped = self.intake.skipped_by_batch.pop(batch_id, 0)
        text, level = batch_notice(status, skipped, reembed)
        action, label = ("skipped", "Details…") if skipped else ("", "")
        self.tray.notify("Batch finished", text, level, action, label)
        self.library.refresh()  # once per batch, even while the Library tab is hidden
        if not any(job.state in ACTIVE_STATES for job in self.jobs_model.jobs()):
            QTimer.singleShot(IDLE_GC_DELAY_MS, collect_garbage)

    @Slot(bool)
    def _on_queue_paused(self, paused: bool) -> None:
        self._paused = paused
        self._paused_known = True
        self.commands.pause.blockSignals(True)
        self.commands.pause.setChecked(paused)
        self.commands.pause.blockSignals(False)
        style = self.style()
        if paused:
            self.commands.pause.setText("Resume queue")
            self.commands.pause.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        else:
            self.commands.pause.setText("Pause queue")
            self.commands.pause.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPause))
        self.tray.set_paused(paused)
        self._update_tray_state()

    @Slot(list)
    def _on_jobs_unknown(self, job_ids: list[str]) -> None:
        if self.core is None:
            return
        jobs = self.core.jobs

        def fetch() -> list[JobRecord]:
            return [r for r in (jobs.get_job_status(job_id) for job_id in job_ids) if r is not None]

        def done(records: list[JobRecord] | None, error: BaseException | None) -> None:
            if records:
                self.jobs_model.upsert(records)

        self.tasks.run(fetch, done, owner=self)

    @Slot(str, str)
    def _on_info(self, title: str, text: str) -> None:
        self.tray.notify(title, text, Level.INFO)

    @Slot(int)
    def _on_library_loaded(self, count: int) -> None:
        docs = self.library.model.documents()
        self.search.set_languages([getattr(d, "language", "") or "" for d in docs])
        self._library_count = count
        self.update_status()

    # --- periodic refresh ---
    @Slot()
    def _on_tick(self) -> None:
        self.jobs_model.tick()
        self._ticks += 1
        visible = self.isVisible() and self.tabs.currentWidget() is self.jobs_view
        every = STATS_EVERY_TICKS_VISIBLE if visible else STATS_EVERY_TICKS_HIDDEN
        if self._ticks % every == 0:
            self._refresh_stats()

    def _refresh_stats(self) -> None:
        if self.core is None or self._quitting:
            return
        self.jobs_view.refresh_stats()

    def _update_tray_state(self) -> None:
        counts = self.jobs_model.counts()
        active = counts[JobState.QUEUED] + counts[JobState.RUNNING] + counts[JobState.RETRY_WAIT]
        if self._paused:
            self.tray.set_state("paused")
        elif self._unseen_failures:
            self.tray.set_state("error")
        elif active:
            self.tray.set_state("working")
        else:
            self.tray.set_state("idle")

    def update_status(self) -> None:
        # Counted from the jobs model, so the status bar always agrees with the table beside it.
        counts = self.jobs_model.counts()
        waiting = counts[JobState.QUEUED] + counts[JobState.RETRY_WAIT]
        parts = []
        if hasattr(self, "_library_count"):
            parts.append(f"{self._library_count} documents in the library")
            opened = getattr(self.core, "library_embedding", None)
            if opened is not None:  # which model search uses (it changes after a re-embed)
                parts[-1] += f", searched with {model_name(opened.embedder.model_id)}"
        if waiting:
            parts.append(f"{waiting} waiting")
        if self._paused:
            parts.append("queue paused")
        self.status_label.setText("  ·  ".join(parts))

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.search:
            self.library.refresh_if_stale()  # the language filter lists the library's languages

    @Slot()
    def _on_failed_shown(self) -> None:
        self._unseen_failures = 0
        self._update_tray_state()

    # --- errors, settings, window life ---
    def show_error(self, title: str, message: str, error: BaseException | None = None) -> None:
        """The one error path: log it, then tell the user in plain language."""
        log.error("%s: %s", title, message, exc_info=error)
        self.tray.notify(title, message or "Something went wrong; see the log for details.", Level.ERROR)

    @Slot()
    def open_settings(self) -> SettingsDialog | None:
        if self.core is None:
            return None
        data_dir = getattr(self.core, "data_dir", None)
        dialog = SettingsDialog(self.core.settings, Path(data_dir) if data_dir else None, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_settings_saved)
        dialog.open()
        return dialog

    @Slot(list)
    def _on_settings_saved(self, restart_keys: list[str]) -> None:
        self.reembed.settings_changed()
        if restart_keys:
            self.tray.notify(
                "Settings saved", "Some changes take effect the next time In My Head starts.", Level.INFO
            )
        else:
            self.statusBar().showMessage("Settings saved", 4000)

    @Slot()
    def show_from_tray(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._core_closed:
            event.accept()
            return
        if self.tray.has_tray and not self._quitting:
            # keep processing in the tray, as the user expects from a background indexer
            event.ignore()
            self.hide()
            if not self._told_about_tray:
                self._told_about_tray = True
                self.tray.notify("Still running", "In My Head keeps indexing in the tray.", Level.INFO)
            return
        event.ignore()
        self.request_quit()

    @Slot()
    def request_quit(self) -> None:
        """Close the core off the GUI thread (running stages stop at a boundary), then close the window."""
        if self._quitting:
            return
        self._quitting = True
        self._tick.stop()
        self.bridge.stop()
        self.setEnabled(False)
        self.banner.show_message(
            "Closing",
            "Finishing the current step of running jobs; nothing is lost.",
            Level.INFO,
            timeout_ms=0,
        )
        if self.core is not None:
            self.tasks.run(self.core.close, self._on_core_closed, owner=self)
        # else set_core closes the core as soon as it has opened

    def _on_core_closed(self, _result: Any, error: BaseException | None) -> None:
        if error is not None:
            log.error("closing the core failed", exc_info=error)
        self._core_closed = True
        self.tray.hide()
        self.tasks.shutdown()
        self.core_closed.emit()
        self.close()
