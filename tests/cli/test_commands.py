"""The CLI contract: command names, flags, JSON fields and exit codes other tools script against."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import json_lines
from tests.core.jobs.conftest import text_document, write_docs

INGEST_FIELDS = {"path", "doc_id", "status", "chunks", "error_kind", "error_message"}
DOCS_FIELDS = {"doc_id", "path", "title", "type", "pages", "chunks", "language"}
STATS_FIELDS = {
    "by_state",
    "total",
    "success_rate",
    "avg_duration_s",
    "avg_stage_s",
    "throughput_per_min",
    "docs_per_minute",
    "queue_depth",
    "tokens_used",
}


def _corpus(folder: Path) -> Path:
    write_docs(folder, 2)
    (folder / "orbit.md").write_text(
        "# Orbital mechanics\n\nA satellite in a low orbit circles the planet every ninety minutes; "
        "the thrusters fire at perigee to raise the apogee.\n",
        encoding="utf-8",
    )
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    return folder


def test_ingest_json_lines_and_exit_codes(cli, tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "docs")
    code, out, _err = cli("ingest", str(folder), "--json")
    lines = json_lines(out)
    assert code == 0
    assert all(set(line) == INGEST_FIELDS for line in lines)
    by_name = {Path(line["path"]).name: line for line in lines}
    assert by_name["image.png"]["status"] == "skipped" and by_name["image.png"]["error_kind"] == "unsupported"
    for name in ("doc000.txt", "doc001.txt", "orbit.md"):
        assert by_name[name]["status"] == "indexed" and by_name[name]["chunks"] > 0
        assert by_name[name]["error_kind"] is None

    code, out, _err = cli("ingest", str(folder / "orbit.md"), "--json")
    assert code == 0 and json_lines(out)[0]["status"] == "duplicate"

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00not a pdf" * 40)
    code, out, _err = cli("ingest", str(broken), str(tmp_path / "missing.txt"), "--json")
    lines = {Path(line["path"]).name: line for line in json_lines(out)}
    assert code == 1
    assert lines["broken.pdf"]["status"] == "failed" and lines["broken.pdf"]["error_kind"] == "corrupt"
    assert lines["missing.txt"]["status"] == "failed" and lines["missing.txt"]["error_kind"] == "not_found"


def test_search_docs_delete(cli, tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "docs")
    assert cli("ingest", str(folder), "--json")[0] == 0

    code, out, _ = cli("docs", "--json")
    docs = json.loads(out)
    assert code == 0 and len(docs) == 3 and all(set(d) == DOCS_FIELDS for d in docs)
    orbit = next(d for d in docs if d["path"].endswith("orbit.md"))
    assert orbit["type"] == "md" and orbit["title"] == "Orbital mechanics" and orbit["language"] == "en"

    code, out, _ = cli("search", "satellite thrusters", "--json", "--limit", "2")
    hits = json.loads(out)
    assert code == 0 and hits[0]["doc_id"] == orbit["doc_id"]
    assert {"doc_id", "path", "title", "score", "page", "snippet", "chunks"} <= set(hits[0])
    assert "thrusters" in hits[0]["snippet"].lower()
    code, out, _ = cli("search", "satellite", "--json", "--type", "txt", "--mode", "keyword")
    assert code == 0 and all(h["path"].endswith(".txt") for h in json.loads(out))

    code, out, _ = cli("delete", orbit["doc_id"])
    assert code == 0
    assert orbit["doc_id"] not in {d["doc_id"] for d in json.loads(cli("docs", "--json")[1])}
    code, _out, err = cli("delete", orbit["doc_id"])
    assert code == 1 and "no document" in err


def test_queue_commands(cli, tmp_path: Path) -> None:
    paths = write_docs(tmp_path / "docs", 3)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + b"\x00not a pdf" * 40)
    assert cli("pause")[0] == 0
    code, out, _ = cli("ingest", *map(str, paths), str(broken), "--json", "--no-wait")
    assert code == 0 and {line["status"] for line in json_lines(out)} == {"queued"}

    code, out, _ = cli("stats", "--json")
    stats = json.loads(out)
    assert set(stats) >= STATS_FIELDS and stats["queue_depth"] == 4 and stats["paused"]
    jobs = json.loads(cli("jobs", "--json", "--state", "queued")[1])
    assert len(jobs) == 4 and {"id", "state", "stage", "stages", "priority", "path"} <= set(jobs[0])
    first = next(j for j in jobs if j["path"] == str(paths[0]))
    assert cli("cancel", first["id"])[0] == 0
    assert cli("cancel", first["id"])[0] == 1  # already cancelled

    assert cli("resume")[0] == 0
    code, _out, _err = cli("worker", "--until-idle")
    assert code == 0
    states = {Path(j["path"]).name: j["state"] for j in json.loads(cli("jobs", "--json")[1])}
    assert states == {
        "doc000.txt": "cancelled",
        "doc001.txt": "done",
        "doc002.txt": "done",
        "broken.pdf": "failed",
    }
    assert cli("retry", "--failed")[0] == 0
    assert json.loads(cli("jobs", "--json", "--state", "queued")[1])[0]["path"] == str(broken)
    assert cli("cancel", "--all")[0] == 0
    assert json.loads(cli("stats", "--json")[1])["queue_depth"] == 0


@pytest.mark.slow
def test_ingest_process_keeps_the_console_clean(tmp_path: Path) -> None:
    """A real ``inmyhead ingest`` process: JSON on stdout, nothing from libraries on stderr."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(text_document(7), encoding="utf-8")
    (docs / "b.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00not a pdf" * 40)
    data = tmp_path / "data"
    cli = str(Path(sys.executable).parent / "inmyhead")
    result = subprocess.run(
        [cli, "ingest", str(docs), "--json", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "INMYHEAD_DATA_DIR": ""},
    )
    assert result.returncode == 1
    assert result.stderr == ""
    statuses = {Path(line["path"]).name: line["status"] for line in json_lines(result.stdout)}
    assert statuses == {"a.txt": "indexed", "b.pdf": "failed"}
    assert (data / "logs" / "inmyhead.log").is_file()


