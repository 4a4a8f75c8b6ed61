"""The offline default: all-MiniLM-L6-v2 (384 dims, int8 ONNX) through fastembed, from a local folder."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from inmyhead_app.core.embed.base import ProgressCallback
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.paths import embedding_model_dir

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
# The token limit the model was trained with; chunking keeps chunks within it.
MAX_TOKENS = 256
# fastembed's default batch of 256 peaked at 6 GB with this graph; small batches also make progress finer.
BATCH_SIZE = 16


class LocalEmbedder:
    """Dense embedder that never touches the network: the model folder is installed by ``make setup``."""

    def __init__(self, model_dir: Path | None = None, threads: int | None = None) -> None:
        self._model_dir = Path(model_dir or embedding_model_dir())
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return "local:all-MiniLM-L6-v2"

    @property
    def dimension(self) -> int:
        return DIMENSION

    def _loaded(self):
        with self._lock:
            if self._model is None:
                if not (self._model_dir / "model.onnx").is_file():
                    raise IngestError(
                        ErrorKind.INTERNAL,
                        f"The embedding model is missing from {self._model_dir}; run `make setup`.",
                    )
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from fastembed import TextEmbedding

                self._model = TextEmbedding(
                    MODEL_NAME, specific_model_path=str(self._model_dir), threads=self._threads
                )
            return self._model

    def embed_documents(
        self, texts: Sequence[str], progress: ProgressCallback | None = None
    ) -> list[list[float]]:
        model = self._loaded()
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = list(texts[start : start + BATCH_SIZE])
            vectors.extend(v.tolist() for v in model.embed(batch, batch_size=BATCH_SIZE))
            if progress is not None:
                progress(len(vectors), len(texts))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return next(iter(self._loaded().query_embed([text]))).tolist()

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for ``text`` (including [CLS]/[SEP]), without truncation."""
        tokenizer = self._tokenizer()
        return len(tokenizer.encode(text).ids)

    def _tokenizer(self):
        with self._lock:
            if getattr(self, "_raw_tokenizer", None) is None:
                from tokenizers import Tokenizer

                tok = Tokenizer.from_file(str(self._model_dir / "tokenizer.json"))
                tok.no_truncation()
                tok.no_padding()
                self._raw_tokenizer = tok
            return self._raw_tokenizer
