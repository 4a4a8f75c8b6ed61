"""Ingest benchmark: the job system next to the same pipeline run directly, so the queue's cost shows.

    python bench/ingest_bench.py CORPUS_DIR [--limit N] [--workers W] [--store local|edge] [--out FILE]

Prints one JSON object. Each mode runs in its own child process on a fresh data folder (so peak
memory is its own), after the same warm-up (the model loaded, the parse fork server started):

- ``queue``: submit_batch + the Huey consumer with W worker threads, until idle. Per-stage seconds
  are the jobs' own wall-clock stage times, summed.
- ``direct``: the same stages called one document after another in one thread (metadata beside
  embedding, as a job does). Per-stage CPU seconds are this process's (a parse child's are not).

``ratio`` is documents/hour through the queue over documents/hour direct: with one worker it is the
queue's overhead (below 1 costs, 1 is free); with more workers it includes the gain of parallelism.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.report import corpus_header, emit  # noqa: E402
from inmyhead_app.core.context import open_core  # noqa: E402
from inmyhead_app.core.errors import IngestError  # noqa: E402
from inmyhead_app.core.ids import content_hash, doc_id_for_path  # noqa: E402
from inmyhead_app.core.jobs.model import JobState  # noqa: E402
from inmyhead_app.core.jobs.walk import expand_paths  # noqa: E402


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _warm_up(core: Any, folder: Path) -> None:
    """Load the models and start the parse fork server, outside the timed part."""
    pipeline = core.pipeline
    sample = folder / "warmup.txt"
    sample.write_text("Warm-up text for the benchmark. " * 20, encoding="utf-8")
    from inmyhead_app.core.pipeline import _NoContext

    ctx = _NoContext()
    doc = pipeline.parse(str(sample), ctx)
    pre = pipeline.preprocess("warmup", doc, ctx)
    pipeline.embed(pre.chunks, ctx)
    pipeline.metadata(doc, pre.text, "warmup", ctx)


def _result(documents: int, failed: int, chunks: int, seconds: float) -> dict[str, Any]:
    return {
        "documents_ok": documents,
        "failed": failed,
        "chunks": chunks,
        "seconds": round(seconds, 2),
        "documents_per_hour": round(documents / seconds * 3600, 1) if seconds else None,
        "chunks_per_s": round(chunks / seconds, 2) if seconds else None,
    }


def run_queue(files: list[str], workers: int, store: str, folder: Path) -> dict[str, Any]:
    core = open_core(folder / "data", overrides={"workers": workers, "store": store}, start_consumer=False)
    try:
        _warm_up(core, folder)
        cpu0 = _cpu_s()
        started = time.perf_counter()
        core.start_consumer()
        batch = core.jobs.submit_batch(files)
        submitted = time.perf_counter() - started
        core.jobs.wait_idle()
        seconds = time.perf_counter() - started
        records = [core.jobs.get_job_status(job.id) for job in batch.jobs]
        done = [r for r in records if r is not None and r.state is JobState.DONE]
        stage_s: dict[str, float] = {}
        for record in done:
            for stage, progress in record.stages.items():
                stage_s[str(stage)] = stage_s.get(str(stage), 0.0) + progress.seconds
        result = _result(len(done), len(records) - len(done), sum(r.chunks for r in done), seconds)
        result.update(
            submit_seconds=round(submitted, 3),
            stage_wall_s={k: round(v, 2) for k, v in stage_s.items()},
            cpu_s=round(_cpu_s() - cpu0, 2),
            peak_rss_mb=round(_peak_rss_mb(), 1),
        )
        return result
    finally:
        core.close()


def run_direct(files: list[str], store: str, folder: Path) -> dict[str, Any]:
    from inmyhead_app.core.pipeline import run_direct as direct

    core = open_core(folder / "data", overrides={"store": store}, start_consumer=False)
    try:
        _warm_up(core, folder)
        cpu0 = _cpu_s()
        timings: dict[str, float] = {}
        done = failed = chunks = 0
        started = time.perf_counter()
        for path in files:
            try:
                chunks += direct(
                    core.pipeline, path, doc_id_for_path(path), content_hash(path), time.time(), timings
                )
                done += 1
            except IngestError:
                failed += 1
        seconds = time.perf_counter() - started
        result = _result(done, failed, chunks, seconds)
        result.update(
            stage_cpu_s={k: round(v, 2) for k, v in timings.items()},
            cpu_s=round(_cpu_s() - cpu0, 2),
            peak_rss_mb=round(_peak_rss_mb(), 1),
        )
        return result
    finally:
        core.close()


def _child(mode: str, files: list[str], args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"inmyhead-bench-{mode}-") as tmp:
        listing = Path(tmp) / "files.json"
        listing.write_text(json.dumps(files), encoding="utf-8")
        command = [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--files",
            str(listing),
            "--workers",
            str(args.workers),
            "--store",
            args.store,
            "--tmp",
            tmp,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{mode} run failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="use the first N documents")
    parser.add_argument("--workers", type=int, default=1, help="worker threads of the queue run")
    parser.add_argument("--store", choices=("local", "edge"), default="local")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--child", choices=("queue", "direct"), help=argparse.SUPPRESS)
    parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--tmp", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        files = json.loads(args.files.read_text(encoding="utf-8"))
        if args.child == "queue":
            result = run_queue(files, args.workers, args.store, args.tmp)
        else:
            result = run_direct(files, args.store, args.tmp)
        print(json.dumps(result))
        return

    if args.corpus is None:
        parser.error("CORPUS_DIR is required")
    files, _skipped = expand_paths([args.corpus])
    files = [str(f) for f in files if f.name != "MANIFEST.tsv"][: args.limit]
    direct = _child("direct", files, args)
    queue = _child("queue", files, args)
    ratio = None
    if direct["documents_per_hour"] and queue["documents_per_hour"]:
        ratio = round(queue["documents_per_hour"] / direct["documents_per_hour"], 3)
    report = {
        **corpus_header(args, len(files)),
        "queue": queue,
        "direct": direct,
        "ratio": ratio,
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
