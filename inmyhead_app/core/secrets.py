"""API keys: from the environment or the OS keyring, never a plain file, and never in a log line.

``get_api_key`` looks at the environment first (``OPENAI_API_KEY`` / ``ANTHROPIC_API_KEY``, as the
SDKs do), then the keyring (service ``inmyhead``, user name = provider). Every key it hands out is
remembered so ``install_secret_redaction`` can mask it in every log record made afterwards.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any

import keyring
import keyring.errors

from inmyhead_app.core.errors import ErrorKind, IngestError

SERVICE = "inmyhead"
PROVIDERS = {"openai": ("OpenAI", "OPENAI_API_KEY"), "anthropic": ("Anthropic", "ANTHROPIC_API_KEY")}
MASK = "[redacted]"
# Key-shaped strings are masked even when we never saw the key (e.g. a proxy echoing another one).
_KEY_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}")
_MIN_SECRET_CHARS = 8  # shorter values would mask ordinary words

_log = logging.getLogger(__name__)
_known: set[str] = set()
_known_lock = threading.Lock()


class SecretStoreError(RuntimeError):
    """The OS keyring cannot store the key (no backend, locked, or refused)."""


def _provider(provider: str) -> tuple[str, str]:
    try:
        return PROVIDERS[provider]
    except KeyError:
        raise ValueError(f"Unknown provider {provider!r}; expected one of {', '.join(PROVIDERS)}") from None


def remember_secret(value: str) -> None:
    """Mask ``value`` in log records from now on."""
    if value and len(value) >= _MIN_SECRET_CHARS:
        with _known_lock:
            _known.add(value)


def get_api_key(provider: str) -> str | None:
    """The key for ``provider`` ("openai" or "anthropic") from the environment, else the keyring."""
    _name, env = _provider(provider)
    key = os.environ.get(env, "").strip()
    if not key:
        try:
            key = (keyring.get_password(SERVICE, provider) or "").strip()
        except Exception as exc:  # any backend failure (none installed, locked, D-Bus) means "no key"
            _log.debug("Keyring lookup for %s failed: %s", provider, type(exc).__name__)
            key = ""
    if not key:
        return None
    remember_secret(key)
    return key


def require_api_key(provider: str) -> str:
    """The key for ``provider``, or a PROVIDER_AUTH error telling the user where to put one."""
    name, env = _provider(provider)
    key = get_api_key(provider)
    if key is None:
        raise IngestError(ErrorKind.PROVIDER_AUTH, f"No {name} API key: set {env} or add it in Settings")
    return key


def set_api_key(provider: str, key: str | None) -> None:
    """Store ``key`` in the OS keyring (or delete it when empty). Raises SecretStoreError without one."""
    name, env = _provider(provider)
    key = (key or "").strip()
    try:
        if key:
            remember_secret(key)
            keyring.set_password(SERVICE, provider, key)
        else:
            try:
                keyring.delete_password(SERVICE, provider)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored
    except keyring.errors.NoKeyringError:
        raise SecretStoreError(
            f"This system has no keyring to keep the {name} key safely; set {env} in the environment instead."
        ) from None
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(
            f"The system keyring refused to store the {name} key ({type(exc).__name__}); "
            f"set {env} in the environment instead."
        ) from None


def redact(text: str) -> str:
    """``text`` with every known key (and anything shaped like an API key) masked."""
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return _KEY_PATTERN.sub(MASK, text)


class SecretRedactionFilter(logging.Filter):
    """Renders the record's message (and traceback) once, with keys masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it for logging's own error report
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_install_lock = threading.Lock()
_previous_factory: Callable[..., logging.LogRecord] | None = None


def install_secret_redaction() -> None:
    """Mask keys in every log record of the process, whichever handler later writes it. Idempotent.

    A filter on a logger does not see records of its child loggers, and handlers come and go, so the
    filter runs from the log record factory: every record is redacted as it is made.
    """
    global _previous_factory
    for _name, env in PROVIDERS.values():  # keys in the environment are known before first use
        remember_secret(os.environ.get(env, "").strip())
    with _install_lock:
        if _previous_factory is not None:
            return
        previous = _previous_factory = logging.getLogRecordFactory()
        redaction = SecretRedactionFilter()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            redaction.filter(record)
            return record

        logging.setLogRecordFactory(factory)


def remove_secret_redaction() -> None:
    """Undo ``install_secret_redaction`` (for tests)."""
    global _previous_factory
    with _install_lock:
        if _previous_factory is not None:
            logging.setLogRecordFactory(_previous_factory)
            _previous_factory = None
