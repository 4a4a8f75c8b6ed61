"""Search results as a two-level tree: a document, then its best matching chunks."""

from __future__ import annotations

import html
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from inmyhead_app.core.search import ChunkHit, DocumentHit

AnyIndex = QModelIndex | QPersistentModelIndex
MARK_STYLE = "background-color:#fde293;color:#202124;font-weight:600"


class SearchRole(IntEnum):
    HIT = Qt.ItemDataRole.UserRole + 1  # DocumentHit or ChunkHit
    DOCUMENT = Qt.ItemDataRole.UserRole + 2  # the DocumentHit of a row or of its parent
    HTML = Qt.ItemDataRole.UserRole + 3  # the snippet with <span> highlights
    PAGE = Qt.ItemDataRole.UserRole + 4  # the page to open, or None
    IS_DOCUMENT = Qt.ItemDataRole.UserRole + 5


def highlight_html(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape ``text`` and wrap each (start, end) span in a highlight; bad spans are ignored."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if end <= start:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<span style="{MARK_STYLE}">{html.escape(text[start:end])}</span>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", " ")


def page_label(page_start: int | None, page_end: int | None) -> str:
    if not page_start:
        return ""
    if page_end and page_end != page_start:
        return f"pp. {page_start}–{page_end}"
    return f"p. {page_start}"


class SearchResultsModel(QAbstractItemModel):
    """Top-level rows are DocumentHits; their children are the ChunkHits (internal id = parent row + 1)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[DocumentHit] = []
        self.query = ""

    def set_results(self, query: str, hits: list[DocumentHit]) -> None:
        self.beginResetModel()  # a new query replaces everything: a reset is the honest signal
        self.query = query
        self._hits = list(hits)
        self.endResetModel()

    def clear(self) -> None:
        self.set_results("", [])

    def hits(self) -> list[DocumentHit]:
        return list(self._hits)

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._hits) else QModelIndex()
        if parent.internalId() != 0 or parent.row() >= len(self._hits):
            return QModelIndex()
        chunks = self._hits[parent.row()].chunks
        return self.createIndex(row, 0, parent.row() + 1) if row < len(chunks) else QModelIndex()

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._hits)
        if parent.internalId() == 0 and parent.column() == 0 and parent.row() < len(self._hits):
            return len(self._hits[parent.row()].chunks)
        return 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if section == 0 and orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "Results"
        return None

    def _item(self, index: AnyIndex) -> tuple[DocumentHit, ChunkHit | None] | None:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            if index.row() < len(self._hits):
                return self._hits[index.row()], None
            return None
        doc_row = index.internalId() - 1
        if doc_row < len(self._hits) and index.row() < len(self._hits[doc_row].chunks):
            doc = self._hits[doc_row]
            return doc, doc.chunks[index.row()]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self._item(index)
        if item is None:
            return None
        doc, chunk = item
        if role == Qt.ItemDataRole.DisplayRole:
            if chunk is None:
                return doc.title or Path(doc.path).name
            label = page_label(chunk.page_start, chunk.page_end)
            return f"{label}  {chunk.snippet}".strip()
        if role == SearchRole.HIT:
            return doc if chunk is None else chunk
        if role == SearchRole.DOCUMENT:
            return doc
        if role == SearchRole.IS_DOCUMENT:
            return chunk is None
        if role == SearchRole.PAGE:
            return doc.page if chunk is None else chunk.page_start
        if role == SearchRole.HTML:
            if chunk is None:
                return highlight_html(doc.snippet, doc.highlights)
            return highlight_html(chunk.snippet, chunk.highlights)
        if role == Qt.ItemDataRole.ToolTipRole:
            return doc.path
        return None
