from __future__ import annotations

import threading

from inmyhead_app.core.jobs.model import EventKind, JobEvent, JobState, Stage
from inmyhead_app.gui.bridge import CoreBridge
from inmyhead_app.gui.jobs_model import JobsModel
from tests.gui.factories import make_job


class FloodingJobs:
    """Stands in for JobManager.subscribe: a real background thread fires a flood of events."""

    def __init__(self) -> None:
        self.callbacks = []

    def subscribe(self, callback):
        self.callbacks.append(callback)
        return lambda: self.callbacks.remove(callback)

    def flood(self, jobs: int, steps: int) -> threading.Thread:
        def run() -> None:
            records = [make_job(JobState.QUEUED, job_id=f"flood-{i}") for i in range(jobs)]
            for record in records:
                for cb in list(self.callbacks):
                    cb(JobEvent(EventKind.SUBMITTED, record.id, record.batch_id, record))
            for step in range(1, steps + 1):
                for record in records:
                    snap = make_job(JobState.RUNNING, Stage.EMBEDDING, step, steps, job_id=record.id)
                    for cb in list(self.callbacks):
                        cb(JobEvent(EventKind.UPDATED, record.id, record.batch_id, snap))
            for record in records:
                final = make_job(JobState.DONE, job_id=record.id, chunks=steps)
                for cb in list(self.callbacks):
                    cb(JobEvent(EventKind.FINISHED, record.id, record.batch_id, final))
            for cb in list(self.callbacks):
                cb(
                    JobEvent(
                        EventKind.BATCH_FINISHED, batch_id="batch-1", detail={"by_state": {"done": jobs}}
                    )
                )

        thread = threading.Thread(target=run, name="flood")
        thread.start()
        return thread


def test_flood_from_a_worker_thread_is_coalesced(qtbot):
    bridge = CoreBridge(interval_ms=100)
    model = JobsModel()
    bridge.jobs_changed.connect(model.upsert)
    jobs = FloodingJobs()
    bridge.attach(jobs)
    emissions: list[int] = []
    bridge.jobs_changed.connect(lambda records: emissions.append(len(records)))
    with qtbot.waitSignal(bridge.batch_finished, timeout=10000) as blocker:
        thread = jobs.flood(jobs=200, steps=50)
    thread.join()
    qtbot.waitUntil(lambda: all(j.state is JobState.DONE for j in model.jobs()) and model.rowCount() == 200)
    assert blocker.args == ["batch-1", {"by_state": {"done": 200}}]
    assert bridge.events_received == 200 * 52 + 1
    # 10,400 events reached the GUI as a handful of coalesced updates, each job at most once per tick
    assert len(emissions) < 100
    assert max(emissions) <= 200
    bridge.stop()
    assert jobs.callbacks == []


def test_failures_removals_and_pause_are_reported(qtbot):
    bridge = CoreBridge(interval_ms=50)
    failed = make_job(JobState.FAILED, error_kind="corrupt", error_message="bad")
    bridge.on_event(JobEvent(EventKind.FINISHED, failed.id, failed.batch_id, failed))
    bridge.on_event(JobEvent(EventKind.REMOVED, "gone-1"))
    bridge.on_event(JobEvent(EventKind.QUEUE_PAUSED))
    with (
        qtbot.waitSignal(bridge.jobs_failed) as failed_signal,
        qtbot.waitSignal(bridge.jobs_removed) as removed_signal,
        qtbot.waitSignal(bridge.queue_paused) as paused_signal,
    ):
        pass
    assert failed_signal.args[0][0].id == failed.id
    assert removed_signal.args == [["gone-1"]]
    assert paused_signal.args == [True]
    bridge.stop()
