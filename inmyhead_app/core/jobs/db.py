"""The jobs table (the record of truth; Huey is only the transport) and the library catalog.

SQLite in WAL mode with ``synchronous=NORMAL``: thousands of writes a second, and a crash loses at
most the last transactions, never the file. One connection per process behind a lock, so any
thread may call in; other processes (CLI, workers) open their own and SQLite serialises writers.

Every job carries a ``generation``. Each (re-)enqueue bumps it and the Huey task carries the value
it was sent with; a task whose generation no longer matches is stale and does nothing. That keeps
cancel, retry, re-prioritise and recovery correct under Huey's at-least-once delivery.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from inmyhead_app.core.jobs.catalog import CatalogQueries, to_column
from inmyhead_app.core.jobs.model import STAGE_ORDER, JobRecord, JobState, Stage, StageProgress, StageStatus
from inmyhead_app.core.jobs.statistics import StatisticsQueries

DB_FILE = "jobs.sqlite3"
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING, JobState.RETRY_WAIT)

_SCHEMA = """
create table if not exists jobs (
    id text primary key, batch_id text not null, path text not null, doc_id text not null,
    file_type text not null default '', size_bytes integer not null default 0,
    state text not null, stage text, stages text not null default '{}',
    priority integer not null default 5, attempts integer not null default 0,
    retries integer not null default 0, generation integer not null default 0,
    created_at real not null, started_at real, finished_at real, next_attempt_at real,
    stage_started_at real, error_kind text, error_message text, warnings text not null default '[]',
    chunks integer not null default 0, pages integer not null default 0, duplicate_of text,
    tokens_used integer not null default 0, force integer not null default 0, owner text,
    content_hash text, mtime real
);
create index if not exists jobs_state on jobs (state);
create index if not exists jobs_batch on jobs (batch_id);
create index if not exists jobs_doc on jobs (doc_id);
create index if not exists jobs_finished on jobs (finished_at);
create table if not exists documents (
    doc_id text primary key, path text not null, content_hash text not null, title text,
    file_type text, pages integer not null default 0, chunks integer not null default 0,
    language text, keywords text not null default '[]', summary text,
    metadata text not null default '{}', added_at real not null, size_bytes integer not null default 0,
    mtime real
);
create index if not exists documents_hash on documents (content_hash);
create table if not exists kv (key text primary key, value text not null);
"""
# Columns added after the first release: (table, column, declaration), added to older files on open.
_ADDED_COLUMNS = (
    ("jobs", "kind", "text not null default 'index'"),  # JobKind: index a file, or re-embed a document
    ("documents", "embedded_with", "text"),  # the dense model of its chunks (None: the library's first)
)

_SET_FLAG = "insert into kv (key, value) values (?, ?) on conflict(key) do update set value = excluded.value"

# Columns of ``jobs`` that map one to one onto JobRecord fields.
_PLAIN = [
    *("id", "batch_id", "path", "doc_id", "file_type", "size_bytes", "priority", "attempts"),
    *("created_at", "started_at", "finished_at", "error_kind", "error_message", "chunks", "pages"),
    *("duplicate_of", "tokens_used", "kind"),
]


def _stages_from_json(raw: str) -> dict[Stage, StageProgress]:
    stages = {stage: StageProgress() for stage in STAGE_ORDER}
    for key, value in json.loads(raw or "{}").items():
        stages[Stage(key)] = StageProgress(
            status=StageStatus(value.get("status", "pending")),
            done=value.get("done", 0),
            total=value.get("total", 0),
            seconds=value.get("seconds", 0.0),
        )
    return stages


def stages_to_json(stages: dict[Stage, StageProgress]) -> str:
    return json.dumps(
        {
            str(stage): {"status": str(p.status), "done": p.done, "total": p.total, "seconds": p.seconds}
            for stage, p in stages.items()
        }
    )


def _record(row: sqlite3.Row) -> JobRecord:
    fields: dict[str, Any] = {name: row[name] for name in _PLAIN}
    return JobRecord(
        **fields,
        state=JobState(row["state"]),
        stage=Stage(row["stage"]) if row["stage"] else None,
        stages=_stages_from_json(row["stages"]),
        warnings=json.loads(row["warnings"] or "[]"),
    )


class JobsDB(CatalogQueries, StatisticsQueries):
    """Jobs, documents and a few queue flags (``kv``) in ``<data_dir>/jobs.sqlite3``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_FILE
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("pragma journal_mode=wal")
        self._conn.execute("pragma synchronous=normal")
        self._conn.execute("pragma busy_timeout=30000")
        with self.transaction() as conn:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            for table, column, declaration in _ADDED_COLUMNS:
                present = {row["name"] for row in conn.execute(f"pragma table_info({table})")}
                if column not in present:
                    conn.execute(f"alter table {table} add column {column} {declaration}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken up front (``begin immediate``), so claims never interleave."""
        with self._lock:
            self._conn.execute("begin immediate")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("rollback")
                raise
            else:
                self._conn.execute("commit")

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).rowcount

    # --- jobs ---------------------------------------------------------------------------------

    def insert_jobs(self, rows: list[dict[str, Any]]) -> None:
        """Insert new jobs (dicts of column values) in one transaction."""
        if not rows:
            return
        columns = list(rows[0])
        sql = f"insert into jobs ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
        with self.transaction() as conn:
            conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])

    def get(self, job_id: str) -> JobRecord | None:
        rows = self._query("select * from jobs where id = ?", (job_id,))
        return _record(rows[0]) if rows else None

    def get_many(self, job_ids: list[str]) -> list[JobRecord]:
        """Records in the order of ``job_ids`` (missing ones left out)."""
        found: dict[str, JobRecord] = {}
        for start in range(0, len(job_ids), 500):
            part = job_ids[start : start + 500]
            rows = self._query(f"select * from jobs where id in ({', '.join('?' * len(part))})", part)
            found.update((row["id"], _record(row)) for row in rows)
        return [found[i] for i in job_ids if i in found]

    def active_jobs_by_doc(self) -> dict[str, str]:
        """doc_id -> id of its unfinished job."""
        rows = self._query("select doc_id, id from jobs where state in ('queued', 'running', 'retry_wait')")
        return {row["doc_id"]: row["id"] for row in rows}

    def row(self, job_id: str) -> sqlite3.Row | None:
        rows = self._query("select * from jobs where id = ?", (job_id,))
        return rows[0] if rows else None

    def list(
        self, state: JobState | str | None = None, batch_id: str | None = None, limit: int | None = None
    ) -> list[JobRecord]:
        clauses, params = [], []
        if state is not None:
            clauses.append("state = ?")
            params.append(str(state))
        if batch_id is not None:
            clauses.append("batch_id = ?")
            params.append(batch_id)
        where = f"where {' and '.join(clauses)}" if clauses else ""
        sql = f"select * from jobs {where} order by created_at, rowid"
        if limit is not None:
            sql += f" limit {int(limit)}"
        return [_record(row) for row in self._query(sql, params)]

    def ids(self, states: Iterable[JobState], batch_id: str | None = None) -> builtins.list[str]:
        state_values = [str(s) for s in states]
        sql = f"select id from jobs where state in ({', '.join('?' * len(state_values))})"
        params: list[Any] = list(state_values)
        if batch_id is not None:
            sql += " and batch_id = ?"
            params.append(batch_id)
        return [row["id"] for row in self._query(sql + " order by created_at, rowid", params)]

    def has_active_jobs(self) -> bool:
        sql = "select 1 from jobs where state in ('queued', 'running', 'retry_wait') limit 1"
        return bool(self._query(sql))

    def active_job_for_doc(self, doc_id: str) -> JobRecord | None:
        rows = self._query(
            "select * from jobs where doc_id = ? and state in ('queued', 'running', 'retry_wait') limit 1",
            (doc_id,),
        )
        return _record(rows[0]) if rows else None

    def current(self, job_id: str) -> tuple[JobState, int] | None:
        """The job's state and generation: what a running stage checks at every boundary."""
        rows = self._query("select state, generation from jobs where id = ?", (job_id,))
        return (JobState(rows[0]["state"]), rows[0]["generation"]) if rows else None

    def requeue(
        self,
        job_id: str,
        from_states: Iterable[JobState],
        *,
        priority: int | None = None,
        next_attempt_at: float | None = None,
        reset: bool = False,
        state: JobState = JobState.QUEUED,
    ) -> tuple[int, int] | None:
        """Move a job back to QUEUED (or RETRY_WAIT) with a new generation; (generation, priority) or None.

        ``reset`` clears the outcome of a finished job (for retry): error, attempts, stage progress.
        """
        from_values = [str(s) for s in from_states]
        sets = ["state = ?", "generation = generation + 1", "owner = null", "next_attempt_at = ?"]
        params: list[Any] = [str(state), next_attempt_at]
        if priority is not None:
            sets.append("priority = ?")
            params.append(priority)
        if reset:
            sets += [
                "error_kind = null",
                "error_message = null",
                "finished_at = null",
                "started_at = null",
                "attempts = 0",
                "retries = 0",
                "stage = null",
                "stages = '{}'",
                "warnings = '[]'",
                "duplicate_of = null",
            ]
        with self.transaction() as conn:
            cursor = conn.execute(
                f"update jobs set {', '.join(sets)} where id = ? "
                f"and state in ({', '.join('?' * len(from_values))})",
                [*params, job_id, *from_values],
            )
            if cursor.rowcount != 1:
                return None
            row = conn.execute("select generation, priority from jobs where id = ?", (job_id,)).fetchone()
        return row["generation"], row["priority"]

    def claim(self, job_id: str, generation: int, owner: str) -> JobRecord | None:
        """Mark the job RUNNING if the task is current; the claimed record, or None when stale."""
        now = time.time()
        with self.transaction() as conn:
            cursor = conn.execute(
                "update jobs set state = 'running', owner = ?, attempts = attempts + 1, "
                "started_at = coalesce(started_at, ?), next_attempt_at = null "
                "where id = ? and generation = ? and state in ('queued', 'retry_wait')",
                (owner, now, job_id, generation),
            )
            if cursor.rowcount != 1:
                return None
            row = conn.execute("select * from jobs where id = ?", (job_id,)).fetchone()
        return _record(row)

    def update(self, job_id: str, generation: int | None = None, **fields: Any) -> bool:
        """Set columns of a job; with ``generation``, only while the job is still that generation."""
        if not fields:
            return True
        sets = ", ".join(f"{name} = ?" for name in fields)
        params: list[Any] = [to_column(value) for value in fields.values()]
        sql = f"update jobs set {sets} where id = ?"
        params.append(job_id)
        if generation is not None:
            sql += " and generation = ?"
            params.append(generation)
        return self._execute(sql, params) == 1

    def finish(
        self,
        job_id: str,
        generation: int | None,
        state: JobState,
        from_states: Iterable[JobState],
        **fields: Any,
    ) -> bool:
        """Move a job to a finished state (bumping its generation so in-flight tasks stop)."""
        from_values = [str(s) for s in from_states]
        fields = {"finished_at": time.time(), "owner": None, "next_attempt_at": None, **fields}
        sets = ", ".join(["state = ?", "generation = generation + 1", *(f"{k} = ?" for k in fields)])
        sql = f"update jobs set {sets} where id = ? and state in ({', '.join('?' * len(from_values))})"
        params: list[Any] = [str(state), *(to_column(v) for v in fields.values()), job_id, *from_values]
        if generation is not None:
            sql += " and generation = ?"
            params.append(generation)
        with self._lock:
            return self._conn.execute(sql, params).rowcount == 1

    def cancel_active(self, batch_id: str | None = None, kind: str | None = None) -> builtins.list[str]:
        """Cancel every unfinished job (of a batch, of a kind) in one transaction; the ids cancelled."""
        where = "state in ('queued', 'running', 'retry_wait')"
        params: list[Any] = []
        if batch_id is not None:
            where += " and batch_id = ?"
            params.append(batch_id)
        if kind is not None:
            where += " and kind = ?"
            params.append(kind)
        with self.transaction() as conn:
            ids = [row["id"] for row in conn.execute(f"select id from jobs where {where}", params)]
            conn.execute(
                f"update jobs set state = 'cancelled', generation = generation + 1, finished_at = ?, "
                f"owner = null, next_attempt_at = null, error_kind = 'cancelled', "
                f"error_message = 'Cancelled by the user.' where {where}",
                [time.time(), *params],
            )
        return ids

    def delete_jobs(self, job_ids: Iterable[str]) -> int:
        ids = list(job_ids)
        with self.transaction() as conn:
            return sum(conn.execute("delete from jobs where id = ?", (i,)).rowcount for i in ids)

    def expired_ids(self, older_than: float) -> builtins.list[str]:
        """Finished (done or cancelled) jobs that ended before ``older_than``; failed ones stay."""
        rows = self._query(
            "select id from jobs where state in ('done', 'cancelled') and finished_at < ?", (older_than,)
        )
        return [row["id"] for row in rows]

    def running_rows(self) -> builtins.list[sqlite3.Row]:
        return self._query("select * from jobs where state = 'running'")

    def latest_job_state(self, doc_id: str, kind: str, since: float) -> JobState | None:
        rows = self._query(
            "select state from jobs where doc_id = ? and kind = ? and created_at >= ? "
            "order by created_at desc, rowid desc limit 1",
            (doc_id, kind, since),
        )
        return JobState(rows[0]["state"]) if rows else None

    # --- flags ---------------------------------------------------------------------------------------

    def get_flag(self, key: str, default: str | None = None) -> str | None:
        rows = self._query("select value from kv where key = ?", (key,))
        return rows[0]["value"] if rows else default

    def swap_flags(self, expected: dict[str, str], new: dict[str, str]) -> bool:
        """Set ``new`` only if every flag in ``expected`` still holds its value (missing reads as "")."""
        with self.transaction() as conn:
            for key, value in expected.items():
                row = conn.execute("select value from kv where key = ?", (key,)).fetchone()
                if (row["value"] if row else "") != value:
                    return False
            conn.executemany(_SET_FLAG, list(new.items()))
        return True

    def set_flag(self, key: str, value: str) -> None:
        self._execute(_SET_FLAG, (key, value))
