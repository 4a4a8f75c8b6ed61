"""The Search tab: one query box, filters, results grouped by document with highlighted snippets."""

from __future__ import annotations

import datetime as dt
import html
import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextBrowser,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inmyhead_app.core.documents.model import FILE_TYPES
from inmyhead_app.core.search import ChunkHit, DocumentHit
from inmyhead_app.core.store.base import SearchFilters
from inmyhead_app.gui.library_view import open_path
from inmyhead_app.gui.search_model import SearchResultsModel, SearchRole, highlight_html, page_label
from inmyhead_app.gui.tasks import TaskRunner

log = logging.getLogger("inmyhead.gui.search")

DATE_RANGES = (("Any time", None), ("Past day", 1), ("Past week", 7), ("Past month", 31), ("Past year", 366))
MODES = (("Hybrid", "hybrid"), ("Meaning", "dense"), ("Keywords", "keyword"))


class ResultDelegate(QStyledItemDelegate):
    """Rich text rows: a document's title, where it is and its best snippet; a chunk's page and snippet."""

    def _document(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QTextDocument:
        doc = QTextDocument()
        doc.setDocumentMargin(4)
        doc.setDefaultFont(option.font)
        hit = index.data(SearchRole.HIT)
        snippet = index.data(SearchRole.HTML) or ""
        muted = option.palette.color(QPalette.ColorRole.PlaceholderText).name()
        if isinstance(hit, DocumentHit):
            where = " · ".join(
                part
                for part in (
                    (hit.file_type or "").upper(),
                    hit.language or "",
                    page_label(hit.page, None),
                    html.escape(hit.path),
                )
                if part
            )
            title = html.escape(hit.title or Path(hit.path).name)
            doc.setHtml(
                f'<div style="font-size:11pt;font-weight:600">{title}</div>'
                f'<div style="color:{muted};font-size:8pt">{where}</div>'
                + ("" if hit.chunks else f"<div>{snippet}</div>")  # the chunks below carry the text
            )
        elif isinstance(hit, ChunkHit):
            label = page_label(hit.page_start, hit.page_end) or f"chunk {hit.chunk_index + 1}"
            doc.setHtml(f'<span style="color:{muted}">{html.escape(label)} —</span> {snippet}')
        width = option.rect.width() if option.rect.width() > 0 else 600
        doc.setTextWidth(max(200, width))
        return doc

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index)
        painter.save()
        painter.translate(option.rect.topLeft())
        context = QAbstractTextDocumentLayout.PaintContext()
        if option.state & QStyle.StateFlag.State_Selected:
            context.palette.setColor(
                QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText)
            )
        painter.setClipRect(QRectF(0, 0, option.rect.width(), option.rect.height()))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        doc = self._document(option, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()) + 4)


def filters_for(file_type: str | None, language: str | None, days: int | None) -> SearchFilters:
    """Build the core's filters from the UI's choices (None = any)."""
    added_from = None
    if days:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        added_from = since.isoformat(timespec="seconds")
    return SearchFilters(
        file_types=(file_type,) if file_type else (),
        languages=(language,) if language else (),
        added_from=added_from,
    )


