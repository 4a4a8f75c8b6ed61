"""``inmyhead search``, ``inmyhead docs`` and ``inmyhead delete``: the library from the command line."""

from __future__ import annotations

import argparse
import sys

from inmyhead_app.cli import add_common_options
from inmyhead_app.cli._common import busy, open_for, print_json
from inmyhead_app.core.context import DataFolderBusy
from inmyhead_app.core.errors import IngestError
from inmyhead_app.core.search import MODES
from inmyhead_app.core.store.base import SearchFilters


def register(subparsers: argparse._SubParsersAction) -> None:
    search = subparsers.add_parser("search", help="search the library by meaning and keywords")
    search.add_argument("query", metavar="QUERY")
    search.add_argument(
        "--type", action="append", default=[], metavar="TYPE", help="pdf, docx, txt, html, md, json"
    )
    search.add_argument("--language", action="append", default=[], metavar="LANG", help="ISO 639-1, e.g. en")
    search.add_argument("--limit", type=int, default=10, metavar="N")
    search.add_argument("--mode", choices=MODES, default="hybrid")
    search.add_argument("--json", action="store_true", help="print a JSON list of documents")
    add_common_options(search)
    search.set_defaults(handler=run_search)

    docs = subparsers.add_parser("docs", help="list the documents in the library")
    docs.add_argument("--json", action="store_true", help="print a JSON list")
    add_common_options(docs)
    docs.set_defaults(handler=run_docs)

    delete = subparsers.add_parser("delete", help="remove a document (its chunks and catalog entry)")
    delete.add_argument("doc_id", metavar="DOC_ID")
    add_common_options(delete)
    delete.set_defaults(handler=run_delete)


def run_search(args: argparse.Namespace) -> int:
    try:
        core = open_for(args)
    except DataFolderBusy as error:
        return busy(error)
    try:
        filters = SearchFilters(file_types=tuple(args.type), languages=tuple(args.language))
        hits = core.search.search(args.query, filters, limit=max(1, args.limit), mode=args.mode)
    except IngestError as error:
        print(f"inmyhead: search failed: {error.message}", file=sys.stderr)
        return 1
    finally:
        core.close()
    if args.json:
        print_json(
            [
                {
                    "doc_id": hit.doc_id,
                    "path": hit.path,
                    "title": hit.title,
                    "score": hit.score,
                    "page": hit.page,
                    "snippet": hit.snippet,
                    "chunks": [
                        {
                            "chunk_index": c.chunk_index,
                            "page_start": c.page_start,
                            "page_end": c.page_end,
                            "score": c.score,
                            "snippet": c.snippet,
                        }
                        for c in hit.chunks
                    ],
                }
                for hit in hits
            ]
        )
        return 0
    if not hits:
        print("No matching documents.")
    for rank, hit in enumerate(hits, 1):
        page = f" (page {hit.page})" if hit.page else ""
        print(f"{rank}. {hit.title}{page}  [{hit.score:.3f}]\n   {hit.path}\n   {hit.snippet}")
    return 0


def run_docs(args: argparse.Namespace) -> int:
    try:
        core = open_for(args, with_store=False)  # the catalog lives in the jobs database
    except DataFolderBusy as error:
        return busy(error)
    try:
        documents = core.library.list_documents()
    finally:
        core.close()
    rows = [
        {
            "doc_id": d.doc_id,
            "path": d.path,
            "title": d.title,
            "type": d.file_type,
            "pages": d.pages,
            "chunks": d.chunks,
            "language": d.language,
        }
        for d in documents
    ]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(f"{row['doc_id']}  {row['type']:<4} {row['chunks']:>5} chunks  {row['title']}  ({row['path']})")
    print(f"{len(rows)} documents")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    try:
        core = open_for(args)
    except DataFolderBusy as error:
        return busy(error)
    try:
        found = core.library.delete_document(args.doc_id)
    finally:
        core.close()
    if not found:
        print(f"inmyhead: no document {args.doc_id} in the library", file=sys.stderr)
        return 1
    print(f"deleted {args.doc_id}")
    return 0
