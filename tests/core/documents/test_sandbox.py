"""Parsing in a child process: same result as in-process, and hostile files stopped without harm."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from inmyhead_app.core.documents.parsers import parse_file
from inmyhead_app.core.documents.sandbox import parse_in_sandbox
from inmyhead_app.core.errors import ErrorKind, IngestError
from tests.conftest import shared_path
from tests.fixtures.documents.make import docx_bomb, rich_docx, slow_pdf, write_pdf


def sandbox_failure(path: Path, **kwargs: object) -> IngestError:
    with pytest.raises(IngestError) as caught:
        parse_in_sandbox(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_sandbox_returns_what_the_parser_returns(tmp_path: Path) -> None:
    path = rich_docx(tmp_path / "report.docx")
    assert parse_in_sandbox(path) == parse_file(path, "docx")


def test_sandbox_detects_the_type_by_content(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "misnamed.txt", [["page one"], ["page two"]])
    doc = parse_in_sandbox(path)
    assert doc.file_type == "pdf" and len(doc.pages) == 2


def test_parser_errors_cross_the_process_boundary_with_kind_and_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"a": }', encoding="utf-8")
    error = sandbox_failure(path)
    assert error.kind == ErrorKind.CORRUPT
    assert "bad.json is not valid JSON" in error.message


def test_checks_before_the_child_starts(tmp_path: Path) -> None:
    assert sandbox_failure(tmp_path / "missing.pdf").kind == ErrorKind.NOT_FOUND
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000, encoding="utf-8")
    assert sandbox_failure(big, max_bytes=1000).kind == ErrorKind.TOO_LARGE


def test_a_hanging_parse_is_killed_at_the_time_limit(tmp_path: Path) -> None:
    path = slow_pdf(tmp_path / "slow.pdf", pages=50, operations=100_000)
    assert path.stat().st_size < 20_000  # tiny on disk, minutes of pypdf work
    error = sandbox_failure(path, timeout_s=1.0)
    assert error.kind == ErrorKind.TIMEOUT
    assert "slow.pdf took longer than 1 s" in error.message


def test_a_memory_bomb_is_stopped_at_the_memory_cap(tmp_path: Path) -> None:
    path = docx_bomb(tmp_path / "bomb.docx", inflated_mb=150)
    assert path.stat().st_size < 2_000_000
    error = sandbox_failure(path, memory_mb=100)
    assert error.kind == ErrorKind.OUT_OF_MEMORY
    assert "more than 100 MB" in error.message


def test_cancel_stops_a_running_parse(tmp_path: Path) -> None:
    path = slow_pdf(tmp_path / "slow.pdf", pages=50, operations=100_000)
    asked = threading.Event()

    def cancelled() -> bool:
        asked.set()
        return True

    error = sandbox_failure(path, cancelled=cancelled, timeout_s=120.0)
    assert error.kind == ErrorKind.CANCELLED
    assert asked.is_set()


def test_after_a_killed_child_the_next_parse_works(tmp_path: Path) -> None:
    slow = slow_pdf(tmp_path / "slow.pdf", pages=50, operations=100_000)
    assert sandbox_failure(slow, timeout_s=0.5).kind == ErrorKind.TIMEOUT
    good = write_pdf(tmp_path / "good.pdf", [["still works"]])
    assert "still works" in parse_in_sandbox(good).text


def test_parses_run_side_by_side_from_worker_threads(tmp_path: Path) -> None:
    paths = [write_pdf(tmp_path / f"doc{i}.pdf", [[f"document number {i}"]]) for i in range(6)]
    results: dict[int, str] = {}

    def work(i: int) -> None:
        results[i] = parse_in_sandbox(paths[i]).text

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(f"document number {i}" in results[i] for i in range(len(paths)))


@pytest.mark.shared
def test_library_warnings_never_reach_the_console(capfd: pytest.CaptureFixture[str], caplog) -> None:
    # pypdf complains loudly about this file's broken cross-reference table, then recovers.
    path = shared_path("corpus", "samples", "pdf_truncated", "R-intro_bad_startxref.pdf")
    caplog.set_level("DEBUG", logger="inmyhead.documents.libraries")
    doc = parse_in_sandbox(path)
    assert len(doc.pages) > 100
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert any("pypdf" in record.getMessage() for record in caplog.records)


HELPER = """
import sys
from inmyhead_app.core.documents.sandbox import parse_in_sandbox

