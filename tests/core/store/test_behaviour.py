"""The VectorStore contract, run against local mode and Edge alike on real text and real vectors."""

from __future__ import annotations

import pytest

from inmyhead_app.core.errors import ErrorKind, IngestError
from inmyhead_app.core.store.base import SearchFilters, VectorStore
from inmyhead_app.core.store.factory import make_store
from tests.core.store.conftest import MODEL_ID
from tests.core.store.helpers import EmbeddedCorpus, doc_id


def names_of(hits) -> list[str]:
    """Corpus names of the hits' documents, best first, without repeats."""
    by_id = {
        doc_id(name): name for name in ("bread", "engine", "search", "garden", "heart", "bees", "orbits")
    }
    seen: list[str] = []
    for hit in hits:
        name = by_id[hit.payload["doc_id"]]
        if name not in seen:
            seen.append(name)
    return seen


def test_reupserting_a_document_changes_nothing(library: VectorStore, corpus: EmbeddedCorpus) -> None:
    total = library.count()
    assert total == sum(len(corpus.points(name)) for name in corpus.names)
    library.replace_document(doc_id("engine"), corpus.points("engine"))
    library.replace_document(doc_id("engine"), corpus.points("engine"))
    assert library.count() == total
    assert library.count(doc_id("engine")) == 4


def test_reindexing_a_shorter_document_removes_its_old_tail(
    library: VectorStore, corpus: EmbeddedCorpus, local_embedder
) -> None:
    library.replace_document(doc_id("engine"), corpus.points("engine")[:2])
    assert library.count(doc_id("engine")) == 2
    query = local_embedder.embed_query("replace the timing belt and change the oil")
    hits = library.query_dense(query, SearchFilters(doc_ids=(doc_id("engine"),)), 10)
    assert sorted(hit.payload["chunk_index"] for hit in hits) == [0, 1]
    assert library.count(doc_id("bread")) == 3  # other documents untouched


def test_deleting_a_document_removes_only_its_chunks(library: VectorStore, corpus: EmbeddedCorpus) -> None:
    before = library.count()
    library.delete_document(doc_id("heart"))
    assert library.count(doc_id("heart")) == 0
    assert library.count() == before - 3
    library.delete_document(doc_id("heart"))  # deleting again is harmless
    assert library.count() == before - 3


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(file_types=("pdf",)), {"engine"}),
        (SearchFilters(file_types=("pdf", "md")), {"engine", "bread"}),
        (SearchFilters(languages=("fr",)), {"bees"}),
        (SearchFilters(doc_ids=(doc_id("orbits"), doc_id("heart"))), {"orbits", "heart"}),
        (SearchFilters(collection="garden"), {"garden", "bees"}),
        (SearchFilters(collection=""), {"search", "heart", "orbits"}),
        (
            SearchFilters(added_from="2024-03-01T00:00:00+00:00", added_to="2024-06-30T23:59:59+00:00"),
            {"engine", "garden", "search"},
        ),
        (SearchFilters(added_from="2025-01-01T00:00:00Z"), {"orbits"}),
        (SearchFilters(added_from="2024-03-05", added_to="2024-06-20"), {"engine", "garden", "search"}),
        (SearchFilters(added_to="2023-12-31T00:00:00Z"), {"heart"}),
        (SearchFilters(file_types=("txt",), languages=("en",)), {"heart"}),
    ],
)
def test_filters_restrict_every_kind_of_query(
    library: VectorStore, local_embedder, bm25, filters: SearchFilters, expected: set[str]
) -> None:
    text = "the engine of life: water, heat, growth and energy"
    dense, sparse = local_embedder.embed_query(text), bm25.embed_query(text)
    assert set(names_of(library.query_dense(dense, filters, 50))) == expected
    assert set(names_of(library.query_hybrid(dense, sparse, filters, 50))) == expected
    assert set(names_of(library.query_sparse(sparse, filters, 50))) <= expected


def test_dense_search_finds_meaning_without_shared_words(library: VectorStore, local_embedder) -> None:
    hits = library.query_dense(
        local_embedder.embed_query("how does a car motor burn gasoline"), SearchFilters(), 5
    )
    assert names_of(hits)[0] == "engine"
    hits = library.query_dense(local_embedder.embed_query("cardiovascular fitness"), SearchFilters(), 5)
    assert names_of(hits)[0] == "heart"


def test_keyword_search_ranks_exact_words_and_their_stems(library: VectorStore, bm25) -> None:
    hits = library.query_sparse(bm25.embed_query("inverted index"), SearchFilters(), 10)
    assert names_of(hits) == ["search"]
    # "engines" stems to "engine": both the car and the web search documents match, nothing else.
    hits = library.query_sparse(bm25.embed_query("engines"), SearchFilters(), 10)
    assert set(names_of(hits)) == {"engine", "search"}
    assert library.query_sparse(bm25.embed_query("the of and"), SearchFilters(), 10) == []


