"""Retrieval quality on any BEIR-layout dataset, through the app's own indexing and search.

    python bench/retrieval.py DATASET_DIR [--limit-queries N] [--limit-docs N] [--store local|edge]
                              [--cache-dir DIR | --no-cache] [--out FILE]

DATASET_DIR holds corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}) and
qrels.tsv (query-id, corpus-id, score; a header line is allowed). Each corpus entry becomes one
document (its title, then its text) and goes through the app's cleaning, chunking, local MiniLM
embedding, BM25 vectors and a vector store in a temporary folder; every query is then searched in
keyword, dense and hybrid mode with ``SearchService`` (results grouped per document). The dense
vectors are cached in the user cache folder (keyed by model and chunk texts) so a re-run after a
search change takes seconds instead of minutes.

Prints one JSON object: nDCG@10, MRR@10 and Recall@100 per mode, averaged over the queries that
have at least one relevant (score > 0) document. nDCG is trec_eval's (``ndcg_cut``): the gain of a
document is its graded relevance, discounted by log2(rank + 1), divided by the ideal ordering's.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import platformdirs

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.report import emit  # noqa: E402

MODES = ("keyword", "dense", "hybrid")
NDCG_AT = 10
MRR_AT = 10
RECALL_AT = 100

Qrels = dict[str, dict[str, int]]  # query id -> document id -> graded relevance


# --- metrics (pure functions, checked by tests/bench/test_retrieval_metrics.py) -------------------


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain: gain at rank r (1-based) counts gain / log2(r + 1)."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = NDCG_AT) -> float:
    """trec_eval ``ndcg_cut.k``: linear gains (the grade), non-positive grades count as 0."""
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(max(judged.get(doc, 0), 0) for doc in ranking[:k]) / ideal


def mrr_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = MRR_AT) -> float:
    """1 / rank of the first relevant document within the top k, else 0."""
    for rank, doc in enumerate(ranking[:k], start=1):
        if judged.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = RECALL_AT) -> float:
    """Share of the relevant documents found in the top k."""
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def evaluate(runs: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """Mean metrics over the queries with at least one relevant document (missing runs count 0)."""
    scored = [q for q, judged in qrels.items() if any(g > 0 for g in judged.values())]
    if not scored:
        raise ValueError("no query has a relevant document")
    totals = {f"ndcg@{NDCG_AT}": 0.0, f"mrr@{MRR_AT}": 0.0, f"recall@{RECALL_AT}": 0.0}
    for query in scored:
        ranking, judged = runs.get(query, ()), qrels[query]
        totals[f"ndcg@{NDCG_AT}"] += ndcg_at(ranking, judged)
        totals[f"mrr@{MRR_AT}"] += mrr_at(ranking, judged)
        totals[f"recall@{RECALL_AT}"] += recall_at(ranking, judged)
    return {name: round(total / len(scored), 4) for name, total in totals.items()}


# --- dataset -----------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < 3:
            continue
        try:
            grade = int(float(fields[-1]))
        except ValueError:
            continue  # the header line
        qrels.setdefault(fields[0], {})[fields[-2]] = grade
    return qrels


def document_text(entry: Mapping[str, Any]) -> str:
    """Title, then text; the title is not repeated when the text already starts with it."""
    title = str(entry.get("title") or "").strip()
    text = str(entry.get("text") or "").strip()
    if title and text and not text.lower().startswith(title.lower()):
        return f"{title}\n\n{text}"
    return text or title


# --- indexing and searching through the app -------------------------------------------------------


def embed_dense(embedder: Any, texts: list[str], cache_dir: Path | None) -> list[list[float]]:
    """The embedder's vectors for ``texts``; with ``cache_dir``, kept there keyed by the model and texts.

    Embedding dominates the benchmark (minutes on 2 cores); a re-run after a search or store change
    then takes seconds. The key covers the model id, the model file's size and every chunk text.
    """
    if cache_dir is None:
        return embedder.embed_documents(texts)
    import hashlib

    import numpy as np

    digest = hashlib.sha256(str(getattr(embedder, "model_id", type(embedder).__name__)).encode())
    model_file = getattr(embedder, "_model_dir", None)
    if model_file is not None and (Path(model_file) / "model.onnx").is_file():
        digest.update(str((Path(model_file) / "model.onnx").stat().st_size).encode())
    for text in texts:
        digest.update(text.encode() + b"\0")
    file = Path(cache_dir) / f"retrieval-dense-{digest.hexdigest()[:20]}.npy"
    if file.is_file():
        cached = np.load(file)
        if len(cached) == len(texts):
            return cached.tolist()
    vectors = embedder.embed_documents(texts)
    file.parent.mkdir(parents=True, exist_ok=True)
    np.save(file, np.asarray(vectors, dtype=np.float32))
    return vectors


def index_corpus(
    corpus: list[dict[str, Any]], pipeline: Any, store: Any, cache_dir: Path | None = None
) -> int:
    """Clean, chunk, embed (all chunks in model-sized batches) and store every document."""
    from inmyhead_app.core.documents.model import Page, ParsedDocument
    from inmyhead_app.core.errors import IngestError
    from inmyhead_app.core.metadata.base import DocumentMetadata
    from inmyhead_app.core.pipeline import Embedded, _NoContext

    ctx = _NoContext()
    prepared = []
    for entry in corpus:
        doc_id = str(entry["_id"])
        doc = ParsedDocument(
            path=f"{doc_id}.txt",
            file_type="txt",
            pages=[Page(1, document_text(entry))],
            title=entry.get("title"),
        )
        try:
            prepared.append((doc_id, doc, pipeline.preprocess(doc_id, doc, ctx)))
        except IngestError as error:  # an empty document: nothing to index, like the app
            print(f"skipped document {doc_id}: {error}", file=sys.stderr)
    texts = [chunk.text for _, _, pre in prepared for chunk in pre.chunks]
    dense = embed_dense(pipeline.embedder, texts, cache_dir)
    sparse = pipeline.sparse.embed_documents(texts)
    start = 0
    for doc_id, doc, pre in prepared:
        end = start + len(pre.chunks)
        embedded = Embedded(dense[start:end], sparse[start:end])
        meta = DocumentMetadata(title=doc.title, language="en")
        store.replace_document(
            doc_id, pipeline.points(doc_id, doc.path, doc, pre, embedded, meta, time.time())
        )
        start = end
    store.flush()
    return len(texts)


def search_all(
    search: Any, queries: Mapping[str, str], mode: str
) -> tuple[dict[str, list[str]], list[float]]:
    runs: dict[str, list[str]] = {}
    seconds: list[float] = []
    for query_id, text in queries.items():
        started = time.perf_counter()
        hits = search.search(text, limit=RECALL_AT, mode=mode)
        seconds.append(time.perf_counter() - started)
        runs[query_id] = [hit.doc_id for hit in hits]
    return runs, seconds


def run(
    dataset: Path,
    limit_queries: int | None,
    limit_docs: int | None,
    store_kind: str | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    from inmyhead_app.core.config import Settings, declaration
    from inmyhead_app.core.embed.local import LocalEmbedder
    from inmyhead_app.core.embed.sparse import Bm25Embedder
    from inmyhead_app.core.pipeline import Pipeline
    from inmyhead_app.core.search import SearchService
    from inmyhead_app.core.store.factory import open_store

    corpus = read_jsonl(dataset / "corpus.jsonl")[:limit_docs]
    qrels = read_qrels(dataset / "qrels.tsv")
    queries = {str(q["_id"]): str(q["text"]) for q in read_jsonl(dataset / "queries.jsonl")}
    judged = [q for q in queries if any(g > 0 for g in qrels.get(q, {}).values())]
    chosen = judged[:limit_queries] if limit_queries else judged
    qrels = {q: qrels[q] for q in chosen}
    if limit_docs:  # judgements about documents left out cannot be met
        kept = {str(entry["_id"]) for entry in corpus}
        qrels = {q: {d: g for d, g in j.items() if d in kept} for q, j in qrels.items()}
        qrels = {q: j for q, j in qrels.items() if any(g > 0 for g in j.values())}
    store_kind = store_kind or declaration("store").default
    with tempfile.TemporaryDirectory(prefix="inmyhead-retrieval-") as tmp:
        settings = Settings(Path(tmp), {"store": store_kind})
        embedder, sparse = LocalEmbedder(), Bm25Embedder()
        store = open_store(settings, Path(tmp))
        try:
            store.ensure_collection(embedder.model_id, embedder.dimension)
            pipeline = Pipeline(settings, embedder, sparse, None, store)  # type: ignore[arg-type]
            started = time.perf_counter()
            chunks = index_corpus(corpus, pipeline, store, cache_dir)
            index_seconds = time.perf_counter() - started
            search = SearchService(store, embedder, sparse)
            modes = {}
            for mode in MODES:
                runs, seconds = search_all(search, {q: queries[q] for q in qrels}, mode)
                modes[mode] = {
                    **evaluate(runs, qrels),
                    "query_ms_median": round(statistics.median(seconds) * 1000, 1),
                }
        finally:
            store.close()
    return {
        "benchmark": "retrieval",
        "dataset": str(dataset),
        "documents": len(corpus),
        "chunks": chunks,
        "queries": len(qrels),
        "store": store_kind,
        "index_seconds": round(index_seconds, 1),
        "modes": modes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Retrieval quality (nDCG@10, MRR@10, Recall@100) per mode.")
    parser.add_argument(
        "dataset", type=Path, help="a BEIR-layout folder: corpus.jsonl, queries.jsonl, qrels.tsv"
    )
    parser.add_argument(
        "--limit-queries", type=int, default=None, metavar="N", help="only the first N judged queries"
    )
    parser.add_argument(
        "--limit-docs", type=int, default=None, metavar="N", help="only the first N documents"
    )
    parser.add_argument(
        "--store", choices=("local", "edge"), default=None, help="vector store (default: the app's default)"
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(platformdirs.user_cache_dir("inmyhead")) / "bench",
        help="keep the dense vectors here between runs (default: the user cache folder)",
    )
    parser.add_argument("--no-cache", action="store_true", help="embed everything afresh")
    args = parser.parse_args(argv)
    cache_dir = None if args.no_cache else args.cache_dir
    report = run(args.dataset, args.limit_queries, args.limit_docs, args.store, cache_dir)
    emit(report, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
