from __future__ import annotations

import threading

from PySide6.QtWidgets import QWidget

from inmyhead_app.gui.tasks import TaskRunner


def test_result_and_error_come_back_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    seen: list[tuple] = []
    gui_thread = threading.get_ident()

    def callback(result, error) -> None:
        seen.append((result, type(error).__name__ if error else None, threading.get_ident() == gui_thread))

    runner.run(lambda: threading.get_ident() != gui_thread, callback)
    runner.run(lambda: 1 / 0, callback)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert sorted(seen, key=str) == sorted([(True, None, True), (None, "ZeroDivisionError", True)], key=str)
    runner.shutdown()


def test_a_late_result_for_a_deleted_owner_is_dropped(qtbot):
    runner = TaskRunner()
    owner = QWidget()
    release = threading.Event()
    called: list[object] = []
    runner.run(release.wait, lambda result, error: called.append(result), owner=owner)
    owner.deleteLater()
    qtbot.wait(20)  # the owner is gone before the result arrives
    release.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert called == []
    runner.shutdown()
