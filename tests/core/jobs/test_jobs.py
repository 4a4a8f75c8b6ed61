"""The job system end to end: a real consumer thread, real files, a real Qdrant folder."""

from __future__ import annotations

import json
import time
from pathlib import Path

import docx
import pytest

from inmyhead_app.core.context import DataFolderBusy, open_core
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.jobs.model import EventKind, JobState, Stage, StageStatus
from tests.core.jobs.conftest import EventLog, FlakyEmbedder, text_document, write_docs


def _states(core) -> dict[str, JobState]:
    return {Path(j.path).name: j.state for j in core.jobs.list_jobs()}


def test_batch_finishes_with_per_stage_progress_events(make_core, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_docs(folder, 2)
    (folder / "notes.md").write_text("# Garden notes\n\n" + text_document(50), encoding="utf-8")
    (folder / "page.html").write_text(
        f"<html><body><p>{text_document(51)}</p></body></html>", encoding="utf-8"
    )
    (folder / "data.json").write_text(json.dumps({"title": "orbit", "body": text_document(52)}))
    document = docx.Document()
    document.add_paragraph(text_document(53))
    document.save(folder / "letter.docx")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)

    core = make_core()
    log = EventLog()
    core.jobs.subscribe(log)
    batch = core.jobs.submit_batch([folder])
    assert [Path(p).name for p, _ in batch.skipped] == ["picture.png"]
    assert len(batch.jobs) == 6
    assert core.jobs.wait_idle(timeout=120)
    assert log.wait_for(lambda evs: any(e.kind is EventKind.BATCH_FINISHED for e in evs), timeout=10)

    for job in core.jobs.list_jobs():
        assert job.state is JobState.DONE, (job.path, job.error_message)
        assert job.chunks > 0 and core.store.count(job.doc_id) == job.chunks
        assert all(p.status is StageStatus.DONE for p in job.stages.values())
        assert job.stages[Stage.EMBEDDING].done == job.stages[Stage.EMBEDDING].total > 0
        # Events walked through every stage in order, ending with FINISHED.
        mine = [e for e in log.events if e.job_id == job.id]
        assert mine[0].kind is EventKind.SUBMITTED and mine[-1].kind is EventKind.FINISHED
        seen = [e.job.stage for e in mine if e.job is not None and e.job.stage is not None]
        assert {Stage.PARSING, Stage.PREPROCESSING, Stage.STORING} <= set(seen)
        assert seen.index(Stage.PARSING) < seen.index(Stage.PREPROCESSING) < seen.index(Stage.STORING)
        assert any(e.detail.get("progress") for e in mine)
    assert batch.batch_id and core.jobs.get_batch_status(batch.batch_id)["done"]
    assert len(core.library.list_documents()) == 6
    stats = core.jobs.get_statistics()
    assert stats["by_state"]["done"] == 6 and stats["success_rate"] == 1.0
    assert stats["avg_stage_s"]["embedding"] > 0 and stats["queue_depth"] == 0
    assert sum(n for _, n in stats["throughput_per_min"]) == 6


def test_cancel_queued_job(make_core, tmp_path: Path) -> None:
    core = make_core()
    core.jobs.pause()
    paths = write_docs(tmp_path / "docs", 2)
    jobs = [core.jobs.submit_document(p) for p in paths]
    assert core.jobs.cancel_job(jobs[0].id)
    assert not core.jobs.cancel_job(jobs[0].id)  # already finished
    core.jobs.resume()
    assert core.jobs.wait_idle(timeout=60)
    assert core.jobs.get_job_status(jobs[0].id).state is JobState.CANCELLED
    assert core.jobs.get_job_status(jobs[1].id).state is JobState.DONE
    assert core.store.count(jobs[0].doc_id) == 0


def test_cancel_running_job_stops_at_a_boundary(make_core, tmp_path: Path) -> None:
    core = make_core()
    log = EventLog()
    core.jobs.subscribe(log)
    big = write_docs(tmp_path / "docs", 1, paragraphs=150)[0]
    job = core.jobs.submit_document(big)

    def embedding_started(events) -> bool:
        return any(
            e.job is not None and e.job.stage is Stage.EMBEDDING and e.job.stages[Stage.EMBEDDING].done > 0
            for e in events
        )

    assert log.wait_for(embedding_started, timeout=60)
    assert core.jobs.cancel_job(job.id)
    assert core.jobs.wait_idle(timeout=30)
    record = core.jobs.get_job_status(job.id)
    assert record.state is JobState.CANCELLED
    assert record.stages[Stage.STORING].status is StageStatus.PENDING  # later stages never ran
    assert core.store.count(job.doc_id) == 0 and core.library.get_document(job.doc_id) is None
    assert not (core.data_dir / "work" / job.id).exists()


