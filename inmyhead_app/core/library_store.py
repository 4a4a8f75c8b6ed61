"""Open a data folder's library store with the model that built it (see ``core.reembed``).

On open: a finished re-embed is promoted (the new generation becomes the library, the old one is
deleted); a re-embed to a model the settings no longer ask for is abandoned; an empty library
simply takes the model the settings ask for. Otherwise, when the settings ask for another model than
the library's, the library keeps its own model and the Core reports an ``EmbeddingChange``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from inmyhead_app.core.config import Settings
from inmyhead_app.core.embed.base import Embedder
from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.jobs.model import JobKind
from inmyhead_app.core.reembed import (
    GENERATION_FLAG,
    TARGET_FLAG,
    ReembedTarget,
    is_complete,
    library_generation,
    read_target,
)
from inmyhead_app.core.store.base import CollectionInfo
from inmyhead_app.core.store.factory import open_store
from inmyhead_app.core.store.owner import OwnedStore

log = logging.getLogger("inmyhead.library")


@dataclass
class OpenedLibrary:
    store: OwnedStore  # the library
    embedder: Embedder  # the library's model: search and new documents use it
    wanted: Embedder  # the model the settings ask for
    target: ReembedTarget | None = None  # a re-embed to ``wanted`` under way
    target_store: OwnedStore | None = None

    @property
    def mismatch(self) -> bool:
        return (self.embedder.model_id, self.embedder.dimension) != (
            self.wanted.model_id,
            self.wanted.dimension,
        )

    def close(self) -> None:
        for store in (self.target_store, self.store):
            if store is not None:
                store.close()


def _same_model(info: CollectionInfo, embedder: Embedder) -> bool:
    return (info.dense_model, info.dense_dimension) == (embedder.model_id, embedder.dimension)


def drop_generation(settings: Settings, folder: Path, generation: int) -> None:
    open_store(settings, folder, generation).drop()


def open_library(settings: Settings, folder: Path, db: JobsDB) -> OpenedLibrary:
    from inmyhead_app.core import providers  # looked up per call: tests share one loaded model

    wanted = providers.make_embedder(settings)
    target = read_target(db)
    # Flags change by compare-and-swap: with Redis workers, several processes may open at once.
    if target is not None and (target.model, target.dimension) != (wanted.model_id, wanted.dimension):
        if db.swap_flags({TARGET_FLAG: db.get_flag(TARGET_FLAG, "") or ""}, {TARGET_FLAG: ""}):
            log.info("abandoning the re-embed to %s: the settings ask for %s", target.model, wanted.model_id)
            db.cancel_active(kind=JobKind.REEMBED)
            drop_generation(settings, folder, target.generation)
            db.forget_embedded_with(target.model)
        target = None
    if target is not None and is_complete(db, target):
        old = library_generation(db)
        expected = {key: db.get_flag(key, "") or "" for key in (TARGET_FLAG, GENERATION_FLAG)}
        if db.swap_flags(expected, {TARGET_FLAG: "", GENERATION_FLAG: str(target.generation)}):
            log.info("re-embed complete: the library switches to %s", target.model)
            drop_generation(settings, folder, old)
        target = None
    generation = library_generation(db)
    store = open_store(settings, folder, generation)
    try:
        info = store.info()
        empty = info is not None and info.points == 0 and not db.count_documents()
        if info is not None and not _same_model(info, wanted) and empty:
            store.drop()  # nothing to re-embed: an empty library takes the wanted model
            store = open_store(settings, folder, generation)
            info = None
        if info is None or _same_model(info, wanted):
            store.ensure_collection(wanted.model_id, wanted.dimension)
            return OpenedLibrary(store, wanted, wanted)
        own_model = providers.settings_for_model(info.dense_model, info.dense_dimension)
        embedder = providers.make_embedder(settings.with_overrides(own_model))
        store.ensure_collection(embedder.model_id, embedder.dimension)
        opened = OpenedLibrary(store, embedder, wanted, target)
        if target is not None:
            opened.target_store = open_target_store(settings, folder, target)
        return opened
    except BaseException:
        store.close()
        raise


def open_target_store(settings: Settings, folder: Path, target: ReembedTarget) -> OwnedStore:
    store = open_store(settings, folder, target.generation)
    try:
        store.ensure_collection(target.model, target.dimension)
    except BaseException:
        store.close()
        raise
    return store
