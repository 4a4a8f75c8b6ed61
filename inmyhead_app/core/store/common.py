"""What every store does the same way: the model check and the meaning of SearchFilters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.store.base import CollectionInfo, SearchFilters


def check_model(found: CollectionInfo, dense_model: str, dense_dimension: int) -> None:
    """Refuse to mix vectors of two models (or two sizes) in one library."""
    if found.dense_model == dense_model and found.dense_dimension == dense_dimension:
        return
    raise IngestError(
        ErrorKind.INTERNAL,
        f"this library was indexed with model {found.dense_model or 'unknown'} "
        f"({found.dense_dimension} dims), not {dense_model} ({dense_dimension} dims); switch the "
        "embedding setting back, or start a new library in another data folder",
    )


def filter_conditions(filters: SearchFilters) -> Iterator[tuple[str, str, Any]]:
    """(payload key, "any" | "value" | "datetime", value): all of them must hold."""
    if filters.file_types:
        yield "file_type", "any", filters.file_types
    if filters.languages:
        yield "language", "any", filters.languages
    if filters.doc_ids:
        yield "doc_id", "any", filters.doc_ids
    if filters.collection is not None:
        yield "collection", "value", filters.collection
    if filters.added_from or filters.added_to:
        yield "added_at", "datetime", (filters.added_from or None, _end_of_day(filters.added_to))


def _end_of_day(bound: str | None) -> str | None:
    """An inclusive date-only upper bound ("2024-06-20") means the whole of that day."""
    if bound and len(bound) == 10:
        return f"{bound}T23:59:59.999999"
    return bound or None
