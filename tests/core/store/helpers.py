"""Build real chunk points (real MiniLM and BM25 vectors) from the small corpus or from any texts."""

from __future__ import annotations

from typing import Any

from inmyhead_app.core.ids import doc_id_for_path, point_id
from inmyhead_app.core.store.base import ChunkPoint
from tests.core.store.corpus import DOCUMENTS


def doc_id(name: str) -> str:
    """The id the app would give the corpus document ``name``."""
    return doc_id_for_path(f"/library/{name}")


def chunk_points(
    doc: str, texts: list[str], dense: list[list[float]], sparse: list, **payload: Any
) -> list[ChunkPoint]:
    """One point per chunk text, with the payload every store expects; pages follow the chunk index."""
    points = []
    for index, (text, vector, keywords) in enumerate(zip(texts, dense, sparse, strict=True)):
        body = {
            "doc_id": doc,
            "chunk_index": index,
            "text": text,
            "page_start": index + 1,
            "page_end": index + 1,
            "char_start": 0,
            "char_end": len(text),
            "path": f"/library/{doc}.txt",
            "title": doc,
            "file_type": "txt",
            "language": "en",
            "added_at": "2024-01-01T00:00:00+00:00",
            "collection": "",
        }
        body.update(payload)
        points.append(ChunkPoint(point_id(doc, index), vector, keywords, body))
    return points


class EmbeddedCorpus:
    """The corpus embedded once per test session; ``points(name)`` gives a document's points."""

    def __init__(self, embedder: Any, bm25: Any) -> None:
        names = list(DOCUMENTS)
        texts = [text for name in names for text in DOCUMENTS[name]["chunks"]]
        dense = embedder.embed_documents(texts)
        sparse = bm25.embed_documents(texts)
        self._by_name: dict[str, list[ChunkPoint]] = {}
        at = 0
        for name in names:
            meta = DOCUMENTS[name]
            n = len(meta["chunks"])
            self._by_name[name] = chunk_points(
                doc_id(name),
                meta["chunks"],
                dense[at : at + n],
                sparse[at : at + n],
                path=f"/library/{name}.{meta['file_type']}",
                title=meta["title"],
                file_type=meta["file_type"],
                language=meta["language"],
                added_at=meta["added_at"],
                collection=meta["collection"],
            )
            at += n

    @property
    def names(self) -> list[str]:
        return list(self._by_name)

    def points(self, name: str) -> list[ChunkPoint]:
        return self._by_name[name]

    def load_into(self, store: Any) -> None:
        for name in self.names:
            store.replace_document(doc_id(name), self.points(name))
        store.flush()
