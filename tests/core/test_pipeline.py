"""The stages without the job system: artefacts round-trip, and the direct run the benchmark uses."""

from __future__ import annotations

import time
from pathlib import Path

from inmyhead_app.core.context import open_core
from inmyhead_app.core.ids import content_hash, doc_id_for_path
from inmyhead_app.core.pipeline import Artefacts, _NoContext, run_direct
from tests.core.jobs.conftest import text_document


def test_stages_artefacts_and_direct_run(data_dir: Path, tmp_path: Path, shared_models: None) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Compass notes\n\n" + text_document(3, paragraphs=8), encoding="utf-8")
    doc_id = doc_id_for_path(path)
    with open_core(data_dir, start_consumer=False) as core:
        pipeline, ctx = core.pipeline, _NoContext()
        parsed = pipeline.parse(str(path), ctx)
        pre = pipeline.preprocess(doc_id, parsed, ctx)
        emb = pipeline.embed(pre.chunks, ctx)
        meta = pipeline.metadata(parsed, pre.text, "hash", ctx)
        assert len(emb.dense) == len(emb.sparse) == len(pre.chunks) > 1
        assert all(core.pipeline.embedder.count_tokens(c.text) <= 256 for c in pre.chunks)

        artefacts = Artefacts(data_dir, "job-1")
        artefacts.save_parsed(parsed)
        artefacts.save_preprocessed(pre)
        artefacts.save_embedded(emb)
        artefacts.save_metadata(meta)
        assert artefacts.load_parsed() == parsed
        assert artefacts.load_preprocessed().chunks == pre.chunks
        loaded = artefacts.load_embedded()
        assert loaded.sparse == emb.sparse
        assert max(abs(a - b) for a, b in zip(loaded.dense[0], emb.dense[0], strict=True)) < 1e-6
        assert artefacts.load_metadata().title == meta.title == "Compass notes"
        artefacts.remove()
        assert artefacts.load_parsed() is None

        timings: dict[str, float] = {}
        chunks = run_direct(pipeline, str(path), doc_id, content_hash(path), time.time(), timings)
        assert chunks == len(pre.chunks) == core.store.count(doc_id)
        assert set(timings) == {"parsing", "preprocessing", "embedding+metadata", "storing"}
        hits = core.search.search("compass notes", limit=1)
        assert hits[0].doc_id == doc_id
