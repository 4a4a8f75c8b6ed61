"""Real cores on a temporary data folder, real documents, and small fault injectors."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from inmyhead_app.core.context import Core, open_core
from inmyhead_app.core.jobs.model import JobEvent

WORDS = [
    *("river", "mountain", "library", "engine", "orbit", "garden", "harbour", "signal", "winter"),
    *("copper", "lantern", "meadow", "violin", "compass", "glacier", "theorem", "protein", "canyon"),
    *("pixel", "falcon", "cathedral", "algorithm", "tundra", "saffron"),
]


def text_document(seed: int, paragraphs: int = 4) -> str:
    rng = random.Random(seed)
    out = [f"Document number {seed}"]
    for _ in range(paragraphs):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(6)]
        out.append(" ".join(sentences))
    return "\n\n".join(out)


def write_docs(folder: Path, count: int, start: int = 0, paragraphs: int = 4) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        path = folder / f"doc{i:03d}.txt"
        path.write_text(text_document(i, paragraphs), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def make_core(data_dir: Path, shared_models: None) -> Iterator[Callable[..., Core]]:
    opened: list[Core] = []

    def make(start_consumer: bool = True, **overrides) -> Core:
        core = open_core(data_dir, overrides={"workers": 2, **overrides}, start_consumer=start_consumer)
        core.jobs.retry_base_s = 0.3
        opened.append(core)
        return core

    yield make
    for core in opened:
        core.close()


class EventLog:
    """Collects events from worker threads; ``wait_for`` blocks until a predicate holds."""

    def __init__(self) -> None:
        self.events: list[JobEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: JobEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[list[JobEvent]], bool], timeout: float = 60) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self.events), timeout)


class FlakyEmbedder:
    """Wraps a real embedder; the first ``failures`` calls raise ``error``."""

    def __init__(self, inner, error: Exception, failures: int) -> None:
        self._inner = inner
        self._error = error
        self.failures = failures
        self.calls = 0

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_documents(self, texts, progress=None):
        self.calls += 1
        if self.calls <= self.failures:
            raise self._error
        return self._inner.embed_documents(texts, progress)
