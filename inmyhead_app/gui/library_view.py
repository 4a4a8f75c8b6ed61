"""The Library tab: every indexed document, with open, delete and re-index."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inmyhead_app.gui.library_model import LibColumn, LibraryFilterModel, LibraryModel, LibRole
from inmyhead_app.gui.tasks import TaskRunner

log = logging.getLogger("inmyhead.gui.library")


class LibraryView(QWidget):
    """Loads ``core.library.list_documents()`` off the GUI thread; refreshes are debounced."""

    error = Signal(str, str)  # title, plain-language message: the window's one error path
    message = Signal(str, str)  # title, text: an informational notification
    loaded = Signal(int)  # number of documents shown

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._core: Any = None
        self._loading = False
        self._reload_again = False
        self._stale = False
        self.model = LibraryModel(self)
        self.proxy = LibraryFilterModel(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by title, keyword or path")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: palette(placeholder-text);")

        self.open_action = QAction("Open", self)
        self.open_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
        self.open_action.triggered.connect(self.open_selected)
        self.reindex_action = QAction("Re-index", self)
        self.reindex_action.triggered.connect(self.reindex_selected)
        self.delete_action = QAction("Delete from library…", self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_action.triggered.connect(self.delete_selected)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.refresh)

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.count_label)
        for action in (self.open_action, self.reindex_action, self.delete_action, self.refresh_action):
            button = QToolButton()
            button.setDefaultAction(action)
            top.addWidget(button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(LibColumn.ADDED, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.addActions([self.open_action, self.delete_action])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LibColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (LibColumn.TYPE, 56),
            (LibColumn.PAGES, 56),
            (LibColumn.CHUNKS, 62),
            (LibColumn.LANGUAGE, 76),
            (LibColumn.KEYWORDS, 260),
            (LibColumn.ADDED, 130),
            (LibColumn.SIZE, 80),
        ):
            self.table.setColumnWidth(column, width)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(1500)  # while a batch runs, reload at most this often
        self._debounce.timeout.connect(self.refresh)
        self._update_count()

    def set_core(self, core: Any) -> None:
        self._core = core
        self.refresh()

    @Slot()
    def schedule_refresh(self) -> None:
        """Documents were indexed: reload soon, once, however many arrived; if hidden, when shown."""
        if not self.isVisible():
            self._stale = True  # nobody is looking: no work on the GUI thread during a big batch
            return
        if not self._debounce.isActive():
            self._debounce.start()

    def refresh_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_if_stale()

    @Slot()
    def refresh(self) -> None:
        if self._core is None:
            return
        if self._loading:
            self._reload_again = True
            return
        self._loading = True
        self._stale = False
        library = self._core.library
        self._tasks.run(library.list_documents, self._on_loaded, owner=self)

    def _on_loaded(self, documents: list[Any] | None, error: BaseException | None) -> None:
        self._loading = False
        if error is not None:
            log.error("listing the library failed", exc_info=error)
            self.error.emit("Could not load the library", str(error))
        else:
            self.model.set_documents(documents or [])
            self._update_count()
            self.loaded.emit(self.model.rowCount())
        if self._reload_again:
            self._reload_again = False
            self.refresh()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count_label.setText(f"{n} document{'s' if n != 1 else ''}")

    def selected_documents(self) -> list[Any]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [index.data(LibRole.DOCUMENT) for index in rows]

    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        open_path(index.data(LibRole.DOCUMENT).path)

    @Slot()
    def open_selected(self) -> None:
        for doc in self.selected_documents()[:5]:
            open_path(doc.path)

    @Slot()
    def reindex_selected(self) -> None:
        docs = self.selected_documents()
        if not docs or self._core is None:
            return
        library = self._core.library

        def reindex() -> int:
            for doc in docs:
                library.reindex_document(doc.doc_id)
            return len(docs)

        self._tasks.run(reindex, self._on_reindexed, owner=self)

    def _on_reindexed(self, count: int | None, error: BaseException | None) -> None:
        if error is not None:
            log.error("re-index failed", exc_info=error)
            self.error.emit("Could not re-index", str(error))
        else:
            self.message.emit("Re-indexing", f"{count} document{'s' if count != 1 else ''} queued again.")

    @Slot()
    def delete_selected(self, confirm: bool = True) -> None:
        docs = self.selected_documents()
        if not docs or self._core is None:
            return
        if confirm:
            names = "\n".join(f"• {doc.title or Path(doc.path).name}" for doc in docs[:8])
            more = f"\n… and {len(docs) - 8} more" if len(docs) > 8 else ""
            answer = QMessageBox.question(
                self,
                "Delete from library",
                f"Remove these documents from the library?\n\n{names}{more}\n\n"
                "The files themselves are kept.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        library = self._core.library

        def delete() -> int:
            for doc in docs:
                library.delete_document(doc.doc_id)
            return len(docs)

        self._tasks.run(delete, self._on_deleted, owner=self)

    def _on_deleted(self, count: int | None, error: BaseException | None) -> None:
        if error is not None:
            log.error("delete failed", exc_info=error)
            self.error.emit("Could not delete", str(error))
        self.refresh()

    @Slot(QPoint)
    def _on_context_menu(self, pos: QPoint) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        menu.addActions([self.open_action, self.reindex_action])
        menu.addSeparator()
        menu.addAction(self.delete_action)
        menu.popup(self.table.viewport().mapToGlobal(pos))


def open_path(path: str, page: int | None = None) -> bool:
    """Open a file in the system's default viewer; PDFs get a #page= fragment that most viewers honour."""
    url = QUrl.fromLocalFile(path)
    if page and path.lower().endswith(".pdf"):
        url.setFragment(f"page={page}")
    ok = QDesktopServices.openUrl(url)
    if not ok:
        log.warning("no application opened %s", path)
    return ok
