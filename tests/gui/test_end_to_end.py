"""The real window over a real core in tmp_path: drop real files, watch them index, search, cancel, retry."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel

from inmyhead_app.core.jobs.model import JobState
from inmyhead_app.gui.drop_zone import simulate_drop
from inmyhead_app.gui.jobs_model import Role
from inmyhead_app.gui.main_window import MainWindow
from inmyhead_app.gui.search_model import SearchRole
from tests.gui.conftest import close_window, write_docs


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Field notes", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


@pytest.fixture
def real_window(qtbot, data_dir: Path):
    from inmyhead_app.core.context import open_core

    core = open_core(data_dir)
    window = MainWindow(core)
    window.show()
    yield window
    close_window(qtbot, window)
    assert core._closed


def _select(window: MainWindow, job_id: str) -> None:
    proxy = window.jobs_view.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(Role.JOB_ID) == job_id:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            window.jobs_view.table.selectionModel().select(proxy.index(row, 0), flags)
            return
    raise AssertionError(f"job {job_id} is not in the table")


def test_drop_real_files_then_search_from_the_ui(qtbot, real_window: MainWindow, tmp_path: Path):
    window = real_window
    folder = tmp_path / "docs"
    write_docs(folder)
    write_docx(folder / "glaciers.docx", ["Glaciers carve U-shaped valleys as they slowly retreat."])
    with qtbot.waitSignal(window.paths_submitted, timeout=30000) as submitted:
        assert simulate_drop(window, [folder])
    assert submitted.args == [4, 1]  # photo.xyz is listed as skipped
    assert window.last_skipped[0][0].endswith("photo.xyz")

    def all_done() -> bool:
        jobs = window.jobs_model.jobs()
        return len(jobs) == 4 and all(job.state is JobState.DONE for job in jobs)

    qtbot.waitUntil(all_done, timeout=180000)
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 4, timeout=30000)
    qtbot.waitUntil(lambda: window.banner.title.text() == "Batch finished", timeout=10000)
    assert window.banner.text.text().startswith("4 indexed")

    window.tabs.setCurrentWidget(window.search)
    window.search.query_edit.setText("glaciers carve valleys")
    with qtbot.waitSignal(window.search.results_shown, timeout=60000) as shown:
        window.search.search_button.click()
    assert shown.args[1] >= 1
    best = window.search.model.index(0, 0).data(SearchRole.DOCUMENT)
    assert best.path.endswith("glaciers.docx")


def test_cancel_and_retry_from_the_ui(qtbot, real_window: MainWindow, tmp_path: Path):
    window = real_window
    paths = write_docs(tmp_path / "docs")[:1]
    window.commands.pause.trigger()  # nothing starts, so the job is reliably still queued
    qtbot.waitUntil(window.core.jobs.is_paused, timeout=10000)
    with qtbot.waitSignal(window.paths_submitted, timeout=30000):
        simulate_drop(window, paths)
    qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 1, timeout=10000)
    job_id = window.jobs_model.jobs()[0].id
    _select(window, job_id)
    assert window.jobs_view.cancel_action.isEnabled()
    window.jobs_view.cancel_action.trigger()
    qtbot.waitUntil(lambda: window.jobs_model.job(job_id).state is JobState.CANCELLED, timeout=10000)
    _select(window, job_id)
    assert window.jobs_view.retry_action.isEnabled()
    window.jobs_view.retry_action.trigger()
    qtbot.waitUntil(lambda: window.jobs_model.job(job_id).state is JobState.QUEUED, timeout=10000)
    window.commands.pause.trigger()  # resume
    qtbot.waitUntil(lambda: window.jobs_model.job(job_id).state is JobState.DONE, timeout=180000)
    assert window.jobs_model.job(job_id).attempts >= 1
