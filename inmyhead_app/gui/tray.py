"""The tray icon (idle / working / error / paused) and its menu; notifications go to it or to the window."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from inmyhead_app.gui.icons import tray_icon
from inmyhead_app.gui.notifications import Level, NotificationBanner

log = logging.getLogger("inmyhead.gui.tray")

TOOLTIPS = {
    "idle": "In My Head — idle",
    "working": "In My Head — indexing",
    "error": "In My Head — some documents failed",
    "paused": "In My Head — queue paused",
}
TRAY_LEVELS = {
    Level.INFO: QSystemTrayIcon.MessageIcon.Information,
    Level.SUCCESS: QSystemTrayIcon.MessageIcon.Information,
    Level.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    Level.ERROR: QSystemTrayIcon.MessageIcon.Critical,
}


def tray_available() -> bool:
    """``supportsMessages()`` is not enough: without a tray there is nowhere to show the icon at all."""
    return QSystemTrayIcon.isSystemTrayAvailable()


class TrayController(QObject):
    """Owns the QSystemTrayIcon when the desktop has a tray; otherwise routes messages to the banner."""

    show_requested = Signal()
    pause_toggled = Signal(bool)  # True: pause the queue
    quit_requested = Signal()

    def __init__(
        self, banner: NotificationBanner, parent: QObject | None = None, available: bool | None = None
    ):
        super().__init__(parent)
        self._banner = banner
        self.available = tray_available() if available is None else available
        self.state = "idle"
        self.messages: list[tuple[str, str, Level]] = []  # what was shown, newest last (for tests/logs)
        self._tray: QSystemTrayIcon | None = None
        self._pause_action: QAction | None = None
        if self.available:
            self._build_tray()

    def _build_tray(self) -> None:
        self._menu = QMenu()
        show = self._menu.addAction("Show In My Head")
        show.triggered.connect(self.show_requested)
        self._pause_action = self._menu.addAction("Pause queue")
        self._pause_action.setCheckable(True)
        self._pause_action.toggled.connect(self.pause_toggled)
        self._menu.addSeparator()
        quit_action = self._menu.addAction("Quit")
        quit_action.triggered.connect(self.quit_requested)
        self._tray = QSystemTrayIcon(tray_icon("idle"), self)
        self._tray.setToolTip(TOOLTIPS["idle"])
        self._tray.setContextMenu(self._menu)
        self._tray.activated.connect(self._on_activated)
        self._tray.show()

    @property
    def has_tray(self) -> bool:
        return self._tray is not None

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_requested.emit()

    def set_state(self, state: str) -> None:
        if state == self.state:
            return
        self.state = state
        if self._tray is not None:
            self._tray.setIcon(tray_icon(state))
            self._tray.setToolTip(TOOLTIPS[state])

    def set_paused(self, paused: bool) -> None:
        if self._pause_action is not None and self._pause_action.isChecked() != paused:
            self._pause_action.blockSignals(True)
            self._pause_action.setChecked(paused)
            self._pause_action.blockSignals(False)

    def notify(
        self, title: str, text: str, level: Level = Level.INFO, action: str = "", action_label: str = ""
    ) -> None:
        """A tray balloon when a tray exists, else the in-window banner."""
        self.messages.append((title, text, level))
        log.info("notification: %s — %s", title, text)
        if self._tray is not None and self._tray.supportsMessages():
            self._tray.showMessage(title, text, TRAY_LEVELS[level], 8000)
        else:
            self._banner.show_message(title, text, level, action, action_label)

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()
