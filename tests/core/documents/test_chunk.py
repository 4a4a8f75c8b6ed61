"""Chunking: sizes, overlap, boundaries, offsets and pages; the token limit with the real tokenizer."""

from __future__ import annotations

import itertools
import re

import pytest

from inmyhead_app.core.documents.chunk import chunk_text
from inmyhead_app.core.documents.model import Page, ParsedDocument
from inmyhead_app.core.embed.local import MAX_TOKENS

SENTENCES = [
    f"Sentence number {i} talks about boilers, radiators and the {['gas', 'flue', 'pump'][i % 3]} valve."
    for i in range(120)
]


def document(pages: list[str]) -> ParsedDocument:
    return ParsedDocument("/doc.txt", "txt", [Page(n, text) for n, text in enumerate(pages, start=1)])


def paragraphs(count: int, per: int = 4) -> str:
    return "\n\n".join(" ".join(SENTENCES[i * per : (i + 1) * per]) for i in range(count))


def test_chunks_index_the_document_text_exactly() -> None:
    doc = document([paragraphs(10), paragraphs(12)])
    chunks = chunk_text("doc-1", doc, size=500, overlap=100)
    assert len(chunks) > 4
    for index, chunk in enumerate(chunks):
        assert (chunk.doc_id, chunk.index) == ("doc-1", index)
        assert doc.text[chunk.char_start : chunk.char_end] == chunk.text
        assert len(chunk.text) <= 500


def test_chunks_end_on_sentence_boundaries_and_overlap() -> None:
    doc = document([" ".join(SENTENCES[:40])])
    chunks = chunk_text("d", doc, size=400, overlap=120)
    for chunk in chunks:
        assert chunk.text.endswith(".")
        assert re.match(r"Sentence number \d+", chunk.text)
    overlaps = [a.char_end - b.char_start for a, b in itertools.pairwise(chunks)]
    assert all(0 < overlap <= 120 for overlap in overlaps)


def test_paragraphs_are_preferred_over_sentences() -> None:
    doc = document([paragraphs(6, per=3)])  # paragraphs of ~240 characters
    chunks = chunk_text("d", doc, size=600, overlap=0)
    for chunk in chunks:
        assert doc.text[chunk.char_end : chunk.char_end + 2] in ("\n\n", "")


def test_pages_are_tracked_across_chunks() -> None:
    doc = document(["alpha " * 100, "beta " * 100, "gamma " * 100])
    chunks = chunk_text("d", doc, size=300, overlap=0)
    first_words = {chunk.text.split()[0] for chunk in chunks}
    assert first_words == {"alpha", "beta", "gamma"}
    for chunk in chunks:
        words = set(chunk.text.split())
        expected = {"alpha": 1, "beta": 2, "gamma": 3}
        assert chunk.page_start == min(expected[w] for w in words)
        assert chunk.page_end == max(expected[w] for w in words)


def test_a_chunk_spanning_two_pages_says_so() -> None:
    doc = document(["end of page one.", "start of page two."])
    [chunk] = chunk_text("d", doc, size=1000, overlap=0)
    assert (chunk.page_start, chunk.page_end) == (1, 2)


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_text("d", document(["", "  "]), size=1000, overlap=200) == []


def test_text_without_any_boundary_is_still_cut_to_size() -> None:
    doc = document(["x" * 2500])
    chunks = chunk_text("d", doc, size=1000, overlap=0)
    assert [len(c.text) for c in chunks] == [1000, 1000, 500]


def test_overlap_larger_than_size_is_capped() -> None:
    chunks = chunk_text("d", document([" ".join(SENTENCES[:20])]), size=300, overlap=5000)
    assert all(len(c.text) <= 300 for c in chunks)


@pytest.mark.parametrize(
    "text",
    [
        # Code and identifiers cost many tokens per character...
        "\n".join(
            f">>> parser.add_argument('--opt{i}', nargs='?', type=int, default={i})" for i in range(60)
        ),
        # ...and so do CJK scripts (one token per character).
        "これは日本語のテキストです。" * 200,
        " ".join(f"{i:x}{i * 7919:x}" for i in range(800)),
    ],
)
def test_no_chunk_exceeds_the_model_token_limit(local_embedder, text: str) -> None:
    doc = document([text])
    chunks = chunk_text(
        "d", doc, size=1000, overlap=200, max_tokens=MAX_TOKENS, count_tokens=local_embedder.count_tokens
    )
    counts = [local_embedder.count_tokens(chunk.text) for chunk in chunks]
    assert max(counts) <= MAX_TOKENS
    assert all(doc.text[c.char_start : c.char_end] == c.text for c in chunks)
    # Without the token limit the same text makes chunks the model would silently truncate.
    unbounded = chunk_text("d", doc, size=1000, overlap=200)
    assert max(local_embedder.count_tokens(chunk.text) for chunk in unbounded) > MAX_TOKENS
