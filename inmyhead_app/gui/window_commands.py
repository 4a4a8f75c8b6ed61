"""The main window's commands (QActions) and the toolbar and menus that offer them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QSizePolicy, QStyle, QToolBar, QWidget


class WindowCommands:
    """What the user can ask the window for; the window connects them to its slots."""

    def __init__(self, window: QMainWindow) -> None:
        icon = window.style().standardIcon
        pixmap = QStyle.StandardPixmap
        self.add_files = QAction(icon(pixmap.SP_FileIcon), "Add files…", window)
        self.add_files.setShortcut(QKeySequence.StandardKey.Open)
        self.add_folder = QAction(icon(pixmap.SP_DirIcon), "Add folder…", window)
        self.pause = QAction(icon(pixmap.SP_MediaPause), "Pause queue", window)
        self.pause.setCheckable(True)
        self.retry_failed = QAction(icon(pixmap.SP_BrowserReload), "Retry failed", window)
        self.cancel_all = QAction(icon(pixmap.SP_DialogCancelButton), "Cancel all", window)
        self.clear_finished = QAction(icon(pixmap.SP_DialogResetButton), "Clear finished", window)
        self.settings = QAction(icon(pixmap.SP_FileDialogDetailedView), "Settings…", window)
        self.settings.setShortcut(QKeySequence.StandardKey.Preferences)
        self.quit = QAction("Quit", window)
        self.quit.setShortcut(QKeySequence.StandardKey.Quit)

    @property
    def queue(self) -> list[QAction]:
        return [self.pause, self.retry_failed, self.cancel_all, self.clear_finished]

    @property
    def needing_core(self) -> list[QAction]:
        """Commands that do nothing useful until the core is open."""
        return [self.add_files, self.add_folder, *self.queue, self.settings]

    def install(self, window: QMainWindow) -> None:
        """A toolbar (add | queue … settings) and File / Queue menus on ``window``."""
        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.add_files, self.add_folder])
        toolbar.addSeparator()
        toolbar.addActions(self.queue)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.settings)
        window.addToolBar(toolbar)

        file_menu = window.menuBar().addMenu("&File")
        file_menu.addActions([self.add_files, self.add_folder])
        file_menu.addSeparator()
        file_menu.addAction(self.settings)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        window.menuBar().addMenu("&Queue").addActions(self.queue)
