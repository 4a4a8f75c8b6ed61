"""The Huey instance: SQLite in the data folder by default, Redis for worker processes elsewhere.

Huey is only the transport: a task carries ``(job_id, generation)`` and everything else is read
from the jobs table. Results are not stored (nothing reads them).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from huey import PriorityRedisHuey, SqliteHuey
from huey.api import Huey
from huey.storage import SqliteStorage

from inmyhead_app.core.config import Settings

QUEUE_FILE = "queue.sqlite3"
QUEUE_NAME = "inmyhead"


class _WalNormalStorage(SqliteStorage):
    """WAL with ``synchronous=NORMAL``: thousands of enqueues a second, and it survived SIGKILL here
    (huey's default fsync manages a few hundred)."""

    def _create_connection(self) -> sqlite3.Connection:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn


class _SqliteHuey(SqliteHuey):
    storage_class = _WalNormalStorage


def make_huey(settings: Settings, data_dir: Path) -> Huey:
    """The queue the settings ask for (``queue``: sqlite or redis, ``redis_url``)."""
    if settings["queue"] == "redis":
        return PriorityRedisHuey(QUEUE_NAME, results=False, url=settings["redis_url"])
    return _SqliteHuey(
        QUEUE_NAME, results=False, filename=str(Path(data_dir) / QUEUE_FILE), journal_mode="wal", timeout=30
    )


def uses_sqlite(huey: Huey) -> bool:
    return isinstance(huey.storage, SqliteStorage)
