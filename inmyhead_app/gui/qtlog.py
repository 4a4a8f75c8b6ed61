"""Qt's own messages go into ``logging`` (qutebrowser's qtlog), and uncaught exceptions reach the user."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QObject, Qt, QtMsgType, Signal, Slot, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from inmyhead_app.core.secrets import redact

qt_log = logging.getLogger("inmyhead.qt")
log = logging.getLogger("inmyhead.gui")

LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
# Harmless platform chatter, logged at DEBUG instead of WARNING.
BENIGN = ("propagateSizeHints", "QFont::setPointSizeF", 'Could not find the Qt platform plugin "wayland"')


def qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = LEVELS.get(mode, logging.WARNING)
    if any(text in message for text in BENIGN):
        level = logging.DEBUG
    where = f" ({context.file}:{context.line})" if context.file else ""
    qt_log.log(level, "%s%s", message, where)


def install_qt_message_handler() -> None:
    qInstallMessageHandler(qt_message_handler)


class ExceptionReporter(QObject):
    """Shows a dialog for uncaught exceptions; exceptions on other threads are marshalled here by signal."""

    raised = Signal(str, str)  # summary, traceback text

    def __init__(self, log_file: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.raised.connect(self.show_dialog)
        self._showing = False

    def install(self) -> None:
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        sys.excepthook = sys.__excepthook__
        threading.excepthook = threading.__excepthook__

    def excepthook(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical("Uncaught exception", exc_info=(kind, value, tb))
        text = "".join(traceback.format_exception(kind, value, tb))
        self.raised.emit(f"{kind.__name__}: {value}", text)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        log.critical(
            "Uncaught exception in thread %s",
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
        )
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        self.raised.emit(f"{args.exc_type.__name__}: {args.exc_value}", text)

    @Slot(str, str)
    def show_dialog(self, summary: str, details: str) -> None:
        if self._showing or QApplication.instance() is None:
            return
        self._showing = True
        # A traceback can carry an API key (a URL, a header in an SDK error): never show one.
        summary, details = redact(summary), redact(details)
        where = f"The details are in the log:\n{self.log_file}" if self.log_file else ""
        box = QMessageBox(QMessageBox.Icon.Critical, "In My Head ran into a problem", "")
        box.setText("Something went wrong inside In My Head. Your documents and jobs are safe.")
        box.setInformativeText(f"{summary}\n\n{where}")
        box.setDetailedText(details)
        box.finished.connect(self._on_closed)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_dialog = box

    @Slot(int)
    def _on_closed(self, _result: int) -> None:
        self._showing = False
