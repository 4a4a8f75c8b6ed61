"""Changing the embedding model re-embeds the library as a batch of jobs, then switches to it.

Real cores on a temporary data folder, the real local model, and the real OpenAI SDK talking to a
fake embeddings API on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inmyhead_app.core.config import Settings
from inmyhead_app.core.context import Core, open_core
from inmyhead_app.core.errors import IngestError
from inmyhead_app.core.jobs.model import EventKind, JobKind, JobState, Stage, StageStatus
from tests.core.jobs.conftest import EventLog
from tests.helpers.fake_openai import FakeOpenAI, error

OPENAI_KEY = "sk-test-reembed-" + "c" * 32
OPENAI = {"embedder": "openai", "openai_embedding_model": "text-embedding-3-small", "openai_dimensions": 256}
OPENAI_MODEL = "openai:text-embedding-3-small:256"
LOCAL_MODEL = "local:all-MiniLM-L6-v2"
TEXTS = {
    "lighthouse.txt": "The keeper of the Skerryvore lighthouse logged every passing ship at night.",
    "bread.md": "# Bread\n\nKnead the sourdough for ten minutes, then let it rise in a warm kitchen.",
    "glacier.html": "<html><body><p>Glaciers carve U-shaped valleys as they retreat.</p></body></html>",
}


@pytest.fixture
def openai_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
        yield server


@pytest.fixture
def cores(data_dir: Path, shared_models: None) -> Iterator[list[Core]]:
    opened: list[Core] = []
    yield opened
    for core in opened:
        core.close()


def reopen(cores: list[Core], data_dir: Path, **overrides) -> Core:
    for core in cores:
        core.close()
    core = open_core(data_dir, overrides={"workers": 2, **overrides})
    cores.append(core)
    return core


def indexed_library(cores: list[Core], data_dir: Path, folder: Path, **overrides) -> list[Path]:
    folder.mkdir()
    paths = []
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    core = reopen(cores, data_dir, **overrides)
    batch = core.jobs.submit_batch(paths)
    assert core.jobs.wait_idle(timeout=120)
    assert [core.jobs.get_job_status(j.id).state for j in batch.jobs] == [JobState.DONE] * 3
    return paths


def queued_reembed(cores: list[Core], data_dir: Path, tmp_path: Path) -> Core:
    """A local library of three documents, reopened on OpenAI with its re-embed jobs held in the queue."""
    indexed_library(cores, data_dir, tmp_path / "docs", store="local")
    core = reopen(cores, data_dir, store="local", **OPENAI)
    core.jobs.pause()
    core.start_reembed()
    return core


def test_a_new_model_reembeds_the_library_from_its_stored_text_then_switches(
    cores: list[Core], data_dir: Path, tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    paths = indexed_library(cores, data_dir, tmp_path / "docs")
    chunks_before = cores[-1].store.count()
    paths[1].unlink()  # the memory outlives the file: its stored text is what gets re-embedded

    core = reopen(cores, data_dir, **OPENAI)
    change = core.embedding_change
    assert change is not None
    assert (change.library_model, change.wanted_model) == (LOCAL_MODEL, OPENAI_MODEL)
    assert (change.documents, change.remaining, change.reembedding) == (3, 3, False)
    assert change.chunks == chunks_before and change.estimated_tokens == chunks_before * 1000 // 4
    # Until the re-embed is done, the library's own model serves search: nothing is mixed or lost.
    assert core.search.search("Skerryvore lighthouse keeper", limit=1)[0].path == str(paths[0])
    assert not openai_server.embedding_requests()

    events = EventLog()
    core.jobs.subscribe(events)
    jobs = core.start_reembed()
    assert [job.kind for job in jobs] == [JobKind.REEMBED] * 3
    assert core.jobs.wait_idle(timeout=120)
    assert events.wait_for(lambda evs: any(e.kind is EventKind.REEMBED_FINISHED for e in evs), 10)
    records = [core.jobs.get_job_status(job.id) for job in jobs]
    assert [r.state for r in records] == [JobState.DONE] * 3, [r.error_message for r in records]
    assert records[0].stages[Stage.PARSING].status is StageStatus.SKIPPED
    assert records[0].stages[Stage.EMBEDDING].status is StageStatus.DONE
    assert sum(r.chunks for r in records) == chunks_before
    assert openai_server.embedding_requests()
    assert core.embedding_change.remaining == 0
    assert core.store.info().dense_model == LOCAL_MODEL  # the switch waits for the next open

    core = reopen(cores, data_dir, **OPENAI)
    assert core.embedding_change is None
    info = core.store.info()
    assert (info.dense_model, info.dense_dimension, info.points) == (OPENAI_MODEL, 256, chunks_before)
    assert not (data_dir / "edge").exists() and (data_dir / "edge-1").is_dir()
    assert len(core.library.list_documents()) == 3
    hits = core.search.search("Skerryvore lighthouse keeper", limit=1)
    assert hits[0].path == str(paths[0])
    assert core.search.search("sourdough kitchen", limit=1)[0].path == str(paths[1])  # file gone, text kept

    # New documents now use the new model.
    new = tmp_path / "docs" / "orbit.txt"
    new.write_text("A satellite in geostationary orbit keeps pace with the Earth.", encoding="utf-8")
    job = core.jobs.submit_document(new)
    assert core.jobs.wait_idle(timeout=60)
    assert core.jobs.get_job_status(job.id).state is JobState.DONE
    assert core.jobs.db.get_document(job.doc_id)["embedded_with"] == OPENAI_MODEL


def test_documents_indexed_during_the_reembed_are_caught_up(
    cores: list[Core], data_dir: Path, tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    core = queued_reembed(cores, data_dir, tmp_path)
    late = tmp_path / "late.txt"
    late.write_text("Copper lanterns hung in the harbour all winter long.", encoding="utf-8")
    indexed_meanwhile = core.jobs.submit_document(late)
    core.jobs.resume()
    assert core.jobs.wait_idle(timeout=120)
    assert core.jobs.get_job_status(indexed_meanwhile.id).state is JobState.DONE
    reembeds = [j for j in core.jobs.list_jobs() if j.kind == JobKind.REEMBED]
    assert {j.doc_id for j in reembeds} >= {indexed_meanwhile.doc_id}
    assert all(j.state is JobState.DONE for j in reembeds), [j.error_message for j in reembeds]
    assert core.embedding_change.remaining == 0

    core = reopen(cores, data_dir, store="local", **OPENAI)
    assert core.embedding_change is None
    assert core.search.search("copper lanterns harbour", limit=1)[0].path == str(late)


def test_a_document_deleted_during_the_reembed_stays_deleted(
    cores: list[Core], data_dir: Path, tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    core = queued_reembed(cores, data_dir, tmp_path)
    gone = next(doc for doc in core.library.list_documents() if doc.path.endswith("bread.md"))
    assert core.library.delete_document(gone.doc_id)
    core.jobs.resume()
    assert core.jobs.wait_idle(timeout=120)
    assert core.embedding_change.remaining == 0
    core = reopen(cores, data_dir, store="local", **OPENAI)
    assert core.embedding_change is None
    assert core.store.count(gone.doc_id) == 0 and core.library.get_document(gone.doc_id) is None
    assert len(core.library.list_documents()) == 2


def test_a_quit_mid_reembed_loses_nothing(
    cores: list[Core], data_dir: Path, tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    queued_reembed(cores, data_dir, tmp_path)
    core = reopen(cores, data_dir, store="local", **OPENAI)  # quit with every re-embed job queued
    change = core.embedding_change
    assert change is not None and change.reembedding and change.remaining == 3
    core.jobs.resume()
    assert core.jobs.wait_idle(timeout=120)
    assert core.embedding_change.remaining == 0
    core = reopen(cores, data_dir, store="local", **OPENAI)
    assert core.store.info().dense_model == OPENAI_MODEL


def test_keeping_the_library_model_cancels_the_reembed_and_restores_the_setting(
    cores: list[Core], data_dir: Path, tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    indexed_library(cores, data_dir, tmp_path / "docs", store="local")
    settings = Settings(data_dir)  # as the Settings dialog saves them
    settings.set("embedder", "openai")
    settings.set("openai_dimensions", 256)
    settings.save()
    core = reopen(cores, data_dir, store="local")
    assert core.embedding_change is not None
    core.jobs.pause()
    core.start_reembed()
    assert (data_dir / "qdrant-1").is_dir()

    assert core.keep_library_model() == 3
    assert core.embedding_change is None
    assert not (data_dir / "qdrant-1").exists()
    assert all(j.state is JobState.CANCELLED for j in core.jobs.list_jobs() if j.kind == JobKind.REEMBED)
    core = reopen(cores, data_dir, store="local")
    assert core.settings["embedder"] == "local"
    assert core.embedding_change is None
    assert core.store.info().dense_model == LOCAL_MODEL


def test_a_reembed_started_again_after_keeping_the_old_model_redoes_every_document(
    cores: list[Core], data_dir: Path, tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    indexed_library(cores, data_dir, tmp_path / "docs", store="local")
    core = reopen(cores, data_dir, store="local", **OPENAI)
    chunks = core.store.count()
    core.start_reembed()
    assert core.jobs.wait_idle(timeout=120)
    assert core.embedding_change.remaining == 0  # all in the new store, not yet switched
    core.keep_library_model()  # ...then the user keeps the old model after all: that store is deleted

    core = reopen(cores, data_dir, store="local", **OPENAI)  # and changes their mind once more
    assert core.embedding_change.remaining == 3
    assert len(core.start_reembed()) == 3
    assert core.jobs.wait_idle(timeout=120)
    core = reopen(cores, data_dir, store="local", **OPENAI)
    assert core.embedding_change is None
    assert core.store.count() == chunks


def test_switching_the_setting_back_abandons_an_unfinished_reembed(
    cores: list[Core], data_dir: Path, tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    queued_reembed(cores, data_dir, tmp_path)
    core = reopen(cores, data_dir, store="local")  # the setting is back to the local model
    assert core.embedding_change is None
    assert not (data_dir / "qdrant-1").exists()
    assert all(j.state is JobState.CANCELLED for j in core.jobs.list_jobs() if j.kind == JobKind.REEMBED)
    assert core.store.info().dense_model == LOCAL_MODEL


def test_a_rejected_key_fails_the_reembed_job_and_pauses_the_queue(
    cores: list[Core], data_dir: Path, tmp_path: Path, openai_server: FakeOpenAI
) -> None:
    paths = indexed_library(cores, data_dir, tmp_path / "docs", store="local")
    core = reopen(cores, data_dir, store="local", workers=1, **OPENAI)
    openai_server.script(error(401, "Incorrect API key provided: sk-test-...", "invalid_request_error"))
    jobs = core.start_reembed()
    assert core.jobs.wait_idle(timeout=60) or core.jobs.is_paused()
    first = core.jobs.get_job_status(jobs[0].id)
    assert first.state is JobState.FAILED
    assert "OpenAI key was rejected" in (first.error_message or "")
    assert core.jobs.is_paused()
    assert OPENAI_KEY not in (first.error_message or "")
    # The library itself is untouched and still answers with its own model.
    assert core.search.search("Skerryvore lighthouse keeper", limit=1)[0].path == str(paths[0])
    assert core.embedding_change.remaining == 3


def test_an_empty_library_takes_the_new_model_without_a_reembed(
    cores: list[Core], data_dir: Path, openai_server: FakeOpenAI
) -> None:
    core = reopen(cores, data_dir, store="local")
    assert core.store.info().dense_model == LOCAL_MODEL
    core = reopen(cores, data_dir, store="local", **OPENAI)
    assert core.embedding_change is None
    assert core.store.info().dense_model == OPENAI_MODEL
    with pytest.raises(IngestError, match="nothing to re-embed"):
        core.start_reembed()
