"""``inmyhead ingest PATH...``: submit files and folders as jobs, then run the queue until they finish.

With ``--json`` it prints one JSON object per file (path, doc_id, status, chunks, error_kind,
error_message); on a terminal it shows a live progress bar per document. If another process owns the
data folder (the app, a worker), the files are queued for it and this command waits for its results.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import Any

from inmyhead_app.cli import add_common_options
from inmyhead_app.cli._common import print_json
from inmyhead_app.core import paths
from inmyhead_app.core.context import Core, DataFolderBusy, open_core
from inmyhead_app.core.jobs.model import EventKind, JobEvent, JobRecord, JobState, Stage, StageStatus
from inmyhead_app.core.logs import setup_logging

# How much of a document's bar each stage fills (metadata runs beside embedding).
STAGE_WEIGHTS = {Stage.PARSING: 0.15, Stage.PREPROCESSING: 0.05, Stage.EMBEDDING: 0.6, Stage.STORING: 0.2}
TAKE_OVER_INTERVAL_S = 2.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ingest", help="index files and folders (recursively)")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    parser.add_argument("--no-wait", action="store_true", help="only queue the files")
    parser.add_argument(
        "--priority", type=int, default=5, choices=range(11), metavar="N", help="0-10, higher first"
    )
    add_common_options(parser)
    parser.set_defaults(handler=run)


def result_line(record: JobRecord) -> dict[str, Any]:
    """The stable per-file JSON object."""
    if record.state is JobState.DONE:
        status = "duplicate" if record.duplicate_of else "indexed"
    elif record.state in (JobState.FAILED, JobState.CANCELLED):
        status = "failed"
    else:
        status = "queued"
    return {
        "path": record.path,
        "doc_id": record.doc_id,
        "status": status,
        "chunks": record.chunks,
        "error_kind": record.error_kind if status == "failed" else None,
        "error_message": record.error_message if status == "failed" else None,
    }


def skipped_line(path: str, reason: str) -> dict[str, Any]:
    from inmyhead_app.core.ids import doc_id_for_path

    missing = reason == "no such file"
    return {
        "path": path,
        "doc_id": doc_id_for_path(path),
        "status": "failed" if missing else "skipped",
        "chunks": 0,
        "error_kind": "not_found" if missing else "unsupported",
        "error_message": f"{path}: {reason}",
    }


def fraction(record: JobRecord) -> float:
    if record.state.finished:
        return 1.0
    done = 0.0
    for stage, weight in STAGE_WEIGHTS.items():
        progress = record.stages.get(stage)
        if progress is None:
            continue
        if progress.status in (StageStatus.DONE, StageStatus.SKIPPED):
            done += weight
        elif progress.status is StageStatus.RUNNING and progress.total:
            done += weight * min(1.0, progress.done / progress.total)
    return done


def _open(folder: Any) -> tuple[Core, bool]:
    """(core, owner): the owner runs the queue; otherwise another process does and we only watch."""
    try:
        core = open_core(folder, start_consumer=False)
    except DataFolderBusy as error:
        print(f"inmyhead: {error} The files are queued for it.", file=sys.stderr)
        return open_core(folder, start_consumer=False, with_store=False), False
    if (change := core.embedding_change) is not None:
        print(
            f"inmyhead: note: the library uses {change.library_model}, so these files do too; the "
            f"settings ask for {change.wanted_model}: `inmyhead reembed` switches the library to it",
            file=sys.stderr,
        )
    return core, True


def run(args: argparse.Namespace) -> int:
    folder = paths.data_dir(args.data_dir)
    setup_logging(folder)
    core, owner = _open(folder)
    try:
        return _ingest(core, owner, folder, args)
    finally:
        core.close()


def _ingest(core: Core, owner: bool, folder: Any, args: argparse.Namespace) -> int:
    batch = core.jobs.submit_batch(args.paths, priority=args.priority)
    lines = [skipped_line(path, reason) for path, reason in batch.skipped]
    failed = any(line["status"] == "failed" for line in lines)
    out = _Output(args.json, interactive=sys.stdout.isatty() and not args.json)
    for line in lines:
        out.line(line)
    if args.no_wait:
        core.jobs.flush_enqueues()
        for job in batch.jobs:
            out.line(result_line(job))
        return 1 if failed else 0

    pending = {job.id: job for job in batch.jobs}
    wake = threading.Event()
    latest: dict[str, JobRecord] = {}

    def on_event(event: JobEvent) -> None:
        if event.job_id in pending and event.job is not None:
            latest[event.job_id] = event.job
            wake.set()
        elif event.kind in (EventKind.QUEUE_PAUSED, EventKind.REMOVED):
            wake.set()

    unsubscribe = core.jobs.subscribe(on_event)
    if owner:
        core.start_consumer()
    out.start(len(pending))
    next_poll = next_take_over = 0.0
    paused_told = False
    try:
        while pending:
            wake.wait(0.2)
            wake.clear()
            now = time.monotonic()
            if now >= next_poll:  # other processes do not send us events: read the table too
                next_poll = now + 1.0
                for job_id in list(pending):
                    record = core.jobs.get_job_status(job_id)
                    if record is not None:
                        latest[job_id] = record
            for job_id in list(pending):
                record = latest.get(job_id)
                if record is None:
                    continue
                if record.state.finished:
                    record = core.jobs.get_job_status(job_id) or record
                    del pending[job_id]
                    line = result_line(record)
                    failed |= line["status"] == "failed"
                    out.finished(job_id, record, line)
                else:
                    out.update(job_id, record)
            if core.jobs.is_paused() and not paused_told:
                paused_told = True
                out.note(
                    f"the queue is paused ({core.jobs.pause_reason() or 'by the user'}); `inmyhead resume`"
                )
            if not owner and now >= next_take_over:
                next_take_over = now + TAKE_OVER_INTERVAL_S
                core, owner = _take_over(core, folder, on_event)
                unsubscribe = core.jobs.subscribe(on_event) if owner else unsubscribe
    finally:
        unsubscribe()
        out.stop()
    return 1 if failed else 0


def _take_over(core: Core, folder: Any, on_event: Any) -> tuple[Core, bool]:
    """When the owning process is gone, become the owner and run the queue ourselves."""
    try:
        owned = open_core(folder, start_consumer=False)
    except DataFolderBusy:
        return core, False
    core.close()
    owned.start_consumer()
    return owned, True


class _Output:
    """JSON lines, plain lines, or (on a terminal) rich progress bars for the running documents."""

    def __init__(self, as_json: bool, interactive: bool) -> None:
        self.as_json = as_json
        self.progress = None
        self._tasks: dict[str, Any] = {}
        self._overall: Any = None
        if interactive:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("{task.description}", justify="left"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[stage]}"),
                TimeElapsedColumn(),
            )

    def start(self, total: int) -> None:
        if self.progress is not None:
            self.progress.start()
            self._overall = self.progress.add_task("all documents", total=max(total, 1), stage="")

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()

    def note(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(text, markup=False, highlight=False)
        else:
            print(f"inmyhead: {text}", file=sys.stderr)

    def line(self, line: dict[str, Any]) -> None:
        if self.as_json:
            print_json(line)
            return
        detail = f"{line['chunks']} chunks" if line["status"] != "failed" else line["error_message"]
        if line["status"] == "skipped":
            detail = line["error_message"]
        text = f"{line['status']:<9} {line['path']}  {detail}"
        if self.progress is not None:
            self.progress.console.print(text, markup=False, highlight=False)
        else:
            print(text, flush=True)

    def update(self, job_id: str, record: JobRecord) -> None:
        if self.progress is None or record.state is not JobState.RUNNING:
            return
        if job_id not in self._tasks:
            name = record.path.rsplit("/", 1)[-1][:40]
            self._tasks[job_id] = self.progress.add_task(name, total=100, stage="")
        self.progress.update(
            self._tasks[job_id], completed=100 * fraction(record), stage=str(record.stage or "")
        )

    def finished(self, job_id: str, record: JobRecord, line: dict[str, Any]) -> None:
        if self.progress is not None:
            task = self._tasks.pop(job_id, None)
            if task is not None:
                self.progress.remove_task(task)
            self.progress.advance(self._overall)
        self.line(line)
