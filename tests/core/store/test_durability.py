"""A process killed with SIGKILL right after writing keeps what it wrote (and duplicates nothing)."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from inmyhead_app.core.store.factory import make_store
from tests.core.store.conftest import MODEL_ID
from tests.core.store.helpers import EmbeddedCorpus, doc_id

REPO = Path(__file__).resolve().parents[3]

# Writes "bread" with replace_document (flushed, as after a finished job) and "engine" with a bare
# upsert (acknowledged, not flushed), says so, then waits to be killed.
WRITER = """
import pickle, sys, time
from pathlib import Path
from inmyhead_app.core.store.factory import make_store
kind, folder, points_file, model = sys.argv[1:5]
bread_id, bread, engine = pickle.loads(Path(points_file).read_bytes())
store = make_store(kind, Path(folder))
store.ensure_collection(model, 384)
store.replace_document(bread_id, bread)
store.flush()
store.upsert(engine)
print("written", flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(store_kind: str, tmp_path: Path, corpus: EmbeddedCorpus) -> None:
    points_file = tmp_path / "points.pickle"
    points_file.write_bytes(pickle.dumps((doc_id("bread"), corpus.points("bread"), corpus.points("engine"))))
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, store_kind, str(tmp_path), str(points_file), MODEL_ID],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == "written\n", child.stderr.read() if child.stderr else ""
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    store = make_store(store_kind, tmp_path)
    try:
        assert store.count(doc_id("bread")) == 3
        assert store.count(doc_id("engine")) == 4
        # Re-running the killed job's write duplicates nothing.
        store.replace_document(doc_id("bread"), corpus.points("bread"))
        assert store.count() == 7
    finally:
        store.close()
