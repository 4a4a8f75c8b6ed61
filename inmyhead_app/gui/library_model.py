"""Every indexed document with its metadata: the table behind the Library view."""

from __future__ import annotations

import datetime as dt
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
)

from inmyhead_app.gui.formatting import human_size

AnyIndex = QModelIndex | QPersistentModelIndex


class LibColumn(IntEnum):
    TITLE = 0
    TYPE = 1
    PAGES = 2
    CHUNKS = 3
    LANGUAGE = 4
    KEYWORDS = 5
    ADDED = 6
    SIZE = 7


LIB_HEADERS = ("Title", "Type", "Pages", "Chunks", "Language", "Keywords", "Added", "Size")


class LibRole(IntEnum):
    DOCUMENT = Qt.ItemDataRole.UserRole + 1  # the LibraryDocument
    DOC_ID = Qt.ItemDataRole.UserRole + 2
    SORT = Qt.ItemDataRole.UserRole + 3
    FILTER_TEXT = Qt.ItemDataRole.UserRole + 4


def added_text(added_at: Any) -> str:
    """``added_at`` may be an ISO string or Unix seconds; show a local date and time."""
    if not added_at:
        return ""
    try:
        if isinstance(added_at, int | float):
            moment = dt.datetime.fromtimestamp(added_at)
        else:
            moment = dt.datetime.fromisoformat(str(added_at)).astimezone()
    except (TypeError, ValueError, OSError):
        return str(added_at)
    return moment.strftime("%Y-%m-%d %H:%M")


class LibraryModel(QAbstractTableModel):
    """Documents keyed by doc_id; ``set_documents`` diffs against what is shown."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._docs: list[Any] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._docs)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LibColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(LIB_HEADERS):
            return LIB_HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._docs):
            return None
        doc = self._docs[index.row()]
        column = LibColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(doc, column)
        if role == LibRole.DOCUMENT:
            return doc
        if role == LibRole.DOC_ID:
            return doc.doc_id
        if role == LibRole.SORT:
            if column in (LibColumn.PAGES, LibColumn.CHUNKS):
                return int(getattr(doc, column.name.lower(), 0) or 0)
            if column == LibColumn.SIZE:
                return int(doc.size_bytes or 0)
            if column == LibColumn.ADDED:
                return str(doc.added_at or "")
            return self._display(doc, column).lower()
        if role == LibRole.FILTER_TEXT:
            keywords = " ".join(doc.keywords or ())
            return f"{doc.title} {doc.path} {keywords} {doc.summary or ''}".lower()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == LibColumn.TITLE:
                summary = f"\n\n{doc.summary}" if doc.summary else ""
                return f"{doc.path}{summary}"
            if column == LibColumn.KEYWORDS:
                return ", ".join(doc.keywords or ())
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            LibColumn.PAGES,
            LibColumn.CHUNKS,
            LibColumn.SIZE,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(doc: Any, column: LibColumn) -> str:
        match column:
            case LibColumn.TITLE:
                return doc.title or Path(doc.path).name
            case LibColumn.TYPE:
                return (doc.file_type or "").upper()
            case LibColumn.PAGES:
                return str(doc.pages or "")
            case LibColumn.CHUNKS:
                return str(doc.chunks or 0)
            case LibColumn.LANGUAGE:
                return doc.language or ""
            case LibColumn.KEYWORDS:
                return ", ".join(list(doc.keywords or ())[:5])
            case LibColumn.ADDED:
                return added_text(doc.added_at)
            case LibColumn.SIZE:
                return human_size(doc.size_bytes)
        return ""

    def documents(self) -> list[Any]:
        return list(self._docs)

    def set_documents(self, documents: list[Any]) -> None:
        """Show ``documents``: update rows that stayed, remove the gone, append the new (no reset)."""
        incoming = {doc.doc_id: doc for doc in documents}
        for row in range(len(self._docs) - 1, -1, -1):
            if self._docs[row].doc_id not in incoming:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._docs[row]
                self.endRemoveRows()
        known = {}
        for row, doc in enumerate(self._docs):
            known[doc.doc_id] = row
            fresh = incoming[doc.doc_id]
            if _version(fresh) != _version(doc):
                self._docs[row] = fresh
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(LibColumn) - 1))
        new = [doc for doc in documents if doc.doc_id not in known]
        if new:
            start = len(self._docs)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._docs.extend(new)
            self.endInsertRows()


def _version(doc: Any) -> tuple:
    """What the table shows of a document, cheap to compare (a full dataclass compare walks metadata)."""
    return (doc.content_hash, doc.title, doc.chunks, doc.pages, doc.language, doc.added_at, doc.path)


class LibraryFilterModel(QSortFilterProxyModel):
    """Sorts by ``LibRole.SORT``; the filter box matches title, path, keywords and summary."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(LibRole.SORT)
        self.setFilterRole(LibRole.FILTER_TEXT)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)