def test_cancel_while_storing_removes_partial_chunks(make_core, tmp_path: Path) -> None:
    core = make_core()
    store = core._runner.pipeline.store
    path = write_docs(tmp_path / "docs", 1, paragraphs=10)[0]
    job_ids: list[str] = []

    class CancelDuringWrite:
        def __getattr__(self, name):
            return getattr(store, name)

        def replace_document(self, doc_id, points):
            store.replace_document(doc_id, points)  # the chunks are in...
            core.jobs.cancel_job(job_ids[0])  # ...and the user cancels before the job completes

    core._runner.pipeline.store = CancelDuringWrite()
    job_ids.append(core.jobs.submit_document(path).id)
    assert core.jobs.wait_idle(timeout=60)
    record = core.jobs.get_job_status(job_ids[0])
    assert record.state is JobState.CANCELLED
    assert store.count(record.doc_id) == 0 and core.library.get_document(record.doc_id) is None


def test_transient_error_is_retried_with_backoff(make_core, tmp_path: Path) -> None:
    core = make_core()
    pipeline = core._runner.pipeline
    pipeline.embedder = FlakyEmbedder(
        pipeline.embedder, IngestError(ErrorKind.RATE_LIMITED, "Too many requests"), failures=2
    )
    log = EventLog()
    core.jobs.subscribe(log)
    job = core.jobs.submit_document(write_docs(tmp_path / "docs", 1)[0])
    assert core.jobs.wait_idle(timeout=60)
    record = core.jobs.get_job_status(job.id)
    assert record.state is JobState.DONE and record.attempts == 3 and record.error_kind is None
    waits = [e for e in log.events if e.job is not None and e.job.state is JobState.RETRY_WAIT]
    assert len(waits) == 2
    # Resumed from the stage that failed: parsing ran once.
    assert record.stages[Stage.PARSING].status is StageStatus.DONE


def test_retries_are_capped(make_core, tmp_path: Path) -> None:
    core = make_core(max_retries=1)
    pipeline = core._runner.pipeline
    pipeline.embedder = FlakyEmbedder(
        pipeline.embedder, IngestError(ErrorKind.PROVIDER_UNAVAILABLE, "Service unavailable"), failures=99
    )
    job = core.jobs.submit_document(write_docs(tmp_path / "docs", 1)[0])
    assert core.jobs.wait_idle(timeout=60)
    record = core.jobs.get_job_status(job.id)
    assert record.state is JobState.FAILED and record.attempts == 2
    assert record.error_kind == "provider_unavailable"
    assert [j.id for j in core.jobs.list_jobs(JobState.FAILED)] == [job.id]  # the dead-letter list


def test_permanent_error_fails_at_once(make_core, tmp_path: Path) -> None:
    core = make_core()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + b"\x00garbage" * 50)
    job = core.jobs.submit_document(broken)
    assert core.jobs.wait_idle(timeout=60)
    record = core.jobs.get_job_status(job.id)
    assert record.state is JobState.FAILED and record.attempts == 1
    assert record.error_kind == "corrupt" and record.error_message
    assert core.jobs.retry_job(job.id)  # the user may still try again...
    assert core.jobs.wait_idle(timeout=60)
    assert core.jobs.get_job_status(job.id).state is JobState.FAILED
    assert core.jobs.dismiss_job(job.id) and core.jobs.get_job_status(job.id) is None


def test_rejected_key_pauses_the_queue(make_core, tmp_path: Path) -> None:
    core = make_core(workers=1)
    pipeline = core._runner.pipeline
    pipeline.embedder = FlakyEmbedder(
        pipeline.embedder, IngestError(ErrorKind.PROVIDER_AUTH, "The API key was rejected"), failures=99
    )
    log = EventLog()
    core.jobs.subscribe(log)
    paths = write_docs(tmp_path / "docs", 3)
    batch = core.jobs.submit_batch(paths)
    assert log.wait_for(lambda evs: any(e.kind is EventKind.QUEUE_PAUSED for e in evs))
    paused = next(e for e in log.events if e.kind is EventKind.QUEUE_PAUSED)
    assert "rejected" in paused.detail["reason"]
    time.sleep(1.0)  # give the paused workers the chance to (wrongly) take more
    states = [core.jobs.get_job_status(j.id).state for j in batch.jobs]
    assert states.count(JobState.FAILED) == 1 and states.count(JobState.QUEUED) == 2
    assert core.jobs.is_paused()


