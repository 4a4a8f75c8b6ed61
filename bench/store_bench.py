"""Store benchmark: qdrant-client local mode and Qdrant Edge side by side at each size.

    python bench/store_bench.py [SIZES...] [--corpus cranfield/corpus.jsonl] [--out bench/results/store.json]

Prints one JSON object. Per store and size: upsert rate (one document of 20 chunks per write, as
ingest does), then in a fresh child process (so memory is the store's, not the builder's): open
time, resident memory, and dense / filtered-by-document / hybrid query latency (median, p95).

Vectors are real-ish: the corpus texts (Cranfield abstracts) are embedded with the app's MiniLM
model once (cached); further points are convex combinations of two real embeddings plus a little
noise, normalised, carrying the text and BM25 vector of the dominant one. Queries are the corpus's
own queries, embedded for real.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.report import emit  # noqa: E402
from inmyhead_app.core.embed.base import SparseVector  # noqa: E402
from inmyhead_app.core.ids import point_id  # noqa: E402
from inmyhead_app.core.store.base import ChunkPoint, SearchFilters  # noqa: E402
from inmyhead_app.core.store.factory import make_store  # noqa: E402

MODEL = "local:all-MiniLM-L6-v2"
DIM = 384
CHUNKS_PER_DOC = 20
QUERIES = 40
TAIL = 1000  # points written (and timed) one document at a time, at the full size
BULK_BATCH = 500
FILE_TYPES = ("pdf", "docx", "txt", "html", "md", "json")
DEFAULT_CORPUS = REPO.parent / "shared" / "eval" / "cranfield" / "corpus.jsonl"


def load_corpus(path: Path) -> tuple[list[str], list[str]]:
    """Texts (each cut to one ~1000-character chunk) and the queries beside them."""
    texts = [json.loads(line)["text"][:1000] for line in path.read_text(encoding="utf-8").splitlines()]
    queries_file = path.with_name("queries.jsonl")
    queries = [json.loads(line)["text"] for line in queries_file.read_text(encoding="utf-8").splitlines()]
    return texts, queries


def embedded(texts: list[str], queries: list[str], cache: Path) -> dict[str, Any]:
    """Real MiniLM + BM25 vectors of the corpus and queries, computed once and cached."""
    key = hashlib.sha256("\n".join(texts + queries).encode()).hexdigest()[:16]
    file = cache / f"store-bench-{key}.npz"
    if file.exists():
        data = np.load(file, allow_pickle=True)
        return {name: data[name] for name in data.files}
    from inmyhead_app.core.embed.local import LocalEmbedder
    from inmyhead_app.core.embed.sparse import Bm25Embedder

    dense_model, bm25 = LocalEmbedder(), Bm25Embedder()
    print(f"embedding {len(texts)} texts once (cached in {cache})", file=sys.stderr)
    data = {
        "dense": np.asarray(dense_model.embed_documents(texts), dtype=np.float32),
        "sparse": _objects([(s.indices, s.values) for s in bm25.embed_documents(texts)]),
        "qdense": np.asarray([dense_model.embed_query(q) for q in queries], dtype=np.float32),
        "qsparse": _objects([(s.indices, s.values) for s in map(bm25.embed_query, queries)]),
    }
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(file, **data)
    return data


def _objects(items: list[Any]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


class Points:
    """Point i of a library of any size: real for i < len(texts), derived after that."""

    def __init__(self, texts: list[str], vectors: dict[str, Any], seed: int = 7) -> None:
        self.texts = texts
        self.dense = vectors["dense"]
        self.sparse = vectors["sparse"]
        self.rng = np.random.default_rng(seed)

    def document(self, doc: int) -> tuple[str, list[ChunkPoint]]:
        doc_id = point_id("bench-doc", doc)
        real = len(self.texts)
        points = []
        for index in range(CHUNKS_PER_DOC):
            i = doc * CHUNKS_PER_DOC + index
            if i < real:
                base, vector = i, self.dense[i]
            else:
                base, other = (int(x) for x in self.rng.integers(0, real, 2))
                weight = self.rng.uniform(0.6, 0.9)
                vector = weight * self.dense[base] + (1 - weight) * self.dense[other]
                vector = vector + self.rng.normal(0, 0.01, DIM).astype(np.float32)
                vector = vector / np.linalg.norm(vector)
            indices, values = self.sparse[base]
            payload = {
                "doc_id": doc_id,
                "chunk_index": index,
                "text": self.texts[base],
                "page_start": index + 1,
                "page_end": index + 1,
                "char_start": 0,
                "char_end": len(self.texts[base]),
                "path": f"/bench/doc-{doc}.pdf",
                "file_type": FILE_TYPES[doc % len(FILE_TYPES)],
                "language": "en",
                "title": f"document {doc}",
                "added_at": f"2024-{1 + doc % 12:02d}-{1 + doc % 28:02d}T12:00:00+00:00",
                "collection": "",
            }
            sparse = SparseVector([int(x) for x in indices], [float(x) for x in values])
            points.append(ChunkPoint(point_id(doc_id, index), vector.tolist(), sparse, payload))
        return doc_id, points


def build(kind: str, folder: Path, size: int, points: Points) -> dict[str, float]:
    """Bulk-load all but the last TAIL points, then time the tail written as ingest writes it:
    one document per replace_document, each followed by flush(). Returns points per second."""
    store = make_store(kind, folder)
    store.ensure_collection(MODEL, DIM)
    docs = size // CHUNKS_PER_DOC
    bulk_docs = max(0, docs - TAIL // CHUNKS_PER_DOC)
    _local_sync(store, "OFF")
    started = time.perf_counter()
    batch: list[ChunkPoint] = []
    for doc in range(bulk_docs):
        batch.extend(points.document(doc)[1])
        if len(batch) >= BULK_BATCH or doc == bulk_docs - 1:
            store.upsert(batch)
            batch = []
    store.flush()
    bulk_s = time.perf_counter() - started
    _local_sync(store, "FULL")
    spent = 0.0
    for doc in range(bulk_docs, docs):
        doc_id, chunk_points = points.document(doc)
        started = time.perf_counter()
        store.replace_document(doc_id, chunk_points)
        store.flush()
        spent += time.perf_counter() - started
    store.close()
    return {
        "upsert_points_per_s": round((docs - bulk_docs) * CHUNKS_PER_DOC / spent, 1),
        "bulk_points_per_s": round(bulk_docs * CHUNKS_PER_DOC / bulk_s, 1) if bulk_docs else 0.0,
    }


def _local_sync(store: Any, mode: str) -> None:
    """Local mode commits (and fsyncs) every point; only the untimed bulk load skips the fsync."""
    local = getattr(getattr(store, "_client", None), "_client", None)
    if local is not None and hasattr(local, "collections"):
        local.collections[store.collection].storage.storage.execute(f"PRAGMA synchronous={mode}")


def measure(kind: str, folder: Path, queries_file: Path) -> dict[str, Any]:
    """Child process: reopen the store, then time the queries. Memory is this process's alone."""
    queries = json.loads(queries_file.read_text())
    import inmyhead_app.core.store.edge
    import inmyhead_app.core.store.local_mode  # noqa: F401 (imports are not the store's open time)

    process = psutil.Process()
    rss_before = process.memory_info().rss
    started = time.perf_counter()
    store = make_store(kind, folder)
    store.ensure_collection(MODEL, DIM)
    count = store.count()
    open_s = time.perf_counter() - started
    rss_open = process.memory_info().rss

    def timed(run: Any) -> tuple[list[float], list[Any]]:
        times, results = [], []
        for query in queries:
            started = time.perf_counter()
            results.append(run(query))
            times.append((time.perf_counter() - started) * 1000)
        return times, results

    dense_ms, dense_hits = timed(lambda q: store.query_dense(q["dense"], SearchFilters(), 10))
    filtered_ms, _ = timed(lambda q: store.query_dense(q["dense"], SearchFilters(doc_ids=(q["doc"],)), 10))
    hybrid_ms, _ = timed(
        lambda q: store.query_hybrid(q["dense"], SparseVector(*q["sparse"]), SearchFilters(), 10)
    )
    rss_after = process.memory_info().rss
    store.close()
    return {
        "points": count,
        "open_s": round(open_s, 3),
        "rss_mb": round(rss_after / 2**20, 1),
        "rss_opened_mb": round(rss_open / 2**20, 1),
        "rss_process_start_mb": round(rss_before / 2**20, 1),
        "peak_rss_mb": peak_rss_mb(),
        "dense_ms": summary(dense_ms),
        "filtered_ms": summary(filtered_ms),
        "hybrid_ms": summary(hybrid_ms),
        "dense_top10": [[hit.id for hit in hits] for hits in dense_hits],
    }


