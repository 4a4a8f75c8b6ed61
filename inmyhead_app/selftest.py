"""Headless self-test of an installed or bundled In My Head (``inmyhead --self-test``).

Ingests the bundled sample documents (``resources/samples``) through the real job system into a
temporary data folder, searches them in every mode, and prints one JSON report. Exits 0 only when
every sample was indexed and every check query ranked its document first in hybrid search and
found it in the top three with keyword-only and dense-only search. The user's data folder is never
touched.

    inmyhead --self-test [--samples DIR] [--timeout SECONDS] [--keep]
    python -m inmyhead_app.selftest ...
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from inmyhead_app.core import paths

# (query, the sample it must find): one per format, phrased unlike the text where possible.
CHECKS: tuple[tuple[str, str], ...] = (
    ("how do honeybees survive the cold months", "beekeeping.txt"),
    ("Fresnel lens", "lighthouse.html"),
    ("wild yeast culture for baking bread", "sourdough.md"),
    ("warning signs before a volcanic eruption", "volcanoes.json"),
    ("Hohmann transfer between orbits", "orbits.docx"),
)
CHECK_MODES = ("hybrid", "keyword", "dense")
PINNED_SETTINGS = ("embedder", "metadata", "store", "queue")
TOP_K = 3


@dataclass
class DocumentResult:
    file: str
    state: str
    chunks: int
    error: str | None = None


@dataclass
class SearchResult:
    query: str
    mode: str
    expected: str
    found: list[str]
    ok: bool


@dataclass
class Report:
    ok: bool = False
    frozen: bool = False
    version: str = ""
    resources: str = ""
    samples: str = ""
    data_dir: str | None = None  # only with --keep
    seconds: float = 0.0
    documents: list[DocumentResult] = field(default_factory=list)
    searches: list[SearchResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    log_tail: list[str] = field(default_factory=list)  # the app's log, when something failed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def app_version() -> str:
    try:
        from importlib.metadata import version

        return version("inmyhead")
    except Exception:  # a bundle without package metadata
        return "unknown"


def search_ok(expected: str, found: list[str], mode: str) -> bool:
    """Hybrid must rank the expected sample first; single modes must have it in the top three."""
    return bool(found) and (found[0] == expected if mode == "hybrid" else expected in found[:TOP_K])


def run_self_test(samples: Path, timeout: float = 300.0, keep: bool = False) -> Report:
    """The whole self-test; never raises for an app failure, it lands in ``report.errors``."""
    started = time.monotonic()
    report = Report(
        frozen=bool(getattr(sys, "frozen", False)),
        version=app_version(),
        resources=str(paths.resources_dir()),
        samples=str(samples),
    )
    wanted = sorted({name for _, name in CHECKS})
    missing = [name for name in wanted if not (samples / name).is_file()]
    if missing:
        report.errors.append(f"sample documents missing from {samples}: {', '.join(missing)}")
        return _finish(report, started)
    data_dir = Path(tempfile.mkdtemp(prefix="inmyhead-selftest-"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        _ingest_and_search(report, samples, wanted, data_dir, timeout)
    except Exception as error:  # report it, whatever broke
        report.errors.append(f"{type(error).__name__}: {error}")
    finally:
        for handler in set(root.handlers) - set(handlers):  # the Core logged into data_dir
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        if report.errors:
            report.log_tail = _log_tail(data_dir)
        if keep:
            report.data_dir = str(data_dir)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return _finish(report, started)


def _ingest_and_search(
    report: Report, samples: Path, wanted: list[str], data_dir: Path, timeout: float
) -> None:
    from inmyhead_app.core.config import declaration
    from inmyhead_app.core.context import open_core

    # The shipped defaults, whatever the environment asks for: offline, in-process, nothing to set up.
    overrides = {key: declaration(key).default for key in PINNED_SETTINGS}
    core = open_core(data_dir, overrides)
    try:
        submission = core.jobs.submit_batch([samples / name for name in wanted])
        for path, reason in submission.skipped:
            report.errors.append(f"not submitted: {path}: {reason}")
        if not core.jobs.wait_idle(timeout, [job.id for job in submission.jobs]):
            report.errors.append(f"the jobs did not finish within {timeout:.0f} s")
        for job in submission.jobs:
            record = core.jobs.get_job_status(job.id) or job
            result = DocumentResult(
                Path(record.path).name, str(record.state), record.chunks, record.error_message
            )
            report.documents.append(result)
            if result.state != "done" or result.chunks < 1:
                report.errors.append(
                    f"{result.file} was not indexed: {result.state} {result.error or ''}".strip()
                )
        for query, expected in CHECKS:
            for mode in CHECK_MODES:
                hits = core.search.search(query, limit=5, mode=mode)
                found = [Path(hit.path).name for hit in hits]
                ok = search_ok(expected, found, mode)
                report.searches.append(SearchResult(query, mode, expected, found[:TOP_K], ok))
                if not ok:
                    report.errors.append(
                        f"{mode} search for {query!r} did not find {expected}: {found[:TOP_K]}"
                    )
    finally:
        core.close()


def _log_tail(data_dir: Path, lines: int = 30) -> list[str]:
    from inmyhead_app.core.logs import log_path

    try:
        return log_path(data_dir).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    except OSError:
        return []


def _finish(report: Report, started: float) -> Report:
    report.seconds = round(time.monotonic() - started, 1)
    report.ok = not report.errors and bool(report.documents) and all(s.ok for s in report.searches)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inmyhead --self-test", description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=None, help="folder of sample documents")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the jobs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args(argv)
    samples = args.samples or paths.resources_dir() / "samples"
    report = run_self_test(samples, args.timeout, args.keep)
    print(json.dumps(report.to_dict()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
