"""Re-embed benchmark: re-embedding a library from its stored chunks next to re-indexing its files.

    python bench/reembed_bench.py CORPUS_DIR [--limit N] [--workers W] [--store edge|local] [--out FILE]

Prints one JSON object. A library of the corpus's first N documents is indexed with the local model
(not timed); then, through the job system with W workers:

- ``reindex``: the same files indexed afresh into another data folder with the OpenAI embedder;
- ``reembed``: the library re-embedded with the OpenAI embedder (``core.start_reembed``), then
  ``switch_s``, the reopen that makes the new store the library.

Both embed through the real OpenAI SDK against an embeddings API on 127.0.0.1 that answers at once
(tests/helpers/fake_openai.py), at the local model's 384 dimensions, so neither run waits on a model:
``ratio`` (re-embed documents/hour over re-index documents/hour) is what reading the stored chunks
saves against parsing, cleaning and chunking the files again. With a real cloud model the embedding
time, the same for both, comes on top.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.report import corpus_header, emit  # noqa: E402
from inmyhead_app.core.config import Settings  # noqa: E402
from inmyhead_app.core.context import open_core  # noqa: E402
from inmyhead_app.core.jobs.model import JobKind, JobRecord, JobState  # noqa: E402
from inmyhead_app.core.jobs.walk import expand_paths  # noqa: E402
from tests.helpers.fake_openai import FakeOpenAI  # noqa: E402

OPENAI = {"embedder": "openai", "openai_embedding_model": "text-embedding-3-small", "openai_dimensions": 384}


def _result(records: list[JobRecord], seconds: float) -> dict[str, Any]:
    done = [r for r in records if r.state is JobState.DONE]
    chunks = sum(r.chunks for r in done)
    return {
        "documents_ok": len(done),
        "failed": len(records) - len(done),
        "chunks": chunks,
        "seconds": round(seconds, 2),
        "documents_per_hour": round(len(done) / seconds * 3600, 1) if seconds else None,
        "chunks_per_s": round(chunks / seconds, 2) if seconds else None,
    }


def _run(core: Any, submit: Any) -> tuple[list[JobRecord], float]:
    started = time.perf_counter()
    core.start_consumer()
    jobs = submit()
    core.jobs.wait_idle()
    seconds = time.perf_counter() - started
    return [r for r in (core.jobs.get_job_status(job.id) for job in jobs) if r is not None], seconds


def run(files: list[str], workers: int, store: str, tmp: Path, server: FakeOpenAI) -> dict[str, Any]:
    library, fresh = tmp / "library", tmp / "reindexed"
    with open_core(library, overrides={"workers": workers, "store": store}) as core:
        core.jobs.submit_batch(files)
        core.jobs.wait_idle()

    cloud = {"workers": workers, "store": store, **OPENAI}
    with open_core(fresh, overrides=cloud, start_consumer=False) as core:
        records, seconds = _run(core, lambda: core.jobs.submit_batch(files).jobs)
        reindex = _result(records, seconds)
    reindex_requests = len(server.embedding_requests())

    settings = Settings(library)  # as the Settings dialog saves the new provider
    for key, value in OPENAI.items():
        settings.set(key, value)
    settings.save()
    with open_core(library, overrides={"workers": workers, "store": store}, start_consumer=False) as core:
        records, seconds = _run(core, core.start_reembed)
        reembed = _result([r for r in records if r.kind == JobKind.REEMBED], seconds)
    reembed["embedding_requests"] = len(server.embedding_requests()) - reindex_requests
    reindex["embedding_requests"] = reindex_requests
    started = time.perf_counter()
    with open_core(library, overrides={"store": store}, start_consumer=False) as core:
        reembed["switch_s"] = round(time.perf_counter() - started, 2)
        reembed["switched"] = core.embedding_change is None
    ratio = None
    if reindex["documents_per_hour"] and reembed["documents_per_hour"]:
        ratio = round(reembed["documents_per_hour"] / reindex["documents_per_hour"], 2)
    return {"reindex": reindex, "reembed": reembed, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--limit", type=int, default=None, help="use the first N documents")
    parser.add_argument("--workers", type=int, default=1, help="worker threads of the queue")
    parser.add_argument("--store", choices=("local", "edge"), default="edge")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    files, _skipped = expand_paths([args.corpus])
    files = [str(f) for f in files if f.name != "MANIFEST.tsv"][: args.limit]
    with FakeOpenAI() as server, tempfile.TemporaryDirectory(prefix="inmyhead-bench-reembed-") as tmp:
        os.environ.update(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="sk-bench-" + "0" * 32)
        measured = run(files, args.workers, args.store, Path(tmp), server)
    report = {
        **corpus_header(args, len(files)),
        **measured,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    emit(report, args.out)


if __name__ == "__main__":
    main()
