"""PDF: text per page with pypdf. A broken page is skipped with a warning; the others are kept."""

from __future__ import annotations

import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from inmyhead_app.core.documents.model import Page, ParsedDocument
from inmyhead_app.core.documents.parsers.common import Progress, clean_str, iso, require_text, useful_title
from inmyhead_app.core.documents.parsers.pdf_spacing import better_spaced, respace, runs_words_together
from inmyhead_app.core.errors import ErrorKind, IngestError

log = logging.getLogger("inmyhead.documents.pdf")
# Broken pages are listed one by one up to this many; after that only counted.
_MAX_PAGE_WARNINGS = 10


def parse(path: Path, progress: Progress | None = None, deadline: float | None = None) -> ParsedDocument:
    reader = _open(path)
    doc = ParsedDocument(str(path), "pdf", [])
    _read_metadata(reader, doc)
    try:
        pages = reader.pages
        count = len(pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise _corrupt(path, exc) from None
    if count == 0:
        raise IngestError(
            ErrorKind.CORRUPT, f"{path.name} is damaged or incomplete: it has no readable pages."
        )
    broken: list[int] = []
    complaints = _Complaints()
    pypdf_log = logging.getLogger("pypdf")
    pypdf_log.addHandler(complaints)
    try:
        for number in range(1, count + 1):
            complaints.count = 0
            try:
                text = pages[number - 1].extract_text() or ""
            except MemoryError:
                raise  # the sandbox's memory cap: the document fails as a whole
            except Exception:  # pypdf raises many types on malformed pages; the page is skipped, not the file
                text = ""
                broken.append(number)
            else:
                # pypdf logs (rather than raises) on an undecodable content stream and returns no text.
                if not text.strip() and complaints.count:
                    broken.append(number)
            doc.pages.append(Page(number, text))
            if progress is not None:
                progress(number, count)
    finally:
        pypdf_log.removeHandler(complaints)
    _respace_run_together(path, doc, deadline)
    if broken:
        shown = ", ".join(map(str, broken[:_MAX_PAGE_WARNINGS]))
        more = f" and {len(broken) - _MAX_PAGE_WARNINGS} more" if len(broken) > _MAX_PAGE_WARNINGS else ""
        doc.warnings.append(f"{len(broken)} of {count} pages could not be read (page {shown}{more}).")
        if len(broken) == count:
            raise IngestError(
                ErrorKind.CORRUPT, f"{path.name} is damaged: none of its {count} pages can be read."
            )
    empty = sum(1 for page in doc.pages if not page.text.strip()) - len(broken)
    if empty and empty < count:
        doc.warnings.append(f"{empty} of {count} pages have no text layer (scanned pages are not read).")
    return require_text(doc, ": it is probably a scan or a drawing (pages without a text layer)")


def _respace_run_together(path: Path, doc: ParsedDocument, deadline: float | None) -> None:
    flagged = [page for page in doc.pages if runs_words_together(page.text)]
    if not flagged:
        return
    better = respace(path, [page.number for page in flagged], deadline)
    fixed = 0
    for page in flagged:
        text = better.get(page.number, "")
        if text.strip() and better_spaced(text, page.text):
            page.text = text
            fixed += 1
    if fixed:
        log.info("%s: %d pages re-read with real word spacing", path.name, fixed)
    if missed := len(flagged) - len(better):
        pages = "page" if missed == 1 else "pages"
        doc.warnings.append(f"Words run together on {missed} {pages}; there was no time to read them again.")


class _Complaints(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _open(path: Path) -> PdfReader:
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                # Many PDFs are "encrypted" with an empty user password only to restrict printing or copying.
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise IngestError(ErrorKind.INTERNAL, f"Cannot decrypt {path.name}: {exc}") from None
            if not opened:
                raise IngestError(
                    ErrorKind.ENCRYPTED,
                    f"{path.name} is password-protected; open it with its password "
                    "and save an unprotected copy to add it.",
                )
        return reader
    except IngestError:
        raise
    except FileNotDecryptedError:
        raise IngestError(ErrorKind.ENCRYPTED, f"{path.name} is password-protected.") from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise _corrupt(path, exc) from None


def _read_metadata(reader: PdfReader, doc: ParsedDocument) -> None:
    try:
        info = reader.metadata
        if info is None:
            return
        doc.title = useful_title(info.title)
        doc.author = clean_str(info.author)
        doc.created = iso(info.creation_date)
        doc.modified = iso(info.modification_date)
    except MemoryError:
        raise
    except Exception:  # unreadable metadata must not cost the document its text
        doc.warnings.append("The document's metadata (title, author, dates) could not be read.")


def _corrupt(path: Path, exc: BaseException) -> IngestError:
    detail = str(exc).strip().rstrip(".") or type(exc).__name__
    return IngestError(
        ErrorKind.CORRUPT,
        f"{path.name} is damaged or incomplete (perhaps cut off while downloading or copying). "
        f"Details: {detail}.",
    )
