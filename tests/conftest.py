"""Fixtures shared by the whole suite: real models, the shared corpus (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
# Tests never touch the user's real data folder or keys.
os.environ.pop("INMYHEAD_DATA_DIR", None)
for _var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"):
    os.environ.pop(_var, None)
# Child processes (CLI, workers) never reach the user's real keyring either.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is not there."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (the shared corpus is not beside this checkout)")
    return path


PROVIDER_ENV = (
    "INMYHEAD_EMBEDDER",
    "INMYHEAD_METADATA",
    "INMYHEAD_STORE",
    "INMYHEAD_QUEUE",
    "INMYHEAD_WORKERS",
)


@pytest.fixture(autouse=True)
def _isolated_app_environment():
    """INMYHEAD_* variables set by one test (the CLI's provider flags write them) never reach the next."""
    saved = {key: value for key, value in os.environ.items() if key.startswith("INMYHEAD_")}
    for key in PROVIDER_ENV:  # the shipped defaults (local providers, default store), whatever ran before
        os.environ.pop(key, None)
    yield
    for key in [key for key in os.environ if key.startswith("INMYHEAD_")]:
        if key not in saved:
            del os.environ[key]
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def _no_real_keyring():
    """Every test runs against an empty in-memory keyring, never the user's own."""
    import keyring

    from tests.helpers.fake_keyring import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def local_embedder():
    from inmyhead_app.core.embed.local import LocalEmbedder

    return LocalEmbedder()


@pytest.fixture(scope="session")
def bm25():
    from inmyhead_app.core.embed.sparse import Bm25Embedder

    return Bm25Embedder()


@pytest.fixture
def shared_models(monkeypatch: pytest.MonkeyPatch, local_embedder, bm25) -> None:
    """Every Core opened in the test reuses the session's real models instead of loading its own."""
    import inmyhead_app.core.embed.sparse as sparse
    import inmyhead_app.core.providers as providers

    make_embedder = providers.make_embedder

    def shared_embedder(settings):
        return local_embedder if settings["embedder"] == "local" else make_embedder(settings)

    monkeypatch.setattr(providers, "make_embedder", shared_embedder)
    monkeypatch.setattr(sparse, "Bm25Embedder", lambda: bm25)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
