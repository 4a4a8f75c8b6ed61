"""Fixtures for core tests: an in-memory keyring, provider keys cleared."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from tests.helpers.fake_keyring import MemoryKeyring


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """The OS keyring replaced by an empty in-memory one, and no API keys in the environment."""
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
