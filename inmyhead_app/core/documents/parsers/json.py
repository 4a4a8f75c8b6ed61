"""JSON and JSON Lines: each value as a line ``path.to.key: value``, so keys are searchable too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from inmyhead_app.core.documents.detect import decode_text, read_bytes
from inmyhead_app.core.documents.model import Page, ParsedDocument
from inmyhead_app.core.documents.parsers.common import Progress, clean_str, require_text
from inmyhead_app.core.errors import ErrorKind, IngestError

_TITLE_KEYS = ("title", "name", "$id")


def parse(path: Path, progress: Progress | None = None, deadline: float | None = None) -> ParsedDocument:
    text, _encoding = decode_text(read_bytes(path))
    values = _load(text, path.name)
    lines = list(_flatten(values, ""))
    doc = ParsedDocument(str(path), "json", [Page(1, "\n".join(lines))])
    if isinstance(values, dict):
        doc.title = next((clean_str(values[k]) for k in _TITLE_KEYS if isinstance(values.get(k), str)), None)
        doc.author = clean_str(values.get("author")) if isinstance(values.get("author"), str) else None
    return require_text(doc)


def _load(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise IngestError(ErrorKind.CORRUPT, f"{name} is nested too deeply to read.") from None
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and (records := _json_lines(text)) is not None:
            return records
        raise IngestError(
            ErrorKind.CORRUPT,
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
        ) from None


def _json_lines(text: str) -> list[Any] | None:
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except (json.JSONDecodeError, RecursionError):
        return None


def _flatten(value: Any, path: str) -> Iterator[str]:
    # An explicit stack: JSON nesting depth is attacker-controlled and must not hit the recursion limit.
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, dict):
            items = [(v, f"{where}.{k}" if where else str(k)) for k, v in current.items()]
            stack.extend(reversed(items))
        elif isinstance(current, list):
            stack.extend(reversed([(v, f"{where}[{i}]") for i, v in enumerate(current)]))
        elif current is None:
            continue
        else:
            shown = json.dumps(current) if isinstance(current, bool) else str(current)
            yield f"{where}: {shown}" if where else shown
