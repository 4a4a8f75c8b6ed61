"""The one error vocabulary: every failure a user can see is an ``IngestError`` with a kind."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """Why a document (or a provider call) failed. Values are stable: they appear in CLI JSON."""

    EMPTY = "empty"
    NOT_FOUND = "not_found"
    PERMISSION = "permission"
    UNSUPPORTED = "unsupported"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    NO_TEXT = "no_text"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    OUT_OF_MEMORY = "out_of_memory"
    FILE_BUSY = "file_busy"
    DISK_FULL = "disk_full"
    PROVIDER_AUTH = "provider_auth"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    RATE_LIMITED = "rate_limited"
    CANCELLED = "cancelled"
    INTERNAL = "internal"


# Errors worth retrying automatically: the same input may well succeed a little later.
TRANSIENT_KINDS = frozenset(
    {ErrorKind.FILE_BUSY, ErrorKind.PROVIDER_UNAVAILABLE, ErrorKind.RATE_LIMITED, ErrorKind.TIMEOUT}
)


class IngestError(Exception):
    """A failure with a kind and a plain-language message for the user.

    ``retry_after`` (seconds) is a hint from the source of the error, e.g. an HTTP Retry-After.
    """

    def __init__(self, kind: ErrorKind, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT_KINDS

    def __reduce__(self) -> tuple[object, ...]:
        # Keeps kind and message when the error crosses a process boundary (parse sandbox).
        return (_rebuild, (self.kind.value, self.message, self.retry_after))

    def __repr__(self) -> str:
        return f"IngestError({self.kind.value!r}, {self.message!r})"


def _rebuild(kind: str, message: str, retry_after: float | None) -> IngestError:
    return IngestError(ErrorKind(kind), message, retry_after=retry_after)
