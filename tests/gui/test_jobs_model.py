from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

from inmyhead_app.core.jobs.model import JobKind, JobState, Stage
from inmyhead_app.gui.formatting import progress_text
from inmyhead_app.gui.jobs_model import STATE_FILTERS, Column, JobsFilterModel, JobsModel, Role
from inmyhead_app.gui.progress_delegate import StageProgressDelegate
from tests.gui.factories import make_job


def _filled_model() -> tuple[JobsModel, list]:
    model = JobsModel()
    jobs = [
        make_job(JobState.QUEUED),
        make_job(JobState.RUNNING, Stage.EMBEDDING, 34, 120),
        make_job(JobState.DONE, chunks=12),
        make_job(JobState.FAILED, Stage.PARSING, error_kind="corrupt", error_message="The PDF is damaged"),
    ]
    model.upsert(jobs)
    return model, jobs


def test_model_passes_modeltester(qtmodeltester):
    model, _ = _filled_model()
    qtmodeltester.check(model)
    proxy = JobsFilterModel()
    proxy.setSourceModel(model)
    proxy.set_states(STATE_FILTERS["Active"])
    qtmodeltester.check(proxy)


def test_columns_show_progress_within_the_stage():
    model, jobs = _filled_model()
    assert model.index(1, Column.PROGRESS).data() == "Embedding 34/120"
    assert model.index(2, Column.PROGRESS).data() == "Done · 12 chunks"
    assert model.index(3, Column.ERROR).data() == "The PDF is damaged"
    assert model.index(0, Column.STATE).data() == "Queued"
    assert model.index(1, Column.NAME).data(Role.JOB_ID) == jobs[1].id


def test_updates_are_incremental_not_resets(qtbot):
    model, jobs = _filled_model()
    resets: list[bool] = []
    changed: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), b.row())))
    updated = make_job(JobState.RUNNING, Stage.EMBEDDING, 90, 120, job_id=jobs[1].id, path=jobs[1].path)
    with qtbot.waitSignal(model.rowsInserted):
        model.upsert([updated, make_job(JobState.QUEUED)])
    assert not resets
    assert changed == [(1, 1)]
    assert model.rowCount() == 5
    assert model.index(1, Column.PROGRESS).data() == "Embedding 90/120"
    model.remove([jobs[0].id, jobs[2].id])
    assert [j.id for j in model.jobs()][:2] == [jobs[1].id, jobs[3].id]
    assert model.job(jobs[3].id) is jobs[3]
    assert not resets


def test_filter_by_state_and_sort_by_progress():
    model, jobs = _filled_model()
    proxy = JobsFilterModel()
    proxy.setSourceModel(model)
    proxy.set_states(STATE_FILTERS["Failed"])
    assert proxy.rowCount() == 1
    assert proxy.index(0, 0).data(Role.JOB_ID) == jobs[3].id
    proxy.set_states(STATE_FILTERS["All jobs"])
    proxy.sort(Column.PROGRESS, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, 0).data(Role.JOB_ID) == jobs[2].id


def test_parallel_stages_named_together():
    job = make_job(JobState.RUNNING, Stage.EMBEDDING, 3, 10)
    job.stages[Stage.METADATA] = type(job.stages[Stage.EMBEDDING])(job.stages[Stage.EMBEDDING].status)
    assert progress_text(job) == "Embedding 3/10 ‖ Metadata"


def test_reembed_jobs_say_so():
    assert progress_text(make_job(JobState.QUEUED, kind=JobKind.REEMBED)) == "Queued · re-embed"
    running = make_job(JobState.RUNNING, Stage.EMBEDDING, 3, 10, kind=JobKind.REEMBED)
    assert progress_text(running) == "Re-embedding 3/10"
    assert progress_text(make_job(JobState.DONE, chunks=4, kind=JobKind.REEMBED)) == "Re-embedded · 4 chunks"
    assert progress_text(make_job(JobState.DONE, chunks=4)) == "Done · 4 chunks"


def test_progress_delegate_paints_every_state(qtbot):
    model, _ = _filled_model()
    model.upsert([make_job(JobState.CANCELLED), make_job(JobState.RETRY_WAIT)])
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = StageProgressDelegate(view)
    view.setItemDelegateForColumn(Column.PROGRESS, delegate)
    view.resize(900, 300)
    view.show()
    pixmap = view.grab()
    assert not pixmap.isNull()
    hint = delegate.sizeHint(QStyleOptionViewItem(), model.index(0, Column.PROGRESS))
    assert hint.height() > 10