if __name__ == "__main__":
    print("parsing", flush=True)
    parse_in_sandbox(sys.argv[1], timeout_s=600)
"""


@pytest.mark.slow
def test_a_parser_never_outlives_an_app_killed_outright(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    import psutil

    slow = slow_pdf(tmp_path / "slow.pdf", pages=50, operations=100_000)
    script = tmp_path / "app.py"
    script.write_text(HELPER, encoding="utf-8")
    app = subprocess.Popen([sys.executable, str(script), str(slow)], stdout=subprocess.PIPE, text=True)
    helpers: list[psutil.Process] = []
    try:
        assert app.stdout is not None and app.stdout.readline() == "parsing\n"
        # Wait for the parser child: a grandchild, below the fork server.
        for _ in range(600):
            helpers = psutil.Process(app.pid).children(recursive=True)
            if any(proc.ppid() != app.pid for proc in helpers):
                break
            time.sleep(0.05)
        assert any(proc.ppid() != app.pid for proc in helpers), "the parser child never started"
        app.kill()  # SIGKILL: no clean-up code runs in the app
        app.wait()
        _gone, alive = psutil.wait_procs(helpers, timeout=60)
        assert alive == []
    finally:
        app.kill()
        for proc in helpers:
            try:
                proc.kill()
            except psutil.Error:
                pass


def test_page_progress_reaches_the_caller_thread(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "long.pdf", [[f"page {n}"] for n in range(1, 41)])
    seen: list[tuple[int, int, str]] = []
    doc = parse_in_sandbox(path, progress=lambda d, t: seen.append((d, t, threading.current_thread().name)))
    assert len(doc.pages) == 40
    assert seen[-1][:2] == (40, 40)
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert {name for _, _, name in seen} == {threading.current_thread().name}


def test_a_file_that_changes_while_read_is_busy_not_broken(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "downloading.pdf", [[f"page {n}"] for n in range(1, 21)])

    def still_downloading(done: int, total: int) -> None:
        with open(path, "ab") as handle:
            handle.write(b"% more bytes arriving\n")

    error = sandbox_failure(path, progress=still_downloading)
    assert error.kind == ErrorKind.FILE_BUSY
    assert error.transient
    assert "changed while it was being read" in error.message


def test_spawned_children_work_where_there_is_no_fork_server(tmp_path: Path, monkeypatch) -> None:
    # Windows has only "spawn": the child imports everything itself and gets its arguments pickled.
    import multiprocessing

    from inmyhead_app.core.documents import sandbox

    monkeypatch.setattr(sandbox, "_context", multiprocessing.get_context("spawn"))
    path = rich_docx(tmp_path / "report.docx")
    assert parse_in_sandbox(path) == parse_file(path, "docx")


def test_without_an_address_space_limit_the_parent_stops_a_memory_bomb(tmp_path: Path, monkeypatch) -> None:
    # macOS and Windows do not enforce RLIMIT_AS: there the parent watches the child's resident memory.
    from inmyhead_app.core.documents import sandbox

    monkeypatch.setattr(sandbox, "ADDRESS_SPACE_LIMIT", False)
    path = docx_bomb(tmp_path / "bomb.docx", inflated_mb=300)
    error = sandbox_failure(path, memory_mb=200)
    assert error.kind == ErrorKind.OUT_OF_MEMORY
    assert "more than 200 MB" in error.message
