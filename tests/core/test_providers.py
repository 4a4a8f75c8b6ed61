from __future__ import annotations

from pathlib import Path

import pytest

from inmyhead_app.core.config import Settings
from inmyhead_app.core.embed.local import LocalEmbedder
from inmyhead_app.core.metadata.local import LocalMetadataExtractor
from inmyhead_app.core.providers import make_embedder, make_metadata_extractor


@pytest.fixture(autouse=True)
def no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("INMYHEAD_EMBEDDER", "INMYHEAD_METADATA"):
        monkeypatch.delenv(var, raising=False)


def test_defaults_are_local(data_dir: Path) -> None:
    settings = Settings(data_dir)
    assert isinstance(make_embedder(settings), LocalEmbedder)
    assert isinstance(make_metadata_extractor(settings), LocalMetadataExtractor)
