"""`make bench`: run every benchmark that exists at a size that finishes in about 10 minutes on 2 cores.

    python bench/run_all.py [--only NAME ...] [--full] [--corpus DIR] [--eval DIR] [--results DIR]

Each benchmark runs as its own process (so memory and threads never mix) and prints one JSON object;
that object is written to ``bench/results/<name>.json`` and a summary JSON (status, seconds and
headline figures of each) is printed at the end. ``--full`` uses the sizes the README quotes
(slower). A benchmark whose script or data is missing is reported as skipped, with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
DEFAULT_EVAL = SHARED / "eval" / "cranfield"
BUILD_CORPUS = SHARED / "corpus" / "build-corpus.sh"


@dataclass
class Paths:
    corpus: Path | None  # mixed-format documents (build-corpus.sh --small)
    eval: Path  # a BEIR-layout dataset


@dataclass
class Benchmark:
    name: str
    script: str
    quick: Callable[[Paths], list[str]]  # arguments for `make bench`
    full: Callable[[Paths], list[str]]  # arguments for the README's figures
    needs_corpus: bool = False
    timeout_s: float = 900.0
    headline: Callable[[dict[str, Any]], dict[str, Any]] = lambda result: {}


def _pick(result: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: result[key] for key in keys if key in result}


def _store_headline(result: dict[str, Any]) -> dict[str, Any]:
    """Open time, memory, upsert rate and hybrid p95 latency per store and size."""
    figures: dict[str, Any] = {}
    for size, row in result.get("sizes", {}).items():
        for store, measured in row.items() if isinstance(row, dict) else ():
            if isinstance(measured, dict):
                figures[f"{store}@{size}"] = {
                    **_pick(measured, "open_s", "rss_mb", "upsert_points_per_s"),
                    "hybrid_p95_ms": measured.get("hybrid_ms", {}).get("p95"),
                }
    return figures


def _retrieval_headline(result: dict[str, Any]) -> dict[str, Any]:
    return {mode: figures.get("ndcg@10") for mode, figures in result.get("modes", {}).items()}


BENCHMARKS = (
    Benchmark(
        "ingest",
        "ingest_bench.py",
        quick=lambda p: [str(p.corpus), "--limit", "12"],
        full=lambda p: [str(p.corpus), "--workers", "2"],
        needs_corpus=True,
        headline=lambda r: {
            **_pick(r.get("queue", {}), "documents_per_hour", "chunks_per_s", "peak_rss_mb"),
            **_pick(r, "documents", "ratio"),
        },
    ),
    Benchmark(
        "reembed",
        "reembed_bench.py",
        quick=lambda p: [str(p.corpus), "--limit", "12"],
        full=lambda p: [str(p.corpus), "--workers", "2"],
        needs_corpus=True,
        headline=lambda r: {
            "reembed_documents_per_hour": r.get("reembed", {}).get("documents_per_hour"),
            "reindex_documents_per_hour": r.get("reindex", {}).get("documents_per_hour"),
            **_pick(r, "documents", "ratio"),
        },
    ),
    Benchmark(
        "store",
        "store_bench.py",
        quick=lambda p: ["10000", "--corpus", str(p.eval / "corpus.jsonl")],
        full=lambda p: ["10000", "100000", "--corpus", str(p.eval / "corpus.jsonl")],
        timeout_s=1200.0,
        headline=_store_headline,
    ),
    Benchmark(
        "gui_stall",
        "gui_stall.py",
        quick=lambda p: ["100"],
        full=lambda p: ["1000"],
        headline=lambda r: _pick(r, "worst_stall_ms", "p99_stall_ms", "docs_done", "docs_failed"),
    ),
    Benchmark(
        "retrieval",
        "retrieval.py",
        quick=lambda p: [str(p.eval), "--limit-queries", "100"],
        full=lambda p: [str(p.eval)],
        timeout_s=1500.0,
        headline=_retrieval_headline,
    ),
)


def default_corpus() -> Path | None:
    """The small shared corpus, built once into the user's cache (it needs apt-get download)."""
    if env := os.environ.get("INMYHEAD_BENCH_CORPUS"):
        return Path(env)
    cached = Path(platformdirs.user_cache_dir("inmyhead")) / "bench" / "corpus-small"
    if (cached / "MANIFEST.tsv").is_file():
        return cached
    if not BUILD_CORPUS.is_file():
        return None
    print(f"building the small corpus into {cached} (once)", file=sys.stderr)
    result = subprocess.run(["bash", str(BUILD_CORPUS), str(cached), "--small"], check=False)
    return cached if result.returncode == 0 and (cached / "MANIFEST.tsv").is_file() else None


