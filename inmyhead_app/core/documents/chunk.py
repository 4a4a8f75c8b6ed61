"""Chunking: pieces of about ``size`` characters that overlap, split at the largest boundary that fits
(paragraph, then line, sentence, word) and never over the embedding model's token limit.

semantic-text-splitter does the splitting; a chunk's size is measured as the larger of its length in
characters and its token count scaled to characters, so one capacity bounds both.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Iterator

from semantic_text_splitter import TextSplitter

from inmyhead_app.core.documents.model import Chunk, ParsedDocument

TokenCounter = Callable[[str], int]


def chunk_text(
    doc_id: str,
    doc: ParsedDocument,
    *,
    size: int = 1000,
    overlap: int = 200,
    max_tokens: int | None = None,
    count_tokens: TokenCounter | None = None,
) -> list[Chunk]:
    """Chunks of ``doc.text`` (a cleaned document) with their pages and character offsets.

    ``count_tokens`` must count what the model sees (special tokens included); with ``max_tokens``
    no chunk exceeds that many tokens. ``overlap`` is capped below ``size``.
    """
    if size < 1:
        raise ValueError("chunk size must be positive")
    overlap = max(0, min(overlap, size // 2))
    text = doc.text
    if not text.strip():
        return []
    measure = _measure(size, max_tokens, count_tokens)
    splitter = TextSplitter.from_callback(measure, size, overlap=overlap)
    starts = _page_starts(doc)
    numbers = [page.number for page in doc.pages]
    chunks = []
    pieces = _fitting(splitter.chunk_indices(text), measure, size)
    for index, (start, piece) in enumerate(pieces):
        end = start + len(piece)
        chunks.append(
            Chunk(
                doc_id=doc_id,
                index=index,
                text=piece,
                page_start=numbers[bisect.bisect_right(starts, start) - 1],
                page_end=numbers[bisect.bisect_right(starts, end - 1) - 1],
                char_start=start,
                char_end=end,
            )
        )
    return chunks


def _fitting(
    pieces: Iterable[tuple[int, str]], measure: Callable[[str], int], size: int
) -> Iterator[tuple[int, str]]:
    """``pieces`` with any that exceed ``size`` split again.

    With a callback measure, semantic-text-splitter 0.33 sometimes returns a section it measured as
    too big instead of descending to lines or sentences; asked about that section alone, it splits it.
    """
    resplitter = TextSplitter.from_callback(measure, size)
    for start, piece in pieces:
        if measure(piece) <= size:
            yield start, piece
            continue
        parts = resplitter.chunk_indices(piece)
        if len(parts) > 1:
            yield from _fitting(((start + offset, part) for offset, part in parts), measure, size)
        else:
            yield from _cut(start, piece, measure, size)


def _cut(start: int, piece: str, measure: Callable[[str], int], size: int) -> Iterator[tuple[int, str]]:
    """Last resort: the longest prefixes that fit, found by bisection, regardless of boundaries."""
    while piece:
        low, high = 1, len(piece)
        while low < high:
            mid = (low + high + 1) // 2
            if measure(piece[:mid]) <= size:
                low = mid
            else:
                high = mid - 1
        yield start, piece[:low]
        start, piece = start + low, piece[low:]


def _page_starts(doc: ParsedDocument) -> list[int]:
    """Offset of each page in ``doc.text`` (pages are joined by a blank line)."""
    starts, offset = [], 0
    for page in doc.pages:
        starts.append(offset)
        offset += len(page.text) + 2
    return starts


def _measure(size: int, max_tokens: int | None, count_tokens: TokenCounter | None) -> Callable[[str], int]:
    if not max_tokens or count_tokens is None:
        return len
    scale = size / max_tokens

    def measure(piece: str) -> int:
        length = len(piece)
        if length > size:
            # Too big already, so skip the tokenizer, but answer with the most the tokens could be
            # (never more tokens than characters, plus two special ones): the splitter searches for
            # the largest fitting piece and needs a measure that never shrinks as a piece grows.
            return max(length, math.ceil((length + 2) * scale))
        return max(length, math.ceil(count_tokens(piece) * scale))

    return measure
