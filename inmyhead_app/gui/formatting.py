"""Plain-language text for numbers, sizes, durations and states, shared by the views."""

from __future__ import annotations

import time

from inmyhead_app.core.jobs.model import STAGE_ORDER as STAGE_ORDER_
from inmyhead_app.core.jobs.model import JobKind, JobRecord, JobState, Stage, StageStatus

STATE_LABELS = {
    JobState.QUEUED: "Queued",
    JobState.RUNNING: "Running",
    JobState.RETRY_WAIT: "Waiting to retry",
    JobState.DONE: "Done",
    JobState.FAILED: "Failed",
    JobState.CANCELLED: "Cancelled",
}
STAGE_LABELS = {
    Stage.PARSING: "Parsing",
    Stage.PREPROCESSING: "Preprocessing",
    Stage.EMBEDDING: "Embedding",
    Stage.METADATA: "Metadata",
    Stage.STORING: "Storing",
}
STAGE_SHORT = {
    Stage.PARSING: "Parse",
    Stage.PREPROCESSING: "Clean",
    Stage.EMBEDDING: "Embed",
    Stage.METADATA: "Meta",
    Stage.STORING: "Store",
}


ERROR_LABELS = {
    "empty": "empty file",
    "not_found": "file not found",
    "permission": "no permission",
    "unsupported": "unsupported type",
    "encrypted": "password-protected",
    "corrupt": "damaged file",
    "no_text": "no text found",
    "too_large": "too large",
    "timeout": "took too long",
    "out_of_memory": "out of memory",
    "file_busy": "file in use",
    "disk_full": "disk full",
    "provider_auth": "API key rejected",
    "provider_unavailable": "service unavailable",
    "rate_limited": "rate limited",
    "cancelled": "cancelled",
    "internal": "internal error",
}


def human_size(size: int | None) -> str:
    if size is None or size < 0:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def human_duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    if seconds < 10:
        return f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def elapsed(job: JobRecord, now: float | None = None) -> float | None:
    """Seconds the job has run: its duration when finished, the time since it started when running."""
    if job.started_at is None:
        return None
    end = job.finished_at if job.finished_at else (now if now is not None else time.time())
    return max(0.0, end - job.started_at)


def progress_text(job: JobRecord) -> str:
    """E.g. "Embedding 34/120", "Queued", "Done · 12 chunks", "Failed: corrupt", "Re-embedded · 3 chunks"."""
    reembed = job.kind == JobKind.REEMBED
    if job.state is JobState.DONE:
        if job.duplicate_of:
            return "Done · duplicate"
        return f"{'Re-embedded' if reembed else 'Done'} · {job.chunks} chunk{'s' if job.chunks != 1 else ''}"
    if job.state is JobState.FAILED:
        return f"Failed: {ERROR_LABELS.get(job.error_kind, job.error_kind)}" if job.error_kind else "Failed"
    if job.state in (JobState.QUEUED, JobState.CANCELLED, JobState.RETRY_WAIT):
        return f"{STATE_LABELS[job.state]} · re-embed" if reembed else STATE_LABELS[job.state]
    stage = job.stage
    if stage is None:
        return "Starting"
    progress = job.stages.get(stage)
    text = "Re-embedding" if reembed and stage is Stage.EMBEDDING else STAGE_LABELS[stage]
    if progress is not None and progress.total > 0:
        text += f" {progress.done}/{progress.total}"
    # embedding and metadata run side by side: name the other one when both are running
    if stage in (Stage.EMBEDDING, Stage.METADATA):
        other = Stage.METADATA if stage is Stage.EMBEDDING else Stage.EMBEDDING
        other_progress = job.stages.get(other)
        if other_progress is not None and other_progress.status is StageStatus.RUNNING:
            text += f" ‖ {STAGE_LABELS[other]}"
    return text


def stage_fraction(job: JobRecord) -> float:
    """Overall progress 0..1, one fifth per stage, with the running stages' partial progress."""
    if job.state is JobState.DONE:
        return 1.0
    total = 0.0
    for stage in STAGE_ORDER_:
        progress = job.stages.get(stage)
        if progress is None:
            continue
        if progress.status in (StageStatus.DONE, StageStatus.SKIPPED):
            total += 1.0
        elif progress.status is StageStatus.RUNNING and progress.total > 0:
            total += min(1.0, progress.done / progress.total)
    return total / len(STAGE_ORDER_)


def ago(timestamp: float | None, now: float | None = None) -> str:
    if not timestamp:
        return ""
    delta = (now if now is not None else time.time()) - timestamp
    if delta < 60:
        return "just now"
    if delta < 3600:
        return f"{int(delta // 60)} min ago"
    if delta < 86400:
        return f"{int(delta // 3600)} h ago"
    return time.strftime("%Y-%m-%d", time.localtime(timestamp))
