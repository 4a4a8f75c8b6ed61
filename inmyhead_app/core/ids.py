"""Deterministic ids: the same file and chunk always get the same id, so every stage is idempotent."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

_NAMESPACE = uuid.UUID("5f0c7f0e-3c1a-4a57-9d8e-6b1b1f7e2a10")


def doc_id_for_path(path: str | Path) -> str:
    """A document's id follows its absolute path, so a changed file replaces its own chunks."""
    return str(uuid.uuid5(_NAMESPACE, "doc:" + str(Path(path).resolve())))


def point_id(doc_id: str, chunk_index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"chunk:{doc_id}:{chunk_index}"))


def content_hash(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
