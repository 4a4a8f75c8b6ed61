from __future__ import annotations

import math

import pytest

from inmyhead_app.core.embed.local import DIMENSION


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def test_related_sentences_score_clearly_higher_than_unrelated(local_embedder) -> None:
    cat, kitten, revenue = local_embedder.embed_documents(
        ["The cat sat on the mat.", "A kitten is resting on a rug.", "Quarterly revenue grew by 4 percent."]
    )
    assert len(cat) == DIMENSION
    assert cosine(cat, kitten) > 0.45
    assert cosine(cat, kitten) - max(cosine(cat, revenue), cosine(kitten, revenue)) > 0.3


def test_query_matches_the_relevant_passage(local_embedder) -> None:
    passages = [
        "To reset your password, open settings and choose 'Forgot password'.",
        "The boiler must be serviced once a year by a certified engineer.",
        "Photosynthesis converts light energy into chemical energy in plants.",
    ]
    vectors = local_embedder.embed_documents(passages)
    query = local_embedder.embed_query("how do plants turn sunlight into energy")
    scores = [cosine(query, v) for v in vectors]
    assert scores.index(max(scores)) == 2


def test_progress_is_reported_per_batch(local_embedder) -> None:
    seen: list[tuple[int, int]] = []
    local_embedder.embed_documents(
        [f"sentence number {i}" for i in range(40)], progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (40, 40)
    assert len(seen) == 3  # batches of 16


def test_bm25_matches_qdrant_edge_builtin_bm25(bm25) -> None:
    """Our stop-word file must reproduce Qdrant's own BM25, so sparse vectors carry between stores."""
    import qdrant_edge

    text = "The boundary layer doesn't separate; we've measured it again at very high Mach numbers."
    ours = bm25.embed_documents([text])[0]
    theirs = qdrant_edge.Bm25().embed_document(text)
    ours_terms = dict(zip(ours.indices, ours.values, strict=True))
    theirs_terms = dict(zip(theirs.indices, theirs.values, strict=True))
    assert ours_terms.keys() == theirs_terms.keys()
    assert ours_terms == pytest.approx(theirs_terms, rel=1e-6)
    assert len(ours.indices) > 5
