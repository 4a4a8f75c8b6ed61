"""``inmyhead migrate --to edge|local|server``: move the library to another store, then use it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from inmyhead_app.cli import add_common_options
from inmyhead_app.core.config import Settings, declaration
from inmyhead_app.core.errors import IngestError
from inmyhead_app.core.jobs.db import JobsDB
from inmyhead_app.core.paths import data_dir as resolve_data_dir
from inmyhead_app.core.reembed import library_generation, read_target
from inmyhead_app.core.store.factory import STORE_KINDS, make_store
from inmyhead_app.core.store.migrate import BATCH_SIZE, CHECKPOINT_FILE, migrate


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="copy the library to another vector store (no re-embedding) and switch to it",
        description="Copy points, payloads and vectors to another store, resuming if interrupted, "
        "then make it the store in use. Close the app first.",
    )
    parser.add_argument("--to", required=True, choices=STORE_KINDS, help="the store to move to")
    parser.add_argument("--url", help="Qdrant server URL for --to server (default: the qdrant_url setting)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=argparse.SUPPRESS)
    parser.add_argument("--max-batches", type=int, default=None, help=argparse.SUPPRESS)  # tests stop early
    add_common_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = resolve_data_dir(args.data_dir)
    settings = Settings(folder)
    source_kind: str = settings["store"]
    source_url: str = settings["qdrant_url"]
    target_url: str = args.url or (source_url if args.to == "server" else "")
    if args.to == source_kind and (args.to != "server" or target_url == source_url):
        return _fail(args, f"the library already uses the {source_kind} store")
    db = JobsDB(folder)
    try:
        generation, reembedding = library_generation(db), read_target(db) is not None
    finally:
        db.close()
    if reembedding:
        return _fail(args, "a re-embed is under way; let it finish (or keep the current model) first")
    try:
        source = make_store(source_kind, folder, source_url, generation)
        try:
            target = make_store(args.to, folder, target_url, generation)
            try:
                result = migrate(
                    source,
                    target,
                    folder / CHECKPOINT_FILE,
                    source_name=source_kind,
                    target_name=args.to,
                    batch_size=args.batch_size,
                    max_batches=args.max_batches,
                    progress=None if args.json else _progress,
                )
            finally:
                target.close()
        finally:
            source.close()
    except IngestError as error:
        return _fail(args, error.message, error.kind.value)
    if result.complete:
        settings.set("store", args.to)
        if args.to == "server":
            settings.set("qdrant_url", target_url)
        settings.save()
    summary = {
        "from": result.source,
        "to": result.target,
        "points": result.points,
        "seconds": round(result.seconds, 2),
        "complete": result.complete,
        "resumed": result.resumed,
    }
    if args.json:
        print(json.dumps(summary))
    elif result.complete:
        print(f"\rmoved {result.points} points from {result.source} to {result.target} "
              f"in {result.seconds:.1f} s; the library now uses {result.target}")  # fmt: skip
    else:
        print(f"\rstopped after {result.points} points; run the same command again to resume")
    env = declaration("store").env
    if result.complete and env and settings["store"] != args.to:
        print(f"note: ${env} still selects {settings['store']}; unset it to use {args.to}", file=sys.stderr)
    return 0 if result.complete else 1


def _progress(done: int, total: int) -> None:
    print(f"\rcopied {done} of {total} points", end="", flush=True)


def _fail(args: argparse.Namespace, message: str, kind: str = "internal") -> int:
    if args.json:
        print(json.dumps({"error": kind, "message": message}))
    else:
        print(f"inmyhead migrate: {message}", file=sys.stderr)
    return 1
