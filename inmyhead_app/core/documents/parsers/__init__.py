"""One parser per file type, each ``parse(path, progress, deadline) -> ParsedDocument``, loaded on first use.

``deadline`` (a ``time.monotonic()`` value) lets a parser skip optional extra work it has no time for.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from inmyhead_app.core.documents.model import FILE_TYPES, ParsedDocument
from inmyhead_app.core.documents.parsers.common import Progress
from inmyhead_app.core.errors import ErrorKind, IngestError

_MODULES = {
    "pdf": "pdf",
    "docx": "docx",
    "txt": "text",
    "html": "html",
    "md": "markdown",
    "json": "json",
}
assert set(_MODULES) == set(FILE_TYPES)


def parse_file(
    path: str | Path, file_type: str, progress: Progress | None = None, deadline: float | None = None
) -> ParsedDocument:
    """Parse ``path`` as ``file_type`` here; untrusted files go through ``sandbox.parse_in_sandbox``."""
    if file_type not in _MODULES:
        raise IngestError(ErrorKind.UNSUPPORTED, f"No parser for {file_type!r} files.")
    module = importlib.import_module(f"{__name__}.{_MODULES[file_type]}")
    return module.parse(Path(path), progress, deadline)


def parser_modules() -> list[str]:
    """Every parser's module name (the sandbox's fork server imports them once)."""
    return [f"{__name__}.{name}" for name in _MODULES.values()]
