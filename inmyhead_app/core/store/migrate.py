"""Copy a library from one store to another without re-embedding, resuming where it stopped.

Points are copied page by page in the source's id order; after each page the target is flushed
and the next offset is written to a checkpoint file, so an interrupted copy carries on from there.
Re-copying one page after a crash is harmless: upserts by id are idempotent.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.store.base import VectorStore

CHECKPOINT_FILE = "migration.json"
BATCH_SIZE = 256


@dataclass
class MigrationResult:
    source: str
    target: str
    points: int  # copied in total, this run and the runs it resumed
    seconds: float  # this run
    complete: bool
    resumed: bool


def migrate(
    source: VectorStore,
    target: VectorStore,
    checkpoint: Path,
    *,
    source_name: str,
    target_name: str,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MigrationResult:
    """Copy every point of ``source`` into ``target``; stop early after ``max_batches`` pages."""
    started = time.perf_counter()
    info = source.info()
    if info is None:
        raise IngestError(ErrorKind.NOT_FOUND, f"there is no library in the {source_name} store to migrate")
    state = _read(checkpoint)
    resumed = state is not None and (state["source"], state["target"]) == (source_name, target_name)
    if state is not None and not resumed:
        raise IngestError(
            ErrorKind.INTERNAL,
            f"an unfinished migration from {state['source']} to {state['target']} is recorded in "
            f"{checkpoint}; finish it first (or delete that file to abandon it)",
        )
    if not resumed and target.count() > 0:
        raise IngestError(
            ErrorKind.INTERNAL,
            f"the {target_name} store already holds {target.count()} points; move its folder aside "
            "before migrating into it",
        )
    target.ensure_collection(info.dense_model, info.dense_dimension)
    offset: str | None = state["offset"] if resumed and state else None
    copied: int = state["copied"] if resumed and state else 0
    _write(checkpoint, source_name, target_name, offset, copied)
    batches = 0
    while True:
        points, next_offset = source.scroll(offset, batch_size, with_vectors=True)
        target.upsert(points)
        target.flush()
        copied += len(points)
        offset = next_offset
        _write(checkpoint, source_name, target_name, offset, copied)
        batches += 1
        if progress is not None:
            progress(copied, info.points)
        if offset is None:
            break
        if max_batches is not None and batches >= max_batches:
            return MigrationResult(
                source_name, target_name, copied, time.perf_counter() - started, False, resumed
            )
    if (have := target.count()) != (want := source.count()):
        raise IngestError(
            ErrorKind.INTERNAL, f"the migration copied {have} points but the library has {want}; run it again"
        )
    checkpoint.unlink(missing_ok=True)
    return MigrationResult(source_name, target_name, copied, time.perf_counter() - started, True, resumed)


def _read(checkpoint: Path) -> dict | None:
    try:
        return json.loads(checkpoint.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(checkpoint: Path, source: str, target: str, offset: str | None, copied: int) -> None:
    state = {"source": source, "target": target, "offset": offset, "copied": copied}
    tmp = checkpoint.with_suffix(".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, checkpoint)
