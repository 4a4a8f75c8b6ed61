"""Open the store the settings choose, behind its owner thread.

A data folder's library has a *generation*: re-embedding with another model builds generation N+1
beside N (``edge-2`` beside ``edge``, collection ``chunks-2`` beside ``chunks``) and switches to it
once every document is in it, so search never mixes, nor loses, vectors while the new one is built.
"""

from __future__ import annotations

from pathlib import Path

from inmyhead_app.core.config import Settings
from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.store.base import VectorStore
from inmyhead_app.core.store.owner import OwnedStore

STORE_KINDS = ("edge", "local", "server")
FOLDERS = {"edge": "edge", "local": "qdrant"}  # inside the data folder
COLLECTION = "chunks"  # on a Qdrant server


def generation_name(base: str, generation: int) -> str:
    """``base`` for the first library of a folder, ``base-N`` for the one a re-embed builds."""
    return base if generation <= 0 else f"{base}-{generation}"


def make_store(kind: str, data_dir: Path, url: str = "", generation: int = 0) -> VectorStore:
    """The bare store (not thread-safe): call this on the thread that will own it."""
    if kind == "edge":
        from inmyhead_app.core.store.edge import EdgeStore

        return EdgeStore(Path(data_dir) / generation_name(FOLDERS["edge"], generation))
    from inmyhead_app.core.store.local_mode import QdrantClientStore

    if kind == "local":
        return QdrantClientStore(path=Path(data_dir) / generation_name(FOLDERS["local"], generation))
    if kind == "server":
        if not url:
            raise IngestError(
                ErrorKind.INTERNAL, "the store is 'server' but no Qdrant server URL is set (qdrant_url)"
            )
        return QdrantClientStore(url=url, collection=generation_name(COLLECTION, generation))
    raise ValueError(f"unknown store kind {kind!r}; expected one of {', '.join(STORE_KINDS)}")


# Stores whose calls hold the GIL for long (Edge's flush is an fsync) run in a child process.
OUT_OF_PROCESS = frozenset({"edge"})


def open_store(settings: Settings, data_dir: Path, generation: int = 0) -> OwnedStore:
    kind = settings["store"]
    url = settings["qdrant_url"]
    name = generation_name(kind, generation)
    if kind in OUT_OF_PROCESS:
        from inmyhead_app.core.store.process import ProcessStore

        return OwnedStore(lambda: ProcessStore(kind, data_dir, url, generation), name=name)
    return OwnedStore(lambda: make_store(kind, data_dir, url, generation), name=name)
