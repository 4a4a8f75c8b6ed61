"""Open the store the settings choose, behind its owner thread."""

from __future__ import annotations

from pathlib import Path

from inmyhead_app.core.config import Settings
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.store.base import VectorStore
from inmyhead_app.core.store.owner import OwnedStore

STORE_KINDS = ("edge", "local", "server")
FOLDERS = {"edge": "edge", "local": "qdrant"}  # inside the data folder


def make_store(kind: str, data_dir: Path, url: str = "") -> VectorStore:
    """The bare store (not thread-safe): call this on the thread that will own it."""
    if kind == "edge":
        from inmyhead_app.core.store.edge import EdgeStore

        return EdgeStore(Path(data_dir) / FOLDERS["edge"])
    from inmyhead_app.core.store.local_mode import QdrantClientStore

    if kind == "local":
        return QdrantClientStore(path=Path(data_dir) / FOLDERS["local"])
    if kind == "server":
        if not url:
            raise IngestError(
                ErrorKind.INTERNAL, "the store is 'server' but no Qdrant server URL is set (qdrant_url)"
            )
        return QdrantClientStore(url=url)
    raise ValueError(f"unknown store kind {kind!r}; expected one of {', '.join(STORE_KINDS)}")


# Stores whose calls hold the GIL for long (Edge's flush is an fsync) run in a child process.
OUT_OF_PROCESS = frozenset({"edge"})


def open_store(settings: Settings, data_dir: Path) -> OwnedStore:
    kind = settings["store"]
    url = settings["qdrant_url"]
    if kind in OUT_OF_PROCESS:
        from inmyhead_app.core.store.process import ProcessStore

        return OwnedStore(lambda: ProcessStore(kind, data_dir, url), name=kind)
    return OwnedStore(lambda: make_store(kind, data_dir, url), name=kind)
