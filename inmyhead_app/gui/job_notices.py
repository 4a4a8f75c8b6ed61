"""What the user is told when documents fail or a batch finishes: plain text, composed in one place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inmyhead_app.core.jobs.model import JobRecord
from inmyhead_app.gui.notifications import Level


def failures_notice(jobs: Sequence[JobRecord]) -> tuple[str, str]:
    """(title, text): one failure names its reason, several name their files."""
    if len(jobs) == 1:
        job = jobs[0]
        text = f"{Path(job.path).name}: {job.error_message or job.error_kind}"
    else:
        text = ", ".join(Path(job.path).name for job in jobs[:3]) + (" …" if len(jobs) > 3 else "")
    return f"{len(jobs)} document{'s' if len(jobs) != 1 else ''} failed", text


def batch_notice(status: dict[str, Any], skipped: int, reembed: bool) -> tuple[str, Level]:
    """(text, level) for a finished batch; ``status`` is ``JobManager.get_batch_status``."""
    counts = status.get("by_state") or {}
    done, failed = int(counts.get("done", 0)), int(counts.get("failed", 0))
    cancelled = int(counts.get("cancelled", 0))
    parts = [f"{done} {'re-embedded' if reembed else 'indexed'}"]
    if failed:
        parts.append(f"{failed} failed")
    if cancelled:
        parts.append(f"{cancelled} cancelled")
    if skipped:
        parts.append(f"{skipped} skipped (not a supported type)")
    return ", ".join(parts) + ".", Level.WARNING if failed else Level.SUCCESS
