"""A store that lives in a child process, so its calls never hold this process's GIL.

Every Qdrant Edge call holds the GIL while it runs, and ``flush()`` is an fsync: measured here at
about 100 ms per document (390 ms under load), each one a frozen window in the desktop app. In a
child process those calls run on another interpreter; this side only waits on a pipe, which
releases the GIL. The child exits when the pipe closes, so it never outlives the app, even when the
app is killed: its store is then closed (flushed) on the way out.

Not thread-safe on its own: wrap it in ``OwnedStore`` like any other store.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import signal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from inmyhead_app.core.errors import ErrorKind, IngestError

log = logging.getLogger("inmyhead.store.process")

START_TIMEOUT_S = 120.0


def _serve(conn: Connection, kind: str, data_dir: str, url: str, generation: int) -> None:
    """The child's loop: build the store, then answer ``(method, args)`` requests until told to close."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop (Ctrl+C reaches both)
    from inmyhead_app.core.store.factory import make_store

    try:
        store = make_store(kind, Path(data_dir), url, generation)
    except BaseException as error:  # reported to the parent, which raises it
        _reply(conn, "error", error)
        return
    _reply(conn, "ok", None)
    asked_to_close = False
    while True:
        try:
            method, args = conn.recv()
        except (EOFError, OSError):
            break  # the parent is gone: close the store (flushing it) and exit
        if method in ("close", "drop"):
            asked_to_close = True
            break
        try:
            result = getattr(store, method)(*args)
        except BaseException as error:  # reported to the parent, which raises it
            if not _reply(conn, "error", error):
                break
            continue
        if not _reply(conn, "ok", result):
            break
    try:
        store.drop() if method == "drop" else store.close()
    except BaseException as error:  # reported to the parent, which raises it
        if asked_to_close:
            _reply(conn, "error", error)
        return
    if asked_to_close:
        _reply(conn, "ok", None)


def _reply(conn: Connection, status: str, value: Any) -> bool:
    """Send a result; an error that cannot be pickled travels as a plain IngestError. False: parent gone."""
    if status == "error" and not isinstance(value, IngestError):
        try:
            pickle.dumps(value)
        except Exception:  # any pickling failure
            value = IngestError(ErrorKind.INTERNAL, f"vector store error: {value}")
    try:
        conn.send((status, value))
    except (BrokenPipeError, EOFError, OSError):
        return False
    return True


class ProcessStore:
    """Forwards VectorStore calls to ``make_store(kind, data_dir, url, generation)`` in a child process."""

    def __init__(self, kind: str, data_dir: Path, url: str = "", generation: int = 0) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(child_conn, kind, str(data_dir), url, generation),
            name=f"inmyhead-store-{kind}",
            daemon=True,
        )
        self._process.start()
        child_conn.close()
        self._closed = False
        if not self._conn.poll(START_TIMEOUT_S):
            self._process.kill()
            raise IngestError(ErrorKind.INTERNAL, f"the {kind} vector store did not start")
        self._receive()

    def _receive(self) -> Any:
        try:
            status, value = self._conn.recv()
        except (EOFError, OSError):
            self._closed = True
            code = self._process.exitcode
            raise IngestError(
                ErrorKind.INTERNAL, f"the vector store process stopped unexpectedly (exit code {code})"
            ) from None
        if status == "error":
            raise value
        return value

    def _call(self, method: str, *args: Any) -> Any:
        if self._closed:
            raise IngestError(ErrorKind.CANCELLED, "the vector store is closed")
        self._conn.send((method, args))
        return self._receive()

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args: self._call(method, *args)

    def drop(self) -> None:
        self._shut_down("drop")

    def close(self) -> None:
        self._shut_down("close")

    def _shut_down(self, how: str) -> None:
        if self._closed:
            return
        try:
            self._call(how)
        except IngestError:
            log.warning("the vector store process did not close cleanly", exc_info=True)
        finally:
            self._closed = True
            self._conn.close()
            self._process.join(timeout=30)
            if self._process.is_alive():
                self._process.kill()
