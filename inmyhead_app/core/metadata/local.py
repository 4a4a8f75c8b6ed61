"""The offline default: metadata from the file itself, py3langid for language, YAKE for keywords.

The summary is extractive (Luhn-style): each sentence scores the mean document frequency of its
content words (stop words removed, frequencies normalised by the most frequent word), plus a small
bonus for appearing early, since documents tend to say what they are about first. The best two or
three sentences are returned in their original order.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import py3langid
import yake

from inmyhead_app.core.documents.model import ParsedDocument
from inmyhead_app.core.metadata.base import DocumentMetadata

MAX_KEYWORDS = 10
SUMMARY_SENTENCES = 3
SUMMARY_MAX_CHARS = 600
# Keyword extraction and language detection look at the beginning of long documents only:
# YAKE takes about 0.4 s per 12k characters here, and the first pages are the most telling.
KEYWORD_SAMPLE_CHARS = 30_000
LANGUAGE_SAMPLE_CHARS = 5_000
SUMMARY_SAMPLE_CHARS = 40_000
MIN_LANGUAGE_LETTERS = 20
MAX_TITLE_CHARS = 150
# Longer "sentences" are usually tables or lists without punctuation; they make poor summaries.
MAX_SENTENCE_CHARS = 400
MIN_SENTENCE_WORDS = 6

# YAKE names its Czech stop-word list "cz"; every other code it ships is ISO 639-1.
_YAKE_LANGUAGE = {"cs": "cz"}
_STOPWORD_DIR = Path(yake.__file__).parent / "core" / "StopwordsList"
# Titles that word processors and PDF tools fill in by themselves.
_TOOL_PREFIX = re.compile(r"^(microsoft (word|powerpoint|excel) - )", re.I)
_FILE_EXTENSION = re.compile(r"\.(pdf|docx?|txt|html?|md|rtf|odt|pptx?|xlsx?|tex|dvi|ps|indd|qxd)$", re.I)
_PLACEHOLDER_TITLE = re.compile(
    r"^(untitled|untitled document|document\d*|binder\d*|book\d*|title|slide \d+|\d+|[\W_]+)$", re.I
)
_SENTENCE_PUNCTUATION = (".", "!", "?", "。", "！", "？", '."', ".)")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n\s*\n")
_RUNNING = re.compile(r"[\d\W_]+")  # what differs between copies of a running header: numbers, punctuation
_WORD = re.compile(r"\w+", re.UNICODE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


class LocalMetadataExtractor:
    """Metadata without any network: what the file says about itself plus simple text statistics."""

    def extract(self, document: ParsedDocument, cleaned_text: str) -> DocumentMetadata:
        language = detect_language(cleaned_text)
        extractor = _keyword_extractor(language)
        return DocumentMetadata(
            title=_title(document, cleaned_text),
            author=_clean(document.author),
            created=document.created,
            modified=document.modified,
            language=language,
            page_count=len(document.pages),
            word_count=len(cleaned_text.split()),
            keywords=_keywords(extractor, cleaned_text),
            summary=summarise(cleaned_text, extractor.stopword_set),
            source="local",
        )


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text to tell."""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LANGUAGE_LETTERS:
        return None
    code, _score = py3langid.classify(sample)
    return code if len(code) == 2 else None


def _clean(value: str | None) -> str | None:
    value = " ".join(value.split()) if value else ""
    return value or None


def _title(document: ParsedDocument, text: str) -> str:
    """The document's own title, else its first heading-like line, else the file name."""
    if own := own_title(document.title):
        return own[:MAX_TITLE_CHARS]
    lines = text.splitlines()[:40]
    for number, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if _MARKDOWN_HEADING.match(line):
            return _MARKDOWN_HEADING.sub("", line)[:MAX_TITLE_CHARS]
        following = lines[number + 1].strip() if number + 1 < len(lines) else ""
        if _looks_like_heading(line) and (not following or len(line) <= 60):
            return line
        break  # the text opens with a paragraph, not a heading
    name = Path(document.path).stem or Path(document.path).name
    return " ".join(name.replace("_", " ").split()) or name


def own_title(title: str | None) -> str | None:
    """The file's title property, unless it is an authoring tool's placeholder ("Binder1.pdf")."""
    title = _clean(title)
    if not title:
        return None
    title = _TOOL_PREFIX.sub("", title)
    title = _FILE_EXTENSION.sub("", title).strip()
    if not title or _PLACEHOLDER_TITLE.match(title):
        return None
    return title


