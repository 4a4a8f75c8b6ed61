"""SearchService over both real stores: grouping per document, snippets, highlights and pages."""

from __future__ import annotations

import pytest
from py_rust_stemmers import SnowballStemmer

from inmyhead_app.core.ids import point_id
from inmyhead_app.core.search import SearchService
from inmyhead_app.core.store.base import ChunkPoint, SearchFilters, VectorStore
from tests.core.store.conftest import *  # noqa: F403 (the store fixtures: both stores, real corpus)
from tests.core.store.helpers import EmbeddedCorpus, doc_id


@pytest.fixture
def service(library: VectorStore, local_embedder, bm25) -> SearchService:
    return SearchService(library, local_embedder, bm25)


def test_results_are_documents_each_with_its_best_chunks(service: SearchService) -> None:
    hits = service.search("how does a piston engine turn the crankshaft", limit=5)
    assert hits[0].doc_id == doc_id("engine")
    assert len({hit.doc_id for hit in hits}) == len(hits) == 5
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    engine = hits[0]
    assert 1 <= len(engine.chunks) <= 3
    assert len({chunk.chunk_index for chunk in engine.chunks}) == len(engine.chunks)
    assert engine.score == engine.chunks[0].score >= engine.chunks[-1].score
    assert engine.title == "How a four-stroke petrol engine works"
    assert (engine.file_type, engine.language) == ("pdf", "en")
    assert engine.path == "/library/engine.pdf"


def test_snippets_mark_the_query_words_by_stem(service: SearchService) -> None:
    stem = SnowballStemmer("english").stem_word
    hits = service.search("engines", mode="keyword")
    assert {hit.doc_id for hit in hits} == {doc_id("engine"), doc_id("search")}
    for hit in hits:
        assert hit.highlights, hit.snippet
        assert hit.snippet == hit.chunks[0].snippet
        for start, end in hit.highlights:
            assert stem(hit.snippet[start:end].lower()) == "engin"
        for chunk in hit.chunks:
            assert all(stem(chunk.snippet[s:e].lower()) == "engin" for s, e in chunk.highlights)


def test_the_page_to_open_is_the_best_chunks_page(service: SearchService) -> None:
    hit = service.search("replace a worn timing belt", limit=1)[0]
    assert hit.doc_id == doc_id("engine")
    assert hit.chunks[0].chunk_index == 3
    assert hit.page == hit.chunks[0].page_start == 4  # the helper puts chunk i on page i + 1
    assert "timing belt" in hit.snippet
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["worn", "timing", "belt", "replaced"]


def test_modes_filters_and_limits(service: SearchService) -> None:
    assert service.search("cardiovascular fitness", mode="dense", limit=1)[0].doc_id == doc_id("heart")
    assert service.search("the of and", mode="keyword") == []
    assert service.search("   ") == []
    assert len(service.search("water", limit=2)) == 2
    only_pdf = service.search("water", filters=SearchFilters(file_types=("pdf",)))
    assert [hit.doc_id for hit in only_pdf] == [doc_id("engine")]
    with pytest.raises(ValueError, match="search mode"):
        service.search("water", mode="fuzzy")


def test_a_long_document_does_not_crowd_the_others_out(
    library: VectorStore, corpus: EmbeddedCorpus, local_embedder, bm25
) -> None:
    # 80 chunks that all say what the engine document says: they fill the first fetch on their own.
    manual = point_id("manual", 0)
    copies = [
        ChunkPoint(point_id(manual, i), p.dense, p.sparse, {**p.payload, "doc_id": manual, "chunk_index": i})
        for i, p in enumerate(corpus.points("engine") * 20)
    ]
    library.replace_document(manual, copies)
    service = SearchService(library, local_embedder, bm25)
    hits = service.search("piston cylinder crankshaft", limit=4, mode="dense")
    assert hits[0].doc_id in {manual, doc_id("engine")}
    assert len(hits) == 4
    assert len(hits[0].chunks) == 3
