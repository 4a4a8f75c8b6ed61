"""The library catalog: one row per indexed document, in the jobs file beside the jobs (``documents``).

Mixed into ``JobsDB``, which brings the connection; kept apart so each file does one job.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from inmyhead_app.core.jobs.model import JobState, Stage

DOCUMENT_COLUMNS = [
    *("doc_id", "path", "content_hash", "title", "file_type", "pages", "chunks", "language"),
    *("keywords", "summary", "metadata", "added_at", "size_bytes", "mtime", "embedded_with"),
]

# A document whose chunks another dense model made (parameter: the model id); None: the first one.
_NOT_EMBEDDED_WITH = "(embedded_with is null or embedded_with != ?)"


class CatalogQueries:
    """The ``documents`` table's queries; ``JobsDB`` supplies ``_query`` and ``_execute``."""

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        raise NotImplementedError

    def _execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        raise NotImplementedError

    def upsert_document(self, values: dict[str, Any]) -> None:
        columns = [c for c in DOCUMENT_COLUMNS if c in values]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "doc_id")
        self._execute(
            f"insert into documents ({', '.join(columns)}) values ({', '.join('?' * len(columns))}) "
            f"on conflict(doc_id) do update set {updates}",
            [to_column(values[c]) for c in columns],
        )

    def get_document(self, doc_id: str) -> dict[str, Any] | None:
        rows = self._query("select * from documents where doc_id = ?", (doc_id,))
        return _document(rows[0]) if rows else None

    def list_documents(self) -> list[dict[str, Any]]:
        return [_document(row) for row in self._query("select * from documents order by added_at, doc_id")]

    def document_by_hash(self, content_hash: str) -> dict[str, Any] | None:
        rows = self._query(
            "select * from documents where content_hash = ? order by added_at limit 1", (content_hash,)
        )
        return _document(rows[0]) if rows else None

    def delete_document(self, doc_id: str) -> bool:
        return self._execute("delete from documents where doc_id = ?", (doc_id,)) == 1

    def set_embedded_with(self, doc_id: str, model_id: str, added_at: float) -> bool:
        """Record a document's new model, unless it was re-indexed (a new ``added_at``) meanwhile."""
        return (
            self._execute(
                "update documents set embedded_with = ? where doc_id = ? and added_at = ?",
                (model_id, doc_id, added_at),
            )
            == 1
        )

    def forget_embedded_with(self, model_id: str) -> int:
        """An abandoned re-embed's marks go: its store is gone, so those documents are not in it."""
        return self._execute("update documents set embedded_with = null where embedded_with = ?", (model_id,))

    def count_not_embedded_with(self, model_id: str) -> int:
        sql = f"select count(*) as n from documents where {_NOT_EMBEDDED_WITH}"
        return int(self._query(sql, (model_id,))[0]["n"])

    def chunks_not_embedded_with(self, model_id: str) -> int:
        sql = f"select coalesce(sum(chunks), 0) as n from documents where {_NOT_EMBEDDED_WITH}"
        return int(self._query(sql, (model_id,))[0]["n"])

    def count_documents(self) -> int:
        return int(self._query("select count(*) as n from documents")[0]["n"])

    def documents_not_embedded_with(self, model_id: str) -> list[dict[str, Any]]:
        """Catalog rows whose chunks were embedded by another model (a re-embed's work list)."""
        rows = self._query(
            f"select * from documents where {_NOT_EMBEDDED_WITH} order by added_at",
            (model_id,),
        )
        return [_document(row) for row in rows]


def to_column(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, (JobState, Stage)):
        return str(value)
    return value


def _document(row: sqlite3.Row) -> dict[str, Any]:
    data = {name: row[name] for name in DOCUMENT_COLUMNS}
    data["keywords"] = json.loads(data["keywords"] or "[]")
    data["metadata"] = json.loads(data["metadata"] or "{}")
    return data
