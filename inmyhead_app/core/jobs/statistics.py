"""Job statistics: the SQL behind them (mixed into ``JobsDB``) and the summary the CLI and the window show.

Averages are over indexed documents (not duplicates, which skip the work). Everything is computed
in SQL, so it stays cheap with tens of thousands of job records.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from inmyhead_app.core.jobs.model import STAGE_ORDER, JobState

if TYPE_CHECKING:
    from inmyhead_app.core.jobs.db import JobsDB

THROUGHPUT_MINUTES = 10


class StatisticsQueries:
    """Counts and averages over the ``jobs`` table; ``JobsDB`` supplies ``_query``."""

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        raise NotImplementedError

    def counts_by_state(self) -> dict[str, int]:
        rows = self._query("select state, count(*) as n from jobs group by state")
        counts = {str(state): 0 for state in JobState}
        counts.update({row["state"]: row["n"] for row in rows})
        return counts

    def batch_counts(self, batch_id: str) -> dict[str, int]:
        rows = self._query(
            "select state, count(*) as n from jobs where batch_id = ? group by state", (batch_id,)
        )
        return {row["state"]: row["n"] for row in rows}

    def average_duration(self) -> float | None:
        rows = self._query(
            "select avg(finished_at - started_at) as s from jobs where state = 'done' "
            "and duplicate_of is null and started_at is not null"
        )
        return rows[0]["s"]

    def average_stage_seconds(self, stages: list[str]) -> dict[str, float | None]:
        averages = {}
        for stage in stages:
            rows = self._query(
                "select avg(json_extract(stages, ?)) as s from jobs where state = 'done' "
                "and duplicate_of is null and json_extract(stages, ?) = 'done'",
                (f"$.{stage}.seconds", f"$.{stage}.status"),
            )
            averages[stage] = rows[0]["s"]
        return averages

    def done_per_minute(self, since: float) -> dict[int, int]:
        rows = self._query(
            "select cast(finished_at / 60 as integer) * 60 as minute, count(*) as n from jobs "
            "where state = 'done' and finished_at >= ? group by minute",
            (since,),
        )
        return {row["minute"]: row["n"] for row in rows}

    def done_since(self, since: float) -> int:
        rows = self._query(
            "select count(*) as n from jobs where state = 'done' and finished_at >= ?", (since,)
        )
        return rows[0]["n"]

    def tokens_used(self) -> int:
        return self._query("select coalesce(sum(tokens_used), 0) as n from jobs")[0]["n"]


def job_statistics(db: JobsDB) -> dict[str, Any]:
    """Totals by state, success rate, average durations, throughput per minute, queue depth, tokens."""
    by_state = db.counts_by_state()
    total = sum(by_state.values())
    done, failed = by_state.get("done", 0), by_state.get("failed", 0)
    now = time.time()
    this_minute = int(now // 60) * 60
    since = this_minute - 60 * (THROUGHPUT_MINUTES - 1)
    buckets = {since + 60 * i: 0 for i in range(THROUGHPUT_MINUTES)}
    buckets.update(db.done_per_minute(since))
    return {
        "by_state": by_state,
        "total": total,
        "success_rate": done / (done + failed) if done + failed else None,
        "avg_duration_s": db.average_duration(),
        "avg_stage_s": db.average_stage_seconds([str(s) for s in STAGE_ORDER]),
        "throughput_per_min": list(buckets.items()),
        "docs_per_minute": db.done_since(now - 300) / 5.0,
        "queue_depth": by_state.get("queued", 0) + by_state.get("retry_wait", 0),
        "tokens_used": db.tokens_used(),
    }
