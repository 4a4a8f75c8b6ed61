"""Settings, declared once: key, type, default, label, help, and the environment variable that overrides it.

Values live in ``settings.json`` in the data folder. Secrets (API keys) are never settings: they
come from the OS keyring or the environment (see ``core/secrets.py``).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SETTINGS_FILE = "settings.json"


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    label: str
    help: str
    env: str | None = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def coerce(self, raw: Any) -> Any:
        """Convert ``raw`` (from JSON, an env var or a widget) to this setting's type, or raise ValueError."""
        if self.type is bool:
            value: Any = (
                raw if isinstance(raw, bool) else str(raw).strip().lower() in {"1", "true", "yes", "on"}
            )
        else:
            value = self.type(raw)
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{self.key} must be one of {', '.join(self.choices)}, not {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{self.key} must be at least {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{self.key} must be at most {self.maximum}")
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "embedder",
        str,
        "local",
        "Embedding provider",
        "Local runs all-MiniLM-L6-v2 on this computer; OpenAI sends chunk text to the OpenAI API.",
        env="INMYHEAD_EMBEDDER",
        choices=("local", "openai"),
    ),
    Setting(
        "metadata",
        str,
        "local",
        "Metadata provider",
        "Local extracts title, keywords and a summary on this computer; Anthropic asks Claude.",
        env="INMYHEAD_METADATA",
        choices=("local", "anthropic"),
    ),
    Setting(
        "openai_embedding_model",
        str,
        "text-embedding-3-small",
        "OpenAI embedding model",
        "text-embedding-3-small (1536 dimensions) or text-embedding-3-large (3072).",
        env="INMYHEAD_OPENAI_MODEL",
    ),
    Setting(
        "openai_dimensions",
        int,
        0,
        "OpenAI dimensions",
        "Shorten OpenAI vectors to this many dimensions; 0 keeps the model's own.",
        minimum=0,
    ),
    Setting(
        "anthropic_model",
        str,
        "claude-haiku-4-5",
        "Claude model",
        "The Claude model that extracts metadata.",
        env="INMYHEAD_ANTHROPIC_MODEL",
    ),
    Setting(
        "metadata_token_budget",
        int,
        6000,
        "Metadata token budget",
        "How many tokens of a long document are sampled for Claude.",
        minimum=500,
    ),
    Setting(
        "store",
        str,
        "edge",
        "Vector store",
        "Edge embeds the Qdrant engine (fast, for large libraries); local is qdrant-client's local "
        "mode; server uses a Qdrant server at the URL below.",
        env="INMYHEAD_STORE",
        choices=("edge", "local", "server"),
    ),
    Setting(
        "qdrant_url",
        str,
        "",
        "Qdrant server URL",
        "Used when the store is 'server', e.g. http://127.0.0.1:6333.",
        env="INMYHEAD_QDRANT_URL",
    ),
    Setting(
        "queue",
        str,
        "sqlite",
        "Queue backend",
        "sqlite runs the queue inside the app; redis lets worker processes on other machines help.",
        env="INMYHEAD_QUEUE",
        choices=("sqlite", "redis"),
    ),
    Setting(
        "redis_url",
        str,
        "redis://127.0.0.1:6379/0",
        "Redis URL",
        "The Redis server for the 'redis' queue backend.",
        env="INMYHEAD_REDIS_URL",
    ),
    Setting(
        "chunk_size",
        int,
        1000,
        "Chunk size (characters)",
        "Target size of a chunk of text; chunks also stay within the embedding model's token limit.",
        minimum=200,
        maximum=8000,
    ),
    Setting(
        "chunk_overlap",
        int,
        200,
        "Chunk overlap (characters)",
        "Characters shared by consecutive chunks so no sentence is cut off from its context.",
        minimum=0,
        maximum=2000,
    ),
    Setting(
        "workers",
        int,
        2,
        "Workers",
        "Documents processed at the same time.",
        env="INMYHEAD_WORKERS",
        minimum=1,
        maximum=16,
    ),
    Setting(
        "max_retries",
        int,
        3,
        "Automatic retries",
        "Retries for transient errors (rate limits, time-outs, a file still being written).",
        minimum=0,
        maximum=10,
    ),
    Setting(
        "retention_hours",
        float,
        24.0,
        "Keep finished jobs (hours)",
        "Finished job records older than this are removed; failed ones stay until dismissed.",
        minimum=0.0,
    ),
    Setting("max_file_mb", int, 512, "Largest file (MB)", "Larger files fail as too large.", minimum=1),
    Setting(
        "parse_timeout_s",
        float,
        180.0,
        "Parse time limit (s)",
        "A document that takes longer to parse fails as timed out.",
        minimum=1.0,
    ),
    Setting(
        "parse_memory_mb",
        int,
        2048,
        "Parse memory limit (MB)",
        "A document whose parser needs more memory fails as out of memory.",
        minimum=128,
    ),
    Setting(
        "stage_soft_limit_s",
        float,
        600.0,
        "Stalled stage: stop after (s)",
        "A stage that makes no progress for this long is asked to stop at its next boundary.",
        minimum=1.0,
    ),
    Setting(
        "stage_hard_limit_s",
        float,
        1200.0,
        "Stalled stage: fail after (s)",
        "A stage that makes no progress for this long is failed as timed out.",
        minimum=1.0,
    ),
    Setting(
        "start_minimised",
        bool,
        False,
        "Start minimised to tray",
        "Start with only the tray icon showing (when the desktop has a tray).",
    ),
)

_BY_KEY = {setting.key: setting for setting in SETTINGS}


def declaration(key: str) -> Setting:
    return _BY_KEY[key]


class Settings:
    """The user's settings for one data folder: file values, overridden by the environment."""

    def __init__(self, data_dir: Path, overrides: dict[str, Any] | None = None) -> None:
        self.path = Path(data_dir) / SETTINGS_FILE
        self._lock = threading.Lock()
        self._stored: dict[str, Any] = self._load()
        self._overrides = {key: _BY_KEY[key].coerce(v) for key, v in (overrides or {}).items()}

    def _load(self) -> dict[str, Any]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        stored = {}
        for key, value in raw.items() if isinstance(raw, dict) else ():
            if key in _BY_KEY:
                try:
                    stored[key] = _BY_KEY[key].coerce(value)
                except (TypeError, ValueError):
                    continue  # a hand-edited bad value falls back to the default
        return stored

    def get(self, key: str) -> Any:
        setting = _BY_KEY[key]
        if key in self._overrides:
            return self._overrides[key]
        if setting.env and (raw := os.environ.get(setting.env)):
            return setting.coerce(raw)
        with self._lock:
            return self._stored.get(key, setting.default)

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def with_overrides(self, overrides: dict[str, Any]) -> Settings:
        """The same settings file, with ``overrides`` on top of this object's own."""
        return Settings(self.path.parent, {**self._overrides, **overrides})

    def set(self, key: str, value: Any) -> None:
        coerced = _BY_KEY[key].coerce(value)
        with self._lock:
            self._stored[key] = coerced

    def save(self) -> None:
        with self._lock:
            payload = json.dumps(self._stored, indent=2, sort_keys=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(payload, encoding="utf-8")
        os.replace(tmp, self.path)

    def as_dict(self) -> dict[str, Any]:
        return {setting.key: self.get(setting.key) for setting in SETTINGS}
