"""Bounded, observable retries for cloud provider calls (OpenAI, Anthropic).

The SDKs' own retries are switched off (``max_retries=0``) so every retry is ours: logged, reported
through ``RetryPolicy.on_retry``, and capped. Rate limits, server errors, time-outs and dropped
connections back off exponentially with jitter, or wait what the server's Retry-After asks. A rejected
key fails at once. When retries run out, or the server asks for a longer wait than we sleep through,
the call fails with a transient IngestError carrying ``retry_after`` for the job system. Waits run
``interruptible(check)``'s check every 0.2 s, so a cancelled job does not sit out its back-off.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from inmyhead_app.core.errors import ErrorKind, IngestError

_log = logging.getLogger(__name__)
_stop_check: ContextVar[Callable[[], None] | None] = ContextVar("inmyhead_retry_stop_check", default=None)
WAIT_SLICE_S = 0.2


@contextmanager
def interruptible(check: Callable[[], None]) -> Iterator[None]:
    """Back-off waits in this block (this thread) call ``check()`` every 0.2 s; it raises to stop.

    The job system passes its stage check, so a cancel or shutdown is not held up by a long wait.
    """
    token = _stop_check.set(check)
    try:
        yield
    finally:
        _stop_check.reset(token)


def wait(seconds: float) -> None:
    """Sleep ``seconds``, calling the ``interruptible`` check (if any) between short slices."""
    check = _stop_check.get()
    if check is None:
        time.sleep(seconds)
        return
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        check()
        time.sleep(min(WAIT_SLICE_S, left))
    check()


@dataclass(frozen=True)
class RetryEvent:
    """One retry about to happen: which attempt failed, why, and how long we wait before the next."""

    provider: str
    attempt: int  # 1 for the first retry
    reason: str  # e.g. "HTTP 429", "time-out"
    delay: float


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    base_delay: float = 1.0
    # The longest wait slept through in-process; a longer Retry-After fails the call for a later retry.
    max_delay: float = 60.0
    jitter: float = 0.5  # each back-off is scaled by a random factor in [1 - jitter, 1]
    sleep: Callable[[float], None] = wait
    on_retry: Callable[[RetryEvent], None] | None = None
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (0-based) when the server did not say."""
        delay = min(self.max_delay, self.base_delay * 2**attempt)
        return delay * (1 - self.jitter * self.rng.random())


@dataclass(frozen=True)
class Retryable:
    """classify's verdict for an error worth retrying."""

    kind: ErrorKind  # what to raise when retries run out: RATE_LIMITED or PROVIDER_UNAVAILABLE
    reason: str
    retry_after: float | None = None


Classifier = Callable[[Exception], "IngestError | Retryable | None"]


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date), if present and sane."""
    if not headers:
        return None
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def classify_sdk_error(
    exc: Exception,
    provider: str,
    *,
    status_error: type[Exception],
    connection_error: type[Exception],
    timeout_error: type[Exception],
) -> IngestError | Retryable | None:
    """Sort an OpenAI/Anthropic SDK exception into final (IngestError), retryable, or not ours (None).

    Messages never include the server's text: a proxy may echo request details there.
    """
    if isinstance(exc, timeout_error):
        return Retryable(ErrorKind.PROVIDER_UNAVAILABLE, "time-out")
    if isinstance(exc, connection_error):
        return Retryable(ErrorKind.PROVIDER_UNAVAILABLE, "connection failed")
    if not isinstance(exc, status_error):
        return None
    status: int = getattr(exc, "status_code", 0)
    response: Any = getattr(exc, "response", None)
    retry_after = retry_after_seconds(getattr(response, "headers", None))
    code = _error_code(getattr(exc, "body", None))
    if status in (401, 403):
        return IngestError(
            ErrorKind.PROVIDER_AUTH,
            f"The {provider} key was rejected (HTTP {status}): check it in Settings or the environment.",
        )
    if status == 402 or code in {"insufficient_quota", "billing_error"}:
        return IngestError(ErrorKind.PROVIDER_AUTH, f"The {provider} account has run out of credit.")
    if status == 429:
        return Retryable(ErrorKind.RATE_LIMITED, "HTTP 429 (rate limited)", retry_after)
    if status in (408, 409) or status >= 500:
        return Retryable(ErrorKind.PROVIDER_UNAVAILABLE, f"HTTP {status}", retry_after)
    return IngestError(ErrorKind.INTERNAL, f"{provider} refused the request (HTTP {status}).")


def _error_code(body: object) -> str | None:
    """The error code or type in an OpenAI (``error.code``) or Anthropic (``error.type``) error body."""
    inner = body.get("error", body) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        return None
    code = inner.get("code") or inner.get("type")
    return code if isinstance(code, str) else None


def call_with_retries[T](
    call: Callable[[], T], policy: RetryPolicy, *, provider: str, classify: Classifier
) -> T:
    """``call()``, retried per ``policy`` while ``classify`` says the error is retryable.

    Our IngestErrors are raised outside the ``except`` block, so they carry no ``__context__``: the
    SDK's exception (whose text may echo request details) never travels with them.
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:
            verdict = classify(exc)
            if verdict is None:
                raise
        if isinstance(verdict, IngestError):
            raise verdict
        delay = verdict.retry_after if verdict.retry_after is not None else policy.backoff(attempt)
        if attempt >= policy.max_retries or delay > policy.max_delay:
            what = "is rate limiting requests" if verdict.kind is ErrorKind.RATE_LIMITED else "is unavailable"
            raise IngestError(
                verdict.kind,
                f"{provider} {what} ({verdict.reason}, {attempt + 1} attempts); "
                "the job will be retried later.",
                retry_after=max(delay, policy.base_delay),
            )
        attempt += 1
        _log.info(
            "%s: %s; retry %d of %d in %.2f s", provider, verdict.reason, attempt, policy.max_retries, delay
        )
        if policy.on_retry is not None:
            policy.on_retry(RetryEvent(provider, attempt, verdict.reason, delay))
        policy.sleep(delay)
