"""BM25 keyword vectors made locally (fastembed's Qdrant/bm25 with a bundled stop-word list).

Qdrant applies the IDF part on its side (sparse vectors with the IDF modifier), so documents
carry term-frequency weights and queries carry ones.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from inmyhead_app.core.embed.base import SparseVector
from inmyhead_app.core.paths import bm25_dir


class Bm25Embedder:
    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = Path(model_dir or bm25_dir())
        self._model = None
        self._lock = threading.Lock()

    def _loaded(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from fastembed import SparseTextEmbedding

                self._model = SparseTextEmbedding("Qdrant/bm25", specific_model_path=str(self._model_dir))
            return self._model

    def embed_documents(self, texts: Sequence[str]) -> list[SparseVector]:
        return [
            SparseVector(e.indices.tolist(), e.values.tolist())
            for e in self._loaded().embed(list(texts), batch_size=64)
        ]

    def embed_query(self, text: str) -> SparseVector:
        e = next(iter(self._loaded().query_embed(text)))
        return SparseVector(e.indices.tolist(), e.values.tolist())