def test_priority_order_and_set_priority(make_core, tmp_path: Path) -> None:
    core = make_core(workers=1)
    core.jobs.pause()
    paths = write_docs(tmp_path / "docs", 5)
    jobs = [core.jobs.submit_document(p, priority=pr) for p, pr in zip(paths, [1, 9, 5, 3, 2], strict=True)]
    assert core.jobs.set_priority(jobs[4].id, 10)  # pushed to the front
    core.jobs.flush_enqueues()
    core.jobs.resume()
    assert core.jobs.wait_idle(timeout=120)
    order = sorted(jobs, key=lambda j: core.jobs.get_job_status(j.id).started_at)
    assert [j.id for j in order] == [jobs[i].id for i in (4, 1, 2, 3, 0)]


def test_pause_persists_and_resume_loses_nothing(make_core, data_dir: Path, tmp_path: Path) -> None:
    core = make_core()
    core.jobs.pause()
    paths = write_docs(tmp_path / "docs", 3)
    batch = core.jobs.submit_batch(paths)
    assert not core.jobs.wait_idle(timeout=1.5)
    assert all(core.jobs.get_job_status(j.id).state is JobState.QUEUED for j in batch.jobs)
    core.close()
    core = make_core()
    assert core.jobs.is_paused()
    assert not core.jobs.wait_idle(timeout=1.0)
    core.jobs.resume()
    assert core.jobs.wait_idle(timeout=120)
    assert all(core.jobs.get_job_status(j.id).state is JobState.DONE for j in batch.jobs)


def test_duplicates_and_reindex_on_change(make_core, tmp_path: Path) -> None:
    core = make_core()
    original = write_docs(tmp_path / "a", 1, paragraphs=6)[0]
    copy = tmp_path / "b" / "copy.txt"
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    first = core.jobs.submit_document(original)
    assert core.jobs.wait_idle(timeout=60)
    second = core.jobs.submit_document(copy)
    assert core.jobs.wait_idle(timeout=60)
    first, second = core.jobs.get_job_status(first.id), core.jobs.get_job_status(second.id)
    assert first.state is second.state is JobState.DONE
    assert first.duplicate_of is None and second.duplicate_of == first.doc_id
    assert core.store.count(second.doc_id) == 0 and core.store.count(first.doc_id) == first.chunks

    original.write_text(text_document(999, paragraphs=1), encoding="utf-8")  # shorter: fewer chunks
    again = core.jobs.submit_document(original)
    assert core.jobs.wait_idle(timeout=60)
    again = core.jobs.get_job_status(again.id)
    assert again.state is JobState.DONE and again.duplicate_of is None
    assert again.chunks < first.chunks
    assert core.store.count(first.doc_id) == again.chunks  # the old chunks were replaced
    assert core.library.get_document(first.doc_id).chunks == again.chunks
    reindexed = core.library.reindex_document(first.doc_id)
    assert core.jobs.wait_idle(timeout=60)
    assert core.jobs.get_job_status(reindexed.id).duplicate_of is None

    core.store.delete_document(first.doc_id)  # chunks gone behind the catalog's back (another store)
    restored = core.jobs.submit_document(original)
    assert core.jobs.wait_idle(timeout=60)
    restored = core.jobs.get_job_status(restored.id)
    assert restored.duplicate_of is None and core.store.count(first.doc_id) == restored.chunks > 0


def test_recovery_after_restart(make_core, data_dir: Path, tmp_path: Path) -> None:
    core = make_core(start_consumer=False)
    paths = write_docs(tmp_path / "docs", 3)
    batch = core.jobs.submit_batch(paths)
    core.close()
    # As if the process died mid-job: one RUNNING (its Huey task already dequeued), queue lost.
    from inmyhead_app.core.jobs.db import JobsDB

    db = JobsDB(data_dir)
    db.update(batch.jobs[0].id, state="running", owner="elsewhere:1")
    db.close()
    (data_dir / "queue.sqlite3").unlink()
    core = make_core()
    assert core.jobs.wait_idle(timeout=120)
    for job in batch.jobs:
        record = core.jobs.get_job_status(job.id)
        assert record.state is JobState.DONE and core.store.count(job.doc_id) == record.chunks


