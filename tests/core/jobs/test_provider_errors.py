"""Provider errors through the whole job system, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from inmyhead_app.core.context import open_core
from inmyhead_app.core.jobs.model import EventKind, JobState
from tests.core.jobs.conftest import EventLog, write_docs
from tests.helpers.fake_openai import FakeOpenAI, error, rate_limited


@pytest.fixture
def fake_openai(monkeypatch: pytest.MonkeyPatch):
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-jobs")
        yield server


def test_rate_limits_beyond_the_clients_retries_retry_the_job(
    fake_openai, data_dir: Path, tmp_path: Path
) -> None:
    fake_openai.script(*[rate_limited("0")] * 6)  # the client's own 5 retries are not enough
    with open_core(data_dir, overrides={"embedder": "openai"}) as core:
        core.jobs.retry_base_s = 0.3
        log = EventLog()
        core.jobs.subscribe(log)
        job = core.jobs.submit_document(write_docs(tmp_path / "docs", 1)[0])
        assert core.jobs.wait_idle(timeout=120)
        record = core.jobs.get_job_status(job.id)
        assert record.state is JobState.DONE and record.attempts == 2
        assert core.store.count(job.doc_id) == record.chunks > 0
        assert record.tokens_used > 0  # counted from the API's usage
        waits = [e for e in log.events if e.job is not None and e.job.state is JobState.RETRY_WAIT]
        assert waits and waits[0].job.error_kind == "rate_limited"


def test_a_rejected_key_fails_once_and_pauses_the_queue(fake_openai, data_dir: Path, tmp_path: Path) -> None:
    fake_openai.script(error(401, "Incorrect API key provided", "invalid_request_error", "invalid_api_key"))
    with open_core(data_dir, overrides={"embedder": "openai", "workers": 1}) as core:
        log = EventLog()
        core.jobs.subscribe(log)
        batch = core.jobs.submit_batch(write_docs(tmp_path / "docs", 3))
        assert log.wait_for(lambda evs: any(e.kind is EventKind.QUEUE_PAUSED for e in evs), timeout=60)
        assert log.wait_for(lambda evs: any(e.kind is EventKind.FINISHED for e in evs), timeout=30)
        states = sorted(str(core.jobs.get_job_status(j.id).state) for j in batch.jobs)
        assert states == ["failed", "queued", "queued"]
        failed = core.jobs.list_jobs(JobState.FAILED)[0]
        assert failed.error_kind == "provider_auth" and failed.attempts == 1
        core.jobs.resume()  # the key is fixed (the server accepts it now): the rest goes through
        assert core.jobs.wait_idle(timeout=120)
        assert len(core.jobs.list_jobs(JobState.DONE)) == 2
