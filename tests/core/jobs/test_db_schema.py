"""The jobs file: older files gain the new columns on open; flags change by compare-and-swap."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from inmyhead_app.core.jobs import db as jobs_db
from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.jobs.model import JobKind


def test_a_file_from_the_first_release_gains_the_new_columns(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / jobs_db.DB_FILE)
    conn.executescript(jobs_db._SCHEMA)  # the first release's tables, before any column was added
    conn.execute(
        "insert into jobs (id, batch_id, path, doc_id, state, created_at) "
        "values ('j1', 'b', '/x', 'd', 'done', ?)",
        (time.time(),),
    )
    conn.execute("insert into documents (doc_id, path, content_hash, added_at) values ('d', '/x', 'h', 1.0)")
    conn.commit()
    conn.close()

    db = JobsDB(data_dir)
    try:
        assert db.get("j1").kind == JobKind.INDEX
        assert db.get_document("d")["embedded_with"] is None
        assert [doc["doc_id"] for doc in db.documents_not_embedded_with("local:m")] == ["d"]
        assert not db.set_embedded_with("d", "local:m", added_at=2.0)  # re-indexed meanwhile: left
        assert db.set_embedded_with("d", "local:m", added_at=1.0)
        assert db.documents_not_embedded_with("local:m") == []
    finally:
        db.close()
    JobsDB(data_dir).close()  # and opening it again adds nothing twice


def test_flags_swap_only_when_nobody_changed_them(data_dir: Path) -> None:
    db = JobsDB(data_dir)
    try:
        assert db.swap_flags({"generation": ""}, {"generation": "1", "target": ""})
        assert db.get_flag("generation") == "1"
        assert not db.swap_flags({"generation": ""}, {"generation": "2"})  # another process won
        assert db.get_flag("generation") == "1"
    finally:
        db.close()
