"""Recovery: after a crash or a quit, unfinished jobs go back to the queue with a new generation.

Their old Huey tasks become stale (``db.claim`` refuses them), so a job never runs twice at once.
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING

from inmyhead_app.core.jobs.db import ACTIVE_STATES
from inmyhead_app.core.jobs.model import JobState
from inmyhead_app.core.jobs.queue import uses_sqlite

if TYPE_CHECKING:
    from inmyhead_app.core.jobs.manager import JobManager

log = logging.getLogger("inmyhead.jobs.manager")


def recover_unfinished(manager: JobManager) -> int:
    """Re-enqueue unfinished jobs with a new generation (their old tasks become stale).

    With the SQLite queue this process owns the queue (the data-folder lock), so every unfinished job
    is recovered. With Redis other workers may be running theirs, so only jobs this host started in a
    process that is gone are recovered.
    """
    from inmyhead_app.core.jobs.runner import OWNER

    count = 0
    now = time.time()
    if uses_sqlite(manager.huey):
        manager.huey.storage.flush_queue()
        manager.huey.storage.flush_schedule()
        candidates = [manager.db.row(i) for i in manager.db.ids(ACTIVE_STATES)]
    else:
        host = OWNER.split(":")[0]
        candidates = [
            r
            for r in manager.db.running_rows()
            if (r["owner"] or "").split(":")[0] == host and not _pid_alive(r["owner"])
        ]
    for row in candidates:
        if row is None:
            continue
        state = JobState(row["state"])
        delay = max(0.0, (row["next_attempt_at"] or 0) - now) if state is JobState.RETRY_WAIT else 0.0
        target = JobState.RETRY_WAIT if delay > 0 else JobState.QUEUED
        requeued = manager.db.requeue(
            row["id"], [state], next_attempt_at=row["next_attempt_at"], state=target
        )
        if requeued is not None:
            manager.enqueue(row["id"], *requeued, delay=delay)
            count += 1
    if count:
        log.info("recovered %d unfinished jobs", count)
    return count


def _pid_alive(owner: str | None) -> bool:
    try:
        pid = int((owner or "").rsplit(":", 1)[1])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
