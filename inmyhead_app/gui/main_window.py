"""The main window: a drop zone over Jobs / Library / Search tabs, the batch actions and the tray."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from inmyhead_app.core.jobs.model import JobRecord, JobState
from inmyhead_app.gui.bridge import CoreBridge
from inmyhead_app.gui.drop_zone import DropHint, local_paths
from inmyhead_app.gui.formatting import ERROR_LABELS
from inmyhead_app.gui.icons import app_icon
from inmyhead_app.gui.jobs_model import STATE_FILTERS, Column, JobsFilterModel, JobsModel, Role
from inmyhead_app.gui.library_view import LibraryView, open_path
from inmyhead_app.gui.notifications import Level, NotificationBanner
from inmyhead_app.gui.progress_delegate import StageProgressDelegate
from inmyhead_app.gui.search_view import SearchView
from inmyhead_app.gui.settings_dialog import SettingsDialog
from inmyhead_app.gui.stats_strip import StatsStrip
from inmyhead_app.gui.tasks import TaskRunner
from inmyhead_app.gui.tray import TrayController

log = logging.getLogger("inmyhead.gui.window")

TICK_MS = 1000
# get_statistics scans the jobs table: every 2 s while the Jobs tab shows it, else every 10 s.
STATS_EVERY_TICKS_VISIBLE = 2
STATS_EVERY_TICKS_HIDDEN = 10
TOP_PRIORITY = 10


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
        self.jobs_model = JobsModel(self)
        self.jobs_proxy = JobsFilterModel(self)
        self.jobs_proxy.setSourceModel(self.jobs_model)
        self.last_skipped: list[tuple[str, str]] = []
        self._paused = False
        self._paused_known = False
        self._stats_pending = False
        self._quitting = False
        self._core_closed = False
        self._told_about_tray = False
        self._unseen_failures = 0
        self._skipped_by_batch: dict[str, int] = {}

        self.banner = NotificationBanner(self)
        self.tray = TrayController(self.banner, self, available=tray_available)
        self.stats = StatsStrip(self)
        self.library = LibraryView(self.tasks, self)
        self.search = SearchView(self.tasks, self)
        self._build_actions()
        self._build_jobs_page()
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
    def _build_actions(self) -> None:
        style = self.style()
        self.add_files_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), "Add files…", self
        )
        self.add_files_action.setShortcut(QKeySequence.StandardKey.Open)
        self.add_folder_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DirIcon), "Add folder…", self
        )
        self.pause_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPause), "Pause queue", self
        )
        self.pause_action.setCheckable(True)
        self.retry_failed_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload), "Retry failed", self
        )
        self.cancel_all_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogCancelButton), "Cancel all", self
        )
        self.clear_finished_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogResetButton), "Clear finished", self
        )
        self.settings_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView), "Settings…", self
        )
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.quit_action = QAction("Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        # per-row actions, on the selected jobs
        self.cancel_action = QAction("Cancel", self)
        self.retry_action = QAction("Retry", self)
        self.priority_action = QAction("Move to front of queue", self)
        self.open_action = QAction("Open file", self)
        self.details_action = QAction("Error details…", self)
        self.dismiss_action = QAction("Dismiss", self)

    def _build_jobs_page(self) -> None:
        self.state_filter = QComboBox()
        for label, states in STATE_FILTERS.items():
            self.state_filter.addItem(label, states)
        self.jobs_count = QLabel()
        self.jobs_count.setStyleSheet("color: palette(placeholder-text);")
        self.jobs_table = QTableView()
        self.jobs_table.setModel(self.jobs_proxy)
        self.jobs_table.setItemDelegateForColumn(Column.PROGRESS, StageProgressDelegate(self.jobs_table))
        self.jobs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.jobs_table.setSortingEnabled(True)
        self.jobs_table.setShowGrid(False)
        self.jobs_table.setAlternatingRowColors(True)
        self.jobs_table.setWordWrap(False)
        self.jobs_table.verticalHeader().hide()
        self.jobs_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 18)
        self.jobs_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.jobs_table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.ERROR, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (Column.NAME, 240),
            (Column.TYPE, 54),
            (Column.SIZE, 74),
            (Column.STATE, 110),
            (Column.PROGRESS, 250),
            (Column.ELAPSED, 76),
            (Column.ATTEMPTS, 66),
        ):
            self.jobs_table.setColumnWidth(column, width)
        self.jobs_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.drop_hint = DropHint(self)
        self.jobs_stack = QStackedWidget()
        self.jobs_stack.addWidget(self.drop_hint)
        self.jobs_stack.addWidget(self.jobs_table)

        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel("Show"))
        filter_row.addWidget(self.state_filter)
        filter_row.addStretch(1)
        filter_row.addWidget(self.jobs_count)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.stats)
        layout.addLayout(filter_row)
        layout.addWidget(self.jobs_stack, 1)
        self.jobs_page = page

    def _build_layout(self) -> None:
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.add_files_action, self.add_folder_action])
        toolbar.addSeparator()
        toolbar.addActions(
            [self.pause_action, self.retry_failed_action, self.cancel_all_action, self.clear_finished_action]
        )
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.add_files_action, self.add_folder_action])
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        queue_menu = self.menuBar().addMenu("&Queue")
        queue_menu.addActions(
            [self.pause_action, self.retry_failed_action, self.cancel_all_action, self.clear_finished_action]
        )

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.jobs_page, "Jobs")
        self.tabs.addTab(self.library, "Library")
        self.tabs.addTab(self.search, "Search")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
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
        self.add_files_action.triggered.connect(self.add_files)
        self.add_folder_action.triggered.connect(self.add_folder)
        self.pause_action.toggled.connect(self.set_paused)
        self.retry_failed_action.triggered.connect(self.retry_failed)
        self.cancel_all_action.triggered.connect(self.cancel_all)
        self.clear_finished_action.triggered.connect(self.clear_finished)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action.triggered.connect(self.request_quit)
        self.cancel_action.triggered.connect(self.cancel_selected)
        self.retry_action.triggered.connect(self.retry_selected)
        self.priority_action.triggered.connect(self.raise_priority_selected)
        self.open_action.triggered.connect(self.open_selected)
        self.details_action.triggered.connect(self.show_error_details)
        self.dismiss_action.triggered.connect(self.dismiss_selected)
        self.state_filter.currentIndexChanged.connect(self._on_state_filter)
        self.jobs_table.customContextMenuRequested.connect(self._on_jobs_context_menu)
        self.jobs_table.doubleClicked.connect(self._on_job_double_clicked)
        self.jobs_model.rowsInserted.connect(self._update_jobs_page)
        self.jobs_model.rowsRemoved.connect(self._update_jobs_page)
        self.jobs_model.modelReset.connect(self._update_jobs_page)
        self.library.error.connect(self.show_error)
        self.library.message.connect(self._on_info)
        self.library.loaded.connect(self._on_library_loaded)
        self.search.error.connect(self.show_error)
        self.banner.action_triggered.connect(self._on_banner_action)
        self.drop_hint.add_files_requested.connect(self.add_files)
        self.drop_hint.add_folder_requested.connect(self.add_folder)
        self.tray.show_requested.connect(self.show_from_tray)
        self.tray.pause_toggled.connect(self.pause_action.setChecked)
        self.tray.quit_requested.connect(self.request_quit)
        self._update_jobs_page()

    # --- core ---
    def set_core(self, core: Any) -> None:
        """Attach an opened core: subscribe to its events first, then load what is already there."""
        self.core = core
        self.bridge.attach(core.jobs)
        self.library.set_core(core)
        self.search.set_core(core)
        self._set_core_actions_enabled(True)
        if self.banner.title.text() == "Opening your library":
            self.banner.hide()
        jobs = core.jobs
        self.tasks.run(lambda: (jobs.list_jobs(), jobs.is_paused()), self._on_initial_jobs, owner=self)
        self._refresh_stats()

    def _on_initial_jobs(
        self, result: tuple[list[JobRecord], bool] | None, error: BaseException | None
    ) -> None:
        if error is not None or result is None:
            self.show_error("Could not load the jobs", str(error), error)
            return
        records, paused = result
        self.jobs_model.upsert([r for r in records if self.jobs_model.job(r.id) is None])
        if not self._paused_known:  # a pause/resume since we asked is newer than this answer
            self._on_queue_paused(paused)

    def _set_core_actions_enabled(self, enabled: bool) -> None:
        for action in (
            self.add_files_action,
            self.add_folder_action,
            self.pause_action,
            self.retry_failed_action,
            self.cancel_all_action,
            self.clear_finished_action,
            self.settings_action,
        ):
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
            self.drop_hint.set_highlighted(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.core is not None and local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: Any) -> None:
        self.drop_hint.set_highlighted(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_hint.set_highlighted(False)
        paths = local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    @Slot()
    def add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            "Add documents",
            str(Path.home()),
            "Documents (*.pdf *.docx *.txt *.text *.md *.markdown *.html *.htm *.json);;All files (*)",
        )
        if files:
            self.add_paths([Path(f) for f in files])

    @Slot()
    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of documents", str(Path.home()))
        if folder:
            self.add_paths([Path(folder)])

    def add_paths(self, paths: list[Path]) -> None:
        """Submit files and folders as one batch, off the GUI thread (folders are walked by the core)."""
        if self.core is None:
            return
        jobs = self.core.jobs
        self.statusBar().showMessage(f"Adding {len(paths)} item{'s' if len(paths) != 1 else ''}…")
        self.tasks.run(lambda: jobs.submit_batch([str(p) for p in paths]), self._on_submitted, owner=self)

    def _on_submitted(self, submission: Any, error: BaseException | None) -> None:
        self.statusBar().clearMessage()
        if error is not None or submission is None:
            self.show_error("Could not add the documents", str(error), error)
            return
        self.jobs_model.upsert([job for job in submission.jobs if self.jobs_model.job(job.id) is None])
        skipped = list(submission.skipped)
        self.last_skipped = skipped
        self._skipped_by_batch[submission.batch_id] = len(skipped)
        count = len(submission.jobs)
        if skipped:
            names = ", ".join(Path(path).name for path, _reason in skipped[:3])
            more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
            self.tray.notify(
                f"{len(skipped)} file{'s' if len(skipped) != 1 else ''} skipped",
                f"Added {count}. Not added: {names}{more}.",
                Level.WARNING,
                action="skipped",
                action_label="Details…",
            )
        elif count:
            self.statusBar().showMessage(f"Added {count} document{'s' if count != 1 else ''}", 5000)
        if count:
            self.tabs.setCurrentWidget(self.jobs_page)
        self.paths_submitted.emit(count, len(skipped))

    def show_skipped(self) -> None:
        text = "\n".join(f"{path}\n    {reason}" for path, reason in self.last_skipped)
        box = QMessageBox(
            QMessageBox.Icon.Information, "Skipped files", "", QMessageBox.StandardButton.Ok, self
        )
        box.setText(f"{len(self.last_skipped)} file(s) were not added.")
        box.setInformativeText("In My Head reads PDF, DOCX, TXT, HTML, Markdown and JSON files.")
        box.setDetailedText(text)
        box.open()

    @Slot(str)
    def _on_banner_action(self, action: str) -> None:
        if action == "skipped":
            self.show_skipped()
        elif action == "failed":
            self.tabs.setCurrentWidget(self.jobs_page)
            self.state_filter.setCurrentText("Failed")

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
                self._on_jobs_changed([])

        self.tasks.run(clear, done, owner=self)

    # --- per-row actions ---
    def selected_jobs(self) -> list[JobRecord]:
        model = self.jobs_table.selectionModel()
        if model is None:
            return []
        return [index.data(Role.JOB) for index in model.selectedRows()]

    def _each_selected(self, what: str, method: str, *args: Any, states: tuple[JobState, ...] = ()) -> None:
        if self.core is None:
            return
        ids = [job.id for job in self.selected_jobs() if not states or job.state in states]
        if not ids:
            return
        fn = getattr(self.core.jobs, method)

        def run() -> None:
            for job_id in ids:
                fn(job_id, *args)

        self._call(what, run)

    @Slot()
    def cancel_selected(self) -> None:
        active = (JobState.QUEUED, JobState.RUNNING, JobState.RETRY_WAIT)
        self._each_selected("cancel", "cancel_job", states=active)

    @Slot()
    def retry_selected(self) -> None:
        self._each_selected("retry", "retry_job", states=(JobState.FAILED, JobState.CANCELLED))

    @Slot()
    def raise_priority_selected(self) -> None:
        self._each_selected(
            "change the priority", "set_priority", TOP_PRIORITY, states=(JobState.QUEUED, JobState.RETRY_WAIT)
        )

    @Slot()
    def dismiss_selected(self) -> None:
        self._each_selected(
            "dismiss", "dismiss_job", states=(JobState.FAILED, JobState.CANCELLED, JobState.DONE)
        )

    @Slot()
    def open_selected(self) -> None:
        for job in self.selected_jobs()[:5]:
            open_path(job.path)

    @Slot()
    def show_error_details(self) -> None:
        jobs = [job for job in self.selected_jobs() if job.error_message or job.warnings]
        if not jobs:
            return
        job = jobs[0]
        box = QMessageBox(self)
        box.setIcon(
            QMessageBox.Icon.Warning if job.state is JobState.FAILED else QMessageBox.Icon.Information
        )
        box.setWindowTitle("Error details")
        box.setText(f"<b>{Path(job.path).name}</b>")
        lines = [
            f"Why: {ERROR_LABELS.get(job.error_kind or '', job.error_kind or 'unknown')}",
            job.error_message or "",
            f"Attempts: {job.attempts}",
        ]
        box.setInformativeText("\n".join(line for line in lines if line))
        details = [f"Path: {job.path}", f"Job: {job.id}", f"Stage: {job.stage or '-'}"]
        details += [f"Warning: {w}" for w in job.warnings]
        box.setDetailedText("\n".join(details))
        box.open()

    @Slot(QPoint)
    def _on_jobs_context_menu(self, pos: QPoint) -> None:
        if not self.jobs_table.indexAt(pos).isValid():
            return
        menu = self.jobs_menu()
        menu.popup(self.jobs_table.viewport().mapToGlobal(pos))

    def jobs_menu(self) -> QMenu:
        """The per-row menu, its actions enabled for what the selected jobs allow."""
        jobs = self.selected_jobs()
        states = {job.state for job in jobs}
        self.cancel_action.setEnabled(bool(states & {JobState.QUEUED, JobState.RUNNING, JobState.RETRY_WAIT}))
        self.retry_action.setEnabled(bool(states & {JobState.FAILED, JobState.CANCELLED}))
        self.priority_action.setEnabled(bool(states & {JobState.QUEUED, JobState.RETRY_WAIT}))
        self.details_action.setEnabled(any(job.error_message or job.warnings for job in jobs))
        self.dismiss_action.setEnabled(bool(states & {JobState.FAILED, JobState.CANCELLED, JobState.DONE}))
        menu = QMenu(self)
        menu.addActions([self.open_action, self.details_action])
        menu.addSeparator()
        menu.addActions([self.priority_action, self.cancel_action, self.retry_action, self.dismiss_action])
        return menu

    @Slot(QModelIndex)
    def _on_job_double_clicked(self, index: QModelIndex) -> None:
        job = index.data(Role.JOB)
        if job is not None and job.state is JobState.FAILED:
            self.show_error_details()
        elif job is not None:
            open_path(job.path)

    # --- bridge receivers ---
    @Slot(list)
    def _on_jobs_changed(self, _records: list) -> None:
        self._update_jobs_count()

    @Slot(list)
    def _on_jobs_failed(self, jobs: list[JobRecord]) -> None:
        self._unseen_failures += len(jobs)
        self.tray.set_state("error")
        if len(jobs) == 1:
            job = jobs[0]
            text = f"{Path(job.path).name}: {job.error_message or job.error_kind}"
        else:
            text = ", ".join(Path(job.path).name for job in jobs[:3]) + (" …" if len(jobs) > 3 else "")
        self.tray.notify(
            f"{len(jobs)} document{'s' if len(jobs) != 1 else ''} failed",
            text,
            Level.ERROR,
            action="failed",
            action_label="Show failed",
        )

    @Slot(str, dict)
    def _on_batch_finished(self, batch_id: str, status: dict) -> None:
        counts = status.get("by_state") or {}  # JobManager.get_batch_status(batch_id)
        done = int(counts.get("done", 0))
        failed = int(counts.get("failed", 0))
        cancelled = int(counts.get("cancelled", 0))
        parts = [f"{done} indexed"]
        if failed:
            parts.append(f"{failed} failed")
        if cancelled:
            parts.append(f"{cancelled} cancelled")
        skipped = self._skipped_by_batch.pop(batch_id, 0)
        if skipped:
            parts.append(f"{skipped} skipped (not a supported type)")
        level = Level.WARNING if failed else Level.SUCCESS
        action, label = ("skipped", "Details…") if skipped else ("", "")
        self.tray.notify("Batch finished", ", ".join(parts) + ".", level, action, label)
        self.library.schedule_refresh()

    @Slot(bool)
    def _on_queue_paused(self, paused: bool) -> None:
        self._paused = paused
        self._paused_known = True
        self.pause_action.blockSignals(True)
        self.pause_action.setChecked(paused)
        self.pause_action.blockSignals(False)
        style = self.style()
        if paused:
            self.pause_action.setText("Resume queue")
            self.pause_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        else:
            self.pause_action.setText("Pause queue")
            self.pause_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MediaPause))
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
        self._update_status()

    # --- periodic refresh ---
    @Slot()
    def _on_tick(self) -> None:
        self.jobs_model.tick()
        self._ticks += 1
        visible = self.isVisible() and self.tabs.currentWidget() is self.jobs_page
        every = STATS_EVERY_TICKS_VISIBLE if visible else STATS_EVERY_TICKS_HIDDEN
        if self._ticks % every == 0:
            self._refresh_stats()

    def _refresh_stats(self) -> None:
        if self.core is None or self._stats_pending or self._quitting:
            return
        if self.isHidden() and self.tray.has_tray:
            return  # nobody is looking; the tray state still follows the bridge
        self._stats_pending = True
        self.tasks.run(self.core.jobs.get_statistics, self._on_stats, owner=self)

    def _on_stats(self, stats: dict | None, error: BaseException | None) -> None:
        self._stats_pending = False
        if error is not None or stats is None:
            log.warning("statistics failed: %s", error)
            return
        self.stats.set_statistics(stats)
        self._last_stats = stats
        self._update_tray_state()
        self._update_status()

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

    def _update_status(self) -> None:
        stats = getattr(self, "_last_stats", {}) or {}
        parts = []
        if hasattr(self, "_library_count"):
            parts.append(f"{self._library_count} documents in the library")
        if stats.get("queue_depth"):
            parts.append(f"{stats['queue_depth']} waiting")
        if self._paused:
            parts.append("queue paused")
        self.status_label.setText("  ·  ".join(parts))

    def _update_jobs_count(self) -> None:
        shown, total = self.jobs_proxy.rowCount(), self.jobs_model.rowCount()
        self.jobs_count.setText(f"{shown} of {total} jobs" if shown != total else f"{total} jobs")
        self._update_tray_state()

    @Slot()
    def _update_jobs_page(self) -> None:
        has_jobs = self.jobs_model.rowCount() > 0
        self.jobs_stack.setCurrentWidget(self.jobs_table if has_jobs else self.drop_hint)
        self._update_jobs_count()

    @Slot(int)
    def _on_state_filter(self, _index: int) -> None:
        self.jobs_proxy.set_states(self.state_filter.currentData())
        if self.state_filter.currentText() == "Failed":
            self._unseen_failures = 0
        self._skipped_by_batch: dict[str, int] = {}
        self._update_jobs_count()

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
        if self._core_closed or self.core is None:
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
        core = self.core
        if core is None:
            self._on_core_closed(None, None)
            return
        self.tasks.run(core.close, self._on_core_closed, owner=self)

    def _on_core_closed(self, _result: Any, error: BaseException | None) -> None:
        if error is not None:
            log.error("closing the core failed", exc_info=error)
        self._core_closed = True
        self.tray.hide()
        self.tasks.shutdown()
        self.core_closed.emit()
        self.close()

    def icon(self) -> QIcon:
        return self.windowIcon()
