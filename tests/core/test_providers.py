from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from inmyhead_app.core import secrets
from inmyhead_app.core.config import Settings
from inmyhead_app.core.documents.model import Page, ParsedDocument
from inmyhead_app.core.embed.local import LocalEmbedder
from inmyhead_app.core.embed.openai import OpenAIEmbedder
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.metadata.anthropic import AnthropicMetadataExtractor
from inmyhead_app.core.metadata.local import LocalMetadataExtractor
from inmyhead_app.core.providers import make_embedder, make_metadata_extractor, settings_for_model
from tests.helpers.fake_anthropic import FakeAnthropic, api_key_of
from tests.helpers.fake_anthropic import error as anthropic_error
from tests.helpers.fake_keyring import MemoryKeyring
from tests.helpers.fake_openai import FakeOpenAI, error

OPENAI_KEY = "sk-proj-ProvidersTest0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-api03-ProvidersTest0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in (
        "INMYHEAD_EMBEDDER",
        "INMYHEAD_METADATA",
        "INMYHEAD_OPENAI_MODEL",
        "INMYHEAD_ANTHROPIC_MODEL",
        "OPENAI_BASE_URL",
        "ANTHROPIC_BASE_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    yield
    secrets.remove_secret_redaction()


@pytest.fixture
def openai_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        yield server


@pytest.fixture
def anthropic_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.root_url)
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


def test_missing_key_fails_requests_plainly_and_a_key_added_later_is_used(
    data_dir: Path, memory_keyring: MemoryKeyring, openai_server: FakeOpenAI
) -> None:
    """The app opens without a key; requests fail with PROVIDER_AUTH until the user adds one."""
    embedder = make_embedder(Settings(data_dir, {"embedder": "openai"}))
    assert embedder.model_id == "openai:text-embedding-3-small:1536"  # the store can be opened
    with pytest.raises(IngestError) as info:
        embedder.embed_documents(["hello"])
    assert info.value.kind is ErrorKind.PROVIDER_AUTH
    assert info.value.message == "No OpenAI API key: set OPENAI_API_KEY or add it in Settings"
    assert openai_server.requests == []
    secrets.set_api_key("openai", OPENAI_KEY)  # what Settings does
    assert len(embedder.embed_query("hello")) == 1536
    secrets.set_api_key("openai", OPENAI_KEY + "-rotated")
    embedder.embed_query("again")
    keys = [r.header("authorization") for r in openai_server.embedding_requests()]
    assert keys == [f"Bearer {OPENAI_KEY}", f"Bearer {OPENAI_KEY}-rotated"]


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


def test_environment_picks_anthropic_with_its_model_and_budget(
    data_dir: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    anthropic_server: FakeAnthropic,
) -> None:
    monkeypatch.setenv("INMYHEAD_METADATA", "anthropic")
    monkeypatch.setenv("INMYHEAD_ANTHROPIC_MODEL", "claude-sonnet-test")
    secrets.set_api_key("anthropic", ANTHROPIC_KEY)
    extractor = make_metadata_extractor(Settings(data_dir, {"metadata_token_budget": 800}))
    assert isinstance(extractor, AnthropicMetadataExtractor) and extractor.token_budget == 800
    text = "Annual Report\n\nThe Harbour Trust grew its membership in Bristol this year."
    meta = extractor.extract(ParsedDocument("/d/r.txt", "txt", [Page(1, text)]), text)
    assert meta.source == "anthropic" and meta.title == "Annual Report"
    (request,) = anthropic_server.message_requests()
    assert request.body["model"] == "claude-sonnet-test" and api_key_of(request) == ANTHROPIC_KEY


def test_anthropic_without_a_key_names_the_variable(
    data_dir: Path, memory_keyring: MemoryKeyring, anthropic_server: FakeAnthropic
) -> None:
    extractor = make_metadata_extractor(Settings(data_dir, {"metadata": "anthropic"}))
    text = "Some text worth describing in a sentence or two."
    with pytest.raises(IngestError) as info:
        extractor.extract(ParsedDocument("/d/x.txt", "txt", [Page(1, text)]), text)
    assert info.value.kind is ErrorKind.PROVIDER_AUTH
    assert info.value.message == "No Anthropic API key: set ANTHROPIC_API_KEY or add it in Settings"
    assert anthropic_server.requests == []


def test_anthropic_key_never_reaches_logs_or_errors(
    data_dir: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    anthropic_server: FakeAnthropic,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    text = "Minutes of the meeting. The key " + ANTHROPIC_KEY[:12] + " is not the full key."
    document = ParsedDocument("/d/m.txt", "txt", [Page(1, text)])
    with caplog.at_level(logging.DEBUG):
        extractor = make_metadata_extractor(Settings(data_dir, {"metadata": "anthropic"}))
        extractor.extract(document, text)
        anthropic_server.script(anthropic_error(401, "authentication_error", f"bad key {ANTHROPIC_KEY}"))
        with pytest.raises(IngestError) as info:
            extractor.extract(document, text)
        logging.getLogger("inmyhead_app.test").warning(
            "metadata failed: %s; key=%s", info.value, ANTHROPIC_KEY
        )
    assert len(caplog.records) > 3
    assert ANTHROPIC_KEY not in caplog.text
    assert ANTHROPIC_KEY not in str(info.value) and ANTHROPIC_KEY not in repr(info.value)


@pytest.mark.parametrize(
    ("model_id", "dimension", "settings"),
    [
        ("local:all-MiniLM-L6-v2", 384, {"embedder": "local"}),
        ("openai:text-embedding-3-large:3072", 3072, {"openai_embedding_model": "text-embedding-3-large"}),
        ("openai:text-embedding-3-small:256", 256, {"openai_dimensions": 256}),
    ],
)
def test_the_library_model_is_rebuilt_from_its_id(
    model_id: str, dimension: int, settings: dict, tmp_path: Path
) -> None:
    found = settings_for_model(model_id, dimension)
    assert settings.items() <= found.items()
    rebuilt = make_embedder(Settings(tmp_path, found))  # the round trip: the same model comes back
    assert (rebuilt.model_id, rebuilt.dimension) == (model_id, dimension)
    if model_id.endswith(":3072"):
        assert found["openai_dimensions"] == 0  # the model's own size: no dimensions parameter


def test_an_unknown_library_model_is_refused_plainly() -> None:
    with pytest.raises(IngestError, match="cannot use"):
        settings_for_model("cohere:embed-v4:1024", 1024)