class SearchView(QWidget):
    """Runs ``core.search.search`` in the pool; a newer query wins over a late older one."""

    error = Signal(str, str)
    results_shown = Signal(str, int)  # query, number of documents

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._core: Any = None
        self._sequence = 0
        self.model = SearchResultsModel(self)

        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText("Ask your documents anything…")
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.setMinimumHeight(32)
        self.query_edit.returnPressed.connect(self.run_search)
        self.search_button = QPushButton("Search")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.run_search)

        self.type_combo = QComboBox()
        self.type_combo.addItem("Any type", None)
        for file_type in FILE_TYPES:
            self.type_combo.addItem(file_type.upper(), file_type)
        self.language_combo = QComboBox()
        self.language_combo.addItem("Any language", None)
        self.date_combo = QComboBox()
        for label, days in DATE_RANGES:
            self.date_combo.addItem(label, days)
        self.mode_combo = QComboBox()
        for label, mode in MODES:
            self.mode_combo.addItem(label, mode)
        self.mode_combo.setToolTip("Hybrid combines meaning (dense vectors) and keywords (BM25)")
        for combo in (self.type_combo, self.language_combo, self.date_combo, self.mode_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)

        self.status = QLabel()
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.setMinimumWidth(self.fontMetrics().horizontalAdvance("999 documents · 9999 ms") + 8)
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.results = QTreeView()
        self.results.setModel(self.model)
        self.results.setHeaderHidden(True)
        self.results.setUniformRowHeights(False)
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(False)
        self.results.setItemDelegate(ResultDelegate(self.results))
        self.results.setExpandsOnDoubleClick(False)
        self.results.doubleClicked.connect(self._on_activated)
        self.results.activated.connect(self._on_activated)
        self.results.selectionModel().currentChanged.connect(self._on_current_changed)

        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.anchorClicked.connect(self._on_preview_link)
        self.preview.setPlaceholderText("Select a result to preview it here.")

        query_row = QHBoxLayout()
        query_row.addWidget(self.query_edit, 1)
        query_row.addWidget(self.search_button)
        filter_row = QHBoxLayout()
        for label, combo in (
            ("Type", self.type_combo),
            ("Language", self.language_combo),
            ("Added", self.date_combo),
            ("Match", self.mode_combo),
        ):
            caption = QLabel(label)
            caption.setStyleSheet("color: palette(placeholder-text);")
            filter_row.addWidget(caption)
            filter_row.addWidget(combo)
        filter_row.addStretch(1)
        filter_row.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.results)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(query_row)
        layout.addLayout(filter_row)
        layout.addWidget(splitter, 1)

    def set_core(self, core: Any) -> None:
        self._core = core

    def set_languages(self, languages: list[str]) -> None:
        current = self.language_combo.currentData()
        self.language_combo.blockSignals(True)
        self.language_combo.clear()
        self.language_combo.addItem("Any language", None)
        for language in sorted({lang for lang in languages if lang}):
            self.language_combo.addItem(language, language)
        index = self.language_combo.findData(current)
        self.language_combo.setCurrentIndex(max(0, index))
        self.language_combo.blockSignals(False)

    def filters(self) -> SearchFilters:
        return filters_for(
            self.type_combo.currentData(), self.language_combo.currentData(), self.date_combo.currentData()
        )

    @Slot()
    def _on_filter_changed(self) -> None:
        if self.query_edit.text().strip():
            self.run_search()

    @Slot()
    def run_search(self) -> None:
        query = self.query_edit.text().strip()
        if not query or self._core is None:
            return
        self._sequence += 1
        sequence = self._sequence
        filters = self.filters()
        mode = self.mode_combo.currentData()
        search = self._core.search
        started = time.perf_counter()
        self.status.setText("Searching…")

        def run() -> tuple[list[DocumentHit], float]:
            hits = search.search(query, filters=filters, limit=20, mode=mode)
            return hits, time.perf_counter() - started

        def done(result: tuple[list[DocumentHit], float] | None, error: BaseException | None) -> None:
            if sequence != self._sequence:
                return  # a newer query is on its way; this answer is stale
            if error is not None or result is None:
                log.error("search failed", exc_info=error)
                self.status.setText("Search failed")
                self.error.emit("Search failed", str(error))
                return
            hits, seconds = result
            self.model.set_results(query, hits)
            self.results.expandAll()
            self.status.setText(
                f"{len(hits)} document{'s' if len(hits) != 1 else ''} · {seconds * 1000:.0f} ms"
                if hits
                else "No matches"
            )
            if hits:
                self.results.setCurrentIndex(self.model.index(0, 0))
            else:
                self.preview.clear()
            self.results_shown.emit(query, len(hits))

        self._tasks.run(run, done, owner=self)

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.preview.clear()
            return
        doc: DocumentHit = current.data(SearchRole.DOCUMENT)
        hit = current.data(SearchRole.HIT)
        page = current.data(SearchRole.PAGE)
        chunks = doc.chunks if isinstance(hit, DocumentHit) else [hit]
        parts = [
            f"<h3 style='margin-bottom:2px'>{html.escape(doc.title or Path(doc.path).name)}</h3>",
            f"<p style='color:gray;margin-top:0'>{html.escape(doc.path)}</p>",
            f"<p><a href='open:{page or 0}'>Open{' at page ' + str(page) if page else ''}</a></p>",
        ]
        for chunk in chunks:
            label = page_label(chunk.page_start, chunk.page_end) or f"Chunk {chunk.chunk_index + 1}"
            parts.append(
                f"<p><b>{html.escape(label)}</b><br>{highlight_html(chunk.snippet, chunk.highlights)}</p>"
            )
        if not chunks:
            parts.append(f"<p>{highlight_html(doc.snippet, doc.highlights)}</p>")
        self.preview.setHtml("".join(parts))
        self._preview_target = (doc.path, page)

    @Slot(QModelIndex)
    def _on_activated(self, index: QModelIndex) -> None:
        doc: DocumentHit = index.data(SearchRole.DOCUMENT)
        if doc is not None:
            open_path(doc.path, index.data(SearchRole.PAGE))

    @Slot("QUrl")
    def _on_preview_link(self, url: Any) -> None:
        target = getattr(self, "_preview_target", None)
        if target is not None:
            open_path(target[0], target[1])
