"""Event throttling, stale tasks, time limits and a graceful close."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.jobs.events import EventBus
from inmyhead_app.core.jobs.model import EventKind, JobEvent, JobState, Stage, StageStatus
from tests.core.jobs.conftest import EventLog, write_docs


def test_progress_events_are_coalesced_per_job() -> None:
    bus = EventBus(max_per_second=10)
    log = EventLog()
    bus.subscribe(log)
    try:
        for i in range(500):  # a flood of progress from two jobs over ~0.5 s
            for job_id in ("a", "b"):
                bus.emit(JobEvent(EventKind.UPDATED, job_id, detail={"progress": True, "n": i}))
            time.sleep(0.001)
        bus.emit(JobEvent(EventKind.FINISHED, "a"))
        assert log.wait_for(lambda evs: any(e.job_id == "b" and e.detail.get("n") == 499 for e in evs), 5)
    finally:
        bus.close()
    a_events = [e for e in log.events if e.job_id == "a"]
    b_events = [e for e in log.events if e.job_id == "b"]
    assert len(a_events) <= 15 and len(b_events) <= 15  # ~10/s, not 500
    assert a_events[-1].kind is EventKind.FINISHED  # never overtaken by a stale progress snapshot
    assert b_events[-1].detail["n"] == 499  # the latest progress always arrives


def test_a_failing_subscriber_does_not_stop_the_others() -> None:
    bus = EventBus()
    got: list[JobEvent] = []

    def broken(event: JobEvent) -> None:
        raise RuntimeError("subscriber bug")

    bus.subscribe(broken)
    unsubscribe = bus.subscribe(got.append)
    bus.emit(JobEvent(EventKind.QUEUE_PAUSED))
    unsubscribe()
    bus.emit(JobEvent(EventKind.QUEUE_RESUMED))
    bus.close()
    assert [e.kind for e in got] == [EventKind.QUEUE_PAUSED]


def test_a_stale_generation_cannot_claim_a_job(data_dir: Path) -> None:
    db = JobsDB(data_dir)
    try:
        db.insert_jobs(
            [
                {
                    "id": "j",
                    "batch_id": "b",
                    "path": "/x",
                    "doc_id": "d",
                    "state": "queued",
                    "generation": 1,
                    "created_at": time.time(),
                }
            ]
        )
        assert db.requeue("j", [JobState.QUEUED], priority=9) == (2, 9)  # e.g. set_priority
        assert db.claim("j", 1, "me") is None  # the old task is dropped
        claimed = db.claim("j", 2, "me")
        assert claimed is not None and claimed.state is JobState.RUNNING and claimed.attempts == 1
        assert db.claim("j", 2, "me") is None  # at-least-once delivery: the duplicate is dropped too
    finally:
        db.close()


class SlowEmbedder:
    """A real embedder that takes its time per batch (a slow provider)."""

    def __init__(self, inner, pause_s: float) -> None:
        self._inner = inner
        self._pause = pause_s

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def embed_documents(self, texts, progress=None):
        vectors = []
        for start in range(0, len(texts), 4):
            time.sleep(self._pause)
            vectors.extend(self._inner.embed_documents(texts[start : start + 4]))
            if progress is not None:
                progress(len(vectors), len(texts))
        return vectors


class StuckEmbedder(SlowEmbedder):
    def __init__(self, inner, release: threading.Event) -> None:
        super().__init__(inner, 0)
        self._release = release

    def embed_documents(self, texts, progress=None):
        self._release.wait(30)  # stuck inside one call, no boundary to stop at
        return self._inner.embed_documents(texts, progress)


def test_soft_limit_stops_a_stage_at_its_next_boundary(make_core, tmp_path: Path) -> None:
    core = make_core(stage_soft_limit_s=2.0, max_retries=0)
    core._runner.pipeline.embedder = SlowEmbedder(core._runner.pipeline.embedder, pause_s=2.5)
    job = core.jobs.submit_document(write_docs(tmp_path / "docs", 1, paragraphs=24)[0])
    assert core.jobs.wait_idle(timeout=60)
    record = core.jobs.get_job_status(job.id)
    assert record.state is JobState.FAILED and record.error_kind == "timeout"
    assert "embedding" in record.error_message
    assert record.stages[Stage.EMBEDDING].status is StageStatus.FAILED


def test_a_long_stage_that_keeps_progressing_is_not_stopped(make_core, tmp_path: Path) -> None:
    """Limits measure stalls, not size: a big document embedding steadily runs past the soft limit."""
    core = make_core(stage_soft_limit_s=2.0, max_retries=0)
    core._runner.pipeline.embedder = SlowEmbedder(core._runner.pipeline.embedder, pause_s=0.5)
    job = core.jobs.submit_document(write_docs(tmp_path / "docs", 1, paragraphs=24)[0])
    assert core.jobs.wait_idle(timeout=120)
    record = core.jobs.get_job_status(job.id)
    assert record.state is JobState.DONE, record.error_message
    assert record.stages[Stage.EMBEDDING].seconds > 2.0  # it did run longer than the limit
    assert core.store.count(job.doc_id) == record.chunks > 0


def test_hard_limit_fails_a_stuck_stage_without_waiting_for_it(make_core, tmp_path: Path) -> None:
    release = threading.Event()
    core = make_core(stage_hard_limit_s=1.0)
    core._runner.pipeline.embedder = StuckEmbedder(core._runner.pipeline.embedder, release)
    job = core.jobs.submit_document(write_docs(tmp_path / "docs", 1)[0])
    deadline = time.monotonic() + 30
    while core.jobs.get_job_status(job.id).state is not JobState.FAILED:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    record = core.jobs.get_job_status(job.id)
    assert record.error_kind == "timeout" and "embedding" in record.error_message
    release.set()
    assert core.jobs.wait_idle(timeout=30)
    assert core.store.count(job.doc_id) == 0  # the late result was dropped


def test_close_requeues_a_running_job_which_then_finishes(make_core, tmp_path: Path) -> None:
    core = make_core()
    core._runner.pipeline.embedder = SlowEmbedder(core._runner.pipeline.embedder, pause_s=0.3)
    log = EventLog()
    core.jobs.subscribe(log)
    job = core.jobs.submit_document(write_docs(tmp_path / "docs", 1, paragraphs=10)[0])
    assert log.wait_for(
        lambda evs: any(e.job is not None and e.job.stage is Stage.EMBEDDING for e in evs), timeout=60
    )
    started = time.monotonic()
    core.close()
    assert time.monotonic() - started < 10  # stopped at a boundary, not at the end of the document
    core = make_core()
    assert core.jobs.wait_idle(timeout=120)
    record = core.jobs.get_job_status(job.id)
    assert record.state is JobState.DONE and core.store.count(job.doc_id) == record.chunks
    assert record.stages[Stage.PARSING].status is StageStatus.DONE