def test_second_process_is_refused_with_a_clear_message(make_core, data_dir: Path) -> None:
    make_core(start_consumer=False)
    with pytest.raises(DataFolderBusy, match="Another In My Head process"):
        open_core(data_dir, start_consumer=False)
    light = open_core(data_dir, start_consumer=False, with_store=False)  # steering still works
    try:
        light.jobs.pause()
        assert light.jobs.is_paused()
    finally:
        light.close()


def test_ten_thousand_files_submit_in_seconds(make_core, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10_000):
        (folder / f"f{i}.txt").write_text("x")
    core = make_core(start_consumer=False)
    started = time.monotonic()
    batch = core.jobs.submit_batch([folder])
    elapsed = time.monotonic() - started
    assert len(batch.jobs) == 10_000
    assert elapsed < 15, elapsed  # about 2-6 s here, on 2 cores shared with other work
    assert core.jobs.flush_enqueues(timeout=60)
    assert core.jobs.huey.pending_count() == 10_000
    assert core.jobs.cancel_batch(batch.batch_id) == 10_000


def test_cleanup_expired_jobs_keeps_failed_ones(make_core, tmp_path: Path) -> None:
    core = make_core(start_consumer=False)
    jobs = [core.jobs.submit_document(p) for p in write_docs(tmp_path / "docs", 3)]
    old = time.time() - 48 * 3600
    core.jobs.db.update(jobs[0].id, state="done", finished_at=old)
    core.jobs.db.update(jobs[1].id, state="failed", finished_at=old)
    # Huey's scheduler runs the cleanup every ten minutes.
    import datetime

    periodic = core.jobs.huey.read_periodic(datetime.datetime(2026, 1, 1, 12, 10))
    assert [task.name for task in periodic] == ["cleanup_expired_jobs"]
    core.jobs.huey.execute(periodic[0])
    assert core.jobs.get_job_status(jobs[0].id) is None
    assert core.jobs.get_job_status(jobs[1].id).state is JobState.FAILED
    assert core.jobs.get_job_status(jobs[2].id).state is JobState.QUEUED
    assert core.jobs.cleanup_expired_jobs() == 0


def test_a_file_still_being_written_is_retried_then_indexed(make_core, tmp_path: Path) -> None:
    import threading

    from tests.fixtures.documents.make import write_pdf

    pages = [text_document(n, paragraphs=1).split(". ") for n in range(120)]
    path = write_pdf(tmp_path / "downloading.pdf", pages)
    core = make_core()
    log = EventLog()
    core.jobs.subscribe(log)
    first_try_over = threading.Event()

    def download() -> None:  # bytes keep arriving until the first attempt has given up
        while not first_try_over.wait(0.02):
            with open(path, "ab") as handle:
                handle.write(b"% more bytes arriving\n")

    writer = threading.Thread(target=download)
    writer.start()
    try:
        job = core.jobs.submit_document(path)
        assert log.wait_for(
            lambda evs: any(
                e.job is not None
                and e.job.state is not JobState.QUEUED
                and e.job.state is not JobState.RUNNING
                for e in evs
            ),
            timeout=120,
        )
    finally:
        first_try_over.set()
        writer.join()
    assert core.jobs.wait_idle(timeout=120)
    record = core.jobs.get_job_status(job.id)
    waits = [e.job for e in log.events if e.job is not None and e.job.state is JobState.RETRY_WAIT]
    assert waits and waits[0].error_kind == "file_busy"
    assert record.state is JobState.DONE and record.attempts == 2, record.error_message
    assert record.pages == 120 and core.store.count(job.doc_id) == record.chunks


def test_a_parse_past_its_time_limit_fails_without_retries(make_core, tmp_path: Path) -> None:
    from tests.fixtures.documents.make import slow_pdf

    path = slow_pdf(tmp_path / "slow.pdf", pages=50, operations=100_000)
    core = make_core(parse_timeout_s=1.0)
    job = core.jobs.submit_document(path)
    assert core.jobs.wait_idle(timeout=60)
    record = core.jobs.get_job_status(job.id)
    assert record.state is JobState.FAILED and record.error_kind == "timeout" and record.attempts == 1