def last_json_object(stdout: str) -> dict[str, Any]:
    """The JSON object a benchmark printed (the whole output, or its last top-level object)."""
    try:
        return json.loads(stdout)
    except ValueError:
        pass
    start = stdout.rfind("\n{")
    start = 0 if start < 0 and stdout.startswith("{") else start + 1
    return json.loads(stdout[start:])


def run_one(bench: Benchmark, args: list[str], results: Path) -> dict[str, Any]:
    command = [sys.executable, str(BENCH / bench.script), *args]
    print(f"== {bench.name}: {' '.join(command[1:])}", file=sys.stderr)
    started = time.monotonic()
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, cwd=REPO, timeout=bench.timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": round(time.monotonic() - started, 1), "args": args}
    seconds = round(time.monotonic() - started, 1)
    try:
        result = last_json_object(proc.stdout)
    except ValueError:
        detail = proc.stderr[-2000:] or "no JSON on stdout"
        return {
            "status": "failed",
            "exit_code": proc.returncode,
            "seconds": seconds,
            "args": args,
            "stderr": detail,
        }
    out = results / f"{bench.name}.json"
    out.write_text(json.dumps({**result, "run_seconds": seconds}, indent=2) + "\n", encoding="utf-8")
    # A benchmark may exit non-zero after printing its figures when they miss its own target.
    status = "ok" if proc.returncode == 0 else "target_missed"
    return {
        "status": status,
        "exit_code": proc.returncode,
        "seconds": seconds,
        "args": args,
        "results": str(out),
        **bench.headline(result),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks and write bench/results/*.json.")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHMARKS], help="run only these")
    parser.add_argument("--full", action="store_true", help="the README's sizes (much slower)")
    parser.add_argument("--corpus", type=Path, help="mixed-format document folder (default: built once)")
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="BEIR-layout dataset (Cranfield)")
    parser.add_argument("--results", type=Path, default=BENCH / "results", help="where the JSON files go")
    args = parser.parse_args(argv)
    args.results.mkdir(parents=True, exist_ok=True)
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    corpus = args.corpus
    if corpus is None and any(b.needs_corpus and (BENCH / b.script).is_file() for b in chosen):
        corpus = default_corpus()
    paths = Paths(corpus, args.eval)
    summary: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.system()},
        "size": "full" if args.full else "quick",
        "benchmarks": {},
    }
    started = time.monotonic()
    for bench in chosen:
        if not (BENCH / bench.script).is_file():
            summary["benchmarks"][bench.name] = {
                "status": "skipped",
                "reason": f"bench/{bench.script} not found",
            }
        elif bench.needs_corpus and (corpus is None or not corpus.is_dir()):
            summary["benchmarks"][bench.name] = {
                "status": "skipped",
                "reason": "no document corpus (--corpus)",
            }
        elif bench.name in ("store", "retrieval") and not (args.eval / "corpus.jsonl").is_file():
            summary["benchmarks"][bench.name] = {"status": "skipped", "reason": f"no dataset at {args.eval}"}
        else:
            bench_args = (bench.full if args.full else bench.quick)(paths)
            summary["benchmarks"][bench.name] = run_one(bench, bench_args, args.results)
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary, indent=2))
    finished = ("ok", "skipped", "target_missed")
    return 0 if all(b["status"] in finished for b in summary["benchmarks"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
