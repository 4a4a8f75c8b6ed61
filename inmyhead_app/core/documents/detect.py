"""What a file really is: its type from its content (the extension is only a hint), and its text encoding."""

from __future__ import annotations

import errno
import json
import re
import zipfile
from pathlib import Path

from charset_normalizer import from_bytes

from inmyhead_app.core.errors import ErrorKind, IngestError

HEAD_BYTES = 8192
# Whole-file JSON validation during detection is only worth it for small files.
_JSON_SNIFF_LIMIT = 4 << 20

EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "txt",
    ".text": "txt",
    ".log": "txt",
    ".rst": "txt",
    ".csv": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "md",
    ".markdown": "md",
    ".mdown": "md",
    ".mkd": "md",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".geojson": "json",
}

# What a folder walk picks up without opening the file (a file named explicitly is always sniffed).
_WALKED = frozenset(EXTENSIONS) - {".log", ".csv"}


def is_supported(path: str | Path) -> bool:
    """Cheap check for folder walks: does the name say this is a document type we read?"""
    return Path(path).suffix.lower() in _WALKED


def type_from_name(path: str | Path) -> str | None:
    """The type the extension claims (content may disagree: see ``detect_type``)."""
    return EXTENSIONS.get(Path(path).suffix.lower())


# Binary formats people drop by mistake, named so the message says what the file is.
_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program (ELF)"),
    (b"MZ", "a Windows program"),
    (b"{\\rtf", "an RTF document"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg media file"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
_HTML_ANYWHERE = re.compile(rb"<(html|body|div|p|table|h[1-6])\b[^>]*>", re.I)
_DECLARED_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def check_readable(path: Path, max_bytes: int | None = None) -> int:
    """The file's size, or the IngestError a user should see for a missing, unreadable or oversized file."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IngestError(ErrorKind.UNSUPPORTED, f"{path.name} is not a regular file.")
        with open(path, "rb"):
            pass
    except FileNotFoundError:
        raise IngestError(ErrorKind.NOT_FOUND, f"{path.name} no longer exists.") from None
    except PermissionError:
        raise IngestError(ErrorKind.PERMISSION, f"No permission to read {path.name}.") from None
    except OSError as exc:
        raise _os_error(path, exc) from None
    if size == 0:
        raise IngestError(ErrorKind.EMPTY, f"{path.name} is empty (0 bytes).")
    if max_bytes is not None and size > max_bytes:
        raise IngestError(
            ErrorKind.TOO_LARGE,
            f"{path.name} is {size / 2**20:.0f} MB, larger than the limit of {max_bytes / 2**20:.0f} MB.",
        )
    return size


def _os_error(path: Path, exc: OSError) -> IngestError:
    # EBUSY/ETXTBSY on POSIX, sharing violations (32, 33) on Windows: another program holds the file.
    if exc.errno in (errno.EBUSY, errno.ETXTBSY) or getattr(exc, "winerror", None) in (32, 33):
        return IngestError(ErrorKind.FILE_BUSY, f"{path.name} is in use by another program.")
    return IngestError(ErrorKind.PERMISSION, f"{path.name} could not be read: {exc.strerror or exc}.")


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise IngestError(ErrorKind.NOT_FOUND, f"{path.name} no longer exists.") from None
    except PermissionError:
        raise IngestError(ErrorKind.PERMISSION, f"No permission to read {path.name}.") from None
    except OSError as exc:
        raise _os_error(path, exc) from None


def detect_type(path: str | Path, max_bytes: int | None = None) -> str:
    """One of ``FILE_TYPES`` for ``path``, judged by content; raises IngestError when it is none of them."""
    path = Path(path)
    check_readable(path, max_bytes)
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise _os_error(path, exc) from None
    by_extension = EXTENSIONS.get(path.suffix.lower())

    # The spec allows 1 KB of junk before the header; pypdf recovers files with more, so for a
    # binary file or a .pdf we look through the whole head.
    header_at = head.find(b"%PDF-")
    if 0 <= header_at < 1024 or (header_at >= 0 and (by_extension == "pdf" or _looks_binary(head))):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path, by_extension)
    if head.startswith(_OLE):
        if by_extension == "docx":
            raise IngestError(
                ErrorKind.ENCRYPTED, f"{path.name} is password-protected; save an unprotected copy to add it."
            )
        raise IngestError(
            ErrorKind.UNSUPPORTED,
            f"{path.name} is an old Microsoft Office file (.doc/.xls); save it as .docx or PDF to add it.",
        )
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise IngestError(ErrorKind.UNSUPPORTED, f"{path.name} is {what}, not a document with text.")
    if by_extension == "pdf":
        raise IngestError(ErrorKind.CORRUPT, f"{path.name} is not a valid PDF: it has no PDF header.")
    if by_extension == "docx":
        raise IngestError(
            ErrorKind.CORRUPT, f"{path.name} is not a valid Word document (not a DOCX package)."
        )
    if _looks_binary(head):
        raise IngestError(
            ErrorKind.UNSUPPORTED, f"{path.name} is binary data, not a supported document type."
        )
    return _text_type(path, head, by_extension)


def _zip_type(path: Path, by_extension: str | None) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        if by_extension == "docx":
            raise IngestError(
                ErrorKind.CORRUPT, f"{path.name} is damaged or incomplete (its ZIP structure is broken)."
            ) from None
        raise IngestError(ErrorKind.UNSUPPORTED, f"{path.name} is a damaged ZIP archive.") from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names or "ppt/presentation.xml" in names:
        raise IngestError(
            ErrorKind.UNSUPPORTED,
            f"{path.name} is a spreadsheet or presentation; only Word documents are read.",
        )
    if by_extension == "docx":
        raise IngestError(ErrorKind.CORRUPT, f"{path.name} is not a valid Word document (no document part).")
    raise IngestError(ErrorKind.UNSUPPORTED, f"{path.name} is a ZIP archive, not a document.")


def _looks_binary(head: bytes) -> bool:
    if any(head.startswith(bom) for bom, _ in _BOMS) or _utf16_without_bom(head):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(head) * 0.1


def _text_type(path: Path, head: bytes, by_extension: str | None) -> str:
    text_head = decode_text(head, partial=True)[0].lstrip("\ufeff \t\r\n")
    if by_extension in ("html", "md", "txt") and not (by_extension == "txt" and _is_html(head)):
        return by_extension
    if _is_html(head):
        return "html"
    if text_head[:1] in ("{", "[") and (by_extension == "json" or _is_json(path)):
        return "json"
    if by_extension == "json":
        return "json"  # the parser says precisely where it is broken
    if _looks_like_markdown(text_head):
        return "md"
    return "txt"


def _is_html(head: bytes) -> bool:
    sample = head.replace(b"\x00", b"")
    return bool(_HTML_START.search(sample)) or len(_HTML_ANYWHERE.findall(sample)) >= 3


def _is_json(path: Path) -> bool:
    if path.stat().st_size > _JSON_SNIFF_LIMIT:
        return False
    try:
        json.loads(decode_text(read_bytes(path))[0])
    except ValueError:
        return False
    return True


def _looks_like_markdown(text: str) -> bool:
    signals = (
        r"(?m)^#{1,6} \S",
        r"(?m)^```",
        r"\[[^\]]+\]\([^)]+\)",
        r"(?m)^\s*[-*] \S",
        r"\*\*[^*]+\*\*",
    )
    return sum(1 for pattern in signals if re.search(pattern, text)) >= 2


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    return None


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML/XML head claims (which may be wrong)."""
    match = _DECLARED_CHARSET.search(data[:2048])
    return match.group(1).decode("ascii", "replace").lower() if match else None


def decode_text(data: bytes, *, partial: bool = False) -> tuple[str, str]:
    """(text, encoding) for bytes in an unknown encoding.

    Order: a byte-order mark; UTF-16 without one; strict UTF-8 (which a wrong declaration cannot
    fool); then charset-normalizer, preferring a declared charset or Windows-1252 (the web's
    fallback) when they read the bytes as cleanly as its own first choice. ``partial`` tolerates a
    multi-byte character cut at the end of a sample.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding.replace("-sig", "")
    if utf16 := _utf16_without_bom(data):
        return data.decode(utf16, errors="replace"), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if partial and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8"), "utf-8"
    matches = list(from_bytes(data))
    if not matches:
        raise IngestError(ErrorKind.UNSUPPORTED, "The file is not text in any known encoding.")
    best = matches[0]
    chosen = best
    preferred = [declared_charset(data), "cp1252"]
    for name in preferred:
        for match in matches:
            if name and _same_codec(match.encoding, name) and match.chaos <= best.chaos + 0.1:
                chosen = match
                break
        else:
            continue
        break
    if chosen is best and best.coherence == 0.0 and _decodes(data, "cp1252"):
        # Too little text for language statistics: fall back as browsers do.
        return data.decode("cp1252"), "cp1252"
    return str(chosen), chosen.encoding


def _same_codec(a: str, b: str) -> bool:
    import codecs

    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
