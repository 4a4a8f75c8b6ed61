"""What a drop carries (local files and folders) and the empty Jobs page that invites one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from inmyhead_app.gui.icons import app_icon


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders in a drag (remote URLs are ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]


class DropHint(QWidget):
    """Shown while there are no jobs: a dashed drop target with Add files / Add folder buttons."""

    add_files_requested = Signal()
    add_folder_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._highlighted = False
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Drop documents or folders here")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        subtitle = QLabel(
            "PDF, Word (DOCX), text, Markdown, HTML and JSON.\n"
            "Everything is read and indexed on this computer, in the background."
        )
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle.setStyleSheet("color: palette(placeholder-text);")
        files = QPushButton("Add files…")
        folder = QPushButton("Add folder…")
        files.clicked.connect(self.add_files_requested)
        folder.clicked.connect(self.add_folder_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(files)
        buttons.addWidget(folder)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(icon)
        layout.addSpacing(8)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def set_highlighted(self, highlighted: bool) -> None:
        if highlighted != self._highlighted:
            self._highlighted = highlighted
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor("#1a73e8") if self._highlighted else self.palette().color(QPalette.ColorRole.Mid)
        pen = QPen(color, 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        if self._highlighted:
            fill = QColor(color)
            fill.setAlpha(25)
            painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(12, 12, -12, -12), 14, 14)


def simulate_drop(target: QWidget, paths: list[Path]) -> bool:
    """Deliver a drag-enter and a drop of ``paths`` to ``target``, as a real drag from a file manager.

    Used by ``--screenshot``, the stall bench and the tests, so they exercise the same handlers.
    Returns whether the drop was accepted.
    """
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(Path(p).resolve())) for p in paths])
    centre = target.rect().center()
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        QPointF(centre), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        QPointF(centre), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()
