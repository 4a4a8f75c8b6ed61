"""Snippets: the ~240 characters of a chunk that hold the most query terms, with the terms marked.

Words match when their Snowball stems match ("engines" marks "engine"), in the chunk's language
when Snowball knows it; stop words (the BM25 model's own list) are never marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from py_rust_stemmers import SnowballStemmer

from inmyhead_app.core.paths import bm25_dir

SNIPPET_CHARS = 240
ELLIPSIS = "…"
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_SNOWBALL = {
    "ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
    "fi": "finnish", "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch",
    "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish",
    "ta": "tamil", "tr": "turkish",
}  # fmt: skip
_FALLBACK_STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it",
    "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "with",
})  # fmt: skip


@cache
def _stemmer(language: str) -> SnowballStemmer:
    return SnowballStemmer(_SNOWBALL.get(language.lower()[:2], "english"))


@cache
def stop_words() -> frozenset[str]:
    try:
        words = (bm25_dir() / "english.txt").read_text(encoding="utf-8").split()
    except OSError:
        return _FALLBACK_STOP_WORDS
    return frozenset(word.lower() for word in words)


@dataclass(frozen=True)
class QueryTerms:
    """The query's words worth marking; stems are computed per language on demand."""

    words: tuple[str, ...]

    @classmethod
    def parse(cls, query: str) -> QueryTerms:
        seen = dict.fromkeys(w.lower() for w in _WORD.findall(query) if w.lower() not in stop_words())
        return cls(tuple(seen))

    def stems(self, language: str) -> frozenset[str]:
        stemmer = _stemmer(language)
        return frozenset(stemmer.stem_word(word) for word in self.words) | frozenset(self.words)


def _matches(text: str, stems: frozenset[str], language: str) -> list[tuple[int, int, str]]:
    stemmer = _stemmer(language)
    found = []
    for match in _WORD.finditer(text):
        word = match.group().lower()
        stem = stemmer.stem_word(word)
        if word not in stop_words() and (stem in stems or word in stems):
            found.append((match.start(), match.end(), stem))
    return found


def _best_window(matches: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """(start, end) of the run of matches fitting in ``width`` with the most distinct terms."""
    best = (0, 0)
    best_score = (-1, -1)
    for i, (start, _, _) in enumerate(matches):
        inside = [m for m in matches[i:] if m[1] - start <= width]
        score = (len({m[2] for m in inside}), len(inside))
        if score > best_score:
            best, best_score = (start, inside[-1][1]), score
    return best


def make_snippet(
    text: str, terms: QueryTerms, language: str = "en", width: int = SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """A snippet of ``text`` around the best matches, and (start, end) spans of the terms in it."""
    stems = terms.stems(language)
    matches = _matches(text, stems, language) if stems else []
    if matches:
        first, last = _best_window(matches, width)
        start = max(0, first - max(0, width - (last - first)) // 2)
    else:
        start = 0
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    if start > 0 and not text[start - 1].isspace():  # do not cut a word in half
        gap = _SPACE.search(text, start, end)
        start = gap.end() if gap else start
    if end < len(text) and not text[end].isspace():
        cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
        end = cut if cut > start else end
    body = _SPACE.sub(" ", text[start:end]).strip()
    snippet = (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(text) else "")
    spans = [(s, e) for s, e, _ in _matches(snippet, stems, language)] if stems else []
    return snippet, spans
