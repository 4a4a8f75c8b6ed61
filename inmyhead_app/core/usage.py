"""Per-job accounting of cloud provider use: tokens billed and warnings, without changing interfaces.

Providers call ``record_tokens`` / ``record_warning``; the job system wraps a stage in ``metered()``
and reads the totals afterwards. The meter lives in a context variable, so each worker thread (and
each ``metered()`` block) counts only its own calls. Work handed to another thread must open its own
``metered()`` there: thread pools do not carry context variables across.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class UsageMeter:
    tokens: dict[str, int] = field(default_factory=dict)  # provider -> tokens billed
    warnings: list[str] = field(default_factory=list)

    @property
    def total_tokens(self) -> int:
        return sum(self.tokens.values())


_current: ContextVar[UsageMeter | None] = ContextVar("inmyhead_usage_meter", default=None)


@contextmanager
def metered() -> Iterator[UsageMeter]:
    """Count provider tokens and warnings made in this block (in this thread)."""
    meter = UsageMeter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def record_tokens(provider: str, tokens: int) -> None:
    if (meter := _current.get()) is not None and tokens:
        meter.tokens[provider] = meter.tokens.get(provider, 0) + tokens


def record_warning(message: str) -> None:
    if (meter := _current.get()) is not None:
        meter.warnings.append(message)