def _looks_like_heading(line: str) -> bool:
    """Short, has letters, and is not (the start of) a sentence."""
    return (
        len(line) <= 100
        and len(line.split()) <= 15
        and any(ch.isalpha() for ch in line)
        and not line.endswith((".", ",", ";", ":"))
        and not re.search(r"[.!?]\s", line)
    )


def _keyword_extractor(language: str | None) -> yake.KeywordExtractor:
    lan = _YAKE_LANGUAGE.get(language or "en", language or "en")
    if not (_STOPWORD_DIR / f"stopwords_{lan}.txt").is_file():
        lan = "xx"  # YAKE's language-neutral mode (it would otherwise guess from the first two letters)
    return yake.KeywordExtractor(
        lan=lan, n=2, top=MAX_KEYWORDS * 3, dedup_lim=0.7, stopwords=_stopwords(lan) or None
    )


@cache
def _stopwords(lan: str) -> frozenset[str]:
    """YAKE's stop-word list for ``lan``, read once (empty when it has none).

    Read here rather than by YAKE, which prints to stdout when a list is not UTF-8 (lt, sk).
    """
    try:
        raw = (_STOPWORD_DIR / f"stopwords_{lan}.txt").read_bytes()
    except OSError:
        return frozenset()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return frozenset(word for word in text.lower().split("\n") if word)


def _keywords(extractor: yake.KeywordExtractor, text: str) -> list[str]:
    """Top YAKE keyphrases, without case or plural variants or words already inside a better phrase."""
    if not text.strip():
        return []
    chosen: list[str] = []
    seen_words: set[str] = set()
    for phrase, _score in extractor.extract_keywords(text[:KEYWORD_SAMPLE_CHARS]):
        words = {_stem(word) for word in phrase.casefold().split()}
        if not words or words <= seen_words or any(w.isdigit() for w in words):
            continue
        chosen.append(phrase)
        seen_words |= words
        if len(chosen) == MAX_KEYWORDS:
            break
    return chosen


def _stem(word: str) -> str:
    """Crude plural folding, only for telling near-duplicate keywords apart (shell/shells)."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def split_sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in _SENTENCE_END.split(text) if s and s.strip()]


def _prose(sentences: list[str]) -> list[str]:
    """Sentences that read as prose: not running headers, shouted headings, formulas or fragments."""
    seen = Counter(_RUNNING.sub("", s).casefold() for s in sentences)
    prose = []
    for sentence in sentences:
        letters = [ch for ch in sentence if ch.isalpha()]
        visible = sum(1 for ch in sentence if not ch.isspace())
        if (
            len(_WORD.findall(sentence)) >= MIN_SENTENCE_WORDS
            and len(sentence) <= MAX_SENTENCE_CHARS
            and len(letters) >= 0.75 * visible
            and sum(ch.isupper() for ch in letters) <= 0.5 * len(letters)
            and seen[_RUNNING.sub("", sentence).casefold()] == 1  # repeated: a header or footer
        ):
            prose.append(sentence)
    # Headings and list items have no closing punctuation; real sentences make the better summary.
    return [s for s in prose if s.endswith(_SENTENCE_PUNCTUATION)] or prose


def summarise(text: str, stopwords: set[str], count: int = SUMMARY_SENTENCES) -> str | None:
    """The ``count`` best sentences (see the module docstring), in document order."""
    sentences = _prose(split_sentences(text[:SUMMARY_SAMPLE_CHARS]))
    if not sentences:
        return None
    content = [
        [w for w in _WORD.findall(s.casefold()) if w not in stopwords and not w.isdigit()] for s in sentences
    ]
    frequency = Counter(w for words in content for w in words)
    if not frequency:
        return None
    top = max(frequency.values())

    def score(index: int) -> float:
        words = content[index]
        if not words:
            return 0.0
        density = sum(frequency[w] / top for w in words) / len(words)
        position = 0.2 / (1 + index)  # the opening sentences get a small head start
        return density + position

    best = sorted(sorted(range(len(sentences)), key=score, reverse=True)[:count])
    summary = ""
    for index in best:
        sentence = sentences[index]
        if summary and len(summary) + len(sentence) + 1 > SUMMARY_MAX_CHARS:
            break
        summary = f"{summary} {sentence}".strip()
    return summary[:SUMMARY_MAX_CHARS]