@pytest.mark.parametrize("args", [["jobs"], ["jobs", "--json"]])
def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path, args: list[str]) -> None:
    """``inmyhead jobs | head -1``: the pipe closes before the command writes."""
    cli = str(Path(sys.executable).parent / "inmyhead")
    process = subprocess.Popen(
        [cli, *args, "--data-dir", str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.close()  # long before the interpreter has started and printed anything
    _out, err = process.communicate(timeout=60)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert process.returncode == 141


@pytest.mark.slow
def test_second_process_cooperates_or_refuses(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """While a worker owns the data folder: ``ingest`` queues for it and waits; ``search`` refuses."""
    from inmyhead_app.cli import main

    data = tmp_path / "data"
    docs = tmp_path / "docs"
    write_docs(docs, 2)
    cli = str(Path(sys.executable).parent / "inmyhead")
    owner = subprocess.Popen(
        [cli, "worker", "--data-dir", str(data)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    try:
        assert "workers on" in owner.stderr.readline()  # it is up and holds the lock
        code = main(["ingest", str(docs), "--json", "--data-dir", str(data)])
        captured = capsys.readouterr()
        assert code == 0 and "Another In My Head process" in captured.err
        assert {line["status"] for line in json_lines(captured.out)} == {"indexed"}

        code = main(["search", "river", "--json", "--data-dir", str(data)])
        captured = capsys.readouterr()
        assert code == 2 and f"pid {owner.pid}" in captured.err
        code = main(["docs", "--json", "--data-dir", str(data)])  # the catalog needs no lock
        assert code == 0 and len(json.loads(capsys.readouterr().out)) == 2
    finally:
        owner.terminate()  # SIGTERM: a graceful stop
        assert owner.wait(60) == 0


# The three samples that index to hundreds of chunks each (minutes of embedding on a shared CI core);
# their parsing is covered by the documents tests.
_HEAVY_SAMPLES = ("GeoTopo-komprimiert.pdf", "R-intro_garbage_before_header.pdf", "R-intro_bad_startxref.pdf")


@pytest.mark.slow
@pytest.mark.shared
def test_every_shared_sample_ends_indexed_or_with_a_specific_error(tmp_path: Path) -> None:
    """Issue 2's bar, through the job system in a real process: no crash, hang or console traceback."""
    import shutil

    from tests.conftest import shared_path

    samples = shared_path("corpus", "samples")
    docs = tmp_path / "samples"
    shutil.copytree(samples, docs, ignore=shutil.ignore_patterns(*_HEAVY_SAMPLES))
    data = tmp_path / "data"
    cli = str(Path(sys.executable).parent / "inmyhead")
    result = subprocess.run(
        [cli, "ingest", str(docs), "--json", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = json_lines(result.stdout)
    files = [p for p in docs.rglob("*") if p.is_file()]
    assert sorted(line["path"] for line in lines) == sorted(str(p) for p in files)
    assert result.stderr == ""
    by_status: dict[str, list[dict]] = {}
    for line in lines:
        by_status.setdefault(line["status"], []).append(line)
        if line["status"] == "failed":
            assert line["error_kind"] not in (None, "internal") and line["error_message"], line
    assert set(by_status) <= {"indexed", "failed", "skipped"}
    assert len(by_status["indexed"]) >= 10 and len(by_status["failed"]) >= 20
    assert {line["error_kind"] for line in by_status["failed"]} >= {
        "corrupt",
        "encrypted",
        "empty",
        "no_text",
    }
    assert result.returncode == 1  # something failed, and each line says why
    assert "Traceback" not in (data / "logs" / "inmyhead.log").read_text(encoding="utf-8")
