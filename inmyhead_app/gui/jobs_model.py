"""One row per job: the table behind the Jobs view, updated incrementally from the bridge."""

from __future__ import annotations

import time
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Slot,
)
from PySide6.QtGui import QColor

from inmyhead_app.core.jobs.model import JobRecord, JobState
from inmyhead_app.gui.formatting import (
    STATE_LABELS,
    elapsed,
    human_duration,
    human_size,
    progress_text,
    stage_fraction,
)

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    NAME = 0
    TYPE = 1
    SIZE = 2
    STATE = 3
    PROGRESS = 4
    ELAPSED = 5
    ATTEMPTS = 6
    ERROR = 7


HEADERS = {
    Column.NAME: "Name",
    Column.TYPE: "Type",
    Column.SIZE: "Size",
    Column.STATE: "State",
    Column.PROGRESS: "Progress",
    Column.ELAPSED: "Elapsed",
    Column.ATTEMPTS: "Attempts",
    Column.ERROR: "Error",
}


class Role(IntEnum):
    JOB = Qt.ItemDataRole.UserRole + 1  # the JobRecord
    JOB_ID = Qt.ItemDataRole.UserRole + 2
    STATE = Qt.ItemDataRole.UserRole + 3  # JobState value (str)
    SORT = Qt.ItemDataRole.UserRole + 4  # a sortable key for the column


STATE_COLORS = {
    JobState.DONE: QColor("#1e8e3e"),
    JobState.FAILED: QColor("#c5221f"),
    JobState.CANCELLED: QColor("#80868b"),
    JobState.RETRY_WAIT: QColor("#b06000"),
    JobState.RUNNING: QColor("#1a73e8"),
}


class JobsModel(QAbstractTableModel):
    """JobRecords in arrival order; ``upsert``/``remove`` emit row-level changes, never a reset."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[JobRecord] = []
        self._rows: dict[str, int] = {}

    # --- Qt model API ---
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[Column(section)]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in (Column.SIZE, Column.ELAPSED):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._jobs):
            return None
        job = self._jobs[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(job, column)
        if role == Role.JOB:
            return job
        if role == Role.JOB_ID:
            return job.id
        if role == Role.STATE:
            return str(job.state)
        if role == Role.SORT:
            return self._sort_key(job, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.NAME:
                return job.path
            if column == Column.ERROR and job.error_message:
                return job.error_message
            if column == Column.PROGRESS:
                return progress_text(job)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATE:
            return STATE_COLORS.get(job.state)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            Column.SIZE,
            Column.ELAPSED,
            Column.ATTEMPTS,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(job: JobRecord, column: Column) -> str:
        match column:
            case Column.NAME:
                return Path(job.path).name or job.path
            case Column.TYPE:
                return job.file_type.upper()
            case Column.SIZE:
                return human_size(job.size_bytes)
            case Column.STATE:
                return STATE_LABELS.get(job.state, str(job.state))
            case Column.PROGRESS:
                return progress_text(job)
            case Column.ELAPSED:
                return human_duration(elapsed(job))
            case Column.ATTEMPTS:
                return str(job.attempts)
            case Column.ERROR:
                return (job.error_message or "").splitlines()[0] if job.error_message else ""
        return ""

    @staticmethod
    def _sort_key(job: JobRecord, column: Column) -> Any:
        match column:
            case Column.NAME:
                return Path(job.path).name.lower()
            case Column.SIZE:
                return job.size_bytes
            case Column.PROGRESS:
                return stage_fraction(job)
            case Column.ELAPSED:
                return elapsed(job) or 0.0
            case Column.ATTEMPTS:
                return job.attempts
            case Column.STATE:
                return list(JobState).index(job.state)
        return JobsModel._display(job, column)

    # --- updates ---
    def job(self, job_id: str) -> JobRecord | None:
        row = self._rows.get(job_id)
        return None if row is None else self._jobs[row]

    def jobs(self) -> list[JobRecord]:
        return list(self._jobs)

    @Slot(list)
    def upsert(self, records: list[JobRecord]) -> None:
        """Replace known jobs in place (one dataChanged per run of adjacent rows) and append new ones."""
        fresh: list[JobRecord] = []
        changed: list[int] = []
        for record in records:
            row = self._rows.get(record.id)
            if row is None:
                fresh.append(record)
                continue
            self._jobs[row] = record
            changed.append(row)
        for first, last in _runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))
        if fresh:
            start = len(self._jobs)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            for offset, record in enumerate(fresh):
                self._rows[record.id] = start + offset
                self._jobs.append(record)
            self.endInsertRows()

    @Slot(list)
    def remove(self, job_ids: list[str]) -> None:
        """Remove rows, highest first, in contiguous runs."""
        rows = sorted((self._rows[j] for j in set(job_ids) if j in self._rows), reverse=True)
        while rows:
            last = first = rows.pop(0)
            while rows and rows[0] == first - 1:
                first = rows.pop(0)
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._jobs[first : last + 1]
            self.endRemoveRows()
        if job_ids:
            self._rows = {job.id: row for row, job in enumerate(self._jobs)}

    def replace_all(self, records: list[JobRecord]) -> None:
        """Load the initial list (a reset is right here: everything is new)."""
        self.beginResetModel()
        self._jobs = list(records)
        self._rows = {job.id: row for row, job in enumerate(self._jobs)}
        self.endResetModel()

    @Slot()
    def tick(self) -> None:
        """Refresh the Elapsed column of running jobs (called about once a second)."""
        rows = [row for row, job in enumerate(self._jobs) if job.state is JobState.RUNNING]
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), Column.ELAPSED),
                self.index(max(rows), Column.ELAPSED),
                [Qt.ItemDataRole.DisplayRole],
            )

    def counts(self) -> dict[JobState, int]:
        counts = dict.fromkeys(JobState, 0)
        for job in self._jobs:
            counts[job.state] += 1
        return counts

    def now(self) -> float:
        return time.time()


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """[5, 1, 2, 3, 9] -> [(1, 3), (5, 5), (9, 9)]: the proxy and the view then touch only those rows."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


# The state filter's choices: label -> states shown.
STATE_FILTERS: dict[str, frozenset[JobState]] = {
    "All jobs": frozenset(JobState),
    "Active": frozenset({JobState.QUEUED, JobState.RUNNING, JobState.RETRY_WAIT}),
    "Queued": frozenset({JobState.QUEUED}),
    "Running": frozenset({JobState.RUNNING}),
    "Waiting to retry": frozenset({JobState.RETRY_WAIT}),
    "Done": frozenset({JobState.DONE}),
    "Failed": frozenset({JobState.FAILED}),
    "Cancelled": frozenset({JobState.CANCELLED}),
}


class JobsFilterModel(QSortFilterProxyModel):
    """Sorts by each column's ``Role.SORT`` key and shows only the chosen states."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._states: frozenset[JobState] = STATE_FILTERS["All jobs"]
        self.setSortRole(Role.SORT)
        self.setDynamicSortFilter(True)

    def set_states(self, states: frozenset[JobState]) -> None:
        self.beginFilterChange()
        self._states = frozenset(states)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def states(self) -> frozenset[JobState]:
        return self._states

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        state = self.sourceModel().index(source_row, 0, source_parent).data(Role.STATE)
        return state is not None and JobState(state) in self._states
