"""The Jobs tab: statistics strip, state filter, the jobs table and what you can do to selected rows."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inmyhead_app.core.jobs.model import JobRecord, JobState
from inmyhead_app.gui.drop_zone import DropHint
from inmyhead_app.gui.formatting import ERROR_LABELS
from inmyhead_app.gui.jobs_model import STATE_FILTERS, Column, JobsFilterModel, JobsModel, Role
from inmyhead_app.gui.library_view import open_path
from inmyhead_app.gui.progress_delegate import StageProgressDelegate
from inmyhead_app.gui.stats_strip import StatsStrip
from inmyhead_app.gui.tasks import TaskRunner

log = logging.getLogger("inmyhead.gui.jobs")

TOP_PRIORITY = 10
ACTIVE = frozenset({JobState.QUEUED, JobState.RUNNING, JobState.RETRY_WAIT})
RETRYABLE = frozenset({JobState.FAILED, JobState.CANCELLED})
WAITING = frozenset({JobState.QUEUED, JobState.RETRY_WAIT})
DISMISSABLE = frozenset({JobState.FAILED, JobState.CANCELLED, JobState.DONE})
COLUMN_WIDTHS = {
    Column.NAME: 240,
    Column.TYPE: 54,
    Column.SIZE: 74,
    Column.STATE: 110,
    Column.PROGRESS: 250,
    Column.ELAPSED: 76,
    Column.ATTEMPTS: 66,
}


class JobsView(QWidget):
    """Per-row actions run the core call in the pool; failures go to ``error`` (the window's one path)."""

    error = Signal(str, str, object)  # title, plain-language message, the exception
    failed_shown = Signal()  # the user looked at the failed jobs

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._core: Any = None
        self._stats_pending = False
        self.model = JobsModel(self)
        self.proxy = JobsFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.stats = StatsStrip(self)
        self.drop_hint = DropHint(self)

        self.state_filter = QComboBox()
        for label, states in STATE_FILTERS.items():
            self.state_filter.addItem(label, states)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")
        self.table = self._build_table()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.drop_hint)
        self.stack.addWidget(self.table)
        self._build_actions()

        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel("Show"))
        filter_row.addWidget(self.state_filter)
        filter_row.addStretch(1)
        filter_row.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.stats)
        layout.addLayout(filter_row)
        layout.addWidget(self.stack, 1)

        self.state_filter.currentIndexChanged.connect(self._on_state_filter)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.rowsInserted.connect(self.update_page)
        self.model.rowsRemoved.connect(self.update_page)
        self.model.modelReset.connect(self.update_page)
        self.model.dataChanged.connect(self._on_data_changed)
        self.update_page()
        self._update_actions()

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setItemDelegateForColumn(Column.PROGRESS, StageProgressDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSortingEnabled(True)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 18)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.ERROR, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            table.setColumnWidth(column, width)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # arrival order until the user sorts
        return table

    def _build_actions(self) -> None:
        self.open_action = QAction("Open file", self)
        self.details_action = QAction("Error details…", self)
        self.priority_action = QAction("Move to front of queue", self)
        self.cancel_action = QAction("Cancel", self)
        self.cancel_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.retry_action = QAction("Retry", self)
        self.dismiss_action = QAction("Dismiss", self)
        self.open_action.triggered.connect(self.open_selected)
        self.details_action.triggered.connect(self.show_error_details)
        self.priority_action.triggered.connect(self.raise_priority_selected)
        self.cancel_action.triggered.connect(self.cancel_selected)
        self.retry_action.triggered.connect(self.retry_selected)
        self.dismiss_action.triggered.connect(self.dismiss_selected)
        self.table.addActions([self.cancel_action])

    def set_core(self, core: Any) -> None:
        self._core = core

    # --- what the user sees ---
    @Slot()
    def update_page(self) -> None:
        """The drop hint while there are no jobs, else the table; and the "n of m jobs" count."""
        self.stack.setCurrentWidget(self.table if self.model.rowCount() else self.drop_hint)
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} of {total} jobs" if shown != total else f"{total} jobs")

    def show_states(self, label: str) -> None:
        self.state_filter.setCurrentText(label)

    @Slot(int)
    def _on_state_filter(self, _index: int) -> None:
        self.proxy.set_states(self.state_filter.currentData())
        if self.state_filter.currentText() == "Failed":
            self.failed_shown.emit()
        self.update_page()

    @Slot(QModelIndex, QModelIndex)
    def _on_data_changed(self, _top: QModelIndex, _bottom: QModelIndex) -> None:
        self._update_actions()  # a selected job may have changed state

    def refresh_stats(self) -> None:
        if self._core is None or self._stats_pending:
            return
        self._stats_pending = True
        self._tasks.run(self._core.jobs.get_statistics, self._on_stats, owner=self)

    def _on_stats(self, stats: dict | None, error: BaseException | None) -> None:
        self._stats_pending = False
        if error is not None or stats is None:
            log.warning("statistics failed: %s", error)
            return
        self.stats.set_statistics(stats)
        self.last_stats = stats

    # --- per-row actions ---
    def selected_jobs(self) -> list[JobRecord]:
        return [index.data(Role.JOB) for index in self.table.selectionModel().selectedRows()]

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        jobs = self.selected_jobs()
        states = {job.state for job in jobs}
        self.open_action.setEnabled(bool(jobs))
        self.cancel_action.setEnabled(bool(states & ACTIVE))
        self.retry_action.setEnabled(bool(states & RETRYABLE))
        self.priority_action.setEnabled(bool(states & WAITING))
        self.details_action.setEnabled(any(job.error_message or job.warnings for job in jobs))
        self.dismiss_action.setEnabled(bool(states & DISMISSABLE))

    def _each_selected(self, what: str, method: str, states: frozenset[JobState], *args: Any) -> None:
        if self._core is None:
            return
        ids = [job.id for job in self.selected_jobs() if job.state in states]
        if not ids:
            return
        call = getattr(self._core.jobs, method)

        def run() -> None:
            for job_id in ids:
                call(job_id, *args)

        self._tasks.run(run, self._on_action_done(what), owner=self)

    def _on_action_done(self, what: str) -> Any:
        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.error.emit(f"Could not {what}", str(error), error)

        return done

    @Slot()
    def cancel_selected(self) -> None:
        self._each_selected("cancel", "cancel_job", ACTIVE)

    @Slot()
    def retry_selected(self) -> None:
        self._each_selected("retry", "retry_job", RETRYABLE)

    @Slot()
    def raise_priority_selected(self) -> None:
        self._each_selected("change the priority", "set_priority", WAITING, TOP_PRIORITY)

    @Slot()
    def dismiss_selected(self) -> None:
        self._each_selected("dismiss", "dismiss_job", DISMISSABLE)

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
        failed = job.state is JobState.FAILED
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning if failed else QMessageBox.Icon.Information)
        box.setWindowTitle("Error details")
        box.setText(f"<b>{Path(job.path).name}</b>")
        why = ERROR_LABELS.get(job.error_kind or "", job.error_kind or "unknown")
        lines = [
            f"Why: {why}" if job.error_kind else "",
            job.error_message or "",
            f"Attempts: {job.attempts}",
        ]
        box.setInformativeText("\n".join(line for line in lines if line))
        details = [f"Path: {job.path}", f"Job: {job.id}", f"Stage: {job.stage or '-'}"]
        details += [f"Warning: {w}" for w in job.warnings]
        box.setDetailedText("\n".join(details))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def context_menu(self) -> QMenu:
        """The per-row menu (its actions follow the selection)."""
        menu = QMenu(self)
        menu.addActions([self.open_action, self.details_action])
        menu.addSeparator()
        menu.addActions([self.priority_action, self.cancel_action, self.retry_action, self.dismiss_action])
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return menu

    @Slot(QPoint)
    def _on_context_menu(self, pos: QPoint) -> None:
        if self.table.indexAt(pos).isValid():
            self.context_menu().popup(self.table.viewport().mapToGlobal(pos))

    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        job = index.data(Role.JOB)
        if job is not None and job.state is JobState.FAILED:
            self.show_error_details()
        elif job is not None:
            open_path(job.path)
