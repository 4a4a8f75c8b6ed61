from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from inmyhead_app.core import secrets
from inmyhead_app.core.config import Settings
from inmyhead_app.core.embed.local import LocalEmbedder
from inmyhead_app.core.embed.openai import OpenAIEmbedder
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.metadata.local import LocalMetadataExtractor
from inmyhead_app.core.providers import make_embedder, make_metadata_extractor
from tests.helpers.fake_keyring import MemoryKeyring
from tests.helpers.fake_openai import FakeOpenAI, error

OPENAI_KEY = "sk-proj-ProvidersTest0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("INMYHEAD_EMBEDDER", "INMYHEAD_METADATA", "INMYHEAD_OPENAI_MODEL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    yield
    secrets.remove_secret_redaction()


@pytest.fixture
def openai_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        yield server


def test_defaults_are_local(data_dir: Path) -> None:
    settings = Settings(data_dir)
    assert isinstance(make_embedder(settings), LocalEmbedder)
    assert isinstance(make_metadata_extractor(settings), LocalMetadataExtractor)


def test_environment_picks_openai_with_the_model_settings(
    data_dir: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, openai_server: FakeOpenAI
) -> None:
    monkeypatch.setenv("INMYHEAD_EMBEDDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    settings = Settings(
        data_dir, {"openai_embedding_model": "text-embedding-3-large", "openai_dimensions": 512}
    )
    embedder = make_embedder(settings)
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.model_id == "openai:text-embedding-3-large:512"
    assert len(embedder.embed_query("hello")) == 512
    assert openai_server.embedding_requests()[0].header("authorization") == f"Bearer {OPENAI_KEY}"


def test_openai_key_from_the_keyring(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    secrets.set_api_key("openai", OPENAI_KEY)
    embedder = make_embedder(Settings(data_dir, {"embedder": "openai"}))
    assert isinstance(embedder, OpenAIEmbedder) and embedder.dimension == 1536


def test_cloud_provider_without_a_key_fails_with_a_plain_message(
    data_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    with pytest.raises(IngestError) as info:
        make_embedder(Settings(data_dir, {"embedder": "openai"}))
    assert info.value.kind is ErrorKind.PROVIDER_AUTH
    assert info.value.message == "No OpenAI API key: set OPENAI_API_KEY or add it in Settings"


def test_keys_never_reach_logs_or_errors(
    data_dir: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Everything the SDKs and our code log at DEBUG, and every error, is free of the key."""
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    with caplog.at_level(logging.DEBUG):
        embedder = make_embedder(Settings(data_dir, {"embedder": "openai"}))
        assert embedder.embed_documents(["fine"])  # a success, with the SDK's debug logging
        openai_server.script(error(401, f"Incorrect API key provided: {OPENAI_KEY}", "invalid_request_error"))
        with pytest.raises(IngestError) as info:
            embedder.embed_query("rejected")
        logging.getLogger("inmyhead_app.test").error("job failed: %s (key %s)", info.value, OPENAI_KEY)
    assert len(caplog.records) > 3  # the SDK and httpx did log at DEBUG
    assert OPENAI_KEY not in caplog.text
    assert all(OPENAI_KEY not in r.getMessage() for r in caplog.records)
    assert OPENAI_KEY not in str(info.value) and OPENAI_KEY not in repr(info.value)
    assert "[redacted]" in caplog.text