def peak_rss_mb() -> float:
    """VmHWM: this address space's peak (ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # not Linux


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 2), "p95": round(p95, 2)}


def disk_mb(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)


def run(sizes: list[int], corpus: Path, work: Path) -> dict[str, Any]:
    texts, query_texts = load_corpus(corpus)
    vectors = embedded(texts, query_texts, Path(platformdirs.user_cache_dir("inmyhead")) / "bench")
    rng = random.Random(11)
    result: dict[str, Any] = {
        "benchmark": "store",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "qdrant_client": version("qdrant-client"),
            "qdrant_edge": version("qdrant-edge-py"),
            "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
        },
        "corpus": str(corpus),
        "vectors": (
            f"{len(texts)} real texts embedded with MiniLM (384 dims) and BM25; further points are "
            "convex combinations of two real embeddings (weight 0.6-0.9) + N(0, 0.01) noise, "
            "normalised, with the text and BM25 vector of the dominant one"
        ),
        "writes": (
            f"upsert_points_per_s: the last {TAIL} points, one document ({CHUNKS_PER_DOC} chunks) per "
            "replace_document + flush, as ingest writes; bulk_points_per_s: the rest, "
            f"{BULK_BATCH} points per upsert (local mode's sqlite with synchronous=OFF for that part only, "
            "as it otherwise fsyncs every point)"
        ),
        "rss": "rss_mb: resident memory of a fresh process after opening the store and running the queries",
        "queries": f"{QUERIES} real Cranfield queries per kind, top 10; filtered = by one doc_id",
        "sizes": {},
    }
    qsparse = vectors["qsparse"]
    for size in sizes:
        docs = size // CHUNKS_PER_DOC
        queries = [
            {
                "dense": vectors["qdense"][i % len(query_texts)].tolist(),
                "sparse": [
                    [int(x) for x in qsparse[i % len(qsparse)][0]],
                    [float(x) for x in qsparse[i % len(qsparse)][1]],
                ],
                "doc": point_id("bench-doc", rng.randrange(docs)),
            }
            for i in range(QUERIES)
        ]
        queries_file = work / f"queries-{size}.json"
        queries_file.write_text(json.dumps(queries))
        row: dict[str, Any] = {}
        for kind in ("local", "edge"):
            folder = work / f"{kind}-{size}"
            shutil.rmtree(folder, ignore_errors=True)
            print(f"{kind} at {size}: writing", file=sys.stderr)
            rates = build(kind, folder, size, Points(texts, vectors))
            print(f"{kind} at {size}: measuring", file=sys.stderr)
            child = subprocess.run(
                [sys.executable, __file__, "--measure", kind, str(folder), str(queries_file)],
                check=True,
                capture_output=True,
                text=True,
            )
            measured = json.loads(child.stdout)
            row[kind] = {**rates, "disk_mb": disk_mb(folder), **measured}
            shutil.rmtree(folder, ignore_errors=True)
        # Both stores search exactly, so their dense top 10s should agree (ties aside).
        pairs = zip(row["local"].pop("dense_top10"), row["edge"].pop("dense_top10"), strict=True)
        overlap = [len(set(a) & set(b)) / max(1, len(a)) for a, b in pairs]
        row["dense_top10_agreement"] = round(statistics.mean(overlap), 3)
        result["sizes"][str(size)] = row
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="a BEIR-style corpus.jsonl")
    parser.add_argument("--out", type=Path, help="also write the JSON here (e.g. bench/results/store.json)")
    parser.add_argument("--work-dir", type=Path, help="where the stores are built (default: a temp folder)")
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "FOLDER", "QUERIES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, folder, queries = args.measure
        print(json.dumps(measure(kind, Path(folder), Path(queries))))
        return 0
    if not args.corpus.is_file():
        parser.error(f"no corpus at {args.corpus} (pass --corpus)")
    with tempfile.TemporaryDirectory(prefix="store-bench-", dir=args.work_dir) as work:
        result = run(args.sizes, args.corpus, Path(work))
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
