"""Parse an untrusted file in a child process with a wall-clock limit and a memory cap.

Real files make parsers hang (a PDF whose pages share one huge content stream) or eat memory
(a DOCX whose XML inflates to a gigabyte). The child is killed on breach and the document fails
with TIMEOUT or OUT_OF_MEMORY; the app and the other documents carry on.

Children come from a fork server that has already imported the parsers (fast, and safe to use
from a threaded parent); where there is no fork server (Windows) they are spawned.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil

from inmyhead_app.core.documents.detect import check_readable, detect_type
from inmyhead_app.core.documents.model import ParsedDocument
from inmyhead_app.core.documents.parsers import parse_file, parser_modules
from inmyhead_app.core.documents.parsers.common import Progress
from inmyhead_app.core.errors import ErrorKind, IngestError

log = logging.getLogger("inmyhead.documents.sandbox")
# Third-party messages from the child (pypdf's font warnings...) land here, at DEBUG.
library_log = logging.getLogger("inmyhead.documents.libraries")

_MAX_LOG_RECORDS = 200
_POLL_S = 0.05
# Linux enforces an address-space limit (RLIMIT_AS); elsewhere the parent watches resident memory.
ADDRESS_SPACE_LIMIT = sys.platform.startswith("linux")
_PROGRESS_INTERVAL_S = 0.25
# Optional extra work (re-reading badly spaced PDF pages) stops at this share of the time limit.
_OPTIONAL_WORK_SHARE = 0.6
# Failures that a file caught half-written would also produce.
_MAYBE_INCOMPLETE = frozenset({ErrorKind.EMPTY, ErrorKind.CORRUPT, ErrorKind.NO_TEXT, ErrorKind.UNSUPPORTED})
_context_lock = threading.Lock()
_context: Any = None


def parse_in_sandbox(
    path: str | Path,
    file_type: str | None = None,
    *,
    timeout_s: float = 180.0,
    memory_mb: int = 2048,
    max_bytes: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    progress: Progress | None = None,
) -> ParsedDocument:
    """Detect (unless ``file_type`` is given) and parse ``path`` in a child process.

    Raises IngestError: the parser's own (ENCRYPTED, CORRUPT, NO_TEXT...), TIMEOUT after
    ``timeout_s``, OUT_OF_MEMORY above ``memory_mb``, CANCELLED as soon as ``cancelled()``
    returns true (it is polled every few tens of milliseconds). ``progress(done, total)`` hears
    about pages as a PDF is read, a few times a second at most, in the calling thread.
    """
    path = Path(path)
    check_readable(path, max_bytes)
    before = _stamp(path)
    try:
        doc = _parse_in_child(path, file_type, timeout_s, memory_mb, max_bytes, cancelled, progress)
    except IngestError as exc:
        if exc.kind in _MAYBE_INCOMPLETE and _stamp(path) != before:
            raise _still_changing(path) from exc
        raise
    if _stamp(path) != before:
        raise _still_changing(path)
    return doc


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _still_changing(path: Path) -> IngestError:
    # FILE_BUSY is transient: the job is retried after a back-off, by when the copy has finished.
    return IngestError(
        ErrorKind.FILE_BUSY, f"{path.name} changed while it was being read (still being written?)."
    )


def _parse_in_child(
    path: Path,
    file_type: str | None,
    timeout_s: float,
    memory_mb: int,
    max_bytes: int | None,
    cancelled: Callable[[], bool] | None,
    progress: Progress | None,
) -> ParsedDocument:
    file_type = file_type or detect_type(path, max_bytes)
    ctx = _get_context()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_child_main,
        args=(
            sender,
            str(path),
            file_type,
            memory_mb * 2**20,
            ADDRESS_SPACE_LIMIT,
            timeout_s * _OPTIONAL_WORK_SHARE,
        ),
        name=f"inmyhead-parse-{path.name}",
        daemon=True,
    )
    try:
        process.start()
    except OSError as exc:
        receiver.close()
        raise IngestError(ErrorKind.INTERNAL, f"Could not start the document reader: {exc}") from exc
    finally:
        sender.close()
    try:
        message = _wait(process, receiver, path, timeout_s, memory_mb, cancelled, progress)
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
        process.close()
    status, payload, records = message
    for name, level, text in records:
        library_log.debug("%s (%s, %s): %s", path.name, name, logging.getLevelName(level), text)
    if status == "ok":
        return ParsedDocument.from_dict(payload)
    kind, text, details = payload
    if details:
        log.info("Parser failed on %s:\n%s", path, details)
    raise IngestError(ErrorKind(kind), text)


def _wait(
    process: Any,
    receiver: Connection,
    path: Path,
    timeout_s: float,
    memory_mb: int,
    cancelled: Callable[[], bool] | None,
    progress: Progress | None,
) -> tuple[str, Any, list[tuple[str, int, str]]]:
    deadline = time.monotonic() + timeout_s
    watcher = None if ADDRESS_SPACE_LIMIT else _rss_watcher(process.pid)
    while True:
        if receiver.poll(_POLL_S):
            try:
                message = receiver.recv()
            except EOFError:
                break  # the child died without a word
            if message[0] != "progress":
                return message
            if progress is not None:
                progress(*message[1])
        if cancelled is not None and cancelled():
            process.kill()
            raise IngestError(ErrorKind.CANCELLED, f"Parsing {path.name} was cancelled.")
        if time.monotonic() > deadline:
            process.kill()
            log.warning("Killed the parser of %s after %.0f s", path, timeout_s)
            raise IngestError(
                ErrorKind.TIMEOUT, f"{path.name} took longer than {timeout_s:.0f} s to read and was stopped."
            )
        if watcher is not None and watcher() > memory_mb * 2**20:
            process.kill()
            raise _out_of_memory(path, memory_mb)
        if not process.is_alive() and not receiver.poll(0):
            break
    process.join()
    code = process.exitcode
    log.warning("The parser of %s died with exit code %s", path, code)
    if code == -getattr(signal, "SIGKILL", 9):
        raise _out_of_memory(path, memory_mb)  # the kernel's OOM killer, most likely
    raise IngestError(ErrorKind.CORRUPT, f"{path.name} made the document reader crash (exit code {code}).")


def _rss_watcher(pid: int) -> Callable[[], int]:
    try:
        proc = psutil.Process(pid)
    except psutil.Error:
        return lambda: 0

    def rss() -> int:
        try:
            return proc.memory_info().rss
        except psutil.Error:
            return 0

    return rss


def _out_of_memory(path: Path, memory_mb: int) -> IngestError:
    return IngestError(
        ErrorKind.OUT_OF_MEMORY,
        f"{path.name} needs more than {memory_mb} MB of memory to read and was stopped.",
    )


def _get_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context = multiprocessing.get_context("forkserver")
                # The fork server imports the parsers once; every child starts with them loaded.
                _context.set_forkserver_preload([__name__, *parser_modules()])
            else:
                _context = multiprocessing.get_context("spawn")
        return _context


# ---- in the child ---------------------------------------------------------------------------


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < _MAX_LOG_RECORDS:
            self.records.append((record.name, record.levelno, record.getMessage()))


def _child_main(
    conn: Connection, path: str, file_type: str, memory_bytes: int, limit_address_space: bool, budget_s: float
) -> None:
    deadline = time.monotonic() + budget_s
    collector = _quiet_child()
    _exit_with_parent()
    try:
        if limit_address_space:
            _limit_memory(memory_bytes)
        doc = parse_file(path, file_type, _progress_sender(conn), deadline)
        message: tuple[str, Any, list] = ("ok", doc.to_dict(), collector.records)
    except IngestError as exc:
        message = ("error", (exc.kind.value, exc.message, ""), collector.records)
    except MemoryError:
        message = ("error", ("out_of_memory", _oom_text(path, memory_bytes), ""), collector.records)
    except RecursionError:
        text = f"{Path(path).name} is nested too deeply to read."
        message = ("error", ("corrupt", text, ""), collector.records)
    except Exception as exc:  # untrusted input breaks libraries in endless ways; that is a damaged file
        text = f"{Path(path).name} could not be read; it may be damaged. Details: {type(exc).__name__}: {exc}"
        message = ("error", ("corrupt", text[:500], traceback.format_exc()), collector.records)
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("error", ("out_of_memory", _oom_text(path, memory_bytes), ""), []))
    conn.close()


def _progress_sender(conn: Connection) -> Progress:
    last = 0.0

    def send(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done >= total or now - last >= _PROGRESS_INTERVAL_S:
            last = now
            conn.send(("progress", (done, total), []))

    return send


def _exit_with_parent() -> None:
    """A parent killed outright (SIGKILL, power loss of the app) must not leave a parser running on."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(3)

    threading.Thread(target=watch, name="inmyhead-parent-watch", daemon=True).start()


def _oom_text(path: str, memory_bytes: int) -> str:
    return f"{Path(path).name} needs more than {memory_bytes // 2**20} MB of memory to read and was stopped."


def _quiet_child() -> _Collector:
    """Library logging and warnings go back to the parent, never to the console."""
    collector = _Collector()
    root = logging.getLogger()
    root.handlers[:] = [collector]
    root.setLevel(logging.WARNING)
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass
    return collector


def _limit_memory(memory_bytes: int) -> None:
    """Cap the address space: allocations beyond the cap fail with MemoryError in the child."""
    import resource

    # The cap counts on top of what the child already maps (interpreter and parser libraries).
    current = psutil.Process().memory_info().vms
    limit = current + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
