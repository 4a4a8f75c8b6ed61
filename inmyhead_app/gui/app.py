"""``inmyhead-gui``: start the desktop app (or, with --screenshot, render its views to PNG files)."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("inmyhead.gui")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="inmyhead-gui", description="In My Head, the desktop app.")
    parser.add_argument(
        "--data-dir", type=Path, help="the data folder (default: $INMYHEAD_DATA_DIR or yours)"
    )
    parser.add_argument(
        "--screenshot",
        metavar="PREFIX",
        help="start offscreen, drop FILES, wait for their jobs, write PREFIX-jobs/library/search.png, exit",
    )
    parser.add_argument("--query", default="", help="with --screenshot: the search to show")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="with --screenshot: give up after seconds"
    )
    parser.add_argument("files", nargs="*", type=Path, help="with --screenshot: files or folders to drop")
    return parser.parse_args(argv)


def warm_up(core: Any) -> None:
    """Load the embedding models now, while the window says "Opening", not during the first drop.

    Model loading holds the GIL for up to a second; done lazily by the first job it froze the window.
    """
    try:
        core.search.search("warm up", limit=1)
    except Exception as exc:  # an empty or unreachable store: the first job loads them instead
        log.debug("warm-up search failed: %s", exc)


# Full collections are what stall: young ones stay cheap, full ones become rare and the window
# runs one when the queue goes idle (main_window.collect_garbage).
GC_THRESHOLDS = (2000, 20, 1000)


def freeze_long_lived_objects() -> None:
    """Keep the garbage collector's passes short once everything long-lived is loaded.

    A full collection holds the GIL and so stalls the GUI thread; with the models, Qdrant and Qt
    loaded it walked all of their objects (120-260 ms measured by bench/gui_stall.py). Frozen
    objects are never collected, so this runs once, after the core opened.
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class CoreOpener(QObject):
    """Opens the core on a plain thread (loading the model and the store takes a moment)."""

    opened = Signal(object)
    failed = Signal(object)

    def __init__(self, data_dir: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir

    def start(self) -> None:
        threading.Thread(target=self._run, name="open-core", daemon=True).start()

    def _run(self) -> None:
        try:
            from inmyhead_app.core.context import open_core

            core = open_core(self._data_dir)
            warm_up(core)
            freeze_long_lived_objects()
        except BaseException as exc:
            self.failed.emit(exc)
            return
        self.opened.emit(core)


# The core's worker threads share the GIL with the GUI thread: switching more often than Python's
# default 5 ms lets the GUI thread in sooner (measured with bench/gui_stall.py).
GIL_SWITCH_INTERVAL_S = 0.001


def make_application(argv: list[str]) -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("In My Head")
    app.setApplicationDisplayName("In My Head")
    app.setOrganizationName("inmyhead")
    app.setDesktopFileName("inmyhead")
    app.setQuitOnLastWindowClosed(False)  # the tray keeps running; quitting goes through request_quit
    from inmyhead_app.gui.icons import app_icon

    app.setWindowIcon(app_icon())
    return app


class App(QObject):
    """Wires the window to a core opened in the background; ends the event loop when the core is closed."""

    def __init__(self, args: argparse.Namespace, app: QApplication) -> None:
        super().__init__()
        from inmyhead_app.core import paths
        from inmyhead_app.core.logs import log_path, setup_logging
        from inmyhead_app.gui.main_window import MainWindow
        from inmyhead_app.gui.qtlog import ExceptionReporter, install_qt_message_handler

        self.args = args
        self.app = app
        self.data_dir = paths.data_dir(args.data_dir)
        setup_logging(self.data_dir)
        install_qt_message_handler()
        self.reporter = ExceptionReporter(log_path(self.data_dir), self)
        self.reporter.install()
        log.info("starting the desktop app on %s", self.data_dir)
        self.window = MainWindow()
        self.window.core_closed.connect(self._on_core_closed)
        self.opener = CoreOpener(self.data_dir, self)
        self.opener.opened.connect(self._on_core_opened)
        self.opener.failed.connect(self._on_core_failed)
        self.exit_code = 0

    def start(self) -> None:
        self.window.show()
        self.opener.start()

    @Slot(object)
    def _on_core_opened(self, core: Any) -> None:
        self.window.set_core(core)
        if core.settings.get("start_minimised") and self.window.tray.has_tray:
            self.window.hide()

    @Slot(object)
    def _on_core_failed(self, error: BaseException) -> None:
        log.error("could not open the data folder", exc_info=error)
        self.exit_code = 1
        if self.args.screenshot:
            print(f"inmyhead-gui: {error}", file=sys.stderr)
            self.app.exit(1)
            return
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "In My Head cannot start",
            f"{error}\n\nThe log is in {self.reporter.log_file}.",
            QMessageBox.StandardButton.Close,
            self.window,
        )
        box.finished.connect(self._quit_with_error)
        box.open()

    @Slot()
    def noop(self) -> None:
        """Lets Python run pending signal handlers (see ``install_sigint``)."""

    @Slot()
    def _quit_with_error(self) -> None:
        self.app.exit(1)

    @Slot()
    def _on_core_closed(self) -> None:
        self.reporter.uninstall()
        self.app.exit(self.exit_code)


def install_sigint(runner: App) -> None:
    """Ctrl+C in the terminal quits gracefully (the core closes), like the Quit menu item."""

    def on_sigint(_signum: int, _frame: Any) -> None:
        runner.window.request_quit()

    signal.signal(signal.SIGINT, on_sigint)
    # Python runs signal handlers only between bytecodes: wake it up now and then.
    runner.wakeup = QTimer(runner)
    runner.wakeup.timeout.connect(runner.noop)
    runner.wakeup.start(300)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = make_application(sys.argv[:1])
    runner = App(args, app)
    if args.screenshot:
        from inmyhead_app.gui.screenshot import ScreenshotDriver

        driver = ScreenshotDriver(runner, Path(args.screenshot), args.files, args.query, args.timeout)
        driver.start()
    runner.start()
    install_sigint(runner)
    code = app.exec()
    return code or runner.exit_code


if __name__ == "__main__":
    sys.exit(main())
