"""Tell the user something happened: the tray's balloon when there is a tray, else a banner in the window."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Level(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


BANNER_STYLES = {
    Level.INFO: ("#e8f0fe", "#174ea6", "#aecbfa"),
    Level.SUCCESS: ("#e6f4ea", "#0d652d", "#a8dab5"),
    Level.WARNING: ("#fef7e0", "#7a4a00", "#fdd663"),
    Level.ERROR: ("#fce8e6", "#a50e0e", "#f6aea9"),
}


class BannerFrame(QFrame):
    """A rounded strip in a Level's colours: a bold title and wrapping text, then the subclass's buttons."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(12, 6, 6, 6)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.row.addWidget(self.title)
        self.row.addWidget(self.text, 1)
        self.level = Level.INFO

    def set_level(self, level: Level) -> None:
        background, foreground, border = BANNER_STYLES[level]
        name = self.objectName()
        self.setStyleSheet(
            f"#{name} {{ background: {background}; border: 1px solid {border};"
            f" border-radius: 6px; }} #{name} QLabel {{ color: {foreground}; }}"
        )
        self.level = level


class NotificationBanner(BannerFrame):
    """An in-window message strip with an optional action; hides itself after a while."""

    action_triggered = Signal(str)  # the action key given to ``show_message``

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("notificationBanner", parent)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.setFlat(True)
        self.action_button.clicked.connect(self._on_action)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        self.row.addWidget(self.action_button)
        self.row.addWidget(close)
        self._action = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(
        self,
        title: str,
        text: str,
        level: Level = Level.INFO,
        action: str = "",
        action_label: str = "",
        timeout_ms: int = 12000,
    ) -> None:
        self.set_level(level)
        self.title.setText(title)
        self.text.setText(text)
        self._action = action
        self.action_button.setText(action_label)
        self.action_button.setVisible(bool(action))
        self.show()
        if timeout_ms > 0:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    @Slot()
    def _on_action(self) -> None:
        self.action_triggered.emit(self._action)
        self.hide()
