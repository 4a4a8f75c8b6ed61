"""Process-level guarantees: SIGKILL mid-batch loses and duplicates nothing; Redis worker processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from inmyhead_app.core.config import Settings
from inmyhead_app.core.context import open_core
from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.jobs.model import JobKind, JobState
from tests.core.jobs.conftest import write_docs
from tests.helpers.fake_openai import FakeOpenAI, embeddings

CLI = str(Path(sys.executable).parent / "inmyhead")
pytestmark = pytest.mark.slow


def _worker(data_dir: Path, env: dict[str, str], *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [CLI, "worker", "--data-dir", str(data_dir), *extra],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_mid_batch_then_finish(
    data: Path, env: dict[str, str], counts: Callable[[JobsDB], dict[str, int]], total: int
) -> None:
    """Start a worker, SIGKILL it once some jobs are done and others running, then let a new one finish."""
    worker = _worker(data, env, "--until-idle")
    db = JobsDB(data)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            now = counts(db)
            if now["done"] >= 2 and now["running"] >= 1:
                break
            assert worker.poll() is None, worker.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("the worker made no progress")
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        assert counts(db)["done"] < total  # it really died mid-batch

        restarted = _worker(data, env, "--until-idle")
        _out, err = restarted.communicate(timeout=300)
        assert restarted.returncode == 0, err
    finally:
        db.close()
        if worker.poll() is None:
            worker.kill()


def _reembed_counts(db: JobsDB) -> dict[str, int]:
    counts = dict.fromkeys(("done", "running", "queued"), 0)
    for job in db.list():
        if job.kind == JobKind.REEMBED and str(job.state) in counts:
            counts[str(job.state)] += 1
    return counts


def _clean_counts(tmp_path: Path, docs: Path) -> dict[str, int]:
    with open_core(tmp_path / "clean", overrides={"workers": 2}) as core:
        core.jobs.submit_batch([docs])
        assert core.jobs.wait_idle(timeout=300)
        return {Path(j.path).name: j.chunks for j in core.jobs.list_jobs()}


@pytest.mark.parametrize("store", ["local", "edge"])
def test_sigkill_mid_batch_then_restart_indexes_everything_exactly_once(
    store: str, tmp_path: Path, shared_models: None
) -> None:
    docs = tmp_path / "docs"
    write_docs(docs, 8, paragraphs=8)
    expected = _clean_counts(tmp_path, docs)
    assert all(n > 0 for n in expected.values())

    data = tmp_path / "crash"
    env = {"INMYHEAD_STORE": store, "INMYHEAD_WORKERS": "2"}
    with open_core(data, overrides={"store": store}, start_consumer=False, with_store=False) as core:
        batch = core.jobs.submit_batch([docs])
    _kill_mid_batch_then_finish(data, env, JobsDB.counts_by_state, len(expected))

    with open_core(data, overrides={"store": store}, start_consumer=False) as core:
        jobs = core.jobs.list_jobs()
        assert len(jobs) == len(batch.jobs) == len(expected)
        for job in jobs:
            name = Path(job.path).name
            assert job.state is JobState.DONE, (name, job.error_message)
            assert job.chunks == expected[name]
            assert core.store.count(job.doc_id) == expected[name]
        assert core.store.count() == sum(expected.values())
        assert len(core.library.list_documents()) == len(expected)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (make setup installs the Debian package as root)")
    port = _free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    server.terminate()
    server.wait(10)


def test_redis_queue_with_a_worker_process(redis_url: str, tmp_path: Path, shared_models: None) -> None:
    """Jobs submitted here run in a separate ``inmyhead worker`` process through Redis.

    Local Qdrant cannot be shared between processes, so the worker owns the store; this process only
    submits, then reads the results once the worker is done (with a Qdrant server URL both could).
    """
    docs = tmp_path / "docs"
    write_docs(docs, 4)
    data = tmp_path / "data"
    overrides = {"queue": "redis", "redis_url": redis_url}
    with open_core(data, overrides=overrides, start_consumer=False, with_store=False) as core:
        batch = core.jobs.submit_batch([docs], priority=7)
        core.jobs.flush_enqueues()
        assert core.jobs.huey.pending_count() == 4  # the tasks are in Redis, not in a local file
    assert not (data / "queue.sqlite3").exists()

    worker = _worker(data, {"INMYHEAD_QUEUE": "redis", "INMYHEAD_REDIS_URL": redis_url}, "--until-idle")
    _out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    assert "redis queue" in err

    with open_core(data, overrides=overrides, start_consumer=False) as core:
        assert core.jobs.huey.pending_count() == 0
        for job in batch.jobs:
            record = core.jobs.get_job_status(job.id)
            assert record.state is JobState.DONE and record.chunks > 0
            assert core.store.count(record.doc_id) == record.chunks


def test_sigkill_mid_reembed_then_restart_switches_with_every_chunk_once(
    tmp_path: Path, shared_models: None
) -> None:
    data = tmp_path / "data"
    write_docs(tmp_path / "docs", 8, paragraphs=8)
    with open_core(data, overrides={"workers": 2}) as core:
        core.jobs.submit_batch([tmp_path / "docs"])
        assert core.jobs.wait_idle(timeout=300)
        expected = {doc.doc_id: core.store.count(doc.doc_id) for doc in core.library.list_documents()}
    settings = Settings(data)
    settings.set("embedder", "openai")
    settings.set("openai_dimensions", 64)
    settings.save()
    with FakeOpenAI() as server:
        server.default = lambda request: replace(embeddings(request), delay=0.15)  # slow enough to kill
        env = {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "sk-test-crash-" + "g" * 32}
        os.environ.update(env)
        try:
            with open_core(data, start_consumer=False) as core:
                assert len(core.start_reembed()) == len(expected)
        finally:
            for name in env:
                os.environ.pop(name)
        _kill_mid_batch_then_finish(data, {**env, "INMYHEAD_WORKERS": "2"}, _reembed_counts, len(expected))
    assert not (data / "edge").exists() and (data / "edge-1").is_dir()  # the worker itself switched

    with open_core(data, start_consumer=False) as core:  # the switch, on open
        assert core.embedding_change is None
        info = core.store.info()
        assert (info.dense_model, info.dense_dimension) == ("openai:text-embedding-3-small:64", 64)
        assert {doc_id: core.store.count(doc_id) for doc_id in expected} == expected
        assert info.points == sum(expected.values())
        reembeds = [job for job in core.jobs.list_jobs() if job.kind == JobKind.REEMBED]
        assert all(job.state is JobState.DONE for job in reembeds), [j.error_message for j in reembeds]
        assert not (data / "edge").exists()
