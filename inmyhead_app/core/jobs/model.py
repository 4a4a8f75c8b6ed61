"""What a job is: its state, its stage, its progress. Shared by the job system, the CLI and the GUI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRY_WAIT = "retry_wait"  # a transient error; it runs again after a back-off
    DONE = "done"  # indexed, or a duplicate of an indexed document (see duplicate_of)
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class JobKind(StrEnum):
    INDEX = "index"  # parse a file and index it: every stage
    REEMBED = "reembed"  # embed an indexed document's chunks with another model: embedding, storing


class Stage(StrEnum):
    PARSING = "parsing"
    PREPROCESSING = "preprocessing"
    EMBEDDING = "embedding"  # runs in parallel with METADATA
    METADATA = "metadata"
    STORING = "storing"


STAGE_ORDER = (Stage.PARSING, Stage.PREPROCESSING, Stage.EMBEDDING, Stage.METADATA, Stage.STORING)


class StageStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class StageProgress:
    status: StageStatus = StageStatus.PENDING
    done: int = 0
    total: int = 0
    seconds: float = 0.0


@dataclass
class JobRecord:
    """One row of the jobs table, as callers see it. Times are Unix seconds (float)."""

    id: str
    batch_id: str
    path: str
    doc_id: str
    file_type: str
    size_bytes: int
    state: JobState
    stage: Stage | None
    stages: dict[Stage, StageProgress] = field(default_factory=dict)
    priority: int = 5  # 0-10, higher first
    attempts: int = 0
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    error_kind: str | None = None
    error_message: str | None = None
    warnings: list[str] = field(default_factory=list)
    chunks: int = 0
    pages: int = 0
    duplicate_of: str | None = None  # doc_id of the already-indexed identical document
    tokens_used: int = 0
    kind: str = JobKind.INDEX

    @property
    def duration(self) -> float | None:
        if self.started_at is None:
            return None
        return (self.finished_at or 0.0) - self.started_at if self.finished_at else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stages"] = {str(stage): asdict(progress) for stage, progress in self.stages.items()}
        return data


class EventKind(StrEnum):
    SUBMITTED = "submitted"
    UPDATED = "updated"  # state, stage or progress changed
    FINISHED = "finished"  # reached DONE, FAILED or CANCELLED
    REMOVED = "removed"  # record deleted (cleanup, dismiss)
    BATCH_FINISHED = "batch_finished"
    QUEUE_PAUSED = "queue_paused"
    QUEUE_RESUMED = "queue_resumed"
    REEMBED_FINISHED = "reembed_finished"  # every document is in the new model's store (detail: model)


@dataclass(frozen=True)
class JobEvent:
    kind: EventKind
    job_id: str | None = None
    batch_id: str | None = None
    job: JobRecord | None = None  # a snapshot, safe to keep
    detail: dict[str, Any] = field(default_factory=dict)
