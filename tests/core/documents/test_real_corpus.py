"""Every real document of the small shared corpus through the whole documents stage:
sandboxed parse, cleaning, chunking with the real tokenizer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from inmyhead_app.core.documents.chunk import chunk_text
from inmyhead_app.core.documents.clean import clean_document
from inmyhead_app.core.documents.sandbox import parse_in_sandbox
from inmyhead_app.core.embed.local import MAX_TOKENS
from inmyhead_app.core.errors import IngestError

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def test_every_corpus_document_becomes_valid_chunks(real_corpus: Path, local_embedder) -> None:
    files = sorted(p for p in real_corpus.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    assert len(files) >= 40
    failures: dict[str, str] = {}
    parsed_types: Counter[str] = Counter()
    for path in files:
        try:
            doc = parse_in_sandbox(path, timeout_s=120)
        except IngestError as exc:
            failures[path.name] = f"{exc.kind}: {exc.message}"
            continue
        # The corpus folder names the format; detection must agree with it from content alone.
        assert doc.file_type == path.parent.name, path.name
        parsed_types[doc.file_type] += 1
        cleaned = clean_document(doc)
        chunks = chunk_text(
            "doc",
            cleaned,
            size=1000,
            overlap=200,
            max_tokens=MAX_TOKENS,
            count_tokens=local_embedder.count_tokens,
        )
        assert chunks, path.name
        numbers = {page.number for page in cleaned.pages}
        for chunk in chunks:
            assert cleaned.text[chunk.char_start : chunk.char_end] == chunk.text
            assert 0 < len(chunk.text) <= 1000
            assert chunk.page_start in numbers and chunk.page_end in numbers
            assert chunk.page_start <= chunk.page_end
        longest = max(chunks, key=lambda c: len(c.text))
        assert local_embedder.count_tokens(longest.text) <= MAX_TOKENS
    assert failures == {}
    assert set(parsed_types) >= {"pdf", "html", "txt", "md", "json"}
