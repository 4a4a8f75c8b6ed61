"""The entry point: Qt messages in the log, the uncaught-exception dialog, and --screenshot for real."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QtMsgType
from PySide6.QtWidgets import QApplication, QMessageBox

from inmyhead_app.gui.app import parse_args
from inmyhead_app.gui.qtlog import ExceptionReporter, qt_message_handler
from tests.gui.conftest import write_docs


class _Context:
    file = "widget.cpp"
    line = 12


def test_qt_messages_are_logged(caplog):
    with caplog.at_level(logging.DEBUG, logger="inmyhead.qt"):
        qt_message_handler(QtMsgType.QtWarningMsg, _Context(), "something odd")
        qt_message_handler(
            QtMsgType.QtWarningMsg, _Context(), "This plugin does not support propagateSizeHints()"
        )
    levels = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert (logging.WARNING, "something odd (widget.cpp:12)") in levels
    assert levels[1][0] == logging.DEBUG  # platform chatter is not a warning


def test_uncaught_exception_opens_a_dialog_naming_the_log(qtbot, tmp_path: Path, caplog):
    reporter = ExceptionReporter(tmp_path / "logs" / "inmyhead.log")
    try:
        raise ValueError("the flux capacitor is empty")
    except ValueError as exc:
        with caplog.at_level(logging.CRITICAL, logger="inmyhead.gui"):
            reporter.excepthook(ValueError, exc, exc.__traceback__)
    qtbot.waitUntil(lambda: hasattr(reporter, "last_dialog"), timeout=2000)
    box: QMessageBox = reporter.last_dialog
    assert "flux capacitor" in box.informativeText()
    assert str(tmp_path / "logs" / "inmyhead.log") in box.informativeText()
    assert "Traceback" in box.detailedText()
    assert any(r.levelno == logging.CRITICAL for r in caplog.records)
    box.close()
    QApplication.processEvents()


def test_exception_dialog_never_shows_an_api_key(qtbot, tmp_path: Path, caplog, monkeypatch):
    key = "sk-test-" + "x" * 40
    monkeypatch.setenv("OPENAI_API_KEY", key)
    reporter = ExceptionReporter(tmp_path / "inmyhead.log")
    try:
        raise RuntimeError(f"request to https://proxy.local/v1?key={key} failed")
    except RuntimeError as exc:
        with caplog.at_level(logging.CRITICAL, logger="inmyhead.gui"):
            reporter.excepthook(RuntimeError, exc, exc.__traceback__)
    qtbot.waitUntil(lambda: hasattr(reporter, "last_dialog"), timeout=2000)
    box: QMessageBox = reporter.last_dialog
    assert "request to" in box.informativeText()
    assert key not in box.informativeText() and key not in box.detailedText()
    box.close()
    QApplication.processEvents()


def test_arguments():
    args = parse_args(["--data-dir", "/tmp/x", "--screenshot", "out/s", "--query", "bread", "a.txt", "b"])
    assert args.screenshot == "out/s" and args.query == "bread"
    assert args.files == [Path("a.txt"), Path("b")]


@pytest.mark.slow
def test_screenshot_mode_writes_every_view(tmp_path: Path):
    docs = tmp_path / "docs"
    write_docs(docs)
    prefix = tmp_path / "shots" / "app"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "inmyhead_app.gui.app",
            "--data-dir",
            str(tmp_path / "data"),
            "--screenshot",
            str(prefix),
            "--query",
            "sourdough",
            str(docs),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for view in ("jobs", "library", "search"):
        png = Path(f"{prefix}-{view}.png")
        assert png.exists() and png.stat().st_size > 10_000
    assert (tmp_path / "data" / "logs" / "inmyhead.log").exists()
