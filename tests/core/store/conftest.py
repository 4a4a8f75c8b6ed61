"""Every store behaviour test runs against both embedded stores, each in its own tmp_path folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inmyhead_app.core.embed.local import DIMENSION
from inmyhead_app.core.store.base import VectorStore
from inmyhead_app.core.store.factory import make_store
from tests.core.store.helpers import EmbeddedCorpus

STORE_KINDS = ("local", "edge")
MODEL_ID = "local:all-MiniLM-L6-v2"  # LocalEmbedder.model_id


@pytest.fixture(scope="session")
def corpus(local_embedder, bm25) -> EmbeddedCorpus:
    return EmbeddedCorpus(local_embedder, bm25)


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store(store_kind: str, tmp_path: Path) -> Iterator[VectorStore]:
    opened = make_store(store_kind, tmp_path)
    opened.ensure_collection(MODEL_ID, DIMENSION)
    yield opened
    opened.close()


@pytest.fixture
def library(store: VectorStore, corpus: EmbeddedCorpus) -> VectorStore:
    """A store holding the whole small corpus."""
    corpus.load_into(store)
    return store
