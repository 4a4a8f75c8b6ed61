"""The Edge store in a child process: same answers as in-process, errors come back typed, never orphaned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

from inmyhead_app.core.config import Settings
from inmyhead_app.core.embed.local import DIMENSION
from inmyhead_app.core.errors import IngestError
from inmyhead_app.core.store.base import SearchFilters
from inmyhead_app.core.store.factory import make_store, open_store
from inmyhead_app.core.store.process import ProcessStore
from tests.core.store.conftest import MODEL_ID
from tests.core.store.helpers import EmbeddedCorpus


@pytest.fixture
def corpus(local_embedder, bm25) -> EmbeddedCorpus:
    return EmbeddedCorpus(local_embedder, bm25)


def test_default_edge_store_runs_out_of_process_with_the_same_results(
    tmp_path: Path, corpus, local_embedder
) -> None:
    settings = Settings(tmp_path, overrides={"store": "edge"})
    store = open_store(settings, tmp_path)
    try:
        store.ensure_collection(MODEL_ID, DIMENSION)
        corpus.load_into(store)
        query = local_embedder.embed_query("how do plants make energy from light")
        remote = [hit.id for hit in store.query_dense(query, SearchFilters(), 5)]
        total = store.count()
        spawned = [c for c in psutil.Process().children() if "multiprocessing.spawn" in " ".join(c.cmdline())]
    finally:
        store.close()
    assert spawned, "the Edge store should run in a spawned child process"
    in_process = make_store("edge", tmp_path)
    try:
        assert in_process.count() == total > 0
        assert [hit.id for hit in in_process.query_dense(query, SearchFilters(), 5)] == remote
    finally:
        in_process.close()


def test_store_errors_come_back_as_the_same_ingest_error(tmp_path: Path) -> None:
    store = ProcessStore("edge", tmp_path)
    try:
        store.ensure_collection(MODEL_ID, DIMENSION)
        with pytest.raises(IngestError) as raised:
            store.ensure_collection("openai:text-embedding-3-large:3072", 3072)
        assert "3072" in raised.value.message or "all-MiniLM" in raised.value.message
        assert store.count() == 0  # the child is still serving after an error
    finally:
        store.close()
    with pytest.raises(IngestError):
        store.count()


def test_child_exits_and_keeps_the_data_when_the_app_is_killed(tmp_path: Path) -> None:
    """SIGKILL the owning process: the store process notices the closed pipe, closes the shard, exits."""
    script = textwrap.dedent(
        f"""
        import sys, time, uuid
        from pathlib import Path
        from inmyhead_app.core.store.process import ProcessStore
        from inmyhead_app.core.store.base import ChunkPoint
        from inmyhead_app.core.embed.base import SparseVector
        if __name__ == "__main__":
            store = ProcessStore("edge", Path({str(tmp_path)!r}))
            store.ensure_collection({MODEL_ID!r}, {DIMENSION})
            points = [
                ChunkPoint(str(uuid.uuid4()), [float(i == j) for j in range({DIMENSION})],
                           SparseVector([i + 1], [1.0]), {{"doc_id": "d", "chunk_index": i, "text": "t"}})
                for i in range(20)
            ]
            store.replace_document("d", points)
            print("ready", flush=True)
            time.sleep(600)
        """
    )
    owner = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[3]
    )
    try:
        assert owner.stdout is not None
        assert owner.stdout.readline().strip() == "ready"
        children = psutil.Process(owner.pid).children()
        assert children, "the store should run in a child process"
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait(timeout=30)
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, "the store process outlived the app"
    finally:
        if owner.poll() is None:
            owner.kill()
    reopened = make_store("edge", tmp_path)
    try:
        assert reopened.count("d") == 20
    finally:
        reopened.close()
