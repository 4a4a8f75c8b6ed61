"""``inmyhead reembed``: re-embed the library with the model the settings (or --embedder) ask for.

One job per document embeds its stored chunks with the new model into a new store; when all are in,
the library switches to it (see ``core.reembed``). The summary (``--json``: one object) has the
fields ``from_model``, ``to_model``, ``documents``, ``reembedded``, ``failed``, ``switched`` and
``seconds``; the exit code is 0 when the library uses ``to_model`` at the end (or with
``--no-wait``, when the jobs are queued), else 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from inmyhead_app.cli import add_common_options
from inmyhead_app.cli._common import busy, print_json
from inmyhead_app.core import paths
from inmyhead_app.core.context import Core, DataFolderBusy, open_core
from inmyhead_app.core.errors import IngestError
from inmyhead_app.core.jobs.model import JobKind, JobState
from inmyhead_app.core.logs import setup_logging

POLL_S = 0.5


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reembed",
        help="re-embed the library with the embedding model the settings ask for, then switch to it",
        description="Embed every document's stored text with the model of the embedding settings (or "
        "--embedder), into a new store; search keeps the current model until all are done. Close the "
        "app first, or use Re-embed in the app.",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.add_argument("--no-wait", action="store_true", help="only queue the jobs (the app runs them)")
    add_common_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = paths.data_dir(args.data_dir)
    setup_logging(folder)
    started = time.monotonic()
    try:
        core = open_core(folder, start_consumer=False)
    except DataFolderBusy as error:
        return busy(error)
    except IngestError as error:
        return _fail(args, error.message)
    try:
        change = core.embedding_change
        model = core.library_embedding.embedder.model_id if core.library_embedding else ""
        summary: dict[str, Any] = {
            "from_model": change.library_model if change else model,
            "to_model": change.wanted_model if change else model,
            "documents": change.documents if change else len(core.library.list_documents()),
            "reembedded": 0,
            "failed": 0,
            "switched": False,
            "seconds": 0.0,
        }
        if change is None:
            return _report(args, summary, started, f"the library already uses {model}; nothing to re-embed")
        try:
            jobs = core.start_reembed()
        except IngestError as error:
            return _fail(args, error.message)
        if args.no_wait:
            core.jobs.flush_enqueues()
            summary["queued"] = len(jobs)
            return _report(args, summary, started, f"queued {len(jobs)} documents for re-embedding")
        target = core.library_embedding.target if core.library_embedding else None
        core.start_consumer()
        paused = _wait(core, change.documents, interactive=sys.stderr.isatty() and not args.json)
        counts = _counts(core, since=target.started_at if target else 0.0)
    finally:
        core.close()
    summary.update(reembedded=counts[JobState.DONE], failed=counts[JobState.FAILED])
    if paused:
        return _report(args, summary, started, f"stopped: the queue is paused ({paused})", code=1)
    with open_core(folder, start_consumer=False) as reopened:  # the switch happens on open
        summary["switched"] = reopened.embedding_change is None and _uses(reopened, summary["to_model"])
    message = (
        f"re-embedded {summary['reembedded']} documents; the library now uses {summary['to_model']}"
        if summary["switched"]
        else f"{summary['failed']} documents failed; `inmyhead jobs --state failed`, then run this again"
    )
    return _report(args, summary, started, message, code=0 if summary["switched"] else 1)


def _wait(core: Core, total: int, *, interactive: bool) -> str:
    """Run the queue until nothing is left; the pause reason if it paused (a rejected key) instead."""
    while not core.jobs.wait_idle(timeout=POLL_S):
        if core.jobs.is_paused():
            return core.jobs.pause_reason() or "by the user"
        if interactive:
            remaining = core.embedding_change
            done = total - remaining.remaining if remaining else total
            print(f"\rre-embedded {done} of {total} documents", end="", file=sys.stderr, flush=True)
    if interactive:
        print(file=sys.stderr)
    return ""


def _counts(core: Core, since: float) -> dict[JobState, int]:
    """This re-embed's jobs by state (the last one of each document: a retried failure counts once)."""
    last: dict[str, JobState] = {}
    for record in core.jobs.list_jobs():  # oldest first
        if record.kind == JobKind.REEMBED and record.created_at >= since:
            last[record.doc_id] = record.state
    counts = dict.fromkeys(JobState, 0)
    for state in last.values():
        counts[state] += 1
    return counts


def _uses(core: Core, model: str) -> bool:
    info = core.store.info() if core.store is not None else None
    return info is not None and info.dense_model == model


def _report(
    args: argparse.Namespace, summary: dict[str, Any], started: float, message: str, code: int = 0
) -> int:
    summary["seconds"] = round(time.monotonic() - started, 2)
    if args.json:
        print_json(summary)
    else:
        print(message)
    return code


def _fail(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print_json({"error": "reembed", "message": message})
    else:
        print(f"inmyhead reembed: {message}", file=sys.stderr)
    return 1
