"""Cleaning: Unicode and whitespace normalised, control characters dropped, words split by a line-end
hyphen joined again, and running headers/footers (lines repeated at the top or bottom of many pages,
page numbers included) removed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import replace

from inmyhead_app.core.documents.model import Page, ParsedDocument

# Lines examined at each end of a page for running headers and footers.
EDGE_LINES = 3
# A line counts as a running header/footer when it sits at that end of this share of pages (and >= 3).
REPEAT_SHARE = 0.4
REPEAT_SHARE_NUMBERED = 0.02
_MAX_HEADER_LEN = 120

_BREAKS = str.maketrans(
    {"\r": "\n", "\v": "\n", "\x85": "\n", "\u2028": "\n", "\f": "\n\n", "\u2029": "\n\n"}
)
# Typeset minus signs and hyphens (man pages: "−−posix") become the ASCII one people type.
_HYPHENS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-"})
# C0/C1 controls except tab and newline; soft hyphen, zero-width space, word joiner, BOM, non-characters.
# Zero-width (non-)joiners stay: they change how Persian, Indic scripts and emoji read.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\ufffe\uffff]")
_HYPHEN_BREAK = re.compile(r"([^\W\d_])-[ \t]*\n[ \t]*([^\W\d_]+)")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_DIGITS = re.compile(r"\d+")


def clean_document(doc: ParsedDocument) -> ParsedDocument:
    """A copy of ``doc`` with every page cleaned; chunk offsets index its ``.text``."""
    texts = [_normalise(page.text) for page in doc.pages]
    texts = drop_running_lines(texts)
    pages = [Page(page.number, _tidy(text)) for page, text in zip(doc.pages, texts, strict=True)]
    return replace(doc, pages=pages, warnings=list(doc.warnings))


def clean_text(text: str) -> str:
    """One page or one whole text, cleaned (without header/footer removal, which needs pages)."""
    return _tidy(_normalise(text))


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").translate(_BREAKS)
    text = text.replace("\u00ad\n", "")  # a soft hyphen at a line end marks a split word
    # NFKC: ligatures (ﬁ -> fi), full-width forms, non-breaking spaces become what they look like.
    text = unicodedata.normalize("NFKC", text).translate(_HYPHENS)
    text = _INVISIBLE.sub("", text)
    return "\n".join(line.strip() for line in _SPACES.sub(" ", text).split("\n"))


def _tidy(text: str) -> str:
    text = _HYPHEN_BREAK.sub(_join_hyphenated, text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _join_hyphenated(match: re.Match[str]) -> str:
    # "exam-\nple" -> "example"; "Jean-\nPaul" and "COVID-\n19" keep their hyphen.
    head, tail = match.group(1), match.group(2)
    if tail[0].islower():
        return head + tail
    return f"{head}-{tail}"


def drop_running_lines(pages: list[str]) -> list[str]:
    """Remove lines repeated at the top or bottom of many pages (digits ignored, so page numbers too)."""
    if len(pages) < 3:
        return pages
    threshold = max(3, math.ceil(len(pages) * REPEAT_SHARE))
    split = [page.split("\n") for page in pages]
    top: Counter[str] = Counter()
    bottom: Counter[str] = Counter()
    for lines in split:
        content = [i for i, line in enumerate(lines) if line]
        top.update({_key(lines[i]) for i in content[:EDGE_LINES]} - {""})
        bottom.update({_key(lines[i]) for i in content[-EDGE_LINES:]} - {""})
    # A line that starts or ends with a number (a page number) needs fewer repeats: manuals carry the
    # chapter name beside the page number, so that header repeats only within its chapter.
    numbered = max(3, math.ceil(len(pages) * REPEAT_SHARE_NUMBERED))

    def running(counts: Counter[str]) -> set[str]:
        return {
            key
            for key, count in counts.items()
            if count >= threshold or (count >= numbered and (key.startswith("#") or key.endswith("#")))
        }

    running_top, running_bottom = running(top), running(bottom)
    if not running_top and not running_bottom:
        return pages
    cleaned = []
    for lines in split:
        content = [i for i, line in enumerate(lines) if line]
        drop = {i for i in content[:EDGE_LINES] if _key(lines[i]) in running_top}
        drop |= {i for i in content[-EDGE_LINES:] if _key(lines[i]) in running_bottom}
        cleaned.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return cleaned


def _key(line: str) -> str:
    if len(line) > _MAX_HEADER_LEN:
        return ""
    return _DIGITS.sub("#", line.lower())
