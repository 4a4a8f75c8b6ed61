"""JobRecords and events built in tests, for model and bridge unit tests (the e2e tests use the real core)."""

from __future__ import annotations

import itertools
import time

from inmyhead_app.core.jobs.model import (
    STAGE_ORDER,
    JobRecord,
    JobState,
    Stage,
    StageProgress,
    StageStatus,
)

_ids = itertools.count(1)


def make_job(
    state: JobState = JobState.QUEUED,
    stage: Stage | None = None,
    done: int = 0,
    total: int = 0,
    path: str | None = None,
    job_id: str | None = None,
    **fields,
) -> JobRecord:
    """A JobRecord whose stages before ``stage`` are done and ``stage`` is running at done/total."""
    n = next(_ids)
    stages: dict[Stage, StageProgress] = {}
    if stage is not None:
        for s in STAGE_ORDER:
            if s is stage:
                stages[s] = StageProgress(StageStatus.RUNNING, done, total)
                break
            stages[s] = StageProgress(StageStatus.DONE, 1, 1, 0.1)
    if state is JobState.DONE:
        stages = {s: StageProgress(StageStatus.DONE, 1, 1, 0.1) for s in STAGE_ORDER}
    now = time.time()
    record = JobRecord(
        id=job_id or f"job-{n}",
        batch_id="batch-1",
        path=path or f"/tmp/docs/document-{n}.txt",
        doc_id=f"doc-{n}",
        file_type="txt",
        size_bytes=1000 + n,
        state=state,
        stage=stage,
        stages=stages,
        created_at=now - 10,
        started_at=now - 5 if state is not JobState.QUEUED else None,
        finished_at=now if state.finished else None,
    )
    for key, value in fields.items():
        setattr(record, key, value)
    return record
