"""The window over a simulated core: drops, per-row and batch actions, notifications without a tray."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel

from inmyhead_app.core.jobs.model import JobState
from inmyhead_app.gui.drop_zone import simulate_drop
from inmyhead_app.gui.jobs_model import Column, Role
from inmyhead_app.gui.notifications import Level
from inmyhead_app.gui.search_model import SearchRole


def _all(window, state: JobState, count: int) -> bool:
    jobs = window.jobs_model.jobs()
    return len(jobs) == count and all(job.state is state for job in jobs)


def _select(window, job_id: str) -> None:
    proxy = window.jobs_view.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(Role.JOB_ID) == job_id:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            window.jobs_view.table.selectionModel().select(proxy.index(row, 0), flags)
            return
    raise AssertionError(f"{job_id} is not shown")


def test_drop_folder_indexes_and_reports_skipped(qtbot, fake_window, docs_dir: Path):
    window = fake_window
    assert not window.tray.has_tray  # offscreen has no system tray
    with qtbot.waitSignal(window.paths_submitted, timeout=10000) as submitted:
        assert simulate_drop(window, [docs_dir])
    assert submitted.args == [3, 1]
    # the skipped file is shown to the user, not silently dropped
    assert window.banner.isVisible()
    assert "skipped" in window.banner.title.text()
    assert window.last_skipped[0][0].endswith("photo.xyz")
    qtbot.waitUntil(lambda: _all(window, JobState.DONE, 3), timeout=10000)
    qtbot.waitUntil(lambda: window.banner.title.text() == "Batch finished", timeout=5000)
    assert window.banner.level is Level.SUCCESS
    assert window.banner.text.text() == "3 indexed, 1 skipped (not a supported type)."
    assert window.banner.action_button.isVisibleTo(window.banner)
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 3, timeout=5000)
    assert window.jobs_view.proxy.index(0, Column.PROGRESS).data().startswith("Done")
    # the status bar agrees with the table: nothing is waiting any more
    assert "3 documents in the library" in window.status_label.text()
    assert "waiting" not in window.status_label.text()
    # search from the UI
    window.tabs.setCurrentWidget(window.search)
    window.search.query_edit.setText("sourdough")
    with qtbot.waitSignal(window.search.results_shown, timeout=5000) as shown:
        window.search.search_button.click()
    assert shown.args == ["sourdough", 1]
    top = window.search.model.index(0, 0)
    assert top.data(SearchRole.DOCUMENT).path.endswith("recipes.md")
    assert "sourdough</span>" in top.data(SearchRole.HTML)
    assert "recipes.md" in window.search.preview.toPlainText()


def test_failure_notifies_in_window_and_details_available(qtbot, fake_window, tmp_path: Path):
    bad = tmp_path / "bad-scan.txt"
    bad.write_text("unreadable")
    window = fake_window
    simulate_drop(window, [bad])
    qtbot.waitUntil(lambda: _all(window, JobState.FAILED, 1), timeout=10000)
    qtbot.waitUntil(lambda: any(level is Level.ERROR for _t, _x, level in window.tray.messages), timeout=5000)
    title, text, _level = next(m for m in window.tray.messages if m[2] is Level.ERROR)
    assert title == "1 document failed"
    assert "damaged" in text
    job = window.jobs_model.jobs()[0]
    assert window.jobs_model.index(0, Column.ERROR).data() == job.error_message
    _select(window, job.id)
    assert window.jobs_view.retry_action.isEnabled() and window.jobs_view.details_action.isEnabled()
    assert not window.jobs_view.cancel_action.isEnabled()
    assert window.tray.state == "error"


def test_cancel_and_retry_from_the_ui(qtbot, held_window, docs_dir: Path):
    window = held_window
    with qtbot.waitSignal(window.paths_submitted, timeout=10000):
        simulate_drop(window, [docs_dir / "lighthouse.txt", docs_dir / "recipes.md"])
    qtbot.waitUntil(lambda: _all(window, JobState.QUEUED, 2), timeout=5000)
    assert "2 waiting" in window.status_label.text()  # the status bar follows the table, not old stats
    first = window.jobs_model.jobs()[0]
    _select(window, first.id)
    assert window.jobs_view.cancel_action.isEnabled()
    window.jobs_view.cancel_action.trigger()
    qtbot.waitUntil(lambda: window.jobs_model.job(first.id).state is JobState.CANCELLED, timeout=5000)
    window.core.jobs.release()
    qtbot.waitUntil(lambda: window.jobs_model.jobs()[1].state is JobState.DONE, timeout=10000)
    _select(window, first.id)
    assert window.jobs_view.retry_action.isEnabled()
    window.jobs_view.retry_action.trigger()
    qtbot.waitUntil(lambda: _all(window, JobState.DONE, 2), timeout=10000)
    # clear finished removes the rows without resetting the model
    window.commands.clear_finished.trigger()
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 0, timeout=5000)
    assert window.jobs_view.stack.currentWidget() is window.jobs_view.drop_hint


def test_pause_and_resume(qtbot, fake_window):
    window = fake_window
    window.commands.pause.trigger()
    qtbot.waitUntil(window.core.jobs.is_paused, timeout=5000)
    assert window.commands.pause.text() == "Resume queue"
    qtbot.waitUntil(lambda: window.tray.state == "paused", timeout=5000)
    window.commands.pause.trigger()
    qtbot.waitUntil(lambda: not window.core.jobs.is_paused(), timeout=5000)
    assert window.commands.pause.text() == "Pause queue"


def test_statistics_strip_fills(qtbot, fake_window):
    window = fake_window
    qtbot.waitUntil(lambda: window.jobs_view.stats.value_text("rate") == "4.5", timeout=5000)
    assert window.jobs_view.stats.chart.points() == [2.0, 5.0, 3.0, 8.0]


def test_library_delete_and_reindex_from_the_ui(qtbot, fake_window, docs_dir: Path):
    window = fake_window
    with qtbot.waitSignal(window.paths_submitted, timeout=10000):
        simulate_drop(window, [docs_dir])
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 3, timeout=10000)
    window.tabs.setCurrentWidget(window.library)
    view = window.library
    view.table.selectRow(0)
    doomed = view.selected_documents()[0].doc_id
    view.reindex_selected()
    qtbot.waitUntil(lambda: window.banner.title.text() == "Re-indexing", timeout=5000)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.delete_selected(confirm=False)
    assert doomed not in [doc.doc_id for doc in view.model.documents()]
    assert view.count_label.text() == "2 documents"
