"""``inmyhead worker [--until-idle]``: run the job queue (after recovering unfinished jobs).

With the Redis queue, several workers (on this or other machines) can share the work; see
"Jobs and scale-out" in the README.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from inmyhead_app.cli import add_common_options
from inmyhead_app.cli._common import busy
from inmyhead_app.core import paths
from inmyhead_app.core.context import Core, DataFolderBusy, open_core
from inmyhead_app.core.jobs.model import EventKind, JobEvent, JobState
from inmyhead_app.core.logs import setup_logging


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="run the job queue until interrupted")
    parser.add_argument("--until-idle", action="store_true", help="exit once no job is left to run")
    add_common_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    folder = paths.data_dir(args.data_dir)
    setup_logging(folder)
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())  # SIGTERM: finish gracefully
    try:
        return _work(folder, stop, args.until_idle)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _work(folder: Path, stop: threading.Event, until_idle: bool) -> int:
    while True:
        try:
            core = open_core(folder, start_consumer=False)
        except DataFolderBusy as error:
            return busy(error)
        reembedded = threading.Event()  # the library switches to the new model when it is reopened
        core.jobs.subscribe(_setting_on_reembed_finished(reembedded))
        try:
            core.start_consumer()
            workers = core.settings["workers"]
            print(
                f"inmyhead worker: {workers} workers on {folder} ({core.settings['queue']} queue)",
                file=sys.stderr,
            )
            _serve(core, stop, until_idle, reembedded)
        finally:
            core.close()
        if stop.is_set() or not reembedded.is_set():
            return 0
        print("inmyhead worker: every document is re-embedded; reopening on the new model", file=sys.stderr)


def _setting_on_reembed_finished(flag: threading.Event) -> Callable[[JobEvent], None]:
    def on_event(event: JobEvent) -> None:
        if event.kind is EventKind.REEMBED_FINISHED:
            flag.set()

    return on_event


def _serve(core: Core, stop: threading.Event, until_idle: bool, reembedded: threading.Event) -> None:
    while not stop.is_set() and not reembedded.is_set():
        if until_idle:
            if core.jobs.wait_idle(timeout=0.5):
                break
            if core.jobs.is_paused() and not core.jobs.list_jobs(JobState.RUNNING):
                print("inmyhead worker: the queue is paused; stopping", file=sys.stderr)
                break
        else:
            stop.wait(0.5)
