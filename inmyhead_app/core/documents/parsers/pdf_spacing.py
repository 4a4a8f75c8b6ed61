"""A second reading of PDF pages whose words pypdf ran together ("Therearetwomethodsof...").

pypdf decides where a space goes from the width the font gives its space glyph; some PDF makers
(xdvipdfmx, several LaTeX/DocBook chains) embed fonts where that width is wrong, so no gap between
words looks wide enough. Such text is unsearchable. pdfminer.six places words by their glyph boxes
instead, so those pages are read again with it (slower, hence only those pages).
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

log = logging.getLogger("inmyhead.documents.pdf")

# Share of a page's letters inside "words" of 16+ letters: under 0.05 in English prose, up to 0.35
# in German (compounds), 0.2-0.95 when words run together. A suspect page is read again and the
# second reading kept only when it finds clearly more words.
SUSPECT_LONG_SHARE = 0.12
LONG_WORD = 16
BETTER_WORD_RATIO = 1.25
_MIN_LETTERS = 200
_WORDS = re.compile(r"[^\W\d_]+")


def long_word_share(text: str) -> float:
    words = _WORDS.findall(text)
    letters = sum(map(len, words))
    return sum(len(w) for w in words if len(w) >= LONG_WORD) / letters if letters else 0.0


def runs_words_together(text: str) -> bool:
    """Might the words of this page run together? Only pages of mostly Latin letters (CJK has no spaces)."""
    letters = sum(1 for c in text if c.isalpha())
    if letters < _MIN_LETTERS:
        return False
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return latin >= 0.8 * letters and long_word_share(text) >= SUSPECT_LONG_SHARE


def better_spaced(candidate: str, original: str) -> bool:
    return len(candidate.split()) >= BETTER_WORD_RATIO * len(original.split())


def respace(path: Path, numbers: list[int], deadline: float | None = None) -> dict[int, str]:
    """Texts of the given 1-based pages as pdfminer.six reads them, page by page until ``deadline``
    (a ``time.monotonic()`` value): pages it had no time for are left out."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    numbers = sorted(numbers)
    texts: dict[int, str] = {}
    try:
        layouts = extract_pages(str(path), page_numbers=[n - 1 for n in numbers])
        for number, layout in zip(numbers, layouts, strict=False):  # pdfminer yields them in page order
            texts[number] = "".join(item.get_text() for item in layout if isinstance(item, LTTextContainer))
            if deadline is not None and time.monotonic() > deadline:
                break
    except MemoryError:
        raise
    except Exception as exc:  # a second opinion only: whatever breaks it, pypdf's text stands
        log.info("pdfminer could not re-read %s: %s: %s", path.name, type(exc).__name__, exc)
    return texts