def test_hybrid_search_fuses_meaning_and_keywords(library: VectorStore, local_embedder, bm25) -> None:
    text = "search engine ranking with BM25"
    hits = library.query_hybrid(local_embedder.embed_query(text), bm25.embed_query(text), SearchFilters(), 10)
    assert names_of(hits)[0] == "search"
    assert hits[0].score >= hits[-1].score
    text = "wild yeast culture for baking a loaf"
    hits = library.query_hybrid(local_embedder.embed_query(text), bm25.embed_query(text), SearchFilters(), 10)
    assert names_of(hits)[0] == "bread"
    assert len(hits) == 10


def test_a_library_made_for_another_model_is_refused(library: VectorStore) -> None:
    library.ensure_collection(MODEL_ID, 384)  # the same model is fine
    with pytest.raises(IngestError, match=r"indexed with model local:all-MiniLM-L6-v2 \(384 dims\)"):
        library.ensure_collection("openai:text-embedding-3-small", 1536)
    with pytest.raises(IngestError, match="indexed with model"):
        library.ensure_collection(MODEL_ID, 256)
    info = library.info()
    assert info is not None
    assert (info.dense_model, info.dense_dimension, info.points) == (MODEL_ID, 384, 20)


def test_scroll_pages_through_every_point_once_with_vectors(library: VectorStore) -> None:
    seen: list[str] = []
    offset = None
    pages = 0
    while True:
        points, offset = library.scroll(offset, 7)
        pages += 1
        for point in points:
            assert len(point.dense) == 384
            assert point.sparse.indices and len(point.sparse.indices) == len(point.sparse.values)
            assert point.payload["text"]
        seen.extend(point.id for point in points)
        if offset is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == library.count()
    bare, _ = library.scroll(None, 3, with_vectors=False)
    assert [p.dense for p in bare] == [[], [], []]


def test_data_survives_close_and_reopen(
    store_kind: str, tmp_path, corpus: EmbeddedCorpus, local_embedder
) -> None:
    first = make_store(store_kind, tmp_path)
    assert first.info() is None and first.count() == 0
    first.ensure_collection(MODEL_ID, 384)
    corpus.load_into(first)
    first.close()
    again = make_store(store_kind, tmp_path)
    try:
        assert again.count() == 20
        again.ensure_collection(MODEL_ID, 384)
        hits = again.query_dense(local_embedder.embed_query("satellite orbit speed"), SearchFilters(), 1)
        assert hits[0].payload["doc_id"] == doc_id("orbits")
        with pytest.raises(IngestError, match="indexed with model"):
            again.ensure_collection("other-model", 384)
    finally:
        again.close()


def test_a_second_opener_of_the_same_folder_gets_a_plain_error(
    store: VectorStore, store_kind: str, tmp_path
) -> None:
    with pytest.raises(IngestError) as caught:
        make_store(store_kind, tmp_path)
    assert caught.value.kind is ErrorKind.FILE_BUSY
    assert "open in another In My Head process" in caught.value.message


def test_an_edge_folder_whose_creation_was_cut_short_is_made_again(tmp_path, corpus: EmbeddedCorpus) -> None:
    store = make_store("edge", tmp_path)
    store.ensure_collection(MODEL_ID, 384)
    store.close()
    (tmp_path / "edge" / "collection.json").unlink()  # as if killed before it was written
    again = make_store("edge", tmp_path)
    assert again.info() is None
    again.ensure_collection(MODEL_ID, 384)
    again.replace_document(doc_id("bread"), corpus.points("bread"))
    again.close()
    (tmp_path / "edge" / "collection.json").unlink()  # now there are points: they are never dropped
    with pytest.raises(IngestError, match=r"holds 3 points but its collection\.json is missing"):
        make_store("edge", tmp_path).ensure_collection(MODEL_ID, 384)
    assert (tmp_path / "edge" / "shard").is_dir()


def test_an_unreachable_server_is_a_plain_error() -> None:
    from inmyhead_app.core.store.local_mode import QdrantClientStore

    store = QdrantClientStore(url="http://127.0.0.1:9")  # the discard port: nothing listens
    with pytest.raises(IngestError) as caught:
        store.ensure_collection(MODEL_ID, 384)
    assert caught.value.kind is ErrorKind.PROVIDER_UNAVAILABLE
    assert "the Qdrant server at http://127.0.0.1:9 did not answer" in caught.value.message
    store.close()
