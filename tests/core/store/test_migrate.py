"""Migration copies a real library between stores, survives interruption, and keeps search results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inmyhead_app.cli import main
from inmyhead_app.core.config import Settings
from inmyhead_app.core.errors import IngestError
from inmyhead_app.core.store.base import SearchFilters, VectorStore
from inmyhead_app.core.store.factory import make_store
from inmyhead_app.core.store.migrate import CHECKPOINT_FILE, migrate
from tests.core.store.conftest import MODEL_ID
from tests.core.store.helpers import EmbeddedCorpus

QUERIES = ("wild yeast starter", "how a heart valve works", "inverted index ranking", "satellite speed")


def top_results(store: VectorStore, local_embedder, bm25) -> list[list[str]]:
    results = []
    for text in QUERIES:
        dense, sparse = local_embedder.embed_query(text), bm25.embed_query(text)
        results.append([hit.id for hit in store.query_dense(dense, SearchFilters(), 5)])
        results.append([hit.id for hit in store.query_hybrid(dense, sparse, SearchFilters(), 5)])
    return results


@pytest.fixture
def local_library(data_dir: Path, corpus: EmbeddedCorpus) -> Path:
    """A data folder whose library (the small corpus) lives in local mode."""
    store = make_store("local", data_dir)
    store.ensure_collection(MODEL_ID, 384)
    corpus.load_into(store)
    store.close()
    settings = Settings(data_dir)
    settings.set("store", "local")
    settings.save()
    return data_dir


def test_an_interrupted_migration_resumes_and_keeps_every_point(
    local_library: Path, local_embedder, bm25
) -> None:
    checkpoint = local_library / CHECKPOINT_FILE
    source, target = make_store("local", local_library), make_store("edge", local_library)
    try:
        before = top_results(source, local_embedder, bm25)
        first = migrate(source, target, checkpoint, source_name="local", target_name="edge",
                        batch_size=3, max_batches=2)  # fmt: skip
        assert (first.complete, first.points, target.count()) == (False, 6, 6)
        assert json.loads(checkpoint.read_text())["copied"] == 6
    finally:
        source.close()
        target.close()
    # A new process would start here: reopen both stores and carry on from the checkpoint.
    source, target = make_store("local", local_library), make_store("edge", local_library)
    try:
        second = migrate(source, target, checkpoint, source_name="local", target_name="edge", batch_size=3)
        assert (second.complete, second.resumed, second.points) == (True, True, 20)
        assert not checkpoint.exists()
        assert target.count() == source.count() == 20
        copied = {p.id: p for p in target.scroll(None, 100)[0]}
        for original in source.scroll(None, 100)[0]:
            twin = copied[original.id]
            assert twin.payload == original.payload
            assert twin.sparse.indices == original.sparse.indices
            assert twin.sparse.values == pytest.approx(original.sparse.values, rel=1e-6)  # Edge keeps float32
            assert max(abs(a - b) for a, b in zip(twin.dense, original.dense, strict=True)) < 1e-5
        assert top_results(target, local_embedder, bm25) == before
        info = target.info()
        assert info is not None and (info.dense_model, info.dense_dimension) == (MODEL_ID, 384)
    finally:
        source.close()
        target.close()


def test_a_migration_into_a_store_that_already_holds_points_is_refused(local_library: Path) -> None:
    source, target = make_store("local", local_library), make_store("edge", local_library)
    try:
        migrate(source, target, local_library / CHECKPOINT_FILE, source_name="local", target_name="edge")
        with pytest.raises(IngestError, match="already holds 20 points"):
            migrate(source, target, local_library / CHECKPOINT_FILE, source_name="local", target_name="edge")
    finally:
        source.close()
        target.close()


def test_the_cli_migrates_resumes_and_switches_the_store(
    local_library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["migrate", "--to", "edge", "--data-dir", str(local_library), "--json", "--batch-size", "8"]
    assert main([*args, "--max-batches", "1"]) == 1  # stopped early: not done yet
    partial = json.loads(capsys.readouterr().out)
    assert (partial["complete"], partial["points"]) == (False, 8)
    assert Settings(local_library)["store"] == "local"
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {k: summary[k] for k in ("from", "to", "points", "complete")} == {
        "from": "local", "to": "edge", "points": 20, "complete": True,
    }  # fmt: skip
    assert summary["seconds"] >= 0
    assert Settings(local_library)["store"] == "edge"
    assert main(args) == 1  # already there
    assert "already uses the edge store" in json.loads(capsys.readouterr().out)["message"]
    edge = make_store("edge", local_library)
    try:
        assert edge.count() == 20
    finally:
        edge.close()
