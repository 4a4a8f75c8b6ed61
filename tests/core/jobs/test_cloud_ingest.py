"""A full ingest with both cloud providers (OpenAI embeddings, Claude metadata) through the job system.

Both APIs are real HTTP servers on 127.0.0.1 that the real SDK clients talk to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inmyhead_app.core.context import open_core
from inmyhead_app.core.jobs.model import JobState
from tests.helpers.fake_anthropic import FakeAnthropic, document_of
from tests.helpers.fake_openai import FakeOpenAI

OPENAI_KEY = "sk-test-openai-" + "a" * 32
ANTHROPIC_KEY = "sk-ant-test-" + "b" * 32


def cataloguing_claude(body: dict[str, Any]) -> dict[str, Any]:
    first_line = document_of(body).strip().splitlines()[0]
    return {
        "title": f"Catalogued by Claude: {first_line[:40]}",
        "summary": "A document the fake Claude read.",
        "topics": ["lighthouses", "navigation"],
        "entities": ["Claude"],
        "document_type": "article",
        "language": "en",
    }


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch):
    with FakeOpenAI() as openai_server, FakeAnthropic(model=cataloguing_claude) as claude_server:
        monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", claude_server.root_url)
        monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
        monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
        yield openai_server, claude_server


def test_documents_end_searchable_with_claudes_metadata(cloud, data_dir: Path, tmp_path: Path) -> None:
    openai_server, claude_server = cloud
    folder = tmp_path / "docs"
    folder.mkdir()
    texts = {
        "lighthouse.txt": "The keeper of the Skerryvore lighthouse logged every passing ship at night.",
        "bread.md": "# Bread\n\nKnead the sourdough for ten minutes, then let it rise in a warm kitchen.",
        "glacier.html": "<html><body><p>Glaciers carve U-shaped valleys as they retreat.</p></body></html>",
    }
    paths = []
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    with open_core(data_dir, overrides={"embedder": "openai", "metadata": "anthropic"}) as core:
        batch = core.jobs.submit_batch(paths)
        assert core.jobs.wait_idle(timeout=180)
        records = [core.jobs.get_job_status(job.id) for job in batch.jobs]
        assert [r.state for r in records] == [JobState.DONE] * 3, [r.error_message for r in records]
        assert all(r.tokens_used > 0 for r in records)

        documents = {doc.path: doc for doc in core.library.list_documents()}
        assert len(documents) == 3
        # Claude's title where the file has none of its own; a document's own heading is kept.
        assert documents[str(folder / "bread.md")].title == "Bread"
        assert documents[str(folder / "glacier.html")].title.startswith("Catalogued by Claude: ")
        for doc in documents.values():
            assert doc.metadata.get("source") == "anthropic"
            assert doc.metadata.get("topics") == ["lighthouses", "navigation"]

        assert core.store.info().dense_model.startswith("openai:")
        hits = core.search.search("Skerryvore lighthouse keeper", limit=3)
        assert hits and hits[0].path == str(folder / "lighthouse.txt")
        assert hits[0].title == "Catalogued by Claude: The keeper of the Skerryvore lighthouse"

    assert openai_server.requests and claude_server.message_requests
    # The keys went only into the auth headers: never into the data folder (jobs, catalog, logs).
    for file in data_dir.rglob("*"):
        if file.is_file():
            content = file.read_bytes()
            assert OPENAI_KEY.encode() not in content and ANTHROPIC_KEY.encode() not in content, file
