from __future__ import annotations

import email.utils
import random
import time

import pytest

from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.retry import (
    Retryable,
    RetryPolicy,
    call_with_retries,
    interruptible,
    retry_after_seconds,
    wait,
)


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"retry-after": "1.5"}) == 1.5
    assert retry_after_seconds({"retry-after-ms": "20", "retry-after": "9"}) == 0.02
    assert retry_after_seconds({"retry-after": "-3"}) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None and retry_after_seconds(None) is None
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= retry_after_seconds({"retry-after": in_a_minute}) <= 61


def test_backoff_doubles_within_the_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.5, rng=random.Random(4))
    for attempt, ceiling in enumerate([1, 2, 4, 8, 10, 10]):
        assert ceiling / 2 <= policy.backoff(attempt) <= ceiling


def test_gives_up_after_max_retries_with_the_last_kind() -> None:
    calls: list[int] = []
    waits: list[float] = []

    def failing() -> None:
        calls.append(1)
        raise ConnectionError("reset")

    with pytest.raises(IngestError) as info:
        call_with_retries(
            failing,
            RetryPolicy(max_retries=3, base_delay=0.1, sleep=waits.append),
            provider="Test",
            classify=lambda exc: Retryable(ErrorKind.PROVIDER_UNAVAILABLE, "reset"),
        )
    assert len(calls) == 4 and len(waits) == 3
    assert info.value.kind is ErrorKind.PROVIDER_UNAVAILABLE and info.value.retry_after is not None
    assert "4 attempts" in info.value.message


def test_errors_it_does_not_know_pass_through_untouched() -> None:
    def broken() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        call_with_retries(broken, RetryPolicy(), provider="Test", classify=lambda exc: None)


class Stop(Exception):
    pass


def test_a_stop_check_ends_a_back_off_wait_early() -> None:
    checks: list[float] = []

    def check() -> None:
        checks.append(time.monotonic())
        if len(checks) == 3:
            raise Stop

    def rate_limited() -> None:
        raise ConnectionError

    with interruptible(check), pytest.raises(Stop):
        call_with_retries(
            rate_limited,
            RetryPolicy(max_retries=1),  # the default sleep: retry.wait
            provider="Test",
            classify=lambda exc: Retryable(ErrorKind.RATE_LIMITED, "HTTP 429", retry_after=30.0),
        )
    assert len(checks) == 3  # stopped after about two 0.2 s slices, not 30 s


def test_wait_without_a_check_just_sleeps() -> None:
    wait(0.01)  # no check registered: plain sleep, nothing raised
