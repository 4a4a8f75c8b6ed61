"""SDK clients made on first use from a key looked up at that moment.

A provider built without a key (or with a key that is later replaced in Settings) still opens: the
key is read when a request is about to be made, so the app starts, jobs fail with PROVIDER_AUTH
(which pauses the queue), and once the user adds the key a resumed queue uses it without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.secrets import PROVIDERS, remember_secret

KeySource = str | Callable[[], str | None]


class _Closable(Protocol):
    def close(self) -> None: ...


def missing_key_error(provider: str) -> IngestError:
    name, env = PROVIDERS[provider]
    return IngestError(ErrorKind.PROVIDER_AUTH, f"No {name} API key: set {env} or add it in Settings")


class KeyedClient[C: _Closable]:
    """The SDK client for the current key of ``provider`` ("openai" or "anthropic")."""

    def __init__(self, provider: str, key: KeySource | None, make: Callable[[str], C]) -> None:
        if not key:
            raise missing_key_error(provider)
        self._provider = provider
        self._key = key
        self._make = make
        self._lock = threading.Lock()
        self._current: tuple[str, C] | None = None
        self._retired: list[C] = []  # replaced clients may still be in use by another thread

    def get(self) -> C:
        key = self._key() if callable(self._key) else self._key
        if not key:
            raise missing_key_error(self._provider)
        remember_secret(key)
        with self._lock:
            if self._current is None or self._current[0] != key:
                if self._current is not None:
                    self._retired.append(self._current[1])
                self._current = (key, self._make(key))
            return self._current[1]

    def close(self) -> None:
        with self._lock:
            clients = [*self._retired, *([self._current[1]] if self._current else [])]
            self._retired, self._current = [], None
        for client in clients:
            client.close()
